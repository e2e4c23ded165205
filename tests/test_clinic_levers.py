"""Plausibility against the field (shared/domain/clinic-call-centers.md): the built-in clinic
loses about a quarter of its calls, and each lever moves the outcome the way the field saw.

Differences are paired under common random numbers (same seed, so the same callers), and each
claim is a 95 % confidence statement over replications, not a pinned seeded number.
"""

import math

import numpy as np
import pytest
from scipy import stats

from scenarios.load import load_builtin
from sim.metrics import total_metrics
from sim.replicate import run_replication
from sim.streams import replication_seed

REPS, SEED = 20, 11


def lost_shares(overrides=()):
    sc = load_builtin("clinic", overrides)
    return np.array([total_metrics(run_replication(sc, replication_seed(SEED, r)), sc)["lost_share"]
                     for r in range(REPS)])


def ci95(values):
    half = stats.t.ppf(0.975, values.size - 1) * values.std(ddof=1) / math.sqrt(values.size)
    return values.mean() - half, values.mean() + half


@pytest.fixture(scope="module")
def baseline():
    return lost_shares()


def test_baseline_loses_about_a_quarter(baseline):
    low, high = ci95(baseline)
    assert 0.22 < low and high < 0.33  # field: 27.2 % lost before the programme


@pytest.mark.parametrize("lever", [
    ("ivr.greeting.mean_s=15",),  # field: 27.2 % -> 23.1 % lost
    ("agent_groups.reception.staffing=[7,7,7,8,8,8,8,6,6,6,6,4]",),  # a 7th person 08-11
])
def test_lever_reduces_lost_calls(baseline, lever):
    _, high = ci95(lost_shares(lever) - baseline)
    assert high < 0.0  # the whole 95 % CI of the paired difference is below zero


def test_fewer_lines_give_more_busy_signals():
    # The clinic has 14 lines; with 4 the busy signal becomes the main loss. Paired under CRN,
    # the whole 95 % CI of the difference in blocked share must lie above zero.
    def blocked_shares(overrides=()):
        sc = load_builtin("clinic", overrides)
        rows = [total_metrics(run_replication(sc, replication_seed(SEED, r)), sc)
                for r in range(REPS)]
        return np.array([m["blocked"] / m["offered"] for m in rows])

    low, _ = ci95(blocked_shares(["lines=4"]) - blocked_shares())
    assert low > 0.0
