"""Wait percentiles from the fixed-size histogram (sim.waits) against exact numpy percentiles,
and the tally fed by columns (numpy arrays) against the tally fed by row tuples."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim.waits
from scenarios import load_builtin
from sim.errors import SimError
from sim.metrics import Tally
from sim.model import Model
from sim.records import (
    CALLBACK,
    ROW_ANSWER,
    ROW_ARRIVAL,
    ROW_END,
    ROW_FIELDS,
    ROW_GROUP,
    ROW_KIND,
    ROW_PATIENCE,
    ROW_PREDICTED,
    ROW_WAIT,
    ROW_WRAP_END,
)
from sim.streams import replication_seed
from sim.waits import (
    DENSE_SPAN,
    N_BINS,
    RESOLUTION_S,
    SUB_BINS,
    WaitCounter,
    bin_centre_s,
    bin_of,
)

QS = (0, 1, 50, 80, 90, 95, 99.9, 100)


def bound(p):
    """The stated error bound of a percentile p (s), with room for float rounding."""
    return RESOLUTION_S / 2 + p / SUB_BINS + 1e-9 * (1 + p)


def histogram_percentiles(keys, waits, n_keys, buffer=None, monkeypatch=None):
    if buffer is not None:
        monkeypatch.setattr(sim.waits, "BUFFER", buffer)
    counter = WaitCounter(n_keys)
    for part in np.array_split(np.arange(keys.size), 5):  # several batches
        counter.add(keys[part], waits[part])
    hist = counter.result()
    return hist, hist.percentiles(np.arange(n_keys), n_keys, QS)


# Waits as a call center has them: many exact zeros, sub-second, seconds, hours.
waits_st = st.lists(
    st.one_of(st.just(0.0), st.floats(0, 1), st.floats(0, 600), st.floats(0, 1e6)),
    min_size=1, max_size=300)


@settings(max_examples=60, deadline=None)
@given(waits=waits_st, n_keys=st.integers(1, 4), seed=st.integers(0, 2**32 - 1))
def test_percentiles_are_exact_on_bin_centres_and_within_the_bound(waits, n_keys, seed):
    waits = np.array(waits)
    keys = np.random.default_rng(seed).integers(0, n_keys, waits.size)
    hist, got = histogram_percentiles(keys, waits, n_keys)
    assert hist.total == waits.size
    centres = bin_centre_s(bin_of(waits))
    for k in range(n_keys):
        mine = waits[keys == k]
        for q in QS:
            if not mine.size:
                assert np.isnan(got[q][k])
                continue
            exact = np.percentile(mine, q)  # numpy's default: linear interpolation
            assert abs(got[q][k] - exact) <= bound(exact)
            # The precise claim: the exact percentile of the waits moved to their bin centres.
            assert got[q][k] == pytest.approx(np.percentile(centres[keys == k], q), rel=1e-12,
                                              abs=1e-12)


def test_each_wait_is_within_the_bound_of_its_bin_centre():
    grid = np.arange(200_000) * RESOLUTION_S
    rng = np.random.default_rng(1)
    waits = np.concatenate([grid, grid + RESOLUTION_S / 3, rng.exponential(60, 100_000),
                            rng.lognormal(8, 4, 100_000), [2.0**52 * RESOLUTION_S]])
    bins = bin_of(waits)
    assert bins.max() < N_BINS
    assert np.all(np.abs(bin_centre_s(bins) - waits) <= bound(waits))
    order = np.argsort(waits)  # bins (hence centres) are non-decreasing in the wait
    assert np.all(np.diff(bins[order]) >= 0)
    # A bin holds the grid points it claims: the centre is mid-way between its extreme waits.
    assert bin_of(np.array([0.0]))[0] == 0 and bin_centre_s(np.array([0]))[0] == 0.0


def test_identities():
    _, got = histogram_percentiles(np.zeros(1000, np.int64), np.zeros(1000), 1)
    assert all(got[q][0] == 0.0 for q in QS)  # calls answered at once stay exact
    _, one = histogram_percentiles(np.zeros(1, np.int64), np.array([42.5]), 1)
    centre = bin_centre_s(bin_of(np.array([42.5])))[0]
    assert all(one[q][0] == centre for q in QS) and abs(centre - 42.5) <= bound(42.5)
    rng = np.random.default_rng(3)
    waits = np.where(rng.random(5000) < 0.4, 0.0, rng.exponential(30, 5000))
    _, many = histogram_percentiles(np.zeros(5000, np.int64), waits, 1)
    values = [many[q][0] for q in QS]
    assert values == sorted(values)  # monotone in q
    _, empty = histogram_percentiles(np.zeros(0, np.int64), np.zeros(0), 2)
    assert np.isnan(empty[50]).all()


def test_merging_buffers_and_cells_changes_nothing(monkeypatch):
    rng = np.random.default_rng(7)
    keys = rng.integers(0, 50, 20_000)
    waits = np.where(rng.random(20_000) < 0.3, 0.0, rng.exponential(40, 20_000))
    whole, got = histogram_percentiles(keys, waits, 50)
    small, got_small = histogram_percentiles(keys, waits, 50, buffer=97,
                                             monkeypatch=monkeypatch)
    assert np.array_equal(whole.codes, small.codes) and np.array_equal(whole.counts,
                                                                       small.counts)
    assert np.all(np.diff(small.codes) > 0)  # sorted, unique
    for q in QS:
        assert np.array_equal(got[q], got_small[q])
    # Cells merged into keys (here: cell % 5) = counting under the key in the first place.
    merged = whole.percentiles(np.arange(50) % 5, 5, QS)
    _, direct = histogram_percentiles(keys % 5, waits, 5)
    for q in QS:
        assert np.array_equal(merged[q], direct[q])
    # Keys taken a few at a time give the same, for keys in cell order or not.
    monkeypatch.setattr(sim.waits, "KEYS_PER_BLOCK", 3)
    for key_of_cell, n_keys, expected in ((np.arange(50), 50, got),
                                          (np.arange(50) % 5, 5, merged)):
        blocked = whole.percentiles(key_of_cell, n_keys, QS)
        for q in QS:
            assert np.array_equal(blocked[q], expected[q])


@pytest.mark.parametrize("buffer", [None, 5])
def test_batches_counted_densely_or_sorted_give_the_counts_of_every_code(buffer, monkeypatch):
    # A batch whose codes span few cells is counted densely (no sort), one spanning many by
    # sorting: both, and their merges, must give what counting every code at once gives.
    if buffer is not None:
        monkeypatch.setattr(sim.waits, "BUFFER", buffer)
    rng = np.random.default_rng(11)
    n_cells = 4 * DENSE_SPAN // N_BINS  # a batch over all cells is too wide to count densely
    counter, codes = WaitCounter(n_cells), []
    for batch in range(12):
        size = int(rng.integers(1, 400))
        low = int(rng.integers(0, n_cells - 3))
        cells = (rng.integers(low, low + 3, size) if batch % 2  # few cells: dense
                 else rng.integers(0, n_cells, size))  # every cell: sorted
        waits = np.where(rng.random(size) < 0.4, 0.0, rng.exponential(30, size))
        counter.add(cells, waits)
        codes.append(cells * N_BINS + bin_of(waits))
    expected_codes, expected_counts = np.unique(np.concatenate(codes), return_counts=True)
    hist = counter.result()
    assert np.array_equal(hist.codes, expected_codes)
    assert np.array_equal(hist.counts, expected_counts)


def test_a_result_does_not_change_as_the_counter_goes_on():
    counter = WaitCounter(2)
    counter.add(np.array([0, 1, 1]), np.array([0.0, 5.0, 5.0]))
    first = counter.result()
    codes, counts = first.codes.copy(), first.counts.copy()
    counter.add(np.array([1, 1, 0]), np.array([5.0, 7.0, 0.0]))
    second = counter.result()
    assert np.array_equal(first.codes, codes) and np.array_equal(first.counts, counts)
    assert first.total == 3 and second.total == 6


def test_memory_is_bounded_by_bins_not_waits():
    counter = WaitCounter(3)
    rng = np.random.default_rng(5)
    for _ in range(40):  # 2 million waits
        counter.add(rng.integers(0, 3, 50_000), rng.exponential(60, 50_000))
    hist = counter.result()
    assert hist.total == 2_000_000
    # Exponential waits of mean 60 s fill about 20 doublings of 64 bins per cell.
    assert hist.codes.size < 3 * 1500 and counter.nbytes < 100_000


@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf])
def test_a_wait_that_cannot_be_binned_is_named(bad):
    with pytest.raises(SimError, match="wait_s must be finite and >= 0"):
        bin_of(np.array([1.0, bad]))


def _columns_as_arrays(rows):
    """Rows as numpy columns, float fields with nan for None (what a fast engine feeds)."""
    floats = {ROW_GROUP, ROW_WAIT, ROW_ARRIVAL, ROW_ANSWER, ROW_END, ROW_WRAP_END,
              ROW_PREDICTED, ROW_PATIENCE}
    columns = []
    for i, column in enumerate(zip(*rows, strict=True)):
        if i in floats:
            columns.append(np.array(column, dtype=float))
        elif all(isinstance(v, int) for v in column):
            columns.append(np.array(column, dtype=np.int64))
        else:
            columns.append(column)  # fields the tally does not read (none today) stay as given
    return columns


def _state(tally):
    f = tally.followups
    waits, delays = tally._waits.result(), f._delays.result()
    return [tally.counts, tally.sums, tally.answered_by_group, waits.codes, waits.counts,
            f.counts, f.bookings, f.sums, f.events, f.prediction, delays.codes, delays.counts]


@pytest.mark.parametrize("count_by", ["caller", "attempt"])
def test_columns_count_as_rows(count_by):
    # The last clinic step has redials, callbacks, conversion and predicted waits.
    sc = load_builtin("clinic_step8")
    rows = []
    Model(sc, replication_seed(3, 0), sink=rows.extend, count_by=count_by).run()
    assert any(r[ROW_KIND] == CALLBACK for r in rows) and len(rows[0]) == len(ROW_FIELDS)
    by_rows, by_columns = Tally(sc, by=count_by), Tally(sc, by=count_by)
    for start in range(0, len(rows), 1000):
        by_rows.add(rows[start:start + 1000])
        by_columns.add_columns(_columns_as_arrays(rows[start:start + 1000]))
    for a, b in zip(_state(by_rows), _state(by_columns), strict=True):
        assert np.array_equal(a, b)
    assert by_rows.counts.sum() > 1000


def test_run_percentiles_match_the_records_within_the_bound():
    from sim.metrics import call_type_metrics, interval_metrics, total_metrics
    from sim.records import ANSWERED, ROW_FIRST_INTERVAL, ROW_OUTCOME, ROW_TYPE

    sc = load_builtin("bank")  # several call types and intervals
    rows = []
    rc = Model(sc, replication_seed(11, 0), sink=rows.extend).run()
    answered = [r for r in rows if r[ROW_OUTCOME] == ANSWERED and r[ROW_KIND] != CALLBACK]
    interval = np.array([r[ROW_FIRST_INTERVAL] for r in answered])
    call_type = np.array([r[ROW_TYPE] for r in answered])
    wait = np.array([r[ROW_WAIT] for r in answered])
    assert (wait == 0).any() and (wait > 0).any()
    views = ((interval_metrics(rc, sc), interval, sc.calendar.n_intervals),
             (call_type_metrics(rc, sc), call_type, len(sc.call_types)),
             ({k: np.atleast_1d(v) for k, v in total_metrics(rc, sc).items()},
              np.zeros(wait.size, np.int64), 1))
    checked = 0
    for metrics, key, n_keys in views:
        for k in range(n_keys):
            mine = wait[key == k]
            for q in (50, 80, 90, 95):
                got = metrics[f"wait_p{q}_s"][k]
                if mine.size == 0 or np.isnan(got):  # warm-up intervals are nan
                    continue
                exact = np.percentile(mine, q)
                assert abs(got - exact) <= bound(exact)
                checked += 1
    assert checked > 20
