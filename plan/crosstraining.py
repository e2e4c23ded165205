"""The value of cross-training a few agents of one group in a second skill, by simulation.

For ``k`` agents of group ``G`` trained in call type ``T`` (not yet one of ``G``'s skills), the
scenario is changed so: in every interval, ``min(k, staffing)`` of ``G``'s agents move to a new
group ``G+T`` with ``G``'s skills followed by ``T`` (so they still prefer their own calls) and
``G``'s availability. Baseline and every ``k`` are simulated with the same root seed (common
random numbers: the same callers, the same talk times), and the value is the paired difference
per replication, with a Student-t 95 % CI: service level overall and of ``T``, abandoned calls
(per day of the horizon), occupancy of ``G``'s agents.

Assumption: a group working shifts is read as its agents per interval (rounded time averages),
so its shifts become a staffing vector in both the baseline and the variants.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from plan.errors import PlanError
from plan.requirements import estimates
from scenarios.calendar import scheduled_agents
from scenarios.schema import Scenario
from sim.metrics import call_type_metrics, total_metrics
from sim.replicate import run_counts
from sim.results import Estimate
from sim.streams import replication_seed


@dataclass(frozen=True, kw_only=True)
class CrossTrainingValue:
    """What ``agents`` cross-trained agents change, against the baseline (paired differences).

    ``service_level``, ``skill_service_level``: share points gained (overall, calls of the new
    skill); ``abandoned``: calls that abandon per day, change (negative is better).
    """

    agents: int
    service_level: Estimate
    skill_service_level: Estimate
    abandoned: Estimate


def cross_trained(scenario: Scenario, group: str, skill: str, agents: int) -> Scenario:
    """``scenario`` with ``agents`` of ``group`` (per interval, as far as it has them) also
    answering ``skill`` (see the module notes)."""
    names = [g.name for g in scenario.agent_groups]
    if group not in names:
        raise PlanError(f"cross-training group must be one of {', '.join(names)}, got {group!r}")
    types = [ct.name for ct in scenario.call_types]
    if skill not in types:
        raise PlanError(f"cross-training skill must be one of {', '.join(types)}, got {skill!r}")
    g = names.index(group)
    base = scenario.agent_groups[g]
    if skill in base.skills:
        raise PlanError(f"group {group!r} already answers {skill!r}")
    if agents < 0:
        raise PlanError(f"cross-trained agents must be >= 0, got {agents}")
    on_duty = np.rint(scheduled_agents(scenario)).astype(int)
    moved = np.minimum(on_duty[g], agents)
    groups = [dataclasses.replace(x, staffing=tuple(int(a) for a in on_duty[i]), shifts=())
              for i, x in enumerate(scenario.agent_groups)]
    groups[g] = dataclasses.replace(groups[g], staffing=tuple(int(a) for a in on_duty[g] - moved))
    if agents > 0:
        groups.append(dataclasses.replace(base, name=f"{group}+{skill}",
                                          skills=(*base.skills, skill),
                                          staffing=tuple(int(a) for a in moved), shifts=()))
    return dataclasses.replace(scenario, agent_groups=tuple(groups))


def cross_training_value(scenario: Scenario, *, group: str, skill: str,
                         counts: Sequence[int] = (1, 2, 3), entropy: int,
                         replications: int, engine: str = "auto") -> list[CrossTrainingValue]:
    """Paired value of cross-training 0 < k agents, for each ``k`` in ``counts``, simulated
    with ``engine`` (:func:`sim.replicate.engine_for`)."""
    if replications < 2:
        raise PlanError(f"replications must be >= 2 for confidence intervals, got {replications}")
    variants = [cross_trained(scenario, group, skill, 0)]
    variants += [cross_trained(scenario, group, skill, k) for k in counts]
    t = [ct.name for ct in scenario.call_types].index(skill)
    days = len(scenario.calendar.days)
    figures = np.zeros((len(variants), replications, 3))
    for r in range(replications):
        for v, sc in enumerate(variants):
            rc = run_counts(sc, replication_seed(entropy, r), engine=engine)
            total = total_metrics(rc, sc)
            by_type = call_type_metrics(rc, sc)
            figures[v, r] = (total["service_level"], by_type["service_level"][t],
                             total["abandoned"] / days)
    diff = figures[1:] - figures[:1]
    return [CrossTrainingValue(agents=k, service_level=estimates(diff[i, :, 0:1])[0],
                               skill_service_level=estimates(diff[i, :, 1:2])[0],
                               abandoned=estimates(diff[i, :, 2:3])[0])
            for i, k in enumerate(counts)]
