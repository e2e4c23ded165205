"""Plots for planners: every function returns a matplotlib ``Figure``; :func:`save` writes it.

matplotlib is imported lazily, inside the functions, and only through ``matplotlib.figure.Figure``
with the Agg canvas (no pyplot, no display, no global state), so the rest of callsim never pays
for it and plotting works on a headless server.

Every plot has a title, axis labels with units and a legend; CI bands and whiskers are 95 %
confidence intervals over replications (Student t), as in the tables.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from scenarios.calendar import interval_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from plan.compare import Comparison
    from plan.erlang_view import IntervalErlang
    from plan.explain import Explanation
    from plan.sweep import SweepResult
    from scenarios.schema import Scenario
    from sim.results import SimResult

#: Colours: simulation, Erlang C, Erlang A, then variants (colour-blind-safe Okabe-Ito).
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
          "#000000")
#: Plain-words names of the figures, with units, for axes and legends.
LABELS = {
    "service_level": "service level (share answered within AWT)",
    "p_abandon": "P(abandon) (share of queued calls)",
    "lost_share": "calls lost (share of offered)",
    "asa_s": "ASA (mean wait of answered calls), s",
    "answered": "answered calls",
    "abandoned": "abandoned calls",
    "blocked": "blocked calls (busy signal)",
    "ivr_abandoned": "hang-ups in the IVR",
    "occupancy": "occupancy (share of available time on calls)",
    "mean_wait_s": "mean wait in queue, s",
    "offered": "calls offered",
    "queue_len_avg": "mean callers in queue",
    "p_no_wait": "P(answered at once)",
    "mean_wait_abandoned_s": "mean wait of abandoned callers, s",
}


def label(metric: str) -> str:
    """The axis label of a figure name."""
    return LABELS.get(metric, metric.replace("_", " "))


def _figure(width: float = 8.0, height: float = 4.5, rows: int = 1) -> tuple[Figure, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height * rows), layout="constrained")
    axes = fig.subplots(rows, 1, squeeze=False)[:, 0]
    return fig, axes


def save(fig: Figure, directory: str | Path, name: str,
         formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Write ``fig`` as ``directory/name.png`` and ``.svg`` (the folder is made if missing)."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = out / f"{name}.{fmt}"
        fig.savefig(path, format=fmt, dpi=110)
        paths.append(path)
    return paths


def png_bytes(fig: Figure) -> bytes:
    """``fig`` as PNG bytes (for embedding in the HTML report)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def _means(result: SimResult, metric: str) -> tuple[np.ndarray, np.ndarray]:
    mean = np.array([iv[metric].mean if metric in iv else math.nan for iv in result.intervals])
    ci = np.array([iv[metric].ci95 if metric in iv else math.nan for iv in result.intervals])
    return mean, np.nan_to_num(ci, nan=0.0)


def _interval_axis(ax, scenario: Scenario, n: int) -> np.ndarray:
    x = np.arange(n)
    step = max(1, n // 12)
    ax.set_xticks(x[::step])
    ax.set_xticklabels([interval_label(scenario.calendar, k) for k in x[::step]],
                       rotation=45 if n > 12 else 0)
    ax.set_xlabel("interval start (calls count in the interval they arrived in)")
    ax.grid(alpha=0.3)
    return x


def arrivals_and_agents(scenario: Scenario, result: SimResult) -> Figure:
    """Calls offered per interval (bars, with CI) and agents on duty (line, right axis)."""
    fig, (ax,) = _figure()
    offered, ci = _means(result, "offered")
    agents, _ = _means(result, "agents")
    x = _interval_axis(ax, scenario, len(offered))
    ax.bar(x, offered, yerr=ci, color=COLORS[0], alpha=0.75, capsize=3,
           label="calls offered (mean, 95 % CI)")
    ax.set_ylabel("calls per interval")
    right = ax.twinx()
    right.step(x, agents, where="mid", color=COLORS[1], linewidth=2.5, label="agents on duty")
    right.set_ylabel("agents on duty")
    right.set_ylim(0, max(1.0, float(np.nanmax(agents)) * 1.3) if agents.size else 1.0)
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    labels = ax.get_legend_handles_labels()[1] + right.get_legend_handles_labels()[1]
    ax.legend(handles, labels, loc="upper right")
    _title(ax, f"{scenario.name}: calls offered and agents on duty")
    return fig


def sl_and_abandonment(scenario: Scenario, result: SimResult,
                       view: Sequence[IntervalErlang]) -> Figure:
    """Service level and P(abandon) per interval: simulation (mean, 95 % band) against the
    Erlang C and Erlang A figures of each interval."""
    from erlang.targets import SL_DEFINITIONS

    sl_name = SL_DEFINITIONS[scenario.targets.sl_definition]
    fig, axes = _figure(rows=2, height=3.6)
    for ax, metric in zip(axes, ("service_level", "p_abandon"), strict=True):
        mean, ci = _means(result, metric)
        x = _interval_axis(ax, scenario, len(mean))
        ax.plot(x, mean, color=COLORS[0], marker="o", label="simulation (mean)")
        ax.fill_between(x, mean - ci, mean + ci, color=COLORS[0], alpha=0.2,
                        label="simulation 95 % CI")
        name = sl_name if metric == "service_level" else "p_abandon"
        c = [getattr(v.erlang_c, name) if v.erlang_c else math.nan for v in view]
        a = [getattr(v.erlang_a, name) if v.erlang_a else math.nan for v in view]
        ax.plot(x, c, color=COLORS[1], linestyle="--", marker="s", label="Erlang C")
        ax.plot(x, a, color=COLORS[2], linestyle=":", marker="^", label="Erlang A")
        if metric == "service_level" and scenario.targets.service_level is not None:
            ax.axhline(scenario.targets.service_level, color="grey", linewidth=1,
                       label=f"target {scenario.targets.service_level:g}")
        if metric == "p_abandon" and scenario.targets.max_abandon is not None:
            ax.axhline(scenario.targets.max_abandon, color="grey", linewidth=1,
                       label=f"target <= {scenario.targets.max_abandon:g}")
        ax.set_ylim(-0.02, 1.02)
        ax.set_ylabel(label(metric))
        ax.legend(loc="best", fontsize=8)
    _title(axes[0], f"{scenario.name}: service level (within {scenario.targets.awt_s:g} s) "
                      "and abandonment per interval")
    return fig


def waiting_times(scenario: Scenario, result: SimResult,
                  view: Sequence[IntervalErlang]) -> Figure:
    """The waiting-time distribution over the day: share of queued calls answered within t.

    Simulation at 0 s (answered at once) and at each threshold of
    :data:`sim.metrics.AWT_THRESHOLDS_S` with 95 % CIs; beside it, the Erlang C and Erlang A
    curves for the same day (each interval's figure weighted by its calls reaching the queue).
    """
    from erlang.erlang_a import erlang_a
    from erlang.erlang_c import erlang_c
    from erlang.targets import SL_DEFINITIONS
    from sim.metrics import AWT_THRESHOLDS_S

    sl_name = SL_DEFINITIONS[scenario.targets.sl_definition]
    s = result.summary
    ts = [0.0, *AWT_THRESHOLDS_S]
    keys = ["p_no_wait", *(f"sl_{t}s" for t in AWT_THRESHOLDS_S)]
    mean = [s[k].mean if k in s else math.nan for k in keys]
    ci = [s[k].ci95 if k in s else math.nan for k in keys]
    grid = np.linspace(0.0, max(AWT_THRESHOLDS_S) * 1.05, 60)
    curves = {"c": np.zeros(grid.size), "a": np.zeros(grid.size)}
    weights = {"c": 0.0, "a": 0.0}
    for v in view:
        if v.erlang_c is None:
            continue
        rate = v.erlang_c.arrival_rate_per_s
        for i, t in enumerate(grid):
            c = erlang_c(arrival_rate_per_s=rate, aht_s=v.aht_s, agents=v.agents, awt_s=t)
            curves["c"][i] += v.queue_calls * getattr(c, sl_name)
        weights["c"] += v.queue_calls
        if v.erlang_a is not None:
            for i, t in enumerate(grid):
                a = erlang_a(arrival_rate_per_s=rate, aht_s=v.aht_s, agents=v.agents,
                             mean_patience_s=v.erlang_a.mean_patience_s, awt_s=t,
                             short_abandon_s=scenario.targets.short_abandon_s)
                curves["a"][i] += v.queue_calls * getattr(a, sl_name)
            weights["a"] += v.queue_calls
    fig, (ax,) = _figure()
    ax.errorbar(ts, mean, yerr=np.nan_to_num(ci), color=COLORS[0], marker="o", capsize=4,
                label="simulation (mean, 95 % CI)")
    if weights["c"] > 0:
        ax.plot(grid, curves["c"] / weights["c"], color=COLORS[1], linestyle="--",
                label="Erlang C")
    if weights["a"] > 0:
        ax.plot(grid, curves["a"] / weights["a"], color=COLORS[2], linestyle=":",
                label="Erlang A")
    ax.axvline(scenario.targets.awt_s, color="grey", linewidth=1,
               label=f"AWT {scenario.targets.awt_s:g} s")
    ax.set_xlabel("waiting time t, s")
    ax.set_ylabel("share of queued calls answered within t")
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    _title(ax, f"{scenario.name}: how long callers wait (whole day)")
    return fig


def sweep_curves(result: SweepResult, metric: str, parameter: str) -> Figure:
    """``metric`` against one swept ``parameter``, one line (with CI band) per combination of
    the other parameters."""
    grid = result.header["grid"]
    others = [k for k in grid if k != parameter]
    lines: dict[tuple, list[tuple[Any, float, float]]] = {}
    for p in result.points:
        key = tuple((k, p.values[k]) for k in others)
        e = p.summary.get(metric, {})
        mean = math.nan if e.get("mean") is None else e["mean"]
        ci = 0.0 if e.get("ci95") is None else e["ci95"]
        lines.setdefault(key, []).append((p.values[parameter], mean, ci))
    fig, (ax,) = _figure()
    numeric = all(isinstance(v, int | float) for v in grid[parameter])
    for i, (key, pts) in enumerate(lines.items()):
        pts.sort(key=lambda t: t[0] if numeric else str(t[0]))
        xs = [t[0] for t in pts] if numeric else list(range(len(pts)))
        mean = np.array([t[1] for t in pts])
        ci = np.array([t[2] for t in pts])
        name = ", ".join(f"{k}={v}" for k, v in key) or "simulation"
        color = COLORS[i % len(COLORS)]
        ax.plot(xs, mean, marker="o", color=color, label=f"{name} (mean)")
        ax.fill_between(xs, mean - ci, mean + ci, color=color, alpha=0.2)
    if not numeric:
        ax.set_xticks(range(len(grid[parameter])))
        ax.set_xticklabels([str(v) for v in grid[parameter]])
    ax.set_xlabel(parameter)
    ax.set_ylabel(label(metric))
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8, title="bands: 95 % CI")
    _title(ax, f"{label(metric)} against {parameter}")
    return fig


def compare_bars(comparison: Comparison, metrics: Sequence[str]) -> Figure:
    """Per metric, each variant's difference from the base with paired 95 % CI whiskers (and the
    unpaired CI, thin, for contrast)."""
    variants = comparison.variants[1:]
    fig, axes = _figure(rows=len(metrics), height=2.6)
    width = 0.8 / max(1, len(variants))
    for row, (ax, metric) in enumerate(zip(axes, metrics, strict=True)):
        for j in range(1, len(variants) + 1):
            d = comparison.totals[j][metric]
            first = row == 0 and j == 1  # one legend entry per kind of whisker
            x = j - 1
            ax.bar(x, d.mean, width=0.6, color=COLORS[(j + 2) % len(COLORS)])
            ax.errorbar(x - width * 0.1, d.mean, yerr=np.nan_to_num(d.ci95_unpaired),
                        color="grey", capsize=3, linewidth=1,
                        label="unpaired 95 % CI" if first else None)
            ax.errorbar(x + width * 0.1, d.mean, yerr=np.nan_to_num(d.ci95), color="black",
                        capsize=5, linewidth=2,
                        label="paired 95 % CI (common random numbers)" if first else None)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xticks(range(len(variants)))
        ax.set_xticklabels([v.name for v in variants])
        ax.set_ylabel(f"change in\n{label(metric)}", fontsize=8)
        ax.grid(alpha=0.3, axis="y")
    fig.legend(loc="outside lower center", ncols=2, fontsize=8)
    _title(axes[0], f"Each variant minus '{comparison.variants[0].name}' "
                      f"({comparison.replications} paired replications)")
    return fig


def explain_waterfall(explanation: Explanation, metric: str) -> Figure:
    """The walk from Erlang C to the simulation as a waterfall: each step's contribution to
    ``metric`` with its 95 % CI, the first and last levels as full bars."""
    steps = explanation.steps
    fig, (ax,) = _figure(width=9.0, height=5.0)
    level = 0.0
    for i, step in enumerate(steps):
        d = step.contributions[metric]
        if i == 0:
            bottom, height, color = 0.0, step.levels[metric].mean, COLORS[1]
        else:
            bottom, height = level, d.mean
            color = COLORS[2] if d.mean >= 0 else COLORS[3]
        ax.bar(i, height, bottom=bottom, color=color, alpha=0.85)
        if i > 0 and math.isfinite(d.ci95) and d.ci95 > 0:
            ax.errorbar(i, bottom + height, yerr=d.ci95, color="black", capsize=4)
        level = step.levels[metric].mean
    last = len(steps)
    final = steps[-1].levels[metric]
    ax.bar(last, final.mean, color=COLORS[0], alpha=0.85)
    if math.isfinite(final.ci95):
        ax.errorbar(last, final.mean, yerr=final.ci95, color="black", capsize=4)
    names = [s.label.removeprefix("+ ") for s in steps] + ["full simulation"]
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels([_wrap(n) for n in names], rotation=60, ha="right", fontsize=7)
    ax.set_ylabel(label(metric))
    ax.grid(alpha=0.3, axis="y")
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=COLORS[1], label="Erlang C level"),
                       Patch(color=COLORS[2], label="step raises it"),
                       Patch(color=COLORS[3], label="step lowers it"),
                       Patch(color=COLORS[0], label="full simulation level")],
              loc="best", fontsize=8, title="whiskers: 95 % CI")
    _title(ax, f"{explanation.scenario_name}: from Erlang C to the simulation, step by step: "
               f"{label(metric)}")
    return fig


def _title(ax, text: str) -> None:
    ax.set_title(_wrap(text, 90), fontsize=10)


def _wrap(text: str, width: int = 28) -> str:
    words, lines, line = text.split(), [], ""
    for w in words:
        if len(line) + len(w) + 1 > width and line:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "\n".join(lines)
