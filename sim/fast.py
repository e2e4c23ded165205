"""The fast engine: one replication without SimPy, call by call the same as ``Model.run``.

What it is
----------
A discrete-event loop of its own over a plain ``heapq`` of tuples ``(time, seq, code, ...)``
and two sorted streams beside it (the arrivals, and the ends of the calls' IVR steps), with no
per-call objects: a call is its index into the caller draws, an agent a number (group by
group). For the scenarios it accepts (:func:`fast_path_reason` returns ``None``) it
reproduces :meth:`sim.model.Model.run` exactly: the same records (same outcome, same times to
the bit, same agent), hence the same :class:`sim.metrics.ReplicationCounts` (agent time sums
bit for bit too, accounted in the same order).

How it stays exact
------------------
* **Event order.** SimPy processes events by ``(time, priority, event id)``, ids counting up as
  events are scheduled. ``seq`` here is that id, given in the order the SimPy model schedules
  the events that matter: the roster's and the source's start (urgent, time 0), the drain-limit
  stop, each chunk of :data:`sim.pacing.ARRIVALS_AHEAD` arrival timeouts and the source's own
  wake-up after them (created when the previous chunk's last arrival has been processed), the IVR
  timeout, the patience timer, the ``wake`` event of an agent's assignment or of a patience
  expiry (scheduled when it happens, processed later at the same instant), the talk and wrap-up
  timeouts, the roster's next change, the end of arrivals and the ``done`` event. Events that
  do nothing in the SimPy model (the end of a process) take no ``seq``: only the relative order
  of ids matters. A tie (deterministic durations, arrivals at one instant, a release at the
  moment of a shift change or a patience expiry) is thus decided as SimPy decides it.
* **Streams.** The arrivals (ids reserved chunk by chunk) and the IVR steps' ends are not on
  the heap: their order is known per batch. An IVR step's end takes its id when its call
  arrives, and those ids grow with the calls' ids, so sorting the ends by (end, call id) with
  numpy gives their event order (:meth:`_Engine._merge_stream`); the loop takes whichever of
  the heap's top, the next arrival and the stream's head comes first by (time, id), a head
  whose call has not arrived yet counting as after its arrival (it is).
* **Floating point.** Every instant is computed with the operations SimPy performs:
  ``now + delay``, where the model's delay is itself ``instant - now`` for arrivals
  (``now`` being the previous chunk's last arrival) and roster changes.
* **Agents.** Idle agents wait in a FIFO deque per group (longest idle first); a call
  entering the queue goes to the group that ranks its type highest among its skills, ties to
  the first group in the scenario, if one of its agents is idle; a freed agent scans its
  group's queues in ``(priority, skill rank)`` order and takes the first caller still waiting
  (lazy deletion); the rosters of all groups run as one process, in time order; agents
  leaving at shift end finish their call, agents on duty at the horizon stay to drain:
  :mod:`sim.agents` and :mod:`sim.routing`, step by step. Walk-ins
  too: each agent's own stream (``Stream.WALK_IN``, drawn 256 at a time and in the same
  order: the next gap, then the task's length), tasks served before any call, a stream
  stopped at shift end (its epoch), no walk-in after the horizon.
* **Draws.** The callers come from the same :class:`sim.arrivals.CallerSource` (or the explicit
  arrivals), batch by batch, so common random numbers hold; memory is bounded by two batches
  plus the calls in the system (a call outlasting a batch has its draws kept aside, see
  :meth:`_Engine.next_batch`; queues are swept of callers who hung up as the router sweeps;
  the IVR stream holds the last batch's IVR steps and those still under way).

Records: a finished call leaves its id, its outcome and agent (packed in one small integer),
its end and its answer instant in plain lists; every :data:`_FLUSH` calls they become record
columns with numpy (the other times recomputed from the draws with the model's float
operations). The tally
takes columns (:meth:`sim.metrics.Tally.add_columns`) in the model's batches of
:data:`sim.pacing.RECORDS_PER_FLUSH` rows, so even its float sums agree to the bit; row tuples are
built only when a sink asks for records. Rows reach the sink in the model's order (the order calls
finish, the calls left unfinished last, by id) and in the model's batches.

Speed: the loop touches no object per call (a call is an index, an event a tuple on the heap),
the draws are read from per-batch Python lists, and an agent's wake-up with nothing else due at
that instant runs at once instead of through the heap (it would be the very next event). What
the loop would decide per call from the draws alone is decided per batch with numpy: a call's
step at arrival (straight to the queue, after hours, served by the IVR at once, or an IVR step
and when it ends: see :data:`_S_DIRECT`), so the loop reads one small integer instead of five
columns; IVR steps never touch the heap (the stream above); an event that schedules exactly
one other replaces itself on the heap (``heapreplace``: one sift, not two). Work that needs no
event order is done per batch with numpy in :meth:`_Engine.flush`: the agents' busy time when
no call has a wrap-up (:meth:`_Engine._add_busy`: the releases then come in the order of the
answered records), and, without a sink, only the record columns the tallies read. What is left
per call is mostly the heap (tuple comparisons: some 3,500 instructions by callgrind for a
push and a pop on a heap of 60 events) and the interpreter's bytecodes.

What falls back to SimPy, and why
---------------------------------
:func:`fast_path_reason` names the first of these it finds:

* **Policies** (redials, callbacks on abandonment, offered callbacks, voicemail, outbound
  reminders or dialer; :func:`sim.policies.policies_for`): later attempts, callback queues and
  outbound calls are state machines of their own that this loop does not model.
* **Overflow that takes messages** (``mode = "message"``): the caller is called back, a
  later attempt.
* **A million agents or more**: records pack the agent's number in 20 bits.

Everything else qualifies: time-varying arrivals, the IVR (greeting, patience, served share,
menu), trunk lines, several agent groups with overlapping skills, overflow that serves (its
timers, queues and own talk times, drawn as the model draws them), staffing vectors and
shifts, walk-ins, opening hours (the calendar's and the groups'), any distributions, finite
or infinite patience, warm-up, several call types and priorities (a type no group serves
waits until its callers give up or the run stops), callbacks or redials configured so that
no policy acts, ``count_by``.
"""

from __future__ import annotations

import heapq
import math
import struct
from collections import deque
from collections.abc import Callable
from types import SimpleNamespace

import numpy as np

from scenarios.calendar import group_size, scheduled_agents
from scenarios.schema import Scenario
from sim.agents import _WALK_IN_BATCH, add_span, roster_changes
from sim.arrivals import Arrival, CallerSource
from sim.dists import sampler
from sim.errors import SimError
from sim.metrics import ReplicationCounts, Tally, first_counted_interval
from sim.pacing import ARRIVALS_AHEAD, DRAIN_LIMIT_S, RECORDS_PER_FLUSH
from sim.policies import policies_for
from sim.records import (
    ABANDONED,
    AFTER_HOURS,
    ANSWERED,
    BLOCKED,
    INBOUND,
    IVR_ABANDONED,
    IVR_SERVED,
    ROW_FIELDS,
    UNFINISHED,
)
from sim.routing import _MIN_SWEEP
from sim.streams import Stream, generator

#: Finished calls buffered before they are turned into record columns.
_FLUSH = 16384
# Event codes (the third field of a heap entry), most frequent first; from 1: 0 is a step code.
# _IVR_END: the greeting is over, the caller queues; _IVR_SERVED_END: the greeting is over and
# the IVR served the caller; _IVR_HANG_UP: the caller hung up in the IVR.
_TALK_END, _WRAP_END, _IVR_END, _PATIENCE, _WAKE, _IVR_HANG_UP, _IVR_SERVED_END = range(1, 8)
_ROSTER, _SOURCE, _ARRIVALS_DONE, _STOP, _DONE, _WALK_IN, _WALK_IN_DONE, _OVERFLOW = range(8, 16)
# A call's step at arrival (what the loop does with an open line; see _Engine.next_batch): the
# queue at once, the IVR event to schedule after its duration (one of the three IVR codes), or
# no line at all (after hours) or the IVR serving it at once.
_S_DIRECT, _S_CLOSED, _S_SERVED_NOW = 0, 16, 17
_NEVER = 18  # the code of the heap's sentinels (see _Engine.run)
_NO_LINE = -1  # the IVR stream's id of a call that found no line (see _Engine.next_batch)
_INF = math.inf
_NAN = math.nan
_NO_SEQ = 1 << 62  # the seq of "no next arrival"
_MAX_AGENTS = (1 << 20) - 1  # agents numbered in 20 bits of a record code (see _Engine.f_code)


def fast_path_reason(scenario: Scenario) -> str | None:
    """Why ``scenario`` needs the SimPy engine, or ``None`` if the fast engine is exact for it.

    See the module docstring for what qualifies and why the rest falls back.
    """
    policies = policies_for(scenario)
    if policies:
        names = ", ".join(type(p).__name__ for p in policies)
        return f"the scenario's policies ({names}) make later attempts or outbound calls"
    if any(ct.overflow is not None and ct.overflow.mode != "serve"
           for ct in scenario.call_types):
        return "overflow that takes messages (the caller is called back: a later attempt)"
    if sum(group_size(g) for g in scenario.agent_groups) >= _MAX_AGENTS:
        return f"{_MAX_AGENTS:,} agents or more (a finished call's record packs its agent)"
    return None


def run_fast(scenario: Scenario, seed: np.random.SeedSequence, *,
             arrivals: list[Arrival] | None = None,
             sink: Callable[[list[tuple]], None] | None = None, count_by: str = "caller",
             progress: Callable[[float], None] | None = None) -> ReplicationCounts:
    """Simulate one replication with the fast engine; the same as ``Model(...).run()``.

    Parameters are those of :class:`sim.model.Model` (without ``policies`` and ``pool_class``).

    Raises
    ------
    SimError
        If the scenario does not qualify (:func:`fast_path_reason`), or on the errors the SimPy
        model raises for it.
    """
    reason = fast_path_reason(scenario)
    if reason is not None:
        raise SimError(f"the fast engine cannot simulate this scenario: {reason}")
    return _Engine(scenario, seed, arrivals, sink, count_by, progress).run()


class _Engine:
    """One replication's state outside the hot loop (batches, records, roster); see run()."""

    def __init__(self, scenario, seed, arrivals, sink, count_by, progress):
        self.scenario = scenario
        cal = scenario.calendar
        for g, grp in enumerate(scenario.agent_groups):  # (as AgentPool checks)
            if not grp.shifts and len(grp.staffing) != cal.n_intervals:
                raise SimError(
                    f"agent_groups[{g}].staffing must have {cal.n_intervals} entries (one per "
                    f"interval of all days), got {len(grp.staffing)}")
        self.tally = Tally(scenario, by=count_by)  # (validates count_by first, as Model does)
        self.callers = CallerSource(scenario, seed)
        self.seed = seed
        self.batches = iter([self.callers.explicit(arrivals)] if arrivals is not None
                            else self.callers.chunks())
        self.sink, self.progress = sink, progress
        self.horizon_s, self.interval_s = cal.horizon_s, cal.interval_s
        self.first_counted = first_counted_interval(scenario)
        self.ends_of_all = False  # every finished call's end kept (see run: overflow)
        # Without wrap-up an agent is released when its talk ends, so the releases come in the
        # order of the answered records: their busy time is then added to the bins in flush,
        # with numpy, in that same order (see _add_busy), instead of call by call in the loop.
        self.busy_in_flush = not any(_may_wrap(ct.wrap_up) for ct in scenario.call_types)
        # Window lists the loop never reads in this run (left empty): the wrap-ups when none
        # can be positive (busy_in_flush); the type after the menu on the one-queue paths (see
        # run: single).
        self.never_read = {"wrap"} if self.busy_in_flush else set()
        self.busy_flat = np.zeros(len(scenario.agent_groups) * cal.n_intervals)
        n = cal.n_intervals
        # Agent-seconds per group and interval (sim.agents: AgentPool's accounting).
        groups = scenario.agent_groups
        self.busy_s = [[0.0] * n for _ in groups]
        self.present_s = [[0.0] * n for _ in groups]
        self.walk_in_s = [[0.0] * n for _ in groups]
        # Agents are numbered across groups, group by group: their group and index in it.
        sizes = [group_size(grp) for grp in groups]
        self.agent_group = np.repeat(np.arange(len(groups)), sizes)
        self.agent_index = np.concatenate([np.arange(size) for size in sizes] or [[]]
                                          ).astype(np.int64)
        # The window: the static draws of every call from the oldest one still in the system
        # (id ``self.off``) to the last one drawn, as Python lists (hot loop: the arrival
        # instant, the step at arrival and the position in the IVR stream decided per batch,
        # type, talk and wrap-up times) and numpy columns (records; the loop reads the patience
        # there). Lists are changed in place: the hot loop holds them.
        self.off = 0
        self.batch_start = 0  # first id of the last batch loaded
        self.far: dict[int, dict] = {}  # draws of calls in the system from before the window
        self.win = {name: [] for name in ("t", "step", "pos", "type", "handle", "wrap")}
        # The IVR stream: the ends of the IVR steps of the calls drawn, in event order (end,
        # then id: the order of the ids SimPy gives them), from self.ie on, as lists: the end,
        # the call, the event id given at its arrival (_NO_SEQ before it, _NO_LINE if it
        # found no line) and the step's code; then a sentinel (never reached).
        self.e_t: list[float] = [_INF]
        self.e_i: list[int] = [-1]
        self.e_s: list[int] = [_NO_SEQ + 3]
        self.e_c: list[int] = [_IVR_END]
        self.ie = 0
        self.cols: dict[str, np.ndarray] = {}
        # Finished calls, in order: the call, (agent + 1) << 4 | outcome (small ints, precomputed
        # per agent: packing the call's id in too would make a large int per call); the end of
        # the others and the answer instant of the answered ones. Plain lists (at most _FLUSH
        # entries), not typed arrays: array.append parses its argument as a function's
        # arguments are parsed, several times what list.append costs; numpy converts the
        # lists in flush.
        self.f_id: list[int] = []
        self.f_code: list[int] = []
        self.f_end: list[float] = []
        self.f_ans: list[float] = []
        self._pending: list[list[np.ndarray]] = []  # record columns not yet tallied
        self._n_pending = 0
        self.now = 0.0  # the source's clock: the instant of the last arrival taken

    # -- batches of callers ---------------------------------------------------------------------
    def next_batch(self, live_ids) -> int | None:
        """Load the next non-empty batch of callers into the window; return its first id, or
        ``None`` when none is left.

        The window then starts at the oldest call still in the system, but not before the
        previous batch: older calls still in the system (a caller outlasting a whole batch, as
        a type nobody serves with infinite patience would) move to :attr:`far`, so memory
        stays bounded by two batches plus the calls in the system. ``live_ids`` gives the ids
        of the calls whose draws may still be read.
        """
        for batch in self.batches:
            if self.progress is not None:
                self.progress(min(self.now / self.horizon_s, 1.0))
            n = batch.arrival_s.size
            if n == 0:
                continue
            self.flush()
            first = self.off + len(self.win["t"])
            live = set(live_ids())
            lo = min(first, max(self.batch_start, min(live, default=first)))
            for i in [i for i in self.far if i not in live]:
                del self.far[i]
            for i in live:
                if self.off <= i < lo:
                    self.far[i] = {name: column[i - self.off].item()
                                   for name, column in self.cols.items()}
            cut = lo - self.off
            self.batch_start = first
            # The arrival instants as SimPy computes them: chunk by chunk, now + (a - now)
            # with now the previous chunk's last arrival.
            # The chain of those nows runs through the chunks' last arrivals only.
            drawn = batch.arrival_s
            nows = []
            now = self.now
            ahead = ARRIVALS_AHEAD
            for last in drawn[np.minimum(np.arange(ahead, n + ahead, ahead), n) - 1].tolist():
                nows.append(now)
                now = now + (last - now)
            self.now = now
            now_of = np.repeat(np.array(nows), ARRIVALS_AHEAD)[:n]
            t = now_of + (drawn - now_of)
            # What the loop does at each arrival with an open line, decided here with numpy
            # (the same comparisons it made call by call): the step (see _S_DIRECT) and the
            # IVR step's duration, the same float it would have read.
            greeting, ivr_patience = batch.greeting_s, batch.ivr_patience_s
            hang_up = ivr_patience < greeting
            greets = ~hang_up & (greeting > 0)
            step = np.select(
                [~batch.is_open, hang_up, greets & batch.ivr_served, greets, batch.ivr_served],
                [_S_CLOSED, _IVR_HANG_UP, _IVR_SERVED_END, _IVR_END, _S_SERVED_NOW],
                _S_DIRECT).astype(np.int8)
            pos = self._merge_stream(step, t + np.where(hang_up, ivr_patience, greeting),
                                     first)
            # The loop's lists (the record columns, in self.cols, are the draws themselves).
            new = {"t": t, "step": step, "pos": pos, "type": batch.type,
                   "handle": batch.handle_s, "wrap": batch.wrap_s}
            # Columns the loop will not read for this batch are stood in for (cheaply).
            unread = set()
            if not pos.any():  # (no call with an IVR step, or just one)
                unread.add("pos")
            if (step == step[0]).all():
                unread.add("step")
            if not batch.wrap_s.any():
                unread.add("wrap")
            if len(self.scenario.call_types) == 1:
                unread.add("type")
            for name, column in new.items():
                if name in self.never_read:
                    continue
                lst = self.win[name]
                del lst[:cut]
                lst.extend([column[0].item()] * n if name in unread else column.tolist())
            # The record columns (flush) and the draws of calls moved aside (far): the loop
            # reads there "type", "handle", "wrap" and "patience"; and "patience" in the
            # window (through a memoryview: most calls never queue, so a float made when
            # read costs less than one made for every call).
            draws = {"t": t, "greeting": greeting, "type": batch.type, "handle": batch.handle_s,
                     "wrap": batch.wrap_s, "patience": batch.patience_s,
                     "interval": batch.interval, "type_in": batch.type_in}
            for name, column in draws.items():
                old = self.cols.get(name)
                self.cols[name] = column if old is None else np.concatenate((old[cut:], column))
            self.off = lo
            return first
        return None

    def _merge_stream(self, step: np.ndarray, end: np.ndarray, first: int) -> np.ndarray:
        """Merge the IVR steps of a new batch (``step``, ending at ``end``; ids from ``first``)
        into the IVR stream; return each call's position in it (0 for a call without one).

        The loop takes the stream's events in the order of (end, event id); the event ids of
        the IVR steps grow with the calls' ids (they are given at arrival, in arrival order),
        so (end, call id) sorts the stream; the calls still in it (from ``self.ie``) all
        arrived before these (the last batch has been taken), so their ids are smaller.
        ``end`` is ``t + duration`` with numpy: the same float as in the loop.
        """
        ivr = (step != _S_DIRECT) & (step != _S_CLOSED) & (step != _S_SERVED_NOW)
        ie = self.ie
        old_t, old_i, old_c = (np.array(lst[ie:-1], dtype=dtype) for lst, dtype in (
            (self.e_t, float), (self.e_i, np.int64), (self.e_c, np.int64)))
        old_s = self.e_s[ie:-1]
        n_old = len(old_s)
        ends = np.concatenate((old_t, end[ivr]))
        ids = np.concatenate((old_i, first + np.flatnonzero(ivr)))
        order = np.lexsort((ids, ends))
        for lst, column, last in ((self.e_t, ends, _INF), (self.e_i, ids, -1),
                                  (self.e_c, np.concatenate((old_c, step[ivr])), _IVR_END)):
            lst[:] = column[order].tolist()  # (in place: the loop holds them)
            lst.append(last)
        self.ie = 0
        rank = np.empty(order.size, dtype=np.int64)
        rank[order] = np.arange(order.size)
        # The event ids: _NO_SEQ (one int object, not one made per call by tolist) but for the
        # calls still in the stream from the last batch (arrived or not).
        e_s = self.e_s
        e_s[:] = [_NO_SEQ] * order.size
        for r, seq in zip(rank[:n_old].tolist(), old_s, strict=True):
            e_s[r] = seq
        e_s.append(_NO_SEQ + 3)
        pos = np.zeros(step.size, dtype=np.int64)
        pos[ivr] = rank[n_old:]
        return pos

    def in_ivr(self) -> list[int]:
        """The calls in the IVR stream that arrived and hold a line (from ``self.ie`` on)."""
        return [i for i, s in zip(self.e_i[self.ie:-1], self.e_s[self.ie:-1], strict=True)
                if s != _NO_LINE and s != _NO_SEQ]

    # -- records --------------------------------------------------------------------------------
    def flush(self, unfinished: tuple | None = None) -> None:
        """Turn the finished calls into columns for the tally and rows for the sink.

        ``unfinished``: ``(ids, queued, answer, agent, now)`` of the calls still in the system
        when the run stops (whether each reached the queue, when it was answered, by whom).
        """
        if unfinished is None:
            if not self.f_id:
                return
            ids, code = _column(self.f_id, np.int64), _column(self.f_code, np.int64)
            outcome = code & 15
            agent = ((code >> 4) - 1).astype(float)
            answered = outcome == ANSWERED
            if self.ends_of_all:
                end = _column(self.f_end, float)
            else:
                end = np.full(ids.size, _NAN)  # answered: below, from the draws
                end[~answered] = _column(self.f_end, float)
            answer = np.full(ids.size, _NAN)
            answer[answered] = _column(self.f_ans, float)
            for buffer in (self.f_id, self.f_code, self.f_end, self.f_ans):
                buffer.clear()  # (in place: the loop holds their append methods)
            queued = (outcome == ANSWERED) | (outcome == ABANDONED)
            ivr_done = queued | (outcome == IVR_SERVED)
        else:
            ids, queued, answer, agent, now = unfinished
            if not ids.size:
                return
            outcome = np.full(ids.size, UNFINISHED)
            end = np.full(ids.size, now)
            ivr_done = queued
        loc = ids - self.off
        far = loc < 0  # calls from before the window (see next_batch)
        cols = self.cols if not far.any() else {
            name: _gathered(column, loc, far, [self.far[i][name] for i in ids[far].tolist()])
            for name, column in self.cols.items()}
        if far.any():
            loc = np.arange(ids.size)
        if unfinished is None and not self.ends_of_all:  # talk ends at answer + talk time
            answered = outcome == ANSWERED
            end[answered] = answer[answered] + cols["handle"][loc[answered]]
        if unfinished is None and self.busy_in_flush:  # (every call counted, warm-up too)
            answered = outcome == ANSWERED
            self._add_busy(agent[answered].astype(np.int64), answer[answered], end[answered])
        interval = cols["interval"][loc]
        if self.first_counted > 0:
            keep = interval >= self.first_counted
            if not keep.all():
                ids, loc, interval, outcome, end, answer, agent, queued, ivr_done = (
                    x[keep] for x in (ids, loc, interval, outcome, end, answer, agent, queued,
                                      ivr_done))
                if not ids.size:
                    return
        arrival = cols["t"][loc]
        greeting = cols["greeting"][loc]
        exit_s = np.where(greeting > 0, arrival + greeting, arrival)  # timeout(greeting) or not
        entry = np.where(queued, exit_s, _NAN)
        type_in = cols["type_in"][loc]
        call_type = np.where(queued, cols["type"][loc], type_in)  # the menu choice, once queued
        has_agent = agent >= 0
        who = np.where(has_agent, agent, -1).astype(np.int64)  # -1: the stand-in below
        wait = np.where(has_agent, answer, end) - entry  # nan when it never queued
        # The fields the tallies read (Tally.add_columns and the follow-up tally; the latter
        # reads the times too only for callbacks, which this engine never has) ...
        columns = {
            "call_id": ids, "caller_id": ids, "attempt": np.ones(ids.size, dtype=np.int64),
            "kind": np.full(ids.size, INBOUND), "call_type_in": type_in, "call_type": call_type,
            "interval": interval, "first_interval": interval, "outcome": outcome,
            "group": np.where(has_agent, np.append(self.agent_group, -1)[who], _NAN),
            "wait_s": wait,
            "predicted_wait_s": np.full(ids.size, _NAN), "patience_s": cols["patience"][loc],
        }
        if self.sink is not None:  # ... and the others, built only for the sink's rows
            answered = outcome == ANSWERED
            columns.update({
                "arrival_s": arrival, "ivr_exit_s": np.where(ivr_done, exit_s, _NAN),
                "queue_entry_s": entry, "answer_s": answer,
                "abandon_s": np.where(outcome == ABANDONED, end, _NAN), "end_s": end,
                "wrap_end_s": np.where(answered, end + cols["wrap"][loc], _NAN),
                "agent": np.where(has_agent, np.append(self.agent_index, -1)[who], _NAN),
            })
        self._pending.append([columns.get(name) for name in ROW_FIELDS])  # (None: not built)
        self._n_pending += ids.size
        if self._n_pending >= RECORDS_PER_FLUSH:
            self._emit(final=False)

    def _add_busy(self, agent: np.ndarray, t0: np.ndarray, end: np.ndarray) -> None:
        """Add the talks ``[t0, end)`` of ``agent`` (released in this order) to the busy bins,
        as :func:`sim.agents.add_span` adds them one by one at each release.

        Each talk gives its addends in add_span's order and with its float operations (the part
        in its first interval, whole intervals, the part in its last one; nothing past the
        horizon); ``np.add.at`` adds them one after the other, in order, so every bin gets the
        same float additions in the same order as in the SimPy model: the same sum to the bit.
        """
        interval_s, horizon_s = self.interval_s, self.horizon_s
        n = self.scenario.calendar.n_intervals
        t1 = np.minimum(end, horizon_s)  # (end > horizon_s: the horizon, as add_span)
        k0 = (t0 // interval_s).astype(np.int64)
        k1 = (t1 // interval_s).astype(np.int64)
        spans = t1 > t0  # (add_span adds nothing for the others)
        base = (self.agent_group[agent] * n if len(self.scenario.agent_groups) > 1
                else np.zeros(agent.size, dtype=np.int64))  # the agent's group's bins
        if not ((k1 - k0 > 1) & spans).any():
            # The usual case, no talk spanning a whole interval: at most two addends a talk,
            # its part in interval k0, then, if it ends in the next interval (within the
            # horizon), its part there; a boolean mask on the (talk, 2) table keeps them in
            # that order, talk after talk.
            crosses = spans & (k1 != k0) & (k1 < n)
            first = np.where(k0 == k1, t1 - t0, (k0 + 1) * interval_s - t0)
            keep = np.column_stack((spans, crosses))
            np.add.at(self.busy_flat, np.column_stack((base + k0, base + k1))[keep],
                      np.column_stack((first, t1 - k1 * interval_s))[keep])
            return
        base, t0, t1, k0, k1 = base[spans], t0[spans], t1[spans], k0[spans], k1[spans]
        # Bins k0 .. min(k1, n - 1), one addend each, talk after talk.
        count = np.minimum(k1, n - 1) - k0 + 1
        talk = np.repeat(np.arange(t0.size), count)
        starts = np.cumsum(count) - count
        k = k0[talk] + (np.arange(talk.size) - starts[talk])
        value = np.where(k == k1[talk], t1[talk] - k1[talk] * interval_s, interval_s)
        value[starts] = np.where(k0 == k1, t1 - t0, (k0 + 1) * interval_s - t0)
        np.add.at(self.busy_flat, base[talk] + k, value)

    def _emit(self, final: bool) -> None:
        """Pass the pending rows to the tally and the sink in the model's batches: every
        :data:`sim.pacing.RECORDS_PER_FLUSH` recorded rows, then the rest at the end (the same
        batches give the tally's float sums to the bit)."""
        if not self._pending:
            return
        columns = [None if parts[0] is None else np.concatenate(parts)
                   for parts in zip(*self._pending, strict=True)]
        n = columns[0].size
        stop = n if final else n - n % RECORDS_PER_FLUSH
        for start in range(0, stop, RECORDS_PER_FLUSH):
            part = [None if column is None else column[start:start + RECORDS_PER_FLUSH]
                    for column in columns]
            self.tally.add_columns(part)
            if self.sink is not None:
                self.sink(_rows(part))
        self._pending = [] if stop == n else [[None if column is None else column[stop:]
                                               for column in columns]]
        self._n_pending = n - stop

    # -- the run -------------------------------------------------------------------------------
    def run(self) -> ReplicationCounts:
        scenario = self.scenario
        cal = scenario.calendar
        groups = scenario.agent_groups
        horizon_s, interval_s = self.horizon_s, self.interval_s
        lines = scenario.lines
        limited = lines is not None  # (no comparison per call with an infinite trunk)
        agent_group = self.agent_group.tolist()
        first_agent = [int(x) for x in np.cumsum([0] + [group_size(g) for g in groups])]
        n_agents = len(agent_group)
        on_duty = [False] * n_agents
        present_since: list[float | None] = [None] * n_agents
        since: list[float | None] = [None] * n_agents  # start of the call work; None: no call
        busy_of = [self.busy_s[g] for g in agent_group]  # each agent's group's bins
        present_of = [self.present_s[g] for g in agent_group]
        walk_in_of = [self.walk_in_s[g] for g in agent_group]
        answered_key = [(a + 1) << 4 | ANSWERED for a in range(n_agents)]  # see self.f_code
        idles: list[deque[int]] = [deque() for _ in groups]  # per group, longest idle first
        idle_of = [idles[g] for g in agent_group]
        idle = idles[0]
        # Queues: one per call type; a group scans those of its skills in (priority, rank)
        # order; a call entering the queue goes to the idle agent of the group that prefers its
        # type most, ties to the first group (sim.routing.Router).
        types = scenario.call_types
        names = [ct.name for ct in types]
        queues = [deque() for _ in types]
        idle_for_type = [[idles[g] for _, g in sorted((grp.skills.index(ct.name), g)
                                                      for g, grp in enumerate(groups)
                                                      if ct.name in grp.skills)]
                         for ct in types]
        # Overflow (serve mode): a call of type j also becomes eligible for group
        # overflow_group[j] after overflow_after[j] seconds of waiting (at once when 0),
        # through that group's overflow queue, scanned after its own skills of the same
        # priority; that group's agents talk for their own time if the type gives one.
        group_names = [g.name for g in groups]
        overflow_group = [None if ct.overflow is None else group_names.index(ct.overflow.group)
                          for ct in types]
        overflow_after = [_INF if ct.overflow is None else ct.overflow.after_s for ct in types]
        overflow_talk = [None if ct.overflow is None or ct.overflow.handle_time is None
                         else sampler(ct.overflow.handle_time) for ct in types]
        has_overflow = any(g is not None for g in overflow_group)
        self.ends_of_all = has_overflow  # an answered call's end is then not answer + talk
        overflow_queues = [deque() for _ in types]
        overflow_rng = generator(self.seed, Stream.OVERFLOW) if has_overflow else None

        def scan_for(g: int) -> list[deque]:
            """The queues group ``g`` scans, in (priority, rank) order (Router)."""
            ranked = [(types[names.index(name)].priority, rank, queues[names.index(name)])
                      for rank, name in enumerate(groups[g].skills)]
            ranked += [(ct.priority, len(groups[g].skills) + j, overflow_queues[j])
                       for j, ct in enumerate(types) if overflow_group[j] == g]
            ranked.sort(key=lambda entry: entry[:2])
            return [queue for *_, queue in ranked]

        scan_of_group = [scan_for(g) for g in range(len(groups))]
        scan_of = [scan_of_group[g] for g in agent_group]

        def talk_of(c: int, a: int) -> float:
            """Call ``c``'s talk time with agent ``a``: an overflow agent's own (drawn as it
            takes the call, Model._overflow_draw) or the caller's."""
            d = far[c] if c < self.off else None
            ty = d["type"] if d is not None else win["type"][c - self.off]
            if has_overflow and agent_group[a] == overflow_group[ty] and overflow_talk[ty]:
                return float(overflow_talk[ty](overflow_rng, 1)[0])
            return d["handle"] if d is not None else win["handle"][c - self.off]

        def overflow_now(i: int, ty: int, t: float, seq: int) -> tuple[int, int]:
            """Queue entry with ``overflow.after_s == 0`` (Router.overflow): an idle agent of
            the overflow group takes the call now (returned), or it joins that group's
            overflow queue (-1)."""
            dq = idles[overflow_group[ty]]
            if dq:
                a = dq.popleft()
                since[a] = t
                push(heap, (t + talk_of(i, a), seq, _TALK_END, i, a, t))
                return seq + 1, a
            overflow_queues[ty].append(i)
            return seq, -1

        # One group, one queue it serves: queue entry and the agent-free moment inlined below
        # (the latter also without walk-ins, which it would serve first).
        single = (len(groups) == 1 and len(types) == 1 and bool(idle_for_type[0])
                  and not has_overflow)
        inline_free = single and groups[0].availability >= 1.0
        if single:
            self.never_read.add("type")
        q0 = queues[0]
        waiting: set[int] = set()
        # Two sentinels that are never reached (the done event comes first): the event on
        # top always has two children, so the next event is min(heap[1], heap[2]).
        heap: list[tuple] = [(_INF, _NO_SEQ + 1, _NEVER), (_INF, _NO_SEQ + 2, _NEVER)]
        push, pop, replace = heapq.heappush, heapq.heappop, heapq.heapreplace
        f_id = self.f_id
        fid, fcode, fend, fans = (f_id.append, self.f_code.append, self.f_end.append,
                                  self.f_ans.append)
        win = self.win
        T, STEP, POS = win["t"], win["step"], win["pos"]
        E_T, E_I, E_S, E_C = self.e_t, self.e_i, self.e_s, self.e_c
        NO_LINE = _NO_LINE
        TYPE, HANDLE, WRAP = win["type"], win["handle"], win["wrap"]
        far = self.far
        busy_here = not self.busy_in_flush  # busy time added in the loop, at each release
        # Locals, not globals, in the loop.
        TALK_END, WRAP_END, IVR_END, PATIENCE_UP, WAKE, IVR_HANG_UP = (
            _TALK_END, _WRAP_END, _IVR_END, _PATIENCE, _WAKE, _IVR_HANG_UP)
        S_CLOSED, S_SERVED_NOW = _S_CLOSED, _S_SERVED_NOW
        SOURCE, ROSTER, ARRIVALS_DONE, STOP, DONE = _SOURCE, _ROSTER, _ARRIVALS_DONE, _STOP, _DONE
        WALK_IN, WALK_IN_DONE, OVERFLOW = _WALK_IN, _WALK_IN_DONE, _OVERFLOW
        INF, NO_SEQ = _INF, _NO_SEQ
        O_ABANDONED, O_IVR_SERVED, O_IVR_ABANDONED, O_AFTER_HOURS, O_BLOCKED = (
            ABANDONED, IVR_SERVED, IVR_ABANDONED, AFTER_HOURS, BLOCKED)

        # Walk-ins (sim.agents): each agent's own stream of gaps and durations, its tasks
        # waiting for it, the start of the one it serves (None: none), and the epoch that
        # makes a stream started before the agent went off duty stop.
        walks = [g.availability < 1.0 for g in groups]
        walk_gap_of = [groups[g].walk_in_s / (1.0 - groups[g].availability) if walks[g]
                       else _INF for g in agent_group]
        walk_mean_of = [groups[g].walk_in_s for g in agent_group]
        walks_of = [walks[g] for g in agent_group]
        walk_since: list[float | None] = [None] * n_agents
        tasks: list[list[float]] = [[] for _ in range(n_agents)]
        epoch = [0] * n_agents
        exps: list[list[float]] = [[] for _ in range(n_agents)]
        rngs: list = [None] * n_agents

        def exp_draw(a: int) -> float:
            """The next standard exponential of agent ``a``'s walk-in stream (AgentPool._refill)."""
            if not exps[a]:
                if rngs[a] is None:
                    rngs[a] = generator(self.seed, Stream.WALK_IN,
                                        (agent_group[a], a - first_agent[agent_group[a]]))
                exps[a] = rngs[a].standard_exponential(_WALK_IN_BATCH).tolist()
            return exps[a].pop()

        def next_walk_in(a: int, t: float, seq: int) -> int:
            """AgentPool._next_walk_in: the gap to the agent's next walk-in (none after the
            horizon)."""
            gap_s = exp_draw(a) * walk_gap_of[a]
            if t + gap_s < horizon_s:
                push(heap, (t + gap_s, seq, _WALK_IN, a, epoch[a]))
                return seq + 1
            return seq

        def walk_in_arrives(a: int, ep: int, t: float, seq: int) -> int:
            """AgentPool.walk_in_arrives: the next gap and this task's duration are drawn now;
            an idle agent starts the task, a busy one keeps it for when it is free."""
            if ep != epoch[a]:
                return seq
            seq = next_walk_in(a, t, seq)
            duration_s = exp_draw(a) * walk_mean_of[a]
            if since[a] is None and walk_since[a] is None:
                idle_of[a].remove(a)
                walk_since[a] = t
                push(heap, (t + duration_s, seq, _WALK_IN_DONE, a))
                return seq + 1
            tasks[a].append(duration_s)
            return seq

        def free(a: int, t: float, seq: int, last: bool = False, next_arrival: float = 0.0
                 ) -> int:
            """The agent-free moment (AgentPool._free): leave, serve a walk-in task, take a
            waiting call, or idle.

            ``last``: nothing else is scheduled in the current event after this, and the next
            arrival is at ``next_arrival``; then a call's wake-up with nothing else due at
            ``t`` runs at once (as in the loop's one-queue path).
            """
            if not on_duty[a]:
                add_span(present_of[a], present_since[a], t, interval_s, horizon_s)
                present_since[a] = None
                return seq
            if tasks[a]:
                walk_since[a] = t
                push(heap, (t + tasks[a].pop(0), seq, _WALK_IN_DONE, a))
                return seq + 1
            for queue in scan_of[a]:
                while queue:
                    c = queue.popleft()
                    if c in waiting:
                        waiting.discard(c)
                        since[a] = t
                        if has_overflow:  # (drawn now, as the model draws it when assigning)
                            h = talk_of(c, a)
                            if last and heap[0][0] > t and next_arrival > t:
                                push(heap, (t + h, seq + 1, _TALK_END, c, a, t))
                                return seq + 2
                            push(heap, (t, seq, _WAKE, c, a, h))
                            return seq + 1
                        if last and heap[0][0] > t and next_arrival > t:
                            h = win["handle"][c - self.off] if c >= self.off else far[c]["handle"]
                            push(heap, (t + h, seq + 1, _TALK_END, c, a, t))
                            return seq + 2
                        push(heap, (t, seq, _WAKE, c, a))
                        return seq + 1
            idle_of[a].append(a)
            return seq

        sweep_at = [_MIN_SWEEP] * len(types)  # queue length that triggers a sweep

        def sweep(ty: int) -> None:
            """Drop the callers who hung up from a queue that doubled since its last sweep
            (sim.routing.Router.route): memory stays bounded by twice the callers waiting."""
            queue = queues[ty]
            alive = [c for c in queue if c in waiting]
            queue.clear()
            queue.extend(alive)
            sweep_at[ty] = max(_MIN_SWEEP, 2 * len(queue))

        roster = heapq.merge(*(roster_changes(g, grp, cal) for g, grp in enumerate(groups)),
                             key=lambda change: change[0])
        pending = [None]  # the roster change the roster process is waiting for

        def roster_step(t: float, seq: int) -> int:
            """AgentPool.roster resumed at ``t``: apply the change due, then wait for the next."""
            change = pending[0]
            while True:
                if change is not None:
                    _, g, leaving, joining = change
                    for j in leaving:
                        j += first_agent[g]
                        if on_duty[j]:
                            on_duty[j] = False
                            epoch[j] += 1
                            tasks[j].clear()
                            if since[j] is None and walk_since[j] is None:
                                idle_of[j].remove(j)
                                add_span(present_of[j], present_since[j], t, interval_s,
                                         horizon_s)
                                present_since[j] = None
                    for j in joining:
                        j += first_agent[g]
                        if not on_duty[j]:
                            on_duty[j] = True
                            if present_since[j] is None:
                                present_since[j] = t
                            if walks_of[j]:
                                seq = next_walk_in(j, t, seq)
                            if since[j] is None and walk_since[j] is None:
                                seq = free(j, t, seq)
                change = next(roster, None)
                if change is None:
                    pending[0] = None
                    return seq
                if change[0] > t:
                    push(heap, (t + (change[0] - t), seq, _ROSTER))
                    pending[0] = change
                    return seq + 1

        def live_ids():
            """Ids of the calls whose draws will still be read (the window's lower bound)."""
            for entry in heap:
                if entry[2] in (_TALK_END, _WAKE):
                    yield entry[3]
            yield from waiting
            yield from self.in_ivr()

        # Model.run: the roster's and the source's start (urgent, time 0: ids 0 and 1, before
        # every other event at time 0) and the drain-limit stop (id 2).
        push(heap, (0.0 + (horizon_s + DRAIN_LIMIT_S), 2, _STOP))
        seq = roster_step(0.0, 3)
        # The source's start: the first chunk (below, as at every source wake-up).
        k = self.next_batch(live_ids)
        end = 0 if k is None else self.off + len(T)  # calls drawn so far
        off = self.off
        PATIENCE = None if k is None else memoryview(self.cols["patience"])
        if k is None:
            push(heap, (0.0 + horizon_s, seq, _ARRIVALS_DONE))
            seq += 1
            xa, xs, kend = _INF, _NO_SEQ, 0
        else:
            kend = min(k + ARRIVALS_AHEAD, end)
            xs, xa = seq, T[k - off]
            push(heap, (T[kend - 1 - off], seq + kend - k, _SOURCE))
            seq += kend - k + 1
        # The next external event (ta, sa): the next arrival (xa, xs) or the stream's head
        # (et, es: its id is NO_SEQ until the call arrives: its arrival comes first), then
        # ext_ivr.
        ie = 0
        et, es = E_T[0], E_S[0]
        if et <= xa and (et < xa or es < xs):
            ta, sa, ext_ivr = et, es, True
        else:
            ta, sa, ext_ivr = xa, xs, False
        live = 0  # calls holding a line
        arrivals_done = False
        stopping = False

        while True:
            top = heap[0]
            t = top[0]
            if t < ta or (t == ta and top[1] < sa):
                # The event leaves the heap in its branch: popped, or replaced by the one event
                # it schedules (heapreplace: one sift instead of two).
                code = top[2]
                if code == TALK_END:  # talk over: line freed, record written
                    i, a = top[3], top[4]
                    live -= 1
                    fid(i)
                    fcode(answered_key[a])
                    fans(top[5])  # (its end is answer + talk: recomputed in flush)
                    if has_overflow:  # (unless an overflow agent talked for its own time)
                        fend(t)
                    if arrivals_done and not live and not stopping:
                        push(heap, (t, seq, DONE))  # (after this event: it stays on top)
                        seq += 1
                        stopping = True
                    if busy_here:  # (else no call has a wrap-up)
                        w = WRAP[i - off] if i >= off else far[i]["wrap"]
                        if w > 0:
                            replace(heap, (t + w, seq, WRAP_END, a))
                            seq += 1
                            continue
                elif code == PATIENCE_UP:
                    i = top[3]
                    if i in waiting:
                        waiting.discard(i)
                        replace(heap, (t, seq, WAKE, i, -1))
                        seq += 1
                    else:
                        pop(heap)
                    continue
                elif code == WAKE:
                    i, a = top[3], top[4]
                    if a >= 0:
                        if len(top) > 5:  # an overflow agent's own talk time
                            h = top[5]
                        else:
                            h = HANDLE[i - off] if i >= off else far[i]["handle"]
                        replace(heap, (t + h, seq, TALK_END, i, a, t))
                        seq += 1
                    else:
                        pop(heap)
                        live -= 1
                        fid(i)
                        fcode(O_ABANDONED)
                        fend(t)
                        if arrivals_done and not live and not stopping:
                            push(heap, (t, seq, DONE))
                            seq += 1
                            stopping = True
                    continue
                elif code == WRAP_END:
                    a = top[3]
                elif code == SOURCE:  # the source wakes up: the next chunk
                    pop(heap)
                    if len(f_id) >= _FLUSH:
                        self.flush()
                    k = kend
                    if k == end:
                        self.now, self.ie = t, ie
                        nxt = self.next_batch(live_ids)
                        if nxt is not None:
                            off, end = self.off, self.off + len(T)
                            PATIENCE = memoryview(self.cols["patience"])
                            ie = 0  # (the stream merged with the new batch's)
                            et, es = E_T[0], E_S[0]
                    if k < end:
                        kend = min(k + ARRIVALS_AHEAD, end)
                        xs, xa = seq, T[k - off]
                        push(heap, (T[kend - 1 - off], seq + kend - k, SOURCE))
                        seq += kend - k + 1
                    else:  # every caller has arrived: wait for the horizon
                        xa, xs = INF, NO_SEQ
                    if et <= xa and (et < xa or es < xs):
                        ta, sa, ext_ivr = et, es, True
                    else:
                        ta, sa, ext_ivr = xa, xs, False
                    if k >= end:
                        if t < horizon_s:
                            push(heap, (t + (horizon_s - t), seq, ARRIVALS_DONE))
                            seq += 1
                        else:
                            arrivals_done = True
                            if not live and not stopping:
                                push(heap, (t, seq, DONE))
                                seq += 1
                                stopping = True
                    continue
                elif code == ROSTER:
                    pop(heap)
                    seq = roster_step(t, seq)
                    continue
                elif code == OVERFLOW:  # (Model._overflow)
                    pop(heap)
                    i = top[3]
                    if i in waiting:
                        ty = TYPE[i - off] if i >= off else far[i]["type"]
                        dq = idles[overflow_group[ty]]
                        if dq:
                            a = dq.popleft()
                            waiting.discard(i)
                            since[a] = t
                            push(heap, (t, seq, WAKE, i, a, talk_of(i, a)))
                            seq += 1
                        else:
                            overflow_queues[ty].append(i)
                    continue
                elif code == WALK_IN:
                    pop(heap)
                    seq = walk_in_arrives(top[3], top[4], t, seq)
                    continue
                elif code == WALK_IN_DONE:  # (AgentPool.walk_in_done)
                    pop(heap)
                    a = top[3]
                    add_span(walk_in_of[a], walk_since[a], t, interval_s, horizon_s)
                    walk_since[a] = None
                    seq = free(a, t, seq, True, ta)
                    continue
                elif code == ARRIVALS_DONE:
                    pop(heap)
                    arrivals_done = True
                    if not live and not stopping:
                        push(heap, (t, seq, DONE))
                        seq += 1
                        stopping = True
                    continue
                elif code == STOP:
                    pop(heap)
                    if not stopping:
                        push(heap, (t, seq, DONE))
                        seq += 1
                        stopping = True
                    continue
                else:  # DONE
                    pop(heap)
                    break
                # The agent is free (AgentPool.release): account its call work (unless flush
                # does, see busy_in_flush), then _free. The event (a talk's or a wrap-up's end)
                # is still on top of the heap: it leaves it below.
                if busy_here:
                    t0 = since[a]
                    t1 = horizon_s if t > horizon_s else t
                    if t1 > t0:  # add_span, inlined for a span within one interval
                        k0 = t0 // interval_s
                        if k0 == t1 // interval_s:
                            busy_of[a][int(k0)] += t1 - t0
                        else:
                            add_span(busy_of[a], t0, t1, interval_s, horizon_s)
                if not on_duty[a]:
                    pop(heap)
                    since[a] = None
                    add_span(present_of[a], present_since[a], t, interval_s, horizon_s)
                    present_since[a] = None
                    continue
                if inline_free:
                    while q0:
                        c = q0.popleft()
                        if c in waiting:
                            waiting.discard(c)
                            since[a] = t
                            # The next event after this one is heap[1] or heap[2] (there are
                            # always both: the sentinels).
                            if heap[1][0] > t and heap[2][0] > t and ta > t:
                                # Nothing else happens at t: the wake-up (id seq) is the
                                # next event; run it now (its talk timeout takes id seq + 1).
                                h = HANDLE[c - off] if c >= off else far[c]["handle"]
                                replace(heap, (t + h, seq + 1, TALK_END, c, a, t))
                                seq += 2
                            else:
                                replace(heap, (t, seq, WAKE, c, a))
                                seq += 1
                            break
                    else:
                        pop(heap)
                        since[a] = None
                        idle.append(a)
                    continue
                pop(heap)
                since[a] = None
                seq = free(a, t, seq, True, ta)
                continue

            if ext_ivr:  # the end of an IVR step (the stream's head)
                t = ta
                i, code = E_I[ie], E_C[ie]
                ie += 1
                if limited:
                    while E_S[ie] == NO_LINE:
                        ie += 1
                et, es = E_T[ie], E_S[ie]
                if et <= xa and (et < xa or es < xs):
                    ta, sa = et, es
                else:
                    ta, sa, ext_ivr = xa, xs, False
                if code != IVR_END:  # hung up, or served by the IVR
                    live -= 1
                    fid(i)
                    fcode(O_IVR_ABANDONED if code == IVR_HANG_UP else O_IVR_SERVED)
                    fend(t)
                    if arrivals_done and not live and not stopping:
                        push(heap, (t, seq, DONE))
                        seq += 1
                        stopping = True
                    continue
                h = HANDLE[i - off] if i >= off else far[i]["handle"]
                # Queue entry (Model.enter_queue): an idle agent, or the back of the queue.
                if single:
                    if idle:
                        a = idle.popleft()
                        since[a] = t
                        push(heap, (t + h, seq, TALK_END, i, a, t))
                        seq += 1
                        continue
                    if len(q0) >= sweep_at[0]:
                        sweep(0)
                    q0.append(i)
                else:
                    ty = TYPE[i - off] if i >= off else far[i]["type"]
                    for dq in idle_for_type[ty]:
                        if dq:
                            a = dq.popleft()
                            since[a] = t
                            if has_overflow:
                                h = talk_of(i, a)
                            push(heap, (t + h, seq, TALK_END, i, a, t))
                            seq += 1
                            break
                    else:
                        a = -1
                    if a >= 0:
                        continue
                    if len(queues[ty]) >= sweep_at[ty]:
                        sweep(ty)
                    queues[ty].append(i)
                    if has_overflow and overflow_after[ty] == 0:  # the overflow group now
                        seq, a = overflow_now(i, ty, t, seq)
                        if a >= 0:
                            continue
                p = PATIENCE[i - off] if i >= off else far[i]["patience"]
                if p <= 0:  # queued only on paper
                    live -= 1
                    fid(i)
                    fcode(O_ABANDONED)
                    fend(t)
                    if arrivals_done and not live and not stopping:
                        push(heap, (t, seq, DONE))
                        seq += 1
                        stopping = True
                else:
                    waiting.add(i)
                    if p != INF:
                        push(heap, (t + p, seq, PATIENCE_UP, i))
                        seq += 1
                    if has_overflow and 0 < overflow_after[ty] < p:
                        push(heap, (t + overflow_after[ty], seq, OVERFLOW, i))
                        seq += 1
                continue

            # An arrival (the call's life starts): outside opening hours, blocked, or a line.
            t, i = xa, k
            j = i - off
            k += 1
            if k < kend:
                xa = T[k - off]
                xs += 1
            else:
                xa, xs = INF, NO_SEQ
            if et <= xa and (et < xa or es < xs):
                ta, sa, ext_ivr = et, es, True
            else:
                ta, sa = xa, xs
            s = STEP[j]
            if s or limited:  # (else straight to the queue: nothing to check)
                if s == S_CLOSED:  # outside opening hours: no line taken
                    fid(i)
                    fcode(O_AFTER_HOURS)
                    fend(t)
                    continue
                if limited and live >= lines:
                    fid(i)
                    fcode(O_BLOCKED)
                    fend(t)
                    if s and s != S_SERVED_NOW:  # its IVR step never ends: out of the stream
                        E_S[POS[j]] = NO_LINE
                        while E_S[ie] == NO_LINE:
                            ie += 1
                        et, es = E_T[ie], E_S[ie]
                        if et <= xa and (et < xa or es < xs):
                            ta, sa, ext_ivr = et, es, True
                        else:
                            ta, sa, ext_ivr = xa, xs, False
                    continue
                if s:
                    if s != S_SERVED_NOW:  # an IVR step: its end (in the stream) takes id seq
                        live += 1
                        q = POS[j]
                        E_S[q] = seq
                        if q == ie:  # the stream's head: its id is known now
                            es = seq
                            if et <= ta and (et < ta or es < sa):
                                ta, sa, ext_ivr = et, es, True
                        seq += 1
                        continue
                    fid(i)  # no greeting, the IVR serves the call: it ends now
                    fcode(O_IVR_SERVED)
                    fend(t)
                    continue
            live += 1  # open, no IVR step: straight to the queue
            # Queue entry, as after _IVR_END (the same steps, written twice on purpose: a Python
            # call costs about 1,000 instructions by callgrind, some 7 % of the 14,000 a call
            # costs on M/M/55+M; tests/test_sim_fast.py holds both paths to the SimPy model).
            if single:
                if idle:
                    a = idle.popleft()
                    since[a] = t
                    push(heap, (t + HANDLE[j], seq, TALK_END, i, a, t))
                    seq += 1
                    continue
                if len(q0) >= sweep_at[0]:
                    sweep(0)
                q0.append(i)
                p = PATIENCE[j]
                if p > 0:
                    waiting.add(i)
                    if p != INF:
                        push(heap, (t + p, seq, PATIENCE_UP, i))
                        seq += 1
                else:
                    live -= 1
                    fid(i)
                    fcode(O_ABANDONED)
                    fend(t)
                continue
            ty = TYPE[j]
            for dq in idle_for_type[ty]:
                if dq:
                    a = dq.popleft()
                    since[a] = t
                    h = talk_of(i, a) if has_overflow else HANDLE[j]
                    push(heap, (t + h, seq, TALK_END, i, a, t))
                    seq += 1
                    break
            else:
                a = -1
            if a >= 0:
                continue
            if len(queues[ty]) >= sweep_at[ty]:
                sweep(ty)
            queues[ty].append(i)
            if has_overflow and overflow_after[ty] == 0:  # the overflow group now
                seq, a = overflow_now(i, ty, t, seq)
                if a >= 0:
                    continue
            p = PATIENCE[j]
            if p <= 0:
                live -= 1
                fid(i)
                fcode(O_ABANDONED)
                fend(t)
            else:
                waiting.add(i)
                if p != INF:
                    push(heap, (t + p, seq, PATIENCE_UP, i))
                    seq += 1
                if has_overflow and 0 < overflow_after[ty] < p:
                    push(heap, (t + overflow_after[ty], seq, OVERFLOW, i))
                    seq += 1

        # The run stops at t (the done event): calls still holding a line are unfinished.
        now = t
        self.flush()
        unfinished = {c: (True, _NAN, -1) for c in waiting}
        self.ie = ie
        for c in self.in_ivr():
            unfinished[c] = (False, _NAN, -1)
        for entry in heap:
            code = entry[2]
            if code == _WAKE:
                a = entry[4]
                unfinished[entry[3]] = (True, entry[0] if a >= 0 else _NAN, a)
            elif code == _TALK_END:
                unfinished[entry[3]] = (True, entry[5], entry[4])
        ids = sorted(unfinished)
        stages = [unfinished[c] for c in ids]
        self.flush((np.array(ids, dtype=np.int64),
                    np.array([s[0] for s in stages], dtype=bool),
                    np.array([s[1] for s in stages], dtype=float),
                    np.array([s[2] for s in stages], dtype=float), now))
        self._emit(final=True)
        if self.busy_in_flush:  # the releases' busy time, before close adds the busy agents'
            for g, row in enumerate(self.busy_flat.reshape(len(groups), -1).tolist()):
                self.busy_s[g][:] = row
        for a in range(n_agents):  # AgentPool.close
            if since[a] is not None:
                add_span(busy_of[a], since[a], now, interval_s, horizon_s)
            elif walk_since[a] is not None:
                add_span(walk_in_of[a], walk_since[a], now, interval_s, horizon_s)
            if present_since[a] is not None:
                add_span(present_of[a], present_since[a], now, interval_s, horizon_s)
        pool = SimpleNamespace(busy_s=self.busy_s, present_s=self.present_s,
                               walk_in_s=self.walk_in_s)
        return self.tally.result(pool, scheduled_agents(scenario))


def _may_wrap(dist) -> bool:
    """Whether a wrap-up distribution may draw a positive duration (anything but 0 s)."""
    return not (dist.kind == "deterministic" and dist.mean_s == 0)


def _column(values: list, dtype) -> np.ndarray:
    """``values`` (Python ints, or floats) as a numpy array of ``dtype`` (np.int64 or float).

    Packed by :func:`struct.pack_into` straight into the array: a C loop over the list, several
    times fewer instructions per value than ``np.fromiter`` or ``np.array`` (which convert
    value by value through numpy's generic machinery); the same bits.
    """
    out = np.empty(len(values), dtype)
    struct.pack_into(f"{len(values)}{'q' if dtype is np.int64 else 'd'}", out, 0, *values)
    return out


def _gathered(column: np.ndarray, loc: np.ndarray, far: np.ndarray, far_values: list):
    """``column[loc]`` where ``far`` is false, ``far_values`` (in order) where it is true."""
    out = np.empty(loc.size, dtype=column.dtype)
    out[~far] = column[loc[~far]]
    out[far] = far_values
    return out


def _rows(columns: list[np.ndarray]) -> list[tuple]:
    """Raw record rows (see :mod:`sim.records`) from columns: nan -> ``None``, codes as ints."""
    out = []
    for name, column in zip(ROW_FIELDS, columns, strict=True):
        values = column.tolist()
        if column.dtype.kind == "f":
            if name in ("group", "agent"):
                values = [None if x != x else int(x) for x in values]
            elif np.isnan(column).any():
                values = [None if x != x else x for x in values]
        out.append(values)
    return list(zip(*out, strict=True))
