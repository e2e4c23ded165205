"""Hypothesis: random valid scenario files load, keep their totals, and hash reproducibly."""

from __future__ import annotations

import copy
import dataclasses
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios.dump import scenario_hash, scenario_to_dict
from scenarios.load import scenario_from_dict
from scenarios.whatif import apply_overrides

PROFILES = ("weekday", "weekend", "holiday")
rates = st.integers(0, 300) | st.floats(0, 300, allow_nan=False, allow_infinity=False)
distributions = st.sampled_from(
    [
        {"kind": "exponential", "mean_s": 90},
        {"kind": "lognormal", "mean_s": 150, "cv": 0.6},
        {"kind": "erlang", "mean_s": 100, "phases": 2},
        {"kind": "deterministic", "mean_s": 20},
        {"kind": "empirical", "samples_s": [30, 60, 120]},
    ]
)


@st.composite
def arrivals(draw, per_day: int, profiles: list[str]) -> tuple[dict, dict[str, float]]:
    """The arrival keys of one call type in a random form, and the expected calls per profile."""
    form = draw(st.sampled_from(["vector", "number", "per_profile", "volume_shape"]))
    if form == "number":
        rate = draw(rates)
        return {"calls_per_interval": rate}, dict.fromkeys(profiles, rate * per_day)
    if form == "volume_shape":
        volume = draw(rates)
        shape = draw(st.lists(st.integers(0, 9), min_size=per_day, max_size=per_day))
        shape[draw(st.integers(0, per_day - 1))] += 1  # a shape needs a positive sum
        return {"daily_volume": volume, "shape": shape}, dict.fromkeys(profiles, volume)
    vector = st.lists(rates, min_size=per_day, max_size=per_day)
    if form == "vector":
        calls = draw(vector)
        return {"calls_per_interval": calls}, dict.fromkeys(profiles, math.fsum(calls))
    table = {profile: draw(vector) for profile in profiles}
    return {"calls_per_interval": table}, {p: math.fsum(v) for p, v in table.items()}


@st.composite
def scenario_dicts(draw) -> tuple[dict, float]:
    """A valid scenario dict as TOML would give it, and its expected calls over all days."""
    per_day = draw(st.integers(1, 6))
    interval_min = draw(st.sampled_from([15, 30, 60]))
    start_h = draw(st.integers(0, 24 - math.ceil(per_day * interval_min / 60)))
    days = draw(st.lists(st.sampled_from(PROFILES), min_size=1, max_size=4))
    profiles = list(dict.fromkeys(days))
    names = [f"type{i}" for i in range(draw(st.integers(1, 3)))]
    call_types, total = [], 0.0
    for name in names:
        keys, per_profile = draw(arrivals(per_day, profiles))
        total += math.fsum(per_profile[day] for day in days)
        call_types.append(
            {
                "name": name,
                "priority": draw(st.integers(0, 3)),
                **keys,
                "handle_time": draw(distributions),
                **({"patience": draw(distributions)} if draw(st.booleans()) else {}),
            }
        )
    staffing = st.integers(0, 40) | st.lists(
        st.integers(0, 40), min_size=per_day * len(days), max_size=per_day * len(days)
    )
    groups = [
        {"name": "all", "skills": draw(st.permutations(names)), "staffing": draw(staffing)},
        {"name": "part", "skills": names[:1], "staffing": draw(staffing), "availability": 0.5},
    ]
    data = {
        "schema_version": 1,
        "name": "random",
        "calendar": {
            "start": f"{start_h:02d}:00",
            "interval_min": interval_min,
            "intervals_per_day": per_day,
            "days": days,
        },
        "call_types": call_types,
        "agent_groups": groups[: draw(st.integers(1, 2))],
        "simulation": {"seed": draw(st.integers(0, 2**32))},
    }
    return data, total


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_dicts())
def test_random_valid_scenarios_load_and_keep_their_totals(case):
    data, expected_total = case
    before = copy.deepcopy(data)
    scenario = scenario_from_dict(data)
    assert data == before

    calendar = scenario.calendar
    assert calendar.n_intervals == len(data["calendar"]["days"]) * calendar.intervals_per_day
    assert calendar.interval_s == 60 * data["calendar"]["interval_min"]
    total = 0.0
    for ct in scenario.call_types:
        for day in calendar.days:
            calls = ct.calls_for(day)
            assert len(calls) == calendar.intervals_per_day and min(calls) >= 0
            total += math.fsum(calls)
    assert total == pytest.approx(expected_total, rel=1e-9, abs=1e-9)
    for group in scenario.agent_groups:
        assert len(group.staffing) == calendar.n_intervals

    again = scenario_from_dict(copy.deepcopy(data))
    assert again == scenario and scenario_hash(again) == scenario_hash(scenario)
    assert scenario_to_dict(again) == scenario_to_dict(scenario)


@settings(max_examples=30, deadline=None)
@given(scenario_dicts(), st.integers(0, 5))
def test_an_override_changes_the_hash_exactly_when_it_changes_the_scenario(case, priority):
    data, _ = case
    base = scenario_from_dict(data)
    what_if = scenario_from_dict(apply_overrides(data, [f"call_types[0].priority={priority}"]))
    assert what_if.call_types[0].priority == priority
    changed = priority != base.call_types[0].priority
    assert (scenario_hash(what_if) != scenario_hash(base)) == changed
    assert scenario_from_dict(data) == base


@settings(max_examples=30, deadline=None)
@given(scenario_dicts(), st.integers(0, 2**63 - 1), st.integers(1, 1000))
def test_seed_and_replications_are_not_part_of_the_hash(case, seed, replications):
    # They are recorded beside the hash in every result: an unseeded run repeated with
    # --seed <entropy>, or run with more replications, simulates the same call center.
    data, _ = case
    base = scenario_from_dict(data)
    run_settings = [f"simulation.seed={seed}", f"simulation.replications={replications}"]
    rerun = scenario_from_dict(apply_overrides(data, run_settings))
    assert rerun != base or (seed, replications) == (base.simulation.seed, 10)
    assert scenario_hash(rerun) == scenario_hash(base)
    unseeded = dataclasses.replace(base, simulation=dataclasses.replace(base.simulation, seed=None))
    assert scenario_hash(unseeded) == scenario_hash(base)
    # The other run settings change what is measured, so they count.
    busier = scenario_from_dict(apply_overrides(data, ["simulation.daily_busyness_cv=0.5"]))
    assert scenario_hash(busier) != scenario_hash(base)
    calendar = base.calendar
    if calendar.n_intervals > 1:
        warm = apply_overrides(data, [f"simulation.warmup_s={calendar.interval_s:g}"])
        assert scenario_hash(scenario_from_dict(warm)) != scenario_hash(base)
