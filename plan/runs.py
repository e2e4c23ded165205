"""Replications as independent tasks: serially, in worker processes, or on a Dask cluster.

One task is one replication ``r`` of one scenario under one root entropy: it builds
``sim.streams.replication_seed(entropy, r)`` and returns that replication's figures
(:class:`Figures`). A task depends on nothing but its arguments, so where it runs cannot change
what it returns: a run in 8 processes, or on a Dask cluster, gives bit for bit the figures of a
serial run with the same seed (the tests hold this), and common random numbers survive
parallelism (replication ``r`` of every variant of a what-if gets the same seed).

Estimates
---------
:func:`estimate` turns per-replication values into a mean and a Student-t 95 % half-width,
leaving out replications where a figure is undefined (``nan``), exactly as
:func:`sim.replicate.simulate` does; :func:`sim_result` builds the same
:class:`sim.results.SimResult` from a list of :class:`Figures`.

Precision
---------
:func:`run_to_precision` adds replications until the 95 % half-width of each named whole-run
figure is at most its target (``{"p_abandon": 0.005}``), or a ceiling on replications is met.
The number needed is projected from the half-width so far (half-widths shrink like
``1 / sqrt(R)``), so it takes few rounds; every round's replications run in parallel.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scenarios.dump import scenario_hash
from scenarios.schema import Scenario
from sim.errors import SimError
from sim.metrics import call_type_metrics, group_metrics, interval_metrics, total_metrics
from sim.replicate import ENGINES, engine_for, run_counts
from sim.results import Estimate, SimResult, t975
from sim.streams import replication_seed

#: Replications run at least this many times before a precision target is judged.
MIN_PRECISION_REPLICATIONS = 5


@dataclass(frozen=True)
class Figures:
    """One replication's figures (the values whose means and CIs a :class:`SimResult` holds).

    Attributes
    ----------
    replication : int
    summary : dict of str to float
        Whole-run figures (:func:`sim.metrics.total_metrics`).
    intervals : dict of str to ndarray
        Per-interval figures, each of length ``n_intervals``.
    by_call_type, by_group : dict of str to ndarray
        Per call type (length ``T``) and per group (length ``G``) figures.
    """

    replication: int
    summary: dict[str, float]
    intervals: dict[str, np.ndarray]
    by_call_type: dict[str, np.ndarray]
    by_group: dict[str, np.ndarray]
    engine: str = "simpy"  #: the engine that simulated (``"fast"`` or ``"simpy"``)


def replication_figures(scenario: Scenario, entropy: int, replication: int,
                        sink: Callable[[list], None] | None = None,
                        engine: str = "auto") -> Figures:
    """Simulate replication ``replication`` of ``scenario`` under root ``entropy``.

    A module-level function of picklable arguments: the task sent to processes and clusters.
    ``sink`` receives the raw record rows (:mod:`sim.records`), in this process only.
    ``engine``: ``"auto"``, ``"fast"`` or ``"simpy"`` (:func:`sim.replicate.engine_for`).
    """
    chosen = engine_for(scenario, engine)
    rc = run_counts(scenario, replication_seed(entropy, replication), sink=sink, engine=chosen)
    return Figures(
        engine=chosen,
        replication=replication,
        summary=total_metrics(rc, scenario),
        intervals=interval_metrics(rc, scenario),
        by_call_type=call_type_metrics(rc, scenario),
        by_group=group_metrics(rc, scenario),
    )


def run_figures_with_records(scenario: Scenario, entropy: int, replications: int,
                             records_path: str, progress: Callable[[], None] | None = None,
                             engine: str = "auto") -> list[Figures]:
    """Figures of replications ``0 .. replications - 1``, run in this process while every
    attempt's record streams to the CSV file ``records_path`` (see :mod:`sim.records`:
    written under ``.partial``, renamed when complete, cut back to the finished replications
    on Ctrl-C)."""
    from sim.records import RecordFile, RecordNamer

    records = RecordFile(records_path, RecordNamer(
        tuple(ct.name for ct in scenario.call_types),
        tuple(g.name for g in scenario.agent_groups)))
    out = []
    try:
        for r in range(replications):
            out.append(replication_figures(scenario, entropy, r, sink=records.sink(r),
                                           engine=engine))
            records.keep()
            if progress is not None:
                progress()
    except KeyboardInterrupt:
        records.cut()
        raise RunInterrupted(out, str(records.partial)) from None
    except BaseException:
        records.close()
        raise
    records.complete()
    return out


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during a run: carries the replications that finished (``figures``) and, when
    records were written, the ``.partial`` file holding exactly theirs (``records_path``).
    A ``KeyboardInterrupt``, so code that does not look for it still stops."""

    def __init__(self, figures: list, records_path: str | None = None):
        super().__init__(f"interrupted after {len(figures)} replications")
        self.figures, self.records_path = figures, records_path


def _task(args: tuple[Scenario, int, int, str]) -> Figures:
    scenario, entropy, replication, engine = args
    return replication_figures(scenario, entropy, replication, engine=engine)


@dataclass
class Runner:
    """Where replications run: here (``workers=1``), in ``workers`` processes, or on Dask.

    Parameters
    ----------
    workers : int or None
        Worker processes; ``None`` means all cores (``os.cpu_count()``), 1 runs in this process.
    dask : str or object, optional
        A Dask scheduler address (``tcp://host:8786``) or a ``distributed.Client``; then
        ``workers`` is ignored. Needs the optional extra ``callsim[dask]``.
    mp_context : str, optional
        Multiprocessing start method (``"spawn"``, ``"fork"``, ...); default: the platform's.
    progress : callable, optional
        Called with no argument after each finished task.
    engine : {"auto", "fast", "simpy"}
        The simulation engine of every task (:func:`sim.replicate.engine_for`).

    Notes
    -----
    Results come back in task order whatever order the workers finish in, so a caller can write
    each sweep point as soon as its last replication is in. Use as a context manager (or call
    :meth:`close`) to stop the pool.
    """

    workers: int | None = 1
    dask: Any = None
    mp_context: str | None = None
    progress: Callable[[], None] | None = None
    engine: str = "auto"
    _pool: Any = field(default=None, init=False, repr=False)
    _client: Any = field(default=None, init=False, repr=False)
    _own_client: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.workers is None:
            self.workers = os.cpu_count() or 1
        if self.workers < 1:
            raise SimError(f"workers must be >= 1, got {self.workers}")
        if self.engine not in ENGINES:
            raise SimError(f"engine must be one of {', '.join(ENGINES)}, got {self.engine!r}")

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker processes (and the Dask client this runner opened)."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        if self._client is not None and self._own_client:
            self._client.close()
        self._client = None

    def map(self, tasks: Sequence[tuple[Scenario, int, int]]) -> Iterator[Figures]:
        """Run ``(scenario, entropy, replication)`` tasks; yield their figures in task order."""
        tasks = [(*task[:3], self.engine) for task in tasks]
        if self.dask is not None:
            yield from self._map_dask(tasks)
            return
        if self.workers == 1 or len(tasks) <= 1:
            for task in tasks:
                result = _task(task)
                self._tick()
                yield result
            return
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            context = multiprocessing.get_context(self.mp_context) if self.mp_context else None
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        # Chunks of up to 32 tasks: fewer round trips (the CPU cost of parallelism fell from
        # 1.20x to 1.07x on the sweep bench) while a sweep still has 4 chunks per worker.
        chunk = max(1, min(32, len(tasks) // (4 * self.workers)))
        for result in self._pool.map(_task, tasks, chunksize=chunk):
            self._tick()
            yield result

    def _map_dask(self, tasks: Sequence[tuple[Scenario, int, int]]) -> Iterator[Figures]:
        if self._client is None:
            if isinstance(self.dask, str):
                try:
                    from distributed import Client
                except ImportError:
                    raise SimError("--dask needs the optional extra: pip install "
                                   "'callsim[dask]'") from None
                self._client, self._own_client = Client(self.dask), True
            else:
                self._client = self.dask
        futures = self._client.map(_task, list(tasks), pure=False)
        try:
            for future in futures:
                result = future.result()
                self._tick()
                yield result
        finally:
            for future in futures:
                future.cancel()

    def _tick(self) -> None:
        if self.progress is not None:
            self.progress()


def tasks_for(scenario: Scenario, entropy: int, replications: Iterable[int]) -> list[tuple]:
    """The tasks of the given replications of ``scenario``."""
    return [(scenario, int(entropy), int(r)) for r in replications]


def root_entropy(scenario: Scenario, seed: int | None) -> int:
    """The run's root entropy: ``seed``, else the scenario's, else fresh (to be recorded)."""
    entropy = seed if seed is not None else scenario.simulation.seed
    return int(np.random.SeedSequence().entropy if entropy is None else entropy)


def run_figures(scenario: Scenario, entropy: int, replications: int,
                runner: Runner | None = None) -> list[Figures]:
    """Figures of replications ``0 .. replications - 1`` of ``scenario``."""
    if replications < 1:
        raise SimError(f"replications must be >= 1, got {replications}")
    runner = runner or Runner()
    out: list[Figures] = []
    try:
        for figures in runner.map(tasks_for(scenario, entropy, range(replications))):
            out.append(figures)
    except KeyboardInterrupt:
        raise RunInterrupted(out) from None
    return out


def estimate(values: Sequence[float] | np.ndarray) -> Estimate:
    """Mean and Student-t 95 % half-width of per-replication ``values``, ``nan`` left out."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return Estimate(math.nan, math.nan)
    if x.size == 1:
        return Estimate(float(x[0]), math.nan)
    half = t975(x.size - 1) * x.std(ddof=1) / math.sqrt(x.size)
    return Estimate(float(x.mean()), float(half))


def stack(figures: Sequence[Figures], view: str) -> dict[str, np.ndarray]:
    """Per-replication values of one view (``summary``, ``intervals``, ``by_call_type``,
    ``by_group``): metric -> array with replications on the first axis."""
    names = getattr(figures[0], view).keys()
    return {name: np.array([np.asarray(getattr(f, view)[name], dtype=float) for f in figures])
            for name in names}


def _estimates(values: np.ndarray) -> list[Estimate]:
    return [estimate(values[:, j]) for j in range(values.shape[1])]


def sim_result(scenario: Scenario, entropy: int, figures: Sequence[Figures],
               requested: int | None = None) -> SimResult:
    """The :class:`SimResult` of these replications (as :func:`sim.replicate.simulate` builds);
    ``requested``: the replications asked for, when an interruption left fewer (partial)."""
    cal = scenario.calendar
    types = [ct.name for ct in scenario.call_types]
    groups = [g.name for g in scenario.agent_groups]
    intervals = {n: _estimates(v) for n, v in stack(figures, "intervals").items()}
    by_type = {n: _estimates(v) for n, v in stack(figures, "by_call_type").items()}
    by_group = {n: _estimates(v) for n, v in stack(figures, "by_group").items()}
    return SimResult(
        entropy=int(entropy),
        scenario_hash=scenario_hash(scenario),
        replications=len(figures),
        summary={n: estimate(v) for n, v in stack(figures, "summary").items()},
        intervals=tuple({n: e[k] for n, e in intervals.items()} for k in range(cal.n_intervals)),
        by_call_type={t: {n: e[j] for n, e in by_type.items()} for j, t in enumerate(types)},
        by_group={g: {n: e[i] for n, e in by_group.items()} for i, g in enumerate(groups)},
        interval_start_s=tuple(float(k * cal.interval_s) for k in range(cal.n_intervals)),
        replications_requested=requested,
        engine=figures[0].engine if figures else "simpy",
    )


def per_replication(figures: Sequence[Figures], scenario: Scenario) -> dict[str, Any]:
    """Every replication's values as plain lists (``--per-replication`` in JSON).

    ``summary[metric]`` is a list over replications; ``intervals[metric]`` a list over
    replications of lists over intervals; ``by_call_type[type][metric]`` and
    ``by_group[group][metric]`` lists over replications.
    """
    types = [ct.name for ct in scenario.call_types]
    groups = [g.name for g in scenario.agent_groups]
    by_type, by_group = stack(figures, "by_call_type"), stack(figures, "by_group")
    return {
        "replication": [f.replication for f in figures],
        "summary": {n: v.tolist() for n, v in stack(figures, "summary").items()},
        "intervals": {n: v.tolist() for n, v in stack(figures, "intervals").items()},
        "by_call_type": {t: {n: v[:, j].tolist() for n, v in by_type.items()}
                         for j, t in enumerate(types)},
        "by_group": {g: {n: v[:, i].tolist() for n, v in by_group.items()}
                     for i, g in enumerate(groups)},
    }


@dataclass(frozen=True)
class PrecisionOutcome:
    """How a precision-driven run ended: per target, the half-width reached and whether met."""

    targets: dict[str, float]
    half_widths: dict[str, float]
    replications: int
    met: bool

    def to_dict(self) -> dict[str, Any]:
        """``{metric: {target, half_width, met}}`` plus ``replications`` and ``met``."""
        return {
            "replications": self.replications,
            "met": self.met,
            "targets": {name: {"target": t, "half_width": self.half_widths[name],
                               "met": self.half_widths[name] <= t}
                        for name, t in self.targets.items()},
        }


def parse_precision(texts: Iterable[str]) -> dict[str, float]:
    """``["p_abandon=0.005"]`` -> ``{"p_abandon": 0.005}``; names checked by the caller."""
    out = {}
    for text in texts:
        name, equals, value = text.partition("=")
        try:
            half = float(value)
        except ValueError:
            half = math.nan
        if not equals or not name.strip() or not half > 0 or not math.isfinite(half):
            raise SimError(f"--precision must look like metric=half_width with a half-width "
                           f"> 0, got {text!r}")
        out[name.strip()] = half
    return out


def check_precision_metrics(targets: dict[str, float], known: Iterable[str]) -> None:
    """Raise :class:`SimError` naming a precision metric that is not a whole-run figure."""
    known = sorted(known)
    for name in targets:
        if name not in known:
            raise SimError(f"--precision metric must be one of {', '.join(known)}, got {name!r}")


def run_to_precision(
    scenario: Scenario, entropy: int, targets: dict[str, float], *,
    runner: Runner | None = None, start: int | None = None, max_replications: int = 2000,
    figures_of: Callable[[Sequence[Figures]], dict[str, np.ndarray]] | None = None,
    replicate: Callable[[range], list[Any]] | None = None,
) -> tuple[list[Any], PrecisionOutcome]:
    """Replications until every target half-width is met (or ``max_replications``).

    Parameters
    ----------
    scenario : Scenario
    entropy : int
        Root seed entropy; replication ``r`` is the same as in a fixed-count run.
    targets : dict of str to float
        Whole-run figure -> largest acceptable 95 % half-width (in the figure's unit).
    runner : Runner, optional
    start : int, optional
        Replications of the first round (default: the scenario's, at least
        :data:`MIN_PRECISION_REPLICATIONS`).
    max_replications : int
        Ceiling; the outcome says whether the targets were met before it.
    figures_of : callable, optional
        Maps the list of per-replication results to ``{metric: values}`` (default: the whole-run
        figures of :class:`Figures`); :mod:`plan.compare` passes paired differences here.
    replicate : callable, optional
        Runs a range of replications and returns their results (default: :func:`run_figures`
        style on ``scenario``); compare runs every variant per replication.

    Returns
    -------
    results : list
        Per-replication results, replications ``0 .. R - 1``.
    outcome : PrecisionOutcome
    """
    runner = runner or Runner()
    if replicate is None:
        def replicate(reps: range) -> list[Any]:
            return list(runner.map(tasks_for(scenario, entropy, reps)))
    if figures_of is None:
        def figures_of(results):
            return stack(results, "summary")
    n = max(start or scenario.simulation.replications, MIN_PRECISION_REPLICATIONS)
    n = min(n, max_replications)
    results = replicate(range(n))
    while True:
        values = figures_of(results)
        half = {name: estimate(values[name]).ci95 for name in targets}
        met = all(half[name] <= t for name, t in targets.items())
        if met or len(results) >= max_replications:
            return results, PrecisionOutcome(dict(targets), half, len(results), met)
        # Half-widths fall like 1/sqrt(R): project the count needed, 10 % to spare.
        ratio = max((half[name] / t) ** 2 if math.isfinite(half[name]) else 4.0
                    for name, t in targets.items())
        wanted = math.ceil(len(results) * ratio * 1.1)
        more = min(max(wanted - len(results), runner.workers or 1, 2),
                   max_replications - len(results))
        results += replicate(range(len(results), len(results) + more))
