"""Agents: who is on duty when (rosters), what each agent is doing, and time accounting.

Model
-----
* Staffing is an agent pool of our own, not a ``simpy.Resource`` (whose capacity cannot change).
* With a staffing vector, agent ``j`` of a group is on duty in every interval whose staffing is
  greater than ``j``: agents join at the start of such an interval and, when staffing drops, the
  highest-numbered agents go off duty. With shifts, each of a shift's ``count`` agents is on duty
  from its start to its end every simulated day (times of day are mapped onto the simulated day,
  which starts at ``calendar.start_s``; a shift running past midnight continues into the next
  day's start). A shift that ends where the next day's begins is continuous.
* An agent going off duty while busy finishes its current call (talk and wrap-up) and then
  leaves; it takes no new call after its shift end.
* After the last interval the agents on duty at the horizon stay on duty while the system drains.
* Walk-ins (``availability < 1``): each on-duty agent receives walk-in tasks as a Poisson stream
  of rate ``(1 - availability) / walk_in_s``, each lasting an exponential time of mean
  ``walk_in_s``. A task is served by that agent right away if it is idle, otherwise as soon as its
  current work ends, before any waiting call (non-preemptive). In the long run an agent thus
  spends about ``1 - availability`` of its on-duty time on walk-ins (an M/M/1 queue of load
  ``1 - availability`` when no calls come).
* Walk-ins at the edges, decided: walk-ins model the share of a receptionist's time the desk
  takes, not the desk itself. So tasks still pending when an agent goes off duty leave with it
  (the next shift's desk, outside the phone model, serves those patients), and no walk-in
  arrives after the horizon (the drain only finishes the calls already in the system; the
  agents who stay for it are on the phone). Both keep the availability share exact on duty
  and add no work that no interval would report.
* Each agent draws its walk-ins from its own stream (``Stream.WALK_IN``, sub-stream ``(group,
  agent index)``): the gap to the next walk-in and the task's duration are both drawn when a task
  arrives, so agent ``j`` of group ``g`` sees the same sequence of gaps and durations whatever the
  staffing of the others and whatever the calls do (common random numbers).

Time accounting (for occupancy): per group and interval, agent-seconds present (on duty, or
finishing work after shift end), on call work (talk + wrap-up) and on walk-ins; each span is split
over the intervals it covers, so occupancy is a time integral within each interval.
"""

from __future__ import annotations

import heapq
from functools import partial

import numpy as np

from scenarios.calendar import group_size, shift_windows
from scenarios.schema import AgentGroup, Calendar, Scenario
from sim.errors import SimError
from sim.kernel import call_later
from sim.routing import LEAVE, SERVE_WALK_IN, Router
from sim.streams import Stream, generator

IDLE, CALL, WALK_IN = 0, 1, 2
_WALK_IN_BATCH = 256  # standard exponentials drawn at a time from an agent's walk-in stream


class Agent:
    """One agent: its group, its number in the group and what it is doing."""

    __slots__ = (
        "group",
        "index",
        "on_duty",
        "present_since",
        "walk_draws",
        "walk_epoch",
        "walk_in_rng",
        "walk_ins",
        "work",
        "work_since",
    )

    def __init__(self, group: int, index: int):
        self.group, self.index = group, index
        self.on_duty = False
        self.present_since = None  # None: not present
        self.work = IDLE
        self.work_since = 0.0
        self.walk_ins: list[float] = []  # durations (s) of walk-in tasks waiting for this agent
        self.walk_epoch = 0  # bumped when the agent goes off duty: stale walk-in streams stop
        self.walk_in_rng = None  # the agent's own walk-in stream, created when first needed
        self.walk_draws: list[float] = []  # standard exponentials drawn ahead from it


def roster_changes(g: int, group: AgentGroup, cal: Calendar):
    """Yield ``(time_s, group, leaving, joining)`` for group ``g``, in time order (lazily).

    Nobody leaves at the horizon: the last interval's agents stay while the system drains.
    """
    if not group.shifts:
        on_duty = 0
        for k, n in enumerate(group.staffing):
            if n < on_duty:
                yield k * cal.interval_s, g, range(n, on_duty), ()
            elif n > on_duty:
                yield k * cal.interval_s, g, (), range(on_duty, n)
            on_duty = n
        return
    last_day = len(cal.days) - 1
    per_shift = []
    first = 0
    for shift in group.shifts:
        windows = shift_windows(shift, cal)
        wraps = bool(windows) and windows[0][0] == 0.0 and windows[-1][1] == cal.day_s
        per_shift.append((range(first, first + shift.count), windows, wraps))
        first += shift.count
    for day in range(last_day + 1):
        changes = []
        for agents, windows, wraps in per_shift:
            for lo, hi in windows:
                if not (lo == 0.0 and wraps and day > 0):
                    changes.append((day * cal.day_s + lo, g, (), agents))
                if not (hi == cal.day_s and (wraps or day == last_day)):
                    changes.append((day * cal.day_s + hi, g, agents, ()))
        changes.sort(key=lambda c: (c[0], bool(c[3])))  # at one instant, leaves before joins
        yield from changes


class AgentPool:
    """Agents of all groups: rosters, walk-ins and time accounting.

    What a free agent does next is decided by the router (:meth:`sim.routing.Router.next_work`)
    and carried out here.

    Parameters
    ----------
    env : simpy.Environment
    scenario : Scenario
    router : Router
    seed : numpy.random.SeedSequence
        The replication's seed sequence: each agent's walk-in stream is derived from it.
    assign : callable
        ``assign(agent, call)``: hands a waiting call to a free agent (``Model.assign``).
    idle : callable, optional
        ``idle(agent) -> bool``, asked before a free agent with nothing to do becomes idle;
        ``True`` means it was given other work (the policies' ``agent_idle`` moment).
    """

    def __init__(self, env, scenario: Scenario, router: Router, seed: np.random.SeedSequence, *,
                 assign, idle=None):
        self.env, self.router = env, router
        self._assign, self._idle = assign, idle
        self.calendar = cal = scenario.calendar
        self.groups = scenario.agent_groups
        for g, grp in enumerate(self.groups):
            # The loader tiles a day's vector over the days; a scenario built in code must too.
            if not grp.shifts and len(grp.staffing) != cal.n_intervals:
                raise SimError(
                    f"agent_groups[{g}].staffing must have {cal.n_intervals} entries (one per "
                    f"interval of all days), got {len(grp.staffing)}")
        self.agents = [[Agent(g, j) for j in range(group_size(grp))]
                       for g, grp in enumerate(self.groups)]
        self.on_duty = [0] * len(self.groups)  # agents on duty per group, now
        n = cal.n_intervals
        self.present_s = [[0.0] * n for _ in self.groups]
        self.busy_s = [[0.0] * n for _ in self.groups]
        self.walk_in_s = [[0.0] * n for _ in self.groups]
        self._interval_s, self._horizon_s = cal.interval_s, cal.horizon_s  # hot path
        self._seed = seed
        # Per group: mean gap between walk-ins (inf: none) and mean walk-in length.
        self._walk_in_gap_s = [g.walk_in_s / (1.0 - g.availability) if g.availability < 1.0
                               else float("inf") for g in self.groups]
        self._walk_in_mean_s = [g.walk_in_s for g in self.groups]

    # -- the roster ---------------------------------------------------------------------------
    def roster(self):
        """SimPy process: apply every group's roster changes at their instants."""
        env, cal = self.env, self.calendar
        changes = heapq.merge(
            *(roster_changes(g, grp, cal) for g, grp in enumerate(self.groups)),
            key=lambda c: c[0],
        )
        for time_s, g, leaving, joining in changes:
            if time_s > env.now:
                yield env.timeout(time_s - env.now)
            agents = self.agents[g]
            for j in leaving:
                self.leave(agents[j])
            for j in joining:
                self.join(agents[j])

    def join(self, agent: Agent) -> None:
        """Start of an on-duty window: the agent takes waiting calls or becomes idle."""
        if agent.on_duty:
            return
        agent.on_duty = True
        self.on_duty[agent.group] += 1
        if agent.present_since is None:
            agent.present_since = self.env.now
        if self.groups[agent.group].availability < 1.0:
            self._next_walk_in(agent)
        if agent.work == IDLE:
            self._free(agent)

    def leave(self, agent: Agent) -> None:
        """End of an on-duty window: an idle agent leaves now, a busy one when its work ends."""
        if not agent.on_duty:
            return
        agent.on_duty = False
        self.on_duty[agent.group] -= 1
        agent.walk_epoch += 1
        agent.walk_ins.clear()
        if agent.work == IDLE:
            self.router.remove_idle(agent)
            self._depart(agent)

    def _depart(self, agent: Agent) -> None:
        self._account(self.present_s, agent, agent.present_since, self.env.now)
        agent.present_since = None

    # -- calls ----------------------------------------------------------------------------------
    def release(self, agent: Agent) -> None:
        """The agent finished a call's talk and wrap-up."""
        # _account inlined, with add_span's common case (the work began in this interval):
        # this runs once per answered call.
        t0_s, t1_s, interval_s = agent.work_since, self.env._now, self._interval_s
        k = int(t0_s // interval_s)
        if t1_s <= self._horizon_s and int(t1_s // interval_s) == k:
            if t1_s > t0_s:
                self.busy_s[agent.group][k] += t1_s - t0_s
        else:
            add_span(self.busy_s[agent.group], t0_s, t1_s, interval_s, self._horizon_s)
        agent.work = IDLE
        self._free(agent)

    def _free(self, agent: Agent) -> None:
        """The agent-free moment: carry out the router's decision (leave, walk-in, call, idle)."""
        work = self.router.next_work(agent)
        if work is None:
            if self._idle is None or not self._idle(agent):
                self.router.add_idle(agent)
        elif work is LEAVE:
            self._depart(agent)
        elif work is SERVE_WALK_IN:
            self.start_walk_in(agent, agent.walk_ins.pop(0))
        else:
            self._assign(agent, work)

    # -- walk-ins: the moments of an agent's walk-in work ------------------------------------------
    def _refill(self, agent: Agent) -> list[float]:
        """The next batch of standard exponentials from the agent's own walk-in stream."""
        if agent.walk_in_rng is None:
            agent.walk_in_rng = generator(self._seed, Stream.WALK_IN, (agent.group, agent.index))
        agent.walk_draws = agent.walk_in_rng.standard_exponential(_WALK_IN_BATCH).tolist()
        return agent.walk_draws

    def _next_walk_in(self, agent: Agent) -> None:
        gap_s = (agent.walk_draws or self._refill(agent)).pop() * self._walk_in_gap_s[agent.group]
        if self.env.now + gap_s < self._horizon_s:
            call_later(self.env, gap_s, partial(self.walk_in_arrives, agent, agent.walk_epoch))

    def walk_in_arrives(self, agent: Agent, epoch: int, _event) -> None:
        """A walk-in task arrives at ``agent`` (from the stream started in ``epoch``)."""
        if epoch != agent.walk_epoch:
            return  # the agent went off duty since this stream started
        # Draw the next gap and this task's duration now, in a fixed order: when the task starts
        # depends on the calls, and drawing then would make the agent's sequence depend on them.
        self._next_walk_in(agent)
        draws = agent.walk_draws or self._refill(agent)
        duration_s = draws.pop() * self._walk_in_mean_s[agent.group]
        if agent.work == IDLE:
            self.router.remove_idle(agent)
            self.start_walk_in(agent, duration_s)
        else:
            agent.walk_ins.append(duration_s)

    def start_walk_in(self, agent: Agent, duration_s: float) -> None:
        """``agent`` starts serving a walk-in task of ``duration_s`` seconds."""
        agent.work, agent.work_since = WALK_IN, self.env.now
        call_later(self.env, duration_s, partial(self.walk_in_done, agent))

    def walk_in_done(self, agent: Agent, _event) -> None:
        """``agent`` finished a walk-in task and is free."""
        self._account(self.walk_in_s, agent, agent.work_since, self.env.now)
        agent.work = IDLE
        self._free(agent)

    def _account(self, bins: list[list[float]], agent: Agent, t0_s: float, t1_s: float) -> None:
        """Add the agent's time span ``[t0_s, t1_s)`` to its group's per-interval ``bins``."""
        add_span(bins[agent.group], t0_s, t1_s, self._interval_s, self._horizon_s)

    # -- end of the run -------------------------------------------------------------------------
    def close(self) -> None:
        """Account the time of agents still present or busy when the run stops."""
        now = self.env.now
        for agents in self.agents:
            for agent in agents:
                if agent.work == CALL:
                    self._account(self.busy_s, agent, agent.work_since, now)
                elif agent.work == WALK_IN:
                    self._account(self.walk_in_s, agent, agent.work_since, now)
                if agent.present_since is not None:
                    self._account(self.present_s, agent, agent.present_since, now)


def add_span(bins: list[float], t0_s: float, t1_s: float, interval_s: float,
             horizon_s: float) -> None:
    """Add the span ``[t0_s, t1_s)`` to per-interval ``bins``, split at interval boundaries.

    Time past ``horizon_s`` is dropped (it belongs to no interval).
    """
    if t1_s > horizon_s:
        t1_s = horizon_s
    if t1_s <= t0_s:
        return
    k0, k1 = int(t0_s // interval_s), int(t1_s // interval_s)
    if k0 == k1:
        bins[k0] += t1_s - t0_s
        return
    bins[k0] += (k0 + 1) * interval_s - t0_s
    for k in range(k0 + 1, min(k1, len(bins))):
        bins[k] += interval_s
    if k1 < len(bins):
        bins[k1] += t1_s - k1 * interval_s
