"""Loading scenario files: the examples, unit conversion, and one clear error per mistake."""

from __future__ import annotations

import copy
import math
import pickle
import tomllib
from typing import Any

import numpy as np
import pytest

from scenarios.calendar import is_open, scheduled_agents
from scenarios.errors import ScenarioError
from scenarios.load import (
    EXAMPLES_DIR,
    builtin_names,
    load_builtin,
    load_scenario,
    scenario_from_dict,
)
from scenarios.schema import Simulation, Targets


def minimal() -> dict[str, Any]:
    """A small valid scenario as TOML would give it: 4 half-hour intervals from 08:00."""
    return {
        "schema_version": 1,
        "name": "test",
        "calendar": {"start": "08:00", "interval_min": 30, "intervals_per_day": 4},
        "call_types": [
            {
                "name": "booking",
                "calls_per_interval": [10, 20, 15, 5],
                "handle_time": {"kind": "lognormal", "mean_s": 150, "cv": 0.6},
            },
            {
                "name": "results",
                "calls_per_interval": [1, 2, 3, 4],
                "handle_time": {"kind": "exponential", "mean_s": 120},
            },
        ],
        "agent_groups": [{"name": "desk", "skills": ["booking", "results"], "staffing": 2}],
    }


def error_of(data: dict[str, Any], **kw: Any) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, source="clinic.toml", **kw)
    return info.value


def changed(edit) -> dict[str, Any]:
    data = minimal()
    edit(data)
    return data


# --- the packaged examples -------------------------------------------------------------------


def test_builtin_names_are_the_example_files():
    # clinic_step1..8: the clinic's improvement programme (scenarios/programme.py).
    steps = tuple(f"clinic_step{k}" for k in range(1, 9))
    assert builtin_names() == ("bank", "clinic", *steps, "erlang_a")


@pytest.mark.parametrize("name", builtin_names())
def test_every_example_is_a_repeatable_twenty_replication_study(name):
    scenario = load_builtin(name)
    assert scenario.simulation.replications == 20
    assert scenario.simulation.seed is not None


def test_clinic_example_is_the_field_case():
    clinic = load_builtin("clinic")
    calendar = clinic.calendar
    assert (calendar.start_s, calendar.interval_s, calendar.n_intervals) == (8 * 3600, 3600, 12)
    assert (calendar.open_s, calendar.close_s) == (8 * 3600, 20 * 3600)
    assert clinic.ivr.greeting.kind == "deterministic" and clinic.ivr.greeting.mean_s == 55
    assert clinic.ivr.patience is not None
    assert clinic.lines is not None
    totals = [
        sum(v) for v in zip(*(ct.calls_for("weekday") for ct in clinic.call_types), strict=True)
    ]
    assert totals.index(max(totals)) < 3, "mornings are the busiest hours"
    (reception,) = clinic.agent_groups
    assert reception.availability < 1
    assert set(reception.skills) == {ct.name for ct in clinic.call_types}
    assert {ct.name for ct in clinic.call_types} >= {"advertising", "booking"}


def test_erlang_a_example_is_stationary_mmn_m():
    scenario = load_builtin("erlang_a")
    (calls,) = scenario.call_types
    assert calls.calls_for("day") == (1000.0,) * 24
    assert (calls.handle_time.kind, calls.handle_time.mean_s) == ("exponential", 180)
    assert (calls.patience.kind, calls.patience.mean_s) == ("exponential", 120)
    assert scenario.agent_groups[0].staffing == (55,) * 24
    assert scenario.lines is None and scenario.ivr.greeting.mean_s == 0
    assert scenario.simulation.warmup_s == 3600


def test_bank_example_spreads_its_daily_volume():
    bank = load_builtin("bank")
    (retail,) = bank.call_types
    assert math.isclose(sum(retail.calls_for("weekday")), 4500)
    assert bank.calendar.n_intervals == 34 and bank.calendar.interval_s == 1800
    assert bank.agent_groups[0].shifts[-1].end_s == 86400


def test_unknown_builtin_suggests_a_name():
    with pytest.raises(ScenarioError, match=r"got 'clnic' \(did you mean 'clinic'\?\)"):
        load_builtin("clnic")


# --- conversion and defaults -----------------------------------------------------------------


def test_units_are_converted_once():
    scenario = scenario_from_dict(minimal())
    assert scenario.calendar.start_s == 8 * 3600.0
    assert scenario.calendar.interval_s == 1800.0
    assert scenario.calendar.days == ("day",)
    assert scenario.call_types[0].calls_for("day") == (10, 20, 15, 5)
    assert scenario.call_types[1].handle_time.cv == 1.0
    assert scenario.agent_groups[0].staffing == (2, 2, 2, 2)


def test_targets_with_ceilings_on_asa_and_occupancy():
    data = changed(lambda d: d.update(targets={"max_asa_s": 30, "max_occupancy": 0.85}))
    targets = scenario_from_dict(data).targets
    assert (targets.max_asa_s, targets.max_occupancy, targets.max_abandon) == (30.0, 0.85, None)
    assert (Targets().max_asa_s, Targets().max_occupancy) == (None, None)


def test_omitted_sections_take_the_schema_defaults():
    scenario = scenario_from_dict(minimal())
    assert scenario.targets == Targets()
    assert scenario.simulation == Simulation()
    assert scenario.call_types[0].patience is None
    assert scenario.call_types[0].wrap_up.mean_s == 0


def test_daily_volume_and_shape_equal_calls_per_interval():
    by_shape = minimal()
    by_shape["call_types"][0] |= {"daily_volume": 50, "shape": [2, 4, 3, 1]}
    del by_shape["call_types"][0]["calls_per_interval"]
    got = scenario_from_dict(by_shape).call_types[0].calls_for("day")
    assert got == pytest.approx(scenario_from_dict(minimal()).call_types[0].calls_for("day"))


def test_arrivals_per_day_profile():
    data = changed(lambda d: d["calendar"].update(days=["weekday", "weekday", "weekend"]))
    data["call_types"][0]["calls_per_interval"] = {"weekday": [1, 2, 3, 4], "weekend": 0}
    data["call_types"][1]["daily_volume"] = {"weekday": 10, "weekend": 2}
    data["call_types"][1]["shape"] = 1
    del data["call_types"][1]["calls_per_interval"]
    booking, results = scenario_from_dict(data).call_types
    assert booking.calls_for("weekend") == (0, 0, 0, 0)
    assert results.calls_for("weekday") == pytest.approx((2.5,) * 4)
    assert results.calls_for("weekend") == pytest.approx((0.5,) * 4)


def test_clock_accepts_toml_local_time_and_seconds():
    data = tomllib.loads('start = 07:30:00\nclose = "09:29:30"')
    scenario = scenario_from_dict(
        changed(lambda d: d["calendar"].update(start=data["start"], close=data["close"]))
    )
    assert scenario.calendar.start_s == 7.5 * 3600
    assert scenario.calendar.close_s == 9.5 * 3600 - 30


def test_shifts_and_staffing_over_all_days():
    data = changed(lambda d: d["calendar"].update(days=["a", "b"]))
    data["agent_groups"][0]["staffing"] = [1, 2, 3, 4, 5, 6, 7, 8]
    assert scenario_from_dict(data).agent_groups[0].staffing == (1, 2, 3, 4, 5, 6, 7, 8)
    # One day's vector, or one number, is the same every day: loaded as one entry per interval
    # of all days, so that no consumer has to tell the forms apart.
    data["agent_groups"][0]["staffing"] = [1, 2, 3, 4]
    assert scenario_from_dict(data).agent_groups[0].staffing == (1, 2, 3, 4) * 2
    data["agent_groups"][0]["staffing"] = 3
    assert scenario_from_dict(data).agent_groups[0].staffing == (3,) * 8
    del data["agent_groups"][0]["staffing"]
    data["agent_groups"][0]["shifts"] = [{"start": "08:00", "end": "09:00", "count": 3}]
    (shift,) = scenario_from_dict(data).agent_groups[0].shifts
    assert (shift.start_s, shift.end_s, shift.count) == (28800, 32400, 3)


def test_menu_target_may_have_no_arrivals_of_its_own():
    data = minimal()
    del data["call_types"][1]["calls_per_interval"]
    data["ivr"] = {"menu": {"booking": {"booking": 0.75, "results": 0.25}}}
    scenario = scenario_from_dict(data)
    assert scenario.call_types[1].calls_for("day") == (0, 0, 0, 0)
    assert scenario.ivr.menu == (("booking", (("booking", 0.75), ("results", 0.25))),)


def test_menu_source_needs_no_agents():
    data = minimal()
    data["call_types"].append(
        {
            "name": "general",
            "calls_per_interval": 5,
            "handle_time": {"kind": "deterministic", "mean_s": 60},
        }
    )
    data["ivr"] = {"menu": {"general": {"booking": 0.7, "results": 0.3}}}
    assert scenario_from_dict(data).ivr.menu[0][0] == "general"


@pytest.mark.parametrize(
    ("dist", "mean_s", "cv"),
    [
        ({"kind": "exponential", "mean_s": 90}, 90, 1),
        ({"kind": "exponential", "mean_s": 90, "cv": 1}, 90, 1),
        ({"kind": "deterministic", "mean_s": 0}, 0, 0),
        ({"kind": "erlang", "mean_s": 100, "cv": 0.5}, 100, 0.5),
        ({"kind": "erlang", "mean_s": 100, "phases": 3}, 100, 1 / math.sqrt(3)),
        ({"kind": "uniform", "mean_s": 100, "cv": 0.5}, 100, 0.5),
        ({"kind": "weibull", "mean_s": 100, "cv": 1.5}, 100, 1.5),
        ({"kind": "empirical", "samples_s": [10, 20, 30]}, 20, math.sqrt(200 / 3) / 20),
    ],
)
def test_distributions(dist, mean_s, cv):
    got = scenario_from_dict(changed(lambda d: d["call_types"][0].update(handle_time=dist)))
    handle = got.call_types[0].handle_time
    assert handle.mean_s == pytest.approx(mean_s) and handle.cv == pytest.approx(cv)


# --- errors: file, dotted key path, constraint, value ----------------------------------------


def test_error_message_names_file_key_constraint_and_value():
    err = error_of(changed(lambda d: d["call_types"][1]["handle_time"].update(mean_s=-2)))
    assert str(err) == "clinic.toml: call_types[1].handle_time.mean_s must be > 0, got -2"
    assert (err.file, err.key, err.value) == ("clinic.toml", "call_types[1].handle_time.mean_s", -2)
    assert isinstance(err, ValueError)


def test_negative_rate_names_its_index():
    err = error_of(changed(lambda d: d["call_types"][0]["calls_per_interval"].__setitem__(2, -2)))
    assert str(err) == (
        "clinic.toml: call_types[0].calls_per_interval[2] must be in [0, 1e+07], got -2"
    )


@pytest.mark.parametrize(
    ("edit", "key", "expected"),
    [
        (lambda d: d.update(lnies=3), "lnies", "is not a known key (did you mean 'lines'?)"),
        (
            lambda d: d["calendar"].update(intervl_min=30),
            "calendar.intervl_min",
            "did you mean 'interval_min'?",
        ),
        (
            lambda d: d["agent_groups"][0].update(staffing=[2, 2, 2]),
            "agent_groups[0].staffing",
            "must have 4 entries (one per interval of a day), got [2, 2, 2] (3 entries)",
        ),
        (
            lambda d: d["agent_groups"][0].update(staffing=[2, 2, -1, 2]),
            "agent_groups[0].staffing[2]",
            "must be >= 0, got -1",
        ),
        (
            lambda d: d["agent_groups"][0].update(staffing=[2, 2, 2.5, 2]),
            "agent_groups[0].staffing[2]",
            "must be a whole number, got 2.5",
        ),
        (lambda d: d["calendar"].update(start="8h00"), "calendar.start", "got '8h00'"),
        (lambda d: d["calendar"].update(start="08:60"), "calendar.start", "clock time"),
        (lambda d: d["calendar"].update(start="24:30"), "calendar.start", "clock time"),
        (lambda d: d["calendar"].update(start=8), "calendar.start", "clock time"),
        (lambda d: d["calendar"].update(interval_min=20), "calendar.interval_min", "15, 30, 60"),
        (lambda d: d["calendar"].update(intervals_per_day=0), "calendar.intervals_per_day", ">= 1"),
        (lambda d: d["calendar"].update(days=[]), "calendar.days", "at least 1"),
        (lambda d: d["calendar"].update(days=["a b"]), "calendar.days[0]", "name of letters"),
        (
            lambda d: d["calendar"].update(open="11:00", close="12:00"),
            "calendar.open",
            "must leave the line open some time in the simulated day 08:00-10:00, got '11:00'",
        ),
        (
            lambda d: d["calendar"].update(open="09:00", close="09:00"),
            "calendar.close",
            "must differ from open (leave both out for a line open all day)",
        ),
        (lambda d: d.update(lines=True), "lines", "must be a whole number, got true"),
        (lambda d: d.update(lines=0), "lines", "must be >= 1, got 0"),
        (lambda d: d.update(arrival_scale=False), "arrival_scale", "must be a number, got false"),
        (lambda d: d.update(arrival_scale=math.inf), "arrival_scale", "finite"),
        (lambda d: d.update(schema_version=2), "schema_version", "got 2"),
        (lambda d: d.pop("name"), "name", "is required"),
        (lambda d: d.update(call_types=[]), "call_types", "at least 1"),
        (lambda d: d["call_types"][0].update(priority=1.0), "call_types[0].priority", "whole"),
        (lambda d: d["call_types"][1].update(name="booking"), "call_types[1].name", "differ"),
        (
            lambda d: d["call_types"][0].pop("calls_per_interval"),
            "call_types[0].calls_per_interval",
            "is required (or daily_volume with shape)",
        ),
        (
            lambda d: d["call_types"][0].update(shape=[1, 1, 1, 1]),
            "call_types[0].shape",
            "must not be given together with calls_per_interval",
        ),
        (
            lambda d: d["call_types"][0].update(calls_per_interval={"day": [1, 1, 1, 1], "dya": 1}),
            "call_types[0].calls_per_interval.dya",
            "is not a known day profile of calendar.days (did you mean 'day'?)",
        ),
        (
            lambda d: d["agent_groups"][0].update(skills=["booking", "reslts"]),
            "agent_groups[0].skills[1]",
            "did you mean 'results'?",
        ),
        (
            lambda d: d["agent_groups"][0].update(skills=["booking", "booking"]),
            "agent_groups[0].skills[1]",
            "must differ from agent_groups[0].skills[0]",
        ),
        (
            lambda d: d["agent_groups"][0].update(skills=["booking"]),
            "call_types[1].name",
            "must be among the skills of at least one agent group, got 'results'",
        ),
        (
            lambda d: d["agent_groups"][0].update(availability=0),
            "agent_groups[0].availability",
            "(0, 1]",
        ),
        (
            lambda d: d["agent_groups"][0].update(availability=1.5),
            "agent_groups[0].availability",
            "(0, 1]",
        ),
        (lambda d: d["agent_groups"][0].pop("staffing"), "agent_groups[0]", "staffing or shifts"),
        (
            lambda d: d["agent_groups"][0].update(
                staffing=None, shifts=[{"start": "09:00", "end": "09:00", "count": 1}]
            ),
            "agent_groups[0]",
            "not both",
        ),
        (lambda d: d.update(ivr={"served_share": 1.2}), "ivr.served_share", "in [0, 1], got 1.2"),
        (
            lambda d: d.update(ivr={"menu": {"booking": {"booking": 0.5, "results": 0.4}}}),
            "ivr.menu.booking",
            "must have shares summing to 1, got 0.9",
        ),
        (
            lambda d: d.update(ivr={"menu": {"booking": {"resluts": 1.0}}}),
            "ivr.menu.booking.resluts",
            "is not a known call type (did you mean 'results'?)",
        ),
        (
            lambda d: d.update(targets={"sl_definition": "offerd"}),
            "targets.sl_definition",
            "did you mean 'offered'?",
        ),
        (lambda d: d.update(targets={"max_abandon": -0.1}), "targets.max_abandon", "[0, 1]"),
        (lambda d: d.update(targets={"max_asa_s": 0}), "targets.max_asa_s", "must be > 0, got 0"),
        (
            lambda d: d.update(targets={"max_occupancy": 0}),
            "targets.max_occupancy",
            "must be in (0, 1], got 0",
        ),
        (
            lambda d: d.update(targets={"max_occupancy": 1.01}),
            "targets.max_occupancy",
            "must be in (0, 1], got 1.01",
        ),
        (lambda d: d.update(simulation={"replications": 0}), "simulation.replications",
         "in [1, 100000]"),
        (lambda d: d.update(simulation={"seed": -1}), "simulation.seed", ">= 0"),
        (
            lambda d: d.update(simulation={"warmup_s": 7200}),
            "simulation.warmup_s",
            "must be shorter than the horizon (7200 s)",
        ),
    ],
)
def test_every_mistake_names_its_key(edit, key, expected):
    err = error_of(changed(edit))
    assert err.key == key
    assert str(err).startswith(f"clinic.toml: {key} ")
    assert expected in str(err)


@pytest.mark.parametrize(
    ("dist", "key", "expected"),
    [
        ({"kind": "lognormall", "mean_s": 1, "cv": 1}, "kind", "(did you mean 'lognormal'?)"),
        (
            {"kind": "lognormal", "mean_s": 1, "cv": 1, "men_s": 3},
            "men_s",
            "(did you mean 'mean_s'?)",
        ),
        ({"kind": "lognormal", "mean_s": -2, "cv": 0.5}, "mean_s", "must be > 0, got -2"),
        ({"kind": "lognormal", "mean_s": 150, "cv": 0}, "cv", "must be in [0.001, 100], got 0"),
        ({"kind": "gamma", "mean_s": 150}, "cv", "is required"),
        (
            {"kind": "exponential", "mean_s": 90, "cv": 0.5},
            "cv",
            "must be 1 for kind 'exponential'",
        ),
        (
            {"kind": "deterministic", "mean_s": 5, "cv": 1},
            "cv",
            "must be 0 for kind 'deterministic'",
        ),
        ({"kind": "deterministic", "mean_s": -1}, "mean_s", "must be >= 0"),
        ({"kind": "erlang", "mean_s": 9, "cv": 0.6}, "cv", "1/cv**2 a whole number"),
        ({"kind": "erlang", "mean_s": 9, "cv": 0.5, "phases": 4}, "cv", "together with phases"),
        ({"kind": "erlang", "mean_s": 9, "phases": 0}, "phases", "must be in [1, 1000000]"),
        ({"kind": "uniform", "mean_s": 9, "cv": 0.6}, "cv", "must be in [0.001, 0.57735]"),
        ({"kind": "empirical", "samples_s": []}, "samples_s", "at least 1"),
        ({"kind": "empirical", "samples_s": [1, -1]}, "samples_s[1]", "must be >= 0"),
        ({"kind": "empirical", "mean_s": 3}, "mean_s", "not a known key for kind 'empirical'"),
        ({"kind": "empirical"}, "samples_s", "is required (or csv with column)"),
        ({"kind": "empirical", "samples_s": [1], "csv": "a.csv"}, "csv", "together with samples"),
        ({"mean_s": 3}, "kind", "is required"),
        ("lognormal", "", "must be a table, got 'lognormal'"),
    ],
)
def test_bad_distribution_names_its_key(dist, key, expected):
    err = error_of(changed(lambda d: d["call_types"][0].update(handle_time=dist)))
    assert err.key == "call_types[0].handle_time" + (f".{key}" if key else "")
    assert expected in str(err)


def test_shift_must_not_end_where_it_starts():
    data = minimal()
    data["agent_groups"][0] = {
        "name": "desk",
        "skills": ["booking", "results"],
        "shifts": [
            {"start": "08:00", "end": "10:00", "count": 1},
            {"start": "09:00", "end": "09:00", "count": 1},
        ],
    }
    err = error_of(data)
    assert str(err) == (
        "clinic.toml: agent_groups[0].shifts[1].end must differ from start (09:00), got '09:00'"
    )


def test_night_shifts_and_opening_hours_cross_midnight():
    # A night line 20:00-06:00 over a simulated day starting at 18:00, staffed by a night
    # shift 22:00-06:00 and an evening shift 18:00-23:00.
    data = minimal()
    data["calendar"].update(start="18:00", interval_min=60, intervals_per_day=24,
                            open="20:00", close="06:00")
    for ct in data["call_types"]:
        ct["calls_per_interval"] = 5
    data["agent_groups"][0] = {
        "name": "desk", "skills": ["booking", "results"],
        "shifts": [{"start": "22:00", "end": "06:00", "count": 2},
                   {"start": "18:00", "end": "23:00", "count": 1}],
    }
    sc = scenario_from_dict(data)
    assert (sc.calendar.open_s, sc.calendar.close_s) == (20 * 3600, 6 * 3600)
    agents = scheduled_agents(sc)[0]
    assert agents[:4].tolist() == [1, 1, 1, 1] and agents[4].tolist() == 3  # 18:00-22:00, 22:00
    assert agents[11].tolist() == 2 and agents[12].tolist() == 0  # 05:00, 06:00
    hours = np.arange(24) * 3600.0 + 1.0
    assert is_open(sc.calendar, hours).tolist() == [False, False] + [True] * 10 + [False] * 12


def test_day_profile_without_arrivals():
    data = changed(lambda d: d["calendar"].update(days=["weekday", "weekend"]))
    data["call_types"][0]["calls_per_interval"] = {"weekday": [1, 1, 1, 1]}
    err = error_of(data)
    assert err.key == "call_types[0].calls_per_interval.weekend"
    assert "calendar.days uses this day profile" in str(err)


def test_staffing_accepts_only_day_or_horizon_length():
    data = changed(lambda d: d["calendar"].update(days=["a", "b"]))
    data["agent_groups"][0]["staffing"] = [1] * 6
    assert "4 entries (one per interval of a day) or 8 entries (one per interval of all days)" in (
        str(error_of(data))
    )


def test_malformed_toml_names_file_and_line(tmp_path):
    path = tmp_path / "clinic.toml"
    path.write_text('schema_version = 1\nname = "x"\n[calendar]\nstart = 08:00\n')
    with pytest.raises(ScenarioError, match=r"clinic\.toml is not valid TOML: .*line 4"):
        load_scenario(path)


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match=r"nope\.toml cannot be read"):
        load_scenario(tmp_path / "nope.toml")


def test_error_survives_pickling():
    err = error_of(changed(lambda d: d.update(lines=-1)))
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err) and again.key == "lines" and again.file == "clinic.toml"


def test_validation_does_not_touch_its_input():
    data = minimal()
    before = copy.deepcopy(data)
    scenario_from_dict(data)
    assert data == before


# --- empirical distributions from CSV --------------------------------------------------------


def write_scenario_with_csv(tmp_path, rows: str, column: str = "talk_s"):
    (tmp_path / "talk.csv").write_text(rows)
    text = (
        (EXAMPLES_DIR / "erlang_a.toml")
        .read_text()
        .replace(
            'handle_time = { kind = "exponential", mean_s = 180 }',
            f'handle_time = {{ kind = "empirical", csv = "talk.csv", column = "{column}" }}',
        )
    )
    path = tmp_path / "scenario.toml"
    path.write_text(text)
    return path


def test_empirical_csv_is_read_relative_to_the_scenario(tmp_path):
    path = write_scenario_with_csv(tmp_path, "call_id,talk_s\n1,100\n2,200\n3,300\n")
    handle = load_scenario(path).call_types[0].handle_time
    assert handle.samples_s == (100, 200, 300)
    assert handle.mean_s == 200 and handle.cv == pytest.approx(math.sqrt(20000 / 3) / 200)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("call_id,talk_s\n1,100\n2,abc\n", "row 3, column 'talk_s' must be a number, got 'abc'"),
        ("call_id,talk_s\n1,100\n2,-5\n", "row 3, column 'talk_s' must be >= 0, got -5.0"),
        ("call_id,talk_s\n1,100\n2,\n", "row 3, column 'talk_s' must be a number, got ''"),
        ("call_id,talk_s\n1,100\n2\n", "row 3, column 'talk_s' must be a number, got ''"),
        ("call_id,talk_s\n1,nan\n", "row 2, column 'talk_s' must be a finite number"),
        ("call_id,talk_s\n", "must have at least one row of data in column 'talk_s'"),
    ],
)
def test_bad_csv_cell_names_file_row_and_column(tmp_path, rows, expected):
    path = write_scenario_with_csv(tmp_path, rows)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(f"{path}: call_types[0].handle_time.csv ")
    assert "'talk.csv'" in message and expected in message


def test_csv_column_typo_is_suggested(tmp_path):
    path = write_scenario_with_csv(tmp_path, "call_id,talk_s\n1,100\n", column="talks")
    with pytest.raises(ScenarioError, match=r"column must name a column of talk\.csv, got 'talks'"):
        load_scenario(path)


def test_missing_csv_file(tmp_path):
    path = write_scenario_with_csv(tmp_path, "talk_s\n1\n")
    (tmp_path / "talk.csv").unlink()
    with pytest.raises(ScenarioError, match=r"handle_time\.csv cannot be read .*got 'talk\.csv'"):
        load_scenario(path)


@pytest.mark.parametrize("override, key, constraint", [
    ('call_types.booking.handle_time={kind="gamma",mean_s=150,cv=1e-200}',
     "call_types[1].handle_time.cv", "must be in [0.001, 100]"),
    ('call_types.booking.handle_time={kind="lognormal",mean_s=150,cv=1e200}',
     "call_types[1].handle_time.cv", "must be in [0.001, 100]"),
    ('call_types.booking.handle_time={kind="weibull",mean_s=150,cv=0.0005}',
     "call_types[1].handle_time.cv", "must be in [0.001, 100]"),
    ('call_types.booking.handle_time={kind="erlang",mean_s=150,phases=100000000}',
     "call_types[1].handle_time.phases", "must be"),
    ("agent_groups.reception.walk_in_s=1e-300", "agent_groups[0].walk_in_s", "must be >= 1"),
    ("arrival_scale=1e300", "arrival_scale", "must be in [0, 1000]"),
    ("calendar.intervals_per_day=48", "calendar.intervals_per_day", "must fit a day of 24 h"),
    ("simulation.warmup_s=1800", "simulation.warmup_s", "must be a whole number of intervals"),
])
def test_values_no_call_center_has_are_refused_with_their_key(override, key, constraint):
    with pytest.raises(ScenarioError) as info:
        load_builtin("clinic", [override])
    assert info.value.key == key and constraint in str(info.value)
