"""Shift scheduling: agents per shift so that every interval is covered at least cost.

A shift file (TOML) lists shift templates; every allowed start, length and placement of the
breaks within their windows is one *variant*, and the mixed-integer program chooses a whole
number of agents per variant (:func:`scipy.optimize.milp`, HiGHS)::

    min   sum_v cost_v x_v
    s.t.  sum_v a_sv x_v + short_s >= required_i(s)  every slot s of every interval i
          min_t <= sum_{v of template t} x_v <= max_t
          x_v integer >= 0,  short_i >= 0

Slots divide each interval on the grid of break starts (``gcd`` of the interval and
``break_step_min``): the requirement holds at every moment of its interval, so the agents of
an interval cannot all take the same quarter hour off. ``a_sv`` is the share of slot ``s`` in
which an agent of variant ``v`` is on duty and not on a break (a shift starting off the grid
covers part of a slot). ``cost_v`` is the
template's cost per hour times the paid hours (length minus unpaid breaks).

Shortfall instead of failure: the program is solved twice. First it minimises the total
shortfall ``sum_s short_s`` (agent-slots that no allowed roster can cover: intervals no shift
reaches, template limits); then, with the shortfall held at that least total, the cost. A
roster that covers everything has no shortfall, and one that cannot says per interval how many
agents it is short at the worst moment.

Requirements and breaks
-----------------------
``required_i`` is heads to schedule (:func:`plan.requirements.heads_to_schedule`: agents on the
phones divided by ``1 - shrinkage``), raised to ``min_on_duty`` inside opening hours. The
breaks this module places are subtracted from coverage here, so the shrinkage must not count
them again (:class:`scenarios.schema.Planning`). With several days the requirement of a time of
day is the largest over the days (shifts repeat every day).

Shift file format
-----------------
Clock times ``"HH:MM"``; minutes in keys ending ``_min``; hours in ``_h``. ::

    open = "07:00"                  # optional: shifts start and end inside these hours and
    close = "24:00"                 #   min_on_duty applies inside; default: the scenario's
                                    #   opening hours, else its simulated day
    min_on_duty = 2                 # agents on duty (not on a break) in every open interval
    break_step_min = 15             # grid of break starts (minutes after the shift start)

    [[templates]]                   # at least one
    name = "early"                  # unique
    starts = ["07:00", "07:30"]     # allowed starts; or start_from/start_to/start_step_min
    lengths_h = [8, 6]              # allowed lengths, hours
    cost_per_hour = 21.5            # > 0
    min_agents = 0                  # optional limits on the template's agents (all variants)
    max_agents = 12
    breaks = [                      # in this order, not overlapping, inside the shift
      { length_min = 30, paid = false, after_min = [180, 270] },   # start window, minutes
      { length_min = 15, paid = true, after_min = [60, 120] },     #   after the shift start
    ]

Unknown keys, impossible rules (a break window that does not fit in a shift, a start outside
the opening hours, a template with no variant, ``min_agents > max_agents``) are a
:class:`~plan.errors.PlanError` naming the file, key and value.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from plan.errors import PlanError
from scenarios.calendar import SECONDS_PER_DAY, format_clock, interval_label, parse_clock
from scenarios.schema import Calendar, Scenario, Shift

#: Variants (shift x start x length x break placement) beyond which the program is refused.
MAX_VARIANTS = 50_000
_TOP_KEYS = ("open", "close", "min_on_duty", "break_step_min", "templates")
_TEMPLATE_KEYS = ("name", "starts", "start_from", "start_to", "start_step_min", "lengths_h",
                  "cost_per_hour", "min_agents", "max_agents", "breaks")
_BREAK_KEYS = ("length_min", "paid", "after_min")
_TOL = 1e-6


@dataclass(frozen=True, kw_only=True)
class Break:
    """A break of ``length_s``, starting ``after_s[0]`` to ``after_s[1]`` after the shift start."""

    length_s: float
    paid: bool
    after_s: tuple[float, float]


@dataclass(frozen=True, kw_only=True)
class Template:
    """Shifts of one kind: allowed starts (seconds after midnight), lengths, cost, limits."""

    name: str
    starts_s: tuple[float, ...]
    lengths_s: tuple[float, ...]
    cost_per_hour: float
    min_agents: int = 0
    max_agents: int | None = None
    breaks: tuple[Break, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ShiftRules:
    """A shift file: templates, opening hours, minimum on duty, the grid of break starts."""

    templates: tuple[Template, ...]
    open_s: float | None = None
    close_s: float | None = None
    min_on_duty: int = 0
    break_step_s: float = 900.0


@dataclass(frozen=True, kw_only=True)
class RosterLine:
    """``count`` agents on one shift variant: start, end and breaks in seconds after midnight."""

    template: str
    start_s: float
    end_s: float
    breaks: tuple[tuple[float, float, bool], ...]
    count: int
    cost: float

    @property
    def on_phone_pieces(self) -> list[tuple[float, float]]:
        """The shift minus its breaks, as ``[start, end)`` pieces."""
        pieces, at = [], self.start_s
        for lo, hi, _ in sorted(self.breaks):
            if lo > at:
                pieces.append((at, lo))
            at = hi
        if self.end_s > at:
            pieces.append((at, self.end_s))
        return pieces


@dataclass(frozen=True, kw_only=True)
class Roster:
    """The chosen shifts and what they cover, per interval of one day.

    Attributes
    ----------
    lines : tuple of RosterLine
        Variants with at least one agent.
    labels : tuple of str
        Interval labels (start times).
    required : ndarray
        Heads required per interval (after ``min_on_duty``).
    scheduled : ndarray
        Agents on duty and not on a break, time-averaged per interval.
    lowest : ndarray
        The fewest of them at any moment of the interval (on the grid of break starts).
    shortfall : ndarray
        Agents short of the requirement at the worst moment of each interval (0 everywhere
        when covered).
    cost : float
        Total cost per day.
    optimal : bool
        HiGHS proved both solves optimal (false: the time limit stopped it with a roster).
    """

    lines: tuple[RosterLine, ...]
    labels: tuple[str, ...]
    required: np.ndarray
    scheduled: np.ndarray
    lowest: np.ndarray
    shortfall: np.ndarray
    cost: float
    optimal: bool = True

    @property
    def covered(self) -> bool:
        """Every interval's requirement is met."""
        return bool(np.all(self.shortfall <= _TOL))

    def rows(self) -> list[dict[str, Any]]:
        """Per interval: required, scheduled, difference (the planners' export)."""
        return [{"interval": k, "time": label, "required": int(self.required[k]),
                 "scheduled": round(float(self.scheduled[k]), 6),
                 "lowest": round(float(self.lowest[k]), 6),
                 "difference": round(float(self.scheduled[k] - self.required[k]), 6)}
                for k, label in enumerate(self.labels)]

    def roster_rows(self) -> list[dict[str, Any]]:
        """Per roster line: template, start, end, breaks, agents, cost."""
        return [{"template": line.template, "start": format_clock(line.start_s),
                 "end": format_clock(line.end_s),
                 "breaks": " ".join(f"{format_clock(lo)}-{format_clock(hi)}"
                                    f"{'' if paid else '(unpaid)'}"
                                    for lo, hi, paid in line.breaks),
                 "agents": line.count, "cost": round(line.cost, 2)} for line in self.lines]

    def shifts(self) -> tuple[Shift, ...]:
        """The roster as scenario shifts: every line split around its breaks, equal pieces
        merged (so that the simulation puts agents on the phones exactly when the roster
        does)."""
        counts: dict[tuple[float, float], int] = {}
        for line in self.lines:
            for piece in line.on_phone_pieces:
                counts[piece] = counts.get(piece, 0) + line.count
        return tuple(Shift(start_s=lo, end_s=hi, count=n) for (lo, hi), n in sorted(counts.items()))


# ---------------------------------------------------------------------------------------------
# Reading the shift file


def load_shift_rules(path: str | Path) -> ShiftRules:
    """Read and check a shift file (see the module docstring for the format)."""
    path = Path(path)
    with open(path, "rb") as f:
        try:
            data = tomllib.load(f)
        except tomllib.TOMLDecodeError as exc:
            raise PlanError(f"{path}: not valid TOML: {exc}") from exc
    return shift_rules_from_dict(data, source=str(path))


def shift_rules_from_dict(data: dict, *, source: str = "<shifts>") -> ShiftRules:
    """Check shift-file data (as ``tomllib`` reads it) into :class:`ShiftRules`."""
    _keys(data, "", _TOP_KEYS, source)
    templates_data = data.get("templates")
    if not isinstance(templates_data, list) or not templates_data:
        _fail(source, "templates", "must be an array of at least one table", templates_data)
    step_min = _num(data, "break_step_min", "", source, default=15.0, gt=0)
    templates = tuple(_template(t, f"templates[{i}]", source)
                      for i, t in enumerate(templates_data))
    names = [t.name for t in templates]
    for i, name in enumerate(names):
        if name in names[:i]:
            _fail(source, f"templates[{i}].name", f"must differ from templates[{names.index(name)}]"
                  ".name", name)
    return ShiftRules(
        templates=templates,
        open_s=_clock(data, "open", "", source),
        close_s=_clock(data, "close", "", source),
        min_on_duty=int(_num(data, "min_on_duty", "", source, default=0, ge=0, integer=True)),
        break_step_s=step_min * 60.0,
    )


def _template(t: Any, where: str, source: str) -> Template:
    if not isinstance(t, dict):
        _fail(source, where, "must be a table", t)
    _keys(t, where, _TEMPLATE_KEYS, source)
    name = t.get("name")
    if not isinstance(name, str) or not name:
        _fail(source, f"{where}.name", "must be a non-empty string", name)
    if "starts" in t:
        if any(k in t for k in ("start_from", "start_to", "start_step_min")):
            _fail(source, f"{where}.starts", "must not be given with start_from/start_to",
                  t["starts"])
        if not isinstance(t["starts"], list) or not t["starts"]:
            _fail(source, f"{where}.starts", "must be a non-empty array of clock times",
                  t["starts"])
        starts = tuple(_clock_value(v, f"{where}.starts[{i}]", source)
                       for i, v in enumerate(t["starts"]))
    else:
        lo = _clock(t, "start_from", where, source, required=True)
        hi = _clock(t, "start_to", where, source, required=True)
        step = _num(t, "start_step_min", where, source, default=30.0, gt=0) * 60.0
        if hi < lo:
            _fail(source, f"{where}.start_to", f"must not be before start_from "
                  f"({format_clock(lo)})", t["start_to"])
        starts = tuple(float(s) for s in np.arange(lo, hi + _TOL, step))
    lengths = t.get("lengths_h")
    if not isinstance(lengths, list) or not lengths:
        _fail(source, f"{where}.lengths_h", "must be a non-empty array of hours", lengths)
    lengths_s = tuple(_num({"x": v}, "x", "", source, gt=0, le=24, shown=f"{where}.lengths_h[{i}]")
                      * 3600.0 for i, v in enumerate(lengths))
    max_agents = t.get("max_agents")
    template = Template(
        name=name, starts_s=starts, lengths_s=lengths_s,
        cost_per_hour=_num(t, "cost_per_hour", where, source, required=True, gt=0),
        min_agents=int(_num(t, "min_agents", where, source, default=0, ge=0, integer=True)),
        max_agents=None if max_agents is None else int(
            _num(t, "max_agents", where, source, ge=0, integer=True)),
        breaks=tuple(_break(b, f"{where}.breaks[{i}]", source)
                     for i, b in enumerate(_list(t, "breaks", where, source))),
    )
    if template.max_agents is not None and template.min_agents > template.max_agents:
        _fail(source, f"{where}.min_agents", f"must be <= max_agents ({template.max_agents})",
              template.min_agents)
    return template


def _break(b: Any, where: str, source: str) -> Break:
    if not isinstance(b, dict):
        _fail(source, where, "must be a table", b)
    _keys(b, where, _BREAK_KEYS, source)
    length = _num(b, "length_min", where, source, required=True, gt=0) * 60.0
    paid = b.get("paid", False)
    if not isinstance(paid, bool):
        _fail(source, f"{where}.paid", "must be true or false", paid)
    after = b.get("after_min")
    if (not isinstance(after, list) or len(after) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in after)
            or not 0 <= after[0] <= after[1]):
        _fail(source, f"{where}.after_min", "must be [earliest, latest] minutes after the "
              "shift start, 0 <= earliest <= latest", after)
    return Break(length_s=length, paid=paid, after_s=(after[0] * 60.0, after[1] * 60.0))


# ---------------------------------------------------------------------------------------------
# Variants and the program


@dataclass(frozen=True)
class _Variant:
    template: int
    start_s: float
    end_s: float
    breaks: tuple[tuple[float, float, bool], ...]


def variants(rules: ShiftRules, calendar: Calendar, source: str = "<shifts>") -> list[_Variant]:
    """Every allowed (template, start, length, break placement), each checked against the day.

    Raises
    ------
    PlanError
        A start outside the opening hours or the simulated day, a template without any variant
        (its breaks cannot fit), too many variants.
    """
    day_lo, day_hi = calendar.start_s, calendar.start_s + calendar.day_s
    if day_hi > SECONDS_PER_DAY:
        raise PlanError(f"{source}: shift planning needs a simulated day that ends by 24:00, "
                        f"got a day from {format_clock(day_lo)} lasting "
                        f"{calendar.day_s / 3600:g} h")
    open_s = rules.open_s if rules.open_s is not None else (
        calendar.open_s if calendar.open_s is not None else day_lo)
    close_s = rules.close_s if rules.close_s is not None else (
        calendar.close_s if calendar.close_s is not None else day_hi)
    out: list[_Variant] = []
    for t_index, t in enumerate(rules.templates):
        where = f"templates[{t_index}]"
        count = 0
        for s_index, start in enumerate(t.starts_s):
            if start < max(open_s, day_lo) - _TOL:
                raise PlanError(f"{source}: {where}.starts[{s_index}] must be at or after "
                                f"{format_clock(max(open_s, day_lo))} (opening), got "
                                f"{format_clock(start)!r}")
            for length in t.lengths_s:
                end = start + length
                if end > min(close_s, day_hi) + _TOL:
                    continue  # this start with this length runs past closing: not allowed
                for placement in _placements(t.breaks, start, end, rules.break_step_s):
                    out.append(_Variant(t_index, start, end, placement))
                    count += 1
        if count == 0:
            raise PlanError(
                f"{source}: {where} ({t.name!r}) allows no shift: no start and length ends by "
                f"{format_clock(min(close_s, day_hi))} with its breaks inside the shift")
        if len(out) > MAX_VARIANTS:
            raise PlanError(f"{source}: more than {MAX_VARIANTS} shift variants; narrow the "
                            f"starts or break windows (at {where})")
    return out


def _placements(breaks: Sequence[Break], start: float, end: float, step: float):
    """Break placements inside ``[start, end)``, in the listed order, none overlapping."""
    options = []
    for b in breaks:
        n = math.floor((b.after_s[1] - b.after_s[0]) / step + _TOL)
        starts = [start + b.after_s[0] + i * step for i in range(n + 1)]
        options.append([(s, s + b.length_s, b.paid) for s in starts
                        if s + b.length_s <= end + _TOL])
    for combo in itertools.product(*options):
        if all(combo[i][1] <= combo[i + 1][0] + _TOL for i in range(len(combo) - 1)):
            yield tuple(combo)


def _coverage(variant: _Variant, edges_s: np.ndarray) -> np.ndarray:
    """Share of each interval ``[edges[i], edges[i+1])`` on duty and not on a break."""
    lo, hi = edges_s[:-1], edges_s[1:]
    cover = np.clip(np.minimum(hi, variant.end_s) - np.maximum(lo, variant.start_s), 0, None)
    for b_lo, b_hi, _ in variant.breaks:
        cover -= np.clip(np.minimum(hi, b_hi) - np.maximum(lo, b_lo), 0, None)
    return cover / (hi - lo)


def schedule(required: Sequence[int], rules: ShiftRules, calendar: Calendar, *,
             source: str = "<shifts>", time_limit_s: float = 60.0) -> Roster:
    """The least-cost roster covering ``required`` heads per interval of one day (see module).

    Parameters
    ----------
    required : sequence of int
        Heads per interval: one day (``calendar.intervals_per_day``) or all days (the largest
        over the days of each time of day is used).
    rules : ShiftRules
    calendar : Calendar
        The scenario's calendar: interval length and the day's start.
    source : str
        The shift file's name, for messages.
    time_limit_s : float
        HiGHS time limit per solve; a solve that stops there without a proven optimum raises.
    """
    per_day = calendar.intervals_per_day
    req = np.asarray(required, dtype=float)
    if req.size == calendar.n_intervals and req.size != per_day:
        req = req.reshape(len(calendar.days), per_day).max(axis=0)
    if req.size != per_day:
        raise PlanError(f"required must have {per_day} entries (one per interval of a day), "
                        f"got {req.size}")
    edges = calendar.start_s + np.arange(per_day + 1) * calendar.interval_s
    mids = (edges[:-1] + edges[1:]) / 2
    vs = variants(rules, calendar, source)
    open_s = rules.open_s if rules.open_s is not None else (
        calendar.open_s if calendar.open_s is not None else edges[0])
    close_s = rules.close_s if rules.close_s is not None else (
        calendar.close_s if calendar.close_s is not None else edges[-1])
    is_open = (mids >= open_s) & (mids < close_s)
    req = np.where(is_open, np.maximum(req, rules.min_on_duty), req)

    # Coverage is required in every slot of the break grid, not only on the interval's time
    # average: otherwise every agent of an interval could take the same half of it off.
    slot_s = float(math.gcd(round(calendar.interval_s), round(rules.break_step_s)))
    per_slot = round(calendar.interval_s / slot_s)
    slot_edges = calendar.start_s + np.arange(per_day * per_slot + 1) * slot_s
    a = np.array([_coverage(v, slot_edges) for v in vs]).T  # slots x variants
    req_slots = np.repeat(req, per_slot)
    n_v, n_i = len(vs), per_day * per_slot
    paid_h = np.array([(v.end_s - v.start_s - sum(hi - lo for lo, hi, paid in v.breaks
                                                   if not paid)) / 3600.0 for v in vs])
    cost = np.array([rules.templates[v.template].cost_per_hour for v in vs]) * paid_h
    # Variables: x (n_v integers), then short (one per slot, continuous).
    cover = LinearConstraint(np.hstack([a, np.eye(n_i)]), lb=req_slots, ub=np.inf)
    limits = []
    for t_index, t in enumerate(rules.templates):
        row = np.concatenate([[1.0 if v.template == t_index else 0.0 for v in vs], np.zeros(n_i)])
        upper = np.inf if t.max_agents is None else t.max_agents
        if t.min_agents > 0 or t.max_agents is not None:
            limits.append(LinearConstraint(row[None, :], lb=t.min_agents, ub=upper))
    integrality = np.concatenate([np.ones(n_v), np.zeros(n_i)])
    bounds = Bounds(0, np.inf)
    options = {"time_limit": time_limit_s}
    proven = []

    def solve(objective, extra=()):
        res = milp(objective, integrality=integrality, bounds=bounds,
                   constraints=[cover, *limits, *extra], options=options)
        # Status 1 (time limit) with a solution is a roster, not proven least-cost: say so.
        if res.status not in (0, 1) or res.x is None:
            raise PlanError(f"{source}: the shift program found no roster ({res.message})")
        proven.append(res.status == 0)
        return res

    first = solve(np.concatenate([np.zeros(n_v), np.ones(n_i)]))
    least_short = float(first.x[n_v:].sum())
    cap = LinearConstraint(np.concatenate([np.zeros(n_v), np.ones(n_i)])[None, :],
                           lb=0, ub=least_short + 1e-6 * max(1.0, least_short))
    second = solve(np.concatenate([cost, np.zeros(n_i)]), (cap,))
    x = np.rint(second.x[:n_v]).astype(int)
    in_slots = (a @ x).reshape(per_day, per_slot)
    short = np.clip(req[:, None] - in_slots, 0.0, None)
    lines = tuple(
        RosterLine(template=rules.templates[v.template].name, start_s=v.start_s, end_s=v.end_s,
                   breaks=v.breaks, count=int(x[j]), cost=float(cost[j] * x[j]))
        for j, v in enumerate(vs) if x[j] > 0
    )
    return Roster(
        lines=lines,
        labels=tuple(interval_label(dataclasses.replace(calendar, days=("day",)), k)
                     for k in range(per_day)),
        required=req, scheduled=in_slots.mean(axis=1), lowest=in_slots.min(axis=1),
        shortfall=np.where(short > _TOL, short, 0.0).max(axis=1),
        cost=float(cost @ x),
        optimal=all(proven),
    )


def rostered_scenario(scenario: Scenario, roster: Roster, shrinkage: float) -> Scenario:
    """``scenario`` staffed by ``roster``: its one group works the roster's shifts (split around
    breaks), and shrinkage becomes time off the phones.

    Shrinkage is simulated as the group's availability times ``1 - shrinkage`` (time off the
    phones spread evenly over the heads, as the walk-in tasks of :mod:`sim.agents`), and the
    scenario's ``planning.shrinkage`` is set to 0 so that planning from the result does not
    count it twice. Breaks are not in it: the shifts leave them out.

    Raises
    ------
    PlanError
        The scenario has several agent groups (one roster serves one group) or the roster is
        empty.
    """
    if len(scenario.agent_groups) != 1:
        raise PlanError(f"shift planning needs a scenario with one agent group, got "
                        f"{len(scenario.agent_groups)}")
    shifts = roster.shifts()
    if not shifts:
        raise PlanError("the roster has no shifts (nothing is required): nothing to simulate")
    group = scenario.agent_groups[0]
    group = dataclasses.replace(group, staffing=(), shifts=shifts,
                                # Rounded so the file shows 0.56, not 0.5599999999999999.
                                availability=round(group.availability * (1.0 - shrinkage), 12))
    return dataclasses.replace(scenario, agent_groups=(group,),
                               planning=dataclasses.replace(scenario.planning, shrinkage=0.0))


# ---------------------------------------------------------------------------------------------
# Small checks (one-line errors naming the file and key)


def _fail(source: str, key: str, constraint: str, value: Any = None) -> None:
    raise PlanError(f"{source}: {key} {constraint}, got {value!r}")


def _keys(table: dict, where: str, allowed: Sequence[str], source: str) -> None:
    if not isinstance(table, dict):
        _fail(source, where or "file", "must be a table", table)
    for key in table:
        if key not in allowed:
            path = f"{where}.{key}" if where else key
            raise PlanError(f"{source}: {path} is not a known key (known: {', '.join(allowed)})")


def _num(table: dict, key: str, where: str, source: str, *, default: Any = None,
         required: bool = False, gt: float | None = None, ge: float | None = None,
         le: float | None = None, integer: bool = False, shown: str | None = None) -> float:
    path = shown or (f"{where}.{key}" if where else key)
    if key not in table:
        if required:
            raise PlanError(f"{source}: {path} is required")
        return default
    value = table[key]
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if integer and not isinstance(value, int):
        ok = False
    if ok and ((gt is not None and value <= gt) or (ge is not None and value < ge)
               or (le is not None and value > le)):
        ok = False
    if not ok:
        bounds = [f"> {gt:g}" if gt is not None else "", f">= {ge:g}" if ge is not None else "",
                  f"<= {le:g}" if le is not None else ""]
        what = "a whole number" if integer else "a number"
        _fail(source, path, f"must be {what} {' and '.join(b for b in bounds if b)}".rstrip(),
              value)
    return float(value)


def _list(table: dict, key: str, where: str, source: str) -> list:
    value = table.get(key, [])
    if not isinstance(value, list):
        _fail(source, f"{where}.{key}", "must be an array", value)
    return value


def _clock(table: dict, key: str, where: str, source: str, required: bool = False):
    path = f"{where}.{key}" if where else key
    if key not in table:
        if required:
            raise PlanError(f"{source}: {path} is required")
        return None
    return _clock_value(table[key], path, source)


def _clock_value(value: Any, path: str, source: str) -> float:
    try:
        return parse_clock(value)
    except ValueError:
        _fail(source, path, "must be a clock time \"HH:MM\" from 00:00 to 24:00", value)
