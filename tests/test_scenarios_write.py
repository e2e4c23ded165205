"""Writing scenarios as TOML: the inverse of the loader, exactly, and pleasant to read."""

from __future__ import annotations

import dataclasses
import math
import tomllib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios.dump import scenario_hash, scenario_to_dict
from scenarios.errors import ScenarioError
from scenarios.load import builtin_names, load_builtin, load_scenario, scenario_from_dict
from scenarios.schema import Shift
from scenarios.write import scenario_to_toml, toml_value, write_scenario
from tests.test_scenarios_properties import scenario_dicts


def reloaded(scenario):
    return scenario_from_dict(tomllib.loads(scenario_to_toml(scenario)))


def assert_same(got, expected):
    assert got == expected
    # Stricter than ==: the canonical JSON tells 1 from 1.0 and -0.0 from 0.0.
    assert scenario_to_dict(got) == scenario_to_dict(expected)
    assert scenario_hash(got) == scenario_hash(expected)


@pytest.mark.parametrize("name", builtin_names())
def test_every_example_round_trips_through_a_file(name, tmp_path):
    scenario = load_builtin(name)
    path = tmp_path / f"{name}.toml"
    write_scenario(scenario, path, header_comment=f"Copy of {name}\n\nWritten by a test.")
    assert_same(load_scenario(path), scenario)
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"# Copy of {name}\n#\n# Written by a test.\n\nschema_version = 1\n")
    assert all(len(line) <= 100 for line in text.splitlines())


def test_sections_come_in_the_examples_order_and_defaults_are_left_out():
    text = scenario_to_toml(load_builtin("clinic"))
    headers = [line for line in text.splitlines() if line.startswith("[")]
    assert headers == ["[calendar]"] + ["[[call_types]]"] * 3 + [
        "[ivr]", "[[agent_groups]]", "[targets]", "[simulation]", "[outcomes]"]
    assert 'start = "08:00"\ninterval_min = 60\n' in text
    assert 'handle_time = { kind = "lognormal", mean_s = 180, cv = 0.6 }' in text
    assert 'patience = { kind = "lognormal", mean_s = 150, cv = 0.5 }' in text
    assert 'patience = { kind = "exponential", mean_s = 150 }' in text
    assert "staffing = [6, 6, 6, 8, 8, 8, 8, 6, 6, 6, 6, 4]" in text
    assert "walk_in_s = 180" in text  # a default, but said whenever walk-ins happen
    for default in ("arrival_scale", "short_abandon_s", "warmup_s", "daily_busyness_cv"):
        assert f"{default} =" not in text
    erlang_a = scenario_to_toml(load_builtin("erlang_a"))
    assert "calls_per_interval = 1000\n" in erlang_a and "staffing = 55\n" in erlang_a
    assert "[ivr]" not in erlang_a and "days =" not in erlang_a


def test_shifts_are_one_inline_table_a_line():
    text = scenario_to_toml(load_builtin("bank"))
    assert (
        'shifts = [\n    { start = "07:00", end = "15:00", count = 10 },\n'
        in text
    )
    assert '{ start = "17:00", end = "24:00", count = 5 },\n]' in text


def two_day_clinic():
    clinic = load_builtin("clinic", ['calendar.days=["weekday", "weekend"]'])
    booking = clinic.call_types[1]
    weekend = tuple(c / 2 for c in booking.calls_for("weekday"))
    call_types = list(clinic.call_types)
    call_types[1] = dataclasses.replace(
        booking, calls_per_interval=(("weekday", booking.calls_for("weekday")),
                                     ("weekend", weekend)))
    return dataclasses.replace(clinic, call_types=tuple(call_types))


def test_calls_per_profile_and_staffing_per_day_or_horizon():
    scenario = two_day_clinic()
    text = scenario_to_toml(scenario)
    assert "[call_types.calls_per_interval]\nweekday = [75, 88," in text
    assert "weekend = [37.5, 44, 39.5, 32," in text
    assert text.count("staffing = [6, 6, 6, 8, 8, 8, 8, 6, 6, 6, 6, 4]\n") == 1  # one day's
    assert_same(reloaded(scenario), scenario)

    group = scenario.agent_groups[0]
    uneven = dataclasses.replace(group, staffing=group.staffing[:12] + (5,) * 12)
    scenario = dataclasses.replace(scenario, agent_groups=(uneven,))
    assert "staffing = [6, 6, 6, 8, 8, 8, 8, 6, 6, 6, 6, 4, 5, 5," in scenario_to_toml(scenario)
    assert_same(reloaded(scenario), scenario)


def test_erlang_by_cv_empirical_by_samples_and_awkward_floats():
    clinic = load_builtin("clinic", [
        'call_types.booking.handle_time={ kind = "erlang", mean_s = 150, phases = 3 }',
        'call_types.results.handle_time={ kind = "empirical", samples_s = [30, 60.5, 0.1] }',
        "call_types.advertising.handle_time.mean_s=0.1",
        "arrival_scale=1e-7",
        "targets.max_asa_s=29.999999999999996",
        "targets.max_occupancy=0.85",
    ])
    text = scenario_to_toml(clinic)
    assert f'{{ kind = "erlang", mean_s = 150, cv = {1 / math.sqrt(3)!r} }}' in text
    assert '{ kind = "empirical", samples_s = [30, 60.5, 0.1] }' in text
    assert "arrival_scale = 1e-07\n" in text
    assert "max_asa_s = 29.999999999999996\nmax_occupancy = 0.85\n" in text
    assert_same(reloaded(clinic), clinic)


def test_many_samples_span_lines_inside_their_inline_table():
    samples = [round(30 + 7.3 * i, 1) for i in range(200)]
    clinic = load_builtin("clinic", [
        f'call_types.results.handle_time={{ kind = "empirical", samples_s = {samples} }}'])
    text = scenario_to_toml(clinic)
    assert 'handle_time = { kind = "empirical", samples_s = [\n    30, 37.3, 44.6,' in text
    assert all(len(line) <= 100 for line in text.splitlines())
    assert_same(reloaded(clinic), clinic)


def test_clock_times_with_seconds_and_fractions():
    bank = load_builtin("bank")
    group = bank.agent_groups[0]
    shifts = (Shift(start_s=7 * 3600.0 + 30, end_s=15 * 3600 + 0.25, count=1), *group.shifts)
    scenario = dataclasses.replace(bank, agent_groups=(dataclasses.replace(group, shifts=shifts),))
    text = scenario_to_toml(scenario)
    assert '{ start = "07:00:30", end = 15:00:00.250000, count = 1 }' in text
    assert_same(reloaded(scenario), scenario)


def test_a_value_toml_cannot_spell_names_its_key():
    with pytest.raises(ScenarioError, match="lines must be a TOML value"):
        toml_value(None, "lines")


distributions = st.one_of(
    st.builds(lambda m: {"kind": "exponential", "mean_s": m}, st.floats(0.01, 1e4)),
    st.builds(lambda m: {"kind": "deterministic", "mean_s": m}, st.floats(0, 1e4)),
    st.builds(
        lambda k, m, cv: {"kind": k, "mean_s": m, "cv": cv},
        st.sampled_from(["lognormal", "gamma", "weibull"]), st.floats(0.01, 1e4),
        st.floats(1e-3, 100),
    ),
    st.builds(lambda m, cv: {"kind": "uniform", "mean_s": m, "cv": cv}, st.floats(0.01, 1e4),
              st.floats(1e-3, 0.5)),
    st.builds(lambda m, k: {"kind": "erlang", "mean_s": m, "phases": k}, st.floats(0.01, 1e4),
              st.integers(1, 50)),
    st.builds(lambda xs: {"kind": "empirical", "samples_s": xs},
              st.lists(st.floats(0, 1e4), min_size=1, max_size=5)),
)
shares = st.floats(0, 1)
maybe = st.booleans()


@st.composite
def rich_scenario_dicts(draw) -> dict:
    """A valid scenario dict that uses most of the format: the loader's test cases, and more."""
    data, _ = draw(scenario_dicts())
    cal = data["calendar"]
    day_s = cal["interval_min"] * 60 * cal["intervals_per_day"]
    start_s = int(cal["start"][:2]) * 3600
    if draw(maybe):
        data["arrival_scale"] = draw(st.floats(0, 1000))
    if draw(maybe):
        data["lines"] = draw(st.integers(1, 100))
    if draw(maybe):
        seconds = draw(st.integers(0, day_s - 1))
        clock = start_s + seconds
        cal["open"] = f"{clock // 3600:02d}:{clock % 3600 // 60:02d}:{clock % 60:02d}"
    names = [ct["name"] for ct in data["call_types"]]
    for ct in data["call_types"]:
        ct["handle_time"] = draw(distributions)
        if draw(maybe):
            ct["wrap_up"] = draw(distributions)
    if draw(maybe):
        ivr = {"greeting": draw(distributions), "served_share": draw(shares)}
        if draw(maybe):
            ivr["patience"] = draw(distributions)
        if len(names) > 1 and draw(maybe):
            share = draw(shares)
            ivr["menu"] = {names[0]: {names[0]: share, names[1]: 1 - share}}
        data["ivr"] = ivr
    group = data["agent_groups"][0]
    if draw(maybe):
        del group["staffing"]
        shifts = []
        for _ in range(draw(st.integers(1, 3))):
            start = draw(st.integers(start_s // 3600, (start_s + day_s - 1) // 3600))
            end = draw(st.integers(start + 1, 24)) if start < 24 else 24
            shifts.append({"start": f"{start:02d}:00", "end": f"{end:02d}:00",
                           "count": draw(st.integers(0, 9))})
        group["shifts"] = shifts
    if draw(maybe):
        group["availability"] = draw(st.floats(0.01, 1))
        group["walk_in_s"] = draw(st.floats(1, 1e4))
    targets = {
        "awt_s": draw(st.floats(0, 600)),
        "service_level": draw(shares),
        "sl_definition": draw(st.sampled_from(["offered", "answered", "exclude_short_abandons"])),
    }
    for key, values in [
        ("short_abandon_s", st.floats(0, 60)),
        ("max_abandon", shares),
        ("max_asa_s", st.floats(0.01, 600)),
        ("max_occupancy", st.floats(0.01, 1)),
    ]:
        if draw(maybe):
            targets[key] = draw(values)
    data["targets"] = targets
    simulation = data["simulation"]
    if draw(maybe):
        simulation["replications"] = draw(st.integers(1, 100))
    if draw(maybe):
        simulation["daily_busyness_cv"] = draw(st.floats(0, 10))
    n_intervals = cal["intervals_per_day"] * len(cal["days"])
    simulation["warmup_s"] = 60 * cal["interval_min"] * draw(st.integers(0, n_intervals - 1))
    return data


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rich_scenario_dicts())
def test_random_valid_scenarios_round_trip_exactly(data):
    scenario = scenario_from_dict(data)
    text = scenario_to_toml(scenario)
    assert_same(scenario_from_dict(tomllib.loads(text)), scenario)
    assert all(len(line) <= 100 for line in text.splitlines())
