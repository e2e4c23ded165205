"""Scenario files: schema (frozen dataclasses), TOML loading with validation, what-if overrides."""

from scenarios.schema import (
    AgentGroup,
    Calendar,
    CallType,
    Distribution,
    Ivr,
    Scenario,
    Shift,
    Simulation,
    Targets,
)

__all__ = [
    "AgentGroup",
    "Calendar",
    "CallType",
    "Distribution",
    "Ivr",
    "Scenario",
    "Shift",
    "Simulation",
    "Targets",
]
