"""Routing, in one place: which idle agent a new call gets, which waiting call a free agent takes.

Rules
-----
* An agent that frees up takes the best waiting call among its group's skills: the smallest
  priority number first, then the group's most preferred skill (its order in ``skills``), then
  the longest waiting (FIFO within a call type). Since a group ranks its skills strictly, the
  order of the group's queues is fixed: the agent scans them in ``(priority, rank)`` order and
  takes the head of the first non-empty one.
* A call that finds idle agents goes to the group that prefers its type most (the type's rank in
  the group's skills), ties broken by group order in the scenario, and within the group to the
  agent idle longest.
* Nothing is ever decided at random.

Queues use lazy deletion: a caller who hangs up stays in its deque, marked as no longer waiting,
and is dropped when it reaches the head. That keeps hang-ups O(1).
"""

from __future__ import annotations

from collections import deque

from scenarios.schema import Scenario


class Router:
    """Waiting calls (one FIFO deque per call type) and idle agents (one deque per group)."""

    def __init__(self, scenario: Scenario):
        types = scenario.call_types
        index = {ct.name: j for j, ct in enumerate(types)}
        self.queues = [deque() for _ in types]
        self.idle = [deque() for _ in scenario.agent_groups]
        self._idle_for_type = []
        for ct in types:
            ranked = sorted(
                (grp.skills.index(ct.name), g)
                for g, grp in enumerate(scenario.agent_groups)
                if ct.name in grp.skills
            )
            self._idle_for_type.append([self.idle[g] for _, g in ranked])
        self._queues_for_group = []
        for grp in scenario.agent_groups:
            ranked = sorted(
                (types[index[name]].priority, rank, index[name])
                for rank, name in enumerate(grp.skills)
            )
            self._queues_for_group.append([self.queues[j] for _, _, j in ranked])

    def agent_for(self, call_type: int):
        """Pop the idle agent an arriving call of ``call_type`` gets, or ``None``."""
        for idle in self._idle_for_type[call_type]:
            if idle:
                return idle.popleft()
        return None

    def call_for(self, group: int):
        """Pop the waiting call a free agent of ``group`` takes, or ``None``."""
        for queue in self._queues_for_group[group]:
            while queue:
                call = queue.popleft()
                if call.waiting:
                    return call
        return None

    def enqueue(self, call, call_type: int) -> None:
        """Put a call at the back of its type's queue."""
        self.queues[call_type].append(call)

    def add_idle(self, agent) -> None:
        """An agent becomes idle (the back of its group's idle line)."""
        self.idle[agent.group].append(agent)

    def remove_idle(self, agent) -> None:
        """An idle agent leaves the idle line (shift end, walk-in)."""
        self.idle[agent.group].remove(agent)
