"""From a checked call log to fits, a scenario and a fit report.

Steps (each fit reports its method, sample size and goodness of fit, see ``to_dict``):

1. arrivals of every call (entering the IVR) per interval by day type (:mod:`calibrate.arrivals`);
2. IVR: time in the IVR of calls that went on (lognormal by moments), and the share that
   left in the IVR (hung up or served there: neither needs an agent, so both become the
   scenario's ``ivr.served_share``);
3. handle time (:mod:`calibrate.handle_time`) and patience (:mod:`calibrate.patience`);
4. presence, busy agents and the availability share by hour (:mod:`calibrate.staffing`);
   effective staffing = availability x presence, averaged over the days of each type and
   rounded to whole agents for the scenario;
5. the analyst's baseline: one factor ``f`` on presence such that Erlang A with the calibrated
   (exponential) patience and each interval's AHT misses the training period's hourly
   abandonment least (call-weighted mean absolute error).

The scenario covers one week of day types (for the bank: five weekdays, Friday, Saturday) over
the hours in which agents were present; calls outside those hours are counted and left out.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from calibrate.arrivals import ArrivalFit, day_type, fit_arrivals
from calibrate.errors import CalibrationError
from calibrate.handle_time import HandleTimeFit, fit_handle_time
from calibrate.logs import ABANDONED, ANSWERED, IVR_ABANDONED, IVR_SERVED, CallLog
from calibrate.observed import Observed, observe
from calibrate.patience import PatienceFit, fit_patience
from calibrate.staffing import (
    DEFAULT_GAP_S,
    Availability,
    Timeline,
    fractional,
    learn_availability,
    timeline,
)
from scenarios.calendar import format_clock
from scenarios.schema import (
    AgentGroup,
    Calendar,
    CallType,
    Distribution,
    Ivr,
    Scenario,
    Simulation,
    Targets,
)

#: Hours count as open when the mean effective staffing of some day type reaches this.
MIN_AGENTS_OPEN = 0.5


@dataclass(frozen=True)
class Settings:
    """Choices of a calibration (all recorded in its report).

    Parameters
    ----------
    interval_s : float
        Interval length: 900, 1800 or 3600 s.
    day_types : {"weekday", "dow"}
        Working days pooled as ``weekday`` and weekend days by name, or every day by name.
    short_service_s : float
        Services shorter than this are left out of the handle-time shape (see
        :mod:`calibrate.handle_time`).
    gap_s : float
        Longest gap between an agent's calls inside one work session.
    awt_s : float
        Service-level threshold written to the scenario and used for observed service levels.
    resolution_s : float
        1 for logs in whole seconds, 0 for exact times.
    """

    interval_s: float = 3600.0
    day_types: str = "weekday"
    short_service_s: float = 10.0
    gap_s: float = DEFAULT_GAP_S
    awt_s: float = 20.0
    resolution_s: float = 1.0


@dataclass(frozen=True, eq=False)
class Calibration:
    """Everything fitted from one training period."""

    settings: Settings
    log: CallLog
    arrivals: ArrivalFit
    handle_time: HandleTimeFit
    patience: PatienceFit
    availability: Availability
    timeline: Timeline
    observed: Observed
    ivr_mean_s: float
    ivr_cv: float
    ivr_leave_share: float
    baseline_factor: float
    baseline_factor_mae: float
    window: tuple[int, int]
    effective_by_type: dict

    def scenario(self, name: str = "calibrated", availability_scale: float = 1.0) -> Scenario:
        """The calibrated center as a :class:`Scenario` (see the module docstring).

        ``availability_scale`` multiplies the effective staffing (a correction learned by
        simulating the training period, see ``plan.backtest.tune_availability``).
        """
        s = self.settings
        per = round(86400 / s.interval_s)
        lo, hi = self.window
        week = _week(self.log.weekend, s.day_types)
        profiles = {t: p for t, p in self.arrivals.profiles.items() if t in week}
        calls = tuple((t, tuple(float(round(x, 3)) for x in profiles.get(t, np.zeros(per))[lo:hi]))
                      for t in dict.fromkeys(week))
        staffing = tuple(round(x * availability_scale) for t in week
                         for x in self.effective_by_type.get(t, np.zeros(per))[lo:hi])
        ht = self.handle_time
        pat = self.patience.chosen
        return Scenario(
            name=name,
            calendar=Calendar(start_s=lo * s.interval_s, interval_s=s.interval_s,
                              intervals_per_day=hi - lo, days=tuple(week)),
            call_types=(CallType(
                name="calls", calls_per_interval=calls,
                handle_time=_dist(ht.chosen.family, ht.mean_all_s, ht.chosen.cv),
                patience=_dist(pat.family, pat.mean_s, pat.cv)),),
            agent_groups=(AgentGroup(name="agents", skills=("calls",), staffing=staffing),),
            ivr=Ivr(greeting=_dist("lognormal", self.ivr_mean_s, self.ivr_cv),
                    served_share=self.ivr_leave_share),
            targets=Targets(awt_s=s.awt_s),
            simulation=Simulation(replications=20, seed=1,
                                  daily_busyness_cv=round(self.arrivals.busyness_cv, 4)),
        )

    def header(self) -> str:
        """The scenario file's header comment: sources, period, choices."""
        lines = ["Calibrated by `callsim calibrate` from per-call logs:"]
        lines += [f"  {src.path}  sha256 {src.sha256}  ({src.rows} rows, {src.calls} calls)"
                  for src in self.log.sources]
        summ = self.log.summary()
        lines += [
            f"Period {summ['first_day']} to {summ['last_day']}, {summ['days_with_calls']} days "
            f"with calls; missing days: {', '.join(self.arrivals.missing_days) or 'none'}.",
            f"Preset {self.log.preset}; {summ['unusable_rows']} unusable rows; quirks: "
            + ("; ".join(f"{q.kind} x{q.count}" for q in self.log.quirks) or "none") + ".",
            f"Arrivals: mean calls per {self.settings.interval_s / 60:g} min by day type "
            f"({self.settings.day_types}); daily busyness CV {self.arrivals.busyness_cv:.3f}.",
            f"Handle time: {self.handle_time.chosen.family} by AIC (services < "
            f"{self.settings.short_service_s:g} s, {self.handle_time.n_short} calls, left out of "
            f"the shape, kept in the mean {self.handle_time.mean_all_s:.1f} s).",
            f"Patience: {self.patience.chosen.family} by AIC, censored MLE on "
            f"{self.patience.n_abandoned} abandonments and {self.patience.n_answered} answered "
            "calls.",
            f"Staffing: effective agents = availability by hour (pooled "
            f"{self.availability.pooled:.3f}) x presence from work sessions (gap "
            f"{self.settings.gap_s / 60:g} min), mean over days of each type, rounded.",
            f"Hours {format_clock(self.window[0] * self.settings.interval_s)} to "
            f"{format_clock(self.window[1] * self.settings.interval_s)}; IVR hang-ups modelled "
            "as IVR-served (neither needs an agent).",
            "Fit details, CIs and goodness of fit: calibration.json beside this file.",
        ]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """calibration.json: every fit, its parameters, CI and goodness of fit."""
        return {
            "settings": self.settings.__dict__,
            "log": self.log.summary(),
            "sources": [src.__dict__ for src in self.log.sources],
            "arrivals": self.arrivals.to_dict(),
            "ivr": {"method": "moments of IVR times of calls that went on to the queue; share "
                              "of calls that left in the IVR",
                    "mean_s": self.ivr_mean_s, "cv": self.ivr_cv,
                    "left_in_ivr_share": self.ivr_leave_share},
            "handle_time": self.handle_time.to_dict(),
            "patience": self.patience.to_dict(),
            "staffing": {
                "availability": self.availability.to_dict(),
                "mean_present_by_type": {t: _by_type_mean(self, "present", t).tolist()
                                         for t in self.effective_by_type},
                "mean_effective_by_type": {t: v.tolist()
                                           for t, v in self.effective_by_type.items()},
                "baseline_factor": {"method": "one factor on presence minimising the "
                                              "call-weighted MAE of hourly abandonment of "
                                              "Erlang A (exponential patience, interval AHT)",
                                    "factor": self.baseline_factor,
                                    "training_mae": self.baseline_factor_mae},
            },
            "window": [format_clock(self.window[0] * self.settings.interval_s),
                       format_clock(self.window[1] * self.settings.interval_s)],
        }


def _dist(kind: str, mean_s: float, cv: float) -> Distribution:
    if mean_s <= 0 or cv <= 0:  # e.g. no IVR in the logs: every call passes it at once
        return Distribution(kind="deterministic", mean_s=max(float(round(mean_s, 3)), 0.0),
                            cv=0.0)
    if kind == "exponential":
        return Distribution(kind="exponential", mean_s=float(round(mean_s, 3)), cv=1.0)
    return Distribution(kind=kind, mean_s=float(round(mean_s, 3)), cv=float(round(cv, 4)))


def _week(weekend: frozenset[int], mode: str) -> list[str]:
    """Day types of one week, starting the day after the weekend (Sunday for the bank)."""
    if not weekend and mode == "weekday":
        return ["weekday"]
    first = (max(weekend) % 7) + 1 if weekend else 1
    base = datetime.date(2001, 1, 1)  # a Monday: ISO weekday 1
    out = []
    for i in range(7):
        iso = (first - 1 + i) % 7 + 1
        ordinal = base.toordinal() + iso - 1
        out.append(day_type(ordinal, weekend, mode))
    return out


def _by_type_mean(cal: Calibration, which: str, t: str) -> np.ndarray:
    per = round(86400 / cal.settings.interval_s)
    values = getattr(cal.observed, which).reshape(-1, per)
    sel = np.array([x == t for x in cal.arrivals.day_types])
    return values[sel].mean(axis=0) if sel.any() else np.zeros(per)


def effective_staffing(present: np.ndarray, k: np.ndarray, interval_s: float,
                       availability: Availability) -> np.ndarray:
    """Availability share of each interval's hour of day times presence."""
    hour = ((k * interval_s) // 3600).astype(int) % 24
    return present * availability.by_hour[hour]


def calibrate(log: CallLog, settings: Settings = Settings()) -> Calibration:
    """Fit everything from ``log`` (see the module docstring)."""
    if settings.interval_s not in (900.0, 1800.0, 3600.0):
        raise CalibrationError(f"interval must be 15, 30 or 60 minutes, got "
                               f"{settings.interval_s / 60:g}")
    if settings.day_types not in ("weekday", "dow"):
        raise CalibrationError(f"day types must be 'weekday' or 'dow', got {settings.day_types!r}")
    arrivals = fit_arrivals(log.day, log.arrival_s, interval_s=settings.interval_s,
                            weekend=log.weekend, mode=settings.day_types)
    asked = log.asked_for_agent
    answered = log.outcome == ANSWERED
    if answered.sum() < 10:
        raise CalibrationError(f"the logs must hold at least 10 answered calls, got "
                               f"{int(answered.sum())}")
    handle = fit_handle_time(log.talk_s[answered], short_s=settings.short_service_s,
                             resolution_s=settings.resolution_s)
    tl = timeline(log, settings.gap_s)
    obs = observe(log, tl, interval_s=settings.interval_s, awt_s=settings.awt_s)
    per = round(86400 / settings.interval_s)
    interval_key = (np.searchsorted(tl.days, log.day) * per
                    + (log.arrival_s // settings.interval_s).astype(int))
    patience = fit_patience(log.wait_s[asked], log.outcome[asked] == ABANDONED,
                            priority=log.priority[asked], interval_key=interval_key[asked],
                            resolution_s=settings.resolution_s)
    availability = learn_availability(tl, settings.gap_s)
    ivr_on = asked & ~np.isnan(log.ivr_s)
    ivr = log.ivr_s[ivr_on]
    ivr_mean = float(ivr.mean()) if len(ivr) else 0.0
    ivr_cv = float(ivr.std() / ivr_mean) if len(ivr) > 1 and ivr_mean > 0 else 0.0
    left = np.isin(log.outcome, (IVR_ABANDONED, IVR_SERVED)).sum()
    leave_share = float(left / (left + asked.sum()))
    effective = effective_staffing(obs.present, obs.k, settings.interval_s, availability)
    eff_by_type = {}
    for t in dict.fromkeys(arrivals.day_types):
        sel = np.array([x == t for x in arrivals.day_types])
        eff_by_type[t] = effective.reshape(-1, per)[sel].mean(axis=0)
    open_k = np.flatnonzero(np.max(np.vstack(list(eff_by_type.values())), axis=0)
                            >= MIN_AGENTS_OPEN)
    if not len(open_k):
        raise CalibrationError("no interval with agents present could be inferred from the "
                               "logs (no answered call names its agent)")
    window = (int(open_k[0]), int(open_k[-1]) + 1)
    hours_in = (obs.k >= window[0]) & (obs.k < window[1])
    factor, mae = fit_baseline_factor(obs, patience.exposure_mean_s, settings.awt_s,
                                      within=hours_in)
    return Calibration(settings=settings, log=log, arrivals=arrivals, handle_time=handle,
                       patience=patience, availability=availability, timeline=tl, observed=obs,
                       ivr_mean_s=ivr_mean, ivr_cv=ivr_cv, ivr_leave_share=leave_share,
                       baseline_factor=factor, baseline_factor_mae=mae, window=window,
                       effective_by_type=eff_by_type)


def usable_intervals(obs: Observed) -> np.ndarray:
    """Intervals a backtest can judge: calls offered, agents present, an AHT observed."""
    return (obs.offered > 0) & (obs.present > 0) & (obs.talk_total_s > 0)


def erlang_a_abandonment(obs: Observed, agents: np.ndarray, mean_patience_s: float,
                         awt_s: float, use: np.ndarray) -> list[dict]:
    """Erlang A figures per interval of ``use`` with the given (fractional) agents."""
    out = []
    for i in np.flatnonzero(use):
        out.append(fractional("erlang_a", arrival_rate_per_s=obs.offered[i] / obs.interval_s,
                              aht_s=float(obs.aht_s[i]), agents=float(agents[i]),
                              mean_patience_s=mean_patience_s, awt_s=awt_s))
    return out


def fit_baseline_factor(obs: Observed, mean_patience_s: float, awt_s: float,
                        within: np.ndarray | None = None) -> tuple[float, float]:
    """The analyst's factor on presence (module docstring, step 5) and its training MAE.

    Fitted on the usable intervals ``within`` the scenario's hours (all usable ones if None).
    """
    use = usable_intervals(obs) if within is None else usable_intervals(obs) & within
    weights = obs.offered[use]
    observed = obs.p_abandon[use]

    def mae(f: float) -> float:
        pred = np.array([r["p_abandon"] for r in
                         erlang_a_abandonment(obs, obs.present * f, mean_patience_s, awt_s, use)])
        return float((weights * np.abs(pred - observed)).sum() / weights.sum())

    grid = np.arange(0.2, 1.51, 0.1)
    best = float(grid[np.argmin([mae(f) for f in grid])])
    res = optimize.minimize_scalar(mae, bounds=(max(best - 0.1, 0.05), best + 0.1),
                                   method="bounded", options={"xatol": 1e-3})
    return (float(res.x), float(res.fun)) if res.fun <= mae(best) else (best, mae(best))

