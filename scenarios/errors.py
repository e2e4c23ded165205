"""The one error a scenario file, a what-if override or a builtin name can raise.

Every message says where and what: the file, the dotted key path (list entries by index, as in
``call_types[1].handle_time.mean_s``), the constraint and the offending value, for example::

    clinic.toml: call_types[1].handle_time.mean_s must be > 0, got -2

The helpers here (:func:`join_key`, :func:`show`, :func:`did_you_mean`, :func:`listing`) are shared
by the loader, the checks and the what-if module, so that they all speak of keys and values
the same way.
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Iterable
from typing import Any

#: How many entries of a long array an error message shows before "...".
_SHOWN_ITEMS = 6
#: How many characters of a long string (a value, an override) an error message shows.
_SHOWN_CHARS = 60


def join_key(path: str, key: str | int) -> str:
    """The dotted path of ``key`` inside the table or array at ``path``.

    ``join_key("", "calendar") == "calendar"``, ``join_key("call_types", 1) == "call_types[1]"``,
    ``join_key("call_types[1]", "priority") == "call_types[1].priority"``.
    """
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def show(value: Any) -> str:
    """A value as a planner wrote it: TOML spelling (``true``, ``[1, 2]``), strings quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value) if len(value) <= _SHOWN_CHARS else repr(value[:_SHOWN_CHARS]) + "..."
    if isinstance(value, list | tuple):
        items = [show(v) for v in value[:_SHOWN_ITEMS]]
        if len(value) > _SHOWN_ITEMS:
            items.append("...")
        return "[" + ", ".join(items) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, datetime.time):
        return value.isoformat()
    return repr(value)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``(did you mean 'x'?)`` for the closest of ``choices``, or ``""`` if none is close."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1)
    return f"(did you mean {close[0]!r}?)" if close else ""


def plural(n: int, word: str) -> str:
    """``1 entry``-style counts: ``plural(1, "interval") == "1 interval"``, else ``"n intervals"``.

    Only regular plurals (``entry`` -> ``entries`` is handled too).
    """
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word[:-1]}ies" if word.endswith("y") else f"{n} {word}s"


def listing(choices: Iterable[Any]) -> str:
    """Choices as an error message lists them: ``'offered', 'answered'``, ``15, 30, 60``."""
    return ", ".join(repr(c) if isinstance(c, str) else str(c) for c in choices)


class ScenarioError(ValueError):
    """A scenario (file, dict or override) that does not describe a valid call center.

    Parameters
    ----------
    key : str or None
        Dotted key path of the offending entry (``calendar.interval_min``,
        ``agent_groups[0].staffing[3]``); ``None`` when the whole file is at fault.
    constraint : str
        What is wrong, as a verb phrase: ``"must be > 0"``, ``"is required"``.
    value : object, optional
        The offending value; left out (``...``) when there is none, e.g. a missing key.
    hint : str
        Said after the value, e.g. ``"(did you mean 'interval_min'?)"``.
    file : str or None
        The scenario file (or ``"<string>"``); the loader fills it in as the error passes.
    origin : str or None
        The what-if override (``"ivr.greeting.mean_s=-1"``) that put the value there, if any;
        filled in the same way.
    caused : bool
        ``origin`` did not set this key but made it invalid (``calendar.interval_min=30``
        moves the day's end before ``calendar.close``): the message says "after override".

    Notes
    -----
    ``file`` and ``origin`` are plain attributes set while the error travels up (the checks that
    raise it do not know the file), so the message is built when it is shown.
    """

    def __init__(
        self,
        key: str | None,
        constraint: str,
        value: Any = ...,
        *,
        hint: str = "",
        file: str | None = None,
        origin: str | None = None,
        caused: bool = False,
    ) -> None:
        super().__init__(key, constraint, value)
        self.key = key
        self.constraint = constraint
        self.value = value
        self.hint = hint
        self.file = file
        self.origin = origin
        self.caused = caused

    def __str__(self) -> str:
        subject = " ".join(part for part in (self.key, self.constraint) if part)
        if self.value is not ...:
            subject += f", got {show(self.value)}"
        if self.hint:
            subject += f" {self.hint}"
        if self.origin is not None:
            how = "after" if self.caused else "from"
            origin = self.origin
            if len(origin) > _SHOWN_CHARS:
                origin = origin[:_SHOWN_CHARS] + "..."
            subject += f" ({how} override {origin!r})"
        if self.file is None:
            return subject
        # "clinic.toml is not valid TOML: ..." reads better than "clinic.toml: is not ...".
        return f"{self.file}{': ' if self.key else ' '}{subject}"

    def __reduce__(self):
        # Keyword-only fields would be lost by the default pickling of exceptions (parallel runs
        # send errors between processes).
        fields = (self.key, self.constraint, self.value, self.hint, self.file, self.origin,
                  self.caused)
        return (_rebuild, fields)


def _rebuild(key, constraint, value, hint, file, origin, caused=False) -> ScenarioError:
    return ScenarioError(key, constraint, value, hint=hint, file=file, origin=origin,
                         caused=caused)
