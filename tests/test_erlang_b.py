"""Erlang B against exact rational arithmetic, the recursion, and its own limits."""

from fractions import Fraction

import pytest

from erlang.erlang_b import erlang_b, lines_for_blocking
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
