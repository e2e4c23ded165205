"""``callsim``: the command line. A thin click group: parse, call the library, hand to ``report``.

User errors (the packages' own errors, click's usage errors and file problems; see
:func:`user_errors`) become one line on stderr and exit code 1; anything else is a bug and keeps
its traceback. ``callsim --debug ...`` shows the traceback of a user error too.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click

from erlang.errors import ConvergenceError, ErlangInputError, InfeasibleTargetError
from erlang.targets import SL_DEFINITIONS
from erlang.traffic import SECONDS_PER
from scenarios.errors import plural
from scenarios.schema import MAX_REPLICATIONS


def emit(*args: Any, **kwargs: Any) -> None:
    """:func:`report.formats.emit`, imported when there is something to print: the formulas
    and the reports pull in scipy and numpy, which ``callsim --help`` need not wait for."""
    from report.formats import emit as emit_rows

    emit_rows(*args, **kwargs)


def user_errors() -> tuple[type[Exception], ...]:
    """The errors a user causes and can fix, shown as one line (click's own are handled apart).

    A function rather than a constant: importing :mod:`sim` loads SimPy and scipy, which the
    ``erlang`` commands never need, so it happens only once an error is being shown.
    """
    from calibrate.errors import CalibrationError
    from plan.errors import PlanError
    from scenarios.errors import ScenarioError
    from sim.errors import SimError

    return (ScenarioError, ErlangInputError, InfeasibleTargetError, ConvergenceError, SimError,
            PlanError, CalibrationError, OSError)


class CallsimGroup(click.Group):
    """A click group whose user errors end in one line on stderr and exit code 1."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        _ARGV[:] = argv
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
    # One BLAS thread, unless the user says otherwise: callsim's parallelism is its worker
    # processes, its arrays are small, and the idle thread OpenBLAS starts with numpy spins
    # for about 0.1 s of CPU in every process (a sixth of a default run's CPU time, on the
    # core the workers need). Set before anything imports numpy.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
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
    from erlang.erlang_b import erlang_b

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
    from erlang.erlang_c import erlang_c

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
    from erlang.erlang_a import erlang_a

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
    """--lines, --patience, the redial probabilities and delay of the lines model."""
    func = click.option("--redial-delay", "redial_delay_s", type=float, default=None,
                        help="Mean redial delay, seconds (exponential). With --lines, solves "
                             "the exact chain when small enough; without, redials are taken "
                             "as Poisson (fixed point).")(func)
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
                 redial_abandoned, redial_delay_s, awt_s, short_abandon_s, fmt) -> None:
    """Limited lines, patience and redials (Erlang X style).

    Figures are per attempt; unique_lost is per caller. The method column says how it was
    solved: "exact" (the chain on lines and callers waiting to redial; needs --lines and
    --redial-delay) or "fixed_point" (redials taken as Poisson).
    """
    from erlang.retrials import erlang_x

    rate = _rate(calls, per)
    r_b, r_a = _redials(redial, redial_blocked, redial_abandoned)
    rows = [erlang_x(arrival_rate_per_s=rate, aht_s=aht_s, agents=n, lines=lines,
                     mean_patience_s=math.inf if patience_s is None else patience_s,
                     redial_blocked=r_b, redial_abandoned=r_a, mean_redial_delay_s=redial_delay_s,
                     awt_s=awt_s, short_abandon_s=short_abandon_s).to_dict()
            for n in parse_count_range(agents_text, "--agents")]
    emit(rows, ["agents", "lines", "arrival_rate_per_s", "p_blocked", "p_abandon", "unique_lost",
                "service_level", "asa_s", "occupancy", "method"], fmt,
         {"model": "erlang_x",
          "inputs": _inputs(calls, per, aht_s, lines=lines, mean_patience_s=patience_s,
                            redial_blocked=r_b, redial_abandoned=r_a,
                            mean_redial_delay_s=redial_delay_s, awt_s=awt_s),
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
              redial_abandoned, redial_delay_s, awt_s, short_abandon_s, fmt) -> None:
    """Fewest agents per interval that meet every target given.

    --calls takes one number or a comma list (one per interval, e.g. a day of 96 quarter-hours).
    """
    from erlang.retrials import erlang_x
    from erlang.staffing import StaffingTargets, staff_intervals

    counts = parse_calls(calls)
    targets = StaffingTargets(service_level=service_level, awt_s=awt_s,
                              sl_definition=sl_definition, short_abandon_s=short_abandon_s,
                              max_asa_s=max_asa_s, max_abandon=max_abandon,
                              max_occupancy=max_occupancy)
    r_b, r_a = _redials(redial, redial_blocked, redial_abandoned)
    results = staff_intervals(
        arrival_rates_per_s=[c / SECONDS_PER[per] for c in counts], aht_s=aht_s, targets=targets,
        model=model, mean_patience_s=patience_s, lines=lines, redial_blocked=r_b,
        redial_abandoned=r_a, mean_redial_delay_s=redial_delay_s, max_agents=max_agents,
    )
    rows = []
    for i, (count, res) in enumerate(zip(counts, results, strict=True)):
        figures = res.metrics.to_dict() if res.metrics else {}
        if model == "x" and res.metrics:
            # The caller-level figure and the method, from the lines model at the chosen count
            # (the search judged the per-attempt figures only).
            figures = erlang_x(
                arrival_rate_per_s=count / SECONDS_PER[per], aht_s=aht_s, agents=res.agents,
                lines=lines, mean_patience_s=math.inf if patience_s is None else patience_s,
                redial_blocked=r_b, redial_abandoned=r_a, mean_redial_delay_s=redial_delay_s,
                awt_s=awt_s, short_abandon_s=short_abandon_s,
            ).to_dict()
        calls_given = int(count) if count.is_integer() else count
        rows.append({**figures, "interval": i, "calls": calls_given, "agents": res.agents})
    columns = ["interval", "calls", "agents", "service_level", "asa_s", "p_abandon", "p_blocked",
               "occupancy"] + (["unique_lost", "method"] if model == "x" else [])
    emit(rows, columns, fmt,
         {"model": {"c": "erlang_c", "a": "erlang_a", "x": "erlang_x"}[model],
          "inputs": _inputs(calls, per, aht_s, mean_patience_s=patience_s, lines=lines,
                            redial_blocked=r_b, redial_abandoned=r_a,
                            mean_redial_delay_s=redial_delay_s),
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


def _set_engine(ctx: click.Context, _param, value: str) -> str:
    ctx.meta["callsim.engine"] = value  # the invocation's own, not a module global
    return value


def _engine() -> str:
    """The --engine of the running command (``"auto"`` outside one)."""
    ctx = click.get_current_context(silent=True)
    return "auto" if ctx is None else ctx.meta.get("callsim.engine", "auto")


def engine_option(func: Callable) -> Callable:
    """``--engine auto|fast|simpy``: which engine simulates (``sim.replicate.engine_for``).

    Kept out of the command's arguments (every simulating command reads it through
    :func:`_runner` or :func:`_engine`, from the click context's ``meta``)."""
    return click.option(
        "--engine", type=click.Choice(("auto", "fast", "simpy")), default="auto",
        show_default=True, expose_value=False, callback=_set_engine, is_eager=True,
        help="Simulation engine: fast (exact, without SimPy; no redials, callbacks, outbound), "
             "simpy (every scenario), or auto: fast whenever the scenario qualifies.")(func)


def _engine_name(sc) -> str:
    """The engine the --engine choice takes for ``sc`` (``"fast"`` or ``"simpy"``)."""
    from sim.replicate import engine_for

    return engine_for(sc, _engine())


def sim_options(func: Callable) -> Callable:
    """Options of every simulating command: replications or precision, seed, where to run,
    progress, and the extra outputs (plots, HTML report, per-replication values)."""
    options = [
        click.option("--replications", "-r", type=click.IntRange(min=1, max=MAX_REPLICATIONS),
                     default=None, help="Replications (default: the scenario's)."),
        click.option("--seed", type=click.IntRange(min=0), default=None,
                     help="Root seed entropy (default: the scenario's, else fresh and "
                          "reported)."),
        click.option("--precision", "precision", multiple=True, metavar="METRIC=HALF_WIDTH",
                     help="Add replications until the 95 % CI half-width of this whole-run "
                          "figure is at most HALF_WIDTH, e.g. p_abandon=0.005 (repeatable)."),
        click.option("--max-replications", type=click.IntRange(min=2), default=1000,
                     show_default=True, help="Ceiling for --precision."),
        click.option("--workers", type=click.IntRange(min=1), default=None,
                     help="Worker processes (default: all cores; 1 runs in this process)."),
        click.option("--dask", "dask_address", default=None, metavar="ADDRESS",
                     help="Run on a Dask cluster, e.g. tcp://scheduler:8786 "
                          "(pip install 'callsim[dask]')."),
        click.option("-q", "--quiet", is_flag=True, help="No progress bar on stderr."),
        click.option("--plot", "plot_dir", type=click.Path(file_okay=False), default=None,
                     help="Write the plots (PNG and SVG) into this folder."),
        click.option("--report", "report_path", type=click.Path(dir_okay=False), default=None,
                     help="Write a self-contained HTML report to this file."),
        click.option("--per-replication", is_flag=True,
                     help="Add every replication's values to the JSON output."),
    ]
    for option in reversed(options):
        func = option(func)
    return engine_option(func)


class _Progress:
    """A progress bar on stderr (a running count when the total is not known), or nothing."""

    def __init__(self, label: str, total: int | None, quiet: bool):
        self.label, self.total, self.done = label, total, 0
        self.bar = None
        if not quiet and total is not None:
            self.bar = click.progressbar(length=total, label=label, file=sys.stderr)
            self.bar.__enter__()
        self.quiet = quiet

    def __call__(self) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
        elif not self.quiet:
            click.echo(f"\r{self.label}: {self.done}", nl=False, err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
        elif not self.quiet and self.done:
            click.echo("", err=True)


def _runner(workers: int | None, dask_address: str | None, progress: _Progress):
    from plan.runs import Runner

    return Runner(workers=workers, dask=dask_address, progress=progress, engine=_engine())


def _precision(texts: Sequence[str]) -> dict[str, float]:
    from plan.runs import check_precision_metrics, parse_precision
    from sim.metrics import QUEUE_METRICS

    targets = parse_precision(texts)
    check_precision_metrics(targets, (*QUEUE_METRICS, "occupancy", "agents"))
    return targets


def _manifest(entropy, hashes: dict[str, str], replications, **more) -> dict[str, Any]:
    from report.workflow import manifest

    return manifest(["callsim", *_ARGV], entropy=entropy, scenario_hashes=hashes,
                    replications=replications, **more)


#: The command line as given (for manifests and the resume hint); set by CallsimGroup.main.
_ARGV: list[str] = []


def _write_extras(document_manifest: dict[str, Any], plot_dir: str | None,
                  report_path: str | None, make_plots: Callable[[str], list],
                  make_report: Callable[[], tuple[str, list]]) -> None:
    """Plots and the HTML report, each with its manifest beside it; paths said on stderr."""
    from report import html
    from report.workflow import write_manifest

    if plot_dir is not None:
        paths = make_plots(plot_dir)
        write_manifest(plot_dir, document_manifest)
        click.echo(f"plots: {len(paths)} files in {plot_dir}", err=True)
    if report_path is not None:
        title, sections = make_report()
        html.write(report_path, title, sections, document_manifest)
        write_manifest(report_path, document_manifest)
        click.echo(f"report: {report_path}", err=True)


#: Estimated memory above which a run warns (bytes).
WARN_MEMORY_BYTES = 2e9
#: Estimated calls (all replications) above which a run warns that it will take long.
WARN_CALLS = 5e7


@cli.command("run", cls=ScenarioCommand)
@scenario_argument
@overrides_option
@sim_options
@format_option
@click.option("--wide", is_flag=True, help="Every column in the per-interval table.")
@click.option("--records", "records_path", type=click.Path(dir_okay=False), default=None,
              help="Write one CSV row per simulated call to this file, as calls finish "
                   "(runs the replications in this process).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Also write results.json, intervals.csv and manifest.json into this folder.")
@click.option("--force", is_flag=True,
              help="Run even if the size estimate says the run will not fit in memory.")
def run_cmd(scenario, overrides, replications, seed, precision, max_replications, workers,
            dask_address, quiet, plot_dir, report_path, per_replication, fmt, wide,
            records_path, out_dir, force) -> None:
    """Simulate SCENARIO (a file, or a built-in example name; default: clinic).

    Ctrl-C stops the run: the replications that finished are reported, marked partial, and the
    exit code is 130.
    """
    from plan.erlang_view import erlang_view
    from plan.runs import (
        RunInterrupted,
        root_entropy,
        run_figures,
        run_to_precision,
        sim_result,
    )
    from plan.runs import (
        per_replication as per_rep_values,
    )
    from plan.targets import judge_intervals
    from report.formats import run_document, target_document, write_run_files
    from report.tables import probability_line, run_rows, run_table, target_lines

    # Seed and replications are run settings, not part of the center: they go to the
    # simulation directly (a file needs no [simulation] table for them) and are recorded beside
    # the scenario hash, which leaves them out (scenarios.dump).
    sc = load_scenario_arg(scenario, overrides)
    targets = _precision(precision)
    entropy = root_entropy(sc, seed)
    n_reps = sc.simulation.replications if replications is None else replications
    if records_path is not None:
        if targets:
            raise click.UsageError("--records and --precision cannot be combined")
        workers, dask_address = 1, None  # records stream from this process, in order
    _engine_name(sc)  # --engine fast on a scenario it cannot simulate: refused before running
    _before_running(sc, n_reps, records_path, [out_dir, plot_dir, report_path], force)
    progress = _Progress("replications", None if targets else n_reps, quiet)
    outcome = interrupted = None
    try:
        with _runner(workers, dask_address, progress) as runner:
            if targets:
                figures, outcome = run_to_precision(sc, entropy, targets, runner=runner,
                                                    start=replications,
                                                    max_replications=max_replications)
            elif records_path is not None:
                from plan.runs import run_figures_with_records

                figures = run_figures_with_records(sc, entropy, n_reps, records_path, progress,
                                                   engine=_engine())
            else:
                figures = run_figures(sc, entropy, n_reps, runner)
    except RunInterrupted as stop:
        interrupted, figures = stop, stop.figures
    finally:
        progress.close()
    if interrupted is not None:
        if interrupted.records_path is not None:
            click.echo(f"Interrupted: records of the finished replications are in "
                       f"{interrupted.records_path}", err=True)
        if not figures:
            click.echo("Interrupted before the first replication finished: no results.",
                       err=True)
            raise click.exceptions.Exit(130)
        click.echo(f"Interrupted: reporting the {plural(len(figures), 'replication')} that "
                   "finished, marked partial.", err=True)
    result = sim_result(sc, entropy, figures,
                        requested=None if interrupted is None else n_reps)
    view = erlang_view(sc)
    verdicts = judge_intervals(sc, result)
    targets_doc = target_document(sc, result, figures, verdicts)
    rows = run_rows(sc, result, view, targets_doc)
    probabilities = {t["target"]: t["whole_run"]["p_met"] for t in targets_doc}
    text_targets = [*target_lines(sc, verdicts),
                    *(probability_line(sc, t, p) for t, p in probabilities.items())]
    # The document and its manifest (package versions read from their metadata) only when
    # something shows or writes them: a plain table needs neither.
    document = None
    if fmt != "table" or any(p is not None for p in (out_dir, plot_dir, report_path)):
        from report.workflow import run_plots, run_sections, scenario_section, write_manifest

        document = run_document(sc, overrides, result, view)
        document["targets"] = targets_doc
        the_manifest = _manifest(entropy, {sc.name: result.scenario_hash}, result.replications,
                                 workers=runner.workers, dask=dask_address,
                                 engine=result.engine,
                                 precision=outcome.to_dict() if outcome else None)
        document["manifest"] = the_manifest
        if outcome is not None:
            document["precision"] = outcome.to_dict()
        if per_replication:
            document["per_replication"] = per_rep_values(figures, sc)
        if out_dir is not None:
            write_run_files(out_dir, document, rows)
            write_manifest(out_dir, the_manifest)
        _write_extras(
            the_manifest, plot_dir, report_path,
            lambda d: run_plots(sc, result, view, d),
            lambda: (f"callsim: {sc.name}",
                     [scenario_section(sc, overrides),
                      *run_sections(sc, result, view, rows, text_targets)]))
    if outcome is not None and not quiet:
        from report.workflow import _precision_text

        click.echo(_precision_text(outcome.to_dict()), err=True)
    if fmt == "table":
        table = run_table(sc, result, rows, verdicts, wide=wide, probabilities=probabilities)
        if result.partial:
            table = (f"PARTIAL: interrupted; {result.replications} of "
                     f"{plural(result.replications_requested, 'replication')} finished\n"
                     + table)
        click.echo(table)
    else:
        emit(rows, list(rows[0]) if rows else [], fmt, document)
    if interrupted is not None:
        raise click.exceptions.Exit(130)


def _before_running(sc, n_reps: int, records_path: str | None, out_paths: Sequence,
                    force: bool) -> None:
    """Everything that can be known before simulating: destinations writable, the run's size
    (refused above the memory available unless ``force``), suspicious scenarios warned of."""
    from scenarios.advice import scenario_warnings
    from sim.errors import SimError
    from sim.size import available_memory_bytes, estimate_size

    _check_destinations(records_path, out_paths[0])
    size = estimate_size(sc, n_reps)
    available = available_memory_bytes()
    if available is not None and size.memory_bytes > available and not force:
        raise SimError(f"this run needs {size.describe()}, more than the "
                       f"{available / 1e9:.2g} GB available; use --force to run it anyway")
    if size.memory_bytes > WARN_MEMORY_BYTES or size.calls > WARN_CALLS:
        click.echo(f"Warning: a large run: {size.describe()}", err=True)
    for warning in scenario_warnings(sc):
        click.echo(f"Warning: {warning}", err=True)


def _check_destinations(records_path: str | None, out_dir: str | None) -> None:
    """Raise ``OSError`` now if a results file could not be written later."""
    if records_path is None and out_dir is None:
        return  # (before the imports: a plain run table writes no file)
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


# ---------------------------------------------------------------------------------------------
# callsim staff / callsim shifts (plan.requirements, plan.shifts)

_METHOD_CHOICE = click.Choice(["erlang_c", "erlang_a", "simulation"])
shrinkage_option = click.option(
    "--shrinkage", type=click.FloatRange(0.0, 0.95), default=None,
    help="Share of paid time off the phones, breaks excluded (default: the scenario's "
         "planning.shrinkage, else 0). Heads = ceil(on phone / (1 - shrinkage)).")


def _progress(line: str) -> None:
    click.echo(line, err=True)


@cli.command("staff")
@scenario_argument
@click.option("--replications", "-r", type=click.IntRange(min=2), default=None,
              help="Replications per simulated staffing (default: the scenario's).")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Root seed entropy of every simulation (default: the scenario's, else fresh).")
@click.option("--no-sim", is_flag=True, help="Erlang C and A only (no simulation).")
@shrinkage_option
@overrides_option
@format_option
@click.option("--emit-scenario", "emit_path", type=click.Path(dir_okay=False), default=None,
              help="Write the scenario with the requirement (on the phones) as its staffing.")
@click.option("--method", "emit_method", type=_METHOD_CHOICE, default=None,
              help="Requirement written by --emit-scenario (default: simulation, else Erlang A).")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None,
              help="Save a PNG of the requirements per interval.")
@click.option("--cross-train", "cross_train", metavar="GROUP:SKILL", default=None,
              help="Also simulate 1, 2 and 3 agents of GROUP trained in call type SKILL "
                   "(the scenario's own staffing; paired differences with CIs).")
@engine_option
def staff_scenario_cmd(scenario, replications, seed, no_sim, shrinkage, overrides, fmt,
                       emit_path, emit_method, plot_path, cross_train) -> None:
    """Operators needed per interval of SCENARIO, by Erlang C, Erlang A and simulation."""
    from plan.requirements import requirements
    from scenarios.write import write_scenario

    sc = load_scenario_arg(scenario, overrides)
    req = requirements(sc, simulate=not no_sim, replications=replications, seed=seed,
                       shrinkage=shrinkage, progress=_progress, engine=_engine())
    rows = req.rows()
    document = {"scenario": sc.name, "overrides": list(overrides), "shrinkage": req.shrinkage,
                "formula": req.formula, "entropy": req.entropy,
                "engine": _engine_name(sc) if req.simulated else None,
                "replications": req.replications if req.simulated else None,
                "isa_iterations": [list(s) for s in req.simulated.iterations]
                if req.simulated else None,
                "isa_converged": req.simulated.converged if req.simulated else None,
                "corrections": req.simulated.corrections if req.simulated else None,
                "trimmed_agent_intervals": req.simulated.removed if req.simulated else None,
                "unmet_intervals": list(req.simulated.unmet) if req.simulated else None,
                "by_group": _by_group(sc, req),
                "intervals": rows}
    emit(rows, list(rows[0]), fmt, document)
    if fmt == "table":
        flagged = [r["time"] for r in rows if r["understaffed"]]
        click.echo(f"shrinkage {req.shrinkage:g}; heads = ceil(agents / (1 - shrinkage)). "
                   f"{req.formula} per interval misses a target once simulated in "
                   f"{len(flagged)} interval(s){': ' + ', '.join(flagged) if flagged else ''}.")
        if req.simulated is not None:
            s = req.simulated
            click.echo(f"simulation: {len(s.iterations)} ISA staffing(s), "
                       f"{'settled' if s.converged else 'NOT settled'}; {s.corrections} "
                       f"correction round(s), {s.removed} agent-interval(s) trimmed, "
                       f"{s.simulations} staffings simulated; seed {req.entropy}, "
                       f"{req.replications} replications; intervals still missing a target: "
                       f"{', '.join(rows[k]['time'] for k in s.unmet) or 'none'}")
    if cross_train is not None:
        _cross_training_table(sc, cross_train, req, fmt)
    if plot_path is not None:
        from report.staffing_plots import plot_requirements

        plot_requirements(req, plot_path)
    if emit_path is not None:
        method = emit_method or ("simulation" if req.simulated else req.formula)
        agents = req.on_phone(method)
        if agents is None:
            raise click.UsageError(f"--method {method} has no requirement in this run")
        from plan.requirements import with_staffing

        write_scenario(with_staffing(sc, agents), emit_path,
                       header_comment=f"{sc.name}: staffing = agents on the phones required "
                       f"by {method} (callsim staff)")


@cli.command("shifts")
@scenario_argument
@click.argument("shift_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--method", "method", type=_METHOD_CHOICE, default="erlang_a", show_default=True,
              help="Requirement to cover (simulation runs the time-varying search first).")
@click.option("--replications", "-r", type=click.IntRange(min=2), default=None,
              help="Replications for the simulations (default: the scenario's).")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Root seed entropy.")
@click.option("--time-limit", "time_limit_s", type=click.FloatRange(min=1), default=60.0,
              show_default=True, help="Solver time limit per solve, seconds.")
@click.option("--no-sim", is_flag=True, help="Do not simulate the roster.")
@shrinkage_option
@overrides_option
@format_option
@click.option("--emit-scenario", "emit_path", type=click.Path(dir_okay=False), default=None,
              help="Write the scenario with the roster's shifts (breaks left out), for "
                   "callsim run.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None,
              help="Save a PNG of requirement against rostered agents.")
@engine_option
def shifts_cmd(scenario, shift_file, method, replications, seed, time_limit_s, no_sim,
               shrinkage, overrides, fmt, emit_path, plot_path) -> None:
    """Least-cost shifts (SHIFT_FILE, TOML) covering SCENARIO's requirement per interval."""
    from plan.requirements import heads_to_schedule, requirements
    from plan.shifts import load_shift_rules, rostered_scenario, schedule
    from scenarios.write import write_scenario

    sc = load_scenario_arg(scenario, overrides)
    rules = load_shift_rules(shift_file)
    req = requirements(sc, simulate=method == "simulation", replications=replications,
                       seed=seed, shrinkage=shrinkage, marginal=False, progress=_progress,
                       engine=_engine())
    on_phone = req.on_phone(method)
    if on_phone is None:
        raise click.UsageError(f"--method {method} has no requirement for this scenario")
    heads = [heads_to_schedule(n, req.shrinkage) for n in on_phone]
    roster = schedule(heads, rules, sc.calendar, source=shift_file, time_limit_s=time_limit_s)
    rows = roster.rows()
    simulated = None
    staffed = rostered_scenario(sc, roster, req.shrinkage)
    if not no_sim:
        from plan.targets import judge_intervals
        from sim.replicate import simulate

        simulated = simulate(staffed, replications=replications, seed=seed,
                             engine=_engine())
        verdicts = judge_intervals(staffed, simulated)
        for row, est, v in zip(rows, simulated.intervals, verdicts, strict=False):
            row["sim_sl"] = est["service_level"].mean
            row["sim_sl_ci"] = est["service_level"].ci95
            row["sim_p_abandon"] = est["p_abandon"].mean
            row["meets"] = "" if math.isnan(est["service_level"].mean) else (
                "yes" if all(x.met for x in v) else "NO")
    document = {"scenario": sc.name, "shift_file": shift_file, "method": method,
                "shrinkage": req.shrinkage, "cost": roster.cost, "optimal": roster.optimal,
                "covered": roster.covered, "roster": roster.roster_rows(), "intervals": rows,
                "entropy": simulated.entropy if simulated else None,
                "engine": simulated.engine if simulated else None}
    if fmt == "table":
        click.echo(format_roster(roster))
    emit(rows, list(rows[0]), fmt, document)
    if fmt == "table":
        short = [f"{roster.labels[k]} ({roster.shortfall[k]:g})"
                 for k in range(len(rows)) if roster.shortfall[k] > 0]
        proven = "" if roster.optimal else " (time limit: not proven least)"
        click.echo(f"cost {roster.cost:.2f} per day{proven}; "
                   + (f"SHORT of the requirement in {len(short)} interval(s): {', '.join(short)}"
                      if short else "every interval covered"))
        if simulated is not None:
            click.echo(f"roster simulated: seed {simulated.entropy}, {simulated.replications} "
                       f"replications; shrinkage simulated as availability x (1 - "
                       f"{req.shrinkage:g})")
    if plot_path is not None:
        from report.staffing_plots import plot_roster

        plot_roster(roster, plot_path)
    if emit_path is not None:
        write_scenario(staffed, emit_path, header_comment=(
            f"{sc.name}\nShifts from {shift_file} (callsim shifts, {method} requirement); the "
            f"breaks are the gaps\nbetween shift pieces. Shrinkage {req.shrinkage:g} is "
            f"simulated as availability x (1 - shrinkage),\nso planning.shrinkage is 0 here "
            f"(it must not be counted twice)."))


def _by_group(sc, req) -> dict[str, dict[str, list[int]]]:
    """Each method's requirement split over the agent groups (by the load of their skills)."""
    from plan.requirements import with_staffing

    out: dict[str, dict[str, list[int]]] = {}
    for method in ("erlang_c", "erlang_a", "simulation"):
        agents = req.on_phone(method)
        if agents is not None:
            split = with_staffing(sc, agents)
            out[method] = {g.name: list(g.staffing) for g in split.agent_groups}
    return out


def _cross_training_table(sc, spec: str, req, fmt: str) -> None:
    """The value of cross-training, as a table on stdout (table format) or stderr (others,
    so that the requirement's JSON or CSV stays one document)."""
    from plan.crosstraining import cross_training_value
    from report.tables import format_table

    group, sep, skill = spec.partition(":")
    if not sep:
        raise click.BadParameter(f"must be GROUP:SKILL, got {spec!r}", param_hint="--cross-train")
    entropy = req.entropy if req.entropy is not None else (sc.simulation.seed or 0)
    values = cross_training_value(sc, group=group, skill=skill, entropy=entropy,
                                  replications=max(2, req.replications), engine=_engine())
    rows = [{"cross_trained": v.agents, "sl_gain": v.service_level.mean,
             "sl_gain_ci": v.service_level.ci95, f"{skill}_sl_gain": v.skill_service_level.mean,
             f"{skill}_sl_gain_ci": v.skill_service_level.ci95,
             "abandoned_per_day": v.abandoned.mean, "abandoned_ci": v.abandoned.ci95}
            for v in values]
    click.echo(f"cross-training {group} agents in {skill} (scenario's staffing, seed {entropy}):",
               err=fmt != "table")
    click.echo(format_table(rows, list(rows[0])), err=fmt != "table")


def format_roster(roster) -> str:
    """The roster lines as a table."""
    from report.tables import format_table

    lines = roster.roster_rows()
    return format_table(lines, list(lines[0])) if lines else "(no shifts)"


# callsim calibrate / callsim backtest

def log_options(func: Callable) -> Callable:
    """How to read per-call logs: a preset, a column mapping or a mapping file; --strict."""
    func = click.option("--strict", is_flag=True,
                        help="Stop at the first unusable row instead of counting it.")(func)
    func = click.option("--clock-start", default="00:00", show_default=True,
                        help="callsim preset: time of day of simulated time 0.")(func)
    func = click.option("--mapping", "mapping_file", type=click.Path(dir_okay=False),
                        default=None, help="TOML file with [columns] (and [outcomes]).")(func)
    func = click.option("--columns", default=None, metavar="FIELD=COLUMN,...",
                        help="Column mapping, e.g. arrival=StartTime,outcome=Result,...")(func)
    func = click.option("--preset", type=click.Choice(["anonymous-bank", "callsim"]),
                        default=None, help="A known export format.")(func)
    return click.argument("logs", nargs=-1, required=True)(func)


def _read_logs(logs, preset, columns, mapping_file, clock_start, strict):
    from calibrate.errors import CalibrationError
    from calibrate.logs import (
        load_mapping_file,
        mapping_preset,
        parse_columns_option,
        preset_named,
        read_logs,
    )
    from scenarios.calendar import parse_clock

    given = [x for x in (preset, columns, mapping_file) if x is not None]
    if len(given) != 1:
        raise CalibrationError("give exactly one of --preset, --columns, --mapping")
    if preset is not None:
        try:
            start_s = parse_clock(clock_start)
        except ValueError:
            raise CalibrationError(f"--clock-start must be a clock time HH:MM, got "
                                   f"{clock_start!r}") from None
        reader = preset_named(preset, clock_start_s=start_s)
    elif columns is not None:
        reader = mapping_preset(parse_columns_option(columns))
    else:
        reader = load_mapping_file(mapping_file)
    log = read_logs(logs, reader, strict=strict)
    summ = log.summary()
    click.echo(f"read {summ['calls']} calls ({summ['first_day']} to {summ['last_day']}); "
               f"{summ['unusable_rows']} unusable rows; "
               + ", ".join(f"{q.kind}: {q.count}" for q in log.quirks), err=True)
    for problem in log.problems[:10]:
        click.echo(f"  unusable: {problem}", err=True)
    if len(log.problems) > 10:
        click.echo(f"  ... and {len(log.problems) - 10} more (calibration.json lists 50)",
                   err=True)
    return log


@cli.command("calibrate")
@log_options
@click.option("--interval", type=click.Choice(["15", "30", "60"]), default="60",
              show_default=True, help="Interval length, minutes.")
@click.option("--day-types", type=click.Choice(["weekday", "dow"]), default="weekday",
              show_default=True, help="Pool working days, or keep every weekday apart.")
@click.option("--short-service", "short_s", type=float, default=10.0, show_default=True,
              help="Services shorter than this (s) are left out of the handle-time shape.")
@awt_option
@click.option("--reports", is_flag=True,
              help="LOGS are interval reports (with --columns or --mapping), not call logs.")
@click.option("--tune/--no-tune", default=True, show_default=True,
              help="Scale the availability so the simulation replays the logs' abandonment.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True,
              help="Folder for scenario.toml and calibration.json.")
def calibrate_cmd(logs, preset, columns, mapping_file, clock_start, strict, interval, day_types,
                  short_s, awt_s, reports, tune, out_dir) -> None:
    """Fit a scenario from per-call LOGS and write DIR/scenario.toml and calibration.json.

    With --reports, LOGS are interval reports: arrivals, mean handle time, exponential patience
    and a staffing factor are fitted from them alone (see calibrate/intervals.py).
    """
    import json
    from pathlib import Path

    from calibrate.calibration import Settings, calibrate
    from report.formats import jsonable
    from scenarios.write import write_scenario

    if reports:
        _calibrate_reports(logs, columns, mapping_file, strict, interval, day_types, awt_s,
                           out_dir)
        return

    log = _read_logs(logs, preset, columns, mapping_file, clock_start, strict)
    settings = Settings(interval_s=float(interval) * 60, day_types=day_types,
                        short_service_s=short_s, awt_s=awt_s,
                        resolution_s=0.0 if preset == "callsim" else 1.0)
    cal = calibrate(log, settings)
    document = jsonable(cal.to_dict())
    name = f"calibrated from {Path(logs[0]).name}"
    scale = 1.0
    if tune:
        from plan.backtest import Learned, tune_availability

        with click.progressbar(length=12, label="tuning availability by simulation",
                               file=sys.stderr) as bar:
            scale, record = tune_availability(cal.scenario(name), Learned.from_document(document),
                                              log, progress=lambda *_: bar.update(1))
        document["staffing"]["availability"]["simulation_scale"] = scale
        document["staffing"]["availability"]["simulation_tuning"] = jsonable(record)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    header = cal.header() + (f"\nAvailability scale tuned by simulation: {scale:.3f}." if tune
                             else "\nAvailability scale not tuned (--no-tune).")
    write_scenario(cal.scenario(name, availability_scale=scale), out / "scenario.toml",
                   header_comment=header)
    (out / "calibration.json").write_text(json.dumps(document, indent=1) + "\n")
    from report.calibration_plots import calibration_plots

    plots = calibration_plots(cal, out)
    h, p = cal.handle_time, cal.patience
    click.echo(f"handle time: {h.chosen.family}, mean {h.mean_all_s:.1f} s (all answered), "
               f"cv {h.chosen.cv:.3f}; {h.n_short} services under {h.short_s:g} s")
    click.echo(f"patience: {p.chosen.family} (AIC), exponential MLE mean "
               f"{p.exponential.mean_s:.0f} s, naive mean of abandoners {p.naive_mean_s:.0f} s, "
               f"regression {p.regression_mean_s:.0f} s")
    click.echo(f"availability (pooled) {cal.availability.pooled:.3f} x scale {scale:.3f}; "
               f"baseline factor "
               f"{cal.baseline_factor:.3f}; wrote {out / 'scenario.toml'}, "
               f"{out / 'calibration.json'}, " + ", ".join(p.name for p in plots))


def _calibrate_reports(logs, columns, mapping_file, strict, interval, day_types, awt_s,
                       out_dir) -> None:
    import json
    import tomllib
    from pathlib import Path

    from calibrate.calibration import Settings
    from calibrate.errors import CalibrationError
    from calibrate.intervals import calibrate_reports, read_interval_reports
    from calibrate.logs import parse_columns_option
    from report.formats import jsonable
    from scenarios.write import write_scenario

    if (columns is None) == (mapping_file is None):
        raise CalibrationError("--reports needs exactly one of --columns, --mapping")
    if columns is not None:
        mapping = parse_columns_option(columns)
    else:
        try:
            mapping = tomllib.loads(Path(mapping_file).read_text(encoding="utf-8"))["columns"]
        except (tomllib.TOMLDecodeError, KeyError) as exc:
            raise CalibrationError(f"{mapping_file}: must be TOML with a [columns] table "
                                   f"({exc})") from None
    settings = Settings(interval_s=float(interval) * 60, day_types=day_types, awt_s=awt_s)
    report = read_interval_reports(logs, mapping, interval_s=settings.interval_s, strict=strict)
    click.echo(f"read {len(report.observed.offered)} intervals; {len(report.problems)} unusable "
               "rows", err=True)
    for problem in report.problems[:10]:
        click.echo(f"  unusable: {problem}", err=True)
    cal = calibrate_reports(report, settings)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_scenario(cal.scenario(), out / "scenario.toml", header_comment=cal.header())
    (out / "calibration.json").write_text(json.dumps(jsonable(cal.to_dict()), indent=1) + "\n")
    lo, hi = cal.patience_ci95_s
    click.echo(f"handle time: mean {cal.aht_s:.1f} s (exponential assumed); patience: "
               f"exponential mean {cal.patience_mean_s:.0f} s (95 % CI {lo:.0f}-{hi:.0f}); "
               f"staffing factor {cal.factor if cal.factor is None else round(cal.factor, 3)}; "
               f"wrote {out / 'scenario.toml'}, {out / 'calibration.json'}")


@cli.command("backtest")
@click.argument("scenario")
@log_options
@click.option("--calibration", "calibration_path", type=click.Path(dir_okay=False),
              default=None, help="calibration.json (default: beside SCENARIO).")
@click.option("--replications", "-r", type=click.IntRange(min=2), default=10,
              show_default=True)
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True)
@format_option
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None,
              help="Write a PNG: observed vs predicted abandonment, bias by hour of day.")
@click.option("--staffing", "staffing_path", type=click.Path(dir_okay=False), default=None,
              help="CSV with columns start (YYYY-MM-DD HH:MM) and agents: effective agents "
                   "you know, used instead of the inferred ones.")
def backtest_cmd(scenario, logs, preset, columns, mapping_file, clock_start, strict,
                 calibration_path, replications, seed, fmt, plot_path, staffing_path) -> None:
    """Replay LOGS interval by interval through Erlang C, Erlang A and the simulation."""
    import json
    from pathlib import Path

    from calibrate.errors import CalibrationError
    from plan.backtest import METHODS, Backtest, Learned, backtest
    from report.formats import jsonable
    from report.tables import format_table

    sc = load_scenario_arg(scenario)
    path = Path(calibration_path or Path(scenario).parent / "calibration.json")
    try:
        learned = Learned.from_document(json.loads(path.read_text(encoding="utf-8")))
    except (KeyError, ValueError) as exc:
        raise CalibrationError(f"{path}: not a calibration.json written by callsim calibrate "
                               f"({exc})") from None
    log = _read_logs(logs, preset, columns, mapping_file, clock_start, strict)
    with click.progressbar(length=1, label="days", file=sys.stderr) as bar:
        def progress(done, total):
            bar.length = total
            bar.update(1)
        staffing = None
        if staffing_path is not None:
            from calibrate.intervals import read_staffing

            staffing = read_staffing(staffing_path, learned.interval_s)
        result: Backtest = backtest(sc, learned, log, replications=replications, seed=seed,
                                    progress=progress, staffing=staffing)
    if plot_path is not None:
        from report.calibration_plots import backtest_plot

        backtest_plot(result, plot_path, ("erlang_a", "simulation", "baseline_headcount",
                                          "baseline_factor"))
    if fmt == "json":
        click.echo(json.dumps(jsonable(result.document()), indent=1))
    elif fmt == "csv":
        rows = result.rows()
        emit(rows, list(rows[0]), "csv", None)
    else:
        s = result.summary
        rows = [{"method": m,
                 "abandon_mae_hourly": s[m]["p_abandon_hourly_mae"],
                 "abandon_bias": s[m]["p_abandon_hourly_bias"],
                 "abandon_mae_daily": s[m]["p_abandon_daily_mae"],
                 "sl_mae_hourly": s[m]["service_level_hourly_mae"],
                 "sl_mae_daily": s[m]["service_level_daily_mae"],
                 "asa_mae_s": s[m]["asa_s_hourly_mae"]} for m in METHODS]
        click.echo(format_table(rows, list(rows[0])))
        f = result.noise_floor
        click.echo(f"noise floor (a perfect model on one real day): abandonment hourly "
                   f"{f['p_abandon_hourly_mae']:.4f}, daily {f['p_abandon_daily_mae']:.4f}; "
                   f"service level hourly {f['service_level_hourly_mae']:.4f}; "
                   f"{len(result.index)} intervals")


# ---------------------------------------------------------------------------------------------
# callsim compare / whatif / sweep / explain

def _compare_and_report(variants, replications, seed, precision, max_replications, workers,
                        dask_address, quiet, plot_dir, report_path, per_replication, fmt,
                        metrics) -> None:
    from plan.compare import KEY_METRICS, compare
    from plan.runs import root_entropy
    from report import plots
    from report.workflow import (
        compare_document,
        compare_rows,
        compare_sections,
        compare_text,
        scenario_section,
    )

    base = variants[0].scenario
    targets = _precision(precision)
    metrics = list(metrics) or list(KEY_METRICS)
    from sim.metrics import QUEUE_METRICS

    for m in metrics:
        if m not in (*QUEUE_METRICS, "occupancy", "agents"):
            raise click.BadParameter(f"unknown metric {m!r}", param_hint="--metric")
    entropy = root_entropy(base, seed)
    n_reps = base.simulation.replications if replications is None else replications
    total = None if targets else n_reps * len(variants)
    progress = _Progress("replications", total, quiet)
    try:
        with _runner(workers, dask_address, progress) as runner:
            comparison = compare(variants, entropy=entropy, replications=n_reps, runner=runner,
                                 precision=targets or None, max_replications=max_replications)
    finally:
        progress.close()
    the_manifest = _manifest(entropy, {v.name: r.scenario_hash for v, r in
                                       zip(variants, comparison.results, strict=True)},
                             comparison.replications, workers=runner.workers,
                             dask=dask_address)
    document = compare_document(comparison, per_replication)
    document["manifest"] = the_manifest

    def make_plots(d):
        return plots.save(plots.compare_bars(comparison, metrics[:3]), d, "compare")

    _write_extras(the_manifest, plot_dir, report_path, make_plots,
                  lambda: (f"callsim: what-if on {base.name}",
                           [scenario_section(base), *compare_sections(comparison, metrics)]))
    if fmt == "table":
        click.echo(compare_text(comparison, metrics, base))
    else:
        rows = compare_rows(comparison, metrics)
        emit(rows, list(rows[0]), fmt, document)


metric_option = click.option("--metric", "metrics", multiple=True,
                             help="Figure to show (repeatable; default: the key figures).")


@cli.command("compare")
@click.argument("scenarios", nargs=-1, required=True)
@sim_options
@format_option
@metric_option
def compare_cmd(scenarios, replications, seed, precision, max_replications, workers,
                dask_address, quiet, plot_dir, report_path, per_replication, fmt,
                metrics) -> None:
    """Compare scenario files (the first is the base) under common random numbers."""
    from pathlib import Path

    from plan.compare import Variant

    if len(scenarios) < 2:
        raise click.UsageError("compare needs at least two scenarios (the first is the base)")
    variants, names = [], set()
    for text in scenarios:
        name = Path(text).stem if Path(text).exists() else text
        while name in names:
            name += "'"
        names.add(name)
        variants.append(Variant(name, load_scenario_arg(text)))
    _compare_and_report(variants, replications, seed, precision, max_replications, workers,
                        dask_address, quiet, plot_dir, report_path, per_replication, fmt,
                        metrics)


@cli.command("whatif")
@scenario_argument
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
              help="One variant with this override (repeatable: one variant each).")
@click.option("--variant", "variant_texts", multiple=True, metavar="NAME:KEY=VALUE,...",
              help="A named variant with several overrides (repeatable).")
@sim_options
@format_option
@metric_option
def whatif_cmd(scenario, sets, variant_texts, replications, seed, precision, max_replications,
               workers, dask_address, quiet, plot_dir, report_path, per_replication, fmt,
               metrics) -> None:
    """What each change buys: SCENARIO against each --set / --variant, under common random
    numbers, with paired CIs on the differences."""
    from plan.compare import Variant, parse_variant

    if not sets and not variant_texts:
        raise click.UsageError("whatif needs at least one --set or --variant")
    variants = [Variant("base", load_scenario_arg(scenario))]
    for text in sets:
        variants.append(Variant(text, load_scenario_arg(scenario, [text]), (text,)))
    for text in variant_texts:
        name, overrides = parse_variant(text)
        variants.append(Variant(name, load_scenario_arg(scenario, overrides), overrides))
    _compare_and_report(variants, replications, seed, precision, max_replications, workers,
                        dask_address, quiet, plot_dir, report_path, per_replication, fmt,
                        metrics)


@cli.command("sweep")
@scenario_argument
@click.option("--grid", "grids", multiple=True, required=True, metavar="KEY=V1,V2,...",
              help="A key and the values to sweep (repeatable).")
@click.option("--zip", "zipped", is_flag=True,
              help="Pair the lists (i-th values together) instead of the full grid.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False), default=None,
              help="Results file, JSON lines written point by point (default: sweep.jsonl).")
@click.option("--resume", is_flag=True, help="Continue the sweep in --out, skipping finished "
                                             "points.")
@sim_options
@format_option
@metric_option
def sweep_cmd(scenario, grids, zipped, out_path, resume, replications, seed, precision,
              max_replications, workers, dask_address, quiet, plot_dir, report_path,
              per_replication, fmt, metrics) -> None:
    """Simulate SCENARIO over a grid of overrides; a table with CIs, curves with CI bands."""
    from plan.runs import root_entropy
    from plan.sweep import build_points, parse_grid, run_sweep, sweep_rows
    from report import plots
    from report.workflow import (
        scenario_section,
        sweep_sections,
        sweep_text,
        write_manifest,
    )
    from scenarios.dump import scenario_hash

    grid: dict[str, list] = {}
    for text in grids:
        key, values = parse_grid(text)
        if key in grid:
            raise click.BadParameter(f"key {key!r} given twice", param_hint="--grid")
        grid[key] = values
    base = load_scenario_arg(scenario)
    # Every point is built (and so validated) before any simulation starts.
    points = build_points(lambda o: load_scenario_arg(scenario, o), grid, zipped)
    targets = _precision(precision)
    metrics = list(metrics) or ["lost_share", "service_level", "p_abandon"]
    entropy = root_entropy(base, seed)
    n_reps = base.simulation.replications if replications is None else replications
    out_path = out_path or "sweep.jsonl"
    progress = _Progress("sweep points", len(points), quiet)
    try:
        with _runner(workers, dask_address, None) as runner:
            result = run_sweep(points, entropy=entropy, replications=n_reps, out_path=out_path,
                               grid=grid, zipped=zipped, base_hash=scenario_hash(base),
                               runner=runner, resume=resume,
                               keep_per_replication=per_replication, precision=targets or None,
                               max_replications=max_replications,
                               on_point=lambda _p: progress())
    except KeyboardInterrupt:
        progress.close()
        import shlex

        again = ["callsim", *_ARGV] + ([] if "--resume" in _ARGV else ["--resume"])
        if "--seed" not in _ARGV and base.simulation.seed is None:
            again += ["--seed", str(entropy)]
        if "--out" not in _ARGV:
            again += ["--out", out_path]
        click.echo(f"Interrupted: the points finished so far are in {out_path}. Continue "
                   f"with:\n  {shlex.join(again)}", err=True)
        raise click.exceptions.Exit(130) from None
    progress.close()
    the_manifest = _manifest(entropy, {"base": scenario_hash(base)}, n_reps, grid=grid,
                             zip=zipped, results=str(out_path), workers=runner.workers,
                             dask=dask_address)
    write_manifest(out_path, the_manifest)

    def make_plots(d):
        return [path for m in metrics for p in grid
                for path in plots.save(plots.sweep_curves(result, m, p), d,
                                       f"sweep_{m}_vs_{p.replace('.', '_')}")]

    _write_extras(the_manifest, plot_dir, report_path, make_plots,
                  lambda: (f"callsim: sweep of {base.name}",
                           [scenario_section(base), *sweep_sections(result, metrics)]))
    rows = sweep_rows(result, metrics)
    if fmt == "table":
        click.echo(sweep_text(result, metrics))
    else:
        emit(rows, list(rows[0]), fmt,
             {"header": result.header, "manifest": the_manifest,
              "points": [p.to_line() for p in result.points]})


@cli.command("explain")
@scenario_argument
@overrides_option
@sim_options
@format_option
def explain_cmd(scenario, overrides, replications, seed, precision, max_replications, workers,
                dask_address, quiet, plot_dir, report_path, per_replication, fmt) -> None:
    """Why the simulation disagrees with the Erlang calculator: from per-interval Erlang C to
    the full simulation, one modelling feature a step, each step's effect with its CI."""
    from plan.explain import FEATURES, explain
    from plan.runs import root_entropy
    from report import plots
    from report.workflow import (
        explain_rows,
        explain_sections,
        explain_text,
        scenario_section,
    )

    if precision:
        raise click.UsageError("explain takes --replications, not --precision")
    if per_replication:
        raise click.UsageError("explain does not report per-replication values; run compare "
                               "or run on the scenarios of interest")
    sc = load_scenario_arg(scenario, overrides)
    entropy = root_entropy(sc, seed)
    n_reps = sc.simulation.replications if replications is None else replications
    if n_reps < 2:
        raise click.BadParameter("must be >= 2 for CIs", param_hint="--replications")
    progress = _Progress("replications", n_reps * (len(FEATURES) + 1), quiet)
    try:
        with _runner(workers, dask_address, progress) as runner:
            explanation = explain(sc, entropy=entropy, replications=n_reps, runner=runner)
    finally:
        progress.close()
    from scenarios.dump import scenario_hash

    the_manifest = _manifest(entropy, {sc.name: scenario_hash(sc)}, n_reps,
                             workers=runner.workers, dask=dask_address)

    def make_plots(d):
        return [path for m in ("service_level", "p_abandon")
                for path in plots.save(plots.explain_waterfall(explanation, m), d,
                                       f"explain_{m}")]

    _write_extras(the_manifest, plot_dir, report_path, make_plots,
                  lambda: (f"callsim: explaining {sc.name}",
                           [scenario_section(sc, overrides), *explain_sections(explanation)]))
    rows = explain_rows(explanation)
    if fmt == "table":
        click.echo(explain_text(explanation))
    else:
        emit(rows, list(rows[0]), fmt, {**explanation.to_dict(), "manifest": the_manifest})


if __name__ == "__main__":
    main()
