"""Machine-readable output: JSON documents, CSV tables, and :func:`emit` for every command.

JSON has no ``inf`` or ``nan`` and CSV no agreed spelling of them, so both become ``null`` /
an empty cell (:func:`erlang.results.json_number`).
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from erlang.results import json_number, jsonable
from report.tables import format_table

if TYPE_CHECKING:
    from plan.erlang_view import IntervalErlang
    from scenarios.schema import Scenario
    from sim.results import SimResult


def emit(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str,
         document: dict[str, Any]) -> None:
    """Print ``rows`` as an aligned table, CSV (``columns`` only) or ``document`` as JSON.

    ``fmt`` is ``table``, ``csv`` or ``json``.
    """
    if fmt == "json":
        click.echo(json.dumps(jsonable(document), indent=2))
    elif fmt == "csv":
        buffer = io.StringIO()
        write_csv(buffer, rows, columns)
        click.echo(buffer.getvalue(), nl=False)
    else:
        click.echo(format_table(rows, columns))


def write_csv(file, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    """CSV with a header row; ``inf``, ``nan`` and ``None`` become empty cells, as in JSON."""
    writer = csv.DictWriter(file, fieldnames=list(columns), extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: json_number(v) for k, v in row.items()} for row in rows)



def run_document(scenario: Scenario, overrides: Sequence[str], result: SimResult,
                 view: Sequence[IntervalErlang]) -> dict[str, Any]:
    """The JSON document of ``callsim run``: the simulation's results, then the Erlang view."""
    return {
        "scenario": scenario.name,
        "overrides": list(overrides),
        **result.to_dict(),
        "erlang": [{"interval": v.interval, "queue_calls": v.queue_calls, "aht_s": v.aht_s,
                    "agents": v.agents,
                    "erlang_c": v.erlang_c.to_dict() if v.erlang_c else None,
                    "erlang_a": v.erlang_a.to_dict() if v.erlang_a else None,
                    "not_applicable": v.not_applicable} for v in view],
    }


def write_run_files(out_dir: str | Path, document: dict[str, Any],
                    rows: Sequence[dict[str, Any]]) -> None:
    """``results.json`` (the run document) and ``intervals.csv`` (one row per interval) in
    ``out_dir``, which is made if missing."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # Each file is written beside its final name and renamed over it: an interrupted write
    # never leaves a half file under the final name.
    _atomic_write(out / "results.json", json.dumps(jsonable(document), indent=2))
    buffer = io.StringIO()
    write_csv(buffer, rows, list(rows[0]) if rows else [])
    _atomic_write(out / "intervals.csv", buffer.getvalue())


def _atomic_write(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", newline="") as f:
        f.write(text)
    os.replace(temporary, path)


def target_document(scenario: Scenario, result: SimResult, figures: Sequence[Any],
                    verdicts: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    """The targets judged, for JSON and CSV: per target, the whole run and every interval, each
    with the judged mean (``value``), ``met`` (on the mean) and ``p_met``, the share of
    replications whose own figure meets the target.

    ``figures`` are the run's per-replication :class:`plan.runs.Figures`; ``verdicts`` the
    per-interval verdicts of :func:`plan.targets.judge_intervals`.
    """
    from plan.targets import probability_met, service_targets, simulated_figures

    targets = service_targets(scenario.targets)
    whole = targets.judge(simulated_figures(result.summary, targets.sl_definition))
    p_whole = probability_met(scenario, [f.summary for f in figures])
    n = scenario.calendar.n_intervals
    p_intervals = [probability_met(scenario, [{m: v[k] for m, v in f.intervals.items()}
                                              for f in figures]) for k in range(n)]
    out = []
    for i, verdict in enumerate(whole):
        out.append({
            "target": verdict.target, "limit": verdict.limit,
            "whole_run": {"value": verdict.value, "met": verdict.met,
                          "p_met": p_whole[verdict.target]},
            "intervals": [{"interval": k, "value": verdicts[k][i].value,
                           "met": verdicts[k][i].met, "p_met": p_intervals[k][verdict.target]}
                          for k in range(n)],
        })
    return out
