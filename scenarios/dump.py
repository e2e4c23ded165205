"""Scenario -> plain data: a canonical dict (for JSON and hashing) and its hash."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from scenarios.schema import Scenario

#: Run settings left out of :func:`scenario_hash`: every result records them beside the hash
#: (as ``entropy`` and ``replications``), and they say how a center was simulated, not which.
RUN_SETTINGS = ("seed", "replications")


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario as nested dicts, lists and numbers, in seconds (its internal units)."""
    return dataclasses.asdict(scenario)


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the canonical JSON of the scenario (sorted keys, no whitespace).

    Two scenarios have the same hash exactly when every field is equal except the run settings
    ``simulation.seed`` and ``simulation.replications`` (:data:`RUN_SETTINGS`), so a result that
    records this hash says which call center produced it, whatever file or overrides it came
    from. The run settings are recorded next to the hash instead: an unseeded run and its repeat
    with ``--seed <entropy>`` have the same hash, and so have 10 and 20 replications of one
    center. Every other field counts, run settings such as ``warmup_s`` and
    ``daily_busyness_cv`` included (they change what is measured).
    """
    data = scenario_to_dict(scenario)
    for key in RUN_SETTINGS:
        del data["simulation"][key]
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
