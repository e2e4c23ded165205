"""Independent reference computations for the analytic tests.

Written from the textbook definitions, sharing no code with ``erlang/``: exact rational sums for
small Erlang B/C, and a truncated CTMC solved by linear algebra (stationary law) and matrix
exponentials (waiting-time distribution of a tagged caller) for Erlang A and the lines model.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from scipy.linalg import expm


def erlang_b_exact(a: Fraction, n: int) -> Fraction:
    """B(n, a) = (a^n / n!) / sum_k a^k / k!, in exact rational arithmetic."""
    terms = [a**k / math.factorial(k) for k in range(n + 1)]
    return terms[-1] / sum(terms)


def erlang_c_exact(a: Fraction, n: int) -> Fraction:
    """P(wait) of M/M/n from the stationary law: (a^n/n! * n/(n-a)) / (sum_{k<n} + that)."""
    tail = a**n / math.factorial(n) * n / (n - a)
    return tail / (sum(a**k / math.factorial(k) for k in range(n)) + tail)


def erlang_b_recursion(a: float, n: int) -> float:
    """B(n, a) by the forward recursion B(k) = a B(k-1) / (k + a B(k-1))."""
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def birth_death_law(lam: float, mu: float, theta: float, n: int, size: int) -> np.ndarray:
    """Stationary law of the M/M/n+M chain on states 0..size-1, by solving pi Q = 0.

    The last state reflects (arrivals are blocked there), which is the lines model with
    ``size - 1`` lines, or a truncation of Erlang A when ``size`` is far in the tail.
    """
    q = np.zeros((size, size))
    for j in range(size):
        if j + 1 < size:
            q[j, j + 1] = lam
        if j > 0:
            q[j, j - 1] = min(j, n) * mu + max(j - n, 0) * theta
        q[j, j] = -q[j].sum()
    a_mat = np.vstack([q.T, np.ones(size)])
    rhs = np.zeros(size + 1)
    rhs[-1] = 1.0
    pi, *_ = np.linalg.lstsq(a_mat, rhs, rcond=None)
    return pi


def tagged_outcomes(k_max: int, n_mu: float, theta: float, t: float) -> np.ndarray:
    """Rows k = 0..k_max: (P(answered), P(answered by t), P(abandoned by t)) of a caller who
    finds ``k`` callers ahead.

    Absorbing chain on "i callers ahead" (i = k_max..0) plus the states answered and abandoned:
    from i ahead, the queue ahead shrinks at rate n*mu + i*theta (an agent frees, or someone
    ahead hangs up; with none ahead an agent freeing answers our caller), and our caller hangs
    up at rate theta. The chain only moves down, so starting in state k gives the chain of a
    caller with k ahead: one matrix exponential serves every k.
    """
    size = k_max + 3
    answered_state, abandoned_state = k_max + 1, k_max + 2
    q = np.zeros((size, size))
    for i in range(k_max + 1):
        q[i, i - 1 if i > 0 else answered_state] = n_mu + i * theta
        q[i, abandoned_state] = theta
        q[i, i] = -(n_mu + (i + 1) * theta)
    at_t = expm(q * t)
    # P(answered) by first-step analysis: survive each stage's race against own patience.
    p_answer = np.cumprod([(n_mu + i * theta) / (n_mu + (i + 1) * theta) for i in range(k_max + 1)])
    return np.column_stack([p_answer, at_t[: k_max + 1, answered_state],
                            at_t[: k_max + 1, abandoned_state]])


def tagged_mean_wait_if_answered(k_max: int, n_mu: float, theta: float) -> np.ndarray:
    """Rows k = 0..k_max: mean wait of a caller who finds ``k`` callers ahead, given it is answered.

    In the chain of :func:`tagged_outcomes`, the time spent with ``i`` ahead is exponential of
    rate ``n_mu + (i + 1) * theta`` whichever transition ends it, so given the caller is answered
    (it moved down every time) its wait is the sum of those mean sojourns for i = k..0.
    """
    return np.cumsum([1.0 / (n_mu + (i + 1) * theta) for i in range(k_max + 1)])


def erlang_a_figures(lam: float, mu: float, theta: float, n: int, awt_s: float,
                     extra: int = 400) -> dict[str, float]:
    """P(wait), P(abandon), ASA and SL (answered within ``awt_s`` over offered) of M/M/n+M.

    From the truncated chain's stationary law (``extra`` states past ``n``; the truncated mass
    is negligible where the tests use it) and a tagged caller's chain (PASTA: an arrival sees
    the stationary law).
    """
    pi = birth_death_law(lam, mu, theta, n, n + extra + 1)
    waiting = pi[n:]  # the caller finds k = 0..extra callers ahead of it
    outcomes = tagged_outcomes(extra, n * mu, theta, awt_s)
    p_answered = outcomes[:, 0]
    answered = pi[:n].sum() + (waiting * p_answered).sum()
    asa_s = (waiting * p_answered * tagged_mean_wait_if_answered(extra, n * mu, theta)).sum()
    queue = np.maximum(np.arange(pi.size) - n, 0)
    return {
        "p_wait": float(waiting.sum()),
        "p_abandon": float(theta * (pi * queue).sum() / lam),
        "asa_s": float(asa_s / answered),
        "service_level": float(pi[:n].sum() + (waiting * outcomes[:, 1]).sum()),
        "queue_len": float((pi * queue).sum()),
    }


def gth_stationary(rates: np.ndarray) -> np.ndarray:
    """Stationary law of an irreducible CTMC from its off-diagonal rates (diagonal ignored).

    Grassmann-Taksar-Heyman elimination: states are censored out one at a time, last first, and
    the law is rebuilt by back substitution. It only adds, multiplies and divides positive
    numbers, so every probability, however small, comes out to relative accuracy (W. Grassmann,
    M. Taksar, D. Heyman, Oper. Res. 33(5), 1985).
    """
    p = np.array(rates, dtype=float)
    np.fill_diagonal(p, 0.0)
    size = p.shape[0]
    for k in range(size - 1, 0, -1):
        out = p[k, :k].sum()
        p[:k, k] /= out
        p[:k, :k] += np.outer(p[:k, k], p[k, :k])
        np.fill_diagonal(p[:k, :k], 0.0)
    x = np.zeros(size)
    x[0] = 1.0
    for k in range(1, size):
        x[k] = x[:k] @ p[:k, k]
    return x / x.sum()


def redial_figures(lam0: float, mu: float, theta: float, nu: float, n: int, lines: int,
                   r_b: float, r_a: float, orbit_cap: int, awt_s: float) -> dict[str, float]:
    """Per-attempt and per-caller figures of the lines-and-redials chain, by dense linear algebra.

    States ``(k, m)``: ``k`` calls on the lines, ``m`` callers waiting to redial (each at rate
    ``nu``), ``m <= orbit_cap`` (a caller who would join a full orbit is lost). The generator is
    written out transition by transition from the model's description, its stationary law found
    by the GTH elimination of :func:`gth_stationary`. Figures come from flows, not from a tagged
    caller: abandonments are ``theta E[(k - n)^+]``, answered calls ``mu E[min(k, n)]``, blocked
    attempts ``sum_m pi(L, m) (lam0 + m nu)``; only the service level and ASA use the tagged
    caller's chain of :func:`tagged_outcomes`, applied to what an attempt finds (attempts in
    state ``(k, m)`` come at rate ``lam0 + m nu``).
    """
    states = [(k, m) for m in range(orbit_cap + 1) for k in range(lines + 1)]
    where = {s: i for i, s in enumerate(states)}
    q = np.zeros((len(states), len(states)))

    def rate(src, dst, value):
        if value > 0 and src != dst:
            q[where[src], where[dst]] += value

    for k, m in states:
        joins = m < orbit_cap
        queue = max(k - n, 0)
        if k < lines:
            rate((k, m), (k + 1, m), lam0)
            if m > 0:
                rate((k, m), (k + 1, m - 1), m * nu)
        else:
            if joins:
                rate((k, m), (k, m + 1), lam0 * r_b)
            if m > 0:
                rate((k, m), (k, m - 1), m * nu * (1 - r_b))
        if k > 0:
            rate((k, m), (k - 1, m), min(k, n) * mu + queue * theta * (1 - r_a))
            if joins:
                rate((k, m), (k - 1, m + 1), queue * theta * r_a)
            else:
                rate((k, m), (k - 1, m), queue * theta * r_a)
    pi = gth_stationary(q)
    k_of = np.array([s[0] for s in states])
    m_of = np.array([s[1] for s in states])
    attempts = pi * (lam0 + m_of * nu)
    lam = attempts.sum()
    blocked = attempts[k_of == lines].sum()
    abandons = theta * (pi * np.maximum(k_of - n, 0)).sum()
    answered = mu * (pi * np.minimum(k_of, n)).sum()
    seen = np.array([attempts[k_of == k].sum() for k in range(lines + 1)]) / lam
    waiting = seen[n:lines]  # an attempt that queues behind j = 0..lines-n-1 callers
    if waiting.size:
        outcomes = tagged_outcomes(waiting.size - 1, n * mu, theta, awt_s)
        mean_wait = tagged_mean_wait_if_answered(waiting.size - 1, n * mu, theta)
        in_awt = seen[:n].sum() + (waiting * outcomes[:, 1]).sum()
        wait_answered = (waiting * outcomes[:, 0] * mean_wait).sum()
    else:
        in_awt, wait_answered = seen[:n].sum(), 0.0
    lost = blocked * (1 - r_b) + abandons * (1 - r_a)
    return {
        "attempts_per_s": float(lam),
        "p_blocked": float(blocked / lam),
        "p_abandon": float(abandons / lam),
        "occupancy": float(answered / (n * mu)),
        "service_level": float(in_awt),
        "asa_s": float(wait_answered * lam / answered),
        "mean_orbit": float(pi @ m_of),
        "unique_lost": float(lost / lam0),
        "served_per_caller": float(answered / lam0),
        "top_level_mass": float(pi[m_of == orbit_cap].sum()),
    }
