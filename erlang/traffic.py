"""Offered load and square-root staffing.

Offered load ``a = lambda * AHT`` (Erlangs) is the mean number of agents the calls would keep
busy if every call were answered at once. Square-root staffing ``n = a + beta * sqrt(a)`` is the
Halfin-Whitt rule of thumb: ``beta`` about 0.5 to 2 covers the usual service levels, and the
relative safety margin ``beta / sqrt(a)`` shrinks as centers grow (economies of scale).
"""

from __future__ import annotations

import math

from erlang.errors import check_finite, check_non_negative, check_positive

SECONDS_PER = {"15min": 900.0, "30min": 1800.0, "hour": 3600.0, "60min": 3600.0}


def arrival_rate_per_s(calls: float, interval_s: float) -> float:
    """Arrival rate in calls per second from ``calls`` per interval of ``interval_s`` seconds."""
    return check_non_negative("calls", calls) / check_positive("interval_s", interval_s)


def offered_load(arrival_rate_per_s: float, aht_s: float) -> float:
    """Offered load in Erlangs: arrival rate (calls/s) times average handle time (s)."""
    return check_non_negative("arrival_rate_per_s", arrival_rate_per_s) * check_positive(
        "aht_s", aht_s
    )


def square_root_staffing(load_erl: float, beta: float) -> int:
    """Agents by the square-root rule, ``ceil(a + beta * sqrt(a))``.

    Parameters
    ----------
    load_erl : float
        Offered load in Erlangs (>= 0).
    beta : float
        Safety factor (quality of service index); any finite real.

    Returns
    -------
    int
        The agent count, at least 1 when the load is positive, 0 for no load.
    """
    a = check_non_negative("load_erl", load_erl)
    b = check_finite("beta", beta)
    if a == 0:
        return 0
    return max(1, math.ceil(a + b * math.sqrt(a) - 1e-9))
