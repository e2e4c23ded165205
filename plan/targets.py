"""A scenario's targets judged on simulated intervals, by the one judge of :mod:`erlang.targets`.

Each interval is judged on its replication means. The simulation reports its service level
already computed under the scenario's ``sl_definition`` (as ``service_level``), so that figure is
handed to the judge under the name the judge reads for that definition.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from erlang.targets import SL_DEFINITIONS, ServiceTargets, Verdict
from scenarios.schema import Scenario, Targets
from sim.results import Estimate, SimResult


def service_targets(targets: Targets) -> ServiceTargets:
    """The judge's targets for a scenario's ``targets`` table."""
    return ServiceTargets(
        service_level=targets.service_level,
        awt_s=targets.awt_s,
        sl_definition=targets.sl_definition,
        short_abandon_s=targets.short_abandon_s,
        max_asa_s=targets.max_asa_s,
        max_abandon=targets.max_abandon,
        max_occupancy=targets.max_occupancy,
    )


def simulated_figures(estimates: Mapping[str, Estimate], sl_definition: str) -> dict[str, float]:
    """The replication means the judge reads, named as :meth:`ServiceTargets.judge` expects.

    Parameters
    ----------
    estimates : mapping
        Metric name -> estimate, as in :attr:`sim.results.SimResult.intervals`; its
        ``service_level`` was computed under ``sl_definition``.
    sl_definition : str
        The definition the simulation used (the scenario's ``targets.sl_definition``).
    """
    return {
        SL_DEFINITIONS[sl_definition]: estimates["service_level"].mean,
        "asa_s": estimates["asa_s"].mean,
        "p_abandon": estimates["p_abandon"].mean,
        "occupancy": estimates["occupancy"].mean,
    }


def judge_intervals(scenario: Scenario, result: SimResult) -> list[tuple[Verdict, ...]]:
    """One tuple of verdicts per interval of ``result`` (``nan`` figures, e.g. in the warm-up,
    meet nothing; a report may leave them out of its counts)."""
    targets = service_targets(scenario.targets)
    return [targets.judge(simulated_figures(estimates, targets.sl_definition))
            for estimates in result.intervals]


def probability_met(scenario: Scenario, per_replication: list[dict[str, Any]]
                    ) -> dict[str, float]:
    """Per target, the share of replications whose figures meet it.

    ``per_replication`` holds one mapping of figures per replication (metric -> float, named as
    the simulation names them, e.g. one interval's or the whole run's figures). Replications
    where a figure is undefined (``nan``) are left out of that target's share; a target with no
    defined replication gets ``nan``.
    """
    targets = service_targets(scenario.targets)
    met: dict[str, list[bool]] = {}
    for figures in per_replication:
        verdicts = targets.judge(_plain_figures(figures, targets.sl_definition))
        for v in verdicts:
            if not math.isnan(v.value):
                met.setdefault(v.target, []).append(v.met)
            else:
                met.setdefault(v.target, [])
    return {name: (sum(flags) / len(flags) if flags else math.nan)
            for name, flags in met.items()}


def _plain_figures(figures: Mapping[str, float], sl_definition: str) -> dict[str, float]:
    return {
        SL_DEFINITIONS[sl_definition]: float(figures["service_level"]),
        "asa_s": float(figures["asa_s"]),
        "p_abandon": float(figures["p_abandon"]),
        "occupancy": float(figures["occupancy"]),
    }
