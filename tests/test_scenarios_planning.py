"""The [planning] table: shrinkage read, checked, written back, and left out when default."""

from __future__ import annotations

import dataclasses
import tomllib

import pytest

from scenarios.errors import ScenarioError
from scenarios.load import load_builtin, scenario_from_dict
from scenarios.schema import Planning
from scenarios.write import scenario_to_toml
from tests.test_scenarios_load import changed, error_of, minimal


def test_shrinkage_is_read_and_defaults_to_zero():
    assert scenario_from_dict(minimal()).planning == Planning(shrinkage=0.0)
    data = changed(lambda d: d.update(planning={"shrinkage": 0.3}))
    assert scenario_from_dict(data).planning.shrinkage == 0.3


@pytest.mark.parametrize("value, expected", [
    (1.0, "planning.shrinkage must be"), (-0.1, "planning.shrinkage must be"),
    ("30%", "planning.shrinkage must be a number"),
])
def test_bad_shrinkage_names_its_key_and_value(value, expected):
    err = error_of(changed(lambda d: d.update(planning={"shrinkage": value})))
    assert expected in str(err) and "clinic.toml" in str(err)


def test_unknown_planning_key_is_an_error():
    err = error_of(changed(lambda d: d.update(planning={"shrinkge": 0.3})))
    assert "planning.shrinkge" in str(err) and "shrinkage" in str(err)


def test_planning_round_trips_and_is_left_out_when_default():
    sc = load_builtin("bank")
    assert "[planning]" not in scenario_to_toml(sc)
    planned = dataclasses.replace(sc, planning=Planning(shrinkage=0.35))
    text = scenario_to_toml(planned)
    assert "[planning]\nshrinkage = 0.35" in text
    assert scenario_from_dict(tomllib.loads(text)) == planned


def test_shrinkage_bound_is_an_error_not_a_clip():
    with pytest.raises(ScenarioError):
        scenario_from_dict(changed(lambda d: d.update(planning={"shrinkage": 0.96})))
