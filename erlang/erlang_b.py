"""Erlang B: blocking in the M/M/n/n loss system (and M/G/n/n, by insensitivity).

Model: Poisson arrivals with offered load ``a`` Erlangs, ``n`` lines (or agents) and no queue;
a call that finds every line busy is lost. The blocking probability is

    B(n, a) = (a**n / n!) / sum_{k=0..n} a**k / k!  =  P(Poisson(a) = n) / P(Poisson(a) <= n),

and depends on the holding-time distribution only through its mean.

Notes
-----
No factorial is ever formed. Up to :data:`RECURSION_MAX_LINES` lines the stable recursion
``1/B(k) = 1 + (k / a) / B(k - 1)`` runs from ``B(0) = 1`` (positive terms only: relative error
below ``n`` roundings); where ``P(Poisson(a) <= n)`` is representable (``n`` not far below
``a``) a larger ``n`` takes the ratio in log space with ``scipy.special.gammaincc``, which costs
O(1) at any size; otherwise the recursion again. All are exact up to rounding for
0 <= n <= 20,000 lines and loads up to 20,000 Erlangs. The small-``n`` recursion also keeps
``scipy.special`` (a large share of a short run's start-up) from being imported for the
centers most runs simulate.
"""

from __future__ import annotations

import math

from erlang.errors import InfeasibleTargetError, check_count, check_non_negative, check_probability

# Below this, P(Poisson(a) <= n) is too close to underflow for its logarithm to keep full
# relative precision, so the recursion takes over.
_SMALLEST_SAFE_CDF = 1e-250
#: Up to this many lines :func:`log_erlang_b` recurses (O(n), no scipy) unless ``1 / B``
#: overflows (a load far below the lines, where only the log of B is representable).
RECURSION_MAX_LINES = 64


def erlang_b(load_erl: float, lines: int) -> float:
    """Blocking probability of ``lines`` servers offered ``load_erl`` Erlangs.

    Parameters
    ----------
    load_erl : float
        Offered load in Erlangs (>= 0).
    lines : int
        Number of lines or servers (>= 0).

    Returns
    -------
    float
        B(n, a) in [0, 1]; 1 with no lines, 0 with no load.
    """
    a = check_non_negative("load_erl", load_erl)
    n = check_count("lines", lines)
    if a == 0.0:
        return 1.0 if n == 0 else 0.0
    return math.exp(log_erlang_b(a, n))


def log_erlang_b(a: float, n: int) -> float:
    """Natural log of B(n, a) for a > 0, n >= 0, without validation (for inner loops).

    The log stays finite where B itself underflows (``n`` far above ``a``), which the Erlang A
    chain needs to weigh its no-wait states against its queue states.
    """
    if n == 0:
        return 0.0
    if n <= RECURSION_MAX_LINES:
        inverse = _inverse_b(a, n)
        if inverse < math.inf:
            return -math.log(inverse)
    from scipy.special import gammaincc, gammaln  # here: slow to import (module docstring)

    cdf = float(gammaincc(n + 1, a))  # P(Poisson(a) <= n)
    if cdf > _SMALLEST_SAFE_CDF:
        log_pmf = n * math.log(a) - a - float(gammaln(n + 1))
        return min(0.0, log_pmf - math.log(cdf))
    # Only reached for n well below a, where B is close to 1 - n / a and cannot underflow.
    return math.log(_erlang_b_recursion(a, n))


def _erlang_b_recursion(a: float, n: int) -> float:
    """B(n, a) by the inverse recursion; every step adds positive terms, so it is stable."""
    inverse = _inverse_b(a, n)
    return 0.0 if inverse == math.inf else 1.0 / inverse


def _inverse_b(a: float, n: int) -> float:
    """1 / B(n, a) by the recursion ``1/B(k) = 1 + (k / a) / B(k - 1)`` (``inf`` on overflow)."""
    inverse = 1.0
    for k in range(1, n + 1):
        inverse = 1.0 + inverse * k / a
        if inverse == math.inf:
            break
    return inverse


def lines_for_blocking(load_erl: float, max_blocking: float, max_lines: int = 100_000) -> int:
    """Fewest lines whose Erlang B blocking is at most ``max_blocking``.

    Parameters
    ----------
    load_erl : float
        Offered load in Erlangs (>= 0).
    max_blocking : float
        Target blocking probability in [0, 1].
    max_lines : int
        Search bound.

    Returns
    -------
    int
        The minimal ``n`` with ``B(n, a) <= max_blocking``: ``B(n - 1, a)`` exceeds it.

    Raises
    ------
    InfeasibleTargetError
        If even ``max_lines`` lines block more (carries that blocking as ``best``).
    """
    a = check_non_negative("load_erl", load_erl)
    target = check_probability("max_blocking", max_blocking)
    # The recursion visits every n in turn, so a linear scan costs no more than one evaluation.
    inverse = 1.0
    if inverse * target >= 1.0 or a == 0.0:
        return 0
    for n in range(1, max_lines + 1):
        inverse = 1.0 + inverse * n / a
        if 1.0 / inverse <= target:
            return n
    best = 1.0 / inverse
    raise InfeasibleTargetError(
        f"no line count up to {max_lines} keeps blocking <= {target}; "
        f"{max_lines} lines block {best:.4g}",
        best=best,
    )
