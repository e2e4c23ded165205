"""Erlang A: the M/M/n+M queue (Palm's model), exact from its birth-death chain.

Model: Poisson arrivals at rate ``lambda``; exponential handle times of mean ``AHT`` (rate
``mu``); ``n`` agents; one FIFO queue; every caller hangs up if not answered within an
exponential patience of mean ``1 / theta``. The number of calls in the system is a birth-death
chain with birth rate ``lambda`` and death rate ``min(j, n) * mu + max(j - n, 0) * theta``. It is
positive recurrent for every load when ``theta > 0``, so Erlang A is defined in overload too.
The same chain with a cap on the queue (``lines - n`` places) is the lines model of
:mod:`erlang.retrials`; this module computes both.

Notes
-----
Stationary weights, relative to ``pi_n``: the states below ``n`` sum to ``1/B(n, a) - 1``
(Erlang B), and the queue states are ``t_k = pi_{n+k} / pi_n = y**k * Gamma(c+1) / Gamma(c+k+1)``
with ``c = n*mu/theta`` and ``y = lambda/theta``: a Poisson(y) shape, so the weights are computed
in log space with ``gammaln`` and never overflow. By PASTA an arrival sees ``k`` callers ahead
with probability ``pi_{n+k}``. With ``k`` ahead, its *virtual* wait ``V`` (the wait it would have
if it never hung up) is a sum of exponentials with rates ``n*mu + i*theta``, ``i = 0..k``, whose
tail has the closed form ``P(V > t) = I_x(c, k+1)`` with ``x = exp(-theta*t)`` (regularized
incomplete beta). Exponential tilting by the caller's own patience gives

    P(answered)                   = c / (c + k + 1)
    P(answered within t)          = c / (c + k + 1) * (1 - I_x(c+1, k+1))
    E[wait; answered]             = c / (c + k + 1) * sum_{i=1..k+1} 1 / (theta * (c + i))
    E[time in queue]              = (k + 1) / (theta * (c + k + 1))
    P(abandon within t)           = 1 - E[exp(-theta * min(V, t))]

and the figures are these averaged over ``pi``.

*Truncation bound.* Only a window of queue states around the mode of ``t_k`` is summed: it
starts at ``40 sqrt(y) + 50`` states each side of the mode and is widened until a geometric
bound on the mass left out on either side is below ``1e-16`` of the total. States whose weight is
below ``1e-20`` of the total are then dropped from the per-state sums (less than ``1e-14`` in all).

References
----------
A. Mandelbaum and S. Zeltyn, "The M/M/n+G queue: summary of performance measures" (2009);
O. Garnett, A. Mandelbaum and M. Reiman, "Designing a call center with impatient customers",
MSOM 4(3), 2002.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from erlang.erlang_b import log_erlang_b
from erlang.errors import check_count, check_non_negative, check_positive
from erlang.results import QueueMetrics

_TAIL_TOLERANCE = 1e-16
_NEGLIGIBLE_WEIGHT = 1e-20


def erlang_a(
    *,
    arrival_rate_per_s: float,
    aht_s: float,
    agents: int,
    mean_patience_s: float,
    awt_s: float = 20.0,
    short_abandon_s: float = 5.0,
) -> QueueMetrics:
    """Erlang A figures for one stationary interval.

    Parameters
    ----------
    arrival_rate_per_s : float
        Calls offered per second (>= 0).
    aht_s : float
        Average handle time, seconds (> 0).
    agents : int
        Agents on duty (>= 1).
    mean_patience_s : float
        Mean of the exponential patience, seconds (> 0, finite; infinite patience is Erlang C).
    awt_s : float
        Service-level threshold, seconds (>= 0).
    short_abandon_s : float
        Abandons within this many seconds are "short": ``p_abandon_short`` is P(abandon before
        ``short_abandon_s``) and ``service_level_excl_short`` leaves them out of its denominator.

    Returns
    -------
    QueueMetrics
    """
    lam = check_non_negative("arrival_rate_per_s", arrival_rate_per_s)
    aht = check_positive("aht_s", aht_s)
    n = check_count("agents", agents, minimum=1)
    patience = check_positive("mean_patience_s", mean_patience_s)
    return chain_metrics(
        model="erlang_a",
        arrival_rate_per_s=lam,
        aht_s=aht,
        agents=n,
        mean_patience_s=patience,
        lines=None,
        awt_s=check_non_negative("awt_s", awt_s),
        short_abandon_s=check_non_negative("short_abandon_s", short_abandon_s),
    )


@dataclass(frozen=True)
class _QueueStates:
    """Queue states ``k`` (callers waiting) and their log weights relative to ``pi_n``."""

    k: np.ndarray
    log_weight: np.ndarray


def _queue_states(lam: float, n_mu: float, theta: float, cap: float) -> _QueueStates:
    """The window of queue states that carries all but 1e-16 of the queue's mass."""
    if theta > 0:
        c, y = n_mu / theta, lam / theta
        if y == 0.0:  # a load so small that lambda / theta underflows: nobody ever queues
            return _QueueStates(k=np.zeros(1), log_weight=np.zeros(1))
        mode = max(0.0, math.ceil(y - c - 1.0))
        width = 40.0 * math.sqrt(y) + 50.0

        def log_t(k: np.ndarray) -> np.ndarray:
            # log t_k = sum_{i=1..k} log(y / (c+i)), summed term by term from the window's
            # first state: a difference of gammaln values would lose digits when c is huge.
            first = k[0] * math.log(y) - _log_rising(c + 1.0, k[0])
            steps = np.log(y / (c + k[1:]))
            return first + np.concatenate(([0.0], np.cumsum(steps)))

        def ratio_after(k: float) -> float:
            return y / (c + k + 1.0)
    else:
        # No abandonment: a finite queue (M/M/n/L), geometric weights rho**k.
        rho = lam / n_mu
        mode, width = (0.0 if rho < 1.0 else cap), 50.0 + 40.0 / max(abs(math.log(rho)), 1e-300)

        def log_t(k: np.ndarray) -> np.ndarray:
            return k * math.log(rho)

        def ratio_after(k: float) -> float:
            return rho

    mode = min(mode, cap)
    while True:
        lo = max(0.0, math.floor(mode - width))
        hi = min(cap, math.ceil(mode + width))
        k = np.arange(lo, hi + 1.0)
        lw = log_t(k)
        peak = float(lw.max())
        log_total = peak + math.log(float(np.exp(lw - peak).sum()))
        bounds = [-math.inf]
        if hi < cap:  # right tail: ratios after hi are below r < 1, a geometric series
            r = ratio_after(hi)
            if r >= 1.0:
                bounds.append(math.inf)
            elif r > 0.0:
                bounds.append(lw[-1] + math.log(r / (1.0 - r)))
        if lo > 0:  # left of the mode the weights increase, so lo * t_lo bounds the rest
            bounds.append(lw[0] + math.log(lo))
        if max(bounds) - log_total < math.log(_TAIL_TOLERANCE):
            return _QueueStates(k=k, log_weight=lw)
        width *= 2.0


def chain_metrics(
    *,
    model: str,
    arrival_rate_per_s: float,
    aht_s: float,
    agents: int,
    mean_patience_s: float,
    lines: int | None,
    awt_s: float,
    short_abandon_s: float,
) -> QueueMetrics:
    """Figures of the M/M/n/L+M chain; inputs already validated.

    ``mean_patience_s = inf`` (no abandonment) needs finite ``lines``; ``lines = None`` is an
    unlimited queue. Shares are of all offered calls, blocked ones included.
    """
    lam, aht, n = arrival_rate_per_s, aht_s, agents
    mu = 1.0 / aht
    theta = 0.0 if math.isinf(mean_patience_s) else 1.0 / mean_patience_s
    a = lam * aht
    cap = math.inf if lines is None else float(lines - n)  # waiting places
    common = dict(
        model=model,
        agents=n,
        lines=lines,
        arrival_rate_per_s=lam,
        aht_s=aht,
        mean_patience_s=mean_patience_s,
        load_erl=a,
        awt_s=awt_s,
        short_abandon_s=short_abandon_s,
    )
    if lam == 0.0:
        return QueueMetrics(
            **common,
            p_blocked=0.0,
            p_wait=0.0,
            p_abandon=0.0,
            p_abandon_short=0.0,
            service_level=1.0,
            service_level_answered=1.0,
            service_level_excl_short=1.0,
            asa_s=0.0,
            mean_wait_s=0.0,
            mean_wait_abandoned_s=math.nan,
            occupancy=0.0,
        )

    states = _queue_states(lam, n * mu, theta, cap)
    log_b = log_erlang_b(a, n)
    # Weight of the states with an idle agent, relative to pi_n: 1/B - 1.
    log_idle = math.log(-math.expm1(log_b)) - log_b if log_b < 0.0 else -math.inf
    # Normalise by an explicit sum so that the shares below add up to 1 to rounding.
    shift = max(float(states.log_weight.max()), log_idle)
    weight = np.exp(states.log_weight - shift)
    idle_weight = math.exp(log_idle - shift)
    total = float(weight.sum()) + idle_weight
    p_no_wait, pi = idle_weight / total, weight / total
    k = states.k
    return metrics_from_arrival_law(
        common=common, p_no_wait=p_no_wait, p_blocked=float(pi[k == cap].sum()),
        ahead=k[k < cap], p_ahead=pi[k < cap],
    )


def metrics_from_arrival_law(
    *,
    common: dict,
    p_no_wait: float,
    p_blocked: float,
    ahead: np.ndarray,
    p_ahead: np.ndarray,
) -> QueueMetrics:
    """Figures of a FIFO M/M/n+M queue from the law of what an arriving call finds.

    An arriving call is blocked (``p_blocked``), finds a free agent (``p_no_wait``), or joins the
    queue with ``ahead[i]`` callers in front of it (``p_ahead[i]``); the three add up to 1.
    Once it waits, its fate depends only on the callers ahead of it (FIFO: later arrivals never
    overtake it), so the tagged-caller formulas of the module docstring apply whatever process
    brought the arrivals. That is why the redial chain of :mod:`erlang.redial_chain`, whose
    redials are not Poisson, reuses this function with the law seen by an average attempt.

    ``common`` holds the fields of :class:`QueueMetrics` that are inputs (``model``, ``agents``,
    ``arrival_rate_per_s``, ``aht_s``, ``mean_patience_s``, ...); ``arrival_rate_per_s`` must be
    the rate of the arrivals whose law this is (the occupancy is computed from it). ``ahead`` is
    an increasing run of whole numbers.
    """
    lam, aht, n = common["arrival_rate_per_s"], common["aht_s"], common["agents"]
    mu, patience = 1.0 / aht, common["mean_patience_s"]
    awt_s, short_abandon_s = common["awt_s"], common["short_abandon_s"]
    theta = 0.0 if math.isinf(patience) else 1.0 / patience
    k, pi = np.asarray(ahead, dtype=float), np.asarray(p_ahead, dtype=float)
    # Keep a contiguous run of admitted states (the running sums below need it), trimming only
    # negligible weight at both ends.
    significant = np.flatnonzero(pi > _NEGLIGIBLE_WEIGHT)
    run = slice(significant[0], significant[-1] + 1) if significant.size else slice(0, 0)
    k, pi = k[run], pi[run]

    x_awt, x_short = math.exp(-theta * awt_s), math.exp(-theta * short_abandon_s)
    if theta > 0:
        c = n * mu / theta
        p_answer = c / (c + k + 1.0)
        answered_in_awt = p_answer * (1.0 - _beta_cdf(c + 1.0, k, x_awt))
        # Running sums over the window, offset by their closed forms at its first state:
        # harmonic = sum_{i=1..k+1} 1/(c+i) and spread = sum_{i=1..k+1} i/(c+i) = (k+1) - c*harmonic
        # (the latter summed directly, since the difference cancels catastrophically).
        harmonic = np.cumsum(1.0 / (c + k + 1.0))
        spread = np.cumsum((k + 1.0) / (c + k + 1.0))
        if k.size and k[0] > 0:
            from scipy.special import digamma  # here: slow to import (see _beta_cdf)

            offset = digamma(c + k[0] + 1.0) - digamma(c + 1.0)
            harmonic += offset
            spread += k[0] - c * offset
        wait_answered = p_answer * harmonic / theta
        wait_abandoned = spread / (theta * (c + k + 1.0))
        # P(abandon by t) = P(abandon) - P(abandon after t), where
        # P(abandon after t) = x P(V > t) - E[exp(-theta V); V > t]: no "1 - (almost 1)".
        abandon_after = x_short * _beta_cdf(c, k, x_short) - p_answer * _beta_cdf(
            c + 1.0, k, x_short
        )
        abandon_short = (1.0 - p_answer) - abandon_after
    else:
        from scipy.special import gammainc  # here: slow to import (see _beta_cdf)

        p_answer = np.ones_like(k)
        answered_in_awt = gammainc(k + 1.0, n * mu * awt_s)
        wait_answered = (k + 1.0) / (n * mu)
        wait_abandoned = abandon_short = np.zeros_like(k)

    p_wait = float(pi.sum())
    p_abandon = float(pi @ (1.0 - p_answer))
    p_answered = p_no_wait + float(pi @ p_answer)
    answered_in_awt_total = p_no_wait + float(pi @ answered_in_awt)
    p_abandon_short = float(pi @ abandon_short)
    wait_of_answered = float(pi @ wait_answered)
    wait_of_abandoned = float(pi @ wait_abandoned)
    return QueueMetrics(
        **common,
        p_blocked=_share(p_blocked),
        p_wait=_share(p_wait),
        p_abandon=_share(p_abandon),
        p_abandon_short=_share(p_abandon_short),
        service_level=_share(answered_in_awt_total),
        service_level_answered=_share(_ratio(answered_in_awt_total, p_answered)),
        service_level_excl_short=_share(_ratio(answered_in_awt_total, 1.0 - p_abandon_short)),
        asa_s=_ratio(wait_of_answered, p_answered),
        mean_wait_s=_ratio(wait_of_answered + wait_of_abandoned, 1.0 - p_blocked),
        mean_wait_abandoned_s=_ratio(wait_of_abandoned, p_abandon),
        occupancy=_share(lam * p_answered * aht / n),
    )


def _beta_cdf(a: float, k: np.ndarray, x: float) -> np.ndarray:
    """Regularized incomplete beta ``I_x(a, k + 1)`` for a contiguous run of integers ``k``.

    ``I_x(a, k + 1)`` is the CDF at ``k`` of a negative binomial with ``a`` successes of
    probability ``x``, so over consecutive ``k`` it is a running sum of positive terms
    ``Gamma(a+b) / (Gamma(a) b!) * x**a * (1-x)**b``: stable, and some 50 times faster than
    calling ``scipy.special.betainc`` per state. The sum starts from ``betainc`` at the window's
    first state, or from its closed form ``I_x(a, 1) = x**a`` when that is ``k = 0``, as it is
    unless the queue is long: then ``scipy.special``, a large share of a short run's start-up
    when imported, is not needed (it is imported here and in the other rare branches only).
    """
    if k.size == 0 or x >= 1.0:
        return np.ones_like(k)
    if x <= 0.0:
        return np.zeros_like(k)
    log_x, log_1mx = math.log(x), math.log1p(-x)
    # log of the term for b = k[0] + 1, then each next term by its ratio (a+b-1)(1-x)/b: summing
    # logs of ratios keeps full precision where differences of gammaln(a + b) would not.
    if k[0] == 0:
        head = x**a
    else:
        from scipy.special import betainc

        head = betainc(a, k[0] + 1.0, x)
    if k.size == 1:
        return np.array([head])
    b0 = k[0] + 1.0
    first = _log_rising(a, b0) - math.lgamma(b0 + 1.0) + a * log_x + b0 * log_1mx
    b = k[1:-1] + 1.0
    log_terms = first + np.concatenate(([0.0], np.cumsum(np.log((a + b - 1.0) / b) + log_1mx)))
    return np.minimum(head + np.concatenate(([0.0], np.cumsum(np.exp(log_terms)))), 1.0)


def _log_rising(a: float, m: float) -> float:
    """log(a (a+1) ... (a+m-1)) = log Gamma(a+m) - log Gamma(a), exact for small m.

    For huge ``a`` the gammaln difference loses about log10(a) digits, so short products are
    summed directly; long ones occur only deep in overload, where the states they weigh carry
    all the mass and the lost digits cancel in the normalisation.
    """
    if m <= 64:
        return math.fsum(math.log(a + i) for i in range(int(m)))
    from scipy.special import gammaln  # here: slow to import (see _beta_cdf)

    return float(gammaln(a + m) - gammaln(a))


def _share(value: float) -> float:
    """A share computed as a convex combination, with its last-digit rounding removed.

    Sums of normalised weights can land a few ulps outside [0, 1]. Anything more than 1e-12
    outside is a bug, not rounding, and raises instead of being clipped.
    """
    if math.isnan(value) or -1e-12 <= value <= 1.0 + 1e-12:
        return min(max(value, 0.0), 1.0)
    raise ArithmeticError(f"share out of [0, 1] beyond rounding: {value!r}")


def _ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, ``nan`` when the denominator is zero (no such calls)."""
    return numerator / denominator if denominator > 0.0 else math.nan
