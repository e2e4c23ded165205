"""A 30-point sweep of the clinic, 20 replications a point: serially against ``--workers 2``.

The grid is what a consultant sweeps first: the greeting (15 to 55 s, 6 values) against call
volume (``arrival_scale`` 0.8 to 1.2, 5 values). Both runs go through :func:`plan.sweep.run_sweep`
(results written point by point) with the same root entropy; the script checks that they give
the same table, then prints each wall time (best of ``--repeat``), the replications per second
and the speed-up. Target: at least 1.7 on 2 cores. The pool is started inside the timed run, so
its start-up cost counts against the parallel figure.

Usage: ``python bench/sweep_bench.py [--workers 2] [--replications 20] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from plan.runs import Runner
from plan.sweep import build_points, run_sweep, sweep_rows
from scenarios.load import load_builtin

GRID = {"ivr.greeting.mean_s": [15, 23, 31, 39, 47, 55],
        "arrival_scale": [0.8, 0.9, 1.0, 1.1, 1.2]}
METRICS = ["lost_share", "service_level", "p_abandon", "asa_s"]


def cpu_s() -> float:
    """CPU seconds of this process and its reaped children (the pool's workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed_sweep(points, workers: int, replications: int, out: Path
                ) -> tuple[float, float, list]:
    start, cpu = time.perf_counter(), cpu_s()
    with Runner(workers=workers) as runner:
        result = run_sweep(points, entropy=2026, replications=replications, out_path=out,
                           grid=GRID, runner=runner)
    return time.perf_counter() - start, cpu_s() - cpu, sweep_rows(result, METRICS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    points = build_points(lambda o: load_builtin("clinic", o), GRID)
    tasks = len(points) * args.replications
    print(f"{len(points)} points x {args.replications} replications = {tasks} replications of "
          f"the clinic; {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        serial = [timed_sweep(points, 1, args.replications, Path(tmp) / f"s{i}.jsonl")
                  for i in range(args.repeat)]
        parallel = [timed_sweep(points, args.workers, args.replications,
                                Path(tmp) / f"p{i}.jsonl") for i in range(args.repeat)]
    assert all(rows == serial[0][2] for _, _, rows in serial + parallel), "results differ"
    (t1, c1, _), (tn, cn, _) = min(serial), min(parallel)
    print(f"serial:        {t1:7.2f} s wall, {c1:7.2f} s CPU ({tasks / t1:7.1f} replications/s)")
    print(f"{args.workers} workers:     {tn:7.2f} s wall, {cn:7.2f} s CPU "
          f"({tasks / tn:7.1f} replications/s)")
    print(f"speed-up: {t1 / tn:.2f} (target >= 1.7 on 2 cores); CPU cost of parallelism "
          f"{cn / c1:.2f}x; tables identical")
    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1):
        print(f"warning: load average {load:.1f} exceeds the {os.cpu_count()} cores: other "
              "work competes for them and the speed-up is understated")


if __name__ == "__main__":
    main()
