"""Text tables: a generic aligned table, and the ``callsim run`` table with totals and targets."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from scenarios.calendar import interval_label
from scenarios.errors import plural

if TYPE_CHECKING:
    from erlang.targets import Verdict
    from plan.erlang_view import IntervalErlang
    from scenarios.schema import Scenario
    from sim.results import SimResult

#: Columns of the per-interval run table: simulation figures, then the formulas' figures.
RUN_METRICS = ("offered", "blocked", "ivr_abandoned", "abandoned", "answered", "service_level",
               "asa_s", "p_abandon", "occupancy", "agents")
#: Run-table column -> run-row key, for the Erlang figures beside the simulation.
_ERLANG_COLUMNS = {"erl_n": "erlang_agents", "C_sl": "erlang_c_service_level",
                   "C_asa_s": "erlang_c_asa_s", "A_sl": "erlang_a_service_level",
                   "A_p_ab": "erlang_a_p_abandon"}
_SUMMARY = ("offered", "after_hours", "blocked", "ivr_abandoned", "ivr_served", "abandoned",
            "answered", "unfinished", "lost_share", "service_level", "asa_s", "mean_wait_s",
            "wait_p90_s", "p_abandon", "occupancy")
_DIGITS = {"service_level": 3, "p_abandon": 3, "occupancy": 2, "asa_s": 1, "lost_share": 3}
_TARGET_LABELS = {
    "service_level": "service level >= {limit:g} within {awt_s:g} s",
    "max_asa_s": "ASA <= {limit:g} s",
    "max_abandon": "abandonment <= {limit:g}",
    "max_occupancy": "occupancy <= {limit:g}",
}


def format_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """Right-aligned text table with a header row (see :func:`cell` for the values)."""
    cells = [[cell(row.get(col)) for col in columns] for row in rows]
    widths = [max([len(col)] + [len(r[i]) for r in cells]) for i, col in enumerate(columns)]
    lines = ["  ".join(col.rjust(w) for col, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines)


def cell(value: Any) -> str:
    """One table cell: ``-`` for missing values, 4 decimals below 10, 1 decimal above."""
    if value is None:
        return "-"
    if isinstance(value, bool) or isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isinf(value):
            return "inf"
        if math.isnan(value):
            return "-"
        return f"{value:.4f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def _estimate_text(mean, ci, digits: int) -> str:
    """``mean±ci`` with ``digits`` decimals; ``-`` for a missing mean, no ``±`` without a CI."""
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "-"
    text = f"{mean:.{digits}f}"
    if ci is not None and math.isfinite(ci) and ci > 0:
        text += f"±{ci:.{digits}f}"
    return text


def run_rows(scenario: Scenario, result: SimResult,
             view: Sequence[IntervalErlang]) -> list[dict[str, Any]]:
    """One flat row per interval: ``<metric>`` and ``<metric>_ci95`` plus the Erlang columns."""
    rows = []
    for k, (estimates, erl) in enumerate(zip(result.intervals, view, strict=True)):
        row: dict[str, Any] = {"interval": k, "start": interval_label(scenario.calendar, k)}
        for name, est in estimates.items():
            row[name], row[f"{name}_ci95"] = est.mean, est.ci95
        for model, figures in (("erlang_c", erl.erlang_c), ("erlang_a", erl.erlang_a)):
            for key in ("service_level", "asa_s", "p_abandon"):
                row[f"{model}_{key}"] = getattr(figures, key) if figures else None
        row["erlang_agents"] = erl.agents
        for model in ("erlang_c", "erlang_a"):
            row[f"{model}_not_applicable"] = erl.not_applicable.get(model)
        if result.partial:  # an interrupted run: every row says so, CSV included
            row["partial"] = True
        rows.append(row)
    return rows


def run_table(scenario: Scenario, result: SimResult, rows: Sequence[dict[str, Any]],
              verdicts: Sequence[Sequence[Verdict]]) -> str:
    """The rows of :func:`run_rows` as a table (mean±CI95 beside Erlang C and A), then the
    whole-run totals and :func:`target_lines` for the per-interval ``verdicts``."""
    cells = []
    for row in rows:
        text = {"start": row["start"]}
        for name in RUN_METRICS:
            text[name] = _estimate_text(row[name], row[f"{name}_ci95"], _DIGITS.get(name, 1))
        text.update({short: cell(row[key]) for short, key in _ERLANG_COLUMNS.items()})
        cells.append(text)
    s = result.summary
    lines = [
        f"{scenario.name}: {plural(result.replications, 'replication')}, seed {result.entropy}",
        format_table(cells, ["start", *RUN_METRICS, *_ERLANG_COLUMNS]),
        "",
        "Whole run (mean ± 95% CI half-width over replications):",
    ]
    for name in _SUMMARY:
        if name in s:
            text = _estimate_text(s[name].mean, s[name].ci95, _DIGITS.get(name, 1))
            lines.append(f"  {name:<14} {text}")
    lines += ["", *target_lines(scenario, verdicts)]
    lines += not_applicable_lines(rows)
    lines += [
        "",
        f"Service level: answered within {scenario.targets.awt_s:g} s, definition "
        f"'{scenario.targets.sl_definition}'. Calls count in the interval they arrived in.",
        "C_* / A_*: Erlang C / Erlang A for the interval's calls past the IVR and erl_n agents "
        "(on duty, whole; walk-in work counted as slower handling), each interval stationary "
        "on its own; see plan/erlang_view.py for what the formulas leave out.",
    ]
    return "\n".join(lines)


def target_lines(scenario: Scenario, verdicts: Sequence[Sequence[Verdict]]) -> list[str]:
    """Per target, in how many intervals it is met and where it is missed.

    ``verdicts`` holds one sequence per interval (:func:`plan.targets.judge_intervals`). An
    interval whose figure is undefined (the warm-up, no call in the queue) is not counted: it
    has nothing to judge, which is not the same as missing the target.
    """
    by_target: dict[str, list[tuple[int, Verdict]]] = {}
    for k, interval in enumerate(verdicts):
        for v in interval:
            by_target.setdefault(v.target, []).append((k, v))
    out = []
    for target, judged in by_target.items():
        label = _TARGET_LABELS[target].format(limit=judged[0][1].limit,
                                              awt_s=scenario.targets.awt_s)
        judged = [(k, v) for k, v in judged if not math.isnan(v.value)]
        missed = [interval_label(scenario.calendar, k) for k, v in judged if not v.met]
        line = (f"Target {label}: met in {len(judged) - len(missed)} of "
                f"{plural(len(judged), 'interval')}")
        out.append(line + (f"; missed at {', '.join(missed)}" if missed else ""))
    return out


def not_applicable_lines(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Why an Erlang column shows ``-``: per model and reason, in how many intervals."""
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        for model, label in (("erlang_c", "Erlang C"), ("erlang_a", "Erlang A")):
            reason = row.get(f"{model}_not_applicable")
            if reason and reason != "no calls reach the queue":
                counts[label, reason] = counts.get((label, reason), 0) + 1
    return [f"{label} not applicable in {plural(n, 'interval')}: {reason}"
            for (label, reason), n in counts.items()]
