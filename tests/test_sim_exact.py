"""The simulation against exact queueing results, with fixed seeds and CI-based tolerances.

References are computed here, independently of ``erlang/``: Erlang B by its recursion, Erlang C
from it, and Erlang A from a truncated birth-death chain (stationary law) plus a tagged caller's
absorbing chain (its waiting time and whether it is served). Every check is
``|estimate - exact| <= 3 standard errors`` over replications, never one pinned seeded number.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats
from scipy.linalg import expm

from scenarios.schema import AgentGroup, Distribution, Simulation, Targets
from sim.metrics import total_metrics
from sim.records import BLOCKED
from sim.replicate import run_replication, simulate
from sim.streams import replication_seed
from tests._sim_helpers import call_type, exp, scenario, within_3_se

AWT_S = 20.0


def erlang_b(a: float, n: int) -> float:
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(a: float, n: int) -> float:
    b, rho = erlang_b(a, n), a / n
    return b / (1 - rho * (1 - b))


def erlang_a(lam: float, mu: float, theta: float, n: int, awt_s: float, extra: int = 400):
    """P(wait), P(abandon), ASA and SL (answered within awt_s over offered) of M/M/n+M."""
    k_max = n + extra
    death = [min(k, n) * mu + max(k - n, 0) * theta for k in range(1, k_max + 1)]
    log_pi = np.concatenate(([0.0], np.cumsum(np.log(lam) - np.log(death))))
    pi = np.exp(log_pi - log_pi.max())
    pi /= pi.sum()
    queue = np.maximum(np.arange(k_max + 1) - n, 0)
    p_abandon = theta * (pi * queue).sum() / lam
    # A caller arriving with j callers ahead moves up at rate n*mu + j*theta, hangs up at theta.
    j = np.arange(extra + 1)
    step = n * mu + j * theta
    p_served = np.cumprod(step / (step + theta))
    wait_if_served = np.cumsum(1.0 / (step + theta))
    waiting = pi[n:]
    answered = pi[:n].sum() + (waiting * p_served).sum()
    asa_s = (waiting * p_served * wait_if_served).sum() / answered
    q = np.zeros((extra + 3, extra + 3))  # states j = 0..extra, served, abandoned
    for i in j:
        q[i, i - 1 if i > 0 else extra + 1] = step[i]
        q[i, extra + 2] = theta
        q[i, i] = -(step[i] + theta)
    served_by_awt = expm(q * awt_s)[: extra + 1, extra + 1]
    sl = pi[:n].sum() + (waiting * served_by_awt).sum()
    return waiting.sum(), p_abandon, asa_s, sl


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
    p_wait, p_abandon, asa_s, sl = erlang_a(600 / 3600, 1 / 300, 1 / 180, 50, AWT_S)
    t = stats.t.ppf(0.975, result.replications - 1)
    for name, exact in (("p_abandon", p_abandon), ("asa_s", asa_s), ("service_level", sl)):
        estimate = result.summary[name]
        assert abs(estimate.mean - exact) <= 3 * estimate.ci95 / t, (name, estimate, exact)
    assert 0.01 < p_abandon < 0.2 and 0.3 < p_wait < 0.9  # a case where all three matter


def test_mm_n_against_erlang_c():
    sc = stationary(600.0, 300.0, 57)
    a, n = 50.0, 57
    c = erlang_c(a, n)
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
    within_3_se(blocked, erlang_b(140.0 * 180.0 / 3600.0, 10))
