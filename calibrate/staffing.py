"""Agents on duty, inferred from per-call logs, and the effective staffing they amount to.

Model
-----
Logs rarely record who was on duty. What they record is who served which call when, so:

* **Presence** (the head count): an agent's *work sessions* are runs of its services with gaps
  of at most ``gap_s`` (default 30 min) between the end of one and the start of the next; the
  agent counts as present from the start of a session's first service to the end of its last.
  Presence per interval is the time average of agents present. It overstates the staffing that
  answers calls: agents in a session still take breaks, do other work and after-call work.
* **Busy agents**: agents on a call, second by second (talk time only; these logs have no
  wrap-up).
* **Effective staffing** is learned from the moments when calls were waiting: then every agent
  able to take a call is on one (the queue is work-conserving), so busy agents *are* the effective
  staffing at that moment. Its ratio to presence, pooled over those moments by hour of day, is the
  *availability share* ``a_h`` (planners call ``1 - a_h`` shrinkage). In another period,
  effective staffing is ``a_h`` times presence.

Bias, stated: moments with a queue are more likely when agents happen to be away, so ``a_h`` is
estimated where availability is lowest and tends to understate it a little (which errs towards
predicting more abandonment); the gap between an agent's calls when the queue is not empty
(after-call work the log does not show) is counted as unavailable, which is right for a model
without wrap-up.

Everything runs on a one-second grid per day (25 hours, so that calls crossing midnight fit).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from calibrate.logs import ANSWERED, CallLog
from erlang.erlang_a import erlang_a
from erlang.erlang_c import erlang_c
from erlang.results import QueueMetrics

DEFAULT_GAP_S = 1800.0
_GRID_S = 90000  # 25 hours of seconds


@dataclass(frozen=True, eq=False)
class Timeline:
    """Second-by-second presence, busy agents and queue length, one row per day.

    Attributes
    ----------
    days : int array
        Date ordinals (rows).
    present, busy, queue : int16 arrays (days, 90000)
    """

    days: np.ndarray
    present: np.ndarray
    busy: np.ndarray
    queue: np.ndarray

    def per_interval(self, which: str, interval_s: float) -> np.ndarray:
        """Time average of ``which`` per interval of the 24-hour day: (days, 86400/interval_s)."""
        per = round(86400 / interval_s)
        step = int(interval_s)
        grid = getattr(self, which)[:, : per * step].astype(np.float32)
        return grid.reshape(len(self.days), per, step).mean(axis=2).astype(float)


def _spans_to_grid(rows: np.ndarray, start_s: np.ndarray, end_s: np.ndarray,
                   n_days: int) -> np.ndarray:
    """Count of spans ``[start, end)`` covering each second, per day row."""
    delta = np.zeros((n_days, _GRID_S + 1), dtype=np.int32)
    lo = np.clip(np.floor(start_s).astype(int), 0, _GRID_S)
    hi = np.clip(np.ceil(end_s).astype(int), 0, _GRID_S)
    keep = hi > lo
    np.add.at(delta, (rows[keep], lo[keep]), 1)
    np.add.at(delta, (rows[keep], hi[keep]), -1)
    return np.cumsum(delta, axis=1)[:, :_GRID_S].astype(np.int16)


def work_sessions(log: CallLog, gap_s: float = DEFAULT_GAP_S):
    """Per agent and day, the sessions of work: (day, start_s, end_s) arrays."""
    served = (log.outcome == ANSWERED) & (log.agent != "") & ~np.isnan(log.answer_s)
    agent, day = log.agent[served], log.day[served]
    start = log.answer_s[served]
    end = start + log.talk_s[served]
    order = np.lexsort((start, day, agent))
    agent, day, start, end = agent[order], day[order], start[order], end[order]
    # A new session begins at a new agent, a new day, or after a gap longer than gap_s.
    new = np.ones(len(start), dtype=bool)
    new[1:] = (agent[1:] != agent[:-1]) | (day[1:] != day[:-1]) | (start[1:] - end[:-1] > gap_s)
    ids = np.cumsum(new) - 1
    n = int(ids[-1]) + 1 if len(ids) else 0
    s_start = np.full(n, np.inf)
    s_end = np.full(n, -np.inf)
    np.minimum.at(s_start, ids, start)
    np.maximum.at(s_end, ids, end)
    s_day = np.zeros(n, dtype=np.int64)
    s_day[ids] = day
    return s_day, s_start, s_end


def timeline(log: CallLog, gap_s: float = DEFAULT_GAP_S) -> Timeline:
    """Presence, busy agents and queue length second by second for every day of ``log``."""
    days = np.unique(log.day)
    s_day, s_start, s_end = work_sessions(log, gap_s)
    present = _spans_to_grid(np.searchsorted(days, s_day), s_start, s_end, len(days))
    served = (log.outcome == ANSWERED) & ~np.isnan(log.answer_s)
    busy = _spans_to_grid(np.searchsorted(days, log.day[served]), log.answer_s[served],
                          log.answer_s[served] + log.talk_s[served], len(days))
    queued = ~np.isnan(log.queue_s) & ~np.isnan(log.wait_s)
    queue = _spans_to_grid(np.searchsorted(days, log.day[queued]), log.queue_s[queued],
                           log.queue_s[queued] + log.wait_s[queued], len(days))
    return Timeline(days=days, present=present, busy=busy, queue=queue)


@dataclass(frozen=True)
class Availability:
    """Availability share by hour of day, learned where calls were waiting.

    Attributes
    ----------
    by_hour : array of 24 floats
        ``a_h``; hours without enough queued time take the pooled value.
    pooled : float
    queued_agent_hours : array of 24 floats
        Agent-hours of presence with a queue, per hour: the evidence behind each ``a_h``.
    gap_s : float
    """

    by_hour: np.ndarray
    pooled: float
    queued_agent_hours: np.ndarray
    gap_s: float

    def to_dict(self) -> dict:
        return {
            "method": "work sessions (gap <= gap_s) give presence; while calls wait, busy "
                      "agents are the effective staffing; availability = busy / present "
                      "pooled over those seconds, by hour of day",
            "gap_s": self.gap_s, "pooled": self.pooled, "by_hour": self.by_hour.tolist(),
            "queued_agent_hours": self.queued_agent_hours.tolist(),
            "bias": "estimated where a queue formed, i.e. when agents were scarcest: tends to "
                    "understate availability slightly",
        }


#: Hours with fewer agent-hours of queued presence than this take the pooled share.
MIN_EVIDENCE_AGENT_H = 2.0


def learn_availability(tl: Timeline, gap_s: float = DEFAULT_GAP_S) -> Availability:
    """Availability share by hour of day from a training :class:`Timeline`."""
    waiting = (tl.queue > 0) & (tl.present > 0)
    hours = (np.arange(_GRID_S) // 3600) % 24
    busy = np.where(waiting, np.minimum(tl.busy, tl.present), 0).sum(axis=0)
    present = np.where(waiting, tl.present, 0).sum(axis=0)
    busy_h = np.bincount(hours, weights=busy, minlength=24)
    present_h = np.bincount(hours, weights=present, minlength=24)
    pooled = float(busy_h.sum() / present_h.sum()) if present_h.sum() > 0 else 1.0
    evidence = present_h / 3600.0
    with np.errstate(invalid="ignore", divide="ignore"):
        by_hour = np.where(evidence >= MIN_EVIDENCE_AGENT_H, busy_h / present_h, pooled)
    return Availability(by_hour=by_hour, pooled=pooled, queued_agent_hours=evidence, gap_s=gap_s)


# ---------------------------------------------------------------------------------------------
# Erlang figures for a fractional number of agents.

def fractional(model: str, *, arrival_rate_per_s: float, aht_s: float, agents: float,
               mean_patience_s: float = math.inf, awt_s: float = 20.0) -> dict:
    """Erlang C or A figures for ``agents`` that need not be whole: linear interpolation.

    Between ``floor(agents)`` and ``ceil(agents)`` the figures (``p_abandon``,
    ``service_level``, ``asa_s``) are interpolated linearly in the agent count, as if the extra
    agent were on duty that share of the interval. Zero agents: every call abandons (Erlang A)
    or waits forever (Erlang C).
    """
    lo = math.floor(agents)
    share = agents - lo
    low, high = _figures(model, arrival_rate_per_s, aht_s, lo, mean_patience_s, awt_s), None
    if share > 1e-9:
        high = _figures(model, arrival_rate_per_s, aht_s, lo + 1, mean_patience_s, awt_s)
    if high is None:
        return dict(low)
    out = {}
    for key in low:
        a, b = low[key], high[key]
        if math.isinf(a) or math.isnan(a):
            out[key] = b if math.isnan(a) else a
        else:
            out[key] = (1 - share) * a + share * b
    return out


@functools.lru_cache(maxsize=65536)
def _figures(model, rate, aht, n, patience, awt) -> dict:
    # Cached: a factor search revisits the same whole agent counts of each interval many times.
    if rate <= 0:
        return {"p_abandon": 0.0, "service_level": 1.0, "asa_s": 0.0}
    if n < 1:
        if model == "erlang_c":
            return {"p_abandon": 0.0, "service_level": 0.0, "asa_s": math.inf}
        return {"p_abandon": 1.0, "service_level": 0.0, "asa_s": math.nan}
    m: QueueMetrics
    if model == "erlang_c":
        m = erlang_c(arrival_rate_per_s=rate, aht_s=aht, agents=n, awt_s=awt)
        return {"p_abandon": 0.0, "service_level": m.service_level, "asa_s": m.asa_s}
    m = erlang_a(arrival_rate_per_s=rate, aht_s=aht, agents=n, mean_patience_s=patience,
                 awt_s=awt)
    return {"p_abandon": m.p_abandon, "service_level": m.service_level, "asa_s": m.asa_s}
