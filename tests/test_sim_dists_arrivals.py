"""Duration samplers honour mean and cv; arrivals are Poisson per interval with daily busyness."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import gamma

from scenarios.schema import Distribution, Simulation
from sim.arrivals import CallerSource
from sim.dists import sampler, weibull_shape
from sim.streams import Stream, generator, replication_seed
from tests._sim_helpers import call_type, scenario, within_3_se


@pytest.mark.parametrize(
    ("kind", "cv"),
    [
        ("exponential", 1.0),
        ("gamma", 0.5),
        ("erlang", 0.5),
        ("lognormal", 1.5),
        ("weibull", 0.7),
        ("weibull", 2.0),
        ("uniform", 0.4),
        ("deterministic", 0.0),
        ("gamma", 0.0),
    ],
)
def test_samplers_have_the_requested_mean_and_cv(kind, cv):
    mean_s = 120.0
    x = sampler(Distribution(kind=kind, mean_s=mean_s, cv=cv))(np.random.default_rng(1), 200_000)
    within_3_se(x, mean_s)
    # The variance (cv * mean)^2 is the expectation of the squared deviation from the exact mean.
    within_3_se((x - mean_s) ** 2, (cv * mean_s) ** 2)
    assert (x >= 0).all()


def test_empirical_resamples_and_none_is_infinite():
    x = sampler(Distribution(kind="empirical", mean_s=2.0, cv=0.5, samples_s=(1.0, 3.0)))(
        np.random.default_rng(1), 1000
    )
    assert set(np.unique(x)) == {1.0, 3.0}
    assert np.isinf(sampler(None)(np.random.default_rng(1), 3)).all()


def test_weibull_shape_solves_the_cv_equation():
    for cv in (0.2, 1.0, 3.0):
        k = weibull_shape(cv)
        assert math.sqrt(gamma(1 + 2 / k) / gamma(1 + 1 / k) ** 2 - 1) == pytest.approx(cv)
    assert weibull_shape(1.0) == pytest.approx(1.0)


def test_streams_are_fixed_by_purpose_and_replication():
    seed = replication_seed(42, 3)
    assert seed.spawn_key == (3,)
    a = generator(seed, Stream.HANDLE, 1).random(3)
    assert np.array_equal(a, generator(replication_seed(42, 3), Stream.HANDLE, 1).random(3))
    assert not np.array_equal(a, generator(seed, Stream.HANDLE, 0).random(3))
    assert not np.array_equal(a, generator(seed, Stream.PATIENCE, 1).random(3))
    walk = generator(seed, Stream.WALK_IN, (0, 1)).random(3)  # agent 1 of group 0
    again = generator(replication_seed(42, 3), Stream.WALK_IN, (0, 1)).random(3)
    assert np.array_equal(walk, again)
    assert not np.array_equal(walk, generator(seed, Stream.WALK_IN, (1, 0)).random(3))


@pytest.mark.parametrize("chunk_calls", [65_536, 3])
def test_arrivals_are_poisson_within_their_intervals(monkeypatch, chunk_calls):
    """Also when intervals are cut into slices and drawn a few at a time (chunk of 3 calls)."""
    monkeypatch.setattr("sim.arrivals.CHUNK_CALLS", chunk_calls)
    sc = scenario(
        types=(call_type(calls=(5.0, 50.0)),), intervals=2, interval_s=900.0, days=("day",) * 400
    )
    batches = list(CallerSource(sc, replication_seed(1, 0)).chunks())
    arrival_s = np.concatenate([b.arrival_s for b in batches])
    interval = np.concatenate([b.interval for b in batches])
    assert np.all(np.diff(arrival_s) >= 0)
    assert np.array_equal(interval, (arrival_s // 900.0).astype(int))
    # Days are independent: one Poisson count per day and interval.
    per_day = np.bincount(interval, minlength=800).reshape(400, 2)
    for k, lam in enumerate((5.0, 50.0)):
        within_3_se(per_day[:, k], lam)
        within_3_se((per_day[:, k] - lam) ** 2, lam)  # variance = mean


def test_daily_busyness_overdisperses_days():
    sc = scenario(
        types=(call_type(calls=(100.0,)),),
        days=("day",) * 600,
        simulation=Simulation(daily_busyness_cv=0.3),
    )
    interval = np.concatenate([b.interval for b in
                               CallerSource(sc, replication_seed(1, 0)).chunks()])
    counts = np.bincount(interval, minlength=600)  # one interval a day
    within_3_se(counts, 100.0)
    # Var = mean + (cv * mean)^2 for a gamma-mixed Poisson count.
    within_3_se((counts - 100.0) ** 2, 100.0 + 30.0**2)


def test_a_busy_day_is_drawn_in_bounded_chunks_and_stays_poisson():
    """Two million expected calls in one interval (once a numpy allocation traceback): chunks of
    at most about 2 * CHUNK_CALLS callers, sorted, in the right interval, Poisson in total."""
    from sim.arrivals import CHUNK_CALLS

    sc = scenario(types=(call_type(calls=(2e6, 10.0)),), intervals=2, interval_s=900.0)
    sizes, total, last = [], 0, -1.0
    for batch in CallerSource(sc, replication_seed(3, 0)).chunks():
        sizes.append(batch.arrival_s.size)
        total += batch.arrival_s.size
        assert batch.arrival_s[0] >= last and np.all(np.diff(batch.arrival_s) >= 0)
        assert np.array_equal(batch.interval, (batch.arrival_s // 900.0).astype(int))
        last = batch.arrival_s[-1]
    assert len(sizes) > 20 and max(sizes) < 2 * CHUNK_CALLS + 5 * math.sqrt(2 * CHUNK_CALLS)
    assert abs(total - 2e6 - 10) < 5 * math.sqrt(2e6)


def test_chunks_keep_the_draws_of_a_day_that_fits_in_one():
    """A day expecting fewer than CHUNK_CALLS callers is drawn as before chunks existed: one
    Poisson draw for its (type, interval) counts, then its instants (a record of the draws)."""
    sc = scenario(types=(call_type(calls=(5.0, 50.0)), call_type("b", calls=(1.0, 3.0))),
                  intervals=2, interval_s=900.0, days=("day",) * 3)
    seed = replication_seed(9, 0)
    rng = generator(seed, Stream.ARRIVALS)
    expected = []
    for d in range(3):
        counts = rng.poisson(np.array([[5.0, 50.0], [1.0, 3.0]])).ravel()
        local = np.repeat(np.tile(np.arange(2), 2), counts)
        arrival_s = np.sort((d * 2 + local + rng.random(local.size)) * 900.0, kind="stable")
        expected.append(arrival_s)
    got = [batch.arrival_s for batch in CallerSource(sc, seed).chunks()]
    assert len(got) == 3
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-9)
