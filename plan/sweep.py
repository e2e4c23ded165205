"""Sweeps: a scenario simulated over a grid of overrides, written point by point, resumable.

A grid maps override keys to the values to try (``ivr.greeting.mean_s`` -> 15, 30, 55). The
points are the full cartesian product (the last key varying fastest) or, zipped, the i-th value
of every key together. Every point's scenario is built **before** any simulation, so a bad grid
(an unknown key, an empty list, a value the scenario rejects) fails at once, naming the key and
the value, and costs no simulation time.

All points share one root entropy: replication ``r`` of every point uses the same seed, so
neighbouring points differ by the parameter, not by luck (common random numbers), and a curve
across a sweep is smooth where the model is.

Results file
------------
JSON lines. The first line is the header (``"kind": "sweep"``: grid, zip, entropy,
replications, base scenario hash); then one line per finished point (``"kind": "point"``:
index, values, overrides, scenario hash, replications, ``summary`` with ``{mean, ci95}`` per
whole-run figure, and ``per_replication`` values when asked). Each line is written and flushed
as its point finishes, so an interrupted sweep leaves a valid file of the points done;
:func:`run_sweep` with ``resume=True`` reads it back, checks that the header is the same sweep,
drops a torn last line, and simulates only the missing points.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from erlang.results import jsonable
from plan.runs import (
    Figures,
    PrecisionOutcome,
    Runner,
    per_replication,
    run_to_precision,
    sim_result,
    tasks_for,
)
from scenarios.errors import ScenarioError
from scenarios.schema import Scenario
from scenarios.whatif import format_override
from sim.errors import SimError

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Point:
    """One point of a sweep: its index, the values set, the overrides, the scenario."""

    index: int
    values: dict[str, Any]
    overrides: tuple[str, ...]
    scenario: Scenario


def parse_grid(text: str) -> tuple[str, list[Any]]:
    """``"ivr.greeting.mean_s=15,30,55"`` -> key and values (each read as TOML).

    Arrays stay whole: ``staffing=[3,3],[4,4]`` gives two arrays. Text that is not TOML is taken
    as bare strings split at commas.
    """
    key, equals, rhs = text.partition("=")
    key = key.strip()
    if not equals or not key:
        raise ScenarioError(None, "--grid must look like key=value1,value2,...", text)
    rhs = rhs.strip()
    if not rhs:
        raise ScenarioError(key, "must have at least one value to sweep", rhs)
    try:
        values = tomllib.loads(f"v = [{rhs}]")["v"]
    except tomllib.TOMLDecodeError:
        values = [part.strip() for part in rhs.split(",")]
    if any(v == "" for v in values):
        raise ScenarioError(key, "has an empty value in its list", rhs)
    return key, values


def grid_overrides(grid: dict[str, Sequence[Any]], zipped: bool = False) -> list[dict[str, Any]]:
    """The points' values: the cartesian product of ``grid`` (last key fastest), or zipped."""
    for key, values in grid.items():
        if len(values) == 0:
            raise ScenarioError(key, "must have at least one value to sweep", list(values))
    keys = list(grid)
    if zipped:
        lengths = {len(v) for v in grid.values()}
        if len(lengths) > 1:
            sizes = ", ".join(f"{k}: {len(v)}" for k, v in grid.items())
            raise ScenarioError(None, "--zip needs lists of one length", sizes)
        combos = list(zip(*grid.values(), strict=True))
    else:
        combos = list(itertools.product(*grid.values()))
    return [dict(zip(keys, combo, strict=True)) for combo in combos]


def build_points(build: Callable[[tuple[str, ...]], Scenario], grid: dict[str, Sequence[Any]],
                 zipped: bool = False) -> list[Point]:
    """Every point's scenario, built (and so validated) before anything is simulated.

    ``build(overrides)`` loads the base scenario with the overrides applied; its errors name the
    override, so a bad value reads ``... (from override ivr.greeting.mean_s=-5)``.
    """
    points = []
    for i, values in enumerate(grid_overrides(grid, zipped)):
        overrides = tuple(format_override(k, v) for k, v in values.items())
        points.append(Point(i, values, overrides, build(overrides)))
    return points


@dataclass(frozen=True)
class PointResult:
    """One finished point as written to (and read back from) the results file."""

    index: int
    values: dict[str, Any]
    overrides: tuple[str, ...]
    scenario_hash: str
    replications: int
    summary: dict[str, dict[str, float]]
    per_replication: dict[str, Any] | None = None
    precision: dict[str, Any] | None = None

    def to_line(self) -> dict[str, Any]:
        line = {"kind": "point", "index": self.index, "values": self.values,
                "overrides": list(self.overrides), "scenario_hash": self.scenario_hash,
                "replications": self.replications, "summary": self.summary}
        if self.per_replication is not None:
            line["per_replication"] = self.per_replication
        if self.precision is not None:
            line["precision"] = self.precision
        return line

    @classmethod
    def from_line(cls, line: dict[str, Any]) -> PointResult:
        return cls(index=line["index"], values=line["values"],
                   overrides=tuple(line["overrides"]), scenario_hash=line["scenario_hash"],
                   replications=line["replications"], summary=line["summary"],
                   per_replication=line.get("per_replication"), precision=line.get("precision"))


def sweep_header(grid: dict[str, Sequence[Any]], zipped: bool, entropy: int, replications: int,
                 base_hash: str, precision: dict[str, float] | None) -> dict[str, Any]:
    """The results file's first line: what identifies this sweep for ``--resume``."""
    return {"kind": "sweep", "format": FORMAT_VERSION, "grid": {k: list(v) for k, v in
                                                                grid.items()},
            "zip": zipped, "entropy": int(entropy), "replications": int(replications),
            "base_scenario_hash": base_hash, "precision": precision or None}


def read_results(path: str | Path) -> tuple[dict[str, Any] | None, list[PointResult], int]:
    """Header, finished points and the byte length of the valid part of a results file.

    A torn last line (the process was killed while writing it) is not counted as valid.
    """
    path = Path(path)
    if not path.exists():
        return None, [], 0
    header, points, valid = None, [], 0
    with open(path, "rb") as f:
        for raw in f:
            if not raw.endswith(b"\n"):
                break
            try:
                line = json.loads(raw)
            except json.JSONDecodeError:
                break
            if header is None:
                if line.get("kind") != "sweep":
                    raise SimError(f"{path}: is not a sweep results file (first line is not a "
                                   "sweep header)")
                header = line
            else:
                points.append(PointResult.from_line(line))
            valid += len(raw)
    return header, points, valid


@dataclass(frozen=True)
class SweepResult:
    """Every point's result, in point order, and how many were resumed from the file."""

    header: dict[str, Any]
    points: list[PointResult]
    resumed: int


def run_sweep(
    points: Sequence[Point], *, entropy: int, replications: int, out_path: str | Path,
    grid: dict[str, Sequence[Any]], zipped: bool = False, base_hash: str = "",
    runner: Runner | None = None, resume: bool = False, keep_per_replication: bool = False,
    precision: dict[str, float] | None = None, max_replications: int = 2000,
    on_point: Callable[[PointResult], None] | None = None,
) -> SweepResult:
    """Simulate every point (skipping those already in ``out_path`` when resuming).

    Parameters
    ----------
    points : sequence of Point
        From :func:`build_points`.
    entropy : int
        Root entropy shared by every point.
    replications : int
        Per point (the first round's count with ``precision``).
    out_path : path
        The JSON-lines results file, written point by point.
    resume : bool
        Continue the sweep in ``out_path``; it must be the same sweep (grid, entropy,
        replications, base scenario), else :class:`SimError` says what differs. Without
        ``resume`` an existing file is replaced.
    precision : dict, optional
        Whole-run metric -> target 95 % half-width, per point (:func:`plan.runs.run_to_precision`).
    on_point : callable, optional
        Called with each point's result as it is written (progress, live tables).
    """
    runner = runner or Runner()
    header = sweep_header(grid, zipped, entropy, replications, base_hash, precision)
    out_path = Path(out_path)
    done: dict[int, PointResult] = {}
    if resume:
        old, finished, valid = read_results(out_path)
        if old is not None:
            for key in ("grid", "zip", "entropy", "replications", "base_scenario_hash",
                        "precision"):
                if old.get(key) != header[key]:
                    raise SimError(f"{out_path}: cannot resume: its {key} is {old.get(key)!r}, "
                                   f"this sweep's is {header[key]!r}")
            done = {p.index: p for p in finished}
            with open(out_path, "r+b") as f:
                f.truncate(valid)  # drop a torn last line
    resumed = len(done)
    if not done:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        with open(out_path, "w") as f:
            f.write(json.dumps(jsonable(header)) + "\n")
    todo = [p for p in points if p.index not in done]
    with open(out_path, "a") as f:
        def write(result: PointResult) -> None:
            f.write(json.dumps(jsonable(result.to_line())) + "\n")
            f.flush()
            os.fsync(f.fileno())
            done[result.index] = result
            if on_point is not None:
                on_point(result)

        if precision:
            for p in todo:
                figs, outcome = run_to_precision(p.scenario, entropy, precision, runner=runner,
                                                 start=replications,
                                                 max_replications=max_replications)
                write(_point_result(p, entropy, figs, keep_per_replication, outcome))
        else:
            tasks = [t for p in todo for t in tasks_for(p.scenario, entropy, range(replications))]
            figs: list[Figures] = []
            queue = iter(todo)
            current = next(queue, None)
            for fig in runner.map(tasks):
                figs.append(fig)
                if len(figs) == replications:
                    write(_point_result(current, entropy, figs, keep_per_replication, None))
                    figs, current = [], next(queue, None)
    return SweepResult(header, [done[p.index] for p in points], resumed)


def _point_result(point: Point, entropy: int, figs: Sequence[Figures], keep: bool,
                  outcome: PrecisionOutcome | None) -> PointResult:
    result = sim_result(point.scenario, entropy, figs)
    return PointResult(
        index=point.index, values=point.values, overrides=point.overrides,
        scenario_hash=result.scenario_hash, replications=result.replications,
        summary={n: e.to_dict() for n, e in result.summary.items()},
        per_replication=per_replication(figs, point.scenario) if keep else None,
        precision=outcome.to_dict() if outcome is not None else None,
    )


def sweep_rows(result: SweepResult, metrics: Iterable[str]) -> list[dict[str, Any]]:
    """One flat row per point: the swept values, then ``<metric>`` and ``<metric>_ci95``."""
    rows = []
    for p in result.points:
        row: dict[str, Any] = {"point": p.index, **p.values, "replications": p.replications}
        for m in metrics:
            e = p.summary.get(m, {"mean": None, "ci95": None})
            row[m], row[f"{m}_ci95"] = _number(e["mean"]), _number(e["ci95"])
        rows.append(row)
    return rows



def _number(x: Any) -> float:
    return math.nan if x is None else float(x)
