"""Limited lines with redials (Erlang X style): M/M/n/L+M with a share of lost callers redialling.

Model: ``n`` agents and ``L >= n`` trunk lines, so at most ``L - n`` callers wait; a call that
finds every line busy is blocked. Handle times are exponential (mean AHT) and patience is
exponential (mean ``mean_patience_s``, or infinite). A blocked caller redials with probability
``redial_blocked`` and an abandoning caller with ``redial_abandoned``. As in Erlang X, redials
are treated as if they joined a Poisson stream, so the total attempt rate ``lambda`` solves

    lambda = lambda_0 + lambda * (r_b * P_blocked(lambda) + r_a * P_abandon(lambda)),

which is found by fixed-point iteration from ``lambda = lambda_0``. The map is increasing in
``lambda``, so the iterates increase monotonically to the smallest fixed point.

Assumption worth stating: redials arrive after a delay long enough for the system state to have
changed (the Poisson assumption); immediate redials into a still-full system would block more.

A caller is lost for good when an attempt fails and they do not try again; per first attempt,

    unique_lost = lambda * ((1 - r_b) * P_blocked + (1 - r_a) * P_abandon) / lambda_0.

References
----------
G. Koole, *Call Center Optimization* (2013), ch. 5 (Erlang X); the chain itself is the one of
:mod:`erlang.erlang_a` with a finite queue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from erlang.erlang_a import chain_metrics
from erlang.errors import (
    ConvergenceError,
    ErlangInputError,
    check_count,
    check_non_negative,
    check_positive,
    check_probability,
)
from erlang.results import QueueMetrics, json_number

_TOLERANCE = 1e-12
_MAX_ITERATIONS = 10_000
# Attempts per first attempt beyond which we call the fixed point divergent: a caller who
# redials ten thousand times on average is not a call center any model here describes.
_MAX_ATTEMPTS_PER_CALLER = 1e4


@dataclass(frozen=True, kw_only=True)
class RedialMetrics:
    """Figures of the lines-and-redials model.

    Attributes
    ----------
    queue : QueueMetrics
        Per-attempt figures at the solved attempt rate (``queue.arrival_rate_per_s``).
    fresh_rate_per_s : float
        First attempts per second (the callers).
    redial_blocked, redial_abandoned : float
        Redial probabilities used.
    redials_per_s : float
        Redial attempts per second at the fixed point.
    unique_lost : float
        Share of callers who never get through (lost on their last attempt).
    iterations : int
        Fixed-point iterations used.
    """

    queue: QueueMetrics
    fresh_rate_per_s: float
    redial_blocked: float
    redial_abandoned: float
    redials_per_s: float
    unique_lost: float
    iterations: int

    def to_dict(self) -> dict[str, Any]:
        """Flat dict for JSON: the queue's figures plus the redial figures."""
        flat = self.queue.to_dict()
        for key in ("fresh_rate_per_s", "redial_blocked", "redial_abandoned", "redials_per_s",
                    "unique_lost", "iterations"):
            flat[key] = json_number(getattr(self, key))
        return flat


def erlang_x(
    *,
    arrival_rate_per_s: float,
    aht_s: float,
    agents: int,
    lines: int | None,
    mean_patience_s: float = math.inf,
    redial_blocked: float = 0.0,
    redial_abandoned: float = 0.0,
    awt_s: float = 20.0,
    short_abandon_s: float = 5.0,
) -> RedialMetrics:
    """Solve the lines-and-redials model for one stationary interval.

    Parameters
    ----------
    arrival_rate_per_s : float
        First attempts per second (>= 0).
    aht_s : float
        Average handle time, seconds (> 0).
    agents : int
        Agents on duty (>= 1).
    lines : int or None
        Trunk lines (>= agents); ``None`` for unlimited lines (then patience must be finite:
        with neither a line limit nor abandonment this is Erlang C, which has no redials).
    mean_patience_s : float
        Mean exponential patience, seconds (> 0; ``inf`` for callers who never hang up).
    redial_blocked, redial_abandoned : float
        Probabilities in [0, 1] that a blocked / abandoning caller tries again.
    awt_s, short_abandon_s : float
        As in :func:`erlang.erlang_a.erlang_a`.

    Returns
    -------
    RedialMetrics

    Raises
    ------
    ConvergenceError
        If the attempt rate does not settle, or would exceed 10,000 attempts per caller (every
        lost caller redialling into a system that loses almost every attempt).
    """
    lam0 = check_non_negative("arrival_rate_per_s", arrival_rate_per_s)
    aht = check_positive("aht_s", aht_s)
    n = check_count("agents", agents, minimum=1)
    if lines is not None:
        check_count("lines", lines, minimum=n)
    patience = math.inf if mean_patience_s == math.inf else check_positive(
        "mean_patience_s", mean_patience_s
    )
    if lines is None and math.isinf(patience):
        raise ErlangInputError(
            "lines must be given when patience is infinite (otherwise use Erlang C), got None"
        )
    r_b = check_probability("redial_blocked", redial_blocked)
    r_a = check_probability("redial_abandoned", redial_abandoned)

    def solve(rate: float) -> QueueMetrics:
        return chain_metrics(
            model="erlang_x",
            arrival_rate_per_s=rate,
            aht_s=aht,
            agents=n,
            mean_patience_s=patience,
            lines=lines,
            awt_s=check_non_negative("awt_s", awt_s),
            short_abandon_s=check_non_negative("short_abandon_s", short_abandon_s),
        )

    rate = lam0
    for iteration in range(1, _MAX_ITERATIONS + 1):
        queue = solve(rate)
        retry = r_b * queue.p_blocked + r_a * queue.p_abandon
        new_rate = lam0 / (1.0 - retry) if retry < 1.0 else math.inf
        if not new_rate <= _MAX_ATTEMPTS_PER_CALLER * lam0:
            break
        if abs(new_rate - rate) <= _TOLERANCE * max(new_rate, 1e-300):
            queue = solve(new_rate)
            lost = queue.p_blocked * (1 - r_b) + queue.p_abandon * (1 - r_a)
            return RedialMetrics(
                queue=queue,
                fresh_rate_per_s=lam0,
                redial_blocked=r_b,
                redial_abandoned=r_a,
                redials_per_s=new_rate - lam0,
                unique_lost=new_rate * lost / lam0 if lam0 > 0 else 0.0,
                iterations=iteration,
            )
        rate = new_rate
    raise ConvergenceError(
        f"redial fixed point did not converge with {n} agents and {lines} lines after "
        f"{iteration} iterations (attempt rate reached {rate:.6g}/s from {lam0:.6g}/s first "
        "attempts); lower the redial probabilities or add agents or lines"
    )
