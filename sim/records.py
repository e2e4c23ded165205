"""One flat record per attempt, built here and only here, and a streaming CSV writer for them.

A caller may make several attempts (a redial after a busy signal, a callback after abandoning,
an outbound reminder): each attempt is one row, and the rows of one caller share its
``caller_id``. So new kinds of attempts add rows, never columns.

Outcomes (every attempt gets exactly one)
-----------------------------------------
``after_hours``   arrived outside opening hours and left.
``blocked``       found every trunk line busy.
``ivr_abandoned`` hung up in the IVR (IVR patience shorter than the greeting).
``ivr_served``    served by the IVR, never queued.
``abandoned``     hung up while waiting in queue.
``answered``      talked to an agent.
``unfinished``    still in the system when the run stopped (see ``sim.model.DRAIN_LIMIT_S``).
``callback_requested`` accepted a callback offer at queue entry and hung up (virtual hold).
``message``       an overflow group took a message; the caller will be called back.
``unreached``     a callback attempt nobody answered (the agent dialled and rang in vain).

Kinds of attempt
----------------
``inbound`` (a caller's first call), ``redial`` (the caller calls again after a busy signal or
after abandoning), ``callback`` (an agent calls the caller back), ``outbound`` (reserved for
reminder calls).

For a ``callback`` attempt the times read: ``arrival_s`` when the callback was requested (the
caller abandoned or accepted the offer; for a retry, when the previous attempt failed),
``queue_entry_s`` when it became due and joined the queue, ``answer_s`` when an agent took it
and started dialling, ``end_s`` when the call ended (after talking, or after ringing in vain),
``wrap_end_s`` the end of the agent's after-call work.

CSV columns (the per-attempt log a calibration step reads; one header row, comma separated,
empty cell = not applicable; every time is simulated seconds since the start of interval 0 of
day 0)
----------------------------------------------------------------------------------------------
``replication``    replication index (int).
``call_id``        index of the attempt within its replication, in order of creation (int).
``caller_id``      the caller making the attempt; equals ``call_id`` for a first attempt (int).
``attempt``        the caller's attempt number, 1 for the first (int).
``kind``           one of the kinds above.
``call_type_in``   call type as dialled (name).
``call_type``      call type after the IVR menu; equals ``call_type_in`` when there is no menu
                   or the call left before the menu.
``arrival_s``      arrival instant of the attempt.
``interval``       global index of the interval of the attempt's arrival
                   (``day * intervals_per_day + k``).
``first_interval`` global index of the interval of the caller's first arrival (the interval
                   its figures count in by default, see :mod:`sim.metrics`).
``ivr_exit_s``     end of the IVR greeting (empty if the call never finished the IVR).
``queue_entry_s``  entry into the queue (empty if the call never queued).
``answer_s``       instant an agent took the call.
``abandon_s``      instant the caller hung up while queued.
``end_s``          instant the caller left the system (line freed); talk ends here.
``wrap_end_s``     end of the agent's after-call work (agent free again).
``outcome``        one of the outcomes above.
``group``          name of the agent group that answered.
``agent``          index of the agent within its group (agents ``0..n-1`` on duty in an interval
                   with staffing ``n``; with shifts, numbered shift by shift).
``wait_s``         time in queue: ``answer_s`` or ``abandon_s`` (or the stop time for unfinished
                   calls) minus ``queue_entry_s``; empty if the call never queued.
``predicted_wait_s`` the wait predicted for the caller at queue entry when a callback offer was
                   considered (see ``scenarios.schema.OfferedCallbacks``); empty otherwise.
``patience_s``     the caller's patience (how long it would have held; ``inf`` if it never
                   hangs up): known to the simulation, censored in real logs, and what a
                   caller's intent to book goes with (``scenarios.schema.CallType``).
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import IO, NamedTuple

from sim.arrivals import DRAWS

OUTCOMES = (
    "after_hours",
    "blocked",
    "ivr_abandoned",
    "ivr_served",
    "abandoned",
    "answered",
    "unfinished",
    "callback_requested",
    "message",
    "unreached",
)
(AFTER_HOURS, BLOCKED, IVR_ABANDONED, IVR_SERVED, ABANDONED, ANSWERED, UNFINISHED,
 CALLBACK_REQUESTED, MESSAGE, UNREACHED) = range(10)
#: The outcomes an inbound attempt (a first call or a redial) can have: all but ``unreached``.
INBOUND_OUTCOMES = OUTCOMES[:UNREACHED]

KINDS = ("inbound", "redial", "callback", "outbound")
INBOUND, REDIAL, CALLBACK, OUTBOUND = range(4)


class CallRecord(NamedTuple):
    """One attempt's record, with names resolved (see the module docstring for the columns)."""

    replication: int
    call_id: int
    caller_id: int
    attempt: int
    kind: str
    call_type_in: str
    call_type: str
    arrival_s: float
    interval: int
    first_interval: int
    ivr_exit_s: float | None
    queue_entry_s: float | None
    answer_s: float | None
    abandon_s: float | None
    end_s: float
    wrap_end_s: float | None
    outcome: str
    group: str | None
    agent: int | None
    wait_s: float | None
    predicted_wait_s: float | None
    patience_s: float


COLUMNS = CallRecord._fields

#: Fields of the raw row the model emits: a :class:`CallRecord` without ``replication``, with
#: kind, call types, outcome and group as integer indices (``None`` where not applicable).
ROW_FIELDS = COLUMNS[1:]
_ROW = {name: i for i, name in enumerate(ROW_FIELDS)}
ROW_INTERVAL, ROW_FIRST_INTERVAL = _ROW["interval"], _ROW["first_interval"]
ROW_TYPE, ROW_OUTCOME, ROW_GROUP, ROW_WAIT = (
    _ROW["call_type"], _ROW["outcome"], _ROW["group"], _ROW["wait_s"])
ROW_KIND, ROW_ATTEMPT, ROW_TYPE_IN, ROW_ARRIVAL, ROW_ANSWER, ROW_END, ROW_WRAP_END = (
    _ROW["kind"], _ROW["attempt"], _ROW["call_type_in"], _ROW["arrival_s"], _ROW["answer_s"],
    _ROW["end_s"], _ROW["wrap_end_s"])
ROW_PREDICTED, ROW_PATIENCE = _ROW["predicted_wait_s"], _ROW["patience_s"]
_WRAP_S, _PATIENCE_S = DRAWS["wrap_s"], DRAWS["patience_s"]


def attempt_row(call, outcome: int, now_s: float) -> tuple:
    """The raw row of ``call`` (a :class:`sim.caller.Call`) leaving with ``outcome`` at ``now_s``.

    An answered call's agent is free at ``now_s`` plus the call's wrap-up (for a callback nobody
    answered: at ``now_s``). The tuple is in :data:`ROW_FIELDS` order (a test holds them
    together).
    """
    queue_entry_s, answer_s, agent = call.queue_entry_s, call.answer_s, call.agent
    # (Written for speed: this runs once per attempt on the SimPy engine's hot path.)
    if queue_entry_s is None:
        wait_s = None
    elif answer_s is None:
        wait_s = now_s - queue_entry_s
    else:
        wait_s = answer_s - queue_entry_s
    if outcome == ANSWERED:
        wrap_end_s = now_s + call.draws[_WRAP_S]
    else:
        wrap_end_s = now_s if outcome == UNREACHED else None
    if agent is None:
        group = index = None
    else:
        group, index = agent.group, agent.index
    return (call.id, call.caller_id, call.attempt, call.kind, call.type_in, call.type,
            call.arrival_s, call.interval, call.first_interval, call.ivr_exit_s,
            queue_entry_s, answer_s, now_s if outcome == ABANDONED else None, now_s,
            wrap_end_s, outcome, group, index, wait_s, call.predicted_wait_s,
            call.draws[_PATIENCE_S])


class RecordNamer:
    """Turns raw rows of one scenario into :class:`CallRecord` values (names resolved)."""

    def __init__(self, type_names: tuple[str, ...], group_names: tuple[str, ...]):
        self.type_names = type_names
        self.group_names = group_names
        # Per raw field, the names its integer codes stand for (None: the value is shown as is).
        self._names = tuple({"kind": KINDS, "call_type_in": type_names, "call_type": type_names,
                             "outcome": OUTCOMES, "group": group_names}.get(field)
                            for field in ROW_FIELDS)

    def named(self, replication: int, row: tuple) -> tuple:
        """``(replication, *row)`` with every code replaced by its name."""
        return (replication, *(x if names is None or x is None else names[x]
                               for x, names in zip(row, self._names, strict=True)))

    def record(self, replication: int, row: tuple) -> CallRecord:
        return CallRecord(*self.named(replication, row))


class CsvRecordWriter:
    """Streams attempt records to an open text file as CSV, batch by batch (nothing is kept).

    Times are written in seconds with millisecond precision (``%.3f``); not-applicable cells are
    empty. Rows are formatted with ``%`` templates instead of the ``csv`` module, which is over
    twice as fast (float formatting dominates): one template each for the two common outcomes,
    whose empty cells are known, and a cell-by-cell path for the others. Names are quoted by CSV
    rules once. A test holds the templates to the cell-by-cell path for every outcome.

    Parameters
    ----------
    file : text file
        Opened with ``newline=""``. The header row is written at construction.
    namer : RecordNamer
    """

    _ANSWERED = ("%d,%d,%d,%d,%s,%s,%s,%.3f,%d,%d,%.3f,%.3f,%.3f,,%.3f,%.3f,answered,%s,%d,"
                 "%.3f,,%.3f\n")
    _ABANDONED = ("%d,%d,%d,%d,%s,%s,%s,%.3f,%d,%d,%.3f,%.3f,,%.3f,%.3f,,abandoned,,,%.3f,,"
                  "%.3f\n")

    def __init__(self, file: IO[str], namer: RecordNamer):
        self._file = file
        csv.writer(file, lineterminator="\n").writerow(COLUMNS)  # as the rows: one line ending
        self._namer = RecordNamer(tuple(_quote(name) for name in namer.type_names),
                                  tuple(_quote(name) for name in namer.group_names))

    def write_rows(self, replication: int, rows: list[tuple]) -> None:
        """Write a batch of raw rows (fields in :data:`ROW_FIELDS` order)."""
        types, groups, named = self._namer.type_names, self._namer.group_names, self._namer.named
        lines = []
        for row in rows:
            (call_id, caller_id, attempt, kind, type_in, call_type, arrival_s, interval,
             first_interval, ivr_exit_s, queue_entry_s, answer_s, abandon_s, end_s, wrap_end_s,
             outcome, group, agent, wait_s, predicted_wait_s, patience_s) = row
            if predicted_wait_s is not None or ivr_exit_s is None:  # the templates' blanks
                lines.append(",".join(map(_cell, named(replication, row))) + "\n")
            elif outcome == ANSWERED:
                lines.append(self._ANSWERED % (
                    replication, call_id, caller_id, attempt, KINDS[kind], types[type_in],
                    types[call_type], arrival_s, interval, first_interval, ivr_exit_s,
                    queue_entry_s, answer_s, end_s, wrap_end_s, groups[group], agent, wait_s,
                    patience_s))
            elif outcome == ABANDONED:
                lines.append(self._ABANDONED % (
                    replication, call_id, caller_id, attempt, KINDS[kind], types[type_in],
                    types[call_type], arrival_s, interval, first_interval, ivr_exit_s,
                    queue_entry_s, abandon_s, end_s, wait_s, patience_s))
            else:
                lines.append(",".join(map(_cell, named(replication, row))) + "\n")
        self._file.write("".join(lines))


def _cell(x) -> str:
    if x is None:
        return ""
    return f"{x:.3f}" if isinstance(x, float) else str(x)


def _quote(name: str) -> str:
    """A name as a CSV cell; ``nan`` is quoted so that it is not taken for a missing value."""
    if name == "nan":
        return '"nan"'
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow((name,))
    return buffer.getvalue()


class RecordFile:
    """A records CSV streamed under ``<path>.partial`` and renamed to ``path`` when complete,
    so that a file under its own name is always whole.

    Call :meth:`keep` after each finished replication; on an interruption :meth:`cut` truncates
    the file to the last kept point (the header at least) and leaves it under its ``.partial``
    name; :meth:`complete` renames it; :meth:`close` just closes it (any other failure).

    Parameters
    ----------
    path : str or Path
        The final file; a folder is refused.
    namer : RecordNamer
    """

    def __init__(self, path, namer: RecordNamer):
        from sim.errors import SimError

        if Path(path).is_dir():
            raise SimError(f"records_path must be a file, got the folder {str(path)!r}")
        self.path, self.partial = Path(path), Path(f"{path}.partial")
        self._file = open(self.partial, "w", newline="")
        self._writer = CsvRecordWriter(self._file, namer)
        self._kept = self._file.tell()

    def sink(self, replication: int):
        """The ``Model`` sink writing replication ``replication``'s rows."""
        return lambda rows: self._writer.write_rows(replication, rows)

    def keep(self) -> None:
        self._file.flush()
        self._kept = self._file.tell()

    def cut(self) -> None:
        self._file.truncate(self._kept)
        self._file.close()

    def close(self) -> None:
        self._file.close()

    def complete(self) -> None:
        self._file.close()
        os.replace(self.partial, self.path)
