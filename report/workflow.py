"""Presenting the what-if workflow: run manifests, and the tables and reports of ``compare``,
``whatif``, ``sweep``, ``explain`` (and the HTML sections of ``run``).

A run manifest records what is needed to repeat and to trust a result: the seed entropy, the
scenario hash(es), the command line, and the versions of callsim, Python and every dependency
that shapes the numbers. It holds no clock time, so the same command gives the same bytes.
Commands write it next to their results (``manifest.json`` in an output folder,
``<file>.manifest.json`` beside a file) and put it in their JSON documents.
"""

from __future__ import annotations

import json
import math
import platform
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from report.formats import jsonable
from report.html import Section, describe_scenario, estimate_text
from report.tables import estimate_text as _estimate_text
from report.tables import format_table

if TYPE_CHECKING:
    from plan.compare import Comparison
    from plan.erlang_view import IntervalErlang
    from plan.explain import Explanation
    from plan.sweep import SweepResult
    from scenarios.schema import Scenario
    from sim.results import SimResult

_PACKAGES = ("callsim", "numpy", "scipy", "simpy", "matplotlib", "click", "dask", "distributed")


def manifest(command_line: Sequence[str], *, entropy: int | None,
             scenario_hashes: dict[str, str], replications: int | None = None,
             **more: Any) -> dict[str, Any]:
    """The run manifest (see the module docstring); ``more`` adds keys (workers, precision)."""
    from importlib import metadata  # here: slow to import, and a plain run table needs none

    versions = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {
        "command_line": list(command_line),
        "entropy": entropy,
        "scenario_hashes": dict(scenario_hashes),
        "replications": replications,
        "python": platform.python_version(),
        "versions": versions,
        **more,
    }


def write_manifest(beside: str | Path, document: dict[str, Any]) -> Path:
    """Write the manifest next to a result: in the folder ``beside`` as ``manifest.json``, or
    beside the file ``beside`` as ``<file>.manifest.json``."""
    target = Path(beside)
    path = (target / "manifest.json" if target.is_dir()
            else target.with_name(target.name + ".manifest.json"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(jsonable(document), indent=2))
    return path


# -- compare / whatif ------------------------------------------------------------------------

def _fmt(metric: str, value: float | None, digits: int | None = None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if digits is None:
        digits = 1 if metric.endswith("_s") or metric in ("answered", "abandoned", "blocked",
                                                           "ivr_abandoned", "offered") else 4
    return f"{value:.{digits}f}"


def compare_rows(comparison: Comparison, metrics: Sequence[str]) -> list[dict[str, Any]]:
    """One row per variant and metric: level ± CI, difference ± paired CI, unpaired CI,
    sharpening and significance (plain numbers, for CSV and JSON)."""
    rows = []
    for j, v in enumerate(comparison.variants):
        for m in metrics:
            level = comparison.results[j].summary[m]
            d = comparison.totals[j][m]
            rows.append({
                "variant": v.name, "metric": m, "mean": level.mean, "ci95": level.ci95,
                "diff": d.mean if j else None, "diff_ci95": d.ci95 if j else None,
                "diff_ci95_unpaired": d.ci95_unpaired if j else None,
                "sharpening": d.sharpening if j else None,
                "p_value": d.p_value if j else None,
                "significant": d.significant if j else None,
            })
    return rows


def compare_cells(comparison: Comparison, j: int, metrics: Sequence[str]
                  ) -> tuple[list[dict[str, str]], list[str]]:
    """Variant ``j`` against the base: each figure's levels, change ± paired CI, the unpaired
    CI, how much sharper the paired one is, and whether the change is significant."""
    base = comparison.variants[0].name
    cells = []
    for m in metrics:
        b, x, d = (comparison.results[0].summary[m], comparison.results[j].summary[m],
                   comparison.totals[j][m])
        cells.append({
            "figure": m,
            base: f"{_fmt(m, b.mean)} ± {_fmt(m, b.ci95)}",
            "variant": f"{_fmt(m, x.mean)} ± {_fmt(m, x.ci95)}",
            "change ± paired CI": f"{_fmt(m, d.mean)} ± {_fmt(m, d.ci95)}",
            "unpaired": f"± {_fmt(m, d.ci95_unpaired)}",
            "sharper": _fmt("", d.sharpening, 1) + "x",
            "sig": "yes" if d.significant else "no",
        })
    return cells, ["figure", base, "variant", "change ± paired CI", "unpaired", "sharper", "sig"]


def compare_text(comparison: Comparison, metrics: Sequence[str],
                 scenario: Scenario | None = None) -> str:
    """The comparison as text: per variant, each figure beside the base's with the paired and
    unpaired CIs of the difference; then, per interval, the change in the first figure."""
    from scenarios.calendar import interval_label

    base = comparison.variants[0].name
    out = [f"{len(comparison.variants)} variants under common random numbers: "
           f"{comparison.replications} replications each, seed {comparison.entropy}"]
    for j, v in enumerate(comparison.variants[1:], start=1):
        cells, columns = compare_cells(comparison, j, metrics)
        out += ["", f"Variant '{v.name}' against '{base}':", format_table(cells, columns)]
    m = metrics[0]
    if scenario is not None and all(comparison.intervals[1:]):
        cells = []
        for k in range(scenario.calendar.n_intervals):
            row = {"start": interval_label(scenario.calendar, k)}
            for j, v in enumerate(comparison.variants[1:], start=1):
                d = comparison.intervals[j][k][m]
                row[v.name[:24]] = (f"{_fmt(m, d.mean)} ± {_fmt(m, d.ci95)}"
                                    + (" *" if d.significant else "  "))
            cells.append(row)
        out += ["", f"Change in {m} per interval (paired 95 % CI; * significant):",
                format_table(cells, list(cells[0]))]
    out += ["", textwrap.fill(
        "Differences are paired by replication (the same callers meet every variant); "
        "'unpaired' is the CI two independent runs would give, 'sharper' how much narrower "
        "the paired CI is. sig: the paired 95 % CI excludes 0.", width=100)]
    if comparison.precision is not None:
        out.append(_precision_text(comparison.precision.to_dict(), "difference"))
    return "\n".join(out)


def compare_document(comparison: Comparison, keep_per_replication: bool) -> dict[str, Any]:
    """JSON of a comparison: per variant its levels, its differences (total, per interval,
    per call type), optionally every replication's figures."""
    from plan.runs import per_replication

    variants = []
    for j, v in enumerate(comparison.variants):
        entry = {
            "name": v.name, "overrides": list(v.overrides),
            "result": comparison.results[j].to_dict(),
            "difference": {
                "summary": {n: d.to_dict() for n, d in comparison.totals[j].items()},
                "intervals": [{n: d.to_dict() for n, d in iv.items()}
                              for iv in comparison.intervals[j]],
                "by_call_type": {t: {n: d.to_dict() for n, d in table.items()}
                                 for t, table in comparison.by_call_type[j].items()},
            },
        }
        if keep_per_replication:
            entry["per_replication"] = per_replication(comparison.figures[j], v.scenario)
        variants.append(entry)
    doc = {"base": comparison.variants[0].name, "entropy": comparison.entropy,
           "replications": comparison.replications, "variants": variants}
    if comparison.precision is not None:
        doc["precision"] = comparison.precision.to_dict()
    return doc


def _precision_text(outcome: dict[str, Any], what: str = "figure") -> str:
    parts = [f"{name}: ±{t['half_width']:.4g} (target {t['target']:g})"
             for name, t in outcome["targets"].items()]
    verdict = "met" if outcome["met"] else "NOT met (ceiling reached)"
    return (f"Precision target on the {what} {verdict} after {outcome['replications']} "
            f"replications: {', '.join(parts)}")


# -- sweep -----------------------------------------------------------------------------------

def sweep_text(result: SweepResult, metrics: Sequence[str]) -> str:
    """One line per point: the swept values and each metric's mean ± CI."""
    keys = list(result.header["grid"])
    cells = []
    for p in result.points:
        row = {"point": str(p.index), **{k: str(p.values[k]) for k in keys},
               "reps": str(p.replications)}
        for m in metrics:
            e = p.summary.get(m, {})
            row[m] = _estimate_text(e.get("mean"), e.get("ci95"), 1 if m.endswith("_s") else 4)
        cells.append(row)
    head = (f"Sweep of {len(result.points)} points, {result.header['replications']} "
            f"replications each (seed {result.header['entropy']}, common to every point)")
    if result.resumed:
        head += f"; {result.resumed} points resumed from the results file"
    return "\n".join([head, format_table(cells, ["point", *keys, "reps", *metrics])])


# -- explain ---------------------------------------------------------------------------------

def explain_rows(explanation: Explanation) -> list[dict[str, Any]]:
    """One row per step: level and contribution (with CI) of each measure."""
    rows = []
    for s in explanation.steps:
        row: dict[str, Any] = {"step": s.label, "kind": s.kind}
        for m, e in s.levels.items():
            d = s.contributions[m]
            row[m], row[f"{m}_ci95"] = e.mean, e.ci95
            row[f"{m}_step"], row[f"{m}_step_ci95"] = d.mean, d.ci95
            row[f"{m}_step_significant"] = d.significant if s.kind == "simulation" else None
        rows.append(row)
    return rows


def explain_cells(explanation: Explanation) -> list[dict[str, str]]:
    """Each step's level and change in SL and P(abandon), in percent, as text cells."""

    def pct(mean, ci, signed=False):
        if mean is None or math.isnan(mean):
            return "-"
        text = f"{100 * mean:+.1f}" if signed else f"{100 * mean:.1f}"
        return text + (f"±{100 * ci:.1f}" if ci is not None and math.isfinite(ci) and ci > 0
                       else "")

    cells = []
    for row in explain_rows(explanation):
        text = {"step": row["step"]}
        for m, short in (("service_level", "SL%"), ("p_abandon", "abandon%")):
            text[short] = pct(row[m], row[f"{m}_ci95"])
            text[f"{short} step"] = pct(row[f"{m}_step"], row[f"{m}_step_ci95"], True) + (
                " *" if row[f"{m}_step_significant"] else "")
        cells.append(text)
    return cells


def explain_text(explanation: Explanation) -> str:
    """The walk as a table: each step's level and change in SL and P(abandon), in percent."""

    cells = explain_cells(explanation)
    note = ("SL% and abandon%: whole day, % of calls that reached the queue (Erlang rows weight "
            "each interval by its calls). 'step': change from the row above in points, ± 95 % "
            "CI (paired between simulated steps: the same callers); * significant. Steps do not "
            "commute: each is measured with the features above it switched on.")
    return "\n".join([
        textwrap.fill(f"{explanation.scenario_name}: from per-interval Erlang C to the full "
                      f"simulation, one feature a step ({explanation.replications} replications "
                      f"per step, seed {explanation.entropy}, common random numbers)", width=100),
        format_table(cells, ["step", "SL%", "SL% step", "abandon%", "abandon% step"],
                     left=("step",)),
        "",
        textwrap.fill(note, width=100),
    ])


# -- HTML sections -----------------------------------------------------------------------------

def scenario_section(scenario: Scenario, overrides: Sequence[str] = ()) -> Section:
    """The scenario in a planner's words."""
    paragraphs = describe_scenario(scenario)
    if overrides:
        paragraphs.append("What-if changes applied: " + "; ".join(overrides) + ".")
    return Section(f"The center: {scenario.name}", paragraphs=paragraphs)


def run_sections(scenario: Scenario, result: SimResult, view: Sequence[IntervalErlang],
                 rows: Sequence[dict[str, Any]], target_text: Sequence[str]) -> list[Section]:
    """Key figures and targets, the interval table, per type and group, and the run's plots."""
    from report import plots
    from report.tables import compact_rows, group_rows, type_rows

    s = result.summary
    key = [
        ("calls offered", estimate_text(s["offered"].mean, s["offered"].ci95, 0)),
        ("calls lost", estimate_text(100 * s["lost_share"].mean, 100 * s["lost_share"].ci95, 1)
         + " %"),
        (f"answered within {scenario.targets.awt_s:g} s",
         estimate_text(100 * s["service_level"].mean, 100 * s["service_level"].ci95, 1) + " %"),
        ("queued callers who hang up",
         estimate_text(100 * s["p_abandon"].mean, 100 * s["p_abandon"].ci95, 1) + " %"),
        ("ASA", estimate_text(s["asa_s"].mean, s["asa_s"].ci95, 1) + " s"),
        ("occupancy", estimate_text(100 * s["occupancy"].mean, 100 * s["occupancy"].ci95, 1)
         + " %"),
    ]
    cells, columns = compact_rows(rows)
    return [
        Section("Key figures (whole day, mean ± 95 % CI over "
                f"{result.replications} replications)", key_figures=key,
                paragraphs=list(target_text)),
        Section("Hour by hour", tables=[("Per interval: simulation beside Erlang C and A",
                                         columns, cells)],
                figures=[("Calls offered and agents on duty", plots.arrivals_and_agents(
                    scenario, result)),
                    ("Service level and abandonment: simulation (band: 95 % CI) against "
                     "Erlang C and Erlang A", plots.sl_and_abandonment(scenario, result, view)),
                    ("How long callers wait", plots.waiting_times(scenario, result, view))]),
        Section("By call type and agent group",
                tables=[("By call type", *_columns_first(type_rows(result))),
                        ("By agent group", *_columns_first(group_rows(result)))]),
    ]


def _columns_first(cells_columns):
    cells, columns = cells_columns
    return columns, cells


def run_plots(scenario: Scenario, result: SimResult, view: Sequence[IntervalErlang],
              directory: str | Path) -> list[Path]:
    """Write the run's plots (PNG and SVG) into ``directory``."""
    from report import plots

    paths = []
    paths += plots.save(plots.arrivals_and_agents(scenario, result), directory, "arrivals_agents")
    paths += plots.save(plots.sl_and_abandonment(scenario, result, view), directory,
                        "service_level_abandonment")
    paths += plots.save(plots.waiting_times(scenario, result, view), directory, "waiting_times")
    return paths


def compare_sections(comparison: Comparison, metrics: Sequence[str]) -> list[Section]:
    """The comparison's table and bar chart."""
    from report import plots

    tables = []
    for j, v in enumerate(comparison.variants[1:], start=1):
        cells, columns = compare_cells(comparison, j, metrics)
        tables.append((f"'{v.name}' against '{comparison.variants[0].name}' (paired 95 % CIs; "
                       "'unpaired': what two independent runs would give)", columns, cells))
    paragraphs = [f"{len(comparison.variants)} variants, each simulated with the same "
                  f"{comparison.replications} replications of the same callers (seed "
                  f"{comparison.entropy}). A change is significant when its paired 95 % CI "
                  "excludes zero."]
    for v in comparison.variants[1:]:
        paragraphs.append(f"Variant '{v.name}': " + ("; ".join(v.overrides) or
                                                      "a separate scenario file") + ".")
    return [Section("What the changes buy", paragraphs=paragraphs,
                    tables=tables,
                    figures=[("Change from the base with paired (black) and unpaired (grey) "
                              "95 % CIs", plots.compare_bars(comparison, metrics[:3]))])]


def sweep_sections(result: SweepResult, metrics: Sequence[str]) -> list[Section]:
    """The sweep's table and one curve per metric and parameter."""
    from plan.sweep import sweep_rows
    from report import plots

    rows = sweep_rows(result, metrics)
    columns = list(rows[0]) if rows else []
    figures = [(f"{plots.label(m)} against {p}", plots.sweep_curves(result, m, p))
               for m in metrics for p in result.header["grid"]]
    return [Section("Sweep", tables=[("Every point: mean and 95 % CI half-width", columns,
                                      rows)], figures=figures)]


def explain_sections(explanation: Explanation) -> list[Section]:
    """The walk's table and waterfalls."""
    from report import plots

    cells = explain_cells(explanation)
    columns = ["step", "SL%", "SL% step", "abandon%", "abandon% step"]
    return [Section(
        "Why the simulation disagrees with the Erlang calculator",
        paragraphs=["Starting from per-interval Erlang C, each step switches on one feature of "
                    "the real center; the bars show what each step changes, with 95 % CIs "
                    "(paired between simulated steps: same callers)."],
        tables=[("The walk, step by step: levels and changes in percent (points), ± 95 % CI; "
                 "* significant", columns, cells)],
        figures=[(f"Waterfall: {plots.label(m)}", plots.explain_waterfall(explanation, m))
                 for m in ("service_level", "p_abandon")])]
