"""The one judge of targets (erlang.targets): boundaries, nan, service-level definitions."""

import math

import pytest

from erlang.erlang_a import erlang_a
from erlang.errors import ErlangInputError
from erlang.staffing import StaffingTargets
from erlang.targets import SL_DEFINITIONS, ServiceTargets

FIGURES = {"service_level": 0.8, "service_level_answered": 0.9, "service_level_excl_short": 0.85,
           "asa_s": 15.0, "p_abandon": 0.05, "occupancy": 0.85}
#: target -> (figure it reads, True when it is a floor)
TARGETS = {"service_level": ("service_level", True), "max_asa_s": ("asa_s", False),
           "max_abandon": ("p_abandon", False), "max_occupancy": ("occupancy", False)}


@pytest.mark.parametrize("target", TARGETS)
def test_each_target_is_met_at_its_limit_and_missed_just_past_it(target):
    figure, floor = TARGETS[target]
    limit = FIGURES[figure]
    (at,) = ServiceTargets(**{target: limit}).judge(FIGURES)
    assert at.met and at.target == target and at.limit == limit and at.value == limit
    past = {**FIGURES, figure: math.nextafter(limit, -math.inf if floor else math.inf)}
    (beyond,) = ServiceTargets(**{target: limit}).judge(past)
    assert not beyond.met and beyond.value == past[figure]


@pytest.mark.parametrize("target", TARGETS)
def test_nan_meets_nothing(target):
    figure, _ = TARGETS[target]
    (verdict,) = ServiceTargets(**{target: 0.5}).judge({**FIGURES, figure: math.nan})
    assert not verdict.met and math.isnan(verdict.value)


@pytest.mark.parametrize("definition", SL_DEFINITIONS)
def test_service_level_is_read_under_its_definition(definition):
    (verdict,) = ServiceTargets(service_level=0.5, sl_definition=definition).judge(FIGURES)
    assert verdict.value == FIGURES[SL_DEFINITIONS[definition]]


def test_judges_an_object_and_names_every_target_in_a_fixed_order():
    m = erlang_a(arrival_rate_per_s=1000 / 3600, aht_s=180, agents=55, mean_patience_s=120,
                 awt_s=20)
    targets = ServiceTargets(max_occupancy=0.9, max_abandon=0.01, max_asa_s=60,
                             service_level=0.8, sl_definition="answered")
    verdicts = targets.judge(m)
    assert [v.target for v in verdicts] == ["service_level", "max_asa_s", "max_abandon",
                                            "max_occupancy"]
    assert [v.value for v in verdicts] == [m.service_level_answered, m.asa_s, m.p_abandon,
                                           m.occupancy]
    assert [v.met for v in verdicts] == [m.service_level_answered >= 0.8, m.asa_s <= 60,
                                         m.p_abandon <= 0.01, m.occupancy <= 0.9]
    assert ServiceTargets().judge(m) == ()


def test_verdict_text_reads_as_the_comparison():
    texts = [v.text for v in ServiceTargets(service_level=0.81, max_asa_s=20, max_abandon=0.01,
                                            max_occupancy=0.9).judge(FIGURES)]
    assert texts == ["service level 0.8000 < 0.81", "ASA 15 s <= 20 s",
                     "abandonment 0.0500 > 0.01", "occupancy 0.8500 <= 0.9"]


def test_limits_any_figure_can_meet_are_accepted_for_judging_but_not_for_staffing():
    # Judging a simulated interval against "every call answered at once" is fair; searching
    # for the agents that guarantee it is not.
    for kwargs in ({"service_level": 1.0}, {"max_abandon": 0.0}, {"max_asa_s": 0.0}):
        ServiceTargets(**kwargs)
        with pytest.raises(ErlangInputError):
            StaffingTargets(**kwargs)


@pytest.mark.parametrize("kwargs, message", [
    ({"service_level": 1.2}, "service_level must be in [0, 1], got 1.2"),
    ({"sl_definition": "queued"}, "sl_definition must be one of"),
    ({"max_asa_s": -1}, "max_asa_s must be >= 0, got -1"),
    ({"max_occupancy": math.nan}, "max_occupancy must be a finite number"),
    ({"awt_s": -5}, "awt_s must be >= 0"),
])
def test_bad_targets_are_refused_by_name(kwargs, message):
    with pytest.raises(ErlangInputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        ServiceTargets(**kwargs)
