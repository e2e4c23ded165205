"""Per-replication tallies and the metrics computed from them.

Counting rules
--------------
* An attempt counts in the interval in which its caller **first arrived** (``by="caller"``, the
  default: a redial or a callback is part of the demand of the interval that caused it), or in
  the interval in which the attempt itself arrived (``by="attempt"``: the load as it reaches
  the center, where redials show as an after-peak echo). While every attempt is a caller's
  first, the two agree. Each attempt counts under its call type **after** the IVR menu (its
  type as dialled if it left before the menu).
* Warm-up, defined once (:func:`first_counted_interval`): interval ``k`` counts iff it starts at
  or after ``simulation.warmup_s`` (``k * interval_s >= warmup_s``). Calls arriving in earlier
  intervals are simulated but neither counted nor recorded, and every per-interval figure of a
  warm-up interval (counts, ratios, occupancy, agents) is ``nan``, so it is reported as missing
  rather than as zero calls. (Scenario files require ``warmup_s`` to be a whole number of
  intervals; then this is simply "arrived at or after ``warmup_s``".)
* Occupancy and agents are time-based instead: each interval gets the agent time that fell in it.

Metrics (per interval, per call type and in total)
--------------------------------------------------
``offered``, ``after_hours``, ``blocked``, ``ivr_abandoned``, ``ivr_served``, ``abandoned``,
``answered``, ``unfinished``, ``callback_requested``, ``message``
    Counts of inbound attempts (first calls and redials; callbacks are counted by
    :mod:`sim.followups`); ``offered`` is the sum of the nine outcomes. A call an overflow
    group served is ``answered``; one it took a message for is ``message`` (it reached the
    queue, so it is in the denominators below; the callback that follows is a caller-level
    figure). A caller who accepted
    a callback offer (``callback_requested``) is neither answered nor lost here: the callback
    that follows is a caller-level figure.
``service_level``
    Answered with ``wait_s <= targets.awt_s``, divided by, per ``targets.sl_definition``:
    ``offered``: the calls that reached the queue (answered + abandoned + unfinished);
    ``answered``: the answered calls; ``exclude_short_abandons``: the calls that reached the queue
    minus those that abandoned after waiting less than ``targets.short_abandon_s``.
``asa_s``
    Mean wait of answered calls.
``mean_wait_s``
    Mean time in queue of the calls that left the queue (answered and abandoned; an abandoned
    call's time in queue is its time to abandon). Unfinished calls are left out (censored).
``wait_p50_s``, ``wait_p80_s``, ``wait_p90_s``, ``wait_p95_s``
    Percentiles of the waits of **answered** calls, as most planners report, taken from a
    histogram of the waits per (interval, call type) instead of every wait (so memory does not
    grow with the calls; :mod:`sim.waits`). Each is **exactly** the linear-interpolation
    percentile (numpy's default) of the waits moved to the centres of their bins: zero waits
    stay 0, and a percentile ``p`` is within ``0.5 ms + p / 128`` (0.78 %) of the exact one.
``p_abandon``
    Abandoned over calls that reached the queue.
``mean_wait_abandoned_s``
    Mean time in queue of the calls that abandoned (how long callers held before hanging up).
``p_no_wait``
    Calls answered at once (``wait_s == 0``) over calls that reached the queue.
``queue_len_avg``
    Time-average number of callers in queue, by Little's law: the queue time of the calls
    counted in the interval (answered, abandoned and unfinished) over the interval's length
    (over the counted horizon in total, where it is the exact time average when the day starts
    and ends with an empty queue; per interval a call's wait may spill into the next interval).
``sl_<t>s``
    Service level under ``targets.sl_definition`` at each threshold ``t`` of
    :data:`AWT_THRESHOLDS_S`, all at once (``sl_20s`` equals ``service_level`` when
    ``awt_s`` is 20).
``lost_share``
    (after_hours + blocked + ivr_abandoned + abandoned + unfinished) / offered: the clinic's
    "calls lost" (calls that never reached a person or the IVR's self-service).
``occupancy``
    Agent time on calls (talk + wrap-up) over available agent time (present, i.e. on duty or
    finishing a call after shift end, minus time on walk-ins). Per interval, per group
    (``occupancy.<group>``) and overall.
``agents``
    Scheduled agents on duty, time-averaged over the interval (``agents.<group>`` per group).

Undefined ratios (no call in the denominator) are ``nan``. Totals cover the counted intervals
only, occupancy and agents included.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from operator import itemgetter

import numpy as np

from scenarios.schema import Scenario
from sim.errors import SimError
from sim.followups import FollowUpCounts, FollowUpTally, followup_metrics, ratio
from sim.records import (
    ABANDONED,
    AFTER_HOURS,
    ANSWERED,
    BLOCKED,
    CALLBACK,
    INBOUND_OUTCOMES,
    IVR_ABANDONED,
    MESSAGE,
    OUTCOMES,
    ROW_ATTEMPT,
    ROW_FIRST_INTERVAL,
    ROW_GROUP,
    ROW_INTERVAL,
    ROW_KIND,
    ROW_OUTCOME,
    ROW_TYPE,
    ROW_TYPE_IN,
    ROW_WAIT,
    UNFINISHED,
)
from sim.waits import WaitCounter, WaitHistogram

PERCENTILES = (50, 80, 90, 95)
#: Extra service-level thresholds reported together, seconds (``sl_<t>s``).
AWT_THRESHOLDS_S = (10, 20, 30, 60, 120)
#: Names of the queue and caller-level figures (what ``--precision`` may name, for one).
QUEUE_METRICS = (*INBOUND_OUTCOMES, "offered", "service_level", "asa_s", "mean_wait_s",
                 *(f"wait_p{q}_s" for q in PERCENTILES), "p_abandon", "lost_share",
                 "mean_wait_abandoned_s", "p_no_wait", "queue_len_avg",
                 *(f"sl_{t}s" for t in AWT_THRESHOLDS_S), "callers", "never_answered",
                 "redials", "bookings", "conversion")


@dataclass(frozen=True)
class ReplicationCounts:
    """Raw per-interval tallies of one replication (``I`` intervals, ``T`` types, ``G`` groups).

    Attributes
    ----------
    counts : ndarray, shape (7, I, T)
        Calls by outcome (in :data:`sim.records.OUTCOMES` order), arrival interval and final type.
    answered_wait_sum_s, queued_wait_sum_s : ndarray, shape (I, T)
        Sum of waits of answered calls; of answered and abandoned calls.
    within_awt, short_abandons : ndarray, shape (I, T)
        Answered calls with ``wait_s <= awt_s``; abandons with ``wait_s < short_abandon_s``.
    waits : WaitHistogram
        Waits of answered calls per (interval, type), cell ``interval * T + type``, in the
        fixed bins of :mod:`sim.waits` (for percentiles).
    answered_by_group : ndarray, shape (G, I)
        Answered calls by answering group and arrival interval.
    busy_s, walk_in_s, present_s : ndarray, shape (G, I)
        Agent-seconds on calls (talk + wrap-up), on walk-ins, and present, per interval.
    scheduled_agents : ndarray, shape (G, I)
        Scheduled agents on duty, time average per interval.
    followups : FollowUpCounts
        Callers, redials and callbacks (:mod:`sim.followups`).
    extra_sums : ndarray, shape (2 + len(AWT_THRESHOLDS_S), I, T), optional
        Queue time of unfinished calls, calls answered without waiting, and answered calls
        within each of :data:`AWT_THRESHOLDS_S`.
    """

    counts: np.ndarray
    answered_wait_sum_s: np.ndarray
    queued_wait_sum_s: np.ndarray
    within_awt: np.ndarray
    short_abandons: np.ndarray
    waits: WaitHistogram
    answered_by_group: np.ndarray
    busy_s: np.ndarray
    walk_in_s: np.ndarray
    present_s: np.ndarray
    scheduled_agents: np.ndarray
    followups: FollowUpCounts
    extra_sums: np.ndarray | None = None


#: Which interval an attempt counts in (see the counting rules above): record field by name.
COUNT_BY = {"caller": ROW_FIRST_INTERVAL, "attempt": ROW_INTERVAL}


class Tally:
    """Accumulates batches of raw record rows into numpy arrays (no per-call objects are kept).

    Memory does not grow with the calls: counts and sums per (interval, type), and the waits of
    answered calls in a fixed-size histogram per (interval, type) (:mod:`sim.waits`).

    Parameters
    ----------
    scenario : Scenario
    by : {"caller", "attempt"}
        Count each attempt in its caller's first interval or in its own (see the module notes).
    """

    def __init__(self, scenario: Scenario, by: str = "caller"):
        if by not in COUNT_BY:
            raise SimError(f"count_by must be one of {', '.join(COUNT_BY)}, got {by!r}")
        self._interval_field = COUNT_BY[by]
        self.n_intervals = n_int = scenario.calendar.n_intervals
        self.n_types = n_types = len(scenario.call_types)
        self.n_groups = len(scenario.agent_groups)
        self.awt_s = scenario.targets.awt_s
        self.short_abandon_s = scenario.targets.short_abandon_s
        self.counts = np.zeros((len(OUTCOMES), n_int * n_types), dtype=np.int64)
        self.sums = np.zeros((6 + len(AWT_THRESHOLDS_S), n_int * n_types))
        self.answered_by_group = np.zeros((self.n_groups, n_int), dtype=np.int64)
        self._waits = WaitCounter(n_int * n_types)
        self.followups = FollowUpTally(scenario)
        # The thresholds of "answered within" (rows _WITHIN_ROWS of sums), sorted and distinct,
        # and where each row's threshold is among them. (Not np.unique: it imports numpy.ma,
        # 10-15 ms in every worker of a run.)
        wanted = (float(self.awt_s), 0.0, *AWT_THRESHOLDS_S)
        self._thresholds_s = np.array(sorted(set(wanted)), dtype=float)
        self._threshold_at = np.searchsorted(self._thresholds_s, wanted)

    def add(self, rows: list[tuple]) -> None:
        """Count a batch of raw rows (tuples in :data:`sim.records.ROW_FIELDS` order)."""
        if rows:
            self.add_columns(_RowColumns(rows))

    def add_columns(self, columns) -> None:
        """Count a batch of rows given as columns, indexed by the ``ROW_*`` positions of
        :mod:`sim.records`.

        ``columns[i]`` is a sequence or a numpy array (all of one length) for each field the
        tallies read; in a float field (``wait_s``, ``group``, the times) ``None`` or ``nan``
        mean "not applicable". Every row feeds the caller-level tally; the queue figures count
        inbound attempts only (first calls and redials): a callback is the center's call, not
        a call offered to it.
        """
        columns = _Arrays(columns)  # each column converted to numpy once, when first read
        self.followups.add(columns)
        fields = (columns[ROW_OUTCOME], columns[self._interval_field], columns[ROW_TYPE],
                  columns[ROW_WAIT], columns[ROW_GROUP])
        inbound = columns[ROW_KIND] != CALLBACK
        if not inbound.all():
            fields = tuple(a[inbound] for a in fields)
        outcome, interval, call_type, wait_s, group = fields
        if not outcome.size:
            return
        cell = interval * self.n_types + call_type
        # Count into the span of cells this batch touches, not over every (interval, type):
        # a batch covers minutes, a run may have tens of thousands of intervals.
        low = int(cell.min())
        span = int(cell.max()) - low + 1
        local, cells = cell - low, slice(low, low + span)
        self.counts[:, cells] += np.bincount(
            outcome * span + local, minlength=len(OUTCOMES) * span).reshape(-1, span)
        answered = outcome == ANSWERED
        abandoned = outcome == ABANDONED
        a_wait, a_local = wait_s[answered], local[answered]
        q_wait = wait_s[answered | abandoned]
        q_local = local[answered | abandoned]
        unfinished = outcome == UNFINISHED
        short = abandoned & (wait_s < self.short_abandon_s)
        for row, where, weights in (  # (rows of sums: see _WITHIN_ROWS for the others)
            (0, a_local, a_wait),
            (1, q_local, q_wait),
            (3, local[short], None),
            (4, local[unfinished], wait_s[unfinished]),
        ):
            self.sums[row, cells] += np.bincount(where, weights=weights, minlength=span)
        # Answered within each threshold (the target's awt_s, 0 s, AWT_THRESHOLDS_S), in one
        # count: a wait is within thresholds[j] for every j >= the number of thresholds below it
        # (waits are >= 0, so "within 0 s" is "answered at once").
        width = self._thresholds_s.size + 1  # (below = size: beyond every threshold)
        below = np.searchsorted(self._thresholds_s, a_wait, side="left")
        within = np.bincount(a_local * width + below, minlength=span * width)
        within = within.reshape(span, width).cumsum(axis=1)
        self.sums[_WITHIN_ROWS, cells] += within[:, self._threshold_at].T
        if a_local.size:
            group_answered = group[answered].astype(np.int64)
            answering = interval[answered]
            i_low = int(answering.min())
            i_span = int(answering.max()) - i_low + 1
            self.answered_by_group[:, i_low:i_low + i_span] += np.bincount(
                group_answered * i_span + (answering - i_low),
                minlength=self.n_groups * i_span).reshape(-1, i_span)
            self._waits.add(cell[answered], a_wait)

    def result(self, pool, scheduled_agents: np.ndarray) -> ReplicationCounts:
        """The replication's tallies, with the agent time accounted by ``pool``."""
        shape = (self.n_intervals, self.n_types)
        return ReplicationCounts(
            counts=self.counts.reshape(len(OUTCOMES), *shape),
            answered_wait_sum_s=self.sums[0].reshape(shape),
            queued_wait_sum_s=self.sums[1].reshape(shape),
            within_awt=self.sums[2].reshape(shape),
            short_abandons=self.sums[3].reshape(shape),
            waits=self._waits.result(),
            answered_by_group=self.answered_by_group,
            busy_s=np.array(pool.busy_s).reshape(self.n_groups, self.n_intervals),
            walk_in_s=np.array(pool.walk_in_s).reshape(self.n_groups, self.n_intervals),
            present_s=np.array(pool.present_s).reshape(self.n_groups, self.n_intervals),
            scheduled_agents=scheduled_agents,
            followups=self.followups.result(),
            extra_sums=self.sums[4:].reshape(-1, *shape),
        )


#: Rows of ``Tally.sums`` counting answered calls within awt_s, at once (0 s) and within each
#: AWT_THRESHOLDS_S (the others: answered wait, queued wait, short abandons, unfinished wait).
_WITHIN_ROWS = (2, 5, *range(6, 6 + len(AWT_THRESHOLDS_S)))

#: The fields read as integers (the others the tallies read are floats, ``None`` -> nan).
_INT_FIELDS = frozenset((ROW_KIND, ROW_OUTCOME, ROW_TYPE, ROW_TYPE_IN, ROW_INTERVAL,
                         ROW_FIRST_INTERVAL, ROW_ATTEMPT))


class _RowColumns:
    """The columns of a batch of row tuples, each gathered when first asked for: the tallies
    read about half of the fields (the times only when there are callbacks), and gathering a
    column costs a Python step per row."""

    def __init__(self, rows: list[tuple]):
        self._rows = rows

    def __getitem__(self, field: int):
        get = map(itemgetter(field), self._rows)
        if field in _INT_FIELDS:
            return np.fromiter(get, dtype=np.int64, count=len(self._rows))
        return np.array(list(get), dtype=float)  # None -> nan


class _Arrays:
    """``columns[field]`` as a numpy array (int64 or float per :data:`_INT_FIELDS`), converted
    once and shared by the queue and the follow-up tallies."""

    def __init__(self, columns):
        self._columns, self._arrays = columns, {}

    def __getitem__(self, field: int) -> np.ndarray:
        array = self._arrays.get(field)
        if array is None:
            array = self._arrays[field] = np.asarray(
                self._columns[field], dtype=np.int64 if field in _INT_FIELDS else float)
        return array


def queue_metrics(counts, answered_wait_sum_s, queued_wait_sum_s, within_awt, short_abandons,
                  sl_definition: str, extra_sums=None,
                  horizon_s: float | np.ndarray = np.nan) -> dict[str, np.ndarray]:
    """Counts and ratios of the module docstring, elementwise over arrays of any common shape.

    ``counts`` has the outcomes on its first axis, as has ``extra_sums``
    (:attr:`ReplicationCounts.extra_sums`; its figures are left out when it is ``None``);
    ``horizon_s`` is the time the queue length is averaged over.
    """
    # Callbacks (whose outcome may be unreached) are left out of these counts.
    out = {name: counts[i] for i, name in enumerate(INBOUND_OUTCOMES)}
    offered = counts.sum(axis=0)
    reached = counts[ABANDONED] + counts[ANSWERED] + counts[UNFINISHED] + counts[MESSAGE]
    denominator = {
        "offered": reached,
        "answered": counts[ANSWERED],
        "exclude_short_abandons": reached - short_abandons,
    }[sl_definition]
    lost = (counts[AFTER_HOURS] + counts[BLOCKED] + counts[IVR_ABANDONED] + counts[ABANDONED]
            + counts[UNFINISHED])
    out.update(
        offered=offered,
        service_level=ratio(within_awt, denominator),
        asa_s=ratio(answered_wait_sum_s, counts[ANSWERED]),
        mean_wait_s=ratio(queued_wait_sum_s, counts[ABANDONED] + counts[ANSWERED]),
        p_abandon=ratio(counts[ABANDONED], reached),
        lost_share=ratio(lost, offered),
    )
    if extra_sums is not None:
        unfinished_wait_s, no_wait, *within = extra_sums
        out.update(
            mean_wait_abandoned_s=ratio(queued_wait_sum_s - answered_wait_sum_s,
                                         counts[ABANDONED]),
            p_no_wait=ratio(no_wait, reached),
            queue_len_avg=ratio(queued_wait_sum_s + unfinished_wait_s, horizon_s),
        )
        for t, count in zip(AWT_THRESHOLDS_S, within, strict=True):
            den = {"offered": reached, "answered": counts[ANSWERED],
                   "exclude_short_abandons": reached - short_abandons}[sl_definition]
            out[f"sl_{t}s"] = ratio(count, den)
    return out


def wait_percentiles(waits: WaitHistogram, key_of_cell: np.ndarray,
                     n_keys: int) -> dict[str, np.ndarray]:
    """``wait_p<q>_s`` of the waits of each key in ``range(n_keys)``, cells merged by
    ``key_of_cell`` (linear interpolation on the histogram's bin centres, see
    :mod:`sim.waits`; nan for a key without waits)."""
    values = waits.percentiles(key_of_cell, n_keys, PERCENTILES)
    return {f"wait_p{q}_s": values[q] for q in PERCENTILES}


def _reduce(rc: ReplicationCounts, sl_definition: str, axis,
            horizon_s: float | np.ndarray = np.nan) -> dict[str, np.ndarray]:
    """Queue metrics with the (interval, type) axes reduced over ``axis``."""
    return queue_metrics(
        rc.counts.sum(axis=tuple(a + 1 for a in axis)),
        *(a.sum(axis=axis) for a in (rc.answered_wait_sum_s, rc.queued_wait_sum_s,
                                      rc.within_awt, rc.short_abandons)),
        sl_definition,
        None if rc.extra_sums is None else rc.extra_sums.sum(axis=tuple(a + 1 for a in axis)),
        horizon_s,
    )


def first_counted_interval(scenario: Scenario) -> int:
    """Index of the first interval that counts: the first one starting at or after ``warmup_s``.

    The one definition of the warm-up: the model records the calls arriving in intervals from
    this one on, and the metrics report those intervals only.
    """
    return warmup_intervals(scenario.simulation.warmup_s, scenario.calendar.interval_s)


def warmup_intervals(warmup_s: float, interval_s: float) -> int:
    """Number of intervals of ``interval_s`` seconds that start before ``warmup_s`` seconds.

    The smallest ``k`` with ``k * interval_s >= warmup_s``, by exactly that comparison (the
    ceiling of the quotient can be one off in floating point).
    """
    k = max(0, math.ceil(warmup_s / interval_s))
    while k > 0 and (k - 1) * interval_s >= warmup_s:
        k -= 1
    while k * interval_s < warmup_s:
        k += 1
    return k


def _counted(scenario: Scenario) -> np.ndarray:
    return np.arange(scenario.calendar.n_intervals) >= first_counted_interval(scenario)


def _counted_horizon_s(scenario: Scenario) -> float:
    return float(_counted(scenario).sum() * scenario.calendar.interval_s)


def interval_metrics(rc: ReplicationCounts, scenario: Scenario) -> dict[str, np.ndarray]:
    """Every metric per interval (float arrays of length ``n_intervals``; warm-up ones nan)."""
    out = _reduce(rc, scenario.targets.sl_definition, axis=(1,),
                  horizon_s=scenario.calendar.interval_s)
    n_types = len(scenario.call_types)
    out.update(wait_percentiles(rc.waits, np.arange(rc.waits.n_cells) // n_types,
                                scenario.calendar.n_intervals))
    out.update(followup_metrics(rc.followups, axis=(1,), scenario=scenario))
    available_s = rc.present_s - rc.walk_in_s
    out["occupancy"] = ratio(rc.busy_s.sum(axis=0), available_s.sum(axis=0))
    out["agents"] = rc.scheduled_agents.sum(axis=0)
    for g, group in enumerate(scenario.agent_groups):
        out[f"occupancy.{group.name}"] = ratio(rc.busy_s[g], available_s[g])
        out[f"agents.{group.name}"] = rc.scheduled_agents[g]
    counted = _counted(scenario)
    return {name: np.where(counted, value, np.nan) for name, value in out.items()}


def call_type_metrics(rc: ReplicationCounts, scenario: Scenario) -> dict[str, np.ndarray]:
    """Queue metrics per call type (arrays of length ``n_types``)."""
    out = _reduce(rc, scenario.targets.sl_definition, axis=(0,),
                  horizon_s=_counted_horizon_s(scenario))
    n_types = len(scenario.call_types)
    out.update(wait_percentiles(rc.waits, np.arange(rc.waits.n_cells) % n_types, n_types))
    out.update(followup_metrics(rc.followups, axis=(0,), scenario=scenario))
    return out


def group_metrics(rc: ReplicationCounts, scenario: Scenario) -> dict[str, np.ndarray]:
    """Per agent group: answered calls, occupancy and mean scheduled agents (length ``G``)."""
    counted = _counted(scenario)
    return {
        "answered": rc.answered_by_group.sum(axis=1),
        "occupancy": ratio(rc.busy_s[:, counted].sum(axis=1),
                            (rc.present_s - rc.walk_in_s)[:, counted].sum(axis=1)),
        "agents": rc.scheduled_agents[:, counted].mean(axis=1),
    }


def total_metrics(rc: ReplicationCounts, scenario: Scenario) -> dict[str, float]:
    """Every metric over the whole run (floats)."""
    out = _reduce(rc, scenario.targets.sl_definition, axis=(0, 1),
                  horizon_s=_counted_horizon_s(scenario))
    out.update(wait_percentiles(rc.waits, np.zeros(rc.waits.n_cells, dtype=np.int64), 1))
    out.update(followup_metrics(rc.followups, axis=(0, 1), scenario=scenario))
    counted = _counted(scenario)
    out["occupancy"] = ratio(rc.busy_s[:, counted].sum(),
                              (rc.present_s - rc.walk_in_s)[:, counted].sum())
    out["agents"] = rc.scheduled_agents[:, counted].sum(axis=0).mean()
    return {name: float(np.asarray(value).reshape(-1)[0]) for name, value in out.items()}
