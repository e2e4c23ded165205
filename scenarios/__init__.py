"""Scenario files: schema (frozen dataclasses), TOML loading with validation, what-if overrides.

``load_scenario("clinic.toml", ["ivr.greeting.mean_s=15"])`` reads, overrides and validates a
file (format: :mod:`scenarios.load`; overrides: :mod:`scenarios.whatif`) into a
:class:`Scenario`; every mistake is a :class:`ScenarioError` naming the file, key and value.
``write_scenario(scenario, "out.toml")`` writes one back (:mod:`scenarios.write`). Clock and
calendar arithmetic live in :mod:`scenarios.calendar`, typed checks that return a verdict
instead of raising in :mod:`scenarios.checks`.
"""

from scenarios.dump import scenario_hash, scenario_to_dict
from scenarios.errors import ScenarioError
from scenarios.load import builtin_names, load_builtin, load_scenario, scenario_from_dict
from scenarios.schema import (
    AgentGroup,
    Calendar,
    CallType,
    Distribution,
    Ivr,
    Planning,
    Scenario,
    Shift,
    Simulation,
    Targets,
)
from scenarios.whatif import apply_overrides, format_override, grid, parse_override
from scenarios.write import scenario_to_toml, write_scenario

__all__ = [
    "AgentGroup",
    "Calendar",
    "CallType",
    "Distribution",
    "Ivr",
    "Planning",
    "Scenario",
    "ScenarioError",
    "Shift",
    "Simulation",
    "Targets",
    "apply_overrides",
    "builtin_names",
    "format_override",
    "grid",
    "load_builtin",
    "load_scenario",
    "parse_override",
    "scenario_from_dict",
    "scenario_hash",
    "scenario_to_dict",
    "scenario_to_toml",
    "write_scenario",
]
