"""Lines and redials exactly: the Markov chain on (calls holding a line, callers set to redial).

Model: first attempts arrive as a Poisson stream of rate ``lambda_0``; ``n`` agents, ``L >= n``
trunk lines, FIFO queue on the ``L - n`` lines without an agent; exponential handle times (rate
``mu = 1 / AHT``) and exponential patience (rate ``theta``, 0 for callers who never hang up). A
caller whose attempt fails joins the *orbit* of callers who will redial: with probability
``r_b`` when the attempt found every line busy, ``r_a`` when it abandoned; otherwise they are
lost for good. Each caller in orbit redials after an exponential delay of mean ``1 / nu``
(``mean_redial_delay_s``), independently of the others, and a redial is an attempt like any
other (it can be blocked or abandon again, and redial again).

The state is ``(k, m)``: ``k = 0..L`` calls holding a line (in service or waiting), ``m >= 0``
callers in orbit. Transitions out of ``(k, m)``:

==========================  ===========================================================
``(k+1, m)``                ``lambda_0`` (a first attempt gets a line; ``k < L``)
``(k+1, m-1)``              ``m nu`` (a redial gets a line; ``k < L``)
``(L, m+1)``                ``lambda_0 r_b`` (a first attempt is blocked and will redial)
``(L, m-1)``                ``m nu (1 - r_b)`` (a redial is blocked and gives up)
``(k-1, m)``                ``min(k, n) mu + (k - n)^+ theta (1 - r_a)``
``(k-1, m+1)``              ``(k - n)^+ theta r_a`` (an abandoner will redial)
==========================  ===========================================================

A blocked redial that will redial again leaves the state unchanged (it goes back to orbit).

Per-attempt figures. First attempts see the stationary law ``pi`` (PASTA); redials do not, as
they come more often when the orbit is large, so an average attempt finds ``(k, m)`` with
probability proportional to ``pi(k, m) (lambda_0 + m nu)``. Summed over ``m`` this gives what an
attempt finds on the lines: blocked (``k = L``), a free agent (``k < n``), or ``k - n`` callers
ahead of it. Under FIFO a waiting caller's fate depends only on the callers ahead of it, so
P(answered), the service level within AWT, ASA, abandonment and the short abandons come from the
tagged-caller formulas of :mod:`erlang.erlang_a` (``metrics_from_arrival_law``) applied to that
law. The attempt rate is ``lambda_0 + nu E[m]``; ``unique_lost`` is the rate of attempts lost
for good, ``lambda (P_blocked (1 - r_b) + P_abandon (1 - r_a))``, over ``lambda_0``.

Truncation. The orbit is cut at ``M``: at ``m = M`` a caller who would join the orbit is lost
instead. ``M`` starts past the orbit the fixed point of :mod:`erlang.retrials` predicts (Little:
``redials_per_s / nu``; the start is 1.5 times that plus ten Poisson standard deviations plus 20)
and is grown by half until the stationary mass of the level ``m = M`` and the callers the cut
turns away per first attempt (``truncation_loss``: the leak the cut adds to ``unique_lost``) are
both below ``1e-12``, and the orbit's law falls at the cut. This is the usual criterion for
truncated retrial chains, not a proven bound on every figure; the tests check it against a chain
cut much further out and solved another way (agreement to 1e-8 or better).

Stability. With ``r_b < 1`` the orbit is always stable (with a large orbit, blocked redials give
up at a rate growing with it). With ``r_b = 1`` a large orbit keeps every line busy, lines free at
rate ``n mu + (L - n) theta`` and the orbit gains ``lambda_0 + (L - n) theta r_a``: it is stable
iff ``lambda_0 < n mu + (L - n) theta (1 - r_a)``. Outside that, or when the chain would need
more than ``max_states`` states, :class:`ConvergenceError` says so.

Solution. The generator is built sparse (states ordered ``m (L + 1) + k``, a band of width
``L + 1``) and ``pi Q = 0`` is solved by sparse LU (``scipy.sparse.linalg.spsolve``) with one
reference state's probability fixed to 1 and its equation dropped (which keeps the matrix
sparse, unlike a row of ones), then normalised. The reference is a state near the orbit's
predicted mean; if its probability comes out tiny against the largest, the solve is redone
from the largest.

References
----------
J. R. Artalejo and A. Gomez-Corral, *Retrial Queueing Systems* (2008), ch. 1-2 (orbit chains and
their truncation); G. Koole, *Call Center Optimization* (2013), ch. 5.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import MatrixRankWarning, spsolve

from erlang.erlang_a import chain_metrics, metrics_from_arrival_law
from erlang.errors import (
    ConvergenceError,
    ErlangInputError,
    check_count,
    check_non_negative,
    check_positive,
    check_probability,
)
from erlang.results import RedialMetrics

TRUNCATION_TOLERANCE = 1e-12
MAX_STATES = 200_000
# A reference state whose probability is below this share of the largest is re-chosen: fixing a
# tiny probability to 1 would scale the others towards overflow.
_REFERENCE_FLOOR = 1e-30


class ChainTooLargeError(ConvergenceError):
    """The exact chain would need more states than allowed (the orbit is too large to hold)."""


def erlang_x_exact(
    *,
    arrival_rate_per_s: float,
    aht_s: float,
    agents: int,
    lines: int,
    mean_patience_s: float = math.inf,
    redial_blocked: float = 0.0,
    redial_abandoned: float = 0.0,
    mean_redial_delay_s: float,
    awt_s: float = 20.0,
    short_abandon_s: float = 5.0,
    max_states: int = MAX_STATES,
    orbit_guess: float | None = None,
) -> RedialMetrics:
    """Solve the lines-and-redials chain exactly (up to a truncation below 1e-12).

    Parameters
    ----------
    arrival_rate_per_s : float
        First attempts per second (>= 0).
    aht_s : float
        Average handle time, seconds (> 0; exponential).
    agents : int
        Agents on duty (>= 1).
    lines : int
        Trunk lines (>= agents; finite: the chain needs a last state).
    mean_patience_s : float
        Mean exponential patience, seconds (> 0; ``inf`` for callers who never hang up).
    redial_blocked, redial_abandoned : float
        Probabilities in [0, 1] that a blocked / abandoning attempt is followed by a redial.
    mean_redial_delay_s : float
        Mean exponential time from a failed attempt to its redial, seconds (> 0, finite).
    awt_s, short_abandon_s : float
        As in :func:`erlang.erlang_a.erlang_a`.
    max_states : int
        Refuse (``ChainTooLargeError``) a chain needing more states than this.
    orbit_guess : float, optional
        Expected orbit size, to start the truncation near it (default: from the fixed point).
        Only saves solves; the answer does not depend on it.

    Returns
    -------
    RedialMetrics
        With ``method="exact"``; the ``queue`` figures are per attempt.

    Raises
    ------
    ConvergenceError
        The orbit grows without bound (every blocked caller redials and the lines cannot keep
        up), or, as ``ChainTooLargeError``, the chain needs more than ``max_states`` states.
    """
    lam0 = check_non_negative("arrival_rate_per_s", arrival_rate_per_s)
    aht = check_positive("aht_s", aht_s)
    n = check_count("agents", agents, minimum=1)
    if lines is None:
        raise ErlangInputError("lines must be given for the exact redial chain, got None")
    big_l = check_count("lines", lines, minimum=n)
    patience = math.inf if mean_patience_s == math.inf else check_positive(
        "mean_patience_s", mean_patience_s
    )
    r_b = check_probability("redial_blocked", redial_blocked)
    r_a = check_probability("redial_abandoned", redial_abandoned)
    delay = check_positive("mean_redial_delay_s", mean_redial_delay_s)
    awt = check_non_negative("awt_s", awt_s)
    short = check_non_negative("short_abandon_s", short_abandon_s)
    check_count("max_states", max_states, minimum=1)
    mu, nu = 1.0 / aht, 1.0 / delay
    theta = 0.0 if math.isinf(patience) else 1.0 / patience
    if theta == 0.0:
        r_a = 0.0  # nobody abandons, so nobody redials after abandoning (keeps the chain small)

    def result(queue, orbit, iterations, states, loss) -> RedialMetrics:
        lam = queue.arrival_rate_per_s
        lost = lam * (queue.p_blocked * (1 - r_b) + queue.p_abandon * (1 - r_a))
        return RedialMetrics(
            queue=queue, fresh_rate_per_s=lam0, redial_blocked=redial_blocked,
            redial_abandoned=redial_abandoned, redials_per_s=lam - lam0,
            unique_lost=lost / lam0 if lam0 > 0 else 0.0, method="exact",
            mean_redial_delay_s=delay, mean_orbit=orbit, iterations=iterations, states=states,
            truncation_loss=loss,
        )

    if lam0 == 0.0:
        queue = chain_metrics(model="erlang_x", arrival_rate_per_s=lam0, aht_s=aht, agents=n,
                              mean_patience_s=patience, lines=big_l, awt_s=awt,
                              short_abandon_s=short)
        return result(queue, 0.0, 0, 0, 0.0)

    capacity = n * mu + (big_l - n) * theta * (1.0 - r_a)
    if r_b == 1.0 and lam0 >= capacity:
        raise ConvergenceError(
            f"the redial orbit grows without bound: every blocked caller redials and "
            f"{lam0:.6g} first attempts/s reach or exceed the {capacity:.6g}/s the {n} agents "
            f"and {big_l} lines can finish for good; lower redial_blocked or add agents"
        )

    if orbit_guess is not None:
        orbit_guess = check_non_negative("orbit_guess", orbit_guess)
    else:
        orbit_guess = 0.0 if r_b == r_a == 0.0 else _orbit_from_fixed_point(
            lam0, aht, n, big_l, patience, r_b, r_a, delay
        )
    # The fixed point tends to underestimate the orbit (redials bunch up behind busy lines), so
    # the first cut leaves it room; one solve usually suffices.
    orbit_cap = math.ceil(1.5 * orbit_guess + 10.0 * math.sqrt(orbit_guess + 1.0) + 20.0)
    width = big_l + 1
    reference = (min(int(orbit_guess), orbit_cap), min(n, big_l))
    iterations = 0
    while True:
        states = width * (orbit_cap + 1)
        if states > max_states:
            raise ChainTooLargeError(
                f"the exact redial chain needs more than max_states={max_states} states "
                f"({width} line states times an orbit past {orbit_cap} callers; the fixed point "
                f"predicts a mean of {orbit_guess:.4g}); shorten mean_redial_delay_s or use "
                "the fixed point"
            )
        iterations += 1
        pi = _stationary(lam0, mu, theta, nu, n, big_l, orbit_cap, r_b, r_a, reference)
        orbit_law = pi.sum(axis=1)
        k = np.arange(width)
        queue_len = np.maximum(k - n, 0)
        refused = (pi[orbit_cap] @ (queue_len * theta * r_a) + pi[orbit_cap, big_l] * lam0 * r_b)
        loss = float(refused) / lam0
        top = float(orbit_law[-1])
        # The law must also fall at the cut (or be nil there: nobody redials), lest a tiny top
        # level hide a mode beyond it.
        falling = top <= orbit_law[-2] or top < TRUNCATION_TOLERANCE * 1e-6
        if top < TRUNCATION_TOLERANCE and loss < TRUNCATION_TOLERANCE and falling:
            break
        orbit_cap = math.ceil(orbit_cap * 1.5) + 10
        reference = (int(np.argmax(orbit_law)), reference[1])

    m = np.arange(orbit_cap + 1)
    attempts = pi * (lam0 + m * nu)[:, None]  # attempt rate by state
    lam = float(attempts.sum())
    seen = attempts.sum(axis=0) / lam  # what an average attempt finds on the lines
    common = dict(model="erlang_x", agents=n, lines=big_l, arrival_rate_per_s=lam, aht_s=aht,
                  mean_patience_s=patience, load_erl=lam * aht, awt_s=awt, short_abandon_s=short)
    queue = metrics_from_arrival_law(
        common=common, p_no_wait=float(seen[:n].sum()), p_blocked=float(seen[big_l]),
        ahead=np.arange(big_l - n), p_ahead=seen[n:big_l],
    )
    return result(queue, float(orbit_law @ m), iterations, states, loss)


def _orbit_from_fixed_point(lam0, aht, n, lines, patience, r_b, r_a, delay) -> float:
    """Mean orbit the Poisson-redial fixed point predicts (Little), to place the truncation."""
    from erlang.retrials import erlang_x  # the fixed point; imported here: it imports us

    try:
        fixed = erlang_x(arrival_rate_per_s=lam0, aht_s=aht, agents=n, lines=lines,
                         mean_patience_s=patience, redial_blocked=r_b, redial_abandoned=r_a)
    except ConvergenceError:
        return 10.0 * lines  # the fixed point diverges where the chain may not: start somewhere
    return fixed.redials_per_s * delay


def _generator(lam0, mu, theta, nu, n, lines, orbit_cap, r_b, r_a) -> sp.csr_matrix:
    """The truncated chain's generator, states ordered ``m (lines + 1) + k``."""
    width = lines + 1
    k = np.tile(np.arange(width), orbit_cap + 1)
    m = np.repeat(np.arange(orbit_cap + 1), width)
    index = np.arange(k.size)
    queue_len = np.maximum(k - n, 0)
    rows, cols, rates = [], [], []

    def add(mask, step, rate):
        rows.append(index[mask])
        cols.append(index[mask] + step)
        rates.append(np.broadcast_to(rate, k.shape)[mask])

    free, full = k < lines, k == lines
    add(free, 1, lam0)                                      # first attempt gets a line
    add(free & (m > 0), 1 - width, m * nu)                  # redial gets a line
    add(full & (m < orbit_cap), width, lam0 * r_b)          # first attempt blocked, will redial
    add(full & (m > 0), -width, m * nu * (1.0 - r_b))       # redial blocked, gives up
    leave = np.minimum(k, n) * mu + queue_len * theta * (1.0 - r_a)
    # At the cut an abandoner who would redial is lost instead (see truncation_loss).
    leave = leave + np.where(m == orbit_cap, queue_len * theta * r_a, 0.0)
    add(k > 0, -1, leave)                                   # service ends, or abandon for good
    add((queue_len > 0) & (m < orbit_cap), width - 1, queue_len * theta * r_a)  # abandon, redial
    rows_a, cols_a, rates_a = (np.concatenate(x) for x in (rows, cols, rates))
    keep = rates_a > 0.0
    q = sp.csr_matrix((rates_a[keep], (rows_a[keep], cols_a[keep])), shape=(k.size, k.size))
    return q - sp.diags(np.asarray(q.sum(axis=1)).ravel())


def _stationary(lam0, mu, theta, nu, n, lines, orbit_cap, r_b, r_a, reference) -> np.ndarray:
    """Stationary law as an array ``[m, k]``."""
    width = lines + 1
    q = _generator(lam0, mu, theta, nu, n, lines, orbit_cap, r_b, r_a)
    qt = q.T.tocsc()
    size = qt.shape[0]
    for _ in range(2):
        ref = reference[0] * width + reference[1]
        keep = np.delete(np.arange(size), ref)
        # pi_ref = 1; the other balance equations (columns of Q but ref's) fix the rest.
        a = qt[keep][:, keep].tocsc()
        b = -np.asarray(qt[keep][:, [ref]].todense()).ravel()
        with warnings.catch_warnings():  # a singular system gives nan, handled below
            warnings.simplefilter("ignore", MatrixRankWarning)
            x = np.insert(np.atleast_1d(spsolve(a, b)), ref, 1.0)
        if np.all(np.isfinite(x)) and x.max() * _REFERENCE_FLOOR < 1.0:
            break
        best = int(np.nanargmax(np.where(np.isfinite(x), x, np.inf)))
        reference = divmod(best, width)
    if not np.all(np.isfinite(x)):
        # Weights relative to one state overflow when the law spans hundreds of orders of
        # magnitude (a near-persistent orbit piles up at the cut): solve for the law itself
        # instead, one balance equation replaced by sum(pi) = 1, so no value can overflow.
        a = sp.vstack([qt[:-1], sp.csr_matrix(np.ones((1, size)))]).tocsc()
        x = np.atleast_1d(spsolve(a, np.r_[np.zeros(size - 1), 1.0]))
        if not np.all(np.isfinite(x)) or x.min() < -1e-9:
            raise ArithmeticError(f"redial chain solve gave no probability law on {size} states")
        x = np.maximum(x, 0.0)  # rounding below zero, at most 1e-9 (checked above)
    pi = x / x.sum()
    return pi.reshape(orbit_cap + 1, width)
