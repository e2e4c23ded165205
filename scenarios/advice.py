"""Scenarios that are valid but will not do what their author probably meant: warnings.

A scenario with no agent on duty at any time, or a call type whose every group has no agent on
duty, runs (every such call waits, abandons or ends unfinished), and sometimes that is the
question being asked; so these are warnings for stderr, not errors.
"""

from __future__ import annotations

from scenarios.calendar import scheduled_agents
from scenarios.schema import Scenario


def scenario_warnings(scenario: Scenario) -> list[str]:
    """One sentence per likely mistake (empty if none)."""
    on_duty = scheduled_agents(scenario)  # (groups, intervals)
    if not on_duty.any():
        return ["no agent is on duty in any interval: every call that reaches the queue will "
                "wait, abandon or end unfinished"]
    staffed = {skill for g, group in enumerate(scenario.agent_groups) if on_duty[g].any()
               for skill in group.skills}
    served_by_menu = {name for _, split in scenario.ivr.menu for name, share in split if share}
    menu_sources = {name for name, _ in scenario.ivr.menu}
    out = []
    for ct in scenario.call_types:
        reaches = ct.name in served_by_menu or (ct.name not in menu_sources
                                                and any(map(any, (v for _, v in
                                                                  ct.calls_per_interval))))
        if reaches and ct.name not in staffed:
            out.append(f"call type {ct.name!r} can reach the queue but no group with that skill "
                       "has an agent on duty in any interval")
    return out
