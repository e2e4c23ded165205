"""One flat record per call, and a streaming CSV writer for them.

Outcomes (every call gets exactly one)
--------------------------------------
``after_hours``   arrived outside opening hours and left.
``blocked``       found every trunk line busy.
``ivr_abandoned`` hung up in the IVR (IVR patience shorter than the greeting).
``ivr_served``    served by the IVR, never queued.
``abandoned``     hung up while waiting in queue.
``answered``      talked to an agent.
``unfinished``    still in the system when the run stopped (see ``sim.model.DRAIN_LIMIT_S``).

CSV columns (the per-call log a calibration step reads; one header row, comma separated, empty
cell = not applicable; every time is simulated seconds since the start of interval 0 of day 0)
----------------------------------------------------------------------------------------------
``replication``    replication index (int).
``call_id``        index of the call within its replication, in arrival order (int).
``call_type_in``   call type as dialled (name).
``call_type``      call type after the IVR menu; equals ``call_type_in`` when there is no menu
                   or the call left before the menu.
``arrival_s``      arrival instant.
``interval``       global index of the interval of arrival (``day * intervals_per_day + k``).
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
"""

from __future__ import annotations

import csv
import io
from typing import IO, NamedTuple

OUTCOMES = (
    "after_hours",
    "blocked",
    "ivr_abandoned",
    "ivr_served",
    "abandoned",
    "answered",
    "unfinished",
)
AFTER_HOURS, BLOCKED, IVR_ABANDONED, IVR_SERVED, ABANDONED, ANSWERED, UNFINISHED = range(7)


class CallRecord(NamedTuple):
    """One call's record, with names resolved (see the module docstring for the columns)."""

    replication: int
    call_id: int
    call_type_in: str
    call_type: str
    arrival_s: float
    interval: int
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


COLUMNS = CallRecord._fields

# Positions in the raw row tuple built by the model: CallRecord without ``replication``, with
# call types, outcome and group as integer indices (None where not applicable).
(
    ROW_ID, ROW_TYPE_IN, ROW_TYPE, ROW_ARRIVAL, ROW_INTERVAL, ROW_IVR_EXIT, ROW_QUEUE_ENTRY,
    ROW_ANSWER, ROW_ABANDON, ROW_END, ROW_WRAP_END, ROW_OUTCOME, ROW_GROUP, ROW_AGENT, ROW_WAIT,
) = range(15)


class RecordNamer:
    """Turns raw rows of one scenario into :class:`CallRecord` values or CSV rows."""

    def __init__(self, type_names: tuple[str, ...], group_names: tuple[str, ...]):
        self.type_names = type_names
        self.group_names = group_names

    def named(self, replication: int, row: tuple) -> tuple:
        types, group = self.type_names, row[ROW_GROUP]
        return (replication, row[ROW_ID], types[row[ROW_TYPE_IN]], types[row[ROW_TYPE]],
                *row[ROW_ARRIVAL:ROW_OUTCOME], OUTCOMES[row[ROW_OUTCOME]],
                None if group is None else self.group_names[group], *row[ROW_AGENT:])

    def record(self, replication: int, row: tuple) -> CallRecord:
        return CallRecord(*self.named(replication, row))


class CsvRecordWriter:
    """Streams call records to an open text file as CSV, batch by batch (nothing is kept).

    Times are written in seconds with millisecond precision (``%.3f``); not-applicable cells are
    empty. Rows are formatted with ``%`` templates instead of the ``csv`` module, which is over
    twice as fast (float formatting dominates): one template each for the two common outcomes,
    whose empty cells are known, and a cell-by-cell path for the others. Names are quoted by CSV
    rules once.

    Parameters
    ----------
    file : text file
        Opened with ``newline=""``. The header row is written at construction.
    namer : RecordNamer
    """

    _ANSWERED = "%d,%d,%s,%s,%.3f,%d,%.3f,%.3f,%.3f,,%.3f,%.3f,answered,%s,%d,%.3f\n"
    _ABANDONED = "%d,%d,%s,%s,%.3f,%d,%.3f,%.3f,,%.3f,%.3f,,abandoned,,,%.3f\n"

    def __init__(self, file: IO[str], namer: RecordNamer):
        self._file = file
        csv.writer(file).writerow(COLUMNS)
        self._types = tuple(_quote(name) for name in namer.type_names)
        self._groups = tuple(_quote(name) for name in namer.group_names)

    def write_rows(self, replication: int, rows: list[tuple]) -> None:
        """Write a batch of raw rows (see the ``ROW_*`` positions)."""
        types, groups = self._types, self._groups
        lines = []
        for row in rows:
            (call_id, type_in, call_type, arrival_s, interval, ivr_exit_s, queue_entry_s,
             answer_s, abandon_s, end_s, wrap_end_s, outcome, group, agent, wait_s) = row
            if outcome == ANSWERED:
                lines.append(self._ANSWERED % (
                    replication, call_id, types[type_in], types[call_type], arrival_s, interval,
                    ivr_exit_s, queue_entry_s, answer_s, end_s, wrap_end_s, groups[group], agent,
                    wait_s))
            elif outcome == ABANDONED:
                lines.append(self._ABANDONED % (
                    replication, call_id, types[type_in], types[call_type], arrival_s, interval,
                    ivr_exit_s, queue_entry_s, abandon_s, end_s, wait_s))
            else:
                cells = [str(replication), str(call_id), types[type_in], types[call_type]]
                cells += [_cell(x) for x in row[ROW_ARRIVAL:ROW_OUTCOME]]
                cells += [OUTCOMES[outcome], "" if group is None else groups[group],
                          _cell(agent), _cell(wait_s)]
                lines.append(",".join(cells) + "\n")
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
