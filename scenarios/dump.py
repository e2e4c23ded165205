"""Scenario -> plain data: a canonical dict (for JSON and hashing) and its hash."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from scenarios.schema import Scenario


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario as nested dicts, lists and numbers, in seconds (its internal units)."""
    return dataclasses.asdict(scenario)


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the canonical JSON of the scenario (sorted keys, no whitespace).

    Two scenarios have the same hash exactly when every field is equal, so a result that records
    this hash says which scenario produced it, whatever file or overrides it came from.
    """
    text = json.dumps(scenario_to_dict(scenario), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
