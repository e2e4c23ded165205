"""One replication's world: the SimPy environment, lines, router, agents and the caller source.

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

from scenarios.schema import Scenario
from sim.agents import AgentPool, scheduled_agents
from sim.arrivals import Arrival, CallerSource
from sim.caller import ARRIVAL_S, INTERVAL, TYPE_IN, WRAP_S, Call
from sim.metrics import ReplicationCounts, Tally, first_counted_interval
from sim.records import ABANDONED, ANSWERED, UNFINISHED
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
    """

    def __init__(self, scenario: Scenario, seed: np.random.SeedSequence, *,
                 arrivals: list[Arrival] | None = None, sink: RowSink | None = None):
        self.scenario = scenario
        self.env = simpy.Environment()
        self.timeout = self.env.timeout  # bound once: each ``env.timeout`` access allocates
        self.router = Router(scenario)
        self.pool = AgentPool(self.env, scenario, self.router, seed)
        self.callers = CallerSource(scenario, seed)
        self.lines = math.inf if scenario.lines is None else scenario.lines
        self.live: dict[int, Call] = {}  # calls holding a line, by id (free lines: lines - len)
        self.done = self.env.event()
        self._arrivals = arrivals
        self._arrivals_done = False
        self._first_counted = first_counted_interval(scenario)
        self._rows: list[tuple] = []
        self._sink = sink
        self._tally = Tally(scenario)

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
        n_days = len(self.scenario.calendar.days)
        batches = ([callers.explicit(self._arrivals)] if self._arrivals is not None
                   else (callers.day(d) for d in range(n_days)))
        call_id = 0
        for batch in batches:
            for start in range(0, batch.arrival_s.size, _CHUNK):
                columns = (column[start:start + _CHUNK].tolist() for column in batch)
                now, timeout = env.now, self.timeout
                for draws in zip(*columns, strict=True):
                    # The call's life starts when its arrival timeout is processed.
                    timeout(draws[ARRIVAL_S] - now).callbacks.append(Call(call_id, draws, self))
                    call_id += 1
                # Wake up with the chunk's last arrival (its life starts first: created earlier).
                yield env.timeout(draws[ARRIVAL_S] - now)
        horizon_s = self.scenario.calendar.horizon_s
        if env.now < horizon_s:
            yield env.timeout(horizon_s - env.now)
        self._arrivals_done = True
        if not self.live:
            self._stop(None)

    def hang_up(self, call: Call, outcome: int) -> None:
        """The caller leaves: its line is freed and its record written."""
        del self.live[call.id]
        self.finish(call, outcome)
        if self._arrivals_done and not self.live:
            self._stop(None)

    def finish(self, call: Call, outcome: int) -> None:
        """Write the call's record (see :mod:`sim.records`); warm-up calls are not recorded.

        Which calls count is defined once, in :func:`sim.metrics.first_counted_interval`.
        """
        draws = call.draws
        if draws[INTERVAL] < self._first_counted:
            return
        now = self.env.now
        queue_entry_s, answer_s, agent = call.queue_entry_s, call.answer_s, call.agent
        wait_s = None if queue_entry_s is None else (
            (now if answer_s is None else answer_s) - queue_entry_s)
        self._rows.append((
            call.id, draws[TYPE_IN], call.type, call.arrival_s, draws[INTERVAL],
            call.ivr_exit_s, queue_entry_s, answer_s,
            now if outcome == ABANDONED else None,
            now,
            now + draws[WRAP_S] if outcome == ANSWERED else None,
            outcome,
            None if agent is None else agent.group,
            None if agent is None else agent.index,
            wait_s,
        ))
        if len(self._rows) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._tally.add(self._rows)
            if self._sink is not None:
                self._sink(self._rows)
            self._rows = []
