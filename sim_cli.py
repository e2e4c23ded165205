"""``callsim``: the command line. A thin click group: parse, call the library, hand to ``report``.

User errors (the packages' own errors, click's usage errors and file problems; see
:func:`user_errors`) become one line on stderr and exit code 1; anything else is a bug and keeps
its traceback. ``callsim --debug ...`` shows the traceback of a user error too.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click

from erlang.erlang_a import erlang_a
from erlang.erlang_b import erlang_b
from erlang.erlang_c import erlang_c
from erlang.errors import ConvergenceError, ErlangInputError, InfeasibleTargetError
from erlang.retrials import erlang_x
from erlang.staffing import StaffingTargets, staff_intervals
from erlang.targets import SL_DEFINITIONS
from erlang.traffic import SECONDS_PER
from report.formats import emit
from scenarios.errors import plural
from scenarios.schema import MAX_REPLICATIONS


def user_errors() -> tuple[type[Exception], ...]:
    """The errors a user causes and can fix, shown as one line (click's own are handled apart).

    A function rather than a constant: importing :mod:`sim` loads SimPy and scipy, which the
    ``erlang`` commands never need, so it happens only once an error is being shown.
    """
    from scenarios.errors import ScenarioError
    from sim.errors import SimError

    return (ScenarioError, ErlangInputError, InfeasibleTargetError, ConvergenceError, SimError,
            OSError)


class CallsimGroup(click.Group):
    """A click group whose user errors end in one line on stderr and exit code 1."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        try:
            code = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort as exc:
            # Ctrl-C outside a simulation: 130, as shells report a SIGINT (128 + 2).
            interrupted = isinstance(exc.__cause__, KeyboardInterrupt)
            click.echo("Interrupted." if interrupted else "Aborted.", err=True)
            sys.exit(130 if interrupted else 1)
        except click.ClickException as exc:
            # Usage errors too: bad input is exit code 1 throughout, never click's 2.
            click.echo(f"Error: {exc.format_message()}", err=True)
            sys.exit(1)
        except Exception as exc:
            if "--debug" in argv or not isinstance(exc, user_errors()):
                raise
            message = _os_message(exc) if isinstance(exc, OSError) else exc
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
# Options shared by several commands.

format_option = click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]),
                             default="table", show_default=True)
agents_option = click.option("--agents", "agents_text", required=True,
                             help="Agents, or a range such as 40..60.")
awt_option = click.option("--awt", "awt_s", type=float, default=20.0, show_default=True,
                          help="Service-level threshold (acceptable waiting time), seconds.")
short_abandon_option = click.option(
    "--short-abandon", "short_abandon_s", type=float, default=5.0, show_default=True,
    help="Abandons within this many seconds count as short.")
scenario_argument = click.argument("scenario", required=False)
overrides_option = click.option(
    "--set", "overrides", multiple=True, metavar="KEY=VALUE",
    help="Override a key, e.g. --set ivr.greeting.mean_s=15 (repeatable).")


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
@agents_option
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
@agents_option
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
@agents_option
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

    from scenarios.errors import ScenarioError, did_you_mean, listing
    from scenarios.load import builtin_names, load_builtin, load_scenario

    if scenario is None:
        return load_builtin("clinic", overrides)
    names = builtin_names()
    path = Path(scenario)
    # A bare word that is no file is meant as a built-in name; a path (a folder or a suffix
    # in it) as a file, whose loader says it cannot be read.
    if not path.exists() and not path.suffix and path.name == scenario:
        if scenario in names:
            return load_builtin(scenario, overrides)
        hint = did_you_mean(scenario, names) or f"(built-in examples: {listing(names)})"
        raise ScenarioError(None, "is neither a scenario file nor a built-in example",
                            hint=hint, file=scenario)
    return load_scenario(scenario, overrides)


class ScenarioCommand(click.Command):
    """A command taking a scenario: its help ends with the built-in examples' names."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from scenarios.load import builtin_names

        formatter.write_paragraph()
        formatter.write_text("Built-in examples (SCENARIO may name one): "
                             + ", ".join(builtin_names()) + ".")


@cli.command("validate", cls=ScenarioCommand)
@scenario_argument
@overrides_option
def validate_cmd(scenario: str | None, overrides: tuple[str, ...]) -> None:
    """Check a scenario file (or a built-in example by name) and summarise it."""
    from scenarios.advice import scenario_warnings
    from scenarios.dump import scenario_hash

    sc = load_scenario_arg(scenario, overrides)
    cal = sc.calendar
    for warning in scenario_warnings(sc):
        click.echo(f"Warning: {warning}", err=True)
    click.echo(
        f"OK: {sc.name}: {plural(len(sc.call_types), 'call type')}, "
        f"{plural(len(sc.agent_groups), 'agent group')}, "
        f"{plural(cal.n_intervals, 'interval')} of {cal.interval_s / 60:g} min over "
        f"{plural(len(cal.days), 'day')}, scenario hash {scenario_hash(sc)[:12]}"
    )


#: Estimated memory above which a run warns (bytes).
WARN_MEMORY_BYTES = 2e9
#: Estimated calls (all replications) above which a run warns that it will take long.
WARN_CALLS = 5e7


@cli.command("run", cls=ScenarioCommand)
@scenario_argument
@click.option("--replications", "-r", type=click.IntRange(min=1, max=MAX_REPLICATIONS),
              default=None, help="Replications (default: the scenario's).")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Root seed entropy (default: the scenario's, else fresh and reported).")
@overrides_option
@format_option
@click.option("--records", "records_path", type=click.Path(dir_okay=False), default=None,
              help="Write one CSV row per simulated call to this file, as calls finish "
                   "(into FILE.partial until the run completes).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Also write results.json and intervals.csv into this folder.")
@click.option("--force", is_flag=True,
              help="Run even if the size estimate says the run will not fit in memory.")
def run_cmd(scenario, replications, seed, overrides, fmt, records_path, out_dir, force) -> None:
    """Simulate SCENARIO (a file, or a built-in example name; default: clinic).

    Ctrl-C stops the run: the replications that finished are reported, marked partial, and the
    exit code is 130.
    """
    from scenarios.advice import scenario_warnings
    from sim.errors import SimError, SimulationInterrupted
    from sim.replicate import simulate
    from sim.size import available_memory_bytes, estimate_size

    # Seed and replications are run settings, not part of the center: they go to the
    # simulation directly (a file needs no [simulation] table for them) and are recorded beside
    # the scenario hash, which leaves them out (scenarios.dump).
    sc = load_scenario_arg(scenario, overrides)
    n_reps = sc.simulation.replications if replications is None else replications
    # Every destination is checked before a single replication runs, so no result is lost.
    _check_destinations(records_path, out_dir)
    size = estimate_size(sc, n_reps)
    available = available_memory_bytes()
    if available is not None and size.memory_bytes > available and not force:
        raise SimError(f"this run needs {size.describe()}, more than the "
                       f"{available / 1e9:.2g} GB available; use --force to run it anyway")
    if size.memory_bytes > WARN_MEMORY_BYTES or size.calls > WARN_CALLS:
        click.echo(f"Warning: a large run: {size.describe()}", err=True)
    for warning in scenario_warnings(sc):
        click.echo(f"Warning: {warning}", err=True)

    steps = 1000  # progress bar resolution per replication
    with click.progressbar(length=n_reps * steps, label=f"{plural(n_reps, 'replication')}",
                           file=sys.stderr, show_pos=False) as bar:
        shown = [0]

        def within(r: int, share: float) -> None:
            step = r * steps + int(share * steps)
            if step > shown[0]:
                bar.update(step - shown[0])
                shown[0] = step

        try:
            result = simulate(sc, replications=n_reps, seed=seed, records_path=records_path,
                              progress=lambda done, _total: within(done, 0.0), within=within)
        except SimulationInterrupted as stop:
            interrupted = stop
        else:
            interrupted = None
    if interrupted is not None:
        _report_interrupt(interrupted, sc, overrides, fmt, out_dir)
        raise click.exceptions.Exit(130)
    _report(sc, overrides, result, fmt, out_dir)


def _check_destinations(records_path: str | None, out_dir: str | None) -> None:
    """Raise ``OSError`` now if a results file could not be written later."""
    import os
    import tempfile
    from pathlib import Path

    if records_path is not None:
        folder = Path(records_path).parent
        if Path(records_path).is_dir():
            raise IsADirectoryError(21, "Is a directory", records_path)
        try:
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".callsim-check-"):
                pass
        except OSError as err:  # name the destination, not the probe
            raise type(err)(err.errno, err.strerror, records_path) from None
    if out_dir is not None:
        out = Path(out_dir)
        if out.exists() and not out.is_dir():
            raise NotADirectoryError(20, "Not a directory", out_dir)
        try:
            out.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=out, prefix=".callsim-check-"):
                pass
        except OSError as err:
            raise type(err)(err.errno, err.strerror, out_dir) from None
        for name in ("results.json", "intervals.csv"):
            if (out / name).exists() and not os.access(out / name, os.W_OK):
                raise PermissionError(13, "Permission denied", str(out / name))


def _report(sc, overrides, result, fmt: str, out_dir: str | None) -> None:
    from plan.erlang_view import erlang_view
    from plan.targets import judge_intervals
    from report.formats import run_document, write_run_files
    from report.tables import run_rows, run_table

    view = erlang_view(sc)
    rows = run_rows(sc, result, view)
    document = run_document(sc, overrides, result, view)
    if out_dir is not None:
        write_run_files(out_dir, document, rows)
    if fmt == "table":
        table = run_table(sc, result, rows, judge_intervals(sc, result))
        if result.partial:
            table = (f"PARTIAL: interrupted; {result.replications} of "
                     f"{plural(result.replications_requested, 'replication')} finished\n"
                     + table)
        click.echo(table)
    else:
        emit(rows, list(rows[0]) if rows else [], fmt, document)


def _report_interrupt(stop, sc, overrides, fmt: str, out_dir: str | None) -> None:
    if stop.records_path is not None:
        click.echo(f"Interrupted: records of the finished replications are in "
                   f"{stop.records_path}", err=True)
    if stop.result is None:
        click.echo("Interrupted before the first replication finished: no results.", err=True)
        return
    click.echo(f"Interrupted: reporting the {plural(stop.result.replications, 'replication')} "
               f"that finished, marked partial.", err=True)
    _report(sc, overrides, stop.result, fmt, out_dir)


if __name__ == "__main__":
    main()
