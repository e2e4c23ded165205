"""Erlang A against a truncated CTMC solved independently, its limits and Little's law."""

import itertools
import math

import numpy as np
import pytest

from erlang.erlang_a import _beta_cdf, erlang_a
from erlang.erlang_b import erlang_b
from erlang.erlang_c import erlang_c
from erlang.errors import ErlangInputError
from tests.exact_refs import birth_death_law, tagged_outcomes

CASES = [  # (calls per hour, aht_s, agents, mean patience s, awt_s)
    (1000, 180, 55, 120, 20),
    (1000, 180, 45, 120, 20),  # overloaded: a = 50 > 45
    (120, 240, 6, 60, 30),
    (40, 300, 2, 600, 10),
    (600, 120, 25, 30, 15),
]


def _ctmc_reference(calls_per_hour, aht, n, patience, awt, short):
    lam, mu, theta = calls_per_hour / 3600, 1 / aht, 1 / patience
    size = n + 600
    pi = birth_death_law(lam, mu, theta, n, size)
    assert pi[-1] < 1e-15  # the truncation is far in the tail
    queue = pi[n:]
    k = np.arange(queue.size)
    k_max = int(np.flatnonzero(queue > 1e-17)[-1])
    outcomes = tagged_outcomes(k_max, n * mu, theta, awt)
    answered, answered_in_awt = outcomes[:, 0], outcomes[:, 1]
    head = queue[: k_max + 1]
    lq = float(k @ queue)
    return {
        "p_wait": queue.sum(),
        "p_abandon": theta * lq / lam,  # flow balance: abandonments = theta * E[queue]
        "service_level": pi[:n].sum() + float(head @ answered_in_awt),
        "mean_wait_s": lq / lam,  # Little's law on the queue
        "occupancy": float(np.minimum(np.arange(size), n) @ pi) / n,
        "p_answered": pi[:n].sum() + float(head @ answered),
    }


@pytest.mark.parametrize("case", CASES)
def test_matches_independent_ctmc(case):
    ref = _ctmc_reference(*case, short=5)
    calls, aht, n, patience, awt = case
    m = erlang_a(arrival_rate_per_s=calls / 3600, aht_s=aht, agents=n, mean_patience_s=patience,
                 awt_s=awt)
    for key in ("p_wait", "p_abandon", "service_level", "mean_wait_s", "occupancy"):
        assert getattr(m, key) == pytest.approx(ref[key], rel=1e-7, abs=1e-12), key
    assert 1 - m.p_abandon == pytest.approx(ref["p_answered"], rel=1e-9)


@pytest.mark.parametrize("case", CASES)
def test_internal_identities(case):
    calls, aht, n, patience, awt = case
    lam = calls / 3600
    m = erlang_a(arrival_rate_per_s=lam, aht_s=aht, agents=n, mean_patience_s=patience,
                 awt_s=awt, short_abandon_s=5)
    # Abandoners' time in queue and answered callers' waits make up the mean wait of all.
    p_answered = 1 - m.p_abandon
    assert m.mean_wait_s == pytest.approx(
        p_answered * m.asa_s + m.p_abandon * m.mean_wait_abandoned_s, rel=1e-9)
    # Flow balance: the abandonment rate equals theta times the mean queue (Little).
    assert m.p_abandon == pytest.approx(m.mean_wait_s / patience, rel=1e-9)
    assert m.service_level == pytest.approx(m.service_level_answered * p_answered, rel=1e-12)
    assert m.service_level <= m.service_level_excl_short <= 1.0
    assert 0 < m.p_abandon_short < m.p_abandon


def test_abandon_before_t_matches_tagged_chain():
    lam, aht, n, patience, t = 1000 / 3600, 180, 50, 120, 30.0
    mu, theta = 1 / aht, 1 / patience
    queue = birth_death_law(lam, mu, theta, n, n + 400)[n:]
    k_max = int(np.flatnonzero(queue > 1e-17)[-1])
    abandoned_by_t = tagged_outcomes(k_max, n * mu, theta, t)[:, 2]
    m = erlang_a(arrival_rate_per_s=lam, aht_s=aht, agents=n, mean_patience_s=patience,
                 short_abandon_s=t)
    assert m.p_abandon_short == pytest.approx(float(queue[: k_max + 1] @ abandoned_by_t), rel=1e-7)


@pytest.mark.parametrize("n", [51, 55, 70])
def test_tends_to_erlang_c_as_patience_grows(n):
    c = erlang_c(arrival_rate_per_s=50 / 180, aht_s=180, agents=n, awt_s=20)
    gaps = []
    for patience in (1e4, 1e6, 1e8, 1e10):
        a = erlang_a(arrival_rate_per_s=50 / 180, aht_s=180, agents=n, mean_patience_s=patience)
        gaps.append(abs(a.service_level - c.service_level) + abs(a.p_wait - c.p_wait))
        assert a.p_abandon < 1.0 / (patience / 180)
    # The gap closes like 1/patience (even at n = 51, where the Erlang C queue is long).
    assert gaps[0] > gaps[1] > gaps[2] > gaps[3] and gaps[3] < 1e-6
    assert gaps[2] / gaps[1] < 0.02
    a = erlang_a(arrival_rate_per_s=50 / 180, aht_s=180, agents=n, mean_patience_s=1e10)
    assert a.asa_s == pytest.approx(c.asa_s, rel=1e-5)


@pytest.mark.parametrize("n", [3, 20, 48, 60])
def test_abandonment_tends_to_erlang_b_as_patience_shrinks(n):
    b = erlang_b(50.0, n)
    a = erlang_a(arrival_rate_per_s=50 / 180, aht_s=180, agents=n, mean_patience_s=1e-6)
    assert a.p_abandon == pytest.approx(b, rel=1e-6, abs=1e-12)
    assert a.p_wait == pytest.approx(b, rel=1e-6, abs=1e-12)


def test_monotone_in_agents_and_patience():
    rows = [erlang_a(arrival_rate_per_s=1000 / 3600, aht_s=180, agents=n, mean_patience_s=120)
            for n in range(30, 70)]
    for lo, hi in itertools.pairwise(rows):
        assert hi.p_abandon < lo.p_abandon
        assert hi.service_level > lo.service_level
        assert hi.asa_s < lo.asa_s
    by_patience = [erlang_a(arrival_rate_per_s=1000 / 3600, aht_s=180, agents=50,
                            mean_patience_s=p) for p in (10, 30, 60, 120, 600, 3600)]
    for lo, hi in itertools.pairwise(by_patience):
        assert hi.p_abandon < lo.p_abandon and hi.asa_s > lo.asa_s


@pytest.mark.parametrize("load, n", [(19000.0, 20000), (19000.0, 15000), (19500.0, 19400),
                                     (5.0, 20000)])
def test_sound_at_twenty_thousand_agents(load, n):
    m = erlang_a(arrival_rate_per_s=load / 180, aht_s=180, agents=n, mean_patience_s=120)
    for value in (m.p_wait, m.p_abandon, m.service_level, m.occupancy):
        assert 0.0 <= value <= 1.0
    assert math.isfinite(m.asa_s) and m.asa_s >= 0
    if n < 0.9 * load:  # deep overload: the efficiency-driven limit P(abandon) ~ 1 - n / a
        assert m.p_abandon == pytest.approx(1 - n / load, rel=1e-3)
        assert m.occupancy == pytest.approx(1.0, abs=1e-9)


def test_beta_running_sum_matches_scipy():
    from scipy.special import betainc
    k = np.arange(4.0, 3000.0)
    for a in (0.7, 12.0, 3334.0):
        for x in (0.05, 0.6, 0.97):
            np.testing.assert_allclose(_beta_cdf(a, k, x), betainc(a, k + 1, x), atol=1e-10)


def test_patience_required_and_positive():
    with pytest.raises(ErlangInputError, match="mean_patience_s must be > 0"):
        erlang_a(arrival_rate_per_s=1.0, aht_s=1.0, agents=2, mean_patience_s=0.0)
    with pytest.raises(ErlangInputError, match="mean_patience_s must be a finite number"):
        erlang_a(arrival_rate_per_s=1.0, aht_s=1.0, agents=2, mean_patience_s=math.inf)


@pytest.mark.parametrize("a", [0.3, 3.3, 65.0, 1e4])
@pytest.mark.parametrize("x", [1e-9, 0.2, 0.97])
def test_the_window_from_no_one_ahead_starts_from_the_closed_form(a, x):
    # I_x(a, 1) = x**a: the head without scipy, and the running sum after it, match betainc.
    from scipy.special import betainc

    k = np.arange(0.0, 40.0)
    assert _beta_cdf(a, k, x) == pytest.approx(betainc(a, k + 1.0, x), rel=1e-12, abs=1e-300)
