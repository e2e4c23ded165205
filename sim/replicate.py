"""Replications: run the model R times with independent streams and summarise with 95 % CIs.

Estimates
---------
Every figure is the mean over replications of its per-replication value, with a Student-t 95 %
confidence half-width. For ratios (service level, ASA, abandonment, percentiles, occupancy) that
is the mean of the per-replication ratios, not the ratio of pooled totals; a replication in which
a ratio is undefined (no call in its denominator) is left out of that figure's mean and CI.
Statistics are accumulated replication by replication (Welford), so memory does not grow with R.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from scenarios.dump import scenario_hash
from scenarios.schema import Scenario
from sim.arrivals import Arrival
from sim.errors import SimError, SimulationInterrupted
from sim.fast import fast_path_reason, run_fast
from sim.metrics import (
    ReplicationCounts,
    call_type_metrics,
    group_metrics,
    interval_metrics,
    total_metrics,
)
from sim.records import CallRecord, RecordFile, RecordNamer
from sim.results import Estimate, SimResult, t975
from sim.streams import replication_seed

#: The engines (see :func:`engine_for`).
ENGINES = ("auto", "fast", "simpy")


def run_replication(
    scenario: Scenario,
    seed_sequence: np.random.SeedSequence,
    *,
    on_record: Callable[[CallRecord], None] | None = None,
    arrivals: list[Arrival] | None = None,
    replication: int = 0,
    count_by: str = "caller",
    engine: str = "auto",
) -> ReplicationCounts:
    """Simulate one replication and return its raw per-interval tallies.

    Parameters
    ----------
    scenario : Scenario
    seed_sequence : numpy.random.SeedSequence
        The replication's seed (``sim.streams.replication_seed(entropy, r)`` in a run).
    on_record : callable, optional
        Called with each call's :class:`~sim.records.CallRecord` (in batches, as calls finish).
    arrivals : list of Arrival, optional
        Explicit arrivals instead of Poisson ones (deterministic tests, replays).
    replication : int
        Index written in the records' ``replication`` column.
    count_by : {"caller", "attempt"}
        Count attempts in their caller's first interval or in their own (:mod:`sim.metrics`).
    engine : {"auto", "fast", "simpy"}
        Which engine simulates (:func:`engine_for`); both give the same records and counts.
    """
    sink = None
    if on_record is not None:
        namer = RecordNamer(_names(scenario.call_types), _names(scenario.agent_groups))

        def sink(rows: list[tuple]) -> None:
            for row in rows:
                on_record(namer.record(replication, row))

    return run_counts(scenario, seed_sequence, arrivals=arrivals, sink=sink, count_by=count_by,
                      engine=engine)


def run_counts(scenario: Scenario, seed_sequence: np.random.SeedSequence, *,
               sink: Callable[[list[tuple]], None] | None = None,
               arrivals: list[Arrival] | None = None, count_by: str = "caller",
               progress: Callable[[float], None] | None = None,
               engine: str = "auto") -> ReplicationCounts:
    """One replication's counts from the engine :func:`engine_for` picks: ``Model(...).run()``
    or :func:`sim.fast.run_fast`, which give the same counts and the same raw rows to ``sink``
    (parameters as :class:`sim.model.Model`)."""
    run = run_fast if engine_for(scenario, engine) == "fast" else _run_model
    return run(scenario, seed_sequence, arrivals=arrivals, sink=sink, count_by=count_by,
               progress=progress)


def _run_model(scenario, seed_sequence, **options) -> ReplicationCounts:
    from sim.model import Model  # here: a run on the fast engine never imports SimPy

    return Model(scenario, seed_sequence, **options).run()


def engine_for(scenario: Scenario, engine: str = "auto") -> str:
    """The engine that simulates ``scenario``: ``"fast"`` or ``"simpy"``.

    ``"auto"`` picks the fast engine (:mod:`sim.fast`) whenever it is exact for the scenario
    (:func:`sim.fast.fast_path_reason`), else SimPy; ``"fast"`` insists (a scenario it cannot
    simulate is an error naming the reason); ``"simpy"`` always takes the SimPy model.
    """
    if engine not in ENGINES:
        raise SimError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if engine == "simpy":
        return "simpy"
    reason = fast_path_reason(scenario)
    if reason is None:
        return "fast"
    if engine == "fast":
        raise SimError(f"engine 'fast' cannot simulate this scenario: {reason}")
    return "simpy"


def simulate(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    records_path: str | Path | None = None,
    count_by: str = "caller",
    within: Callable[[int, float], None] | None = None,
    engine: str = "auto",
) -> SimResult:
    """Run independent replications of ``scenario`` and estimate every metric with a 95 % CI.

    Parameters
    ----------
    scenario : Scenario
    replications : int, optional
        Defaults to ``scenario.simulation.replications``.
    seed : int, optional
        Root entropy; defaults to ``scenario.simulation.seed``, else fresh entropy (recorded in
        the result).
    progress : callable, optional
        ``progress(done, total)`` after each replication.
    records_path : path, optional
        Stream every attempt's record to a CSV file (see :mod:`sim.records`), replication by
        replication, as attempts finish. They go to ``<records_path>.partial`` first, renamed
        to ``records_path`` when the last replication finishes, so a file under the asked name
        is always complete (and an older file there is kept until then).
    count_by : {"caller", "attempt"}
        Count attempts in their caller's first interval (default) or in their own interval
        (see :mod:`sim.metrics`).
    within : callable, optional
        ``within(r, share)`` as replication ``r`` (0-based) runs, with the share of its horizon
        simulated (see ``progress`` of :class:`sim.model.Model`): progress for long horizons.
    engine : {"auto", "fast", "simpy"}
        Which engine simulates (:func:`engine_for`); recorded in :attr:`SimResult.engine`.

    Raises
    ------
    SimulationInterrupted
        On Ctrl-C (``KeyboardInterrupt``): it carries the finished replications, summarised and
        marked partial, and the records file, cut back to the finished replications and left
        under its ``.partial`` name. A ``KeyboardInterrupt`` subclass, so a caller that does not
        look for it stops as on any Ctrl-C.

    Notes
    -----
    The records of an interrupted run stop at the end of the last finished replication:
    the file offset is noted after each one and the file is truncated there.
    """
    n_reps = scenario.simulation.replications if replications is None else replications
    if n_reps < 1:
        raise SimError(f"replications must be >= 1, got {n_reps}")
    chosen = engine_for(scenario, engine)
    entropy = seed if seed is not None else scenario.simulation.seed
    if entropy is None:
        entropy = np.random.SeedSequence().entropy
    types, groups = _names(scenario.call_types), _names(scenario.agent_groups)
    views = {"summary": _Welford(), "intervals": _Welford(), "types": _Welford(),
             "groups": _Welford()}
    records = (None if records_path is None
               else RecordFile(records_path, RecordNamer(types, groups)))
    done = 0
    try:
        for r in range(n_reps):
            tick = None if within is None else (lambda share, r=r: within(r, share))
            rc = run_counts(scenario, replication_seed(entropy, r),
                            sink=None if records is None else records.sink(r),
                            count_by=count_by, progress=tick, engine=chosen)
            views["summary"].add(total_metrics(rc, scenario))
            views["intervals"].add(interval_metrics(rc, scenario))
            views["types"].add(call_type_metrics(rc, scenario))
            views["groups"].add(group_metrics(rc, scenario))
            done += 1
            if records is not None:
                records.keep()
            if progress is not None:
                progress(r + 1, n_reps)
    except KeyboardInterrupt:
        if records is not None:
            records.cut()
        result = (_result(scenario, entropy, done, views, n_reps, chosen) if done else None)
        raise SimulationInterrupted(result, None if records is None else records.partial) \
            from None
    except BaseException:
        if records is not None:
            records.close()
        raise
    if records is not None:
        records.complete()
    return _result(scenario, entropy, n_reps, views, None, chosen)


def _result(scenario: Scenario, entropy: int, n_reps: int, views: dict[str, _Welford],
            requested: int | None, engine: str) -> SimResult:
    types, groups = _names(scenario.call_types), _names(scenario.agent_groups)
    intervals = views["intervals"].estimates()
    by_type, by_group = views["types"].estimates(), views["groups"].estimates()
    cal = scenario.calendar
    return SimResult(
        entropy=int(entropy),
        scenario_hash=scenario_hash(scenario),
        replications=n_reps,
        summary={name: e[()] for name, e in views["summary"].estimates().items()},
        intervals=tuple({name: e[k] for name, e in intervals.items()}
                        for k in range(cal.n_intervals)),
        by_call_type={t: {name: e[j] for name, e in by_type.items()} for j, t in enumerate(types)},
        by_group={g: {name: e[i] for name, e in by_group.items()} for i, g in enumerate(groups)},
        interval_start_s=tuple(float(k * cal.interval_s) for k in range(cal.n_intervals)),
        replications_requested=requested,
        engine=engine,
    )


class _Welford:
    """Running mean and variance over replications, per metric and element, skipping nan."""

    def __init__(self):
        self.n, self.mean, self.m2 = {}, {}, {}

    def add(self, values: dict) -> None:
        for name, value in values.items():
            x = np.asarray(value, dtype=float)
            if name not in self.n:
                self.n[name] = np.zeros(x.shape)
                self.mean[name] = np.zeros(x.shape)
                self.m2[name] = np.zeros(x.shape)
            ok = ~np.isnan(x)
            x = np.where(ok, x, 0.0)
            n = self.n[name] = self.n[name] + ok
            delta = np.where(ok, x - self.mean[name], 0.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                self.mean[name] = self.mean[name] + np.where(ok, delta / np.maximum(n, 1), 0.0)
            self.m2[name] = self.m2[name] + np.where(ok, delta * (x - self.mean[name]), 0.0)

    def estimates(self) -> dict[str, np.ndarray]:
        """Metric -> object array of :class:`Estimate`, shaped like the metric's values."""
        out = {}
        for name, n in self.n.items():
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.where(n > 0, self.mean[name], np.nan)
                sd = np.sqrt(self.m2[name] / (n - 1))
                ci95 = np.where(n > 1, t975(np.maximum(n - 1, 1)) * sd / np.sqrt(n),
                                np.nan)
            est = np.empty(n.shape, dtype=object)
            for idx in np.ndindex(n.shape):
                est[idx] = Estimate(float(mean[idx]), float(ci95[idx]))
            out[name] = est
        return out


def _names(items) -> tuple[str, ...]:
    return tuple(item.name for item in items)
