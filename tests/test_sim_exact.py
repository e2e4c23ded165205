"""The simulation against exact queueing results, with fixed seeds and CI-based tolerances.

References come from ``tests/exact_refs.py``, which shares no code with ``erlang/``: Erlang B by
its recursion, Erlang C in exact rational arithmetic, and Erlang A from a truncated birth-death
chain (stationary law) plus a tagged caller's absorbing chain (its waiting time and whether it
is served). Every check is
``|estimate - exact| <= 3 standard errors`` over replications, never one pinned seeded number.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from scipy import stats

from scenarios.schema import AgentGroup, Distribution, Simulation, Targets
from sim.metrics import total_metrics
from sim.records import BLOCKED
from sim.replicate import run_replication, simulate
from sim.streams import replication_seed
from tests._sim_helpers import call_type, exp, scenario, within_3_se
from tests.exact_refs import erlang_a_figures, erlang_b_recursion, erlang_c_exact

AWT_S = 20.0


def stationary(calls_per_hour, aht, agents, patience=None, hours=12, warmup_h=1, reps=16, **kw):
    handle = kw.pop("handle", exp(aht))
    types = (call_type(calls=(calls_per_hour,) * hours, handle=handle, patience=patience),)
    groups = (AgentGroup(name="g", skills=("a",), staffing=(agents,) * hours),)
    return scenario(
        types=types,
        groups=groups,
        intervals=hours,
        targets=Targets(awt_s=AWT_S),
        simulation=Simulation(replications=reps, seed=2024, warmup_s=warmup_h * 3600.0),
        **kw,
    )


def test_mm_n_m_against_erlang_a():
    sc = stationary(600.0, 300.0, 50, patience=exp(180.0))
    result = simulate(sc)
    exact = erlang_a_figures(600 / 3600, 1 / 300, 1 / 180, 50, AWT_S)
    t = stats.t.ppf(0.975, result.replications - 1)
    for name in ("p_abandon", "asa_s", "service_level"):
        estimate = result.summary[name]
        assert abs(estimate.mean - exact[name]) <= 3 * estimate.ci95 / t, (name, estimate, exact)
    assert 0.01 < exact["p_abandon"] < 0.2 and 0.3 < exact["p_wait"] < 0.9  # all three matter


def test_mm_n_against_erlang_c():
    sc = stationary(600.0, 300.0, 57)
    a, n = 50.0, 57
    c = float(erlang_c_exact(Fraction(50), n))
    waited, sl, asa = [], [], []
    for r in range(sc.simulation.replications):
        records = []
        rc = run_replication(sc, replication_seed(sc.simulation.seed, r), on_record=records.append)
        waited.append(np.mean([rec.wait_s > 0 for rec in records]))
        totals = total_metrics(rc, sc)
        sl.append(totals["service_level"])
        asa.append(totals["asa_s"])
    within_3_se(waited, c)
    within_3_se(sl, 1 - c * math.exp(-(n - a) * AWT_S / 300.0))
    within_3_se(asa, c * 300.0 / (n - a))


def test_mg_n_n_lognormal_holding_against_erlang_b():
    # Insensitivity: blocking at the lines depends on the holding time through its mean only.
    handle = Distribution(kind="lognormal", mean_s=180.0, cv=1.5)
    sc = stationary(140.0, 180.0, 10, hours=48, reps=10, handle=handle, lines=10)
    blocked = []
    for r in range(sc.simulation.replications):
        rc = run_replication(sc, replication_seed(sc.simulation.seed, r))
        blocked.append(rc.counts[BLOCKED].sum() / rc.counts.sum())
    within_3_se(blocked, erlang_b_recursion(140.0 * 180.0 / 3600.0, 10))
