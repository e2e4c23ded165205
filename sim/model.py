"""One replication's world: the SimPy environment, lines, router, agents and the caller source.

The model also holds the moments of an attempt's life where the center acts (see
:mod:`sim.caller`), each written once: :meth:`Model.seize_line`, :meth:`Model.block`,
:meth:`Model.release_line`, :meth:`Model.diverted`, :meth:`Model.enter_queue`,
:meth:`Model.assign`, :meth:`Model.abandon`, and the agent-free decision reached through
:meth:`sim.agents.AgentPool.release`; policies (:mod:`sim.policies`) are consulted there.

Run horizon and drain
---------------------
Calls arrive during the calendar's intervals only. After the last interval no new call arrives
and the system drains: the agents on duty at the horizon stay until every call has left. If the
queue cannot drain (no agents and infinite patience, say), the run stops at
``horizon_s + DRAIN_LIMIT_S`` and the calls still in the system are recorded as ``unfinished``.
So every offered call has exactly one outcome, and ``offered = after_hours + blocked +
ivr_abandoned + ivr_served + abandoned + answered + unfinished``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import simpy

from scenarios.calendar import scheduled_agents
from scenarios.schema import Scenario
from sim.agents import CALL, AgentPool
from sim.arrivals import Arrival, CallerSource
from sim.caller import ARRIVAL_S, PATIENCE_S, WRAP_S, Call
from sim.metrics import ReplicationCounts, Tally, first_counted_interval
from sim.policies import Policy
from sim.records import ABANDONED, BLOCKED, UNFINISHED, attempt_row
from sim.routing import Router

#: How long after the horizon a run may go on draining before the rest counts as unfinished (s).
DRAIN_LIMIT_S = 86400.0
_CHUNK = 64  # callers scheduled ahead at a time: a small event heap is a fast heap (measured)
_BATCH = 4096  # records buffered per flush to the tally and the sink

RowSink = Callable[[list[tuple]], None]


class Model:
    """The simulated call center for one replication.

    Parameters
    ----------
    scenario : Scenario
    seed : numpy.random.SeedSequence
        The replication's seed sequence (see :mod:`sim.streams`).
    arrivals : list of Arrival, optional
        Explicit arrivals replacing the Poisson arrivals (tests, replays).
    sink : callable, optional
        Receives batches of raw record rows (see :mod:`sim.records`) as calls finish.
    policies : sequence of Policy
        Consulted, in order, at the moments of an attempt's life (see :mod:`sim.policies`).
    pool_class : type
        The agent pool (:class:`sim.agents.AgentPool` or a subclass, e.g. one that logs the
        agents' moments in a test), passed in rather than fixed, as Ciw passes ``node_class``.
    count_by : {"caller", "attempt"}
        Count each attempt in the interval of its caller's first arrival (default) or in the
        interval of the attempt itself (see :class:`sim.metrics.Tally`).
    progress : callable, optional
        ``progress(share)`` with the share of the horizon simulated so far (0 to 1), each time a
        chunk of arrivals is drawn (:meth:`sim.arrivals.CallerSource.chunks`): long runs can
        show progress within a replication.
    """

    def __init__(self, scenario: Scenario, seed: np.random.SeedSequence, *,
                 arrivals: list[Arrival] | None = None, sink: RowSink | None = None,
                 policies: tuple[Policy, ...] = (), pool_class: type[AgentPool] = AgentPool,
                 count_by: str = "caller", progress: Callable[[float], None] | None = None):
        self.scenario = scenario
        self._progress = progress
        self.env = simpy.Environment()
        self.timeout = self.env.timeout  # bound once: each ``env.timeout`` access allocates
        self.policies = tuple(policies)
        self.router = Router(scenario)
        self.pool = pool_class(self.env, scenario, self.router, seed, assign=self.assign,
                              idle=self._agent_idle if self.policies else None)
        self.callers = CallerSource(scenario, seed)
        self.lines = math.inf if scenario.lines is None else scenario.lines
        self.live: dict[int, Call] = {}  # calls holding a line, by id (free lines: lines - len)
        self.done = self.env.event()
        self._arrivals = arrivals
        self._arrivals_done = False
        self._first_counted = first_counted_interval(scenario)
        self._rows: list[tuple] = []
        self._sink = sink
        self._tally = Tally(scenario, by=count_by)

    def run(self) -> ReplicationCounts:
        """Simulate until the system drains (or the drain limit), and return the counts."""
        env, horizon_s = self.env, self.scenario.calendar.horizon_s
        env.process(self.pool.roster())
        env.process(self._source())
        env.timeout(horizon_s + DRAIN_LIMIT_S).callbacks.append(self._stop)
        env.run(until=self.done)
        for call in list(self.live.values()):
            self.finish(call, UNFINISHED)
        self.pool.close()
        self._flush()
        return self._tally.result(self.pool, scheduled_agents(self.scenario))

    def _stop(self, _event) -> None:
        if not self.done.triggered:
            self.done.succeed()

    def _source(self):
        """SimPy process: start each caller's life at its arrival instant, a chunk at a time."""
        env, callers = self.env, self.callers
        batches = ([callers.explicit(self._arrivals)] if self._arrivals is not None
                   else callers.chunks())
        progress, horizon_s = self._progress, self.scenario.calendar.horizon_s
        call_id = 0
        for batch in batches:
            if progress is not None:
                progress(min(env.now / horizon_s, 1.0))
            for start in range(0, batch.arrival_s.size, _CHUNK):
                columns = (column[start:start + _CHUNK].tolist() for column in batch)
                now, timeout = env.now, self.timeout
                for draws in zip(*columns, strict=True):
                    # The call's life starts when its arrival timeout is processed.
                    timeout(draws[ARRIVAL_S] - now).callbacks.append(Call(call_id, draws, self))
                    call_id += 1
                # Wake up with the chunk's last arrival (its life starts first: created earlier).
                yield env.timeout(draws[ARRIVAL_S] - now)
        if env.now < horizon_s:
            yield env.timeout(horizon_s - env.now)
        self._arrivals_done = True
        if not self.live:
            self._stop(None)

    # -- the moments of an attempt's life (see sim.caller) -------------------------------------
    def seize_line(self, call: Call) -> bool:
        """Take a trunk line for ``call`` (held until it leaves); ``False`` if every one is busy."""
        live = self.live
        if len(live) >= self.lines:
            return False
        live[call.id] = call
        return True

    def block(self, call: Call) -> None:
        """The attempt found every line busy: record it and let the policies act."""
        self.finish(call, BLOCKED)
        for policy in self.policies:
            policy.blocked(self, call)

    def release_line(self, call: Call, outcome: int) -> None:
        """The caller leaves with ``outcome``: its line is freed and its record written."""
        del self.live[call.id]
        self.finish(call, outcome)
        if self._arrivals_done and not self.live:
            self._stop(None)

    def diverted(self, call: Call) -> bool:
        """Queue entry, first step: ``True`` if a policy took the attempt out of routing."""
        return any(policy.queue_entry(self, call) for policy in self.policies)

    def enter_queue(self, call: Call) -> simpy.Event | None:
        """Queue entry: one router call gives ``call`` an idle agent now, or queues it.

        Returns the event the caller then waits on (an agent's :meth:`assign`, or its patience
        running out), or ``None`` when it needs no wait: it has an agent, or no patience at all.
        """
        agent = self.router.route(call)
        if agent is not None:
            self.assign(agent, call)
            return None
        patience_s = call.draws[PATIENCE_S]
        if patience_s <= 0:
            return None  # queued only on paper: the router drops it, no longer waiting
        call.waiting = True
        call.wake = wake = self.env.event()
        if patience_s != math.inf:
            self.timeout(patience_s).callbacks.append(call.renege)
        return wake

    def assign(self, agent, call: Call) -> None:
        """The one place an agent gets a call: at queue entry, or when it frees up."""
        now = self.env.now
        agent.work, agent.work_since = CALL, now
        call.agent, call.answer_s = agent, now
        if call.waiting:
            call.waiting = False
            call.wake.succeed(agent)

    def abandon(self, call: Call) -> None:
        """The caller hung up in queue: free its line, record it, let the policies act."""
        self.release_line(call, ABANDONED)
        for policy in self.policies:
            policy.abandoned(self, call)

    def _agent_idle(self, agent) -> bool:
        return any(policy.agent_idle(self, agent) for policy in self.policies)

    # -- records --------------------------------------------------------------------------------
    def finish(self, call: Call, outcome: int) -> None:
        """Write the attempt's record (:func:`sim.records.attempt_row`); warm-up callers are not
        recorded.

        Which callers count is defined once, in :func:`sim.metrics.first_counted_interval`.
        """
        if call.first_interval < self._first_counted:
            return
        self._rows.append(attempt_row(call, outcome, self.env.now, call.draws[WRAP_S]))
        if len(self._rows) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._tally.add(self._rows)
            if self._sink is not None:
                self._sink(self._rows)
            self._rows = []
