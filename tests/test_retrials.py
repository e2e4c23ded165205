"""Lines-and-redials model: reductions to Erlang A and B, the finite chain, the fixed point."""

import math

import numpy as np
import pytest

from erlang.erlang_a import erlang_a
from erlang.erlang_b import erlang_b
from erlang.errors import ConvergenceError, ErlangInputError
from erlang.retrials import erlang_x
from tests.exact_refs import birth_death_law


def test_infinite_lines_no_redials_is_erlang_a():
    x = erlang_x(arrival_rate_per_s=1000 / 3600, aht_s=180, agents=52, lines=None,
                 mean_patience_s=120).queue
    a = erlang_a(arrival_rate_per_s=1000 / 3600, aht_s=180, agents=52, mean_patience_s=120)
    for key in ("p_wait", "p_abandon", "service_level", "asa_s", "mean_wait_s", "occupancy"):
        assert getattr(x, key) == pytest.approx(getattr(a, key), rel=1e-12)
    assert x.p_blocked == 0.0


@pytest.mark.parametrize("patience", [math.inf, 60.0])
def test_no_queue_is_erlang_b(patience):
    x = erlang_x(arrival_rate_per_s=50 / 180, aht_s=180, agents=55, lines=55,
                 mean_patience_s=patience).queue
    assert x.p_blocked == pytest.approx(erlang_b(50.0, 55), rel=1e-12)
    assert x.p_abandon == 0.0 and x.p_wait == 0.0


@pytest.mark.parametrize("patience", [math.inf, 90.0])
def test_finite_lines_match_ctmc(patience):
    lam, aht, n, lines = 1000 / 3600, 180, 48, 58
    theta = 0.0 if math.isinf(patience) else 1 / patience
    pi = birth_death_law(lam, 1 / aht, theta, n, lines + 1)
    x = erlang_x(arrival_rate_per_s=lam, aht_s=aht, agents=n, lines=lines,
                 mean_patience_s=patience).queue
    assert x.p_blocked == pytest.approx(pi[-1], rel=1e-9)
    assert x.p_wait == pytest.approx(pi[n:-1].sum(), rel=1e-9)
    lq = float(np.arange(lines + 1 - n) @ pi[n:])
    assert x.p_abandon == pytest.approx(theta * lq / lam, rel=1e-9, abs=1e-15)
    assert x.mean_wait_s * lam * (1 - x.p_blocked) == pytest.approx(lq, rel=1e-9)


def test_redial_fixed_point_and_unique_losses():
    lam0 = 1000 / 3600
    r = erlang_x(arrival_rate_per_s=lam0, aht_s=180, agents=50, lines=60, mean_patience_s=120,
                 redial_blocked=0.8, redial_abandoned=0.5)
    q = r.queue
    lam = q.arrival_rate_per_s
    assert lam == pytest.approx(lam0 + lam * (0.8 * q.p_blocked + 0.5 * q.p_abandon), rel=1e-10)
    assert r.redials_per_s == pytest.approx(lam - lam0)
    # A caller is served on some attempt or lost: served + lost = 1 per first attempt.
    served = lam * (1 - q.p_blocked - q.p_abandon) / lam0
    assert served + r.unique_lost == pytest.approx(1.0, rel=1e-10)
    none = erlang_x(arrival_rate_per_s=lam0, aht_s=180, agents=50, lines=60, mean_patience_s=120)
    assert lam > lam0 and q.p_blocked > none.queue.p_blocked  # redials add load
    assert r.unique_lost < none.queue.p_blocked + none.queue.p_abandon  # and rescue callers


def test_divergence_is_reported():
    with pytest.raises(ConvergenceError, match="did not converge"):
        erlang_x(arrival_rate_per_s=10.0, aht_s=180, agents=5, lines=5, redial_blocked=1.0)


def test_bad_lines():
    with pytest.raises(ErlangInputError, match="lines must be a whole number >= 10"):
        erlang_x(arrival_rate_per_s=1.0, aht_s=10, agents=10, lines=8)
    with pytest.raises(ErlangInputError, match="lines must be given"):
        erlang_x(arrival_rate_per_s=1.0, aht_s=10, agents=10, lines=None)
