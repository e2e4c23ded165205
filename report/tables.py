"""Text tables: a generic aligned table, and the ``callsim run`` table with totals and targets."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from scenarios.errors import plural

if TYPE_CHECKING:
    from erlang.targets import Verdict
    from plan.erlang_view import IntervalErlang
    from scenarios.schema import Scenario
    from sim.results import SimResult

#: Width of the run text outside ``--wide`` (prose is wrapped to it; a test holds the tables).
TEXT_WIDTH = 100
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
_DIGITS = {"service_level": 3, "p_abandon": 3, "occupancy": 2, "asa_s": 1, "lost_share": 3,
           "p_no_wait": 3, "queue_len_avg": 2}
_TARGET_LABELS = {
    "service_level": "service level >= {limit:g} within {awt_s:g} s",
    "max_asa_s": "ASA <= {limit:g} s",
    "max_abandon": "abandonment <= {limit:g}",
    "max_occupancy": "occupancy <= {limit:g}",
}


def format_table(rows: Sequence[dict[str, Any]], columns: Sequence[str],
                 left: Sequence[str] = ()) -> str:
    """Text table with a header row (see :func:`cell` for the values), right-aligned except
    the ``left`` columns (labels)."""
    cells = [[cell(row.get(col)) for col in columns] for row in rows]
    widths = [max([len(col)] + [len(r[i]) for r in cells]) for i, col in enumerate(columns)]

    def line(texts):
        return "  ".join(t.ljust(w) if col in left else t.rjust(w)
                         for t, w, col in zip(texts, widths, columns, strict=True)).rstrip()

    return "\n".join([line(columns), *(line(r) for r in cells)])


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


def estimate_text(mean, ci, digits: int, sep: str = "±") -> str:
    """``mean±ci`` with ``digits`` decimals; ``-`` for a missing mean, no ``±`` without a CI.

    ``sep`` joins the two: tight in the text tables, ``" ± "`` in the HTML report's prose.
    """
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "-"
    text = f"{mean:.{digits}f}"
    if ci is not None and math.isfinite(ci) and ci > 0:
        text += f"{sep}{ci:.{digits}f}"
    return text


def run_rows(scenario: Scenario, result: SimResult, view: Sequence[IntervalErlang],
             targets: Sequence[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """One flat row per interval: ``<metric>`` and ``<metric>_ci95`` plus the Erlang columns,
    and per target (:func:`report.formats.target_document`) ``met_<target>`` and
    ``p_met_<target>``."""
    from scenarios.calendar import interval_label  # (numpy: not for the erlang commands' tables)

    rows = []
    for k, (estimates, erl) in enumerate(zip(result.intervals, view, strict=True)):
        row: dict[str, Any] = {"interval": k, "start": interval_label(scenario.calendar, k)}
        for name, est in estimates.items():
            row[name], row[f"{name}_ci95"] = est.mean, est.ci95
        for model, figures in (("erlang_c", erl.erlang_c), ("erlang_a", erl.erlang_a)):
            for key in ("service_level", "asa_s", "p_abandon"):
                row[f"{model}_{key}"] = getattr(figures, key) if figures else None
        row["erlang_agents"] = erl.agents
        for t in targets:
            judged = t["intervals"][k]
            defined = not math.isnan(judged["value"])
            row[f"met_{t['target']}"] = judged["met"] if defined else None
            row[f"p_met_{t['target']}"] = judged["p_met"]
        for model in ("erlang_c", "erlang_a"):
            row[f"{model}_not_applicable"] = erl.not_applicable.get(model)
        if result.partial:  # an interrupted run: every row says so, CSV included
            row["partial"] = True
        rows.append(row)
    return rows


#: The default table's columns: (header, run-row key, shown as percent, with CI). It fits 100
#: columns for the built-in examples (a test holds it); ``--wide`` shows every column.
_COMPACT = (("offered", "offered", False, False), ("lost%", "lost_share", True, True),
            ("SL%", "service_level", True, True), ("ASA_s", "asa_s", False, True),
            ("abandon%", "p_abandon", True, True), ("occ%", "occupancy", True, False),
            ("agents", "agents", False, False))
_COMPACT_ERLANG = (("C_SL%", "erlang_c_service_level"), ("A_SL%", "erlang_a_service_level"),
                   ("A_ab%", "erlang_a_p_abandon"))
#: The run's outcomes, which add up to ``offered``, then the figures of the whole run.
_OUTCOMES = ("after_hours", "blocked", "ivr_abandoned", "ivr_served", "abandoned", "answered",
             "unfinished")
_FIGURES = ("lost_share", "service_level", "asa_s", "mean_wait_s", "mean_wait_abandoned_s",
            "p_no_wait", "wait_p90_s", "p_abandon", "queue_len_avg", "occupancy")


def _percent(mean, ci, with_ci: bool) -> str:
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "-"
    return estimate_text(100 * mean, 100 * ci if with_ci and ci is not None else None, 1)


def compact_rows(rows: Sequence[dict[str, Any]]) -> tuple[list[dict[str, str]], list[str]]:
    """The default run table: cells and columns (percent figures, CIs where they matter)."""
    cells = []
    for row in rows:
        text = {"start": row["start"]}
        for header, key, percent, with_ci in _COMPACT:
            ci = row.get(f"{key}_ci95") if with_ci else None
            if percent:
                text[header] = _percent(row[key], ci, with_ci)
            else:
                text[header] = estimate_text(row[key], ci, 1)
        for header, key in _COMPACT_ERLANG:
            text[header] = _percent(row[key], None, False)
        cells.append(text)
    columns = ["start", *(c[0] for c in _COMPACT), *(c[0] for c in _COMPACT_ERLANG)]
    return cells, columns


def wide_rows(rows: Sequence[dict[str, Any]]) -> tuple[list[dict[str, str]], list[str]]:
    """The ``--wide`` run table: every outcome and figure with its CI, Erlang C and A beside."""
    cells = []
    for row in rows:
        text = {"start": row["start"]}
        for name in RUN_METRICS:
            text[name] = estimate_text(row[name], row[f"{name}_ci95"], _DIGITS.get(name, 1))
        text.update({short: cell(row[key]) for short, key in _ERLANG_COLUMNS.items()})
        cells.append(text)
    return cells, ["start", *RUN_METRICS, *_ERLANG_COLUMNS]


#: Caller-level and lever figures, shown when the scenario pulls the lever (or books).
_LEVER_FIGURES = (
    (lambda sc: True, ("callers", "never_answered")),
    (lambda sc: sc.redials is not None, ("redials", "gave_up")),
    (lambda sc: sc.callbacks is not None,
     ("callbacks_offered", "callbacks_accepted", "callbacks_requested", "callback_attempts",
      "callbacks_reached", "callback_delay_s", "callback_delay_p90_s",
      "callback_deadline_missed", "callback_agent_s", "wait_prediction_mae_s",
      "wait_prediction_bias_s")),
    (lambda sc: sc.outbound is not None,
     ("reminders_made", "reminders_reached", "reminders_left", "outbound_abandoned",
      "outbound_abandon_rate", "reminder_visit_rate")),
    (lambda sc: any(ct.conversion for ct in sc.call_types),
     ("bookings", "conversion", "bookings_lost", "visits", "value")),
)
_LEVER_DIGITS = {"never_answered": 3, "conversion": 3, "outbound_abandon_rate": 3,
                 "reminder_visit_rate": 3}


def lever_lines(scenario: Scenario, summary: dict[str, Any]) -> list[str]:
    """Callers (counted once each, by their first call) and the figures of the levers the
    scenario pulls (redials, callbacks, reminders, bookings): see ``sim/followups.py``."""
    lines = ["", "Callers and levers (each caller once, by its first call):"]
    for pulled, names in _LEVER_FIGURES:
        if not pulled(scenario):
            continue
        for name in names:
            if name in summary and not (name == "value" and not summary[name].mean):
                e = summary[name]
                lines.append(f"  {name:<24} "
                             f"{estimate_text(e.mean, e.ci95, _LEVER_DIGITS.get(name, 1))}")
    return lines


def run_table(scenario: Scenario, result: SimResult, rows: Sequence[dict[str, Any]],
              verdicts: Sequence[Sequence[Verdict]], *, wide: bool = False,
              probabilities: dict[str, Any] | None = None) -> str:
    """The ``callsim run`` text: per interval (compact, or every column with ``wide``), the
    whole run's calls and figures, per call type, per agent group, and the targets.

    ``probabilities`` is :func:`plan.targets.probability_met` of the whole run (target -> share
    of replications meeting it), shown beside the target lines when given.
    """
    cells, columns = wide_rows(rows) if wide else compact_rows(rows)
    s = result.summary
    lines = [
        f"{scenario.name}: {plural(result.replications, 'replication')}, seed {result.entropy}, "
        f"{result.engine} engine",
        format_table(cells, columns),
    ]
    if not wide:
        lines.append(textwrap.fill(
            "Per interval, mean ± 95 % CI half-width; % of calls reaching the queue (lost%: of "
            "offered). C_/A_: Erlang C / A. --wide: every column.", width=TEXT_WIDTH))
    lines += ["", "Whole run (mean ± 95% CI half-width over replications):"]
    parts = [f"  {'offered':<22} {estimate_text(s['offered'].mean, s['offered'].ci95, 1)}"]
    for name in _OUTCOMES:
        if name in s:
            parts.append(f"    {name:<20} {estimate_text(s[name].mean, s[name].ci95, 1)}")
    lines += parts
    for name in _FIGURES:
        if name in s:
            text = estimate_text(s[name].mean, s[name].ci95, _DIGITS.get(name, 1))
            lines.append(f"  {name:<22} {text}")
    lines += lever_lines(scenario, s)
    lines += ["", "By call type (after the IVR menu):", format_table(*type_rows(result))]
    lines += ["", "By agent group:", format_table(*group_rows(result))]
    if not_applicable := not_applicable_lines(rows):
        lines += ["", *not_applicable]
    prose = list(target_lines(scenario, verdicts))
    if probabilities:
        prose += [probability_line(scenario, name, p) for name, p in probabilities.items()]
    prose += [
        "",
        f"Service level: answered within {scenario.targets.awt_s:g} s, definition "
        f"'{scenario.targets.sl_definition}'. Calls count in the interval they arrived in.",
        "C_* / A_*: Erlang C / Erlang A for the interval's calls past the IVR and erl_n agents "
        "(on duty, whole; walk-in work counted as slower handling), each interval stationary "
        "on its own; see plan/erlang_view.py for what the formulas leave out.",
    ]
    lines.append("")
    lines += [textwrap.fill(p, width=TEXT_WIDTH, subsequent_indent="  ") if p else p
              for p in prose]
    return "\n".join(lines)


def type_rows(result: SimResult) -> tuple[list[dict[str, str]], list[str]]:
    """Per call type: cells and columns of the run's call-type section."""
    cells = []
    for name, e in result.by_call_type.items():
        cells.append({
            "type": name,
            "offered": estimate_text(e["offered"].mean, e["offered"].ci95, 1),
            "answered": estimate_text(e["answered"].mean, e["answered"].ci95, 1),
            "lost%": _percent(e["lost_share"].mean, e["lost_share"].ci95, True),
            "SL%": _percent(e["service_level"].mean, e["service_level"].ci95, True),
            "ASA_s": estimate_text(e["asa_s"].mean, e["asa_s"].ci95, 1),
            "abandon%": _percent(e["p_abandon"].mean, e["p_abandon"].ci95, True),
            "wait_p90_s": estimate_text(e["wait_p90_s"].mean, e["wait_p90_s"].ci95, 1),
        })
    return cells, ["type", "offered", "answered", "lost%", "SL%", "ASA_s", "abandon%",
                   "wait_p90_s"]


def group_rows(result: SimResult) -> tuple[list[dict[str, str]], list[str]]:
    """Per agent group: cells and columns of the run's group section."""
    cells = [{"group": name,
              "answered": estimate_text(e["answered"].mean, e["answered"].ci95, 1),
              "occ%": _percent(e["occupancy"].mean, e["occupancy"].ci95, True),
              "agents": estimate_text(e["agents"].mean, None, 2)}
             for name, e in result.by_group.items()]
    return cells, ["group", "answered", "occ%", "agents"]


def probability_line(scenario: Scenario, target: str, p: float) -> str:
    """``Target ... over the whole run: met in 35% of replications``."""
    limit = {"service_level": scenario.targets.service_level,
             "max_asa_s": scenario.targets.max_asa_s, "max_abandon": scenario.targets.max_abandon,
             "max_occupancy": scenario.targets.max_occupancy}[target]
    label = _TARGET_LABELS[target].format(limit=limit, awt_s=scenario.targets.awt_s)
    share = "-" if math.isnan(p) else f"{p:.0%}"
    return f"Target {label} over the whole run: met in {share} of replications"


def target_lines(scenario: Scenario, verdicts: Sequence[Sequence[Verdict]]) -> list[str]:
    """Per target, in how many intervals it is met and where it is missed.

    ``verdicts`` holds one sequence per interval (:func:`plan.targets.judge_intervals`). An
    interval whose figure is undefined (the warm-up, no call in the queue) is not counted: it
    has nothing to judge, which is not the same as missing the target.
    """
    from scenarios.calendar import interval_label

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
