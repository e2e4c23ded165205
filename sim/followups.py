"""What happens to callers beyond one attempt: redials, callbacks, and who is never answered.

A caller may make several attempts (:mod:`sim.records`): its first, redials after a busy
signal or an abandonment, and callbacks the center makes. The per-attempt figures of
:mod:`sim.metrics` count inbound attempts (first calls and redials); this module counts
callers, and the callback work, from the same rows.

Counting rules
--------------
* A caller counts once, in the interval of its first arrival and under the call type it
  dialled (``call_type_in`` of its first attempt), whatever its later attempts do.
* ``callers_answered``: callers one of whose attempts (inbound, redial or a reached callback)
  was answered by an agent; ``callers_ivr_served``: served by the IVR.
  ``never_answered = 1 - (callers_answered + callers_ivr_served) / callers``: the share of
  callers who never got what they called for (the clinic's "calls never answered").
* ``redials``: attempts of kind ``redial``.
* Callbacks: ``callbacks_requested`` (first callback attempts: a caller abandoned and was
  put on the callback list, or accepted an offer), ``callback_attempts`` (every dial),
  ``callbacks_reached`` (attempts the caller answered), ``callback_delay_s`` (mean time from
  the request to the first dial, over first attempts that were dialled) and its 90th
  percentile ``callback_delay_p90_s`` (whole run only; from a histogram of the delays, exact
  on the bin centres, within 0.5 ms + 0.78 %: :mod:`sim.waits`), ``callback_agent_s`` (agent
  seconds on callbacks: dialling, talking and wrap-up, reached or not).
* Events the model counts as they happen: ``callbacks_offered`` and ``callbacks_accepted``
  (virtual hold), ``callback_deadline_missed`` (first dials later than the deadline, or never
  made), ``gave_up`` (redials or callback retries not made because they would fall after the
  last interval).
* Business outcomes (``scenarios.schema.CallType.conversion``, ``AgentGroup.conversion``,
  ``Outcomes``): ``bookings`` is the expected number of bookings, the sum over answered calls
  of each caller's booking probability (by its type, the answering group and its patience):
  an expectation rather than a coin flip per call, which adds no noise of its own.
  ``conversion`` = bookings / callers answered (the field's "answered call -> booking");
  ``bookings_lost`` = the same sum over callers never answered, at their type's own
  conversion; ``visits`` = bookings times ``visit_probability``; ``value`` = visits times
  ``value_per_visit``. (Per call type the figures are by the type dialled.)
* Reminder calls (``scenarios.schema.Outbound``), counted in the interval they happen:
  ``reminders_made``, ``reminders_reached``, ``reminders_left`` (due but not dialled when the
  window closed), ``outbound_abandoned`` (dialer: patients who answered and found no agent)
  and ``outbound_abandon_rate`` (their share of the patients who answered, whole run);
  ``reminder_visit_rate`` (whole run): the expected share of the reminded
  bookings that become visits, reached ones at the reminded visit probability and the rest at
  ``Outcomes.visit_probability``; with reminders, ``visits`` use that rate.
* Wait prediction (offered callbacks): over answered inbound attempts for which a wait was
  predicted, ``wait_prediction_mae_s`` (mean absolute error) and ``wait_prediction_bias_s``
  (mean of predicted minus actual).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scenarios.schema import Scenario
from sim.records import (
    ANSWERED,
    CALLBACK,
    INBOUND,
    IVR_SERVED,
    REDIAL,
    ROW_ANSWER,
    ROW_ARRIVAL,
    ROW_ATTEMPT,
    ROW_END,
    ROW_FIRST_INTERVAL,
    ROW_GROUP,
    ROW_KIND,
    ROW_OUTCOME,
    ROW_PATIENCE,
    ROW_PREDICTED,
    ROW_TYPE,
    ROW_TYPE_IN,
    ROW_WAIT,
    ROW_WRAP_END,
)
from sim.waits import WaitCounter, WaitHistogram

#: Per (first interval, type dialled) counts, in this order.
CALLER_COUNTS = ("callers", "callers_answered", "callers_ivr_served", "redials",
                 "callbacks_requested", "callback_attempts", "callbacks_reached")
#: Per (first interval, type dialled) expected bookings: made; potential of every caller, of
#: the answered and of the IVR-served ones (at the type's own conversion).
BOOKING_SUMS = ("bookings", "potential", "potential_answered", "potential_ivr_served")
#: Per first interval sums.
CALLBACK_SUMS = ("callback_delay_sum_s", "callback_delays", "callback_agent_s")
#: Events counted by the model as they happen, per first interval.
EVENTS = ("callbacks_offered", "callbacks_accepted", "callback_deadline_missed", "gave_up",
          "reminders_made", "reminders_reached", "reminders_left", "outbound_abandoned")


@dataclass(frozen=True)
class FollowUpCounts:
    """One replication's caller-level and callback tallies (``I`` intervals, ``T`` types).

    Attributes
    ----------
    counts : ndarray, shape (len(CALLER_COUNTS), I, T)
    bookings : ndarray, shape (len(BOOKING_SUMS), I, T)
    sums : ndarray, shape (len(CALLBACK_SUMS), I)
    events : ndarray, shape (len(EVENTS), I)
    callback_delays : WaitHistogram
        First callbacks' delays from request to dial, one cell, in the fixed bins of
        :mod:`sim.waits` (for the percentile).
    prediction : ndarray, shape (3,)
        Count, sum of absolute errors and sum of errors of predicted waits.
    """

    counts: np.ndarray
    bookings: np.ndarray
    sums: np.ndarray
    events: np.ndarray
    callback_delays: WaitHistogram
    prediction: np.ndarray


class FollowUpTally:
    """Accumulates the rows of one replication into :class:`FollowUpCounts`."""

    def __init__(self, scenario: Scenario):
        self.n_intervals = n = scenario.calendar.n_intervals
        self.n_types = len(scenario.call_types)
        self.counts = np.zeros((len(CALLER_COUNTS), n * self.n_types), dtype=np.int64)
        self.bookings = np.zeros((len(BOOKING_SUMS), n * self.n_types))
        self.conversion = Conversion(scenario)
        self.sums = np.zeros((len(CALLBACK_SUMS), n))
        self.events = np.zeros((len(EVENTS), n), dtype=np.int64)
        self._delays = WaitCounter(1)
        self.prediction = np.zeros(3)

    def event(self, name: str, first_interval: int) -> None:
        """Count one event of ``name`` (see :data:`EVENTS`) for a caller's first interval."""
        self.events[EVENTS.index(name), first_interval] += 1

    def add(self, columns: list) -> None:
        """Count a batch of rows, given as columns indexed by the ``ROW_*`` positions (tuples
        as ``list(zip(*rows))`` gives them, or numpy arrays; ``None`` or ``nan`` in a float
        field mean "not applicable")."""
        kind = np.asarray(columns[ROW_KIND], dtype=np.int64)
        attempt = np.asarray(columns[ROW_ATTEMPT], dtype=np.int64)
        outcome = np.asarray(columns[ROW_OUTCOME], dtype=np.int64)
        first = np.asarray(columns[ROW_FIRST_INTERVAL], dtype=np.int64)
        cell = first * self.n_types + np.asarray(columns[ROW_TYPE_IN], dtype=np.int64)
        callback = kind == CALLBACK
        answered = outcome == ANSWERED
        size = self.counts.shape[1]
        first_attempt = (kind == INBOUND) & (attempt == 1)
        if self.conversion.any:
            call_type = np.asarray(columns[ROW_TYPE], dtype=np.int64)
            patience = np.asarray(columns[ROW_PATIENCE], dtype=float)
            group = np.asarray(columns[ROW_GROUP], dtype=float)  # None -> nan
            base = self.conversion.probability(call_type, None, patience)
            made = self.conversion.probability(call_type, group, patience)
            for i, (mask, p) in enumerate(((answered, made), (first_attempt, base),
                                           (answered, base), (outcome == IVR_SERVED, base))):
                self.bookings[i] += np.bincount(cell[mask], weights=p[mask], minlength=size)
        # Redials and callbacks are counted only in a batch that has some (INBOUND is 0): the
        # tally runs every few thousand calls, and its numpy calls, not its rows, are its cost.
        later = bool(kind.any())
        masks = (first_attempt, answered, outcome == IVR_SERVED)
        if later:
            masks += (kind == REDIAL, callback & (attempt == 1), callback, callback & answered)
        for i, mask in enumerate(masks):
            self.counts[i] += np.bincount(cell[mask], minlength=size)
        if later and callback.any():
            arrival = np.asarray(columns[ROW_ARRIVAL], dtype=float)
            dialled = np.asarray(columns[ROW_ANSWER], dtype=float)  # None -> nan
            end = np.asarray(columns[ROW_END], dtype=float)
            wrap_end = np.asarray(columns[ROW_WRAP_END], dtype=float)
            busy_until = np.where(np.isnan(wrap_end), end, wrap_end)
            first_dial = callback & (attempt == 1) & ~np.isnan(dialled)
            delay = dialled[first_dial] - arrival[first_dial]
            n = self.n_intervals
            self.sums[0] += np.bincount(first[first_dial], weights=delay, minlength=n)
            self.sums[1] += np.bincount(first[first_dial], minlength=n)
            on_agent = callback & ~np.isnan(dialled)
            self.sums[2] += np.bincount(first[on_agent],
                                        weights=(busy_until - dialled)[on_agent], minlength=n)
            self._delays.add(np.zeros(delay.size, dtype=np.int64), delay)
        predicted = np.asarray(columns[ROW_PREDICTED], dtype=float)
        judged = answered & (kind != CALLBACK) & ~np.isnan(predicted)
        if judged.any():
            error = predicted[judged] - np.asarray(columns[ROW_WAIT], dtype=float)[judged]
            self.prediction += (error.size, np.abs(error).sum(), error.sum())

    def result(self) -> FollowUpCounts:
        return FollowUpCounts(
            counts=self.counts.reshape(len(CALLER_COUNTS), self.n_intervals, self.n_types),
            bookings=self.bookings.reshape(len(BOOKING_SUMS), self.n_intervals, self.n_types),
            sums=self.sums, events=self.events,
            callback_delays=self._delays.result(),
            prediction=self.prediction,
        )


def ratio(num, den):
    """``num / den`` elementwise, ``nan`` where ``den`` is 0 (an undefined ratio), no warning.
    The one ratio of the tallies (:mod:`sim.metrics` uses it too)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.divide(num, den, dtype=float)


class Conversion:
    """Booking probabilities by call type, answering group and the caller's patience.

    See ``scenarios.schema.CallType.intent_slope``: a caller whose patience is ``x`` times its
    type's mean converts with ``logistic(logit(p) + slope * (x - 1))``, where ``p`` is the
    group's conversion for the type (or the type's own); probabilities of 0 and 1 stay put.
    """

    def __init__(self, scenario: Scenario):
        types, groups = scenario.call_types, scenario.agent_groups
        # Row j: the type's own conversion, then one column per group.
        self.table = np.array([[ct.conversion] + [dict(g.conversion).get(ct.name, ct.conversion)
                                                  for g in groups] for ct in types])
        self.slope = np.array([ct.intent_slope for ct in types])
        self.mean_patience_s = np.array([np.inf if ct.patience is None else ct.patience.mean_s
                                         for ct in types])
        self.any = bool(self.table.any())

    def probability(self, call_type: np.ndarray, group: np.ndarray | None,
                    patience_s: np.ndarray) -> np.ndarray:
        """Booking probability per row (``group`` nan or ``None``: the type's own)."""
        column = np.zeros(call_type.size, dtype=np.int64) if group is None else np.where(
            np.isnan(group), 0, np.nan_to_num(group) + 1).astype(np.int64)
        p = self.table[call_type, column]
        slope = self.slope[call_type]
        mean = self.mean_patience_s[call_type]
        shift = np.zeros(p.size)
        tilted = (slope != 0) & np.isfinite(mean) & np.isfinite(patience_s) & (p > 0) & (p < 1)
        shift[tilted] = slope[tilted] * (patience_s[tilted] / mean[tilted] - 1.0)
        with np.errstate(divide="ignore"):
            logit = np.log(p) - np.log1p(-p)
        return np.where(tilted, 1.0 / (1.0 + np.exp(-(logit + shift))), p)


def visit_rate(fc: FollowUpCounts, scenario: Scenario) -> float:
    """Booking -> visit probability: ``Outcomes.visit_probability``, or with reminder calls the
    whole run's expected share of reminded bookings that become visits (reached patients at the
    reminded probability, the rest, those a dialer dropped included, at the plain one): the
    reminder list stands for the bookings, so every booking gets that rate."""
    base = scenario.outcomes.visit_probability
    if scenario.outbound is None:
        return base
    made, reached, left, abandoned = (fc.events[EVENTS.index(name)].sum()
                                      for name in EVENTS[4:])
    if made + left == 0:
        return base
    reminded = reached - abandoned  # a patient who hung up on the dialer heard nothing
    return (reminded * scenario.outbound.visit_probability
            + (made + left - reminded) * base) / (made + left)


def followup_metrics(fc: FollowUpCounts, axis: tuple[int, ...],
                     scenario: Scenario | None = None) -> dict[str, np.ndarray]:
    """Caller-level and callback figures with the (interval, type) axes reduced over ``axis``.

    ``axis=(1,)``: per interval; ``(0,)``: per call type (dialled); ``(0, 1)``: whole run. The
    callback sums and events have no type axis: per call type they are left out.
    """
    counts = fc.counts.sum(axis=tuple(a + 1 for a in axis))
    out = dict(zip(CALLER_COUNTS, counts, strict=True))
    out["never_answered"] = 1.0 - ratio(counts[1] + counts[2], counts[0])
    bookings, potential, answered, ivr_served = fc.bookings.sum(axis=tuple(a + 1 for a in axis))
    out["bookings"] = bookings
    out["conversion"] = ratio(bookings, counts[1])
    out["bookings_lost"] = potential - answered - ivr_served
    if scenario is not None:
        outcomes = scenario.outcomes
        out["visits"] = bookings * visit_rate(fc, scenario)
        out["value"] = out["visits"] * outcomes.value_per_visit
    if axis == (0,):
        return out
    reduce = (lambda a: a.sum(axis=-1)) if axis == (0, 1) else (lambda a: a)
    sums = [reduce(s) for s in fc.sums]
    out["callback_delay_s"] = ratio(sums[0], sums[1])
    out["callback_agent_s"] = sums[2]
    out.update(zip(EVENTS, (reduce(e) for e in fc.events), strict=True))
    if axis == (0, 1):
        out["callback_delay_p90_s"] = fc.callback_delays.percentiles(np.zeros(1, np.int64), 1,
                                                                     (90,))[90][0]
        # Abandoned outbound calls over patients who answered: the regulated rate.
        out["outbound_abandon_rate"] = ratio(out["outbound_abandoned"], out["reminders_reached"])
        if scenario is not None and scenario.outbound is not None:
            out["reminder_visit_rate"] = visit_rate(fc, scenario)
        n, abs_sum, err_sum = fc.prediction
        out["wait_prediction_mae_s"] = ratio(abs_sum, n)
        out["wait_prediction_bias_s"] = ratio(err_sum, n)
    return out
