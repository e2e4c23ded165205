"""The Erlang view of a scenario, checked against hand computations."""

import pytest

from plan.erlang_view import erlang_view
from scenarios.load import load_builtin


def test_erlang_view_matches_a_hand_computation():
    sc = load_builtin("erlang_a")  # 1000 calls/h, AHT 180 s, patience 120 s, 55 agents, no IVR
    first = erlang_view(sc)[0]
    assert first.agents == 55 and first.aht_s == pytest.approx(180.0)
    assert first.erlang_c.p_wait == pytest.approx(0.3845, abs=1e-4)
    assert first.erlang_a.p_abandon == pytest.approx(0.02414, abs=1e-5)


def test_erlang_view_counts_walk_in_work_as_slower_handling():
    sc = load_builtin("erlang_a", ["agent_groups[0].availability=0.8"])
    first = erlang_view(sc)[0]
    assert first.agents == 55 and first.aht_s == pytest.approx(180.0 / 0.8)
