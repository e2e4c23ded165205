"""Erlang C against exact rational values and the waiting-time law summed state by state."""

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from scipy.special import gammaincc

from erlang.erlang_c import erlang_c
from erlang.errors import ErlangInputError
from tests.exact_refs import erlang_c_exact


def test_issue_example():
    m = erlang_c(arrival_rate_per_s=1000 / 3600, aht_s=180, agents=55, awt_s=20)
    assert m.p_wait == pytest.approx(0.385, abs=5e-4)
    assert m.service_level == pytest.approx(0.779, abs=5e-4)


@pytest.mark.parametrize("a, n", [(Fraction(1, 2), 1), (Fraction(9, 2), 6), (Fraction(50), 55),
                                  (Fraction(10), 14), (Fraction(199, 2), 100)])
def test_p_wait_matches_exact(a, n):
    m = erlang_c(arrival_rate_per_s=float(a) / 60, aht_s=60, agents=n)
    assert m.p_wait == pytest.approx(float(erlang_c_exact(a, n)), rel=1e-11)


@pytest.mark.parametrize("a, n, aht, awt", [(50.0, 55, 180.0, 20.0), (8.0, 10, 300.0, 30.0),
                                            (400.0, 415, 240.0, 15.0)])
def test_service_level_and_asa_from_the_state_law(a, n, aht, awt):
    """Sum over the queue seen on arrival: with k waiting, the wait is Erlang(k+1, n/aht)."""
    rho = a / n
    log_terms = [k * math.log(a) - math.lgamma(k + 1) for k in range(n)]
    log_queue0 = n * math.log(a) - math.lgamma(n + 1)
    k = np.arange(0, 20000)
    shift = max([*log_terms, log_queue0])
    idle = math.fsum(math.exp(t - shift) for t in log_terms)
    queue = np.exp(log_queue0 - shift + k * math.log(rho))
    total = idle + queue.sum()
    pi_queue = queue / total
    sl = 1.0 - float(pi_queue @ gammaincc(k + 1, n / aht * awt))
    asa = float(pi_queue @ ((k + 1) * aht / n))
    m = erlang_c(arrival_rate_per_s=a / aht, aht_s=aht, agents=n, awt_s=awt)
    assert m.p_wait == pytest.approx(pi_queue.sum(), rel=1e-9)
    assert m.service_level == pytest.approx(sl, rel=1e-9)
    assert m.asa_s == pytest.approx(asa, rel=1e-9)
    assert m.occupancy == pytest.approx(a / n)


@pytest.mark.parametrize("agents", [49, 50])
def test_overload_returns_true_limits(agents):
    m = erlang_c(arrival_rate_per_s=50 / 180, aht_s=180, agents=agents)
    assert (m.p_wait, m.service_level, m.asa_s, m.occupancy, m.stable) == (
        1.0, 0.0, math.inf, 1.0, False)


def test_more_agents_never_hurt():
    rows = [erlang_c(arrival_rate_per_s=1 / 6, aht_s=180, agents=n) for n in range(31, 60)]
    assert all(b.service_level >= a.service_level for a, b in itertools.pairwise(rows))
    assert all(b.asa_s <= a.asa_s for a, b in itertools.pairwise(rows))


def test_stable_at_twenty_thousand_agents():
    m = erlang_c(arrival_rate_per_s=19000 / 180, aht_s=180, agents=20000, awt_s=20)
    assert 0.0 <= m.p_wait < 1e-10 and m.service_level == pytest.approx(1.0)
    m = erlang_c(arrival_rate_per_s=19900 / 180, aht_s=180, agents=20000, awt_s=20)
    assert 0.0 < m.p_wait < 1.0 and math.isfinite(m.asa_s)


@pytest.mark.parametrize("kwargs, name", [
    (dict(arrival_rate_per_s=-1.0, aht_s=180, agents=5), "arrival_rate_per_s"),
    (dict(arrival_rate_per_s=1.0, aht_s=0.0, agents=5), "aht_s"),
    (dict(arrival_rate_per_s=1.0, aht_s=180, agents=0), "agents"),
    (dict(arrival_rate_per_s=1.0, aht_s=180, agents=5, awt_s=-3), "awt_s"),
])
def test_bad_input(kwargs, name):
    with pytest.raises(ErlangInputError, match=f"^{name} must be"):
        erlang_c(**kwargs)
