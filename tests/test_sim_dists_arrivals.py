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


def test_arrivals_are_poisson_within_their_intervals():
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
