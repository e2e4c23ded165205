"""Erlang B against exact rational arithmetic, the recursion, and its own limits."""

import math
from fractions import Fraction

import pytest

from erlang.erlang_b import RECURSION_MAX_LINES, erlang_b, lines_for_blocking, log_erlang_b
from erlang.errors import ErlangInputError, InfeasibleTargetError
from tests.exact_refs import erlang_b_exact, erlang_b_recursion


@pytest.mark.parametrize("a, n", [(1, 1), (2, 3), (10, 10), (7.5, 12), (30, 25), (0.1, 4)])
def test_matches_exact_rational_value(a, n):
    exact = erlang_b_exact(Fraction(a), n)
    assert erlang_b(a, n) == pytest.approx(float(exact), rel=1e-12)


def test_small_cases_by_hand():
    # B(1, a) = a / (1 + a); B(2, 1) = (1/2) / (1 + 1 + 1/2) = 1/5.
    assert erlang_b(3.0, 1) == pytest.approx(0.75, rel=1e-14)
    assert erlang_b(1.0, 2) == pytest.approx(0.2, rel=1e-14)
    assert erlang_b(0.0, 5) == 0.0
    assert erlang_b(4.0, 0) == 1.0


@pytest.mark.parametrize(
    "a, n", [(19000.0, 20000), (19000.0, 18000), (5000.0, 5100), (9.0, 20000), (20000.0, 150)]
)
def test_large_systems_match_recursion(a, n):
    ref = erlang_b_recursion(a, n)
    assert erlang_b(a, n) == pytest.approx(ref, rel=1e-9, abs=1e-300)


def test_lines_for_blocking_is_minimal():
    for a in (0.5, 4.461, 12.0, 37.9, 250.0):
        n = lines_for_blocking(a, 0.01)
        assert erlang_b(a, n) <= 0.01 < erlang_b(a, n - 1)


def test_lines_for_blocking_infeasible_carries_best():
    with pytest.raises(InfeasibleTargetError) as info:
        lines_for_blocking(100.0, 0.001, max_lines=50)
    assert info.value.best == pytest.approx(erlang_b(100.0, 50))


@pytest.mark.parametrize("a, n", [(-1.0, 3), (float("nan"), 3), (1.0, -1), (1.0, 2.5), (True, 3)])
def test_bad_input_names_the_argument(a, n):
    with pytest.raises(ErlangInputError, match=r"(load_erl|lines) must be"):
        erlang_b(a, n)


@pytest.mark.parametrize("a, n", [(0.05, 1), (3.3, 8), (26.0, 30), (60.0, 64), (0.9, 64),
                                  (63.0, 65), (120.0, 100), (0.5, 200)])
def test_both_paths_match_the_exact_log(a, n):
    # Up to RECURSION_MAX_LINES the recursion (no scipy), above it scipy's gammaincc: both
    # agree with exact rational arithmetic, in log space as the Erlang A chain uses them.
    assert RECURSION_MAX_LINES == 64
    exact = erlang_b_exact(Fraction(a), n)
    log_exact = math.log(exact.numerator) - math.log(exact.denominator)
    assert log_erlang_b(a, n) == pytest.approx(log_exact, rel=1e-13, abs=1e-13)


def test_a_load_too_small_for_the_recursion_falls_back_to_logs():
    # 1 / B(64, 1e-6) ~ 64! / 1e-384 overflows a float: the log comes from scipy's path,
    # finite where B itself underflows.
    exact = erlang_b_exact(Fraction(1, 10**6), 64)
    log_exact = math.log(exact.numerator) - math.log(exact.denominator)
    assert log_exact < -700
    assert log_erlang_b(1e-6, 64) == pytest.approx(log_exact, rel=1e-12)
