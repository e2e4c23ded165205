"""Plots of staffing plans: requirements per interval, and requirement against a roster.

matplotlib is imported lazily (inside the functions), with the Agg backend, so that importing
this module costs nothing and plots are written without a display.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from plan.requirements import Requirements
    from plan.shifts import Roster


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_requirements(req: Requirements, path: str | Path) -> None:
    """Agents on the phones per interval by each method (steps), heads to schedule of the
    simulation method (or Erlang A) dashed, and the intervals where the per-interval formula
    misses a target once simulated marked."""
    plt = _pyplot()
    labels = [r.label for r in req.intervals]
    x = np.arange(len(labels))
    fig, ax = plt.subplots(figsize=(max(7.0, 0.32 * len(labels) + 3), 4.5))
    styles = {"simulation": ("simulation (ISA)", "tab:red", "-", 3.2),
              "erlang_a": ("Erlang A", "tab:blue", "-", 1.6),
              "erlang_c": ("Erlang C", "black", ":", 1.6)}
    edges = np.arange(len(labels) + 1) - 0.5
    top = 1
    # The simulation first and widest, so that the formulas stay visible where they agree.
    for method, (name, colour, line, width) in styles.items():
        values = req.on_phone(method)
        if values is not None:
            ax.stairs(values, edges, label=f"{name}: on the phones", color=colour,
                      linestyle=line, linewidth=width, baseline=None)
            top = max(top, max(values))
    main = "simulation" if req.on_phone("simulation") is not None else req.formula
    heads = req.heads(main)
    if req.shrinkage > 0 and heads is not None:
        ax.stairs(heads, edges, linestyle="--", color=styles[main][1], linewidth=1.4,
                  label=f"{styles[main][0]}: heads (shrinkage {req.shrinkage:.0%})",
                  baseline=None)
        top = max(top, max(heads))
    flagged = [k for k, r in enumerate(req.intervals) if r.formula_meets is False]
    if flagged:
        marks = [req.on_phone(req.formula)[k] for k in flagged]
        ax.scatter(flagged, marks, marker="v", color="black", zorder=5,
                   label=f"{styles[req.formula][0]} misses a target when simulated")
    step = max(1, len(labels) // 17)
    ax.set_xticks(x[::step], labels[::step], rotation=45, ha="right")
    ax.set_ylim(0, top * 1.5)  # room for the legend above the steps
    ax.set_ylabel("agents")
    ax.set_xlabel("interval start")
    ax.set_title(textwrap.fill(f"Staffing requirement per interval: {req.scenario}", 80),
                 fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_roster(roster: Roster, path: str | Path) -> None:
    """Heads required per interval against agents rostered (on duty, not on a break), with the
    intervals left short shaded."""
    plt = _pyplot()
    x = np.arange(len(roster.labels))
    fig, ax = plt.subplots(figsize=(max(7.0, 0.32 * len(x) + 3), 4.5))
    ax.bar(x, roster.scheduled, width=0.85, color="tab:blue", alpha=0.45,
           label="rostered (on duty, not on a break)")
    ax.stairs(roster.required, np.arange(len(x) + 1) - 0.5, color="black", linewidth=1.8,
              label="required heads", baseline=None)
    short = roster.shortfall > 0
    if short.any():
        ax.bar(x[short], roster.shortfall[short], bottom=roster.scheduled[short], width=0.85,
               color="tab:red", alpha=0.7, label="short")
    step = max(1, len(x) // 17)
    ax.set_xticks(x[::step], list(roster.labels)[::step], rotation=45, ha="right")
    ax.set_ylim(0, max(1.0, float(np.max(roster.required)), float(np.max(roster.scheduled)))
                * 1.35)
    ax.set_ylabel("agents")
    ax.set_xlabel("interval start")
    ax.set_title(f"Roster against requirement (cost {roster.cost:,.2f} per day)", fontsize=10)
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
