"""Write a :class:`~scenarios.schema.Scenario` as a TOML scenario file: the inverse of the loader.

``load_scenario(path)`` of a file written by :func:`write_scenario` equals the scenario written
(dataclass equality, floats exact). The file is in the file's own units and reads like the
examples in ``scenarios/examples``: sections in the same order, clock times as ``"HH:MM"``,
``interval_min`` in minutes, distributions as inline tables
``{ kind = "lognormal", mean_s = 150, cv = 0.6 }`` (``erlang`` by its cv, ``empirical`` by its
``samples_s``), shifts as inline tables, and keys that equal the schema's default left out
(a few a planner looks for, such as the service-level target, are always written).

Shortest form that loads back the same:

* ``calls_per_interval`` and ``staffing`` are one number when every interval is alike, one
  day's vector when every day is alike, else a table per day profile (calls) or one entry per
  interval of all days (staffing);
* a number that is a whole float is written as an integer (``150`` for ``150.0``: the loader
  turns numbers into floats), any other float by ``repr``, which reads back exactly.

The emitter is our own (the standard library reads TOML but does not write it): the schema only
needs strings, integers, floats, booleans, arrays and inline tables, and we want control of the
layout and the comments.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from scenarios.calendar import format_clock
from scenarios.errors import ScenarioError
from scenarios.schema import AgentGroup, Calendar, CallType, Distribution, Scenario, Shift

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_WIDTH = 100  # the project's line length
_INDENT = "    "
# Integral floats up to this size are written as integers: beyond it repr's exponent form is
# shorter than the digits.
_MAX_INTEGRAL = 1e15


def write_scenario(
    scenario: Scenario, path: str | Path, header_comment: str | None = None
) -> None:
    """Write ``scenario`` to ``path`` as a TOML scenario file (UTF-8).

    Parameters
    ----------
    scenario : Scenario
        A valid scenario (as loaded, or built from loaded ones).
    path : str or Path
        The file to write; replaced if it exists.
    header_comment : str, optional
        Text put at the top of the file, every line prefixed with ``# `` (where it came from,
        what was fitted, when).
    """
    Path(path).write_text(scenario_to_toml(scenario, header_comment), encoding="utf-8")


def scenario_to_toml(scenario: Scenario, header_comment: str | None = None) -> str:
    """The text of the TOML scenario file that loads back as ``scenario``.

    See :func:`write_scenario` for the parameters.
    """
    blocks = []
    if header_comment is not None:
        blocks.append("\n".join(f"# {line}".rstrip() for line in header_comment.splitlines()))
    top = {
        "schema_version": scenario.schema_version,
        "name": scenario.name,
        "arrival_scale": _unless(scenario.arrival_scale, 1.0),
        "lines": scenario.lines,
    }
    blocks.append(_keys(top))
    blocks.append(_section("[calendar]", _calendar(scenario.calendar)))
    for call_type in scenario.call_types:
        blocks.append(_call_type(call_type))
    ivr = _ivr(scenario)
    if ivr:
        blocks.append(_section("[ivr]", ivr))
    for group in scenario.agent_groups:
        blocks.append(_section("[[agent_groups]]", _agent_group(group, scenario.calendar)))
    blocks.append(_section("[targets]", _targets(scenario)))
    simulation = _simulation(scenario)
    if simulation:
        blocks.append(_section("[simulation]", simulation))
    outcomes = _plain(scenario.outcomes)
    if outcomes:
        blocks.append(_section("[outcomes]", outcomes))
    if scenario.redials is not None:
        blocks.append(_section("[redials]", _plain(scenario.redials)))
    if scenario.outbound is not None:
        outbound = _plain(scenario.outbound)
        outbound = {("window_start" if k == "window_start_s" else "window_end"
                     if k == "window_end_s" else k): (_clock(v) if k.startswith("window") else v)
                    for k, v in outbound.items()}
        blocks.append(_section("[outbound]", outbound))
    callbacks = scenario.callbacks
    if callbacks is not None:
        blocks.append(_section("[callbacks]", _plain(callbacks, skip=("abandoned", "offered"))))
        for part in ("abandoned", "offered"):
            if getattr(callbacks, part) is not None:
                blocks.append(_section(f"[callbacks.{part}]", _plain(getattr(callbacks, part))))
    if scenario.planning != type(scenario.planning)():
        planning, default = scenario.planning, type(scenario.planning)()
        blocks.append(_section("[planning]", {
            field.name: _unless(getattr(planning, field.name), getattr(default, field.name))
            for field in dataclasses.fields(planning)}))
    return "\n\n".join(blocks) + "\n"


def toml_value(value: Any, key: str | None = None) -> str:
    """``value`` spelt as a TOML value on one line (floats by ``repr``, so exactly).

    Raises
    ------
    ScenarioError
        ``value`` has no TOML spelling; the error names ``key``.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, datetime.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v, key) for v in value) + "]"
    if isinstance(value, Mapping):
        items = (f"{_toml_key(k)} = {toml_value(v, key)}" for k, v in value.items())
        return "{ " + ", ".join(items) + " }"
    constraint = "must be a TOML value (number, string, boolean, array or table)"
    raise ScenarioError(key, constraint, value)


# ---------------------------------------------------------------------------------------------
# Sections: each returns its keys as a dict of Python values in file units; None = left out.


def _calendar(cal: Calendar) -> dict[str, Any]:
    return {
        "start": _clock(cal.start_s),
        "interval_min": round(cal.interval_s / 60),
        "intervals_per_day": cal.intervals_per_day,
        "days": _unless(list(cal.days), ["day"]),
        "open": None if cal.open_s is None else _clock(cal.open_s),
        "close": None if cal.close_s is None else _clock(cal.close_s),
    }


def _call_type(call_type: CallType) -> str:
    keys = {
        "name": call_type.name,
        "priority": _unless(call_type.priority, 1),
        "calls_per_interval": None,
        "handle_time": _distribution(call_type.handle_time),
        "wrap_up": _distribution(_unless(call_type.wrap_up, _field_default(CallType, "wrap_up"))),
        "patience": _distribution(call_type.patience),
        "conversion": _unless(call_type.conversion, 0.0),
        "intent_slope": _unless(call_type.intent_slope, 0.0),
        "overflow": None if call_type.overflow is None else _plain(call_type.overflow),
    }
    vectors = {profile: _same_or_all(calls) for profile, calls in call_type.calls_per_interval}
    if len(set(map(_spelling, vectors.values()))) <= 1:
        # Every profile alike (or only one): one vector for all, where the examples put it.
        keys["calls_per_interval"] = next(iter(vectors.values()), 0)
        return _section("[[call_types]]", keys)
    # A TOML table must come after its parent's keys: the per-profile table closes the entry.
    return "\n".join(
        [_section("[[call_types]]", keys), _section("[call_types.calls_per_interval]", vectors)]
    )


def _ivr(scenario: Scenario) -> dict[str, Any]:
    ivr, default = scenario.ivr, type(scenario.ivr)()
    keys = {
        "greeting": _distribution(_unless(ivr.greeting, default.greeting)),
        "patience": _distribution(ivr.patience),
        "served_share": _unless(ivr.served_share, default.served_share),
        "menu": {source: dict(split) for source, split in ivr.menu} or None,
    }
    return keys if any(v is not None for v in keys.values()) else {}


def _agent_group(group: AgentGroup, cal: Calendar) -> dict[str, Any]:
    staffing: Any = None
    if group.staffing:
        staffing = _same_or_all(group.staffing)
        per_day = cal.intervals_per_day
        if isinstance(staffing, tuple) and len(staffing) == cal.n_intervals:
            day = staffing[:per_day]
            if staffing == day * len(cal.days):
                staffing = day
    return {
        "name": group.name,
        "skills": list(group.skills),
        "staffing": staffing,
        "shifts": [_shift(shift) for shift in group.shifts] or None,
        "availability": _unless(group.availability, _field_default(AgentGroup, "availability")),
        # Shown whenever walk-ins happen, default or not: it says how long they take.
        "walk_in_s": group.walk_in_s if group.availability < 1 else _unless(
            group.walk_in_s, _field_default(AgentGroup, "walk_in_s")),
        "conversion": dict(group.conversion) or None,
        "open": None if group.open_s is None else _clock(group.open_s),
        "close": None if group.close_s is None else _clock(group.close_s),
    }


def _shift(shift: Shift) -> dict[str, Any]:
    return {"start": _clock(shift.start_s), "end": _clock(shift.end_s), "count": shift.count}


def _targets(scenario: Scenario) -> dict[str, Any]:
    targets, default = scenario.targets, type(scenario.targets)()
    return {
        # The service-level target is written even when it is the default: a planner looks
        # for it first.
        "awt_s": targets.awt_s,
        "service_level": targets.service_level,
        "sl_definition": targets.sl_definition,
        "short_abandon_s": targets.short_abandon_s
        if targets.sl_definition == "exclude_short_abandons"
        else _unless(targets.short_abandon_s, default.short_abandon_s),
        "max_abandon": targets.max_abandon,
        "max_asa_s": targets.max_asa_s,
        "max_occupancy": targets.max_occupancy,
    }


def _simulation(scenario: Scenario) -> dict[str, Any]:
    simulation, default = scenario.simulation, type(scenario.simulation)()
    keys = {
        field.name: _unless(getattr(simulation, field.name), getattr(default, field.name))
        for field in dataclasses.fields(simulation)
    }
    return keys if any(v is not None for v in keys.values()) else {}


def _plain(section: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """A section whose keys are its fields, named alike, with distributions as the file gives
    them; a field at its default is left out, except a threshold (the point of the section)."""
    keys = {}
    for f in dataclasses.fields(section):
        value = getattr(section, f.name)
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = dataclasses.MISSING  # required: always written
        if f.name in skip or value == default:
            continue
        keys[f.name] = _distribution(value) if isinstance(value, Distribution) else value
    return keys


def _distribution(dist: Distribution | None) -> dict[str, Any] | None:
    """A distribution as the file gives it; ``None`` for ``None`` (infinite patience)."""
    if dist is None:
        return None
    if dist.kind == "empirical":
        # mean and cv are computed from the samples when the file is read.
        return {"kind": dist.kind, "samples_s": list(dist.samples_s)}
    if dist.kind in ("exponential", "deterministic"):
        return {"kind": dist.kind, "mean_s": dist.mean_s}  # their cv is fixed
    return {"kind": dist.kind, "mean_s": dist.mean_s, "cv": dist.cv}


# ---------------------------------------------------------------------------------------------
# Layout


def _section(header: str, keys: Mapping[str, Any]) -> str:
    return header + "\n" + _keys(keys)


def _keys(keys: Mapping[str, Any]) -> str:
    """``key = value`` lines for the keys whose value is not ``None``."""
    return "\n".join(_line(k, _tidy(v)) for k, v in keys.items() if v is not None)


def _line(key: str, value: Any) -> str:
    """``key = value``; arrays of tables and long arrays (also in an inline table) span lines."""
    text = f"{_toml_key(key)} = {toml_value(value, key)}"
    tables = isinstance(value, list) and any(isinstance(item, Mapping) for item in value)
    if len(text) <= _WIDTH and not tables:
        return text
    if isinstance(value, list):
        return f"{_toml_key(key)} = {_block(value, key)}"
    if isinstance(value, Mapping):  # the samples of an empirical distribution
        items = (
            f"{_toml_key(k)} = {_block(v, key) if isinstance(v, list) else toml_value(v, key)}"
            for k, v in value.items()
        )
        return f"{_toml_key(key)} = {{ " + ", ".join(items) + " }"
    return text


def _block(values: list[Any], key: str) -> str:
    """An array over several lines: one table a line, or values filling the lines."""
    rows = [toml_value(value, key) + "," for value in values]
    if not any(isinstance(value, Mapping) for value in values):
        rows = _wrapped(rows)
    return "[\n" + "".join(f"{_INDENT}{row}\n" for row in rows) + "]"


def _wrapped(words: list[str]) -> list[str]:
    rows: list[str] = []
    for word in words:
        if rows and len(_INDENT) + len(rows[-1]) + 1 + len(word) <= _WIDTH:
            rows[-1] += " " + word
        else:
            rows.append(word)
    return rows


def _tidy(value: Any) -> Any:
    """Tuples as lists and whole floats as integers, the way a planner writes them.

    The loader turns every number it expects as a float back into a float, so both read back
    the same; ``-0.0`` keeps its sign.
    """
    if isinstance(value, float) and value.is_integer() and abs(value) < _MAX_INTEGRAL:
        if value or math.copysign(1.0, value) > 0:
            return int(value)
    if isinstance(value, list | tuple):
        return [_tidy(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _tidy(v) for k, v in value.items()}
    return value


def _unless(value: Any, default: Any) -> Any:
    """``value``, or ``None`` (left out of the file) when it is the default."""
    # repr too: -0.0 == 0.0, but the one left out would come back as the other.
    return None if value == default and repr(value) == repr(default) else value


def _same_or_all(values: Sequence[Any]) -> Any:
    """The one value of a series whose entries are all equal, else the series as a tuple."""
    values = tuple(values)
    if values and all(_spelling(v) == _spelling(values[0]) for v in values):
        return values[0]
    return values


def _spelling(value: Any) -> str:
    # Values are compared by spelling so that 0.0 and -0.0 (equal, written apart) stay apart.
    return toml_value(value)


def _field_default(cls: type, name: str) -> Any:
    field = {f.name: f for f in dataclasses.fields(cls)}[name]
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return field.default


def _clock(seconds: float) -> str | datetime.time:
    """A time of day as ``"HH:MM"``; a TOML local time when it has fractions of a second."""
    if float(seconds).is_integer():
        return format_clock(seconds)
    whole, micro = divmod(round(seconds * 1e6), 1_000_000)
    return datetime.time(whole // 3600, whole % 3600 // 60, whole % 60, micro)


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _toml_string(text: str) -> str:
    # A JSON string is a TOML basic string (same escapes), except that TOML also wants DEL
    # escaped and has no surrogate pairs, hence ensure_ascii=False.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
