"""Scenario files: schema (frozen dataclasses), TOML loading with validation, what-if overrides.

``load_scenario("clinic.toml", ["ivr.greeting.mean_s=15"])`` reads, overrides and validates a
file (format: :mod:`scenarios.load`; overrides: :mod:`scenarios.whatif`) into a
:class:`Scenario`; every mistake is a :class:`ScenarioError` naming the file, key and value.
``write_scenario(scenario, "out.toml")`` writes one back (:mod:`scenarios.write`). Clock and
calendar arithmetic live in :mod:`scenarios.calendar`, typed checks that return a verdict
instead of raising in :mod:`scenarios.checks`.
"""

from importlib import import_module

# Where each name lives. Imported when first asked for (PEP 562): the CLI's help and its
# error classes need ``scenarios.errors`` and ``scenarios.schema`` only, and loading
# ``scenarios.load`` would bring numpy into ``callsim --help``.
_HOME = {
    "scenario_hash": "dump", "scenario_to_dict": "dump",
    "ScenarioError": "errors",
    "builtin_names": "load", "load_builtin": "load", "load_scenario": "load",
    "scenario_from_dict": "load",
    **dict.fromkeys(("AgentGroup", "Calendar", "CallType", "Distribution", "Ivr", "Planning",
                     "Scenario", "Shift", "Simulation", "Targets"), "schema"),
    **dict.fromkeys(("apply_overrides", "format_override", "grid", "parse_override"), "whatif"),
    "scenario_to_toml": "write", "write_scenario": "write",
}


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module 'scenarios' has no attribute {name!r}")
    value = getattr(import_module(f"scenarios.{_HOME[name]}"), name)
    globals()[name] = value
    return value


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


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
