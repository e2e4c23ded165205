"""Staffing answers are minimal, respect every target, and fail loudly when infeasible."""

import numpy as np
import pytest

from erlang.erlang_a import erlang_a
from erlang.erlang_c import erlang_c
from erlang.errors import ErlangInputError, InfeasibleTargetError
from erlang.staffing import StaffingTargets, staff, staff_intervals


def _meets(m, t: StaffingTargets) -> bool:
    """Target check written out again, independently of the judge in erlang.targets."""
    sl = {"offered": m.service_level, "answered": m.service_level_answered,
          "exclude_short_abandons": m.service_level_excl_short}[t.sl_definition]
    return ((t.service_level is None or sl >= t.service_level)
            and (t.max_asa_s is None or m.asa_s <= t.max_asa_s)
            and (t.max_abandon is None or m.p_abandon <= t.max_abandon)
            and (t.max_occupancy is None or m.occupancy <= t.max_occupancy))


def test_issue_example_needs_56_agents_for_80_20():
    res = staff(arrival_rate_per_s=1000 / 3600, aht_s=180,
                targets=StaffingTargets(service_level=0.8, awt_s=20))
    assert res.agents == 56  # 55 agents give SL 0.779 (the issue's example), 56 give 0.841


@pytest.mark.parametrize("targets", [
    StaffingTargets(service_level=0.8, awt_s=20),
    StaffingTargets(max_asa_s=15),
    StaffingTargets(max_occupancy=0.85),
    StaffingTargets(service_level=0.9, awt_s=10, max_occupancy=0.9, max_asa_s=5),
])
def test_erlang_c_answers_are_minimal(targets):
    for calls_per_hour in (3, 40, 350, 1000, 12_000):
        lam = calls_per_hour / 3600
        n = staff(arrival_rate_per_s=lam, aht_s=180, targets=targets).agents
        assert _meets(erlang_c(arrival_rate_per_s=lam, aht_s=180, agents=n,
                               awt_s=targets.awt_s), targets)
        if n > 1:
            assert not _meets(erlang_c(arrival_rate_per_s=lam, aht_s=180, agents=n - 1,
                                       awt_s=targets.awt_s), targets)


@pytest.mark.parametrize("targets", [
    StaffingTargets(service_level=0.8, awt_s=20),
    StaffingTargets(max_abandon=0.02),
    StaffingTargets(service_level=0.8, awt_s=20, sl_definition="answered", max_abandon=0.05),
    StaffingTargets(service_level=0.85, awt_s=30, sl_definition="exclude_short_abandons"),
])
def test_erlang_a_answers_are_minimal(targets):
    for calls_per_hour in (10, 300, 1000, 9000):
        lam = calls_per_hour / 3600

        def metrics(n, lam=lam):
            return erlang_a(arrival_rate_per_s=lam, aht_s=180, agents=n, mean_patience_s=120,
                            awt_s=targets.awt_s, short_abandon_s=targets.short_abandon_s)

        n = staff(arrival_rate_per_s=lam, aht_s=180, targets=targets, model="a",
                  mean_patience_s=120).agents
        assert _meets(metrics(n), targets)
        assert n == 1 or not _meets(metrics(n - 1), targets)


def test_abandonment_makes_fewer_agents_enough():
    t = StaffingTargets(service_level=0.8, awt_s=20)
    c = staff(arrival_rate_per_s=1000 / 3600, aht_s=180, targets=t).agents
    a = staff(arrival_rate_per_s=1000 / 3600, aht_s=180, targets=t, model="a",
              mean_patience_s=120).agents
    assert a < c


def test_lines_model_respects_lines_and_reports_best_when_infeasible():
    t = StaffingTargets(service_level=0.8, awt_s=20)
    res = staff(arrival_rate_per_s=1000 / 3600, aht_s=180, targets=t, model="x", lines=70,
                mean_patience_s=120)
    assert res.agents <= 70 and res.metrics.service_level >= 0.8
    with pytest.raises(InfeasibleTargetError, match="up to 52") as info:
        staff(arrival_rate_per_s=1000 / 3600, aht_s=180, model="x", lines=52,
              targets=StaffingTargets(service_level=0.99, awt_s=1))
    assert info.value.best.agents == 52 and info.value.best.service_level < 0.99


def test_infeasible_bound_carries_best_value():
    with pytest.raises(InfeasibleTargetError) as info:
        staff(arrival_rate_per_s=1.0, aht_s=180, targets=StaffingTargets(service_level=0.8),
              max_agents=150)
    assert info.value.best.agents == 150 and info.value.best.service_level == 0.0


def test_a_day_of_96_quarter_hours_in_one_call():
    calls = np.concatenate([np.zeros(28), np.linspace(5, 400, 20), np.full(28, 400),
                            np.linspace(400, 5, 20)])
    t = StaffingTargets(service_level=0.8, awt_s=20, max_abandon=0.05)
    day = staff_intervals(arrival_rates_per_s=calls / 900, aht_s=180, targets=t, model="a",
                          mean_patience_s=120)
    assert len(day) == 96
    assert [r.agents for r in day[:28]] == [0] * 28 and all(r.metrics is None for r in day[:28])
    one = staff(arrival_rate_per_s=400 / 900, aht_s=180, targets=t, model="a",
                mean_patience_s=120)
    assert day[50].agents == one.agents


def test_interval_index_in_errors():
    with pytest.raises(InfeasibleTargetError, match=r"^interval 2: ") as info:
        staff_intervals(arrival_rates_per_s=[0.1, 0.1, 5.0], aht_s=180,
                        targets=StaffingTargets(service_level=0.8), max_agents=100)
    assert info.value.best.agents == 100


@pytest.mark.parametrize("kwargs, message", [
    (dict(), "targets must name at least one"),
    (dict(service_level=1.0), "service_level must be < 1"),
    (dict(max_abandon=0.0), "max_abandon must be > 0"),
    (dict(max_asa_s=0.0), "max_asa_s must be > 0"),
    (dict(service_level=1.5), "service_level must be in"),
    (dict(service_level=0.8, sl_definition="nope"), "sl_definition must be one of"),
    (dict(max_occupancy=0.0), "max_occupancy must be > 0"),
])
def test_bad_targets(kwargs, message):
    with pytest.raises(ErlangInputError, match=message):
        StaffingTargets(**kwargs)


def test_model_a_needs_patience():
    with pytest.raises(ErlangInputError, match="mean_patience_s must be given"):
        staff(arrival_rate_per_s=1.0, aht_s=10, targets=StaffingTargets(max_asa_s=10), model="a")


@pytest.mark.parametrize("kwargs, message", [
    (dict(targets=StaffingTargets(max_abandon=0.05)), "max_abandon needs callers who abandon"),
    (dict(model="x", lines=60, targets=StaffingTargets(max_abandon=0.05)),
     "max_abandon needs callers who abandon"),
    (dict(lines=40), "lines must not be given for model 'c'"),
    (dict(mean_patience_s=30.0), "mean_patience_s must not be given for model 'c'"),
    (dict(model="a", mean_patience_s=30.0, lines=60), "lines must not be given for model 'a'"),
    (dict(model="a", mean_patience_s=30.0, redial_blocked=0.5),
     "redial_blocked must not be given"),
])
def test_inputs_the_model_cannot_use_are_refused(kwargs, message):
    kwargs.setdefault("targets", StaffingTargets(service_level=0.8))
    with pytest.raises(ErlangInputError, match=message):
        staff(arrival_rate_per_s=1000 / 3600, aht_s=180, **kwargs)


def test_counts_whose_redials_diverge_miss_the_targets():
    # Every blocked caller redials: below about 50 agents the attempt rate has no finite value;
    # the search must step over those counts, not stop there.
    from erlang.errors import ConvergenceError
    from erlang.retrials import erlang_x

    t = StaffingTargets(service_level=0.05, awt_s=20)
    res = staff(arrival_rate_per_s=1000 / 3600, aht_s=180, targets=t, model="x", lines=60,
                redial_blocked=1.0)
    assert res.metrics.service_level >= 0.05
    with pytest.raises(ConvergenceError):
        erlang_x(arrival_rate_per_s=1000 / 3600, aht_s=180, agents=res.agents - 1, lines=60,
                 redial_blocked=1.0)
