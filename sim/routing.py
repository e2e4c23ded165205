"""Routing, in one place: where a call entering the queue goes, and what a free agent does next.

Rules
-----
* Queue entry (:meth:`Router.route`): a call that finds idle agents goes to the group that
  prefers its type most (the type's rank in the group's skills), ties broken by group order in
  the scenario, and within the group to the agent idle longest; otherwise it joins the back of
  its type's queue.
* The agent-free decision (:meth:`Router.next_work`): an agent going off duty leaves; an agent
  with a walk-in task pending serves it (non-preemptive, before any call); otherwise it takes
  the best waiting call among its group's skills: the smallest
  priority number first, then the group's most preferred skill (its order in ``skills``), then
  the longest waiting (FIFO within a call type). Since a group ranks its skills strictly, the
  order of the group's queues is fixed: the agent scans them in ``(priority, rank)`` order and
  takes the head of the first non-empty one. With nothing to do it becomes idle.
* Nothing is ever decided at random.

Queues use lazy deletion: a caller who hangs up stays in its deque, marked as no longer waiting,
and is dropped when it reaches the head. That keeps hang-ups O(1). So that the dead do not pile
up when agents rarely reach the head (a heavily overloaded queue keeps every caller of the day
otherwise, a kilobyte or two each), a queue that has doubled since it was last swept is swept in
place (order kept): amortised O(1) per call, and a queue holds at most about twice its
waiting callers.
"""

from __future__ import annotations

import math
from collections import deque

from scenarios.schema import Scenario

#: What a free agent does next besides taking a call (see :meth:`Router.next_work`).
LEAVE, SERVE_WALK_IN = "leave", "serve_walk_in"
#: Below this length a queue is never swept (sweeping a short queue saves nothing).
_MIN_SWEEP = 1024


class Router:
    """Waiting calls (one FIFO deque per call type), callbacks due (one deque per call type)
    and idle agents (one deque per group)."""

    def __init__(self, scenario: Scenario):
        types = scenario.call_types
        index = {ct.name: j for j, ct in enumerate(types)}
        self.queues = [deque() for _ in types]
        self.callback_queues = [deque() for _ in types]
        self._sweep_at = [_MIN_SWEEP] * len(types)  # queue length that triggers a sweep
        self.idle = [deque() for _ in scenario.agent_groups]
        self._idle_for_type = []
        for ct in types:
            ranked = sorted(
                (grp.skills.index(ct.name), g)
                for g, grp in enumerate(scenario.agent_groups)
                if ct.name in grp.skills
            )
            self._idle_for_type.append([self.idle[g] for _, g in ranked])
        # A group scans its queues by priority class; within a class inbound calls before
        # callbacks, then by its skill preference.
        # Overflow: a call of type j may also go to group overflow_group[j], through a deque
        # of its own that the group scans after its own skills of the same priority class.
        self.overflow_group = [None if ct.overflow is None else
                               [g.name for g in scenario.agent_groups].index(ct.overflow.group)
                               for ct in types]
        self.overflow_queues = [deque() for _ in types]
        callbacks = scenario.callbacks
        callback_priority = None if callbacks is None else (
            math.inf if callbacks.priority is None else callbacks.priority)
        self._queues_for_group = []
        for grp in scenario.agent_groups:
            ranked = [(types[index[name]].priority, 0, rank, self.queues[index[name]])
                      for rank, name in enumerate(grp.skills)]
            if callback_priority is not None:
                ranked += [(callback_priority, 1, rank, self.callback_queues[index[name]])
                           for rank, name in enumerate(grp.skills)]
            g = len(self._queues_for_group)
            ranked += [(ct.priority, 0, len(grp.skills) + j, self.overflow_queues[j])
                       for j, ct in enumerate(types) if self.overflow_group[j] == g]
            ranked.sort(key=lambda entry: entry[:3])
            self._queues_for_group.append([queue for *_, queue in ranked])

    def route(self, call):
        """Queue entry: pop the idle agent ``call`` gets, or put the call at the back of its queue.

        Returns the agent (the caller must then assign it), or ``None`` if the call was queued.
        """
        for idle in self._idle_for_type[call.type]:
            if idle:
                return idle.popleft()
        queue = self.queues[call.type]
        if len(queue) >= self._sweep_at[call.type]:
            # Before the append: ``call`` is marked waiting only once this returns.
            waiting = [c for c in queue if c.waiting]
            queue.clear()
            queue.extend(waiting)
            self._sweep_at[call.type] = max(_MIN_SWEEP, 2 * len(queue))
        queue.append(call)
        return None

    def route_callback(self, job):
        """A callback falls due: pop the idle agent it gets, or put it in its callback queue."""
        for idle in self._idle_for_type[job.type]:
            if idle:
                return idle.popleft()
        self.callback_queues[job.type].append(job)
        return None

    def overflow(self, call):
        """``call`` becomes eligible for its overflow group: pop an idle agent of that group for
        it, or put it in the group's overflow queue too (it stays in its own queue)."""
        idle = self.idle[self.overflow_group[call.type]]
        if idle:
            return idle.popleft()
        self.overflow_queues[call.type].append(call)
        return None

    def idle_for(self, call_type: int) -> bool:
        """Whether an agent who could take a call of ``call_type`` is idle."""
        return any(self._idle_for_type[call_type])

    def waiting(self, call_type: int) -> int:
        """Calls of ``call_type`` waiting in its queue (a count; it walks the queue)."""
        return sum(call.waiting for call in self.queues[call_type])

    def next_work(self, agent):
        """The agent-free decision: :data:`LEAVE`, :data:`SERVE_WALK_IN`, a waiting call, ``None``.

        A returned call has been taken off its queue; ``None`` means nothing waits for the
        agent, which should then become idle.
        """
        if not agent.on_duty:
            return LEAVE
        if agent.walk_ins:
            return SERVE_WALK_IN
        for queue in self._queues_for_group[agent.group]:
            while queue:
                call = queue.popleft()
                if call.waiting:
                    return call
        return None

    def add_idle(self, agent) -> None:
        """An agent becomes idle (the back of its group's idle line)."""
        self.idle[agent.group].append(agent)

    def remove_idle(self, agent) -> None:
        """An idle agent leaves the idle line (shift end, walk-in)."""
        self.idle[agent.group].remove(agent)
