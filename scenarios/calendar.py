"""Clock and calendar arithmetic: clock text, opening hours, shifts, agents per interval.

The one home for turning wall-clock times into simulated time and back, shared by the loader
(clock strings in files), the simulation (opening hours, shift rosters), the Erlang view and the
reports (interval labels).

Model
-----
* A time of day is float seconds after midnight, ``0 <= t <= 86400``; ``86400`` ("24:00") is
  allowed as the end of a day (a closing time or a shift end).
* Simulated time 0 is the start of interval 0 of day 0. Day ``d`` covers
  ``[d * day_s, (d + 1) * day_s)`` and its time of day is ``calendar.start_s`` plus the offset into
  the day, modulo 24 h: a simulated day may run past midnight (a 20:00 start with 8 hourly
  intervals ends at 04:00).
* Opening hours and shifts repeat every simulated day. A shift or opening hours whose end is at
  or before its start (on the clock seen from the day's start) run past midnight; a shift from
  start to the same time is on all day.
* ``AgentGroup.staffing`` of a loaded scenario has one entry per interval of all days
  (``calendar.n_intervals``); the loader tiles a per-day vector over the days.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import replace

import numpy as np

from scenarios.schema import AgentGroup, Calendar, Scenario, Shift

SECONDS_PER_DAY = 86400.0

_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def parse_clock(value: str | datetime.time) -> float:
    """A time of day in seconds after midnight.

    Parameters
    ----------
    value : str or datetime.time
        ``"HH:MM"`` or ``"HH:MM:SS"`` from ``"00:00"`` to ``"24:00"`` (the end of the day), or a
        TOML local time (``datetime.time``, which cannot be 24:00).

    Returns
    -------
    float
        Seconds after midnight, in ``[0, 86400]``.

    Raises
    ------
    ValueError
        ``value`` is not such a time (``"8:75"``, ``"24:01"``, ``800``).
    """
    if isinstance(value, datetime.time):
        return value.hour * 3600.0 + value.minute * 60.0 + value.second + value.microsecond / 1e6
    match = _CLOCK.fullmatch(value) if isinstance(value, str) else None
    if match:
        hours, minutes, seconds = (int(g or 0) for g in match.groups())
        total = hours * 3600 + minutes * 60 + seconds
        if minutes < 60 and seconds < 60 and total <= SECONDS_PER_DAY:
            return float(total)
    raise ValueError(f"not a clock time from 00:00 to 24:00: {value!r}")


def format_clock(seconds: float) -> str:
    """Seconds after midnight as ``"08:00"``, ``"08:00:30"`` when there are seconds.

    The inverse of :func:`parse_clock` for whole seconds in ``[0, 86400]``; ``86400`` is
    ``"24:00"``, the end of the day. Fractions of a second are rounded.
    """
    minutes, secs = divmod(round(seconds), 60)
    text = f"{minutes // 60:02d}:{minutes % 60:02d}"
    return f"{text}:{secs:02d}" if secs else text


def clock_label(seconds: float) -> str:
    """A time on the simulated clock as a time-of-day label ``"HH:MM"``, for reports.

    Unlike :func:`format_clock` it wraps past midnight (``25 h`` is ``"01:00"``, ``24 h`` is
    ``"00:00"``) and shows minutes only (seconds are rounded, then dropped).
    """
    seconds = round(seconds) % round(SECONDS_PER_DAY)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def interval_label(calendar: Calendar, k: int) -> str:
    """Label of interval ``k`` (over all days): ``"08:00"``, or ``"d2 08:00"`` with several days.

    Days are numbered from 1; the time is the interval's start (:func:`clock_label`).
    """
    clock = clock_label(calendar.start_s + (k % calendar.intervals_per_day) * calendar.interval_s)
    return clock if len(calendar.days) == 1 else f"d{k // calendar.intervals_per_day + 1} {clock}"


def is_open(calendar: Calendar, arrival_s: np.ndarray) -> np.ndarray:
    """Whether each instant (simulated seconds) falls within opening hours ``[open_s, close_s)``.

    Parameters
    ----------
    calendar : Calendar
    arrival_s : ndarray of float
        Simulated times, seconds since the start of interval 0 of day 0.

    Returns
    -------
    ndarray of bool, the shape of ``arrival_s``
        All true when the calendar has no opening hours. Opening hours whose close is before
        their open are open over midnight.
    """
    if calendar.open_s is None and calendar.close_s is None:
        return np.ones(arrival_s.shape, dtype=bool)
    open_s = 0.0 if calendar.open_s is None else calendar.open_s
    close_s = SECONDS_PER_DAY if calendar.close_s is None else calendar.close_s
    time_of_day = (calendar.start_s + np.mod(arrival_s, calendar.day_s)) % SECONDS_PER_DAY
    if open_s <= close_s:
        return (time_of_day >= open_s) & (time_of_day < close_s)
    return (time_of_day >= open_s) | (time_of_day < close_s)


def is_open_for(scenario: Scenario, call_type: int, arrival_s: np.ndarray) -> np.ndarray:
    """Whether a call of type index ``call_type`` arriving at each instant finds the line open:
    within the calendar's opening hours and, where agent groups keep hours of their own
    (``AgentGroup.open_s``/``close_s``), within those of some group that can take it (by
    skill or as its overflow group). A type no group serves directly (an IVR menu's source)
    follows the calendar alone."""
    open_now = is_open(scenario.calendar, arrival_s)
    ct = scenario.call_types[call_type]
    overflow = None if ct.overflow is None else ct.overflow.group
    groups = [g for g in scenario.agent_groups if ct.name in g.skills or g.name == overflow]
    if not groups or all(g.open_s is None and g.close_s is None for g in groups):
        return open_now
    any_group = np.zeros(np.shape(arrival_s), dtype=bool)
    for g in groups:
        hours = replace(scenario.calendar, open_s=g.open_s, close_s=g.close_s)
        any_group |= is_open(hours, arrival_s)
    return open_now & any_group


def next_open_s(calendar: Calendar, t_s: float) -> float:
    """The first simulated instant at or after ``t_s`` at which the line is open (``inf``:
    none in the next simulated day).

    Simulated days follow one another without gaps (day ``d`` is ``[d * day_s, (d + 1) *
    day_s)``), so the line opens either at a day's start (when the opening hours cover it) or
    at ``open_s`` within a day.
    """
    if is_open(calendar, np.array([t_s]))[0]:
        return t_s
    opens = 0.0 if calendar.open_s is None else calendar.open_s
    offset = (opens - calendar.start_s) % SECONDS_PER_DAY
    day = t_s // calendar.day_s
    candidates = []
    for d in (day, day + 1):
        starts = [d * calendar.day_s]
        if offset < calendar.day_s:
            starts.append(d * calendar.day_s + offset)
        candidates += [c for c in starts if c >= t_s and is_open(calendar, np.array([c]))[0]]
    return min(candidates, default=math.inf)


def shift_windows(shift: Shift, calendar: Calendar) -> list[tuple[float, float]]:
    """On-duty windows of ``shift`` within one simulated day, as offsets ``[lo, hi)`` in seconds.

    Offsets count from the day's start (``calendar.start_s``) and lie in ``[0, day_s]``. A shift
    running past the day's end also holds the day's first window (the tail of yesterday's
    shift); pieces that touch are merged; a shift outside the simulated day has no window.
    """
    start = (shift.start_s - calendar.start_s) % SECONDS_PER_DAY
    end = (shift.end_s - calendar.start_s) % SECONDS_PER_DAY
    # A shift ending at or before its start (in day offsets) runs past the day's end: today
    # holds the tail of yesterday's shift, then the start of today's (start == end: all day).
    pieces = [(start, end)] if start < end else [(0.0, end), (start, SECONDS_PER_DAY)]
    windows: list[tuple[float, float]] = []
    for lo, hi in pieces:
        lo, hi = max(lo, 0.0), min(hi, calendar.day_s)
        if hi <= lo:
            continue
        if windows and lo <= windows[-1][1]:  # adjacent pieces are one window
            windows[-1] = (windows[-1][0], max(hi, windows[-1][1]))
        else:
            windows.append((lo, hi))
    return windows


def group_size(group: AgentGroup) -> int:
    """Number of distinct agents a group needs: all its shifts' agents, or its peak staffing."""
    if group.shifts:
        return sum(s.count for s in group.shifts)
    return max(group.staffing, default=0)


def scheduled_agents(scenario: Scenario) -> np.ndarray:
    """Scheduled agents on duty per group and interval, time-averaged over each interval.

    Parameters
    ----------
    scenario : Scenario
        Its groups' ``staffing`` must have ``calendar.n_intervals`` entries (as the loader
        gives them); shifts repeat every day.

    Returns
    -------
    ndarray of float, shape (groups, calendar.n_intervals)
        With shifts, a shift covering a third of an interval counts a third of its agents there.

    Raises
    ------
    ValueError
        A group's staffing vector has the wrong length.
    """
    cal = scenario.calendar
    out = np.zeros((len(scenario.agent_groups), cal.n_intervals))
    starts = np.arange(cal.intervals_per_day) * cal.interval_s
    for g, group in enumerate(scenario.agent_groups):
        if group.shifts:
            day = np.zeros(cal.intervals_per_day)
            for shift in group.shifts:
                for lo, hi in shift_windows(shift, cal):
                    overlap = np.minimum(hi, starts + cal.interval_s) - np.maximum(lo, starts)
                    day += shift.count * np.clip(overlap, 0.0, None) / cal.interval_s
            out[g] = np.tile(day, len(cal.days))
        elif len(group.staffing) == cal.n_intervals:
            out[g] = group.staffing
        else:
            # numpy would broadcast a single entry over all intervals without a word.
            raise ValueError(
                f"agent_groups[{g}].staffing must have {cal.n_intervals} entries "
                f"(calendar.n_intervals), got {len(group.staffing)}"
            )
    return out
