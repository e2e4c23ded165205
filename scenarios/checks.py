"""Typed checks of single values that return a verdict instead of raising.

Each check takes a value and the name it goes by (a dotted key path such as
``call_types[1].priority``, or a CSV column) and returns either the value converted (``float``,
``int``, ``str``, seconds after midnight) or a :class:`Problem` saying what is wrong. Returning
rather than raising lets a reader of many values collect every problem: a calibration step
checks every row of a call log and reports all the bad rows at once, while the scenario loader
raises at the first (:meth:`Problem.error`). Checking a column::

    problems = []
    for row, text in enumerate(cells, start=2):  # row 1 is the header
        verdict = number_cell(text, "talk_s", ge=0)
        if isinstance(verdict, Problem):
            problems.append((row, verdict))

Messages read ``<key> <constraint>, got <value>`` as every :class:`ScenarioError` does
(``talk_s must be >= 0, got -2.0``). Nothing is clipped or repaired.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from scenarios.calendar import parse_clock
from scenarios.errors import ScenarioError, did_you_mean, listing

_NAME = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with one value: the verdict of a check that failed.

    Parameters
    ----------
    key : str or None
        Name of the value: a dotted key path or a column.
    constraint : str
        What the value must be, as a verb phrase: ``"must be >= 0"``.
    value : object
        The offending value as given; ``...`` when there is none.
    hint : str
        Said after the value, e.g. ``"(did you mean 'offered'?)"``.
    """

    key: str | None
    constraint: str
    value: Any = ...
    hint: str = ""

    def error(self) -> ScenarioError:
        """This problem as the :class:`ScenarioError` the loader raises."""
        return ScenarioError(self.key, self.constraint, self.value, hint=self.hint)

    def __str__(self) -> str:
        return str(self.error())


def number(
    value: Any,
    key: str,
    *,
    gt: float | None = None,
    ge: float | None = None,
    le: float | None = None,
) -> float | Problem:
    """A finite number (not a boolean) as float, optionally ``> gt``, ``>= ge``, ``<= le``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return Problem(key, "must be a number", value)
    if not math.isfinite(value):
        return Problem(key, "must be a finite number", value)
    too_low = (gt is not None and value <= gt) or (ge is not None and value < ge)
    if too_low or (le is not None and value > le):
        return Problem(key, f"must be {_range_text(gt, ge, le)}", value)
    return float(value)


def number_cell(
    text: str | None,
    key: str,
    *,
    gt: float | None = None,
    ge: float | None = None,
    le: float | None = None,
) -> float | Problem:
    """A number written as text (a CSV cell), checked as :func:`number`.

    ``None`` (a short CSV row has no cell) is shown as the empty cell ``''``; text that is not a
    number is shown as written.
    """
    try:
        value: Any = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = "" if text is None else text
    return number(value, key, gt=gt, ge=ge, le=le)


def integer(
    value: Any,
    key: str,
    *,
    ge: int | None = None,
    le: int | None = None,
    choices: tuple[int, ...] | None = None,
) -> int | Problem:
    """A whole number written as an integer (not a float, not a boolean), optionally bounded."""
    if isinstance(value, bool) or not isinstance(value, int):
        return Problem(key, "must be a whole number", value)
    if choices is not None and value not in choices:
        return Problem(key, f"must be one of {listing(choices)}", value)
    if (ge is not None and value < ge) or (le is not None and value > le):
        bounds = f">= {ge}" if le is None else f"in [{ge}, {le}]"
        return Problem(key, f"must be {bounds}", value)
    return value


def text(value: Any, key: str, *, choices: Collection[str] | None = None) -> str | Problem:
    """A non-empty string, optionally one of ``choices`` (with a "did you mean" hint)."""
    if not isinstance(value, str) or not value.strip():
        return Problem(key, "must be a non-empty string", value)
    if choices is not None and value not in choices:
        hint = did_you_mean(value, choices)
        return Problem(key, f"must be one of {listing(choices)}", value, hint)
    return value


def name(value: Any, key: str) -> str | Problem:
    """A name usable in overrides and tables: letters, digits, ``_`` and ``-``."""
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        return Problem(key, "must be a name of letters, digits, '_' and '-'", value)
    return value


def clock(value: Any, key: str) -> float | Problem:
    """A time of day (``"08:00"``, ``"08:00:30"``, a TOML local time) in seconds after midnight.

    See :func:`scenarios.calendar.parse_clock`.
    """
    try:
        return parse_clock(value)
    except ValueError:
        return Problem(key, 'must be a clock time "HH:MM" from "00:00" to "24:00"', value)


def _range_text(gt: float | None, ge: float | None, le: float | None) -> str:
    low = f"{gt:g}" if gt is not None else (f"{ge:g}" if ge is not None else None)
    if low is not None and le is not None:
        return f"in {'(' if gt is not None else '['}{low}, {le:g}]"
    if low is not None:
        return f"{'>' if gt is not None else '>='} {low}"
    return f"<= {le:g}"
