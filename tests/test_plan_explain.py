"""plan.explain: the walk ends at the full scenario, a feature the center lacks contributes
exactly zero, the simulated Erlang A world agrees with exact Erlang A, and the clinic's walk-ins
cost service level (a significant step)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from plan.explain import FEATURES, MERGED_TYPE, explain, step_scenario
from plan.runs import estimate, run_figures
from scenarios.load import load_builtin
from scenarios.schema import AgentGroup, Simulation, Targets
from tests._sim_helpers import call_type, exp, scenario, within_3_se
from tests.exact_refs import erlang_a_figures


@pytest.mark.parametrize("name", ["clinic", "bank", "erlang_a"])
def test_all_features_on_is_the_scenario_itself(name):
    sc = load_builtin(name)
    assert step_scenario(sc, len(FEATURES)) == sc


def test_the_stripped_clinic_is_the_erlang_a_world():
    sc = load_builtin("clinic")
    base = step_scenario(sc, 0)
    assert base.lines is None and base.ivr.greeting.mean_s == 0 and base.ivr.patience is None
    assert [ct.name for ct in base.call_types] == [MERGED_TYPE]
    (ct,) = base.call_types
    assert ct.handle_time.kind == "exponential" and ct.patience.kind == "exponential"
    assert ct.wrap_up.mean_s == 0 and base.agent_groups[0].availability == 1.0
    # Capacity kept: work per call divided by availability (0.8); volume times the IVR pass rate.
    assert 175 / 0.8 * 0.95 < ct.handle_time.mean_s < 175 / 0.8 * 1.05
    assert base.arrival_scale == pytest.approx((1 - 0.02) * 0.8845, abs=0.01)


def stationary_center(reps=12):
    # M/M/n+M, the same all day, warm-up hour: the simulated baseline must be Erlang A.
    types = (call_type(calls=(120.0,) * 8, handle=exp(300.0), patience=exp(120.0)),)
    groups = (AgentGroup(name="g", skills=("a",), staffing=(10,) * 8),)
    return scenario(types=types, groups=groups, intervals=8, targets=Targets(awt_s=20.0),
                    simulation=Simulation(replications=reps, seed=3, warmup_s=3600.0))


def test_simulated_baseline_agrees_with_exact_erlang_a():
    sc = stationary_center()
    exact = erlang_a_figures(120 / 3600, 1 / 300, 1 / 120, 10, 20.0)
    figures = run_figures(step_scenario(sc, 0), 3, 12)
    for m in ("p_abandon", "service_level"):
        within_3_se([f.summary[m] for f in figures], exact[m])


def test_erlang_rows_and_absent_features_add_exactly_zero():
    sc = stationary_center()
    walk = explain(sc, entropy=3, replications=2)
    exact = erlang_a_figures(120 / 3600, 1 / 300, 1 / 120, 10, 20.0)
    erlang_a_row, baseline = walk.steps[1], walk.steps[2]
    figures = run_figures(step_scenario(sc, 0), 3, 2)
    for m in ("p_abandon", "service_level"):
        assert erlang_a_row.levels[m].mean == pytest.approx(exact[m], rel=1e-3)
        assert baseline.levels[m].mean == estimate([f.summary[m] for f in figures]).mean
    # This center has no IVR, lines, skills, other distributions, walk-ins or busyness.
    for step in walk.steps[3:]:
        for m, d in step.contributions.items():
            assert d.mean == 0 and d.ci95 == 0, (step.label, m)


def test_the_last_step_is_the_plain_simulation_and_walk_ins_cost_the_clinic():
    sc = load_builtin("clinic")
    walk = explain(sc, entropy=8, replications=10)
    figures = run_figures(sc, 8, 10)
    last = walk.steps[-1]
    assert last.levels["service_level"].mean == estimate(
        [f.summary["service_level"] for f in figures]).mean
    walk_ins = next(s for s in walk.steps if "walk-ins" in s.label)
    d = walk_ins.contributions["service_level"]
    assert d.significant and d.mean < 0
    # The calculator's Erlang C is far below the simulation: the walk explains the gap.
    assert walk.steps[0].levels["service_level"].mean < last.levels["service_level"].mean - 0.1


def test_a_new_feature_is_one_more_entry():
    from plan.explain import Feature

    calm = Feature("none", "a feature this center lacks", lambda sc: sc)
    sc = replace(stationary_center(reps=3))
    walk = explain(sc, entropy=1, replications=3, features=(*FEATURES, calm))
    assert walk.steps[-1].label == "+ a feature this center lacks"
    assert walk.steps[-1].contributions["p_abandon"].mean == 0
