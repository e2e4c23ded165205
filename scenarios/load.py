"""Read a scenario file (TOML) into a validated :class:`~scenarios.schema.Scenario`.

The file says how a planner thinks of a call center; this module checks every key, converts
units once (clock strings to seconds after midnight, ``interval_min`` to ``interval_s``,
``daily_volume`` and ``shape`` to expected calls per interval, CSV samples to a distribution)
and builds the frozen dataclasses of :mod:`scenarios.schema`. Nothing is clipped or repaired:
a value out of range is a :class:`~scenarios.errors.ScenarioError` naming the file, the dotted
key path (list entries by index), the constraint and the value, and an unknown key is an error
with a "did you mean" suggestion. A key left out takes the default of :mod:`scenarios.schema`.

File format (``schema_version = 1``)
------------------------------------
Times are seconds (keys end in ``_s``) unless a key says otherwise (``interval_min``); clock
times are strings ``"HH:MM"`` or ``"HH:MM:SS"`` from ``"00:00"`` to ``"24:00"`` (a TOML local
time such as ``08:00:00`` is accepted too). Names of call types, agent groups and day profiles
are letters, digits, ``_`` and ``-``. Integers must be written as integers. ::

    schema_version = 1                 # required; this loader reads version 1
    name = "Clinic reception"          # required
    arrival_scale = 1.0                # in [0, 1000], multiplies every arrival rate
    lines = 10                         # trunk lines (>= 1); leave out for unlimited

    [calendar]
    start = "08:00"                    # start of interval 0 of every day
    interval_min = 60                  # 15, 30 or 60
    intervals_per_day = 12             # >= 1
    days = ["weekday"]                 # day-profile names, one per simulated day; default ["day"]
    open = "08:00"                     # opening hours (clock times); default: the whole day.
    close = "20:00"                    #   Calls outside them are lost as after hours. A close at
                                       #   or before the open is a night line (20:00 to 06:00).

    [[call_types]]                     # one table per call type, at least one
    name = "booking"                   # unique
    priority = 2                       # integer; smaller is served first; default 1
    calls_per_interval = [40, 60, 55]  # expected calls per interval of a day (0 to 1e7), one entry
                                       #   per interval; a single number means every interval;
                                       #   or a table per day profile: { weekday = [..], ... }
    # daily_volume = 600               # alternatively: expected calls per day (or a table per
    # shape = [3, 5, 4]                #   profile) times shape (>= 0, normalised to sum 1;
                                       #   or a table per profile)
    handle_time = { kind = "lognormal", mean_s = 150, cv = 0.6 }      # required
    wrap_up = { kind = "deterministic", mean_s = 20 }                 # default: none
    patience = { kind = "exponential", mean_s = 90 }                  # default: infinite
    conversion = 0.4                   # in [0, 1]: answered call -> booking; default 0
    intent_slope = 1.0                 # in [-100, 100]: conversion tilted by the caller's
                                       #   patience over the mean (logistic); default 0
    overflow = { group = "outside", after_s = 15, mode = "serve" }   # optional: after waiting
                                       #   after_s (0: at once; inf: never) the call may also go
                                       #   to this group; mode serve (handle_time = {..} its own
                                       #   talk time, default the caller's) or message
                                       #   (message = {..}; needs [callbacks])

    [ivr]                              # optional; default: no IVR
    greeting = { kind = "deterministic", mean_s = 55 }   # time to listen to the end
    patience = { kind = "exponential", mean_s = 600 }    # default: nobody hangs up in the IVR
    served_share = 0.03                # in [0, 1]: share served by the IVR itself
    menu = { general = { booking = 0.7, results = 0.3 } }  # optional; shares sum to 1

    [[agent_groups]]                   # one table per group, at least one
    name = "reception"                 # unique
    skills = ["booking", "results"]    # call types, most preferred first
    staffing = [3, 4, 4]               # agents per interval (integers >= 0): intervals_per_day
                                       #   entries (every day alike) or one per interval of all
                                       #   days; a single number means every interval (loaded as
                                       #   one entry per interval of all days); or
    # shifts = [{ start = "08:00", end = "14:00", count = 3 }]    # (an end at or before the
                                       #   start is a night shift, ending the next morning)
    availability = 0.8                 # in (0, 1]: share of time free for calls; default 1
    walk_in_s = 180                    # >= 1: mean walk-in task when availability < 1
    conversion = { booking = 0.45 }    # optional: booking probability where this group
                                       #   differs from the call type's own (a skill split)
    open = "07:00"                     # optional: the group's own hours (may cross midnight);
    close = "22:00"                    #   a call no open group can take is after hours
                                       # skills may be empty for a group that only takes
                                       #   overflow or makes reserved outbound calls

    [targets]                          # optional
    awt_s = 20                         # >= 0: service-level threshold
    service_level = 0.8                # in [0, 1]
    sl_definition = "offered"          # offered | answered | exclude_short_abandons
    short_abandon_s = 5                # >= 0
    max_abandon = 0.05                 # in [0, 1]: ceiling on the share of queued calls that
                                       #   abandon; default: none
    max_asa_s = 30                     # > 0: ceiling on the mean wait of answered calls;
                                       #   default: none
    max_occupancy = 0.85               # in (0, 1]: ceiling on agents' time on calls over
                                       #   their available time; default: none

    [simulation]                       # optional
    replications = 20                  # 1 to 100,000
    seed = 20261123                    # integer >= 0; default: fresh entropy (recorded)
    warmup_s = 0                       # whole intervals, shorter than the horizon
    daily_busyness_cv = 0.0            # in [0, 10]

    [redials]                          # optional: callers who try again
    blocked = 0.5                      # in [0, 1]: after a busy signal
    abandoned = 0.3                    # in [0, 1]: after hanging up in the queue
    delay = { kind = "exponential", mean_s = 300 }   # from the failure to the next attempt
    max_attempts = 10                  # 1 to 1000, the first included

    [callbacks]                        # optional: the center calls back
    dial = { kind = "deterministic", mean_s = 20 }   # ringing; the agent is busy, reached or not
    reach_probability = 0.8            # in [0, 1]
    max_attempts = 3                   # 1 to 1000 per request
    retry_delay = { kind = "deterministic", mean_s = 600 }
    priority = 1                       # queue class among the call types'; default: after
                                       #   every inbound call
    voicemail = false                  # callers outside opening hours are called back at opening

    [callbacks.abandoned]              # automatic callback of callers who hung up in the queue
    delay = { kind = "deterministic", mean_s = 300 }  # until the callback is due
    min_wait_s = 5                     # >= 0: only callers who waited at least this long
    deadline_s = 900                   # > mean dial time: target for the first dial (reported)
    ivr = false                        # also callers who hung up in the IVR
    blocked = false                    # also callers who got a busy signal
    call_types = ["advertising"]       # only callers who dialled these; default: every type

    [callbacks.offered]                # virtual hold
    threshold_s = 120                  # >= 0 (or inf): offer when the predicted wait exceeds it
    accept_probability = 0.5           # in [0, 1]
    predictor = "queue"                # queue | last_wait
    keep_place = true                  # the callback keeps the caller's place in its queue
    deadline_s = 1800                  # > mean dial time: target (reported)

    [outcomes]                         # optional
    visit_probability = 0.825          # in [0, 1]: booking -> visit
    value_per_visit = 40               # >= 0

    [outbound]                         # optional: reminder calls
    calls_per_day = 40                 # 0 to 1e6
    window_start = "12:00"             # clock times; the window may cross midnight
    window_end = "18:00"
    mode = "idle"                      # idle: agents' idle time | reserved: groups doing only this
                                       #   | dialer: rings ahead and connects answers to agents
    groups = ["reception"]             # default: every group with skills (mode idle)
    dial = { kind = "deterministic", mean_s = 20 }
    reach_probability = 0.7            # in [0, 1]
    talk = { kind = "deterministic", mean_s = 60 }
    visit_probability = 0.854          # in [0, 1]: booking -> visit after a reminder
    dialer_ratio = 1.3                 # in [1, 10]: dialer calls in progress per idle agent
    connect_wait_s = 2                 # >= 0: an answering patient's wait for an agent

    [planning]                         # optional; read by callsim staff and callsim shifts
    shrinkage = 0.3                    # in [0, 0.95]: share of paid time off the phones for
                                       #   reasons the shift plan does not place (absence,
                                       #   meetings, training), breaks excluded; default 0
    sl_probability = 0.9               # in (0, 1]: share of simulated days on which each
                                       #   interval must meet the service-level target (a risk
                                       #   target); default: none (the mean over days is judged)

Every call type that can reach the queue (it arrives itself and the IVR menu does not always
turn it into another type, or the menu leads to it) must be among the skills of some group. A
call type that only the IVR menu leads to may leave out its arrivals (they are zero).

Distributions are tables with ``kind`` (one of :data:`~scenarios.schema.DISTRIBUTION_KINDS`),
``mean_s`` and ``cv`` (standard deviation over mean):

========================  =========================================================
kind                      rules
========================  =========================================================
exponential               ``mean_s > 0``; ``cv`` is 1 (may be left out)
deterministic             ``mean_s >= 0``; ``cv`` is 0 (may be left out)
lognormal, gamma, weibull ``mean_s > 0``, ``0.001 <= cv <= 100``
erlang                    ``mean_s > 0`` and ``cv`` with ``1/cv**2`` a whole number
                          (within 1e-9), or ``phases = k`` (1 to 1,000,000) instead of ``cv``
uniform                   ``mean_s > 0``, ``0.001 <= cv <= 1/sqrt(3)`` (so that it stays >= 0)
empirical                 ``samples_s = [..]`` (>= 0, at least one) or ``csv = "file.csv"``
                          with ``column = "talk_s"``; ``mean_s`` and ``cv`` are computed
========================  =========================================================

An empirical ``csv`` path is relative to the scenario file. It is read with the :mod:`csv`
module, first row the header; every cell of the column must be a finite number >= 0, and an
error names the CSV file, its row (the header is row 1) and the column.
"""

from __future__ import annotations

import csv
import dataclasses
import math
import tomllib
from collections.abc import Callable, Collection, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from scenarios import checks, whatif
from scenarios.calendar import SECONDS_PER_DAY, format_clock, is_open, shift_windows
from scenarios.checks import Problem
from scenarios.errors import ScenarioError, did_you_mean, join_key, listing, plural
from scenarios.schema import (
    DISTRIBUTION_KINDS,
    MAX_REPLICATIONS,
    OUTBOUND_MODES,
    OVERFLOW_MODES,
    SL_DEFINITIONS,
    WAIT_PREDICTORS,
    AbandonedCallbacks,
    AgentGroup,
    Calendar,
    Callbacks,
    CallType,
    Distribution,
    Ivr,
    OfferedCallbacks,
    Outbound,
    Outcomes,
    Overflow,
    Planning,
    Redials,
    Scenario,
    Shift,
    Simulation,
    Targets,
)

#: File-format versions this loader reads.
SCHEMA_VERSIONS = (1,)

#: Folder of the packaged example scenarios (package data).
EXAMPLES_DIR = Path(__file__).parent / "examples"

_INTERVAL_MINUTES = (15, 30, 60)
# Menu shares are typed by hand (0.7 + 0.2 + 0.1 is 0.9999999999999999 in floating point).
_SHARE_SUM_TOL = 1e-9
_ERLANG_SHAPE_TOL = 1e-9

_TOP_KEYS = (
    "schema_version",
    "name",
    "arrival_scale",
    "lines",
    "calendar",
    "call_types",
    "ivr",
    "agent_groups",
    "targets",
    "simulation",
    "redials",
    "callbacks",
    "outcomes",
    "outbound",
    "planning",
)
_OUTBOUND_KEYS = ("calls_per_day", "window_start", "window_end", "mode", "groups", "dial",
                  "reach_probability", "talk", "visit_probability", "dialer_ratio",
                  "connect_wait_s")
_CALENDAR_KEYS = ("start", "interval_min", "intervals_per_day", "days", "open", "close")
_CALL_TYPE_KEYS = (
    "name",
    "priority",
    "calls_per_interval",
    "daily_volume",
    "shape",
    "handle_time",
    "wrap_up",
    "patience",
    "conversion",
    "intent_slope",
    "overflow",
)
_OVERFLOW_KEYS = ("group", "after_s", "mode", "handle_time", "message")
_IVR_KEYS = ("greeting", "patience", "served_share", "menu")
_GROUP_KEYS = ("name", "skills", "staffing", "shifts", "availability", "walk_in_s",
               "conversion", "open", "close")
_OUTCOME_KEYS = ("visit_probability", "value_per_visit")
_MAX_INTENT_SLOPE = 100.0
_SHIFT_KEYS = ("start", "end", "count")
_TARGET_KEYS = (
    "awt_s",
    "service_level",
    "sl_definition",
    "short_abandon_s",
    "max_abandon",
    "max_asa_s",
    "max_occupancy",
)
_SIMULATION_KEYS = ("replications", "seed", "warmup_s", "daily_busyness_cv")
_REDIAL_KEYS = ("blocked", "abandoned", "delay", "max_attempts")
_CALLBACK_KEYS = ("dial", "reach_probability", "max_attempts", "retry_delay", "priority",
                  "abandoned", "offered", "voicemail")
_ABANDONED_CALLBACK_KEYS = ("delay", "min_wait_s", "deadline_s", "ivr", "blocked", "call_types")
_OFFERED_CALLBACK_KEYS = ("threshold_s", "accept_probability", "predictor", "keep_place",
                          "deadline_s")
_MAX_ATTEMPTS = 1000
_PLANNING_KEYS = ("shrinkage", "sl_probability")
# A shrinkage of 1 leaves nobody on the phones; beyond 0.95 the number describes no center.
_MAX_SHRINKAGE = 0.95
_DISTRIBUTION_KEYS = {kind: ("kind", "mean_s", "cv") for kind in DISTRIBUTION_KINDS} | {
    "erlang": ("kind", "mean_s", "cv", "phases"),
    "empirical": ("kind", "samples_s", "csv", "column"),
}
_FIXED_CV = {"exponential": 1.0, "deterministic": 0.0}
# Sanity bounds. Beyond them the numbers describe no call center and the samplers' arithmetic
# breaks (a gamma shape 1/cv**2 of 1e400, a Poisson mean of 1e300, walk-ins every nanosecond),
# so they are errors here rather than tracebacks or hangs later.
_MAX_CV = {"uniform": 1.0 / math.sqrt(3.0)}
_CV_RANGE = (1e-3, 100.0)  # for gamma, erlang, lognormal, weibull and uniform
_MAX_CALLS_PER_INTERVAL = 1e7
_MAX_ARRIVAL_SCALE = 1e3
_MIN_WALK_IN_S = 1.0
_MAX_BUSYNESS_CV = 10.0

# A key left out of the file: the dataclass default of scenarios.schema applies, so that every
# default is written in one place.
_OMITTED: Any = object()
# A key that must be given.
_REQUIRED: Any = object()


# ---------------------------------------------------------------------------------------------
# Public API


def load_scenario(path: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Read, override and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        TOML scenario file (format in the module docstring).
    overrides : iterable of str
        What-ifs ``"key.path=value"`` (see :mod:`scenarios.whatif`), applied in order to the
        file's data before validation, so they are checked exactly like the file.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        The file cannot be read, is not TOML (the message gives the line), or any value is
        invalid (the message gives the dotted key path, the constraint, the value and, if an
        override put it there, the override).
    """
    path = Path(path)
    overrides = list(overrides) if not isinstance(overrides, str) else overrides
    try:
        # utf-8-sig: a byte-order mark (what some Windows editors save) is read, not rejected.
        raw = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
        overridden = whatif.with_overrides(raw, overrides, source=str(path))
        try:
            return scenario_from_dict(overridden.data, source=str(path), base_dir=path.parent)
        except ScenarioError as err:
            err.origin = overridden.origin_of(err.key)
            if err.origin is None and overrides:
                err.origin, err.caused = _culprit(raw, overrides, path), True
            raise
    except OSError as err:
        raise ScenarioError(None, f"cannot be read ({err.strerror})", file=str(path)) from err
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ScenarioError(None, f"is not valid TOML: {err}", file=str(path)) from err
    except RecursionError:
        # Nesting hundreds of tables or arrays deep describes no call center; Python's parser
        # and copier recurse, so say so in one line rather than with a 3,000-line traceback.
        raise ScenarioError(None, "is nested too deeply (hundreds of levels of tables or "
                            "arrays) to be a scenario", file=str(path)) from None


def _culprit(raw: dict, overrides: list[str], path: Path) -> str | None:
    """The first override after which the file no longer validates, if the file alone does.

    An override can make *another* key invalid (``calendar.interval_min=30`` halves the day,
    and ``calendar.close`` falls outside it): the error names that key, and this finds the
    override to blame. Validation is cheap next to any simulation, so each prefix is tried.
    """
    for n in range(len(overrides) + 1):
        try:
            data = whatif.with_overrides(raw, overrides[:n], source=str(path)).data
            scenario_from_dict(data, source=str(path), base_dir=path.parent)
        except ScenarioError:
            return overrides[n - 1] if n else None
    return None


def builtin_names() -> tuple[str, ...]:
    """Names of the packaged example scenarios (``"bank"``, ``"clinic"``, ...)."""
    return tuple(sorted(path.stem for path in EXAMPLES_DIR.glob("*.toml")))


def load_builtin(name: str = "clinic", overrides: Iterable[str] = ()) -> Scenario:
    """Load a packaged example scenario by name (see :func:`builtin_names`).

    ``clinic`` (the default) is a city clinic's reception line that loses about a quarter of its
    calls; ``bank`` a larger single-skill center; ``erlang_a`` a stationary M/M/n+M for
    checking the simulation against Erlang A. ``overrides`` as in :func:`load_scenario`.
    """
    names = builtin_names()
    if name not in names:
        hint = did_you_mean(name, names)
        raise ScenarioError(
            "builtin scenario", f"must be one of {listing(names)}", name, hint=hint
        )
    return load_scenario(EXAMPLES_DIR / f"{name}.toml", overrides)


def scenario_from_dict(
    data: Mapping[str, Any], *, source: str = "<string>", base_dir: str | Path | None = None
) -> Scenario:
    """Validate scenario data (as read from TOML, in file units) into a :class:`Scenario`.

    Parameters
    ----------
    data : mapping
        The file's content as ``tomllib`` returns it; not modified.
    source : str
        Name used for the file in error messages.
    base_dir : str or Path, optional
        Folder against which relative CSV paths of empirical distributions are resolved;
        default: the current directory.

    Raises
    ------
    ScenarioError
        Any invalid, missing or unknown key.
    """
    try:
        return _scenario(data, Path.cwd() if base_dir is None else Path(base_dir))
    except ScenarioError as err:
        err.file = source
        raise


# ---------------------------------------------------------------------------------------------
# Sections


def _scenario(data: Any, base_dir: Path) -> Scenario:
    table = _table(data, "", _TOP_KEYS)
    # The version first: a file of another version would fail in more confusing ways below.
    version = _field(table, "schema_version", "", _integer, choices=SCHEMA_VERSIONS)
    calendar = _field(table, "calendar", "", _calendar)
    type_tables = _field(table, "call_types", "", _array, item=_table, min_len=1)
    type_names = _names(type_tables, "call_types")
    ivr = _field(table, "ivr", "", _ivr, type_names=type_names, base_dir=base_dir, default=Ivr())
    menu_targets = {name for _, split in ivr.menu for name, _ in split}
    call_types = tuple(
        _call_type(
            t, join_key("call_types", i), calendar, base_dir, has_arrivals=name not in menu_targets
        )
        for i, (t, name) in enumerate(zip(type_tables, type_names, strict=True))
    )
    group_tables = _field(table, "agent_groups", "", _array, item=_table, min_len=1)
    _names(group_tables, "agent_groups")
    groups = tuple(
        _agent_group(t, join_key("agent_groups", i), calendar, type_names)
        for i, t in enumerate(group_tables)
    )
    scenario = _build(
        Scenario,
        schema_version=version,
        name=_field(table, "name", "", _text),
        calendar=calendar,
        call_types=call_types,
        agent_groups=groups,
        ivr=ivr,
        lines=_field(table, "lines", "", _integer, ge=1, default=_OMITTED),
        arrival_scale=_field(table, "arrival_scale", "", _number, ge=0, le=_MAX_ARRIVAL_SCALE,
                             default=_OMITTED),
        targets=_field(table, "targets", "", _targets, default=_OMITTED),
        simulation=_field(
            table, "simulation", "", _simulation, calendar=calendar, default=_OMITTED
        ),
        redials=_field(table, "redials", "", _redials, base_dir=base_dir, default=_OMITTED),
        callbacks=_field(table, "callbacks", "", _callbacks, base_dir=base_dir,
                         type_names=type_names, default=_OMITTED),
        outcomes=_field(table, "outcomes", "", _outcomes, default=_OMITTED),
        outbound=_field(table, "outbound", "", _outbound, base_dir=base_dir, default=_OMITTED),
        planning=_field(table, "planning", "", _planning, default=_OMITTED),
    )
    _check_every_type_answered(scenario)
    _check_overflow(scenario)
    return scenario


def _calendar(value: Any, where: str) -> Calendar:
    table = _table(value, where, _CALENDAR_KEYS)
    calendar = _build(
        Calendar,
        start_s=_field(table, "start", where, _clock),
        interval_s=60.0 * _field(table, "interval_min", where, _integer, choices=_INTERVAL_MINUTES),
        intervals_per_day=_field(table, "intervals_per_day", where, _integer, ge=1),
        days=_field(table, "days", where, _array, item=_name, min_len=1, default=_OMITTED),
        open_s=_field(table, "open", where, _clock, default=_OMITTED),
        close_s=_field(table, "close", where, _clock, default=_OMITTED),
    )
    if calendar.day_s > SECONDS_PER_DAY:
        # Opening hours and shifts repeat every 24 h; a longer "day" would misalign them.
        constraint = (f"must fit a day of 24 h ({SECONDS_PER_DAY / calendar.interval_s:g} "
                      f"intervals of {calendar.interval_s / 60:g} min)")
        raise ScenarioError(join_key(where, "intervals_per_day"), constraint,
                            table["intervals_per_day"])
    # Opening hours are clock times; a close at or before the open means open over midnight
    # (a night line, 20:00-06:00). They must leave the center open some time in the day.
    if calendar.open_s is not None and calendar.open_s == calendar.close_s:
        constraint = "must differ from open (leave both out for a line open all day)"
        raise ScenarioError(join_key(where, "close"), constraint, table["close"])
    if calendar.open_s is not None or calendar.close_s is not None:
        # Open some time in the day: at its start, or opening (as a time of day) inside it.
        opens_s = 0.0 if calendar.open_s is None else calendar.open_s
        inside = (opens_s - calendar.start_s) % SECONDS_PER_DAY < calendar.day_s
        if not (inside or is_open(calendar, np.zeros(1))[0]):
            first, last = calendar.start_s, calendar.start_s + calendar.day_s
            constraint = (f"must leave the line open some time in the simulated day "
                          f"{format_clock(first)}-{format_clock(last % SECONDS_PER_DAY)}")
            key = "open" if "open" in table else "close"
            raise ScenarioError(join_key(where, key), constraint, table[key])
    return calendar


def _call_type(
    table: dict, where: str, calendar: Calendar, base_dir: Path, *, has_arrivals: bool
) -> CallType:
    _table(table, where, _CALL_TYPE_KEYS)
    distribution = partial(_distribution, base_dir=base_dir)
    return _build(
        CallType,
        name=table["name"],
        calls_per_interval=_arrivals(table, where, calendar, required=has_arrivals),
        priority=_field(table, "priority", where, _integer, default=_OMITTED),
        handle_time=_field(table, "handle_time", where, distribution),
        wrap_up=_field(table, "wrap_up", where, distribution, default=_OMITTED),
        patience=_field(table, "patience", where, distribution, default=_OMITTED),
        conversion=_field(table, "conversion", where, _number, ge=0, le=1, default=_OMITTED),
        intent_slope=_field(table, "intent_slope", where, _number, ge=-_MAX_INTENT_SLOPE,
                            le=_MAX_INTENT_SLOPE, default=_OMITTED),
        overflow=_field(table, "overflow", where, _overflow, base_dir=base_dir,
                        default=_OMITTED),
    )


def _overflow(value: Any, where: str, *, base_dir: Path) -> Overflow:
    table = _table(value, where, _OVERFLOW_KEYS)
    distribution = partial(_distribution, base_dir=base_dir)
    return _build(
        Overflow,
        group=_field(table, "group", where, _name),  # a known group: checked with the groups
        after_s=_field(table, "after_s", where, _threshold, default=_OMITTED),
        mode=_field(table, "mode", where, _text, choices=OVERFLOW_MODES, default=_OMITTED),
        handle_time=_field(table, "handle_time", where, distribution, default=_OMITTED),
        message=_field(table, "message", where, distribution, default=_OMITTED),
    )


def _arrivals(
    table: dict, where: str, calendar: Calendar, *, required: bool
) -> tuple[tuple[str, tuple[float, ...]], ...]:
    """Expected calls per interval for every day profile, from either form of the file."""
    profiles = tuple(dict.fromkeys(calendar.days))
    per_day = {calendar.intervals_per_day: "one per interval of a day"}
    rates = partial(_series, item=partial(_number, ge=0, le=_MAX_CALLS_PER_INTERVAL),
                    lengths=per_day)
    if "calls_per_interval" in table:
        for key in ("daily_volume", "shape"):
            if key in table:
                constraint = "must not be given together with calls_per_interval"
                raise ScenarioError(join_key(where, key), constraint, table[key])
        calls = _per_profile(table, "calls_per_interval", where, profiles, rates)
    elif "daily_volume" in table or "shape" in table:
        volumes = _per_profile(table, "daily_volume", where, profiles,
                               partial(_number, ge=0, le=_MAX_CALLS_PER_INTERVAL))
        shapes = _per_profile(table, "shape", where, profiles, partial(_shape, lengths=per_day))
        calls = {p: tuple(volumes[p] * share for share in shapes[p]) for p in profiles}
    elif required:
        constraint = "is required (or daily_volume with shape)"
        raise ScenarioError(join_key(where, "calls_per_interval"), constraint)
    else:
        # Only the IVR menu leads to this type: it has no arrivals of its own.
        calls = dict.fromkeys(profiles, (0.0,) * calendar.intervals_per_day)
    return tuple(calls.items())


def _shape(value: Any, where: str, *, lengths: Mapping[int, str]) -> tuple[float, ...]:
    weights = _series(value, where, item=partial(_number, ge=0), lengths=lengths)
    total = math.fsum(weights)
    if total <= 0:
        raise ScenarioError(where, "must have a positive sum", value)
    return tuple(w / total for w in weights)


def _ivr(value: Any, where: str, *, type_names: tuple[str, ...], base_dir: Path) -> Ivr:
    table = _table(value, where, _IVR_KEYS)
    distribution = partial(_distribution, base_dir=base_dir)
    return _build(
        Ivr,
        greeting=_field(table, "greeting", where, distribution, default=_OMITTED),
        patience=_field(table, "patience", where, distribution, default=_OMITTED),
        served_share=_field(table, "served_share", where, _number, ge=0, le=1, default=_OMITTED),
        menu=_field(table, "menu", where, _menu, type_names=type_names, default=_OMITTED),
    )


def _menu(
    value: Any, where: str, *, type_names: tuple[str, ...]
) -> tuple[tuple[str, tuple[tuple[str, float], ...]], ...]:
    table = _table(value, where, type_names, what="call type")
    return tuple(
        (source, _menu_split(split, join_key(where, source), type_names))
        for source, split in table.items()
    )


def _menu_split(
    value: Any, where: str, type_names: tuple[str, ...]
) -> tuple[tuple[str, float], ...]:
    table = _table(value, where, type_names, what="call type")
    shares = tuple(
        (name, _number(share, join_key(where, name), ge=0, le=1)) for name, share in table.items()
    )
    total = math.fsum(share for _, share in shares)
    if abs(total - 1.0) > _SHARE_SUM_TOL:
        raise ScenarioError(where, "must have shares summing to 1", total, hint="(their sum)")
    return shares


def _agent_group(
    table: dict, where: str, calendar: Calendar, type_names: tuple[str, ...]
) -> AgentGroup:
    _table(table, where, _GROUP_KEYS)
    # No skills: a group that only takes other groups' overflow (an outside call center).
    skills = _field(table, "skills", where, _array, item=partial(_text, choices=type_names))
    _distinct(skills, join_key(where, "skills"))
    if ("staffing" in table) == ("shifts" in table):
        constraint = "must give either staffing or shifts"
        raise ScenarioError(where, constraint + (", not both" if "shifts" in table else ""))
    staffing = partial(_staffing, calendar=calendar)
    shifts = partial(_array, item=partial(_shift, calendar=calendar), min_len=1)
    group = _build(
        AgentGroup,
        name=table["name"],
        skills=skills,
        staffing=_field(table, "staffing", where, staffing, default=_OMITTED),
        shifts=_field(table, "shifts", where, shifts, default=_OMITTED),
        availability=_field(table, "availability", where, _number, gt=0, le=1, default=_OMITTED),
        walk_in_s=_field(table, "walk_in_s", where, _number, ge=_MIN_WALK_IN_S,
                         default=_OMITTED),
        conversion=_field(table, "conversion", where, _conversion, skills=skills,
                          default=_OMITTED),
        open_s=_field(table, "open", where, _clock, default=_OMITTED),
        close_s=_field(table, "close", where, _clock, default=_OMITTED),
    )
    if "open" in table and table.get("open") == table.get("close"):
        raise ScenarioError(join_key(where, "close"), "must differ from open", table["close"])
    return group


def _conversion(value: Any, where: str, *, skills: tuple[str, ...]) -> tuple:
    """``{ type = probability }`` for call types among the group's skills."""
    table = _table(value, where, skills, what="call type among the group's skills")
    return tuple((name, _number(p, join_key(where, name), ge=0, le=1))
                 for name, p in table.items())


def _outbound(value: Any, where: str, *, base_dir: Path) -> Outbound:
    table = _table(value, where, _OUTBOUND_KEYS)
    distribution = partial(_distribution, base_dir=base_dir)
    return _build(
        Outbound,
        calls_per_day=_field(table, "calls_per_day", where, _integer, ge=0, le=1_000_000),
        window_start_s=_field(table, "window_start", where, _clock),
        window_end_s=_field(table, "window_end", where, _clock),
        mode=_field(table, "mode", where, _text, choices=OUTBOUND_MODES, default=_OMITTED),
        groups=_field(table, "groups", where, _array, item=_name, default=_OMITTED),
        dial=_field(table, "dial", where, distribution, default=_OMITTED),
        reach_probability=_field(table, "reach_probability", where, _number, ge=0, le=1,
                                 default=_OMITTED),
        talk=_field(table, "talk", where, distribution, default=_OMITTED),
        visit_probability=_field(table, "visit_probability", where, _number, ge=0, le=1,
                                 default=_OMITTED),
        dialer_ratio=_field(table, "dialer_ratio", where, _number, ge=1, le=10,
                            default=_OMITTED),
        connect_wait_s=_field(table, "connect_wait_s", where, _number, ge=0, default=_OMITTED),
    )


def _outcomes(value: Any, where: str) -> Outcomes:
    table = _table(value, where, _OUTCOME_KEYS)
    return _build(
        Outcomes,
        visit_probability=_field(table, "visit_probability", where, _number, ge=0, le=1,
                                 default=_OMITTED),
        value_per_visit=_field(table, "value_per_visit", where, _number, ge=0,
                               default=_OMITTED),
    )


def _staffing(value: Any, where: str, *, calendar: Calendar) -> tuple[int, ...]:
    """Agents per interval of all days; a vector for one day is the same every day."""
    lengths = {calendar.intervals_per_day: "one per interval of a day"}
    lengths.setdefault(calendar.n_intervals, "one per interval of all days")
    staffing = _series(value, where, item=partial(_integer, ge=0), lengths=lengths)
    # One length for every consumer: nobody downstream has to ask which form the file used.
    return staffing * (calendar.n_intervals // len(staffing))


def _shift(value: Any, where: str, *, calendar: Calendar) -> Shift:
    table = _table(value, where, _SHIFT_KEYS)
    shift = Shift(
        start_s=_field(table, "start", where, _clock),
        end_s=_field(table, "end", where, _clock),
        count=_field(table, "count", where, _integer, ge=0),
    )
    # An end at or before the start is a night shift: it ends the next morning.
    if shift.end_s == shift.start_s:
        constraint = f"must differ from start ({format_clock(shift.start_s)})"
        raise ScenarioError(join_key(where, "end"), constraint, table["end"])
    if not shift_windows(shift, calendar):
        first, last = calendar.start_s, calendar.start_s + calendar.day_s
        constraint = (f"must overlap the simulated day "
                      f"{format_clock(first)}-{format_clock(last % SECONDS_PER_DAY)}")
        raise ScenarioError(where, constraint, value)
    return shift


def _targets(value: Any, where: str) -> Targets:
    table = _table(value, where, _TARGET_KEYS)
    return _build(
        Targets,
        awt_s=_field(table, "awt_s", where, _number, ge=0, default=_OMITTED),
        service_level=_field(table, "service_level", where, _number, ge=0, le=1, default=_OMITTED),
        sl_definition=_field(
            table, "sl_definition", where, _text, choices=SL_DEFINITIONS, default=_OMITTED
        ),
        short_abandon_s=_field(table, "short_abandon_s", where, _number, ge=0, default=_OMITTED),
        max_abandon=_field(table, "max_abandon", where, _number, ge=0, le=1, default=_OMITTED),
        max_asa_s=_field(table, "max_asa_s", where, _number, gt=0, default=_OMITTED),
        max_occupancy=_field(table, "max_occupancy", where, _number, gt=0, le=1,
                             default=_OMITTED),
    )


def _simulation(value: Any, where: str, *, calendar: Calendar) -> Simulation:
    table = _table(value, where, _SIMULATION_KEYS)
    simulation = _build(
        Simulation,
        replications=_field(table, "replications", where, _integer, ge=1,
                            le=MAX_REPLICATIONS, default=_OMITTED),
        seed=_field(table, "seed", where, _integer, ge=0, default=_OMITTED),
        warmup_s=_field(table, "warmup_s", where, _number, ge=0, default=_OMITTED),
        daily_busyness_cv=_field(
            table, "daily_busyness_cv", where, _number, ge=0, le=_MAX_BUSYNESS_CV,
            default=_OMITTED
        ),
    )
    if simulation.warmup_s >= calendar.horizon_s:
        constraint = f"must be shorter than the horizon ({calendar.horizon_s:g} s)"
        raise ScenarioError(join_key(where, "warmup_s"), constraint, table["warmup_s"])
    # Results are reported by arrival interval: a warm-up that ends inside an interval would
    # leave that interval half counted.
    if simulation.warmup_s % calendar.interval_s:
        constraint = f"must be a whole number of intervals ({calendar.interval_s:g} s each)"
        raise ScenarioError(join_key(where, "warmup_s"), constraint, table["warmup_s"])
    return simulation


def _redials(value: Any, where: str, *, base_dir: Path) -> Redials:
    table = _table(value, where, _REDIAL_KEYS)
    return _build(
        Redials,
        blocked=_field(table, "blocked", where, _number, ge=0, le=1, default=_OMITTED),
        abandoned=_field(table, "abandoned", where, _number, ge=0, le=1, default=_OMITTED),
        delay=_field(table, "delay", where, _distribution, base_dir=base_dir, default=_OMITTED),
        max_attempts=_field(table, "max_attempts", where, _integer, ge=1, le=_MAX_ATTEMPTS,
                            default=_OMITTED),
    )


def _callbacks(value: Any, where: str, *, base_dir: Path,
               type_names: tuple[str, ...]) -> Callbacks:
    table = _table(value, where, _CALLBACK_KEYS)
    callbacks = _build(
        Callbacks,
        dial=_field(table, "dial", where, _distribution, base_dir=base_dir, default=_OMITTED),
        reach_probability=_field(table, "reach_probability", where, _number, ge=0, le=1,
                                 default=_OMITTED),
        max_attempts=_field(table, "max_attempts", where, _integer, ge=1, le=_MAX_ATTEMPTS,
                            default=_OMITTED),
        retry_delay=_field(table, "retry_delay", where, _distribution, base_dir=base_dir,
                           default=_OMITTED),
        priority=_field(table, "priority", where, _integer, default=_OMITTED),
        abandoned=_field(table, "abandoned", where, _abandoned_callbacks, base_dir=base_dir,
                         type_names=type_names, default=_OMITTED),
        offered=_field(table, "offered", where, _offered_callbacks, default=_OMITTED),
        voicemail=_field(table, "voicemail", where, _boolean, default=_OMITTED),
    )
    # A deadline no callback can meet (the dialling alone takes longer) is a typo, not a plan.
    for part in ("abandoned", "offered"):
        deadline_s = getattr(getattr(callbacks, part), "deadline_s", None)
        if deadline_s is not None and deadline_s <= callbacks.dial.mean_s:
            key = join_key(join_key(where, part), "deadline_s")
            constraint = f"must be longer than the mean dial time ({callbacks.dial.mean_s:g} s)"
            raise ScenarioError(key, constraint, deadline_s)
    return callbacks


def _abandoned_callbacks(value: Any, where: str, *, base_dir: Path,
                         type_names: tuple[str, ...]) -> AbandonedCallbacks:
    table = _table(value, where, _ABANDONED_CALLBACK_KEYS)
    types = _field(table, "call_types", where, _array, item=partial(_text, choices=type_names),
                   default=_OMITTED)
    if types is not _OMITTED:
        _distinct(types, join_key(where, "call_types"))
    return _build(
        AbandonedCallbacks,
        delay=_field(table, "delay", where, _distribution, base_dir=base_dir, default=_OMITTED),
        min_wait_s=_field(table, "min_wait_s", where, _number, ge=0, default=_OMITTED),
        deadline_s=_field(table, "deadline_s", where, _number, gt=0, default=_OMITTED),
        ivr=_field(table, "ivr", where, _boolean, default=_OMITTED),
        blocked=_field(table, "blocked", where, _boolean, default=_OMITTED),
        call_types=types,
    )


def _offered_callbacks(value: Any, where: str) -> OfferedCallbacks:
    table = _table(value, where, _OFFERED_CALLBACK_KEYS)
    return _build(
        OfferedCallbacks,
        threshold_s=_field(table, "threshold_s", where, _threshold),
        accept_probability=_field(table, "accept_probability", where, _number, ge=0, le=1,
                                  default=_OMITTED),
        predictor=_field(table, "predictor", where, _text, choices=WAIT_PREDICTORS,
                         default=_OMITTED),
        keep_place=_field(table, "keep_place", where, _boolean, default=_OMITTED),
        deadline_s=_field(table, "deadline_s", where, _number, gt=0, default=_OMITTED),
    )


def _threshold(value: Any, where: str) -> float:
    """A threshold in seconds >= 0, where ``inf`` (TOML's own spelling) means never."""
    if isinstance(value, float) and value == math.inf:
        return value
    return _number(value, where, ge=0)


def _boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ScenarioError(where, "must be true or false", value)
    return value


def _check_overflow(scenario: Scenario) -> None:
    """Overflow goes to a known group that does not serve the type already; a message needs
    callbacks to follow it; a group without skills must take some type's overflow."""
    names = [g.name for g in scenario.agent_groups]
    targets = set()
    for i, ct in enumerate(scenario.call_types):
        if ct.overflow is None:
            continue
        where = join_key(join_key("call_types", i), "overflow")
        group = ct.overflow.group
        if group not in names:
            raise ScenarioError(join_key(where, "group"), "must name an agent group", group,
                                hint=did_you_mean(group, names))
        if ct.name in scenario.agent_groups[names.index(group)].skills:
            constraint = f"must not have {ct.name!r} among its skills (it would take it anyway)"
            raise ScenarioError(join_key(where, "group"), constraint, group)
        if ct.overflow.mode == "message" and scenario.callbacks is None:
            constraint = "'message' needs a [callbacks] table (how the caller is called back)"
            raise ScenarioError(join_key(where, "mode"), constraint, ct.overflow.mode)
        targets.add(group)
    outbound = scenario.outbound
    if outbound is not None:
        where = "outbound"
        if outbound.window_end_s == outbound.window_start_s:
            raise ScenarioError(join_key(where, "window_end"), "must differ from window_start",
                                format_clock(outbound.window_end_s))
        for i, group in enumerate(outbound.groups):
            if group not in names:
                raise ScenarioError(join_key(join_key(where, "groups"), i),
                                    "must name an agent group", group,
                                    hint=did_you_mean(group, names))
            skills = scenario.agent_groups[names.index(group)].skills
            if outbound.mode == "reserved" and skills:
                constraint = "must be a group without skills (mode 'reserved': only reminders)"
                raise ScenarioError(join_key(join_key(where, "groups"), i), constraint, group)
        if outbound.mode == "reserved":
            if not outbound.groups:
                raise ScenarioError(join_key(where, "groups"),
                                    "must name the reserved group (mode 'reserved')", [])
            targets.update(outbound.groups)
    for g, group in enumerate(scenario.agent_groups):
        if not group.skills and group.name not in targets:
            constraint = ("must have at least 1 entry (or the group must take some overflow, "
                          "or make the reserved outbound calls)")
            raise ScenarioError(join_key(join_key("agent_groups", g), "skills"), constraint, [])


def _planning(value: Any, where: str) -> Planning:
    table = _table(value, where, _PLANNING_KEYS)
    return _build(
        Planning,
        shrinkage=_field(table, "shrinkage", where, _number, ge=0, le=_MAX_SHRINKAGE,
                         default=_OMITTED),
        sl_probability=_field(table, "sl_probability", where, _number, gt=0, le=1,
                              default=_OMITTED),
    )


def _check_every_type_answered(scenario: Scenario) -> None:
    """Every call type that can reach the queue must be a skill of some agent group."""
    menu = dict(scenario.ivr.menu)
    reaching = {ct.name for ct in scenario.call_types if ct.name not in menu}
    reaching |= {name for split in menu.values() for name, share in split if share > 0}
    answered = {skill for group in scenario.agent_groups for skill in group.skills}
    for i, ct in enumerate(scenario.call_types):
        if ct.name in reaching and ct.name not in answered:
            where = join_key(join_key("call_types", i), "name")
            constraint = "must be among the skills of at least one agent group"
            raise ScenarioError(where, constraint, ct.name)


# ---------------------------------------------------------------------------------------------
# Distributions


def _distribution(value: Any, where: str, *, base_dir: Path) -> Distribution:
    table = _table(value, where)
    kind = _field(table, "kind", where, _text, choices=DISTRIBUTION_KINDS)
    _table(table, where, _DISTRIBUTION_KEYS[kind], what=f"key for kind {kind!r}")
    if kind == "empirical":
        import statistics  # (here: only empirical distributions need it, a slow import)

        samples = _empirical_samples(table, where, base_dir)
        mean = statistics.fmean(samples)
        # Population CV: the simulation resamples these values, so this is the CV it produces.
        cv = statistics.pstdev(samples) / mean if mean > 0 else 0.0
        return Distribution(kind=kind, mean_s=mean, cv=cv, samples_s=samples)
    bound = {"ge": 0} if kind == "deterministic" else {"gt": 0}
    mean = _field(table, "mean_s", where, _number, **bound)
    return Distribution(kind=kind, mean_s=mean, cv=_cv(table, where, kind))


def _cv(table: dict, where: str, kind: str) -> float:
    key = join_key(where, "cv")
    if kind in _FIXED_CV:
        fixed = _FIXED_CV[kind]
        cv = _field(table, "cv", where, _number, default=fixed)
        if cv != fixed:
            raise ScenarioError(key, f"must be {fixed:g} for kind {kind!r} (or be left out)", cv)
        return fixed
    if kind == "erlang" and "phases" in table:
        if "cv" in table:
            raise ScenarioError(key, "must not be given together with phases", table["cv"])
        low, _ = _CV_RANGE
        phases = _field(table, "phases", where, _integer, ge=1, le=round(low**-2))
        return 1.0 / math.sqrt(phases)
    low, high = _CV_RANGE
    cv = _field(table, "cv", where, _number, ge=low, le=_MAX_CV.get(kind, high))
    shape = 1.0 / cv**2
    if kind == "erlang" and abs(shape - round(shape)) > _ERLANG_SHAPE_TOL:
        hint = "(cv = 1/sqrt(k) for k phases; or give phases = k instead of cv)"
        raise ScenarioError(key, "must make 1/cv**2 a whole number", cv, hint=hint)
    return cv


def _empirical_samples(table: dict, where: str, base_dir: Path) -> tuple[float, ...]:
    if "samples_s" in table:
        for key in ("csv", "column"):
            if key in table:
                constraint = "must not be given together with samples_s"
                raise ScenarioError(join_key(where, key), constraint, table[key])
        return _field(table, "samples_s", where, _array, item=partial(_number, ge=0), min_len=1)
    if "csv" not in table:
        raise ScenarioError(join_key(where, "samples_s"), "is required (or csv with column)")
    name = _field(table, "csv", where, _text)
    column = _field(table, "column", where, _text)
    return _csv_column(base_dir / name, name, column, where)


def _csv_column(path: Path, name: str, column: str, where: str) -> tuple[float, ...]:
    """The non-negative numbers in ``column`` of the CSV file at ``path`` (``name`` as written)."""
    key = join_key(where, "csv")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            if column not in columns:
                hint = did_you_mean(column, columns) or f"(columns: {listing(columns)})"
                constraint = f"must name a column of {name}"
                raise ScenarioError(join_key(where, "column"), constraint, column, hint=hint)
            samples = tuple(
                _csv_cell(row[column], key, f"{name!r}: row {reader.line_num}, column {column!r}")
                for row in reader
            )
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        reason = err.strerror if isinstance(err, OSError) else str(err)
        raise ScenarioError(key, f"cannot be read ({reason})", name) from err
    if not samples:
        raise ScenarioError(key, f"must have at least one row of data in column {column!r}", name)
    return samples


def _csv_cell(text: str | None, key: str, place: str) -> float:
    verdict = checks.number_cell(text, key, ge=0)
    if isinstance(verdict, Problem):
        raise dataclasses.replace(verdict, constraint=f"= {place} {verdict.constraint}").error()
    return verdict


# ---------------------------------------------------------------------------------------------
# Checks. Each takes the value and its dotted key path and returns the value converted (float
# seconds, int, tuple), or raises ScenarioError naming the path. The single-value checks are
# those of scenarios.checks, raising at the first problem.


def _raising(check: Callable[..., Any]) -> Callable[..., Any]:
    """``check`` of :mod:`scenarios.checks`, raising its :class:`Problem` as a ScenarioError."""

    def checked(value: Any, where: str, **kw: Any) -> Any:
        verdict = check(value, where, **kw)
        if isinstance(verdict, Problem):
            raise verdict.error()
        return verdict

    return checked


_number = _raising(checks.number)
_integer = _raising(checks.integer)
_text = _raising(checks.text)
_name = _raising(checks.name)
_clock = _raising(checks.clock)


def _field(
    table: dict, key: str, where: str, check: Callable[..., Any], *, default: Any = _REQUIRED, **kw
) -> Any:
    """``check(table[key], path, **kw)``; ``default`` when the key is absent (unless required)."""
    path = join_key(where, key)
    if key not in table:
        if default is _REQUIRED:
            raise ScenarioError(path, "is required")
        return default
    return check(table[key], path, **kw)


def _build(cls: type, **fields: Any) -> Any:
    """``cls(**fields)`` without the omitted ones, so that the schema's defaults apply."""
    return cls(**{k: v for k, v in fields.items() if v is not _OMITTED})


def _table(
    value: Any, where: str, allowed: Collection[str] | None = None, *, what: str = "key"
) -> dict:
    """A TOML table whose keys are all in ``allowed`` (any keys if ``None``)."""
    if not isinstance(value, dict):
        raise ScenarioError(where, "must be a table", value)
    for key in value:
        if allowed is not None and key not in allowed:
            hint = did_you_mean(key, allowed) or f"(known: {listing(allowed)})"
            raise ScenarioError(join_key(where, key), f"is not a known {what}", hint=hint)
    return value


def _array(
    value: Any, where: str, *, item: Callable[[Any, str], Any], min_len: int = 0
) -> tuple[Any, ...]:
    """A TOML array, every entry checked by ``item(entry, "where[i]")``."""
    if not isinstance(value, list):
        raise ScenarioError(where, "must be an array", value)
    if len(value) < min_len:
        raise ScenarioError(where, f"must have at least {plural(min_len, 'entry')}", value)
    return tuple(item(entry, join_key(where, i)) for i, entry in enumerate(value))


def _series(
    value: Any, where: str, *, item: Callable[[Any, str], Any], lengths: Mapping[int, str]
) -> tuple[Any, ...]:
    """One value per interval: an array of one of ``lengths`` entries, or one value for all.

    ``lengths`` maps each accepted length to what it means; a single value is repeated to the
    first of them.
    """
    if not isinstance(value, list):
        return (item(value, where),) * next(iter(lengths))
    values = _array(value, where, item=item)
    if len(values) not in lengths:
        accepted = " or ".join(f"{plural(n, 'entry')} ({meaning})"
                               for n, meaning in lengths.items())
        hint = f"({plural(len(values), 'entry')})"
        raise ScenarioError(where, f"must have {accepted}", value, hint=hint)
    return values


def _per_profile(
    table: dict, key: str, where: str, profiles: tuple[str, ...], check: Callable[[Any, str], Any]
) -> dict[str, Any]:
    """One value for every day profile, or a table ``{profile = value}`` naming each of them."""
    path = join_key(where, key)
    value = _field(table, key, where, lambda v, _: v)
    if not isinstance(value, dict):
        return dict.fromkeys(profiles, check(value, path))
    _table(value, path, profiles, what="day profile of calendar.days")
    for profile in profiles:
        if profile not in value:
            constraint = "is required: calendar.days uses this day profile"
            raise ScenarioError(join_key(path, profile), constraint)
    return {profile: check(value[profile], join_key(path, profile)) for profile in profiles}


def _names(tables: tuple[dict, ...], where: str) -> tuple[str, ...]:
    """The ``name`` of every table of an array of tables; names must be distinct."""
    names = tuple(_field(t, "name", join_key(where, i), _name) for i, t in enumerate(tables))
    _distinct(names, where, suffix=".name")
    return names


def _distinct(values: tuple[Any, ...], where: str, *, suffix: str = "") -> None:
    for i, value in enumerate(values):
        if value in values[:i]:
            first = join_key(where, values.index(value)) + suffix
            raise ScenarioError(join_key(where, i) + suffix, f"must differ from {first}", value)
