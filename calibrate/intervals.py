"""Calibration from interval reports alone (15/30/60-minute ACD reports), wider uncertainty.

Many centers keep only per-interval figures. Columns (mapped with ``--columns`` as for call
logs; canonical names):

``start``         interval start ``YYYY-MM-DD HH:MM``; required.
``offered``       calls that asked for an agent (answered + abandoned in queue); required.
``answered``, ``abandoned``: required.
``ivr_abandoned`` calls that left in the IVR; optional.
``within_awt``    answered within the AWT; optional.
``mean_wait_s``   mean time in queue of all offered calls; or ``asa_s``, the mean wait of
                  answered calls; one of the two is needed for patience.
``aht_s``         average handle time; required.
``agents``        agents staffed or logged in (time average); optional.

What can be fitted, and what cannot
-----------------------------------
* Arrivals: as from call logs (:func:`calibrate.arrivals.fit_counts`), exactly.
* Handle time: the mean (answered-weighted AHT); the *shape* is not in the data, so an
  exponential (CV 1) is written and the choice reported as an assumption.
* Patience: exponential only, from abandonments over total waiting time (``mean_wait_s`` x
  offered), with its chi-square CI, and the regression of abandonment on mean wait. With only the
  ASA, the total waiting time is underestimated by the abandoners' waits (unknown), so mean
  patience is *underestimated*; the report says which case applied.
* Staffing: with ``agents``, one factor on it such that Erlang A with that patience and each
  interval's AHT misses the hourly abandonment least (the analyst's factor; there are no queue
  moments to learn availability from). Without ``agents`` no staffing can be inferred and the
  scenario gets none: give it yourself.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from calibrate.arrivals import ArrivalFit, fit_counts
from calibrate.calibration import Settings, _dist, _week, fit_baseline_factor
from calibrate.errors import CalibrationError
from calibrate.logs import RowProblem, SourceFile, open_table
from calibrate.observed import Observed
from calibrate.patience import exposure_estimate, regression_estimate
from scenarios.calendar import format_clock
from scenarios.errors import did_you_mean, listing
from scenarios.schema import (
    AgentGroup,
    Calendar,
    CallType,
    Scenario,
    Simulation,
    Targets,
)

INTERVAL_FIELDS = ("start", "offered", "answered", "abandoned", "ivr_abandoned", "within_awt",
                   "mean_wait_s", "asa_s", "aht_s", "agents")
_REQUIRED = ("start", "offered", "answered", "abandoned", "aht_s")
_START = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::00)?")


@dataclass(frozen=True, eq=False)
class IntervalReport:
    """Checked interval rows as arrays, with the rows that could not be used."""

    observed: Observed
    ivr_abandoned: np.ndarray
    has: frozenset[str]
    sources: tuple[SourceFile, ...]
    problems: tuple[RowProblem, ...]


def read_interval_reports(paths: Sequence[str | Path], columns: dict[str, str], *,
                          interval_s: float, weekend: frozenset[int] = frozenset({6, 7}),
                          strict: bool = False) -> IntervalReport:
    """Read interval reports whose columns are named by ``columns`` (field -> column)."""
    del weekend  # kept in the signature for symmetry with the call-log presets
    unknown = sorted(set(columns) - set(INTERVAL_FIELDS))
    if unknown:
        raise CalibrationError(f"interval report field must be one of "
                               f"{listing(INTERVAL_FIELDS)}, got {unknown[0]!r} "
                               f"{did_you_mean(unknown[0], INTERVAL_FIELDS)}".rstrip())
    missing = [f for f in _REQUIRED if f not in columns]
    if missing:
        raise CalibrationError(f"column mapping must name the column of {listing(missing)}")
    if "mean_wait_s" not in columns and "asa_s" not in columns:
        raise CalibrationError("column mapping must name mean_wait_s or asa_s (needed for "
                               "patience)")
    rows: dict[tuple[int, int], dict] = {}
    problems, sources = [], []
    for path in paths:
        table = open_table(path, tuple(columns.values()), None)
        n_rows = n_used = 0
        for number, cells in table.rows:
            n_rows += 1
            try:
                if len(cells) != len(table.header):
                    raise _Bad(None, f"has {len(cells)} fields, the header has "
                                     f"{len(table.header)}")
                got = dict(zip(table.header, cells, strict=True))
                key, values = _row({f: got[c] for f, c in columns.items()}, columns, interval_s)
            except _Bad as bad:
                if strict:
                    raise CalibrationError(bad.reason, file=str(path), row=number,
                                           column=bad.column) from None
                problems.append(RowProblem(str(path), number, bad.column, bad.reason))
                continue
            if key in rows:
                problem = RowProblem(str(path), number, columns["start"],
                                     "repeats an interval already read")
                if strict:
                    raise CalibrationError(problem.reason, file=str(path), row=number,
                                           column=problem.column)
                problems.append(problem)
                continue
            rows[key] = values
            n_used += 1
        sources.append(SourceFile(str(path), table.sha256, n_rows, n_used))
    if not rows:
        raise CalibrationError(f"no usable interval in {listing([str(p) for p in paths])} "
                               f"({len(problems)} unusable rows"
                               + (f"; first: {problems[0]})" if problems else ")"))
    per = round(86400 / interval_s)
    days = np.unique([d for d, _ in rows])
    n = len(days) * per
    arrays = {f: np.zeros(n) for f in ("offered", "answered", "abandoned", "ivr_abandoned",
                                        "within", "wait", "answered_wait", "talk", "agents")}
    for (d, k), v in rows.items():
        i = int(np.searchsorted(days, d)) * per + k
        for f, x in v.items():
            arrays[f][i] = x
    obs = Observed(interval_s=interval_s, day=np.repeat(days, per), k=np.tile(np.arange(per),
                   len(days)), offered=arrays["offered"], abandoned=arrays["abandoned"],
                   answered=arrays["answered"], within_awt=arrays["within"],
                   wait_total_s=arrays["wait"], answered_wait_s=arrays["answered_wait"],
                   talk_total_s=arrays["talk"], present=arrays["agents"],
                   busy=np.full(n, np.nan))
    return IntervalReport(observed=obs, ivr_abandoned=arrays["ivr_abandoned"],
                          has=frozenset(columns), sources=tuple(sources),
                          problems=tuple(problems))


class _Bad(Exception):
    def __init__(self, column, reason):
        super().__init__(reason)
        self.column, self.reason = column, reason


def _row(cells: dict[str, str], columns: dict[str, str], interval_s: float):
    text = cells["start"].strip()
    m = _START.fullmatch(text)
    try:
        y, mo, d, h, mi = (int(g) for g in m.groups()) if m else (0,) * 5
        day = datetime.date(y, mo, d).toordinal()
        if h > 23 or mi > 59 or (h * 3600 + mi * 60) % interval_s:
            raise ValueError
    except ValueError:
        raise _Bad(columns["start"], f"must be an interval start YYYY-MM-DD HH:MM on the "
                                     f"{interval_s / 60:g}-minute grid, got {text!r}") from None
    k = int((h * 3600 + mi * 60) // interval_s)

    def num(field: str, default: float | None = None) -> float:
        if field not in cells or not cells[field].strip():
            if default is not None:
                return default
            raise _Bad(columns.get(field), "must be given, got ''")
        raw = cells[field].strip()
        try:
            x = float(raw)
        except ValueError:
            raise _Bad(columns[field], f"must be a number, got {raw!r}") from None
        if not math.isfinite(x) or x < 0:
            raise _Bad(columns[field], f"must be >= 0, got {raw!r}")
        return x

    offered, answered, abandoned = num("offered"), num("answered"), num("abandoned")
    if abs(answered + abandoned - offered) > 0.5:
        raise _Bad(columns["offered"], f"must equal answered + abandoned "
                                       f"({answered:g} + {abandoned:g}), got {offered:g}")
    aht = num("aht_s", 0.0 if answered == 0 else None)
    mean_wait = num("mean_wait_s", math.nan) if "mean_wait_s" in cells else math.nan
    asa = num("asa_s", math.nan) if "asa_s" in cells else math.nan
    if math.isnan(mean_wait) and math.isnan(asa) and offered > 0:
        raise _Bad(columns.get("mean_wait_s", columns.get("asa_s")), "must be given, got ''")
    wait = mean_wait * offered if not math.isnan(mean_wait) else asa * answered
    return (day, k), {
        "offered": offered, "answered": answered, "abandoned": abandoned,
        "ivr_abandoned": num("ivr_abandoned", 0.0) if "ivr_abandoned" in cells else 0.0,
        "within": num("within_awt", math.nan) if "within_awt" in cells else math.nan,
        "wait": wait, "answered_wait": (asa * answered if not math.isnan(asa) else math.nan),
        "talk": aht * answered, "agents": num("agents", 0.0) if "agents" in cells else 0.0,
    }


@dataclass(frozen=True, eq=False)
class IntervalCalibration:
    """Fits from interval reports (see the module docstring for what each rests on)."""

    settings: Settings
    report: IntervalReport
    arrivals: ArrivalFit
    aht_s: float
    patience_mean_s: float
    patience_ci95_s: tuple[float, float]
    patience_basis: str
    regression_mean_s: float
    factor: float | None
    factor_mae: float | None
    window: tuple[int, int]
    weekend: frozenset[int]
    ivr_leave_share: float

    def scenario(self, name: str = "calibrated from interval reports") -> Scenario:
        s = self.settings
        per = round(86400 / s.interval_s)
        lo, hi = self.window
        week = _week(self.weekend, s.day_types)
        obs = self.report.observed
        types = np.array(self.arrivals.day_types)
        agents = obs.present.reshape(-1, per)
        calls = tuple((t, tuple(float(round(x, 3)) for x in
                                self.arrivals.profiles.get(t, np.zeros(per))[lo:hi]))
                      for t in dict.fromkeys(week))
        factor = 0.0 if self.factor is None else self.factor  # no agents column: none known
        staffing = tuple(round(float(x) * factor) for t in week for x in
                         (agents[types == t].mean(axis=0) if (types == t).any()
                          else np.zeros(per))[lo:hi])
        groups = (AgentGroup(name="agents", skills=("calls",), staffing=staffing),)
        return Scenario(
            name=name,
            calendar=Calendar(start_s=lo * s.interval_s, interval_s=s.interval_s,
                              intervals_per_day=hi - lo, days=tuple(week)),
            call_types=(CallType(name="calls", calls_per_interval=calls,
                                 handle_time=_dist("exponential", self.aht_s, 1.0),
                                 patience=_dist("exponential", self.patience_mean_s, 1.0)),),
            agent_groups=groups,
            targets=Targets(awt_s=s.awt_s),
            simulation=Simulation(replications=20, seed=1,
                                  daily_busyness_cv=round(self.arrivals.busyness_cv, 4)),
        )

    def header(self) -> str:
        lines = ["Calibrated by `callsim calibrate --reports` from interval reports:"]
        lines += [f"  {src.path}  sha256 {src.sha256}  ({src.rows} rows, {src.calls} intervals)"
                  for src in self.report.sources]
        lines += [
            f"{len(self.report.problems)} unusable rows; hours "
            f"{format_clock(self.window[0] * self.settings.interval_s)} to "
            f"{format_clock(self.window[1] * self.settings.interval_s)}.",
            f"Handle time: mean {self.aht_s:.1f} s; shape not in the data, exponential assumed.",
            f"Patience: exponential, {self.patience_basis}.",
            (f"Staffing: agents column x factor {self.factor:.3f} fitted by Erlang A on "
             "abandonment.") if self.factor is not None else
            "Staffing: not in the reports: zero agents written; set agent_groups[0].staffing.",
        ]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "settings": self.settings.__dict__,
            "sources": [src.__dict__ for src in self.report.sources],
            "unusable_rows": len(self.report.problems),
            "problems": [str(p) for p in self.report.problems[:50]],
            "arrivals": self.arrivals.to_dict(),
            "handle_time": {"method": "answered-weighted mean of interval AHTs; shape not "
                                      "identifiable: exponential assumed", "mean_s": self.aht_s},
            "patience": {"method": "exponential MLE: abandonments over total waiting time",
                         "basis": self.patience_basis, "mean_s": self.patience_mean_s,
                         "ci95_s": list(self.patience_ci95_s),
                         "regression_abandonment_on_mean_wait_mean_s": self.regression_mean_s,
                         "assumption": "exponential patience (not testable from interval "
                                       "figures)"},
            "staffing": {"method": "agents column x one factor fitted by Erlang A on hourly "
                                   "abandonment", "factor": self.factor,
                         "training_mae": self.factor_mae},
            "ivr": {"left_in_ivr_share": self.ivr_leave_share},
        }


def calibrate_reports(report: IntervalReport, settings: Settings | None = None, *,
                      weekend: frozenset[int] = frozenset({6, 7})) -> IntervalCalibration:
    """Fit what interval reports allow (module docstring)."""
    settings = Settings() if settings is None else settings
    obs = report.observed
    per = round(86400 / settings.interval_s)
    days = np.unique(obs.day)
    arrivals = fit_counts(days, (obs.offered + report.ivr_abandoned).reshape(-1, per),
                          interval_s=settings.interval_s, weekend=weekend,
                          mode=settings.day_types)
    answered = obs.answered.sum()
    aht = float(obs.talk_total_s.sum() / answered) if answered else math.nan
    if not aht > 0:
        raise CalibrationError("interval reports must show answered calls with aht_s > 0")
    ok = np.isfinite(obs.wait_total_s)
    mean, ci = exposure_estimate(float(obs.abandoned[ok].sum()), float(obs.wait_total_s[ok].sum()))
    basis = ("total waiting time = mean_wait_s x offered" if "mean_wait_s" in report.has else
             "total waiting time = asa_s x answered: abandoners' waits unknown, so mean "
             "patience is underestimated")
    with np.errstate(invalid="ignore", divide="ignore"):
        regression = regression_estimate(obs.p_abandon, obs.wait_total_s / obs.offered,
                                         np.where(ok, obs.offered, 0))
    busy = obs.offered.reshape(-1, per).sum(axis=0)
    open_k = np.flatnonzero(busy > 0)
    window = (int(open_k[0]), int(open_k[-1]) + 1)
    factor = mae = None
    if "agents" in report.has and obs.present.sum() > 0:
        factor, mae = fit_baseline_factor(obs, mean, settings.awt_s)
    left = report.ivr_abandoned.sum()
    return IntervalCalibration(
        settings=settings, report=report, arrivals=arrivals, aht_s=aht, patience_mean_s=mean,
        patience_ci95_s=ci, patience_basis=basis, regression_mean_s=regression, factor=factor,
        factor_mae=mae, window=window, weekend=weekend,
        ivr_leave_share=float(left / (left + obs.offered.sum())))


def read_staffing(path: str | Path, interval_s: float) -> dict[tuple[int, int], float]:
    """A staffing file (``start,agents``): (date ordinal, interval of the day) -> agents.

    Every bad row is an error naming file, row, column and value (a staffing file is short and
    a wrong number in it would silently change every prediction).
    """
    table = open_table(path, ("start", "agents"), None)
    out = {}
    for number, cells in table.rows:
        got = dict(zip(table.header, cells, strict=False))
        try:
            (day, k), _ = _row({"start": got.get("start", ""), "offered": "0", "answered": "0",
                                "abandoned": "0", "mean_wait_s": "0"},
                               {"start": "start", "offered": "", "answered": "", "abandoned": "",
                                "mean_wait_s": ""}, interval_s)
            text = got.get("agents", "").strip()
            try:
                agents = float(text)
            except ValueError:
                raise _Bad("agents", f"must be a number, got {text!r}") from None
            if not math.isfinite(agents) or agents < 0:
                raise _Bad("agents", f"must be >= 0, got {text!r}")
        except _Bad as bad:
            raise CalibrationError(bad.reason, file=str(path), row=number,
                                   column=bad.column) from None
        out[(day, k)] = agents
    if not out:
        raise CalibrationError("has no staffing row", file=str(path))
    return out
