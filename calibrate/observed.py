"""What really happened, interval by interval: the figures a backtest compares against.

A call counts in the interval in which it *arrived*. ``offered`` counts calls that asked for an
agent (answered or abandoned in queue); ``p_abandon`` = abandoned in queue / offered;
``service_level`` = answered within ``awt_s`` / offered; ``asa_s`` = mean wait of answered calls;
``aht_s`` = mean talk time of the interval's answered calls; ``present`` and ``busy`` are the
time averages of :class:`~calibrate.staffing.Timeline`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np

from calibrate.arrivals import interval_counts
from calibrate.logs import ABANDONED, ANSWERED, CallLog
from calibrate.staffing import Timeline


@dataclass(frozen=True, eq=False)
class Observed:
    """Per-interval observations as flat arrays (one entry per day and interval of the day)."""

    interval_s: float
    day: np.ndarray
    k: np.ndarray
    offered: np.ndarray
    abandoned: np.ndarray
    answered: np.ndarray
    within_awt: np.ndarray
    wait_total_s: np.ndarray
    answered_wait_s: np.ndarray
    talk_total_s: np.ndarray
    present: np.ndarray
    busy: np.ndarray

    @property
    def p_abandon(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.abandoned / self.offered

    @property
    def service_level(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.within_awt / self.offered

    @property
    def asa_s(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.answered_wait_s / self.answered

    @property
    def mean_wait_s(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.wait_total_s / self.offered

    @property
    def aht_s(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.talk_total_s / self.answered

    def start_label(self, i: int) -> str:
        """``YYYY-MM-DDTHH:MM`` of entry ``i``."""
        t = datetime.datetime.fromordinal(int(self.day[i])) + datetime.timedelta(
            seconds=float(self.k[i] * self.interval_s))
        return t.strftime("%Y-%m-%dT%H:%M")


def observe(log: CallLog, tl: Timeline, *, interval_s: float, awt_s: float) -> Observed:
    """Per-interval figures of ``log`` (see the module docstring)."""
    days = tl.days
    asked = log.asked_for_agent
    ans = log.outcome == ANSWERED
    day, t = log.day, log.arrival_s

    def count(mask, weights=None):
        w = None if weights is None else weights[mask]
        return interval_counts(day[mask], t[mask], interval_s, days, w).ravel()

    per = round(86400 / interval_s)
    return Observed(
        interval_s=interval_s,
        day=np.repeat(days, per),
        k=np.tile(np.arange(per), len(days)),
        offered=count(asked),
        abandoned=count(log.outcome == ABANDONED),
        answered=count(ans),
        within_awt=count(ans & (log.wait_s <= awt_s)),
        wait_total_s=count(asked, log.wait_s),
        answered_wait_s=count(ans, log.wait_s),
        talk_total_s=count(ans, log.talk_s),
        present=tl.per_interval("present", interval_s).ravel(),
        busy=tl.per_interval("busy", interval_s).ravel(),
    )
