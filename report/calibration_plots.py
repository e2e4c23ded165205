"""Plots of a calibration and of a backtest (PNG). matplotlib is imported lazily, here only.

* ``arrivals.png``: mean calls per interval by day type, with the 10-90 % band of single days;
* ``handle_time.png``: histogram of talk times against the fitted densities;
* ``patience.png``: Kaplan-Meier survival of patience against the fitted survival curves;
* ``abandonment_vs_wait.png``: per interval, P(abandon) against mean wait, with the line of
  slope 1 / mean patience (exponential MLE) and the regression line;
* the backtest plot: observed against predicted hourly abandonment per method, and the error
  per method pooled by hour of day.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def calibration_plots(cal, out_dir: str | Path) -> list[Path]:
    """Write the four calibration PNGs into ``out_dir``; return their paths."""
    plt = _pyplot()
    out = Path(out_dir)
    paths = []
    s = cal.settings
    per = round(86400 / s.interval_s)
    hours = np.arange(per) * s.interval_s / 3600

    fig, ax = plt.subplots(figsize=(8, 4.5))
    types = np.array(cal.arrivals.day_types)
    for t in dict.fromkeys(cal.arrivals.day_types):
        counts = cal.arrivals.counts[types == t]
        line = ax.plot(hours, counts.mean(axis=0), label=f"{t} ({len(counts)} days)")[0]
        if len(counts) > 2:
            lo, hi = np.percentile(counts, [10, 90], axis=0)
            ax.fill_between(hours, lo, hi, color=line.get_color(), alpha=0.2, step=None)
    ax.set(xlabel="hour of day", ylabel=f"calls per {s.interval_s / 60:g} min",
           title=f"Arrivals by day type (band: 10-90 % of days; busyness CV "
                 f"{cal.arrivals.busyness_cv:.2f})")
    ax.legend()
    paths.append(_save(fig, out / "arrivals.png", plt))

    fig, ax = plt.subplots(figsize=(8, 4.5))
    talk = cal.log.talk_s[~np.isnan(cal.log.talk_s)]
    top = np.percentile(talk, 99)
    ax.hist(talk[talk <= top], bins=80, density=True, color="0.8",
            label=f"talk times ({len(talk)} calls)")
    x = np.linspace(max(cal.handle_time.short_s, 0.5), top, 400)
    share = 1 - cal.handle_time.n_short / cal.handle_time.n_answered
    for f in cal.handle_time.fits:
        ax.plot(x, share * f.frozen().pdf(x), label=f"{f.family} (AIC {f.aic:.0f})")
    ax.axvline(cal.handle_time.short_s, color="k", ls=":", lw=1)
    ax.set(xlabel="talk time (s)", ylabel="density",
           title=f"Handle time: {cal.handle_time.chosen.family} chosen; "
                 f"{cal.handle_time.n_short} services < {cal.handle_time.short_s:g} s (dotted) "
                 "left out of the shape")
    ax.legend()
    paths.append(_save(fig, out / "handle_time.png", plt))

    fig, ax = plt.subplots(figsize=(8, 4.5))
    p = cal.patience
    ax.step(p.km_times_s, p.km_survival, where="post", color="k", label="Kaplan-Meier")
    x = np.linspace(0, max(p.km_times_s.max(), 1.0), 400)
    for f in p.fits:
        ax.plot(x, f.frozen().sf(x), label=f"{f.family} (mean {f.mean_s:.0f} s, "
                                           f"AIC {f.aic:.0f})")
    ax.set(xlabel="time in queue (s)", ylabel="P(patience > t)", ylim=(0, 1.02),
           title=f"Patience: {p.n_abandoned} abandons, {p.n_answered} answered (censored)")
    ax.legend()
    paths.append(_save(fig, out / "patience.png", plt))

    fig, ax = plt.subplots(figsize=(8, 4.5))
    obs = cal.observed
    use = obs.offered >= 5
    ax.scatter(obs.mean_wait_s[use], obs.p_abandon[use], s=np.sqrt(obs.offered[use]) * 2,
               alpha=0.4, label="intervals (size: calls)")
    w = np.linspace(0, np.nanmax(obs.mean_wait_s[use]) if use.any() else 1.0, 50)
    ax.plot(w, w / p.exposure_mean_s, label=f"abandons / total wait: {p.exposure_mean_s:.0f} s")
    ax.plot(w, w / p.regression_mean_s, ls="--",
            label=f"regression through 0: {p.regression_mean_s:.0f} s")
    ax.set(xlabel="mean wait of offered calls (s)", ylabel="P(abandon)",
           title="Abandonment against mean wait per interval (inverse slope = mean patience)")
    ax.legend()
    paths.append(_save(fig, out / "abandonment_vs_wait.png", plt))
    return paths


def backtest_plot(result, path: str | Path, methods: tuple[str, ...]) -> Path:
    """Observed against predicted hourly abandonment, and error by hour of day, per method."""
    plt = _pyplot()
    obs, index = result.observed, result.index
    observed = obs.p_abandon[index]
    hours = (obs.k[index] * obs.interval_s // 3600).astype(int)
    off = obs.offered[index]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 5))
    top = max(np.nanmax(observed), 0.05)
    ax1.plot([0, top], [0, top], color="k", lw=1)
    for m in methods:
        pred = result.predicted[m]["p_abandon"]
        mae = result.summary[m]["p_abandon_hourly_mae"]
        ax1.scatter(observed, pred, s=8, alpha=0.5, label=f"{m} (MAE {mae:.3f})")
        uniq = np.unique(hours)
        err = [np.average(pred[hours == h] - observed[hours == h], weights=off[hours == h])
               for h in uniq]
        ax2.plot(uniq, err, marker="o", ms=3, label=m)
    ax1.set(xlabel="observed P(abandon), per interval", ylabel="predicted",
            title="Hourly abandonment, backtest")
    ax1.legend(fontsize=8)
    ax2.axhline(0, color="k", lw=1)
    ax2.set(xlabel="hour of day", ylabel="predicted - observed (call-weighted)",
            title="Abandonment bias by hour of day")
    ax2.legend(fontsize=8)
    return _save(fig, Path(path), plt)


def _save(fig, path: Path, plt) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
