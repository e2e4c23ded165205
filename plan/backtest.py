"""Backtest: replay another period's intervals through Erlang C, Erlang A and the simulation.

For each interval of the test logs, every method gets the same inputs: the calls that asked for
an agent, the interval's observed AHT, and staffing inferred from the logs the way calibration
inferred it (presence from work sessions) then corrected as calibration learned (availability by
hour of day). Methods:

``erlang_c``            M/M/n, effective staffing (fractional agents interpolated);
``erlang_a``            M/M/n+M, effective staffing, the calibrated mean patience (exponential);
``simulation``          the calibrated simulation, day by day: the observed queue-entry instants
                        replayed, effective staffing per quarter hour (whole agents by error
                        diffusion, so each hour keeps its fractional mean), talk times drawn
                        from the calibrated family scaled to the interval's AHT, patience from
                        the calibrated distribution; the queue carries over between intervals;
``baseline_headcount``  Erlang A with agents = presence (the head count) [baseline a];
``baseline_factor``     Erlang A with agents = presence x the factor fitted on the training
                        period [baseline b].

Judged: intervals inside the scenario's hours (those calibration found staffed) with calls
offered, agents present and a positive AHT observed.

Staffing known to the user (``staffing=``, ``callsim backtest --staffing FILE``) replaces the
inferred effective staffing where given.

Summary keys say ``hourly`` for the error per interval (hours at the default 60-minute
interval), ``daily`` for rates pooled by day and ``by_hour_of_day`` for rates pooled by time of
day over all days; MAE and bias are weighted by offered calls (ASA: by answered calls).

The noise floor: how far one replication's hourly abandonment lies from the mean of all
replications, i.e. the error a perfect model would still make on one real day (call-weighted
mean absolute deviation, averaged over replications).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from calibrate.calibration import effective_staffing, usable_intervals
from calibrate.logs import CallLog
from calibrate.observed import Observed, observe
from calibrate.staffing import Availability, fractional, timeline
from scenarios.schema import (
    AgentGroup,
    Calendar,
    CallType,
    Distribution,
    Scenario,
    Simulation,
    Targets,
)
from sim.arrivals import Arrival
from sim.dists import sampler
from sim.replicate import run_replication
from sim.streams import replication_seed

METHODS = ("erlang_c", "erlang_a", "simulation", "baseline_headcount", "baseline_factor")
METRICS = ("p_abandon", "asa_s", "service_level")
_QUARTER_S = 900.0
_QUARTERS = 100  # 25 hours: calls queued just before midnight finish in the same day's run


@dataclass(frozen=True)
class Learned:
    """What the backtest takes from calibration (calibration.json) beside the scenario."""

    availability: Availability
    baseline_factor: float
    mean_patience_s: float
    gap_s: float
    interval_s: float
    scale: float = 1.0

    @property
    def by_hour(self) -> np.ndarray:
        """Availability share by hour of day, times the simulation-tuned scale."""
        return self.availability.by_hour * self.scale

    @classmethod
    def from_document(cls, doc: dict) -> Learned:
        st = doc["staffing"]
        av = st["availability"]
        return cls(
            availability=Availability(by_hour=np.array(av["by_hour"], dtype=float),
                                      pooled=float(av["pooled"]),
                                      queued_agent_hours=np.array(av["queued_agent_hours"]),
                                      gap_s=float(av["gap_s"])),
            baseline_factor=float(st["baseline_factor"]["factor"]),
            mean_patience_s=float(doc["patience"]["abandonments_over_total_wait_mean_s"]),
            gap_s=float(av["gap_s"]),
            interval_s=float(doc["settings"]["interval_s"]),
            scale=float(av.get("simulation_scale", 1.0)),
        )


@dataclass(frozen=True, eq=False)
class Backtest:
    """Observed and predicted figures per usable interval, and the error summary."""

    observed: Observed
    index: np.ndarray
    predicted: dict
    noise_floor: dict
    summary: dict

    def document(self) -> dict:
        obs, out = self.observed, []
        for j, i in enumerate(self.index):
            out.append({
                "start": obs.start_label(i),
                "offered": int(obs.offered[i]),
                "agents_present": float(obs.present[i]),
                "aht_s": float(obs.aht_s[i]),
                "observed": {"p_abandon": float(obs.p_abandon[i]), "asa_s": _num(obs.asa_s[i]),
                             "service_level": float(obs.service_level[i])},
                "predicted": {m: {k: _num(self.predicted[m][k][j]) for k in METRICS}
                              for m in METHODS},
            })
        return {"intervals": out, "summary": self.summary, "noise_floor": self.noise_floor}

    def rows(self) -> list[dict]:
        """CSV: one row per interval and method."""
        doc = self.document()
        rows = []
        for iv in doc["intervals"]:
            for m in METHODS:
                rows.append({"start": iv["start"], "offered": iv["offered"], "method": m,
                             **{f"observed_{k}": iv["observed"][k] for k in METRICS},
                             **{f"predicted_{k}": iv["predicted"][m][k] for k in METRICS}})
        return rows


def _num(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _dither(values: np.ndarray) -> np.ndarray:
    """Whole numbers whose running sum tracks the running sum of ``values`` (error diffusion)."""
    out = np.zeros(len(values), dtype=int)
    carry = 0.0
    for i, v in enumerate(values):
        out[i] = max(math.floor(v + carry + 0.5), 0)
        carry += v - out[i]
    return out


def backtest(scenario: Scenario, learned: Learned, log: CallLog, *, replications: int = 10,
             seed: int = 1, progress: Callable[[int, int], None] | None = None,
             staffing: dict[tuple[int, int], float] | None = None) -> Backtest:
    """Predict every usable interval of ``log`` with each method (module docstring).

    ``staffing`` maps (date ordinal, interval of the day) to effective agents the user knows,
    replacing the inferred effective staffing of Erlang C, Erlang A and the simulation in those
    intervals (the baselines keep the head count, as defined).
    """
    interval_s, awt_s = learned.interval_s, scenario.targets.awt_s
    tl = timeline(log, learned.gap_s)
    obs = observe(log, tl, interval_s=interval_s, awt_s=awt_s)
    index = np.flatnonzero(_judged(obs, scenario))
    eff = effective_staffing(obs.present, obs.k, interval_s, learned.availability) * learned.scale
    given = np.full(len(eff), np.nan)
    for (day, k), agents in (staffing or {}).items():
        hits = np.flatnonzero((obs.day == day) & (obs.k == k))
        given[hits] = agents
    eff = np.where(np.isnan(given), eff, given)
    agents_by = {"erlang_c": eff, "erlang_a": eff, "baseline_headcount": obs.present,
                 "baseline_factor": obs.present * learned.baseline_factor}
    predicted = {}
    for method, agents in agents_by.items():
        model = "erlang_c" if method == "erlang_c" else "erlang_a"
        figs = [fractional(model, arrival_rate_per_s=obs.offered[i] / interval_s,
                           aht_s=float(obs.aht_s[i]), agents=float(agents[i]),
                           mean_patience_s=learned.mean_patience_s, awt_s=awt_s)
                for i in index]
        predicted[method] = {k: np.array([f[k] for f in figs]) for k in METRICS}
    sim_figs, floor = _simulate(scenario, learned, log, tl, obs, index, replications, seed,
                                progress, given)
    predicted["simulation"] = sim_figs
    summary = _summary(obs, index, predicted)
    return Backtest(observed=obs, index=index, predicted=predicted, noise_floor=floor,
                    summary=summary)


def _judged(obs: Observed, scenario: Scenario) -> np.ndarray:
    """Usable intervals inside the scenario's hours (the hours calibration found staffed)."""
    cal = scenario.calendar
    start = (obs.k * obs.interval_s - cal.start_s) % 86400.0
    return usable_intervals(obs) & (start < cal.day_s)


def tune_availability(scenario: Scenario, learned: Learned, log: CallLog, *,
                      replications: int = 3, seed: int = 1,
                      progress: Callable[[int, int], None] | None = None) -> tuple[float, dict]:
    """The scale on the availability shares at which the simulation replays the training
    period's pooled abandonment exactly.

    The availability shares are estimated where queues formed, i.e. when agents were scarcest,
    and so understate availability (:mod:`calibrate.staffing`). One factor corrects the level and
    keeps the hour-of-day shape: the root of simulated minus observed pooled abandonment on the
    training logs (common random numbers make it a smooth, decreasing function of the scale;
    secant steps to 0.005, Brent's method on [0.5, 2] as the fallback). Returns the scale and a
    record of the search.
    """
    from dataclasses import replace

    from scipy import optimize

    tl = timeline(log, learned.gap_s)
    obs = observe(log, tl, interval_s=learned.interval_s, awt_s=scenario.targets.awt_s)
    index = np.flatnonzero(_judged(obs, scenario))
    off = obs.offered[index]
    target = float(obs.abandoned[index].sum() / off.sum())
    trail: list[tuple[float, float]] = []

    def gap(scale: float) -> float:
        figs, _ = _simulate(scenario, replace(learned, scale=scale), log, tl, obs, index,
                            replications, seed, None)
        pooled = float(figs["p_abandon"] @ off / off.sum())
        trail.append((scale, pooled))
        if progress is not None:
            progress(len(trail), 0)
        return pooled - target

    # Secant steps from 1 and 1.25 (the gap is smooth and decreasing under common random
    # numbers, so 3-5 simulations usually do); Brent on [0.5, 2] if a step leaves that range.
    x0, x1 = 1.0, 1.25
    g0, g1 = gap(x0), gap(x1)
    scale = None
    for _ in range(6):
        if g1 == g0:
            break
        x2 = x1 - g1 * (x1 - x0) / (g1 - g0)
        if not 0.5 <= x2 <= 2.0:
            break
        if abs(x2 - x1) < 0.005:
            scale = x2
            break
        x0, g0, x1, g1 = x1, g1, x2, gap(x2)
    if scale is None:
        lo, hi = 0.5, 2.0
        g_lo, g_hi = gap(lo), gap(hi)
        if g_lo < 0 or g_hi > 0:
            scale = lo if g_lo < 0 else hi
        else:
            scale = float(optimize.brentq(gap, lo, hi, xtol=0.005))
    return scale, {"method": "scale on availability so that the simulation replays the "
                             "training period's pooled abandonment (secant, else Brent; "
                             "common random numbers)",
                   "observed_pooled_abandonment": target, "replications": replications,
                   "search": [{"scale": a, "simulated": b} for a, b in trail]}


def _simulate(scenario, learned, log, tl, obs, index, replications, seed, progress,
              given=None):
    ct = scenario.call_types[0]
    unit_handle = sampler(Distribution(kind=ct.handle_time.kind, mean_s=1.0,
                                       cv=ct.handle_time.cv))
    per = round(86400 / learned.interval_s)
    present_q = tl.per_interval("present", _QUARTER_S)
    quarters = np.arange(present_q.shape[1])
    hour_q = (quarters * _QUARTER_S // 3600).astype(int) % 24
    asked = log.asked_for_agent
    n_int = len(obs.offered)
    sums = {k: np.zeros((replications, n_int)) for k in ("abandoned", "answered", "within",
                                                        "wait")}
    awt_s = scenario.targets.awt_s
    for d, day in enumerate(tl.days):
        sel = asked & (log.day == day)
        # The instant each call asked for an agent: its queue entry, or for a call answered
        # without queueing its answer (the IVR exit); the arrival only if neither is logged.
        asked_s = np.where(np.isnan(log.answer_s[sel]), log.arrival_s[sel], log.answer_s[sel])
        q_s = np.where(np.isnan(log.queue_s[sel]), asked_s, log.queue_s[sel])
        order = np.argsort(q_s, kind="stable")
        q_s = q_s[order]
        k_arr = (log.arrival_s[sel][order] // learned.interval_s).astype(int)
        row = d * per + k_arr
        aht = obs.aht_s[row]
        aht = np.where(np.isnan(aht) | (aht <= 0), np.nanmean(obs.aht_s[d * per:(d + 1) * per]),
                       aht)
        staff = np.zeros(_QUARTERS, dtype=int)
        eff_q = present_q[d] * learned.by_hour[hour_q]
        if given is not None:  # user-given agents per interval, constant within it
            per_q = round(learned.interval_s / _QUARTER_S)
            day_given = np.repeat(given[d * per:(d + 1) * per], per_q)[: len(eff_q)]
            eff_q = np.where(np.isnan(day_given), eff_q, day_given)
        staff[: len(eff_q)] = _dither(eff_q)
        day_sc = Scenario(
            name="backtest day",
            calendar=Calendar(start_s=0.0, interval_s=_QUARTER_S, intervals_per_day=_QUARTERS),
            call_types=(CallType(name="calls", calls_per_interval=(("day", (0.0,) * _QUARTERS),),
                                 handle_time=ct.handle_time, patience=ct.patience),),
            agent_groups=(AgentGroup(name="agents", skills=("calls",),
                                     staffing=tuple(int(x) for x in staff)),),
            targets=Targets(awt_s=awt_s),
            simulation=Simulation(replications=replications, seed=seed),
        )
        for r in range(replications):
            rng = np.random.default_rng([seed, int(day), r])
            handle = unit_handle(rng, len(q_s)) * aht
            arrivals = [Arrival(arrival_s=float(t), call_type="calls", handle_s=float(h),
                                greeting_s=0.0, ivr_patience_s=math.inf)
                        for t, h in zip(q_s, handle, strict=True)]
            rec: list = []
            run_replication(day_sc, replication_seed(seed * 1_000_003 + int(day), r),
                            on_record=rec.append, arrivals=arrivals)
            for x in rec:
                i = row[x.call_id]
                if x.outcome == "abandoned":
                    sums["abandoned"][r, i] += 1
                elif x.outcome == "answered":
                    sums["answered"][r, i] += 1
                    sums["wait"][r, i] += x.wait_s or 0.0
                    sums["within"][r, i] += (x.wait_s or 0.0) <= awt_s
        if progress is not None:
            progress(d + 1, len(tl.days))
    off = obs.offered[index]
    with np.errstate(invalid="ignore", divide="ignore"):
        p_ab = sums["abandoned"][:, index] / off
        sl = sums["within"][:, index] / off
        asa = sums["wait"][:, index] / sums["answered"][:, index]
    figs = {"p_abandon": p_ab.mean(axis=0), "service_level": sl.mean(axis=0),
            "asa_s": _nanmean(asa)}
    w = off / off.sum()
    floor = {
        "p_abandon_hourly_mae": float(np.mean(np.abs(p_ab - figs["p_abandon"]) @ w)),
        "service_level_hourly_mae": float(np.mean(np.abs(sl - figs["service_level"]) @ w)),
        "p_abandon_daily_mae": _daily_floor(obs, index, sums["abandoned"][:, index]),
        "method": "mean absolute deviation of single replications from the mean of all "
                  "replications of the calibrated simulation, call-weighted",
        "replications": replications,
    }
    return figs, floor


def _nanmean(values: np.ndarray) -> np.ndarray:
    """Mean over replications ignoring nan (no answered call); nan where all are nan."""
    ok = np.isfinite(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, values, 0.0).sum(axis=0) / ok.sum(axis=0)


def _daily_floor(obs: Observed, index: np.ndarray, abandoned: np.ndarray) -> float:
    days = obs.day[index]
    off = obs.offered[index]
    _uniq, inv = np.unique(days, return_inverse=True)
    tot = np.bincount(inv, weights=off)
    per_rep = np.array([np.bincount(inv, weights=a) / tot for a in abandoned])
    return float(np.mean(np.abs(per_rep - per_rep.mean(axis=0)) @ (tot / tot.sum())))


def _summary(obs: Observed, index: np.ndarray, predicted: dict) -> dict:
    off = obs.offered[index]
    observed = {"p_abandon": obs.p_abandon[index], "service_level": obs.service_level[index],
                "asa_s": obs.asa_s[index]}
    answered = obs.answered[index]
    days, hours = obs.day[index], obs.k[index]
    out = {}
    for m in METHODS:
        pm = predicted[m]
        entry = {}
        for k in METRICS:
            w = answered if k == "asa_s" else off
            err = pm[k] - observed[k]
            ok = np.isfinite(err) & (w > 0)
            total = w[ok].sum()  # 0 when a method has no finite figure (Erlang C overload)
            entry[f"{k}_hourly_mae"] = float(np.abs(err[ok]) @ w[ok] / total) if total else None
            entry[f"{k}_hourly_bias"] = float(err[ok] @ w[ok] / total) if total else None
            if k != "asa_s":
                entry[f"{k}_daily_mae"], entry[f"{k}_daily_bias"] = _pooled(
                    days, off, pm[k], observed[k])
                entry[f"{k}_by_hour_of_day_mae"], _ = _pooled(hours, off, pm[k], observed[k])
        out[m] = entry
    return out


def _pooled(groups, weights, pred, obs) -> tuple[float, float]:
    """Error of call-weighted pooled rates per group, averaged with the groups' weights."""
    ok = np.isfinite(pred) & np.isfinite(obs)
    _uniq, inv = np.unique(groups[ok], return_inverse=True)
    w = np.bincount(inv, weights=weights[ok])
    p = np.bincount(inv, weights=weights[ok] * pred[ok]) / w
    o = np.bincount(inv, weights=weights[ok] * obs[ok]) / w
    return float(np.abs(p - o) @ w / w.sum()), float((p - o) @ w / w.sum())
