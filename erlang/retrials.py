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

Which method. Given a mean redial delay and a finite number of lines, :func:`erlang_x` solves the
exact chain of :mod:`erlang.redial_chain` (state: calls holding a line, callers waiting to
redial) whenever it fits in ``MAX_STATES`` states (a clinic's handful of agents and lines always
does), and the fixed point otherwise; ``method`` in the result says which. Without a delay it is
the fixed point, which is the exact chain's limit as the delay grows. How far apart they are
on small centers: ``bench/redial_bench.py``.

A caller is lost for good when an attempt fails and they do not try again; per first attempt,

    unique_lost = lambda * ((1 - r_b) * P_blocked + (1 - r_a) * P_abandon) / lambda_0.

References
----------
G. Koole, *Call Center Optimization* (2013), ch. 5 (Erlang X); the chain itself is the one of
:mod:`erlang.erlang_a` with a finite queue.
"""

from __future__ import annotations

import math

from erlang.erlang_a import chain_metrics
from erlang.errors import (
    ConvergenceError,
    ErlangInputError,
    check_count,
    check_non_negative,
    check_positive,
    check_probability,
)
from erlang.redial_chain import MAX_STATES, ChainTooLargeError, erlang_x_exact
from erlang.results import QueueMetrics, RedialMetrics

METHODS = ("auto", "exact", "fixed_point")

_TOLERANCE = 1e-12
_MAX_ITERATIONS = 10_000
# Attempts per first attempt beyond which we call the fixed point divergent: a caller who
# redials ten thousand times on average is not a call center any model here describes.
_MAX_ATTEMPTS_PER_CALLER = 1e4


def erlang_x(
    *,
    arrival_rate_per_s: float,
    aht_s: float,
    agents: int,
    lines: int | None,
    mean_patience_s: float = math.inf,
    redial_blocked: float = 0.0,
    redial_abandoned: float = 0.0,
    mean_redial_delay_s: float | None = None,
    awt_s: float = 20.0,
    short_abandon_s: float = 5.0,
    method: str = "auto",
    max_states: int = MAX_STATES,
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
    mean_redial_delay_s : float, optional
        Mean exponential delay before a redial, seconds (> 0). Without it the redials are taken
        as Poisson (the fixed point), as if the delay were very long.
    awt_s, short_abandon_s : float
        As in :func:`erlang.erlang_a.erlang_a`.
    method : {"auto", "exact", "fixed_point"}
        ``auto``: the exact chain when a delay and lines are given and the chain has at most
        ``max_states`` states, else the fixed point. ``exact`` insists on the chain (and needs a
        delay and lines); ``fixed_point`` insists on the approximation.
    max_states : int
        Size bound of the exact chain.

    Returns
    -------
    RedialMetrics
        ``method`` says which was used.

    Raises
    ------
    ConvergenceError
        If the attempt rate does not settle, or would exceed 10,000 attempts per caller (every
        lost caller redialling into a system that loses almost every attempt); with ``exact``,
        also a chain larger than ``max_states``.
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
    if method not in METHODS:
        raise ErlangInputError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    delay = None if mean_redial_delay_s is None else check_positive(
        "mean_redial_delay_s", mean_redial_delay_s
    )
    if method == "exact" and (delay is None or lines is None):
        raise ErlangInputError(
            "method 'exact' needs mean_redial_delay_s and lines, got "
            f"mean_redial_delay_s={mean_redial_delay_s!r}, lines={lines!r}"
        )
    if method != "fixed_point" and delay is not None and lines is not None:
        try:
            return erlang_x_exact(
                arrival_rate_per_s=lam0, aht_s=aht, agents=n, lines=lines,
                mean_patience_s=patience, redial_blocked=r_b, redial_abandoned=r_a,
                mean_redial_delay_s=delay, awt_s=awt_s, short_abandon_s=short_abandon_s,
                max_states=max_states,
            )
        except ChainTooLargeError:
            if method == "exact":
                raise

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
            redials = new_rate - lam0
            return RedialMetrics(
                queue=queue,
                fresh_rate_per_s=lam0,
                redial_blocked=r_b,
                redial_abandoned=r_a,
                redials_per_s=redials,
                unique_lost=new_rate * lost / lam0 if lam0 > 0 else 0.0,
                method="fixed_point",
                mean_redial_delay_s=math.inf if delay is None else delay,
                # Little's law on the orbit; with no redials it is empty whatever the delay.
                mean_orbit=redials * (math.inf if delay is None else delay) if redials else 0.0,
                iterations=iteration,
            )
        rate = new_rate
    raise ConvergenceError(
        f"redial fixed point did not converge with {n} agents and {lines} lines after "
        f"{iteration} iterations (attempt rate reached {rate:.6g}/s from {lam0:.6g}/s first "
        "attempts); lower the redial probabilities or add agents or lines"
    )
