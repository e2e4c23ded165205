"""plan.crosstraining: cross-trained agents as a paired what-if under common random numbers."""

from __future__ import annotations

import numpy as np
import pytest

from plan.crosstraining import cross_trained, cross_training_value
from plan.errors import PlanError
from scenarios.calendar import scheduled_agents
from scenarios.schema import AgentGroup, Simulation, Targets
from tests._sim_helpers import call_type, exp, scenario


def two_groups():
    # Type "a" is overloaded on its 4 agents; type "b" has 6 agents and little work.
    types = (call_type("a", calls=(150.0, 150.0), handle=exp(180.0), patience=exp(120.0)),
             call_type("b", calls=(20.0, 20.0), handle=exp(180.0), patience=exp(120.0)))
    groups = (AgentGroup(name="A", skills=("a",), staffing=(4, 4)),
              AgentGroup(name="B", skills=("b",), staffing=(6, 6)))
    return scenario(types=types, groups=groups, intervals=2, interval_s=1800.0,
                    targets=Targets(service_level=0.8, awt_s=20.0),
                    simulation=Simulation(replications=10, seed=1))


def test_cross_trained_moves_agents_and_keeps_the_head_count():
    sc = cross_trained(two_groups(), "B", "a", 2)
    assert [g.name for g in sc.agent_groups] == ["A", "B", "B+a"]
    assert sc.agent_groups[2].skills == ("b", "a")
    assert np.array_equal(scheduled_agents(sc).sum(axis=0), [10, 10])
    assert sc.agent_groups[1].staffing == (4, 4) and sc.agent_groups[2].staffing == (2, 2)


def test_cross_training_helps_the_overloaded_skill_and_zero_changes_nothing():
    sc = two_groups()
    values = cross_training_value(sc, group="B", skill="a", counts=(0, 2), entropy=5,
                                  replications=10)
    zero, two = values
    # Zero cross-trained agents is the baseline itself: same callers, identical figures.
    assert zero.service_level.mean == 0.0 and zero.abandoned.mean == 0.0
    assert two.skill_service_level.mean - two.skill_service_level.ci95 > 0
    assert two.abandoned.mean + two.abandoned.ci95 < 0


@pytest.mark.parametrize("group, skill, message", [
    ("C", "a", "group must be one of A, B"), ("B", "z", "skill must be one of a, b"),
    ("A", "a", "already answers"),
])
def test_bad_cross_training_requests(group, skill, message):
    with pytest.raises(PlanError, match=message):
        cross_trained(two_groups(), group, skill, 1)
