"""The per-replication figures added for the what-if workflow, against M/M/n+M exactly.

``p_no_wait`` is ``1 - P(wait)``; ``queue_len_avg`` is the stationary mean queue length; the
mean wait of abandoned callers follows from Little's law (``L_q / lambda`` is the mean queue time
of all arrivals, answered ones contributing ``(1 - P(ab)) * ASA``); ``sl_<t>s`` are the service
levels at each threshold. Each within three standard errors over replications.
"""

from __future__ import annotations

import math

import numpy as np

from sim.metrics import AWT_THRESHOLDS_S, total_metrics
from sim.replicate import run_replication
from sim.streams import replication_seed
from tests._sim_helpers import exp, within_3_se
from tests.exact_refs import erlang_a_figures
from tests.test_sim_exact import stationary

LAM, MU, THETA, N = 120 / 3600, 1 / 300, 1 / 180, 10


def test_new_figures_against_erlang_a():
    sc = stationary(120.0, 300.0, N, patience=exp(180.0), hours=12, reps=10)
    exact = erlang_a_figures(LAM, MU, THETA, N, 20.0)
    at_60 = erlang_a_figures(LAM, MU, THETA, N, 60.0)["service_level"]
    w_ab = (exact["queue_len"] / LAM - (1 - exact["p_abandon"]) * exact["asa_s"]) / exact[
        "p_abandon"]
    reps = [total_metrics(run_replication(sc, replication_seed(7, r)), sc) for r in range(10)]
    within_3_se([m["p_no_wait"] for m in reps], 1 - exact["p_wait"])
    within_3_se([m["queue_len_avg"] for m in reps], exact["queue_len"])
    within_3_se([m["mean_wait_abandoned_s"] for m in reps], w_ab)
    within_3_se([m["sl_60s"] for m in reps], at_60)
    assert all(m["sl_20s"] == m["service_level"] for m in reps)
    assert all(m["sl_10s"] <= m["sl_20s"] <= m["sl_30s"] <= m["sl_120s"] for m in reps)
    assert 20 in AWT_THRESHOLDS_S and 0.3 < exact["queue_len"] and 10 < w_ab < 200


def test_no_abandons_leaves_their_mean_wait_undefined():
    sc = stationary(60.0, 300.0, 10, hours=2, warmup_h=0, reps=1)
    m = total_metrics(run_replication(sc, replication_seed(1, 0)), sc)
    assert m["abandoned"] == 0 and math.isnan(m["mean_wait_abandoned_s"])
    assert 0 < m["p_no_wait"] <= 1 and np.isfinite(m["queue_len_avg"])
