"""Per-call logs in, one checked table of calls out: readers, presets, column mappings.

Every export names its columns differently, so a reader is a :class:`Preset`: which canonical
field sits in which column, and how a row becomes a call. Three kinds exist:

* ``anonymous-bank``: the 1999 "Anonymous Bank" logs (Technion; tab-separated, clock times
  ``h:mm:ss`` and a ``YYMMDD`` date; see ``../shared/data/anonymous-bank-1999/README.md``);
* ``callsim``: our own ``callsim run --records`` CSV (for round trips); replication ``r`` is
  read as day ``r`` (simulated day ``d`` of replication ``r`` as day ``r * 1000 + d``), and the
  clock starts at ``clock_start_s`` (the scenario's ``calendar.start``);
* a mapping (``--columns arrival=StartTime,outcome=Result,...`` or a TOML file with a
  ``[columns]`` table and an optional ``[outcomes]`` table) onto the canonical fields below.

Canonical fields of a mapping
-----------------------------
``arrival``   date and time the call arrived (``YYYY-MM-DD HH:MM[:SS]``, ``T`` allowed); required.
``outcome``   what became of it; required. Values ``answered``, ``abandoned`` (hung up in
              queue), ``ivr_abandoned`` (hung up in the IVR), ``ivr_served`` (needed no agent),
              ``blocked`` (all lines busy), any case; ``[outcomes]`` maps other spellings.
``wait_s``    seconds in queue (empty: never queued); required.
``talk_s``    talk time of answered calls, seconds; required.
``ivr_s``, ``wrap_s`` (seconds), ``call_type``, ``priority`` (whole number), ``agent``: optional.

Row checks
----------
A row that cannot be used (wrong field count, bad timestamp, negative duration, unknown outcome)
is counted and reported with its row number, column and reason (:class:`RowProblem`), never
dropped silently; ``strict=True`` raises at the first. A row that is usable but odd (a *quirk*:
the bank's negative IVR times, phantom calls, services starting a second before the queue exit)
is counted by kind with its first row numbers and the action taken (:class:`Quirk`). A file with
no header, a missing column, the wrong delimiter, text that is not UTF-8, or no usable row at all
raises :class:`~calibrate.errors.CalibrationError`.

Times are float seconds. A call's ``arrival_s``, ``queue_s`` and ``answer_s`` are seconds after
midnight of its ``day`` (a date ordinal); they exceed 86,400 when a call crosses midnight.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import math
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from calibrate.errors import CalibrationError
from scenarios.errors import did_you_mean, listing

OUTCOMES = ("answered", "abandoned", "ivr_abandoned", "ivr_served", "blocked")
ANSWERED, ABANDONED, IVR_ABANDONED, IVR_SERVED, BLOCKED = range(5)
_OUTCOME_CODE = {name: i for i, name in enumerate(OUTCOMES)}

CANONICAL_FIELDS = ("arrival", "outcome", "wait_s", "talk_s", "ivr_s", "wrap_s", "call_type",
                    "priority", "agent")
_REQUIRED_FIELDS = ("arrival", "outcome", "wait_s", "talk_s")
#: Delimiters tried, in this order, when none is given.
DELIMITERS = ("\t", ",", ";", "|")
#: Row numbers kept per quirk kind (the count is always complete).
_ROWS_SHOWN = 10
_DAY_S = 86400.0


@dataclass(frozen=True)
class RowProblem:
    """A row that cannot be used. ``row`` is the line number in ``file`` (header = 1)."""

    file: str
    row: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        col = f", column {self.column}" if self.column else ""
        return f"{self.file}: row {self.row}{col}: {self.reason}"


@dataclass(frozen=True)
class Quirk:
    """Usable rows with one known oddity: how many, the first row numbers, what was done."""

    kind: str
    action: str
    count: int
    rows: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class SourceFile:
    """A file read: its path as given, SHA-256 of its bytes, data rows, usable calls."""

    path: str
    sha256: str
    rows: int
    calls: int


@dataclass(frozen=True, eq=False)
class CallLog:
    """Usable calls as numpy columns (one entry per call), and what the reading found.

    Attributes
    ----------
    day : int array
        Date ordinal (``datetime.date.toordinal``) of the arrival.
    arrival_s, queue_s, answer_s : float arrays
        Arrival, queue entry and answer, seconds after midnight of ``day`` (``nan`` where the
        call never queued or was never answered).
    ivr_s : float array
        Time in the IVR (``nan`` where unknown).
    wait_s : float array
        Time in queue (0 for a call answered without queueing; ``nan`` if it never asked for an
        agent: IVR hang-ups, IVR-served and blocked calls).
    talk_s, wrap_s : float arrays
        Talk and after-call work of answered calls (``nan`` where not answered or not logged).
    outcome : int8 array
        Index into :data:`OUTCOMES`.
    call_type, agent : str arrays
        ``""`` where not given.
    priority : int array
        0 where not given.
    weekend : frozenset of int
        ISO weekdays (Monday 1 ... Sunday 7) that are not working days at this center.
    """

    day: np.ndarray
    arrival_s: np.ndarray
    ivr_s: np.ndarray
    queue_s: np.ndarray
    wait_s: np.ndarray
    answer_s: np.ndarray
    talk_s: np.ndarray
    wrap_s: np.ndarray
    outcome: np.ndarray
    call_type: np.ndarray
    priority: np.ndarray
    agent: np.ndarray
    weekend: frozenset[int]
    sources: tuple[SourceFile, ...]
    problems: tuple[RowProblem, ...]
    quirks: tuple[Quirk, ...]
    preset: str

    def __len__(self) -> int:
        return len(self.day)

    @property
    def asked_for_agent(self) -> np.ndarray:
        """Calls offered to the agents: answered or abandoned in queue."""
        return (self.outcome == ANSWERED) | (self.outcome == ABANDONED)

    def select(self, mask: np.ndarray) -> CallLog:
        """The calls where ``mask`` is true (problems, quirks and sources kept)."""
        columns = {name: getattr(self, name)[mask] for name in _COLUMNS}
        return CallLog(**columns, weekend=self.weekend, sources=self.sources,
                       problems=self.problems, quirks=self.quirks, preset=self.preset)

    def summary(self) -> dict:
        """Counts for reports: calls by outcome, days, problems and quirks."""
        counts = np.bincount(self.outcome, minlength=len(OUTCOMES))
        days = sorted(set(self.day.tolist()))
        return {
            "calls": len(self),
            "by_outcome": {name: int(c) for name, c in zip(OUTCOMES, counts, strict=True)},
            "first_day": _iso(days[0]) if days else None,
            "last_day": _iso(days[-1]) if days else None,
            "days_with_calls": len(days),
            "unusable_rows": len(self.problems),
            "problems": [str(p) for p in self.problems[:50]],
            "quirks": [{"kind": q.kind, "count": q.count, "action": q.action,
                        "first_rows": [f"{f}:{r}" for f, r in q.rows]} for q in self.quirks],
        }


_COLUMNS = ("day", "arrival_s", "ivr_s", "queue_s", "wait_s", "answer_s", "talk_s", "wrap_s",
            "outcome", "call_type", "priority", "agent")


def _iso(ordinal: int) -> str:
    return datetime.date.fromordinal(ordinal).isoformat()


class _Bad(Exception):
    """A cell that makes its row unusable (internal: becomes a RowProblem)."""

    def __init__(self, column: str | None, reason: str):
        super().__init__(reason)
        self.column, self.reason = column, reason


#: A parsed call: the values of :data:`_COLUMNS` (without ``weekend``), in order.
Call = tuple
#: A row parser: cells by column name -> (call or None to skip, quirk kinds met).
RowParser = Callable[[dict[str, str]], tuple[Call | None, Sequence[str]]]


@dataclass(frozen=True)
class Preset:
    """How to read one kind of export.

    Parameters
    ----------
    name : str
    columns : tuple of str
        Column names the file must have.
    parse : callable
        ``parse(cells) -> (call or None, quirks)``; raises ``_Bad`` for an unusable row.
    delimiter : str or None
        ``None``: detected from the header.
    weekend : frozenset of int
        ISO weekdays on which the center does not work a full day.
    quirk_actions : dict
        Quirk kind -> what the reader did about it (reported with the count).
    """

    name: str
    columns: tuple[str, ...]
    parse: RowParser
    delimiter: str | None = None
    weekend: frozenset[int] = frozenset({6, 7})
    quirk_actions: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Cell checks (raise _Bad naming the column and the value).

def _seconds(text: str, column: str, *, allow_negative: bool = False) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _Bad(column, f"must be a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or (value < 0 and not allow_negative):
        raise _Bad(column, f"must be >= 0 seconds, got {text!r}")
    return value


def _optional_seconds(text: str | None, column: str) -> float:
    return math.nan if text is None or not text.strip() else _seconds(text, column)


_CLOCK = re.compile(r"(\d{1,2}):(\d{2}):(\d{2})")


def _clock(text: str, column: str) -> float:
    match = _CLOCK.fullmatch(text.strip())
    if not match:
        raise _Bad(column, f"must be a clock time h:mm:ss, got {text!r}")
    h, m, s = (int(g) for g in match.groups())
    if h > 23 or m > 59 or s > 59:
        raise _Bad(column, f"must be a clock time h:mm:ss, got {text!r}")
    return h * 3600.0 + m * 60.0 + s


def _integer(text: str, column: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _Bad(column, f"must be a whole number, got {text!r}") from None


# ---------------------------------------------------------------------------------------------
# Preset: the Anonymous Bank logs.

_BANK_COLUMNS = ("vru+line", "call_id", "customer_id", "priority", "type", "date", "vru_entry",
                 "vru_exit", "vru_time", "q_start", "q_exit", "q_time", "outcome", "ser_start",
                 "ser_exit", "ser_time", "server")
_BANK_TYPES = ("PS", "PE", "IN", "NE", "NW", "TT")
_BANK_ACTIONS = {
    "phantom": "ignored, as the data's documentation says (outcome PHANTOM: a virtual call)",
    "negative vru_time": "clock skew between VRU and queue clocks: IVR time taken as unknown, "
                         "the call kept",
    "service starts before queue exit": "ser_start a second or so before q_exit: kept, wait "
                                        "taken from q_time",
    "queue crosses midnight": "q_start/q_exit/ser_start on the next day: times shifted by 24 h",
    "served without agent name": "server NO_SERVER on a served call: kept, no agent",
    "unknown service type": "type not among PS, PE, IN, NE, NW, TT: kept under its own name",
}


def _bank_date(text: str) -> int:
    if not re.fullmatch(r"\d{6}", text.strip()):
        raise _Bad("date", f"must be a date YYMMDD, got {text!r}")
    yy, mm, dd = int(text[:2]), int(text[2:4]), int(text[4:6])
    try:
        return datetime.date(1900 + yy if yy >= 50 else 2000 + yy, mm, dd).toordinal()
    except ValueError:
        raise _Bad("date", f"must be a date YYMMDD, got {text!r}") from None


def _after(clock_s: float, ref_s: float) -> float:
    """A clock reading taken at or after ``ref_s`` (a time after midnight of the arrival day)."""
    return clock_s + _DAY_S if clock_s < ref_s - _DAY_S / 2 else clock_s


def _parse_bank(cells: dict[str, str]) -> tuple[Call | None, list[str]]:
    quirks = []
    outcome_text = cells["outcome"].strip()
    if outcome_text == "PHANTOM":
        return None, ["phantom"]
    if outcome_text not in ("AGENT", "HANG"):
        raise _Bad("outcome", f"must be one of 'AGENT', 'HANG', 'PHANTOM', got {outcome_text!r}")
    day = _bank_date(cells["date"])
    arrival = _clock(cells["vru_entry"], "vru_entry")
    vru_time = _seconds(cells["vru_time"], "vru_time", allow_negative=True)
    ivr = vru_time
    if vru_time < 0:
        quirks.append("negative vru_time")
        ivr = math.nan
    queued = cells["q_start"].strip() not in ("0:00:00", "00:00:00")
    queue = wait = answer = talk = math.nan
    if queued:
        queue = _clock(cells["q_start"], "q_start")
        shifted = _after(queue, arrival)
        if shifted != queue:
            quirks.append("queue crosses midnight")
        queue = shifted
        wait = _seconds(cells["q_time"], "q_time")
        q_exit_clock = _clock(cells["q_exit"], "q_exit")
        q_exit = _after(q_exit_clock, arrival)
        if q_exit < queue:
            q_exit += _DAY_S
        if q_exit != q_exit_clock and "queue crosses midnight" not in quirks:
            quirks.append("queue crosses midnight")
    agent = ""
    if outcome_text == "AGENT":
        outcome = ANSWERED
        answer = _after(_clock(cells["ser_start"], "ser_start"), arrival)
        talk = _seconds(cells["ser_time"], "ser_time")
        if queued:
            if answer < q_exit:
                quirks.append("service starts before queue exit")
        else:
            wait = 0.0
        agent = cells["server"].strip()
        if agent == "NO_SERVER":
            quirks.append("served without agent name")
            agent = ""
    else:
        outcome = ABANDONED if queued else IVR_ABANDONED
    call_type = cells["type"].strip()
    if call_type not in _BANK_TYPES:
        quirks.append("unknown service type")
    priority = _integer(cells["priority"], "priority")
    return (day, arrival, ivr, queue, wait, answer, talk, math.nan, outcome, call_type, priority,
            agent), quirks


ANONYMOUS_BANK = Preset(name="anonymous-bank", columns=_BANK_COLUMNS, parse=_parse_bank,
                        delimiter="\t", weekend=frozenset({5, 6}),  # Friday, Saturday
                        quirk_actions=_BANK_ACTIONS)


# ---------------------------------------------------------------------------------------------
# Preset: our own records (`callsim run --records`).

_CALLSIM_COLUMNS = ("replication", "caller_id", "attempt", "kind", "call_type", "arrival_s",
                    "ivr_exit_s", "queue_entry_s", "answer_s", "end_s", "wrap_end_s",
                    "outcome", "group", "agent", "wait_s")
#: Day ordinal of replication 0, day 0 (any date works: the preset has no weekend).
_CALLSIM_DAY0 = datetime.date(2000, 1, 3).toordinal()
_CALLSIM_ACTIONS = {
    "after_hours": "arrived outside opening hours: not a call to the center, left out",
    "unfinished": "still in the system when the run stopped: left out",
}


def callsim_preset(clock_start_s: float = 0.0) -> Preset:
    """The reader of ``callsim run --records`` files.

    Parameters
    ----------
    clock_start_s : float
        Time of day of simulated time 0 (the scenario's ``calendar.start``), seconds.
    """

    def parse(cells: dict[str, str]) -> tuple[Call | None, list[str]]:
        outcome_text = cells["outcome"].strip()
        if outcome_text in ("after_hours", "unfinished"):
            return None, [outcome_text]
        if outcome_text not in _OUTCOME_CODE:
            raise _Bad("outcome", f"must be one of {listing(OUTCOMES)}, got {outcome_text!r}")
        outcome = _OUTCOME_CODE[outcome_text]
        replication = _integer(cells["replication"], "replication")
        t = _seconds(cells["arrival_s"], "arrival_s")
        sim_day, t_in_day = divmod(t, _DAY_S)
        day = _CALLSIM_DAY0 + replication * 1000 + int(sim_day)
        arrival = clock_start_s + t_in_day  # the clock of simulated instant x: x - t + arrival
        ivr_exit = _optional_seconds(cells["ivr_exit_s"], "ivr_exit_s")
        queue = _optional_seconds(cells["queue_entry_s"], "queue_entry_s")
        answer = _optional_seconds(cells["answer_s"], "answer_s")
        wait = _optional_seconds(cells["wait_s"], "wait_s")
        end = _seconds(cells["end_s"], "end_s")
        wrap_end = _optional_seconds(cells["wrap_end_s"], "wrap_end_s")
        talk = wrap = math.nan
        if outcome == ANSWERED:
            if math.isnan(answer):
                raise _Bad("answer_s", "must be given for an answered call, got ''")
            talk, wrap = end - answer, (0.0 if math.isnan(wrap_end) else wrap_end - end)
            if math.isnan(wait):
                wait = 0.0
        if talk < 0 or wrap < 0:
            raise _Bad("end_s", f"must not precede answer_s, got {cells['end_s']!r}")
        if outcome == ABANDONED and math.isnan(wait):
            raise _Bad("wait_s", "must be given for an abandoned call, got ''")
        return (day, arrival, ivr_exit - t if not math.isnan(ivr_exit) else math.nan,
                queue - t + arrival, wait, answer - t + arrival, talk, wrap, outcome,
                cells["call_type"].strip(), 0, _agent(cells)), []

    return Preset(name="callsim", columns=_CALLSIM_COLUMNS, parse=parse, delimiter=",",
                  weekend=frozenset(), quirk_actions=_CALLSIM_ACTIONS)


def _agent(cells: dict[str, str]) -> str:
    agent = cells["agent"].strip()
    return f"{cells['group'].strip()}#{agent}" if agent else ""


# ---------------------------------------------------------------------------------------------
# Mappings onto the canonical fields.

_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d*)?)?")


def mapping_preset(columns: dict[str, str], outcomes: dict[str, str] | None = None,
                   *, delimiter: str | None = None,
                   weekend: Iterable[int] = (6, 7)) -> Preset:
    """A reader for a file whose columns are named in ``columns`` (canonical field -> column).

    Parameters
    ----------
    columns : dict
        Canonical field (see the module docstring) -> column name in the file.
    outcomes : dict, optional
        Value in the file -> one of :data:`OUTCOMES` (matched case-insensitively; our own names
        are always understood).
    delimiter : str, optional
        Detected from the header when not given.
    weekend : iterable of int
        ISO weekdays that are not working days.
    """
    unknown = sorted(set(columns) - set(CANONICAL_FIELDS))
    if unknown:
        hint = did_you_mean(unknown[0], CANONICAL_FIELDS)
        raise CalibrationError(f"column mapping field must be one of {listing(CANONICAL_FIELDS)}"
                               f", got {unknown[0]!r} {hint}".rstrip())
    missing = [f for f in _REQUIRED_FIELDS if f not in columns]
    if missing:
        raise CalibrationError(f"column mapping must name the column of {listing(missing)}, "
                               f"got fields {listing(sorted(columns))}")
    outcome_map = {name: name for name in OUTCOMES}
    for value, meaning in (outcomes or {}).items():
        if meaning not in _OUTCOME_CODE:
            raise CalibrationError(f"outcome mapping {value!r} must map to one of "
                                   f"{listing(OUTCOMES)}, got {meaning!r}")
        outcome_map[str(value).lower()] = meaning
    col = dict(columns)

    def parse(cells: dict[str, str]) -> tuple[Call | None, list[str]]:
        text = cells[col["arrival"]].strip()
        match = _DATETIME.fullmatch(text)
        try:
            y, mo, d, h, mi, s = (int(g or 0) for g in match.groups()) if match else (0,) * 6
            day = datetime.date(y, mo, d).toordinal()
            if h > 23 or mi > 59 or s > 59:
                raise ValueError
        except ValueError:
            raise _Bad(col["arrival"], f"must be a date and time YYYY-MM-DD HH:MM:SS, got "
                                       f"{text!r}") from None
        arrival = h * 3600.0 + mi * 60.0 + s
        raw = cells[col["outcome"]].strip()
        meaning = outcome_map.get(raw.lower())
        if meaning is None:
            raise _Bad(col["outcome"], f"must be one of {listing(sorted(outcome_map))}, got "
                                       f"{raw!r}")
        outcome = _OUTCOME_CODE[meaning]
        get = {f: (cells[c] if c in cells else None) for f, c in col.items()}
        ivr = _optional_seconds(get.get("ivr_s"), col.get("ivr_s", ""))
        wait = _optional_seconds(get["wait_s"], col["wait_s"])
        queue = answer = talk = wrap = math.nan
        pre = 0.0 if math.isnan(ivr) else ivr
        if outcome in (ANSWERED, ABANDONED):
            if outcome == ABANDONED and math.isnan(wait):
                raise _Bad(col["wait_s"], "must be given for an abandoned call, got ''")
            wait = 0.0 if math.isnan(wait) else wait
            queue = arrival + pre
        else:
            wait = math.nan
        if outcome == ANSWERED:
            talk = _seconds(get["talk_s"] or "", col["talk_s"])
            answer = queue + wait
            wrap = _optional_seconds(get.get("wrap_s"), col.get("wrap_s", ""))
        priority = 0
        if get.get("priority") not in (None, ""):
            priority = _integer(get["priority"].strip(), col["priority"])
        return (day, arrival, ivr, queue, wait, answer, talk, wrap, outcome,
                (get.get("call_type") or "").strip(), priority,
                (get.get("agent") or "").strip()), []

    return Preset(name="mapping", columns=tuple(col.values()), parse=parse, delimiter=delimiter,
                  weekend=frozenset(weekend))


def parse_columns_option(text: str) -> dict[str, str]:
    """``"arrival=StartTime,outcome=Result"`` -> ``{"arrival": "StartTime", ...}``."""
    mapping = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        field_name, sep, column = part.partition("=")
        if not sep or not field_name.strip() or not column.strip():
            raise CalibrationError(f"--columns entries must read field=Column, got {part!r}")
        mapping[field_name.strip()] = column.strip()
    return mapping


def load_mapping_file(path: str | Path) -> Preset:
    """A mapping preset from a TOML file with ``[columns]``, ``[outcomes]``, ``delimiter``,
    ``weekend`` (ISO weekdays)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CalibrationError(f"{path}: not a TOML mapping file: {exc}") from None
    unknown = sorted(set(data) - {"columns", "outcomes", "delimiter", "weekend"})
    if unknown:
        raise CalibrationError(f"{path}: key must be one of 'columns', 'outcomes', 'delimiter', "
                               f"'weekend', got {unknown[0]!r}")
    if not isinstance(data.get("columns"), dict):
        raise CalibrationError(f"{path}: [columns] must be a table of field = \"Column\"")
    return mapping_preset(data["columns"], data.get("outcomes"), delimiter=data.get("delimiter"),
                          weekend=data.get("weekend", (6, 7)))


PRESETS = ("anonymous-bank", "callsim")


def preset_named(name: str, *, clock_start_s: float = 0.0) -> Preset:
    """A built-in preset by name (see :data:`PRESETS`)."""
    if name == "anonymous-bank":
        return ANONYMOUS_BANK
    if name == "callsim":
        return callsim_preset(clock_start_s)
    raise CalibrationError(f"preset must be one of {listing(PRESETS)}, got {name!r} "
                           f"{did_you_mean(name, PRESETS)}".rstrip())


# ---------------------------------------------------------------------------------------------
# Reading.

def read_logs(paths: Sequence[str | Path], preset: Preset, *, strict: bool = False) -> CallLog:
    """Read and check per-call logs; every unusable row is reported, never dropped silently.

    Parameters
    ----------
    paths : sequence of path
        CSV/TSV files, UTF-8, one header row.
    preset : Preset
        How to read them (:func:`preset_named`, :func:`mapping_preset`).
    strict : bool
        Raise :class:`CalibrationError` at the first unusable row.

    Returns
    -------
    CallLog
    """
    if not paths:
        raise CalibrationError("no log file given")
    calls: list[Call] = []
    problems: list[RowProblem] = []
    quirk_count: dict[str, int] = {}
    quirk_rows: dict[str, list[tuple[str, int]]] = {}
    sources = []
    for path in paths:
        name = str(path)
        table = open_table(path, preset.columns, preset.delimiter)
        header = table.header
        n_before, n_rows = len(calls), 0
        for row_number, cells in table.rows:
            n_rows += 1
            if len(cells) != len(header):
                problem = RowProblem(name, row_number, None,
                                     f"has {len(cells)} fields, the header has {len(header)}")
            else:
                try:
                    call, quirks = preset.parse(dict(zip(header, cells, strict=True)))
                except _Bad as bad:
                    problem = RowProblem(name, row_number, bad.column, bad.reason)
                else:
                    for kind in dict.fromkeys(quirks):
                        quirk_count[kind] = quirk_count.get(kind, 0) + 1
                        shown = quirk_rows.setdefault(kind, [])
                        if len(shown) < _ROWS_SHOWN:
                            shown.append((name, row_number))
                    if call is not None:
                        calls.append(call)
                    continue
            if strict:
                raise CalibrationError(problem.reason, file=name, row=row_number,
                                       column=problem.column)
            problems.append(problem)
        sources.append(SourceFile(name, table.sha256, n_rows, len(calls) - n_before))
    if not calls:
        first = f"; first: {problems[0]}" if problems else ""
        raise CalibrationError(f"no usable call in {listing([str(p) for p in paths])} "
                               f"({len(problems)} unusable rows{first})")
    columns = list(zip(*calls, strict=True))
    quirks = tuple(Quirk(kind, preset.quirk_actions.get(kind, "kept"), quirk_count[kind],
                         tuple(quirk_rows[kind])) for kind in quirk_count)
    return CallLog(
        day=np.array(columns[0], dtype=np.int64),
        arrival_s=np.array(columns[1], dtype=float),
        ivr_s=np.array(columns[2], dtype=float),
        queue_s=np.array(columns[3], dtype=float),
        wait_s=np.array(columns[4], dtype=float),
        answer_s=np.array(columns[5], dtype=float),
        talk_s=np.array(columns[6], dtype=float),
        wrap_s=np.array(columns[7], dtype=float),
        outcome=np.array(columns[8], dtype=np.int8),
        call_type=np.array(columns[9], dtype=str),
        priority=np.array(columns[10], dtype=np.int64),
        agent=np.array(columns[11], dtype=str),
        weekend=preset.weekend, sources=tuple(sources), problems=tuple(problems),
        quirks=quirks, preset=preset.name,
    )


@dataclass(frozen=True)
class Table:
    """A delimited text file opened and checked: header, SHA-256, (row number, cells) rows."""

    header: list[str]
    sha256: str
    rows: Iterable[tuple[int, list[str]]]


def open_table(path: str | Path, columns: Sequence[str], delimiter: str | None) -> Table:
    """Open ``path`` as UTF-8 delimited text whose header holds ``columns``.

    Raises :class:`CalibrationError` for text that is not UTF-8, an empty file, a header that
    does not split (wrong delimiter) or lacks a column. Blank lines are skipped; rows are
    numbered as lines of the file (header = 1).
    """
    name = str(path)
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CalibrationError(f"must be UTF-8 text, got byte 0x{data[exc.start]:02x} at "
                               f"offset {exc.start}", file=name) from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise CalibrationError("is empty: no header row", file=name)
    delimiter = delimiter or _detect_delimiter(lines[0], columns, name)
    header = [h.strip() for h in next(csv.reader([lines[0]], delimiter=delimiter))]
    _check_header(header, columns, delimiter, name)
    rows = ((number, cells) for number, cells in
            enumerate(csv.reader(lines[1:], delimiter=delimiter), start=2) if cells)
    return Table(header=header, sha256=hashlib.sha256(data).hexdigest(), rows=rows)


def _detect_delimiter(header_line: str, columns: Sequence[str], name: str) -> str:
    for delimiter in DELIMITERS:
        header = {h.strip() for h in next(csv.reader([header_line], delimiter=delimiter))}
        if set(columns) <= header:
            return delimiter
    best = max(DELIMITERS, key=lambda d: len(header_line.split(d)))
    if len(header_line.split(best)) == 1:
        raise CalibrationError(f"header must hold the columns {listing(columns)} separated by "
                               f"tab, comma, semicolon or bar, got {header_line[:80]!r}",
                               file=name, row=1)
    return best


def _check_header(header: list[str], columns: Sequence[str], delimiter: str, name: str) -> None:
    missing = [c for c in columns if c not in header]
    if not missing:
        return
    if len(header) == 1:
        raise CalibrationError(f"header must be split by {delimiter!r} (wrong delimiter?), "
                               f"got one column {header[0][:80]!r}", file=name, row=1)
    hint = did_you_mean(missing[0], header)
    raise CalibrationError(f"column {missing[0]!r} must be in the header, got "
                           f"{listing(header)} {hint}".rstrip(), file=name, row=1)
