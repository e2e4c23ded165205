"""What-ifs are data: dotted overrides applied to a scenario's raw TOML data.

An override is ``key.path=value``. The value is read as a TOML value (``15``, ``0.8``,
``[5, 5, 6]``, ``"08:30"``, ``{ kind = "exponential", mean_s = 90 }``); a plain word or clock
time that is not TOML is taken as a bare string (``name=Shorter greeting``,
``calendar.start=08:30``), but text that starts like an array, table or string (``[4,4``) or
looks like a number (``1.5.2``) and is not valid TOML is an error saying so. Overrides are
applied, in order, to a deep copy of the data *as read from the file*, before validation, so
an overridden value is checked exactly like one written in the file, in the file's units
(``ivr.greeting.mean_s=15`` is seconds, ``calendar.interval_min=30`` minutes).
Nothing is ever mutated in place.

Key paths
---------
* Tables by key: ``ivr.greeting.mean_s``, ``targets.awt_s``, ``lines``.
* Arrays of tables by the entry's ``name`` or by index: ``call_types.booking.priority``,
  ``call_types[0].priority`` and ``call_types.0.priority`` are the same key.
* Arrays of values by index: ``agent_groups.reception.staffing[3]=5``.

Every step of a path except the last must exist in the data (a typo there is an error naming
the override, with a suggestion); the last key may be new (``lines=8`` on a file without
lines), and validation then judges it like any key of the file, its errors naming the override.
"""

from __future__ import annotations

import copy
import itertools
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scenarios.errors import ScenarioError, did_you_mean, join_key
from scenarios.write import toml_value

# Values that start like a TOML array, table or string, or that are made of a number's characters
# only: meant as TOML, so a parse failure is an error rather than a bare string.
_MEANT_AS_TOML = re.compile(r"""[\[{"']|[-+]?\.?\d[\d_.eE+-]*$""")
_SEGMENT = re.compile(r"\s*([^.\[\]=\s][^.\[\]=]*?)\s*((?:\[\d+\])*)\s*")

Segment = str | int


@dataclass(frozen=True)
class Overridden:
    """Scenario data after overrides, and which override set which key path.

    Attributes
    ----------
    data : dict
        A new dict; the data it was made from is untouched.
    origins : tuple of (str, str)
        ``(key path, override)`` per override, in order of application; key paths name array
        entries by index, as validation errors do (``call_types[1].priority``).
    """

    data: dict[str, Any]
    origins: tuple[tuple[str, str], ...] = ()

    def origin_of(self, key: str | None) -> str | None:
        """The last override that set ``key`` or a table or array containing it, if any."""
        if key is None:
            return None
        for path, text in reversed(self.origins):
            if key == path or key.startswith((path + ".", path + "[")):
                return text
        return None


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``"key.path=value"`` into the key path and the value read as TOML.

    Parameters
    ----------
    text : str
        For example ``"ivr.greeting.mean_s=15"`` or ``"agent_groups.reception.staffing=[5,5,6]"``.

    Returns
    -------
    path : str
        The key path as written, without surrounding spaces.
    value : object
        The TOML value, or the bare text (stripped) if it is not a TOML value.

    Raises
    ------
    ScenarioError
        No ``=``, or a key path that is not dotted names with optional ``[index]``.
    """
    path, _, value = _parse(text)
    return path, value


def with_overrides(
    raw: Mapping[str, Any], overrides: Iterable[str], source: str = "<overrides>"
) -> Overridden:
    """Apply overrides to a deep copy of ``raw`` and record where each one went.

    Parameters
    ----------
    raw : mapping
        Scenario data as read from TOML (file units); not modified.
    overrides : iterable of str
        ``"key.path=value"`` texts, applied in order (a later one wins).
    source : str
        The scenario file, for error messages.

    Raises
    ------
    ScenarioError
        A malformed override, or a path through a key, name or index the data does not have.
    TypeError
        ``overrides`` is a single string rather than a sequence of them.
    """
    if isinstance(overrides, str):
        # Iterating one string would apply its characters as overrides.
        raise TypeError(f"overrides must be a sequence of strings, got the string {overrides!r}")
    data = copy.deepcopy(dict(raw))
    origins = []
    for text in overrides:
        try:
            _, segments, value = _parse(text)
            origins.append((_assign(data, segments, value), text))
        except ScenarioError as err:
            err.file, err.origin = source, text
            raise
    return Overridden(data, tuple(origins))


def apply_overrides(
    raw: Mapping[str, Any], overrides: Iterable[str], source: str = "<overrides>"
) -> dict[str, Any]:
    """A deep copy of ``raw`` with ``overrides`` applied (see :func:`with_overrides`)."""
    return with_overrides(raw, overrides, source).data


def format_override(path: str, value: Any) -> str:
    """The override text that sets ``path`` to ``value`` (the inverse of :func:`parse_override`).

    ``format_override("ivr.greeting.mean_s", 15) == "ivr.greeting.mean_s=15"``; strings are
    quoted, so ``format_override("calendar.start", "08:30") == 'calendar.start="08:30"'``.
    """
    return f"{path}={toml_value(value, path)}"


def grid(overrides_by_key: Mapping[str, Sequence[Any]]) -> list[tuple[str, ...]]:
    """Every combination of values for a sweep: the cartesian product, as override tuples.

    Parameters
    ----------
    overrides_by_key : mapping of str to sequence
        Key path -> the values to try (Python values, in the file's units).

    Returns
    -------
    list of tuple of str
        One tuple of override texts per combination, the last key varying fastest:
        ``grid({"lines": [8, 10], "ivr.greeting.mean_s": [15, 55]})`` gives
        ``[("lines=8", "ivr.greeting.mean_s=15"), ("lines=8", "ivr.greeting.mean_s=55"), ...]``.

    Raises
    ------
    ScenarioError
        A malformed key path, a key with no values, or a value TOML cannot spell.
    """
    columns = []
    for path, values in overrides_by_key.items():
        _split_path(path, path)
        if not values:
            raise ScenarioError(path, "must have at least one value to sweep", list(values))
        columns.append([format_override(path, value) for value in values])
    return list(itertools.product(*columns))


def _parse(text: str) -> tuple[str, list[Segment], Any]:
    path, equals, value_text = text.partition("=")
    if not equals:
        raise ScenarioError(None, "override must look like key.path=value", text)
    path = path.strip()
    return path, _split_path(path, text), _toml_value(value_text.strip(), path)


def _split_path(path: str, text: str) -> list[Segment]:
    """``"call_types[0].priority"`` -> ``["call_types", 0, "priority"]``."""
    segments: list[Segment] = []
    for part in path.split("."):
        match = _SEGMENT.fullmatch(part)
        if match is None:
            constraint = "override key must be dotted names, each with optional [index]"
            raise ScenarioError(None, constraint, text, hint="(like call_types[0].priority)")
        segments.append(match.group(1))
        segments.extend(int(index) for index in re.findall(r"\d+", match.group(2)))
    return segments


def _toml_value(text: str, path: str) -> Any:
    """``text`` as a TOML value; a bare string only if it cannot have been meant as TOML.

    ``name=Shorter greeting`` and ``calendar.start=08:30`` are plain words and clock times, but
    ``[4,4``, ``{kind = "gamma"``, ``"08:30`` or ``1.5.2`` were meant as an array, a table, a
    string or a number: reading them as a string would only defer the mistake to a confusing
    type error.
    """
    try:
        return tomllib.loads("v = " + text)["v"]
    except tomllib.TOMLDecodeError as err:
        if _MEANT_AS_TOML.match(text):
            reason = str(err).split(" (at ")[0]  # its line and column are of a wrapper text
            raise ScenarioError(path, f"must be a valid TOML value ({reason})", text) from None
        return text
    except RecursionError:
        raise ScenarioError(path, "must not be nested hundreds of levels deep", text) from None


def _assign(data: dict[str, Any], segments: list[Segment], value: Any) -> str:
    """Set the value at ``segments`` in ``data``; return its key path with indices."""
    node: Any = data
    where = ""
    *parents, last = segments
    for segment in parents:
        key = _locate(node, segment, where, new_ok=False)
        node, where = node[key], join_key(where, key)
    key = _locate(node, last, where, new_ok=True)
    node[key] = value
    return join_key(where, key)


def _locate(node: Any, segment: Segment, where: str, *, new_ok: bool) -> str | int:
    """The key or index of ``segment`` in the table or array ``node`` at ``where``."""
    if isinstance(node, dict):
        if isinstance(segment, str) and (new_ok or segment in node):
            return segment
        path = join_key(where, segment)
        raise ScenarioError(path, "is not in the scenario", hint=did_you_mean(segment, node))
    if isinstance(node, list):
        index = _index(node, segment)
        if index is not None:
            return index
        names = [item["name"] for item in node if isinstance(item, dict) and "name" in item]
        hint = did_you_mean(segment, names)
        if not hint:
            known = f"names: {', '.join(map(str, names))}; or " if names else ""
            hint = f"({known}an index from 0 to {len(node) - 1})"
        raise ScenarioError(where, f"has no entry {segment!r}", hint=hint)
    raise ScenarioError(where, "is a single value, not a table or array", node)


def _index(node: list[Any], segment: Segment) -> int | None:
    """Index of the entry named ``segment``, or ``segment`` read as an index, if in range."""
    if isinstance(segment, str):
        for i, item in enumerate(node):
            if isinstance(item, dict) and item.get("name") == segment:
                return i
        if not segment.isdigit():
            return None
        segment = int(segment)
    return segment if 0 <= segment < len(node) else None
