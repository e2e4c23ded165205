"""``callsim``: the command line. A thin click group: parse, call the library, format.

User errors (every ``ValueError`` the library raises for bad input, and click's usage errors)
become one line on stderr and exit code 1; ``callsim --debug ...`` shows the traceback instead.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click

from erlang.erlang_a import erlang_a
from erlang.erlang_b import erlang_b
from erlang.erlang_c import erlang_c
from erlang.errors import ErlangInputError
from erlang.results import json_number
from erlang.retrials import erlang_x
from erlang.staffing import SL_DEFINITIONS, StaffingTargets, staff_intervals
from erlang.traffic import SECONDS_PER


class CallsimGroup(click.Group):
    """A click group whose user errors end in one line on stderr and exit code 1."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        try:
            code = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        except click.ClickException as exc:
            # Usage errors too: bad input is exit code 1 throughout, never click's 2.
            click.echo(f"Error: {exc.format_message()}", err=True)
            sys.exit(1)
        except (ValueError, OSError) as exc:
            if "--debug" in argv:
                raise
            message = exc if isinstance(exc, ValueError) else _os_message(exc)
            click.echo(f"Error: {message}", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def _os_message(exc: OSError) -> str:
    """``cannot open calls.csv: No such file or directory`` rather than errno noise."""
    name = exc.filename if exc.filename is not None else ""
    return f"cannot open {name}: {exc.strerror or exc}" if name else str(exc)


@click.group(cls=CallsimGroup)
@click.option("--debug", is_flag=True, help="Show the traceback of an error.")
@click.version_option(package_name="callsim")
def cli(debug: bool) -> None:
    """callsim: call-center staffing by Erlang formulas and simulation."""


def main() -> None:
    """Console entry point (``callsim``)."""
    cli()


# ---------------------------------------------------------------------------------------------
# Output formatting, shared by every command.

FORMATS = click.Choice(["table", "json", "csv"])


def emit(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str,
         document: dict[str, Any]) -> None:
    """Print ``rows`` as an aligned table, CSV (``columns`` only) or one JSON document."""
    if fmt == "json":
        click.echo(json.dumps(_jsonable(document), indent=2))
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


def format_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """Right-aligned text table with a header row."""
    cells = [[_cell(row.get(col)) for col in columns] for row in rows]
    widths = [max([len(col)] + [len(r[i]) for r in cells]) for i, col in enumerate(columns)]
    lines = ["  ".join(col.rjust(w) for col, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines)


def _cell(value: Any) -> str:
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


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return json_number(value)


# ---------------------------------------------------------------------------------------------
# callsim erlang

def parse_count_range(text: str, name: str) -> list[int]:
    """``"55"`` -> [55]; ``"40..60"`` -> [40, ..., 60] (inclusive)."""
    match = re.fullmatch(r"\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?", text)
    if not match:
        raise click.BadParameter(f"must be a whole number or a range like 40..60, got {text!r}",
                                 param_hint=name)
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) is not None else low
    if high < low:
        raise click.BadParameter(f"range must go upwards, got {text!r}", param_hint=name)
    return list(range(low, high + 1))


def parse_calls(text: str) -> list[float]:
    """``"250"`` or ``"10,20,35.5"``: calls per interval, one value per interval."""
    values = []
    for i, part in enumerate(text.split(",")):
        try:
            value = float(part)
        except ValueError:
            raise click.BadParameter(f"value {i} must be a number, got {part.strip()!r}",
                                     param_hint="--calls") from None
        if not math.isfinite(value) or value < 0:
            raise click.BadParameter(f"value {i} must be >= 0, got {part.strip()!r}",
                                     param_hint="--calls")
        values.append(value)
    return values


def traffic_options(func: Callable) -> Callable:
    """--calls, --per, --aht: offered traffic in the units planners use."""
    func = click.option("--aht", "aht_s", type=float, required=True,
                        help="Average handle time, seconds.")(func)
    func = click.option("--per", type=click.Choice(sorted(SECONDS_PER)), default="hour",
                        show_default=True, help="Interval the call count refers to.")(func)
    func = click.option("--calls", required=True,
                        help="Calls offered per interval (staff: comma list, one per interval).")(
        func)
    return func


format_option = click.option("--format", "fmt", type=FORMATS, default="table",
                             show_default=True)
awt_option = click.option("--awt", "awt_s", type=float, default=20.0, show_default=True,
                          help="Service-level threshold (acceptable waiting time), seconds.")
short_abandon_option = click.option(
    "--short-abandon", "short_abandon_s", type=float, default=5.0, show_default=True,
    help="Abandons within this many seconds count as short.")


def output_options(func: Callable) -> Callable:
    """--awt, --short-abandon and --format (the models with abandonment)."""
    return awt_option(short_abandon_option(format_option(func)))


def _rate(calls: str, per: str) -> float:
    values = parse_calls(calls)
    if len(values) != 1:
        raise click.BadParameter("must be a single number here (lists are for `staff`)",
                                 param_hint="--calls")
    return values[0] / SECONDS_PER[per]


def _inputs(calls: str, per: str, aht_s: float, **more: Any) -> dict[str, Any]:
    return {"calls": calls, "per": per, "interval_s": SECONDS_PER[per], "aht_s": aht_s, **more}


@cli.group()
def erlang() -> None:
    """Analytic queueing formulas: Erlang B, C, A, lines with redials, staffing."""


@erlang.command("b")
@traffic_options
@click.option("--lines", "lines_text", required=True, help="Lines, or a range such as 5..15.")
@format_option
def erlang_b_cmd(calls: str, per: str, aht_s: float, lines_text: str, fmt: str) -> None:
    """Erlang B: blocking on LINES lines with no queue (M/G/n/n)."""
    rate = _rate(calls, per)
    if not aht_s > 0:
        raise ErlangInputError(f"aht_s must be > 0, got {aht_s!r}")
    load = rate * aht_s
    rows = [{"lines": n, "load_erl": load, "p_blocked": erlang_b(load, n)}
            for n in parse_count_range(lines_text, "--lines")]
    emit(rows, ["lines", "load_erl", "p_blocked"], fmt,
         {"model": "erlang_b", "inputs": _inputs(calls, per, aht_s), "results": rows})


@erlang.command("c")
@traffic_options
@click.option("--agents", "agents_text", required=True, help="Agents, or a range such as 40..60.")
@awt_option
@format_option
def erlang_c_cmd(calls, per, aht_s, agents_text, awt_s, fmt) -> None:
    """Erlang C (M/M/n): P(wait), service level, ASA, occupancy."""
    rate = _rate(calls, per)
    rows = [erlang_c(arrival_rate_per_s=rate, aht_s=aht_s, agents=n, awt_s=awt_s).to_dict()
            for n in parse_count_range(agents_text, "--agents")]
    emit(rows, ["agents", "load_erl", "p_wait", "service_level", "asa_s", "mean_wait_s",
                "occupancy", "stable"], fmt,
         {"model": "erlang_c", "inputs": _inputs(calls, per, aht_s, awt_s=awt_s),
          "results": rows})


@erlang.command("a")
@traffic_options
@click.option("--agents", "agents_text", required=True, help="Agents, or a range such as 40..60.")
@click.option("--patience", "patience_s", type=float, default=None,
              help="Mean caller patience, seconds (exponential). Required.")
@output_options
def erlang_a_cmd(calls, per, aht_s, agents_text, patience_s, awt_s, short_abandon_s, fmt) -> None:
    """Erlang A (M/M/n+M): abandonment, service level by definition, waits."""
    rate = _rate(calls, per)
    if patience_s is None:
        raise ErlangInputError("--patience must be given for Erlang A (mean patience in seconds)")
    rows = [erlang_a(arrival_rate_per_s=rate, aht_s=aht_s, agents=n, mean_patience_s=patience_s,
                     awt_s=awt_s, short_abandon_s=short_abandon_s).to_dict()
            for n in parse_count_range(agents_text, "--agents")]
    emit(rows, ["agents", "load_erl", "p_wait", "p_abandon", "service_level",
                "service_level_answered", "asa_s", "mean_wait_s", "occupancy"], fmt,
         {"model": "erlang_a",
          "inputs": _inputs(calls, per, aht_s, mean_patience_s=patience_s, awt_s=awt_s,
                            short_abandon_s=short_abandon_s),
          "results": rows})


def redial_options(func: Callable) -> Callable:
    """--lines, --patience and the redial probabilities of the lines model."""
    func = click.option("--redial-abandoned", type=float, default=None,
                        help="Redial probability of abandoners (default: --redial).")(func)
    func = click.option("--redial-blocked", type=float, default=None,
                        help="Redial probability of blocked callers (default: --redial).")(func)
    func = click.option("--redial", type=float, default=0.0, show_default=True,
                        help="Probability that a blocked or abandoning caller redials.")(func)
    func = click.option("--patience", "patience_s", type=float, default=None,
                        help="Mean caller patience, seconds (default: never hang up).")(func)
    func = click.option("--lines", type=int, default=None,
                        help="Trunk lines (>= agents); default unlimited.")(func)
    return func


def _redials(redial: float, blocked: float | None, abandoned: float | None) -> tuple[float, float]:
    return (redial if blocked is None else blocked, redial if abandoned is None else abandoned)


@erlang.command("x")
@traffic_options
@click.option("--agents", "agents_text", required=True, help="Agents, or a range such as 40..60.")
@redial_options
@output_options
def erlang_x_cmd(calls, per, aht_s, agents_text, lines, patience_s, redial, redial_blocked,
                 redial_abandoned, awt_s, short_abandon_s, fmt) -> None:
    """Limited lines, patience and redials (Erlang X style)."""
    rate = _rate(calls, per)
    r_b, r_a = _redials(redial, redial_blocked, redial_abandoned)
    rows = [erlang_x(arrival_rate_per_s=rate, aht_s=aht_s, agents=n, lines=lines,
                     mean_patience_s=math.inf if patience_s is None else patience_s,
                     redial_blocked=r_b, redial_abandoned=r_a, awt_s=awt_s,
                     short_abandon_s=short_abandon_s).to_dict()
            for n in parse_count_range(agents_text, "--agents")]
    emit(rows, ["agents", "lines", "arrival_rate_per_s", "p_blocked", "p_abandon", "unique_lost",
                "service_level", "asa_s", "occupancy"], fmt,
         {"model": "erlang_x",
          "inputs": _inputs(calls, per, aht_s, lines=lines, mean_patience_s=patience_s,
                            redial_blocked=r_b, redial_abandoned=r_a, awt_s=awt_s),
          "results": rows})


@erlang.command("staff")
@traffic_options
@click.option("--model", type=click.Choice(["c", "a", "x"]), default="c", show_default=True)
@click.option("--sl", "service_level", type=float, default=None,
              help="Target share answered within --awt, e.g. 0.8.")
@click.option("--sl-definition", type=click.Choice(sorted(SL_DEFINITIONS)), default="offered",
              show_default=True)
@click.option("--max-asa", "max_asa_s", type=float, default=None, help="Target ASA, seconds.")
@click.option("--max-abandon", type=float, default=None, help="Target abandonment share.")
@click.option("--max-occupancy", type=float, default=None, help="Target occupancy ceiling.")
@click.option("--max-agents", type=int, default=100_000, show_default=True,
              help="Search bound.")
@redial_options
@output_options
def staff_cmd(calls, per, aht_s, model, service_level, sl_definition, max_asa_s, max_abandon,
              max_occupancy, max_agents, lines, patience_s, redial, redial_blocked,
              redial_abandoned, awt_s, short_abandon_s, fmt) -> None:
    """Fewest agents per interval that meet every target given.

    --calls takes one number or a comma list (one per interval, e.g. a day of 96 quarter-hours).
    """
    counts = parse_calls(calls)
    targets = StaffingTargets(service_level=service_level, awt_s=awt_s,
                              sl_definition=sl_definition, short_abandon_s=short_abandon_s,
                              max_asa_s=max_asa_s, max_abandon=max_abandon,
                              max_occupancy=max_occupancy)
    r_b, r_a = _redials(redial, redial_blocked, redial_abandoned)
    results = staff_intervals(
        arrival_rates_per_s=[c / SECONDS_PER[per] for c in counts], aht_s=aht_s, targets=targets,
        model=model, mean_patience_s=patience_s, lines=lines, redial_blocked=r_b,
        redial_abandoned=r_a, max_agents=max_agents,
    )
    rows = []
    for i, (count, res) in enumerate(zip(counts, results, strict=True)):
        figures = res.metrics.to_dict() if res.metrics else {}
        calls_given = int(count) if count.is_integer() else count
        rows.append({**figures, "interval": i, "calls": calls_given, "agents": res.agents})
    emit(rows, ["interval", "calls", "agents", "service_level", "asa_s", "p_abandon",
                "p_blocked", "occupancy"], fmt,
         {"model": {"c": "erlang_c", "a": "erlang_a", "x": "erlang_x"}[model],
          "inputs": _inputs(calls, per, aht_s, mean_patience_s=patience_s, lines=lines,
                            redial_blocked=r_b, redial_abandoned=r_a),
          "targets": targets.__dict__, "total_agent_intervals": sum(r.agents for r in results),
          "results": rows})


# ---------------------------------------------------------------------------------------------
# callsim validate / callsim run

def load_scenario_arg(scenario: str | None, overrides: Sequence[str] = ()):
    """A scenario file path, or the name of a built-in example (default: ``clinic``)."""
    from pathlib import Path

    from scenarios.load import builtin_names, load_builtin, load_scenario

    if scenario is None:
        return load_builtin("clinic", overrides)
    if not Path(scenario).exists() and scenario in builtin_names():
        return load_builtin(scenario, overrides)
    return load_scenario(scenario, overrides)


@cli.command("validate")
@click.argument("scenario", required=False)
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a key, e.g. --set ivr.greeting.mean_s=15 (repeatable).")
def validate_cmd(scenario: str | None, overrides: tuple[str, ...]) -> None:
    """Check a scenario file (or a built-in example by name) and summarise it."""
    from scenarios.dump import scenario_hash

    sc = load_scenario_arg(scenario, overrides)
    cal = sc.calendar
    click.echo(
        f"OK: {sc.name}: {len(sc.call_types)} call types, {len(sc.agent_groups)} agent groups, "
        f"{cal.n_intervals} intervals of {cal.interval_s / 60:g} min over {len(cal.days)} "
        f"day(s), scenario hash {scenario_hash(sc)[:12]}"
    )


#: Columns of the per-interval run table: simulation figures, then the formulas' figures.
RUN_METRICS = ("offered", "blocked", "ivr_abandoned", "abandoned", "answered", "service_level",
               "asa_s", "p_abandon", "occupancy", "agents")


def _clock(seconds: float) -> str:
    seconds = round(seconds) % 86400
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def interval_label(scenario, k: int) -> str:
    """``08:00`` for one-day runs, ``d2 08:00`` when several days are simulated."""
    cal = scenario.calendar
    clock = _clock(cal.start_s + (k % cal.intervals_per_day) * cal.interval_s)
    return clock if len(cal.days) == 1 else f"d{k // cal.intervals_per_day + 1} {clock}"


def _estimate_text(mean, ci, digits: int) -> str:
    """``mean±ci`` with ``digits`` decimals; ``-`` for a missing mean, no ``±`` without a CI."""
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "-"
    text = f"{mean:.{digits}f}"
    if ci is not None and math.isfinite(ci) and ci > 0:
        text += f"±{ci:.{digits}f}"
    return text


_DIGITS = {"service_level": 3, "p_abandon": 3, "occupancy": 2, "asa_s": 1, "lost_share": 3}


def run_rows(scenario, result, view) -> list[dict[str, Any]]:
    """One flat row per interval: ``<metric>`` and ``<metric>_ci95`` plus the Erlang columns."""
    rows = []
    for k, (estimates, erl) in enumerate(zip(result.intervals, view, strict=True)):
        row: dict[str, Any] = {"interval": k, "start": interval_label(scenario, k)}
        for name, est in estimates.items():
            row[name], row[f"{name}_ci95"] = est.mean, est.ci95
        for model, figures in (("erlang_c", erl.erlang_c), ("erlang_a", erl.erlang_a)):
            for key in ("service_level", "asa_s", "p_abandon"):
                row[f"{model}_{key}"] = getattr(figures, key) if figures else None
        row["erlang_agents"] = erl.agents
        rows.append(row)
    return rows


def run_table(scenario, result, rows: Sequence[dict[str, Any]]) -> str:
    """The rows of :func:`run_rows` as a table (mean±CI95 beside Erlang C and A), then totals."""
    columns = {"erl_n": "erlang_agents", "C_sl": "erlang_c_service_level",
               "C_asa_s": "erlang_c_asa_s", "A_sl": "erlang_a_service_level",
               "A_p_ab": "erlang_a_p_abandon"}
    cells = []
    for row in rows:
        cell = {"start": row["start"]}
        for name in RUN_METRICS:
            cell[name] = _estimate_text(row[name], row[f"{name}_ci95"], _DIGITS.get(name, 1))
        cell.update({short: _cell(row[key]) for short, key in columns.items()})
        cells.append(cell)
    table = format_table(cells, ["start", *RUN_METRICS, *columns])
    s = result.summary
    sl_def = scenario.targets.sl_definition
    lines = [
        f"{scenario.name}: {result.replications} replications, seed {result.entropy}",
        table,
        "",
        "Whole run (mean ± 95% CI half-width over replications):",
    ]
    for name in ("offered", "after_hours", "blocked", "ivr_abandoned", "ivr_served", "abandoned",
                 "answered", "unfinished", "lost_share", "service_level", "asa_s", "mean_wait_s",
                 "wait_p90_s", "p_abandon", "occupancy"):
        if name in s:
            text = _estimate_text(s[name].mean, s[name].ci95, _DIGITS.get(name, 1))
            lines.append(f"  {name:<14} {text}")
    lines += ["", *target_lines(scenario, result)]
    lines += [
        "",
        f"Service level: answered within {scenario.targets.awt_s:g} s, definition '{sl_def}'. "
        "Calls count in the interval they arrived in.",
        "C_* / A_*: Erlang C / Erlang A for the interval's calls past the IVR and erl_n agents "
        "(on duty, whole; walk-in work counted as slower handling), each interval stationary "
        "on its own; see sim/erlang_view.py for what the formulas leave out.",
    ]
    return "\n".join(lines)


def target_lines(scenario, result) -> list[str]:
    """Which intervals meet the scenario's targets, judged on the replication means."""
    t = scenario.targets
    checks = [(f"service level >= {t.service_level:g} within {t.awt_s:g} s", "service_level",
               lambda v: v >= t.service_level)]
    if t.max_abandon is not None:
        checks.append((f"abandonment <= {t.max_abandon:g}", "p_abandon",
                       lambda v: v <= t.max_abandon))
    out = []
    for label, key, ok in checks:
        judged = [(k, est[key].mean) for k, est in enumerate(result.intervals)
                  if not math.isnan(est[key].mean)]
        missed = [interval_label(scenario, k) for k, value in judged if not ok(value)]
        line = f"Target {label}: met in {len(judged) - len(missed)} of {len(judged)} intervals"
        out.append(line + (f"; missed at {', '.join(missed)}" if missed else ""))
    return out


@cli.command("run")
@click.argument("scenario", required=False)
@click.option("--replications", "-r", type=click.IntRange(min=1), default=None,
              help="Replications (default: the scenario's).")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Root seed entropy (default: the scenario's, else fresh and reported).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a key, e.g. --set ivr.greeting.mean_s=15 (repeatable).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--records", "records_path", type=click.Path(dir_okay=False), default=None,
              help="Write one CSV row per simulated call to this file, as calls finish.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Also write results.json and intervals.csv into this folder.")
def run_cmd(scenario, replications, seed, overrides, fmt, records_path, out_dir) -> None:
    """Simulate SCENARIO (a file, or a built-in example name; default: clinic)."""
    from pathlib import Path

    from sim.erlang_view import erlang_view
    from sim.replicate import simulate

    # --seed and --replications are overrides like any other, so the recorded scenario hash
    # describes the run that was made.
    run_settings = [f"simulation.{key}={value}" for key, value in
                    (("seed", seed), ("replications", replications)) if value is not None]
    sc = load_scenario_arg(scenario, [*overrides, *run_settings])
    with click.progressbar(length=sc.simulation.replications, label="replications",
                           file=sys.stderr) as bar:
        result = simulate(sc, records_path=records_path,
                          progress=lambda done, _total: bar.update(1))
    view = erlang_view(sc)
    rows = run_rows(sc, result, view)
    document = {
        "scenario": sc.name,
        "overrides": list(overrides),
        **result.to_dict(),
        "erlang": [{"interval": v.interval, "queue_calls": v.queue_calls, "aht_s": v.aht_s,
                    "agents": v.agents,
                    "erlang_c": v.erlang_c.to_dict() if v.erlang_c else None,
                    "erlang_a": v.erlang_a.to_dict() if v.erlang_a else None} for v in view],
    }
    columns = list(rows[0]) if rows else []
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "results.json").write_text(json.dumps(_jsonable(document), indent=2))
        with open(out / "intervals.csv", "w", newline="") as f:
            write_csv(f, rows, columns)
    if fmt == "table":
        click.echo(run_table(sc, result, rows))
    else:
        emit(rows, columns, fmt, document)


if __name__ == "__main__":
    main()
