"""Erlang C: the M/M/n delay system.

Model: Poisson arrivals at rate ``lambda``, exponential handle times of mean ``AHT``, ``n``
identical agents, an unlimited FIFO queue, callers who never hang up, unlimited lines. With
offered load ``a = lambda * AHT < n`` the queue is stable and

    C(n, a)   = P(wait) = B / (1 - (a / n) * (1 - B)),     B = Erlang B(n, a)
    SL(t)     = 1 - C * exp(-(n - a) * t / AHT)            (answered within t)
    ASA       = C * AHT / (n - a)                          (mean wait of all calls)
    occupancy = a / n

At ``a >= n`` no steady state exists: the queue grows without bound. We then return the limits
of the growing queue, not clipped numbers: P(wait) = 1, SL = 0, ASA = mean wait = inf,
occupancy = 1, and ``stable = False``.

References
----------
A. K. Erlang (1917); G. Koole, *Call Center Optimization* (MG books, 2013), ch. 5.
"""

from __future__ import annotations

import math

from erlang.erlang_b import erlang_b
from erlang.errors import check_count, check_non_negative, check_positive
from erlang.results import QueueMetrics


def erlang_c(
    *,
    arrival_rate_per_s: float,
    aht_s: float,
    agents: int,
    awt_s: float = 20.0,
) -> QueueMetrics:
    """Erlang C figures for one stationary interval.

    Parameters
    ----------
    arrival_rate_per_s : float
        Calls offered per second (>= 0).
    aht_s : float
        Average handle time, seconds (> 0).
    agents : int
        Agents on duty (>= 1).
    awt_s : float
        Service-level threshold, seconds (>= 0).

    Returns
    -------
    QueueMetrics
        With no abandonment, every service-level definition coincides.
    """
    lam = check_non_negative("arrival_rate_per_s", arrival_rate_per_s)
    aht = check_positive("aht_s", aht_s)
    n = check_count("agents", agents, minimum=1)
    awt = check_non_negative("awt_s", awt_s)
    a = lam * aht
    if a >= n:
        p_wait, sl, asa, occupancy, stable = 1.0, 0.0, math.inf, 1.0, False
    else:
        b = erlang_b(a, n)
        p_wait = b / (1.0 - (a / n) * (1.0 - b))
        sl = 1.0 - p_wait * math.exp(-(n - a) * awt / aht)
        asa = p_wait * aht / (n - a)
        occupancy, stable = a / n, True
    return QueueMetrics(
        model="erlang_c",
        agents=n,
        lines=None,
        arrival_rate_per_s=lam,
        aht_s=aht,
        mean_patience_s=math.inf,
        load_erl=a,
        awt_s=awt,
        short_abandon_s=0.0,
        p_blocked=0.0,
        p_wait=p_wait,
        p_abandon=0.0,
        p_abandon_short=0.0,
        service_level=sl,
        service_level_answered=sl,
        service_level_excl_short=sl,
        asa_s=asa,
        mean_wait_s=asa,
        mean_wait_abandoned_s=math.nan,
        occupancy=occupancy,
        stable=stable,
    )
