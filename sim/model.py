"""One replication's world: the SimPy environment, lines, router, agents and the caller source.

The model also holds the moments of an attempt's life where the center acts (see
:mod:`sim.caller`), each written once: :meth:`Model.seize_line`, :meth:`Model.block`,
:meth:`Model.release_line`, :meth:`Model.diverted`, :meth:`Model.enter_queue`,
:meth:`Model.assign`, :meth:`Model.abandon`, and the agent-free decision reached through
:meth:`sim.agents.AgentPool.release`; policies (:mod:`sim.policies`) are consulted there.

Run horizon and drain
---------------------
Calls arrive during the calendar's intervals only, and so do redials and callbacks: a later
attempt that would start after the last interval is not made (the caller gives up, counted as
``gave_up``). After the last interval the system drains: the agents on duty at the horizon stay
until every call has left and every callback due has been made. If it cannot drain (no agents
and infinite patience, say), the run stops at ``horizon_s + DRAIN_LIMIT_S`` and the attempts
still in the system are recorded as ``unfinished``. So every attempt has exactly one outcome.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from itertools import islice

import numpy as np
import simpy

from scenarios.calendar import is_open_for, scheduled_agents
from scenarios.schema import Scenario
from sim.agents import CALL, AgentPool
from sim.arrivals import Arrival, CallerSource
from sim.caller import (
    ARRIVAL_S,
    HANDLE_S,
    INTERVAL,
    IS_OPEN,
    PATIENCE_S,
    TYPE,
    TYPE_IN,
    Call,
    CallbackJob,
)
from sim.dists import sampler
from sim.followups import EVENTS
from sim.kernel import call_later, rare_collections, run_until
from sim.metrics import ReplicationCounts, Tally, first_counted_interval
from sim.pacing import ARRIVALS_AHEAD, DRAIN_LIMIT_S, RECORDS_PER_FLUSH
from sim.policies import Dialler, Policy, policies_for
from sim.records import (
    ABANDONED,
    AFTER_HOURS,
    ANSWERED,
    BLOCKED,
    CALLBACK,
    IVR_ABANDONED,
    MESSAGE,
    REDIAL,
    UNFINISHED,
    UNREACHED,
    attempt_row,
)
from sim.routing import Router
from sim.streams import Stream, generator

RowSink = Callable[[list[tuple]], None]

#: Callers whose draws the source turns into Python values at once (a whole number of chunks).
_BLOCK = 64 * ARRIVALS_AHEAD


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
        Consulted, in order, at the moments of an attempt's life (see :mod:`sim.policies`),
        after the policies the scenario itself asks for (redials, callbacks:
        :func:`sim.policies.policies_for`).
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
        self.policies = (*policies_for(scenario), *policies)
        # Per moment, the policies that act there (override the default): a moment no policy
        # changes costs one empty loop, and the hot ones (answered, agent idle) nothing more.
        self._acting = {moment: tuple(p for p in self.policies
                                      if getattr(type(p), moment) is not getattr(Policy, moment))
                        for moment in ("start", "after_hours", "blocked", "ivr_abandoned",
                                       "queue_entry", "answered", "abandoned", "agent_idle")}
        self._answering = self._acting["answered"]  # hot: every agent assignment
        self.diverting = bool(self._acting["queue_entry"])  # read by every call's life
        self.dialler = None if scenario.callbacks is None else Dialler(scenario.callbacks)
        self._overflow_after_s = [math.inf if ct.overflow is None else ct.overflow.after_s
                                  for ct in scenario.call_types]
        self._has_overflow = any(ct.overflow is not None for ct in scenario.call_types)
        self.router = Router(scenario)
        self.pool = pool_class(self.env, scenario, self.router, seed, assign=self.assign,
                              idle=self._agent_idle if self._acting["agent_idle"] else None)
        self.callers = CallerSource(scenario, seed)
        self.lines = math.inf if scenario.lines is None else scenario.lines
        self.live: dict[int, Call] = {}  # calls holding a line, by id (free lines: lines - len)
        self.jobs: dict[int, Call] = {}  # callbacks due: queued or being made, by id
        self.pending = 0  # later attempts scheduled but not started
        self.next_id = 0  # id of the next attempt (first attempts take theirs as they arrive)
        self.done = self.env.event()
        self._seed = seed
        self._rngs: dict[Stream, np.random.Generator] = {}
        self._arrivals = arrivals
        self._arrivals_done = False
        self._first_counted = first_counted_interval(scenario)
        self._rows: list[tuple] = []
        self._sink = sink
        self._tally = Tally(scenario, by=count_by)

    def run(self) -> ReplicationCounts:
        """Simulate until the system drains (or the drain limit), and return the counts."""
        env, horizon_s = self.env, self.scenario.calendar.horizon_s
        for policy in self._acting["start"]:
            policy.start(self)
        env.process(self.pool.roster())
        env.process(self._source())
        env.timeout(horizon_s + DRAIN_LIMIT_S).callbacks.append(self._stop)
        with rare_collections():
            run_until(env, self.done)
        for call in [*self.live.values(), *self.jobs.values()]:
            if (call.kind == CALLBACK and call.answer_s is None
                    and call.job.deadline_at_s is not None):
                self.event("callback_deadline_missed", call)  # never dialled
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
        for batch in batches:
            if progress is not None:
                progress(min(env.now / horizon_s, 1.0))
            size = batch.arrival_s.size
            # The draws become Python values a block of chunks at a time: one conversion per
            # column and block, not per chunk, and memory bounded by the block.
            for block in range(0, size, _BLOCK):
                rows = zip(*(column[block:block + _BLOCK].tolist() for column in batch),
                           strict=True)
                for _ in range(block, min(block + _BLOCK, size), ARRIVALS_AHEAD):
                    now = env._now
                    call_id = self.next_id  # later attempts take ids between chunks
                    for draws in islice(rows, ARRIVALS_AHEAD):
                        # The call's life starts at its arrival (queued as env.timeout would be).
                        Call(call_id, draws, self).schedule(draws[ARRIVAL_S] - now)
                        call_id += 1
                    self.next_id = call_id
                    # Wake up with the chunk's last arrival (its life starts first: created
                    # earlier).
                    yield env.timeout(draws[ARRIVAL_S] - now)
        if env.now < horizon_s:
            yield env.timeout(horizon_s - env.now)
        self._arrivals_done = True
        self._maybe_stop()

    def _maybe_stop(self) -> None:
        """Stop once nothing is left to happen: no call, no callback due, no attempt ahead."""
        if self._arrivals_done and not self.live and not self.jobs and not self.pending:
            self._stop(None)

    # -- the moments of an attempt's life (see sim.caller) -------------------------------------
    def after_hours(self, call: Call) -> None:
        """The attempt arrived outside opening hours and left (the policies may act)."""
        self.finish(call, AFTER_HOURS)
        for policy in self._acting["after_hours"]:
            policy.after_hours(self, call)
        self._maybe_stop()

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
        for policy in self._acting["blocked"]:
            policy.blocked(self, call)
        self._maybe_stop()

    def release_line(self, call: Call, outcome: int) -> None:
        """The caller leaves with ``outcome``: its line is freed and its record written."""
        del self.live[call.id]
        self.finish(call, outcome)
        if self._arrivals_done:
            self._maybe_stop()

    def ivr_hang_up(self, call: Call) -> None:
        """The caller hung up during the IVR greeting: free its line, record it, policies act."""
        del self.live[call.id]
        self.finish(call, IVR_ABANDONED)
        for policy in self._acting["ivr_abandoned"]:
            policy.ivr_abandoned(self, call)
        self._maybe_stop()

    def diverted(self, call: Call) -> bool:
        """Queue entry, first step: ``True`` if a policy took the attempt out of routing."""
        return any(policy.queue_entry(self, call) for policy in self._acting["queue_entry"])

    def enter_queue(self, call: Call) -> bool:
        """Queue entry: one router call gives ``call`` an idle agent now, or queues it.

        Returns whether the caller must wait (suspended until an agent's :meth:`assign` or its
        patience running out wakes it, :meth:`sim.kernel.Life.wake`); ``False`` when it needs
        no wait: it has an agent, or no patience at all.
        """
        agent = self.router.route(call)
        if agent is None and self._has_overflow and self._overflow_after_s[call.type] == 0:
            agent = self.router.overflow(call)
        if agent is not None:
            self.assign(agent, call)
            return False
        patience_s = call.draws[PATIENCE_S]
        if patience_s <= 0:
            return False  # queued only on paper: the router drops it, no longer waiting
        call.waiting = True
        if patience_s != math.inf:
            call_later(self.env, patience_s, call.renege)
        if self._has_overflow:
            after_s = self._overflow_after_s[call.type]
            if 0 < after_s < patience_s:  # (inf: never; a caller gone by then needs no timer)
                self.timeout(after_s).callbacks.append(partial(self._overflow, call))
        return True

    def _overflow(self, call: Call, _event) -> None:
        """The call has waited its type's ``overflow.after_s``: its overflow group may take it."""
        if call.waiting:
            agent = self.router.overflow(call)
            if agent is not None:
                self.assign(agent, call)

    def assign(self, agent, call: Call) -> None:
        """The one place an agent gets a call: at queue entry, or when it frees up."""
        now = self.env._now  # (the property is a call per read: hot path)
        agent.work, agent.work_since = CALL, now
        call.agent, call.answer_s = agent, now
        if self._has_overflow and agent.group == self.router.overflow_group[call.type]:
            call.job = self._overflow_draw(call)
        if call.waiting:
            call.waiting = False
            call.wake()
        for policy in self._answering:
            policy.answered(self, call)

    def abandon(self, call: Call) -> None:
        """The caller hung up in queue: free its line, record it, let the policies act."""
        del self.live[call.id]
        self.finish(call, ABANDONED)
        for policy in self._acting["abandoned"]:
            policy.abandoned(self, call)
        self._maybe_stop()  # after the policies: a redial or callback may follow

    def _overflow_draw(self, call: Call) -> tuple[str, float]:
        """What the overflow agent does with ``call``: ``("serve", talk_s)`` or
        ``("message", message_s)``, drawn from ``Stream.OVERFLOW`` as the agent takes it."""
        overflow = self.scenario.call_types[call.type].overflow
        rng = self.rng(Stream.OVERFLOW)
        if overflow.mode == "message":
            return "message", float(sampler(overflow.message)(rng, 1)[0])
        if overflow.handle_time is None:
            return "serve", call.draws[HANDLE_S]
        return "serve", float(sampler(overflow.handle_time)(rng, 1)[0])

    def message_taken(self, call: Call) -> None:
        """An overflow agent took a message: the caller leaves and is put on the callback list
        (due at once, or after ``callbacks.abandoned.delay`` when that is set)."""
        abandoned = self.scenario.callbacks.abandoned
        delay_s = 0.0 if abandoned is None else self.dialler.abandon_delay(self)
        self.request_callback(call, self.env.now + delay_s,
                              deadline_s=None if abandoned is None else abandoned.deadline_s)
        self.release_line(call, MESSAGE)

    # -- later attempts: redials and callbacks ---------------------------------------------------
    def rng(self, stream: Stream) -> np.random.Generator:
        """The replication's generator for a purpose of the policies (created when first used)."""
        if stream not in self._rngs:
            self._rngs[stream] = generator(self._seed, stream)
        return self._rngs[stream]

    def count(self, name: str, n: int = 1) -> None:
        """Count ``n`` events of ``name`` (:data:`sim.followups.EVENTS`) in the current
        interval (none after the horizon)."""
        k = int(self.env.now // self.scenario.calendar.interval_s)
        if self._first_counted <= k < self.scenario.calendar.n_intervals:
            self._tally.followups.events[EVENTS.index(name), k] += n

    def event(self, name: str, call: Call) -> None:
        """Count an event of the caller's (see :data:`sim.followups.EVENTS`)."""
        if call.first_interval >= self._first_counted:
            self._tally.followups.event(name, call.first_interval)

    def _follow_up(self, call: Call, start_s: float, kind: int) -> Call | None:
        """A new attempt of ``call``'s caller starting at ``start_s`` (``None``: past the
        horizon, the caller gives up)."""
        cal = self.scenario.calendar
        if start_s >= cal.horizon_s:
            self.event("gave_up", call)
            return None
        draws = list(call.draws)
        draws[ARRIVAL_S] = start_s
        draws[INTERVAL] = int(start_s // cal.interval_s)
        draws[IS_OPEN] = bool(
            is_open_for(self.scenario, draws[TYPE_IN], np.array([start_s]))[0])
        if kind == REDIAL:
            # Patience is drawn anew for each attempt (how long one holds depends on the moment
            # as much as on the person; it keeps redials the Markov model of erlang/redial_chain);
            # talk time and wrap-up stay the caller's own: the same need.
            patience = self.scenario.call_types[draws[TYPE]].patience
            draws[PATIENCE_S] = float(sampler(patience)(self.rng(Stream.REDIAL), 1)[0])
        attempt = (CallbackJob if kind == CALLBACK else Call)(self.next_id, tuple(draws), self)
        self.next_id += 1
        attempt.caller_id, attempt.first_interval = call.caller_id, call.first_interval
        attempt.attempt, attempt.kind = call.attempt + 1, kind
        if kind == CALLBACK:  # a callback skips the IVR: it is for the caller's menu choice
            attempt.type = draws[TYPE]
        self.pending += 1
        event = self.timeout(start_s - self.env.now)
        event.callbacks.append(self._started)
        event.callbacks.append(attempt)  # its life starts then
        return attempt

    def _started(self, _event) -> None:
        self.pending -= 1

    def redial(self, call: Call, delay_s: float) -> None:
        """The caller of ``call`` tries again in ``delay_s`` seconds (if before the horizon)."""
        self._follow_up(call, self.env.now + delay_s, REDIAL)

    def request_callback(self, call: Call, due_s: float, *, deadline_s: float | None = None,
                         keep_place: bool = False) -> None:
        """Put the caller of ``call`` on the callback list, due at ``due_s``.

        ``deadline_s`` (from now) is the target for the first dial; ``keep_place``: the callback
        waits in the caller's place in its call type's queue instead of the callback queue.
        """
        job = self._follow_up(call, due_s, CALLBACK)
        if job is not None:
            job.arrival_s = self.env.now  # the request
            job.attempt = 1  # the first callback attempt: attempts count per request
            job.job = self.dialler.draw(self, deadline_s, keep_place)

    def retry_callback(self, job: Call) -> None:
        """An unreached callback is tried again after the retry delay, up to the limit."""
        if job.attempt >= self.scenario.callbacks.max_attempts:
            return
        retry = self._follow_up(job, self.env.now + self.dialler.retry_delay(self), CALLBACK)
        if retry is not None:
            retry.arrival_s = self.env.now
            retry.job = self.dialler.draw(self, None, job.job.keep_place)

    def queue_callback(self, job: Call) -> bool:
        """A callback falls due: an idle agent takes it now (``False``), or it waits for one,
        forever (``True``: suspended until :meth:`assign` wakes it)."""
        self.jobs[job.id] = job
        job.queue_entry_s = self.env.now
        agent = (self.router.route(job) if job.job.keep_place
                 else self.router.route_callback(job))
        if agent is not None:
            self.assign(agent, job)
            return False
        job.waiting = True
        return True

    def callback_dialled(self, job: Call) -> None:
        """An agent starts dialling a callback (checked against its deadline)."""
        deadline_at_s = job.job.deadline_at_s
        if deadline_at_s is not None and self.env.now > deadline_at_s:
            self.event("callback_deadline_missed", job)

    def callback_done(self, job: Call, reached: bool) -> None:
        """A callback attempt ends: talked (its wrap-up follows), or nobody answered."""
        del self.jobs[job.id]
        if reached:
            self.finish(job, ANSWERED)
        else:
            self.finish(job, UNREACHED)
            self.retry_callback(job)
        self._maybe_stop()

    def _agent_idle(self, agent) -> bool:
        return any(policy.agent_idle(self, agent) for policy in self._acting["agent_idle"])

    # -- records --------------------------------------------------------------------------------
    def finish(self, call: Call, outcome: int) -> None:
        """Write the attempt's record (:func:`sim.records.attempt_row`); warm-up callers are not
        recorded.

        Which callers count is defined once, in :func:`sim.metrics.first_counted_interval`.
        """
        if call.first_interval < self._first_counted:
            return
        self._rows.append(attempt_row(call, outcome, self.env._now))
        if len(self._rows) >= RECORDS_PER_FLUSH:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._tally.add(self._rows)
            if self._sink is not None:
                self._sink(self._rows)
            self._rows = []
