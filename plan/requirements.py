"""Operators needed per interval: Erlang C and Erlang A per interval, and staffing by simulation.

Three answers to "how many operators on the phones in each interval?", side by side:

``erlang_c``, ``erlang_a``
    What most workforce tools do: each interval on its own, as a stationary M/M/n (Erlang C) or
    M/M/n+M (Erlang A) queue, reduced from the scenario as :mod:`plan.erlang_view` does (calls
    past the IVR, the mix's mean talk plus wrap-up divided by the agents' availability, the
    call-weighted mean patience), and the fewest agents meeting the scenario's targets
    (:func:`erlang.staffing.staff`, the one judge of :mod:`erlang.targets`). Erlang C has no
    abandonment, so its column ignores ``max_abandon`` (its service level and ASA err on the
    safe side); Erlang A is left out (``None``) when some queued calls wait forever.
``simulation``
    A time-varying answer found by simulating the day, after the iterative staffing algorithm
    (ISA) of Feldman, Mandelbaum, Massey and Whitt (2008): simulate with the current staffing,
    measure the offered load in the simulated system, set each interval's agents from that
    load and the target through the stationary model, and repeat until the staffing settles.
    Then a search by simulation, under the same random numbers: add one agent wherever an
    interval misses a target (judged on the replication means), remove agents wherever every
    target still holds, and add again where the removals went too far.

Model and assumptions
---------------------
* **Offered load** (erlangs) at :data:`LOAD_STEPS` equal steps of each interval: the
  time-average over the step of the number of calls that would be in service if every call
  entering the queue were answered at once (the infinite-server load
  ``m(t) = E[#{i: q_i <= t < q_i + S_i}]``), where ``q_i`` is the queue entry of an attempt as
  simulated with the current staffing and ``S_i`` its talk plus wrap-up (the simulated one for
  answered calls, the mean of its type for the others: handle times are drawn independently of
  patience). Unlike ``calls x AHT`` it carries the work of a peak of long calls into the next
  interval, lags a steep ramp, and includes every attempt the simulation generates under the
  current staffing (redials and callbacks once the policies produce them), which is why the
  algorithm iterates. A cycle between two staffings (a load on a threshold, noise deciding) is
  settled by taking the larger of each interval.
* **From load to agents**: the stationary Erlang A (Erlang C when some calls wait forever) with
  arrival rate ``load / mean work`` and the interval's AHT divided by availability (walk-ins),
  against the scenario's targets, its figures averaged over the steps of the interval (calls
  arrive evenly within it). In the stationary limit the load is ``calls x AHT``, so the method
  gives the Erlang answer there, up to simulation noise (a test holds it within one agent).
* **Where the paper differs**: Feldman et al. set ``s(t)`` to a quantile of the simulated
  number in system, which serves a delay-probability target on a fine time grid. Here staffing
  is one count per interval, the inversion serves any mix of the scenario's targets, and the
  search makes the simulated day meet them interval by interval with as few agents as it can
  find: what the stationary inversion misses (who serves the calls carried over, agents
  finishing calls after their shift, lines, priorities, skills, non-exponential times) the
  simulation judges. The answer is minimal interval by interval on the search's own
  replications (one agent fewer in any interval makes it or the next one miss), not a global
  optimum, and it meets the targets on those replications' means: judge it on fresh
  replications, as the tests do, before trusting a narrow margin.
* **Common random numbers**: every simulation of the search uses the same root entropy, so
  caller ``i`` arrives, talks and waits for the same times under every staffing tried; the
  differences between iterations are staffing, not noise.
* **Several groups**: a pooled requirement per interval is split over the groups by the load
  of their skills (:func:`with_staffing`); the simulation judges the split staffing on all
  calls together (no per-group targets yet).
* **Risk target** (``planning.sl_probability``): the search also requires the service-level
  target to be met on that share of the simulated days (:func:`interval_verdicts`).
* **Warm-up intervals** (``simulation.warmup_s``) are not counted by the simulation: the
  simulation method keeps the Erlang answer there.

Shrinkage
---------
Agents on the phones become heads to schedule by **dividing** by ``1 - shrinkage``
(:func:`heads_to_schedule`), never by multiplying by ``1 + shrinkage`` (with 30 % shrinkage,
20 on the phones need ``ceil(20 / 0.7) = 29`` heads; ``20 x 1.3 = 26`` would leave 18.2 on the
phones). ``shrinkage`` (:class:`scenarios.schema.Planning`) excludes the breaks a shift plan
places: :mod:`plan.shifts` subtracts those from coverage itself, so counting them in the
shrinkage too would count them twice.

References
----------
Z. Feldman, A. Mandelbaum, W. A. Massey, W. Whitt, "Staffing of time-varying queues to achieve
time-stable performance", Management Science 54(2), 324-338, 2008.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from erlang.erlang_a import erlang_a
from erlang.erlang_c import erlang_c
from erlang.errors import ErlangInputError, InfeasibleTargetError
from erlang.staffing import StaffingTargets, staff
from erlang.targets import SL_DEFINITIONS, ServiceTargets
from plan.erlang_view import IntervalErlang, erlang_view
from plan.errors import PlanError
from plan.runs import estimate
from plan.targets import service_targets
from scenarios.calendar import interval_label, scheduled_agents
from scenarios.schema import Scenario, Targets
from sim.metrics import first_counted_interval, interval_metrics
from sim.records import ANSWERED, ROW_FIELDS
from sim.replicate import run_counts
from sim.results import Estimate
from sim.streams import replication_seed

#: The methods, in the order of the output columns.
METHODS = ("erlang_c", "erlang_a", "simulation")

_Q, _ANS, _WRAP_END = (ROW_FIELDS.index(n) for n in ("queue_entry_s", "answer_s", "wrap_end_s"))
_OUTCOME, _TYPE = ROW_FIELDS.index("outcome"), ROW_FIELDS.index("call_type")
# ceil(7 / 0.7) must be 10, not 11: 7 / 0.7 is 10.000000000000002 in floating point.
_CEIL_TOL = 1e-9
_CHUNK = 5_000  # attempts per block when spreading work over time steps (memory bound)
#: Steps per interval at which the simulation method measures the offered load.
LOAD_STEPS = 6

Progress = Callable[[str], None]


def heads_to_schedule(on_phone: int, shrinkage: float) -> int:
    """Heads to schedule so that ``on_phone`` agents remain after shrinkage.

    ``ceil(on_phone / (1 - shrinkage))``: shrinkage is a share of the scheduled heads' time,
    so the heads are the on-phone agents divided by the share that remains, not multiplied by
    ``1 + shrinkage``. Breaks placed by a shift plan are not part of ``shrinkage`` (see the
    module notes).

    Raises
    ------
    PlanError
        ``shrinkage`` outside ``[0, 1)`` or ``on_phone`` negative.
    """
    if not 0.0 <= shrinkage < 1.0:
        raise PlanError(f"shrinkage must be in [0, 1), got {shrinkage!r}")
    if on_phone < 0:
        raise PlanError(f"on_phone must be >= 0, got {on_phone!r}")
    return math.ceil(on_phone / (1.0 - shrinkage) - _CEIL_TOL)


def with_staffing(scenario: Scenario, agents: Sequence[int]) -> Scenario:
    """``scenario`` with ``agents`` on the phones per interval, in place of its staffing/shifts.

    Parameters
    ----------
    agents : sequence of int
        One count per interval of all days, or one day's counts (every day alike).

    Several groups share each interval's count by the load of their skills there (each call
    type's calls times its talk plus wrap-up, after the IVR menu, shared equally among the
    groups that answer it), by their scheduled agents where no load falls, equally where
    neither does; largest remainders first.
    """
    cal = scenario.calendar
    counts = [int(a) for a in agents]
    if len(counts) == cal.intervals_per_day:
        counts = counts * len(cal.days)
    if len(counts) != cal.n_intervals or min(counts, default=0) < 0:
        raise PlanError(
            f"staffing must have {cal.n_intervals} counts >= 0 (one per interval), got "
            f"{len(counts)} counts, least {min(counts, default=0)}"
        )
    groups = scenario.agent_groups
    if len(groups) == 1:
        split = np.array([counts])
    else:
        shares = scheduled_agents(scenario)
        loads = group_loads(scenario)
        split = np.zeros((len(groups), len(counts)), dtype=int)
        for k, total in enumerate(counts):
            weight = loads[:, k] if loads[:, k].sum() > 0 else (
                shares[:, k] if shares[:, k].sum() > 0 else np.ones(len(groups)))
            exact = total * weight / weight.sum()
            base = np.floor(exact).astype(int)
            order = np.argsort(-(exact - base), kind="stable")
            base[order[: total - base.sum()]] += 1
            split[:, k] = base
    new_groups = tuple(dataclasses.replace(g, staffing=tuple(int(a) for a in split[i]), shifts=())
                       for i, g in enumerate(groups))
    return dataclasses.replace(scenario, agent_groups=new_groups)


def group_loads(scenario: Scenario) -> np.ndarray:
    """Offered load (erlangs of talk plus wrap-up) of each group's skills per interval, shape
    (groups, intervals): each call type's load after the IVR menu, shared equally among the
    groups that answer it."""
    cal = scenario.calendar
    menu = {source: dict(split) for source, split in scenario.ivr.menu}
    names = [ct.name for ct in scenario.call_types]
    work = np.array([ct.handle_time.mean_s + ct.wrap_up.mean_s for ct in scenario.call_types])
    calls = np.zeros((len(names), cal.n_intervals))
    for k in range(cal.n_intervals):
        profile, j = cal.days[k // cal.intervals_per_day], k % cal.intervals_per_day
        for ct in scenario.call_types:
            for dest, share in menu.get(ct.name, {ct.name: 1.0}).items():
                calls[names.index(dest), k] += ct.calls_for(profile)[j] * share
    type_load = calls * work[:, None] / cal.interval_s
    answering = np.array([[name in g.skills for name in names] for g in scenario.agent_groups],
                         dtype=float)
    per_group = answering / np.maximum(answering.sum(axis=0), 1.0)
    return per_group @ type_load


def interval_inputs(scenario: Scenario) -> list[IntervalErlang]:
    """Each interval reduced to one stationary queue (calls, AHT, patience), staffing aside.

    The Erlang view of the scenario with one agent of every group on duty everywhere, so that
    the AHT is divided by the groups' mean availability whatever the scenario schedules.
    """
    one_each = with_staffing(scenario, [len(scenario.agent_groups)] * scenario.calendar.n_intervals)
    return erlang_view(one_each)


def staffing_targets(targets: Targets, model: str) -> StaffingTargets:
    """The scenario's targets as the staffing search takes them (``max_abandon`` dropped for
    Erlang C, which has no abandonment)."""
    judge = service_targets(targets)
    if model == "c":
        judge = dataclasses.replace(judge, max_abandon=None)
    try:
        return StaffingTargets(**{f.name: getattr(judge, f.name)
                                  for f in dataclasses.fields(ServiceTargets)})
    except ErlangInputError as exc:
        raise PlanError(f"targets: {exc}") from exc


def erlang_requirements(scenario: Scenario, model: str,
                        loads: np.ndarray | None = None) -> tuple[int, ...] | None:
    """Fewest agents on the phones per interval by Erlang C (``"c"``) or Erlang A (``"a"``).

    Parameters
    ----------
    scenario : Scenario
    model : {"c", "a"}
    loads : ndarray, optional
        Offered load (erlangs of talk plus wrap-up) at ``J`` equal steps of every interval,
        shape ``(intervals, J)``, in place of the interval's ``calls x AHT`` (the simulation
        method passes its simulated load). Each interval then gets the fewest agents whose
        figures, averaged over the ``J`` steps (calls arrive evenly within an interval), meet
        the targets: in a steep ramp the calls arriving late in an interval meet a load well
        above the interval's mean.

    Returns
    -------
    tuple of int, or None
        ``None`` for Erlang A when some queued calls wait forever (no exponential patience).

    Raises
    ------
    InfeasibleTargetError
        An interval no agent count serves; the message names the interval.
    """
    inputs = interval_inputs(scenario)
    cal = scenario.calendar
    if model == "a" and any(v.queue_calls > 0 and v.mean_patience_s is None for v in inputs):
        return None
    targets = staffing_targets(scenario.targets, model)
    availability = float(np.mean([g.availability for g in scenario.agent_groups]))
    agents = []
    for v in inputs:
        work_s = v.aht_s * availability  # talk + wrap-up, before dividing by availability
        if loads is None:
            rates = np.array([v.queue_calls / cal.interval_s])
        else:
            rates = np.asarray(loads[v.interval], dtype=float) / work_s if work_s > 0 else \
                np.zeros(1)
        if v.queue_calls <= 0 or v.aht_s <= 0 or not np.any(rates > 0):
            agents.append(0)
            continue
        patience = v.mean_patience_s if model == "a" else None
        try:
            agents.append(_fewest_on_average(rates, v.aht_s, patience, targets, model))
        except InfeasibleTargetError as exc:
            raise InfeasibleTargetError(
                f"interval {interval_label(cal, v.interval)}: {exc}", best=exc.best) from exc
    return tuple(agents)


def _fewest_on_average(rates: np.ndarray, aht_s: float, patience_s: float | None,
                       targets: StaffingTargets, model: str) -> int:
    """Fewest agents whose stationary figures, averaged over ``rates`` (per second, one per
    step of the interval), meet ``targets``.

    Every figure is monotone in the agents and in the load, so the answer lies between the
    Erlang answers at the smallest and the largest rate: below the first every step misses,
    at the second every step meets. Bisect between them.
    """
    positive = rates[rates > 0]

    def one(rate: float) -> int:
        return staff(arrival_rate_per_s=rate, aht_s=aht_s, targets=targets, model=model,
                     mean_patience_s=patience_s).agents

    low, high = one(float(positive.min())), one(float(positive.max()))
    if low == high or rates.size == 1:
        return high

    def meets(n: int) -> bool:
        figures = [_metrics(float(r), aht_s, n, patience_s, targets, model) for r in rates]
        mean = {name: float(np.mean([getattr(f, name) for f in figures]))
                for name in (*SL_DEFINITIONS.values(), "asa_s", "p_abandon", "occupancy")}
        return all(v.met for v in targets.judge(mean))

    fail, meet = low - 1, high
    while meet - fail > 1:
        mid = (fail + meet) // 2
        if meets(mid):
            meet = mid
        else:
            fail = mid
    return meet


def _metrics(rate: float, aht_s: float, agents: int, patience_s: float | None,
             targets: StaffingTargets, model: str):
    """Stationary figures of one step (an empty step is an idle queue: every call answered at
    once)."""
    if rate <= 0:
        return _IDLE
    if model == "a":
        return erlang_a(arrival_rate_per_s=rate, aht_s=aht_s, agents=agents,
                        mean_patience_s=patience_s, awt_s=targets.awt_s,
                        short_abandon_s=targets.short_abandon_s)
    return erlang_c(arrival_rate_per_s=rate, aht_s=aht_s, agents=agents, awt_s=targets.awt_s)


class _Idle:
    """Figures of a queue with no load."""

    service_level = service_level_answered = service_level_excl_short = 1.0
    asa_s = p_abandon = occupancy = 0.0


_IDLE = _Idle()


@dataclass(frozen=True)
class DayRuns:
    """Replications of one staffing: per-replication interval figures and the offered load.

    Attributes
    ----------
    agents : tuple of int
        The staffing simulated (on the phones, per interval).
    figures : dict
        Metric name -> array (replications, intervals) as :func:`sim.metrics.interval_metrics`.
    load : ndarray
        Infinite-server offered load, erlangs, at :data:`LOAD_STEPS` equal steps of every
        interval, shape ``(intervals, LOAD_STEPS)`` (mean over replications; ``nan`` in
        warm-up intervals).
    """

    agents: tuple[int, ...]
    figures: dict[str, np.ndarray]
    load: np.ndarray

    @property
    def mean_load(self) -> np.ndarray:
        """Offered load per interval (time average), erlangs."""
        return self.load.mean(axis=1)

    def estimate(self, name: str) -> list[Estimate]:
        """Mean and 95 % CI per interval of one figure."""
        return estimates(self.figures[name])


def estimates(values: np.ndarray) -> list[Estimate]:
    """Per column of ``values`` (replications x intervals): :func:`plan.runs.estimate`, the mean
    and Student-t 95 % half-width with ``nan`` replications left out."""
    return [estimate(column) for column in np.asarray(values, dtype=float).T]


def simulate_day(scenario: Scenario, agents: Sequence[int], *, entropy: int,
                 replications: int, engine: str = "auto") -> DayRuns:
    """Simulate ``scenario`` with ``agents`` on the phones, replication ``r`` seeded by
    ``(entropy, r)`` as in :func:`sim.replicate.simulate` (common random numbers across
    staffings), with ``engine`` (:func:`sim.replicate.engine_for`)."""
    sc = with_staffing(scenario, agents)
    cal = sc.calendar
    work_by_type = np.array([ct.handle_time.mean_s + ct.wrap_up.mean_s for ct in sc.call_types])
    step_s = cal.interval_s / LOAD_STEPS
    edges = np.arange(cal.n_intervals * LOAD_STEPS + 1) * step_s
    load = np.zeros(cal.n_intervals * LOAD_STEPS)
    per_rep: dict[str, list[np.ndarray]] = {}
    for r in range(replications):
        rows: list[tuple] = []
        rc = run_counts(sc, replication_seed(entropy, r), sink=rows.extend, engine=engine)
        for name, value in interval_metrics(rc, sc).items():
            per_rep.setdefault(name, []).append(value)
        load += _work_in_intervals(rows, work_by_type, edges) / step_s
    load = load.reshape(cal.n_intervals, LOAD_STEPS) / replications
    load[: first_counted_interval(sc)] = math.nan
    counts = np.rint(scheduled_agents(sc).sum(axis=0)).astype(int)
    return DayRuns(tuple(int(a) for a in counts),
                   {name: np.array(v) for name, v in per_rep.items()}, load)


def _work_in_intervals(rows: list[tuple], work_by_type: np.ndarray, edges: np.ndarray
                       ) -> np.ndarray:
    """Seconds of talk plus wrap-up that fall in each interval if every queued attempt were
    served from its queue entry on (the infinite-server load, integrated)."""
    queued = [row for row in rows if row[_Q] is not None]
    total = np.zeros(len(edges) - 1)
    for lo in range(0, len(queued), _CHUNK):
        block = queued[lo: lo + _CHUNK]
        start = np.array([row[_Q] for row in block])
        work = np.array([row[_WRAP_END] - row[_ANS] if row[_OUTCOME] == ANSWERED
                         else work_by_type[row[_TYPE]] for row in block])
        end = start + work
        overlap = (np.minimum(end[:, None], edges[None, 1:])
                   - np.maximum(start[:, None], edges[None, :-1]))
        total += np.clip(overlap, 0.0, None).sum(axis=0)
    return total


def interval_verdicts(scenario: Scenario, runs: DayRuns) -> list[bool | None]:
    """Per interval: every target met on the replication means (``None``: nothing to judge,
    no call reached the queue or the interval is in the warm-up).

    With a risk target (``planning.sl_probability``) the service level must also reach its
    target on at least that share of the simulated days (replications) with calls.
    """
    targets = service_targets(scenario.targets)
    key = SL_DEFINITIONS[targets.sl_definition]
    out: list[bool | None] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)  # all-nan columns stay nan
        means = {name: np.nanmean(runs.figures[name], axis=0)
                 for name in ("service_level", "asa_s", "p_abandon", "occupancy")}
    for k in range(len(runs.agents)):
        if math.isnan(means["service_level"][k]):
            out.append(None)
            continue
        figures = {key: means["service_level"][k], "asa_s": means["asa_s"][k],
                   "p_abandon": means["p_abandon"][k], "occupancy": means["occupancy"][k]}
        met = all(v.met for v in targets.judge(figures))
        risk = scenario.planning.sl_probability
        if met and risk is not None and targets.service_level is not None:
            days = runs.figures["service_level"][:, k]
            days = days[~np.isnan(days)]
            met = float(np.mean(days >= targets.service_level)) >= risk
        out.append(met)
    return out


def significant_misses(scenario: Scenario, runs: DayRuns) -> list[bool]:
    """Per interval: some target is missed beyond doubt, i.e. even at the end of the figure's
    95 % confidence interval most favourable to it (service level at ``mean + ci95``, ASA,
    abandonment and occupancy at ``mean - ci95``). Without a CI nothing is beyond doubt."""
    targets = service_targets(scenario.targets)
    key = SL_DEFINITIONS[targets.sl_definition]
    names = ("service_level", "asa_s", "p_abandon", "occupancy")
    est = {name: runs.estimate(name) for name in names}
    out = []
    for k in range(len(runs.agents)):
        def edge(name: str, sign: float, k: int = k) -> float:
            e = est[name][k]
            half = math.inf if math.isnan(e.ci95) else e.ci95
            return e.mean + sign * half

        if math.isnan(est["service_level"][k].mean):
            out.append(False)
            continue
        favourable = {key: edge("service_level", 1.0), "asa_s": edge("asa_s", -1.0),
                      "p_abandon": edge("p_abandon", -1.0), "occupancy": edge("occupancy", -1.0)}
        out.append(not all(v.met for v in targets.judge(favourable)))
    return out


@dataclass(frozen=True)
class SimulatedStaffing:
    """The simulation method's answer and how it was reached.

    Attributes
    ----------
    agents : tuple of int
        On the phones per interval.
    iterations : tuple of tuple of int
        The staffing of each ISA iteration, the start first.
    converged : bool
        The ISA reached a fixed point (or a cycle, whose larger staffing per interval is taken)
        within the allowed iterations.
    corrections : int
        Rounds of the correction pass that added agents.
    removed : int
        Agent-intervals the trimming removed.
    unmet : tuple of int
        Intervals still missing a target after the allowed corrections (empty when all meet).
    runs : DayRuns
        The replications of the final staffing.
    simulations : int
        Distinct staffings simulated by the corrections and the trimming.
    """

    agents: tuple[int, ...]
    iterations: tuple[tuple[int, ...], ...]
    converged: bool
    corrections: int
    removed: int
    unmet: tuple[int, ...]
    runs: DayRuns
    simulations: int = 0


def simulated_requirements(
    scenario: Scenario,
    *,
    start: Sequence[int],
    entropy: int,
    replications: int,
    max_iterations: int = 8,
    max_corrections: int = 20,
    trim: bool = True,
    max_trim_rounds: int = 40,
    progress: Progress | None = None,
    engine: str = "auto",
) -> SimulatedStaffing:
    """The time-varying requirement by simulation (see the module notes).

    Parameters
    ----------
    scenario : Scenario
    start : sequence of int
        First staffing (the per-interval Erlang answer is a good one).
    entropy : int
        Root seed of every simulation of the search (common random numbers).
    replications : int
        Replications per simulated staffing.
    max_iterations : int
        ISA iterations before giving up on a fixed point (``converged`` says which).
    max_corrections : int
        Rounds of "add agents where an interval misses a target" (1, 2, 4, ... in an interval
        that keeps missing).
    trim : bool
        Then remove agents wherever every target is still met (see :meth:`_Search.trim`), and
        correct again: the answer is minimal interval by interval, up to simulation noise.
    max_trim_rounds : int
        Simulations the trimming may use.
    progress : callable, optional
        Called with a short line of text after every simulated staffing.
    engine : {"auto", "fast", "simpy"}
        The simulation engine (:func:`sim.replicate.engine_for`).
    """
    model = "a" if erlang_requirements(scenario, "a") is not None else "c"
    skip = first_counted_interval(scenario)
    agents = tuple(int(a) for a in start)
    history = [agents]
    converged = False
    for iteration in range(1, max_iterations + 1):
        runs = simulate_day(scenario, agents, entropy=entropy, replications=replications,
                            engine=engine)
        loads = np.nan_to_num(runs.load, nan=0.0)
        new = erlang_requirements(scenario, model, loads=loads)
        new = tuple(agents[k] if k < skip else new[k] for k in range(len(agents)))
        if progress:
            progress(f"ISA iteration {iteration}: {sum(new)} agent-intervals "
                     f"({sum(abs(a - b) for a, b in zip(new, agents, strict=True))} changed)")
        if new == agents:
            converged = True
            break
        if new in history:
            # A cycle: the load of an interval sits on a threshold and simulation noise (which
            # calls abandon under which staffing) flips it. Take the larger staffing of the cycle.
            cycle = history[history.index(new):]
            agents = tuple(max(column) for column in zip(*cycle, strict=True))
            history.append(agents)
            converged = True
            break
        agents = new
        history.append(agents)
    day = _Search(scenario, entropy, replications, progress, engine)
    counts, corrections, missed = day.correct(list(agents), max_corrections)
    removed = 0
    if not missed and trim:
        counts, removed = day.trim(counts, skip, max_trim_rounds)
        counts, more, missed = day.correct(counts, max_corrections)
        corrections += more
    return SimulatedStaffing(agents=tuple(counts), iterations=tuple(history), converged=converged,
                             corrections=corrections, removed=removed, unmet=tuple(missed),
                             runs=day.run(counts), simulations=day.simulations)


class _Search:
    """Simulations of one scenario under common random numbers, remembered by staffing."""

    def __init__(self, scenario: Scenario, entropy: int, replications: int,
                 progress: Progress | None, engine: str = "auto"):
        self.scenario, self.entropy, self.replications = scenario, entropy, replications
        self.progress, self.engine = progress, engine
        self.cache: dict[tuple[int, ...], DayRuns] = {}

    @property
    def simulations(self) -> int:
        return len(self.cache)

    def run(self, counts: Sequence[int]) -> DayRuns:
        key = tuple(int(c) for c in counts)
        if key not in self.cache:
            self.cache[key] = simulate_day(self.scenario, key, entropy=self.entropy,
                                           replications=self.replications, engine=self.engine)
        return self.cache[key]

    def verdicts(self, counts: Sequence[int]) -> list[bool | None]:
        return interval_verdicts(self.scenario, self.run(counts))

    def correct(self, counts: list[int], rounds: int) -> tuple[list[int], int, list[int]]:
        """Add agents wherever an interval misses a target, until none does (or ``rounds``
        run out): one, then twice as many each round the same interval misses again, so a
        large gap closes in a few rounds (the trimming takes back what overshoots). Returns
        the staffing, the rounds used and the intervals still missing."""
        done = 0
        step = [1] * len(counts)
        self.last_added = [0] * len(counts)
        while True:
            missed = [k for k, ok in enumerate(self.verdicts(counts)) if ok is False]
            if not missed or done == rounds:
                return counts, done, missed
            done += 1
            added = 0
            for k in range(len(counts)):
                if k in missed:
                    counts[k] += step[k]
                    added += step[k]
                    self.last_added[k] = step[k]
                    step[k] *= 2
                else:
                    step[k] = 1
            counts = list(counts)
            self._say(f"correction {done}: +{added} agent(s) in {len(missed)} interval(s)")

    def trim(self, counts: list[int], skip: int, rounds: int) -> tuple[list[int], int]:
        """Remove agents where every target is still met, until no interval can lose one.

        Each interval has a step that doubles while its decreases are kept and halves when one
        is refused (galloping); an interval is done when its step reaches 0. A decrease is
        refused when its own interval or the next one (which inherits its queue) then misses
        a target. Rounds alternate between the even and the odd intervals, so that no two
        neighbours change at once and a refusal is the doing of the interval refused; a round
        is one simulation.
        """
        # Where the corrections last added a big step, the answer lies within it: start there.
        step = [max(1, a // 2) for a in getattr(self, "last_added", [0] * len(counts))]
        start = sum(counts)
        idle_rounds = 0
        for round_no in range(1, rounds + 1):
            parity = round_no % 2
            trying = [k for k, c in enumerate(counts)
                      if k >= skip and c > 0 and step[k] > 0 and k % 2 == parity]
            if not trying:
                idle_rounds += 1
                if idle_rounds == 2:  # neither parity has anything left to try
                    break
                continue
            idle_rounds = 0
            trial = list(counts)
            for k in trying:
                trial[k] = max(0, counts[k] - step[k])
            failing = {j for j, ok in enumerate(self.verdicts(trial)) if ok is False}
            for k in trying:
                if k in failing or k + 1 in failing:
                    step[k] //= 2
                else:
                    counts[k], step[k] = trial[k], step[k] * 2
            self._say(f"trim {round_no}: {sum(counts)} agent-intervals")
        return counts, start - sum(counts)

    def _say(self, text: str) -> None:
        if self.progress:
            self.progress(text)


@dataclass(frozen=True, kw_only=True)
class IntervalRequirement:
    """One interval's requirement by each method, and what simulating them showed.

    ``formula_*`` describe the per-interval formula's staffing (Erlang A, else Erlang C) once
    the day is simulated (``formula_meets``: on the replication means;
    ``formula_misses_significantly``: a target missed even at the favourable end of its 95 %
    CI, see :func:`significant_misses`); ``extra_*`` the paired difference (common random
    numbers) that one more agent in every interval makes to the simulation method's staffing.
    """

    interval: int
    label: str
    queue_calls: float
    aht_s: float
    simulated_load: float
    erlang_c: int
    erlang_a: int | None
    simulation: int | None
    formula_service_level: Estimate | None
    formula_meets: bool | None
    formula_misses_significantly: bool | None
    simulation_service_level: Estimate | None
    simulation_meets: bool | None
    extra_abandons_avoided: Estimate | None = None
    extra_service_level_gain: Estimate | None = None


@dataclass(frozen=True, kw_only=True)
class Requirements:
    """Every method's requirement per interval (see :func:`requirements`)."""

    scenario: str
    shrinkage: float
    formula: str
    intervals: tuple[IntervalRequirement, ...]
    simulated: SimulatedStaffing | None
    entropy: int | None
    replications: int

    def on_phone(self, method: str) -> tuple[int, ...] | None:
        """Agents on the phones per interval by ``method`` (``None`` if not computed)."""
        values = [getattr(r, method) for r in self.intervals]
        return None if any(v is None for v in values) else tuple(values)

    def heads(self, method: str) -> tuple[int, ...] | None:
        """Heads to schedule per interval by ``method`` (:func:`heads_to_schedule`)."""
        on_phone = self.on_phone(method)
        return None if on_phone is None else tuple(
            heads_to_schedule(n, self.shrinkage) for n in on_phone)

    def rows(self) -> list[dict]:
        """One flat row per interval, for tables and CSV."""
        out = []
        for r in self.intervals:
            row = {"interval": r.interval, "time": r.label, "calls": r.queue_calls,
                   "aht_s": r.aht_s, "sim_load": r.simulated_load}
            for method, short in (("erlang_c", "C"), ("erlang_a", "A"), ("simulation", "sim")):
                n = getattr(r, method)
                row[f"{short}_agents"] = n
                row[f"{short}_heads"] = None if n is None else heads_to_schedule(n, self.shrinkage)
            row["formula_sl"] = _mean(r.formula_service_level)
            row["formula_sl_ci"] = _ci(r.formula_service_level)
            row["understaffed"] = ("YES" if r.formula_misses_significantly else
                                   "maybe" if r.formula_meets is False else "")
            row["sim_sl"] = _mean(r.simulation_service_level)
            row["sim_sl_ci"] = _ci(r.simulation_service_level)
            row["plus1_abandons_avoided"] = _mean(r.extra_abandons_avoided)
            row["plus1_sl_gain"] = _mean(r.extra_service_level_gain)
            out.append(row)
        return out


def requirements(
    scenario: Scenario,
    *,
    simulate: bool = True,
    replications: int | None = None,
    seed: int | None = None,
    shrinkage: float | None = None,
    marginal: bool = True,
    progress: Progress | None = None,
    engine: str = "auto",
) -> Requirements:
    """Requirements per interval by Erlang C, Erlang A and (optionally) simulation.

    Parameters
    ----------
    scenario : Scenario
        Its targets, calls and times; its own staffing is ignored.
    simulate : bool
        Also run the simulation method, simulate the per-interval formula's staffing (the
        ``understaffed`` flag) and, with ``marginal``, one more agent per interval.
    replications, seed : int, optional
        Default: the scenario's ``simulation`` settings; a missing seed draws fresh entropy,
        recorded in the result.
    shrinkage : float, optional
        Default: the scenario's ``planning.shrinkage``.
    marginal : bool
        Estimate the value of one more agent in every interval (paired, common random numbers).
    progress : callable, optional
        Lines of progress text (for stderr).
    engine : {"auto", "fast", "simpy"}
        The simulation engine (:func:`sim.replicate.engine_for`).
    """
    shrink = scenario.planning.shrinkage if shrinkage is None else shrinkage
    heads_to_schedule(0, shrink)  # validates
    inputs = interval_inputs(scenario)
    c = erlang_requirements(scenario, "c")
    a = erlang_requirements(scenario, "a")
    formula, formula_agents = ("erlang_a", a) if a is not None else ("erlang_c", c)
    cal = scenario.calendar
    n_reps = scenario.simulation.replications if replications is None else replications
    entropy = None
    sim = base = extra = None
    if simulate:
        if n_reps < 2:
            raise PlanError(f"replications must be >= 2 for confidence intervals, got {n_reps}")
        entropy = seed if seed is not None else scenario.simulation.seed
        if entropy is None:
            entropy = int(np.random.SeedSequence().entropy)
        base = simulate_day(scenario, formula_agents, entropy=entropy, replications=n_reps,
                            engine=engine)
        if progress:
            progress(f"simulated the {formula} staffing ({n_reps} replications)")
        sim = simulated_requirements(scenario, start=formula_agents, entropy=entropy,
                                     replications=n_reps, progress=progress, engine=engine)
        if marginal:
            extra = simulate_day(scenario, [n + 1 for n in sim.agents], entropy=entropy,
                                 replications=n_reps, engine=engine)
            if progress:
                progress("simulated one more agent in every interval")
    base_ok = interval_verdicts(scenario, base) if base else [None] * cal.n_intervals
    base_sig = significant_misses(scenario, base) if base else [None] * cal.n_intervals
    sim_ok = interval_verdicts(scenario, sim.runs) if sim else [None] * cal.n_intervals
    base_sl = base.estimate("service_level") if base else [None] * cal.n_intervals
    sim_sl = sim.runs.estimate("service_level") if sim else [None] * cal.n_intervals
    avoided = gain = [None] * cal.n_intervals
    if extra is not None:
        avoided = estimates(sim.runs.figures["abandoned"] - extra.figures["abandoned"])
        gain = estimates(extra.figures["service_level"] - sim.runs.figures["service_level"])
    rows = tuple(
        IntervalRequirement(
            interval=k, label=interval_label(cal, k), queue_calls=v.queue_calls, aht_s=v.aht_s,
            simulated_load=float(sim.runs.mean_load[k]) if sim else math.nan,
            erlang_c=c[k], erlang_a=None if a is None else a[k],
            simulation=sim.agents[k] if sim else None,
            formula_service_level=base_sl[k], formula_meets=base_ok[k],
            formula_misses_significantly=base_sig[k],
            simulation_service_level=sim_sl[k], simulation_meets=sim_ok[k],
            extra_abandons_avoided=avoided[k], extra_service_level_gain=gain[k],
        )
        for k, v in enumerate(inputs)
    )
    return Requirements(scenario=scenario.name, shrinkage=shrink, formula=formula,
                        intervals=rows, simulated=sim, entropy=entropy, replications=n_reps)


def _mean(e: Estimate | None) -> float | None:
    return None if e is None else e.mean


def _ci(e: Estimate | None) -> float | None:
    return None if e is None else e.ci95
