"""A scenario's targets judged on simulated intervals (plan.targets) and shown in the run table."""

import math

import pytest

from plan.targets import judge_intervals, service_targets, simulated_figures
from report.tables import target_lines
from scenarios.load import load_builtin
from scenarios.schema import Targets
from sim.results import Estimate, SimResult


def _result(*intervals):
    """A SimResult whose intervals have the given means (CI 0)."""
    return SimResult(entropy=0, scenario_hash="", replications=2, summary={},
                     intervals=tuple({k: Estimate(v, 0.0) for k, v in i.items()}
                                     for i in intervals),
                     by_call_type={}, by_group={})


def _interval(sl, asa_s=10.0, p_abandon=0.02, occupancy=0.8):
    return {"service_level": sl, "asa_s": asa_s, "p_abandon": p_abandon, "occupancy": occupancy}


def test_the_schema_targets_map_field_by_field():
    t = Targets(awt_s=30, service_level=0.9, sl_definition="answered", short_abandon_s=3,
                max_abandon=0.04)
    st = service_targets(t)
    assert (st.service_level, st.awt_s, st.sl_definition, st.short_abandon_s, st.max_abandon,
            st.max_asa_s, st.max_occupancy) == (0.9, 30, "answered", 3, 0.04, None, None)


def test_asa_and_occupancy_targets_are_read_from_the_scenario():
    st = service_targets(Targets(max_asa_s=30.0, max_occupancy=0.85))
    assert st.max_asa_s == 30.0 and st.max_occupancy == 0.85


@pytest.mark.parametrize("definition", ["offered", "answered", "exclude_short_abandons"])
def test_the_simulated_service_level_is_judged_under_the_scenario_definition(definition):
    # The simulation computed `service_level` under the scenario's definition already: the
    # judge must read that figure whatever the definition is called.
    sc = load_builtin("erlang_a", [f"targets.sl_definition={definition}",
                                   "targets.service_level=0.8"])
    (at, missed) = judge_intervals(sc, _result(_interval(0.8), _interval(0.79)))
    assert at[0].value == 0.8 and at[0].met and not missed[0].met
    assert simulated_figures(_result(_interval(0.7)).intervals[0], definition) == {
        {"offered": "service_level", "answered": "service_level_answered",
         "exclude_short_abandons": "service_level_excl_short"}[definition]: 0.7,
        "asa_s": 10.0, "p_abandon": 0.02, "occupancy": 0.8}


def test_target_lines_skip_undefined_intervals_and_name_the_misses():
    sc = load_builtin("clinic", ["targets.service_level=0.8", "targets.max_abandon=0.05"])
    result = _result(_interval(math.nan, p_abandon=math.nan), _interval(0.9),
                     _interval(0.7, p_abandon=0.1))
    assert target_lines(sc, judge_intervals(sc, result)) == [
        f"Target service level >= 0.8 within {sc.targets.awt_s:g} s: met in 1 of 2 intervals; "
        "missed at 10:00",
        "Target abandonment <= 0.05: met in 1 of 2 intervals; missed at 10:00",
    ]


def test_asa_and_occupancy_lines_appear_only_when_set():
    sc = load_builtin("clinic")
    sc_more = load_builtin("clinic", ["targets.max_asa_s=12", "targets.max_occupancy=0.9"])
    result = _result(_interval(0.9, asa_s=12.0, occupancy=0.95))
    assert len(target_lines(sc, judge_intervals(sc, result))) == 1 + (
        sc.targets.max_abandon is not None)
    lines = target_lines(sc_more, judge_intervals(sc_more, result))
    assert "Target ASA <= 12 s: met in 1 of 1 interval" in lines
    assert "Target occupancy <= 0.9: met in 0 of 1 interval; missed at 08:00" in lines
