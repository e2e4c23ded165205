"""simulate() on Ctrl-C: the finished replications survive, summarised exactly as a shorter run."""

import csv

import pytest

from scenarios import load_builtin
from sim.errors import SimulationInterrupted
from sim.replicate import simulate


def _stop_after(n):
    def progress(done, _total):
        if done == n:
            raise KeyboardInterrupt

    return progress


def test_interrupted_run_equals_the_run_of_its_finished_replications(tmp_path):
    sc = load_builtin("clinic")
    records = tmp_path / "calls.csv"
    with pytest.raises(SimulationInterrupted) as stop:
        simulate(sc, replications=5, seed=11, records_path=records, progress=_stop_after(2))
    partial = stop.value.result
    assert partial.partial and partial.replications == 2 and partial.replications_requested == 5
    whole = simulate(sc, replications=2, seed=11)
    # repr: nan (undefined figures) equals itself there, not under ==.
    assert repr(partial.summary) == repr(whole.summary)
    assert repr(partial.intervals) == repr(whole.intervals)
    assert partial.to_dict()["partial"] is True and "partial" not in whole.to_dict()
    # Records: only under the .partial name, and exactly the finished replications.
    assert not records.exists() and stop.value.records_path == tmp_path / "calls.csv.partial"
    with open(stop.value.records_path) as f:
        rows = list(csv.DictReader(f))
    assert {r["replication"] for r in rows} == {"0", "1"}
    assert len(rows) == whole.summary["offered"].mean * 2


def test_interrupt_inside_a_replication_drops_it_and_its_records(tmp_path):
    sc = load_builtin("clinic")
    records = tmp_path / "calls.csv"
    seen = []

    def within(r, share):
        seen.append(r)
        if r == 1:  # replication 1 has started simulating
            raise KeyboardInterrupt

    with pytest.raises(SimulationInterrupted) as stop:
        simulate(sc, replications=3, seed=2, records_path=records, within=within)
    assert stop.value.result.replications == 1
    with open(stop.value.records_path) as f:
        assert {r["replication"] for r in csv.DictReader(f)} == {"0"}


def test_interrupt_before_any_replication_carries_no_result():
    with pytest.raises(SimulationInterrupted) as stop:
        simulate(load_builtin("clinic"), replications=2, seed=1, progress=_stop_after(1),
                 within=lambda r, s: (_ for _ in ()).throw(KeyboardInterrupt))
    assert stop.value.result is None
    assert isinstance(stop.value, KeyboardInterrupt)  # callers that do not look for it stop
