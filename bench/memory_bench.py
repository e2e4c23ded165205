"""Peak memory of long runs: does it grow with the number of calls? (target: 10 million calls
under 300 MB).

The queue: M/M/55+M, 1,000 calls/h, AHT 180 s, mean patience 120 s (exponential), one-hour
intervals in days of 24. Each case runs one replication through ``sim.replicate.simulate``
(the path of ``callsim run``: the model, the tallies, the per-interval metrics and their
accumulators) in a fresh subprocess, so that its peak resident memory (``ru_maxrss``) is its
own. Cases:

* ``reference``: one day (24 intervals, about 24,000 calls), no records: the baseline.
* ``many intervals``: ``--calls`` calls (default 10,000,000) in ``calls / 1000`` one-hour
  intervals (10,000+ intervals: per-interval structures at a realistic size), no records.
* ``many intervals + records``: the same with every record streamed to a temporary CSV file.
* ``few intervals``: the same calls in 24 intervals of ``calls / 24,000`` hours each (one
  interval then holds hundreds of thousands of calls), no records.
* ``many intervals, 10 calls/h``: the intervals of ``many intervals`` with 1 % of the calls
  (M/M/2+M): what the per-interval structures cost (tallies, metrics, the per-interval
  estimates of the result), apart from the calls.

Prints, per case, calls, wall time, peak RSS, its growth over the reference, the bytes of the
wait histogram (:mod:`sim.waits`), and the verdict against the target; then the growth per
million calls. A 10-million-call case takes several minutes with the SimPy engine; ``--calls``
runs smaller ones (``--calls 1000000`` for a quick look), ``--cases`` picks cases by number.

``--tally`` instead times the tally on the rows of a four-day run (about 96,000 rows, batches
of 4,096 as the model flushes them), best of 5, interleaved: ``Tally.add`` on row tuples
(gathering only the columns it reads), the same rows transposed whole first (what ``add`` did
before, ``add_columns(list(zip(*rows)))``), and ``add_columns`` on numpy columns (what a
column-fed engine pays); and, for scale, the model's own time per row in the same process.

    .venv/bin/python bench/memory_bench.py [--calls 10000000] [--cases 0,1,2,3,4]
                                           [--engine auto|fast|simpy] [--tally]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

TARGET_MB = 300.0

CHILD = r"""
import json, os, resource, sys, tempfile, time
import numpy as np
from scenarios.schema import AgentGroup, Calendar, CallType, Distribution, Scenario
import sim.metrics
from sim.replicate import simulate

n_intervals, interval_h, records = int(sys.argv[2]), float(sys.argv[3]), sys.argv[4] == "1"
calls_per_hour, agents, engine = float(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
per_day = min(24, n_intervals)
days = -(-n_intervals // per_day)
exp = lambda mean_s: Distribution(kind="exponential", mean_s=mean_s)
scenario = Scenario(
    name="memory bench",
    calendar=Calendar(start_s=0.0, interval_s=3600.0 * interval_h, intervals_per_day=per_day,
                      days=("day",) * days),
    call_types=(CallType(name="calls",
                         calls_per_interval=(("day", (calls_per_hour * interval_h,) * per_day),),
                         handle_time=exp(180.0), patience=exp(120.0)),),
    agent_groups=(AgentGroup(name="agents", skills=("calls",),
                             staffing=(agents,) * (per_day * days)),),
)
histogram = []
tally_result = sim.metrics.Tally.result
def result(self, *args):  # note the wait histogram's size as each replication ends
    histogram.append(getattr(self._waits, "nbytes", 0))  # 0: a tally without sim.waits
    return tally_result(self, *args)
sim.metrics.Tally.result = result
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
start = time.perf_counter()
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "calls.csv") if records else None
    out = simulate(scenario, replications=1, seed=1, records_path=path, engine=engine)
    records_bytes = os.path.getsize(path) if records else 0
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"calls": float(out.summary["offered"].mean), "intervals": days * per_day,
                  "engine": out.engine,
                  "seconds": seconds, "peak": peak, "base": base,
                  "histogram": histogram[0], "records": records_bytes}))
"""


def run_case(calls: float, n_intervals: int, interval_h: float, records: bool,
             calls_per_hour: float = 1000.0, agents: int = 55, engine: str = "auto") -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(calls), str(n_intervals), str(interval_h),
         "1" if records else "0", str(calls_per_hour), str(agents), engine],
        capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def tally_speed() -> None:
    import time

    import numpy as np

    from scenarios.schema import AgentGroup, Calendar, CallType, Distribution, Scenario
    from sim.metrics import _INT_FIELDS, Tally
    from sim.model import Model
    from sim.streams import replication_seed

    exp = lambda mean_s: Distribution(kind="exponential", mean_s=mean_s)  # noqa: E731
    days = 4
    sc = Scenario(
        name="tally bench",
        calendar=Calendar(start_s=0.0, interval_s=3600.0, intervals_per_day=24,
                          days=("day",) * days),
        call_types=(CallType(name="calls", calls_per_interval=(("day", (1000.0,) * 24),),
                             handle_time=exp(180.0), patience=exp(120.0)),),
        agent_groups=(AgentGroup(name="agents", skills=("calls",),
                                 staffing=(55,) * (24 * days)),),
    )
    rows = []
    start = time.perf_counter()
    Model(sc, replication_seed(1, 0), sink=rows.extend).run()
    model_s = time.perf_counter() - start
    batches = [rows[i:i + 4096] for i in range(0, len(rows), 4096)]
    arrays = [[np.array(c, dtype=np.int64 if f in _INT_FIELDS else float)
               for f, c in enumerate(zip(*batch, strict=True))] for batch in batches]
    ways = {
        "Tally.add (row tuples, columns it reads)": lambda t: [t.add(b) for b in batches],
        "transpose all, then add_columns (before)": lambda t: [
            t.add_columns(list(zip(*b, strict=True))) for b in batches],
        "add_columns on numpy columns": lambda t: [t.add_columns(a) for a in arrays],
    }
    best = dict.fromkeys(ways, float("inf"))
    for _ in range(5):
        for name, way in ways.items():
            tally = Tally(sc)
            start = time.perf_counter()
            way(tally)
            best[name] = min(best[name], time.perf_counter() - start)
    per_row = {name: seconds / len(rows) * 1e9 for name, seconds in best.items()}
    print(f"tally of {len(rows):,} rows in batches of 4,096 (best of 5); the model took "
          f"{model_s / len(rows) * 1e9:,.0f} ns per row (tally included)")
    for name, ns in per_row.items():
        print(f"  {name:<42} {ns:>7,.0f} ns/row  ({ns / (model_s / len(rows) * 1e9):.1%} "
              f"of the model's time per row)")
    before, now = per_row["transpose all, then add_columns (before)"], per_row[next(iter(ways))]
    print(f"  Tally.add speed-up over transposing whole rows: {before / now:.2f}x; numpy columns "
          f"vs row tuples: {now / per_row['add_columns on numpy columns']:.1f}x")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=float, default=10_000_000)
    parser.add_argument("--cases", default="0,1,2,3,4", help="comma-separated case numbers")
    parser.add_argument("--tally", action="store_true", help="time the tally instead")
    parser.add_argument("--engine", choices=("auto", "fast", "simpy"), default="auto",
                        help="the engine every case runs on (auto: fast, this queue qualifies)")
    args = parser.parse_args(argv)
    if args.tally:
        tally_speed()
        return
    hours = 24 * max(1, round(args.calls / 24_000))  # whole days of 24 one-hour intervals
    cases = [
        ("reference (1 day)", 24, 1.0, False),
        (f"many intervals ({hours:,} x 1 h)", hours, 1.0, False),
        (f"many intervals ({hours:,} x 1 h) + records", hours, 1.0, True),
        (f"few intervals (24 x {hours / 24:,.0f} h)", 24, hours / 24, False),
        # The same intervals with 1 % of the calls: what the intervals cost, not the calls.
        ("many intervals, 10 calls/h, M/M/2+M", hours, 1.0, False, 10.0, 2),
    ]
    wanted = [int(c) for c in args.cases.split(",")]
    print(f"M/M/55+M, 1,000 calls/h, AHT 180 s, patience 120 s; one replication per case, "
          f"each in a fresh process, engine {args.engine}; target: peak RSS < {TARGET_MB:.0f} MB")
    print(f"{'case':<40} {'calls':>11} {'intervals':>9} {'seconds':>8} {'peak MB':>8} "
          f"{'growth MB':>9} {'waits MB':>8} {'records MB':>10}  verdict")
    reference = None
    for number in [0, *[c for c in wanted if c != 0]]:
        label, *case = cases[number]
        m = run_case(args.calls, *case, engine=args.engine)
        if reference is None:
            reference = m
        growth = (m["peak"] - reference["peak"]) / 1e6
        verdict = "ok" if m["peak"] / 1e6 < TARGET_MB else "OVER TARGET"
        print(f"{label:<40} {m['calls']:>11,.0f} {m['intervals']:>9,} {m['seconds']:>8.1f} "
              f"{m['peak'] / 1e6:>8.0f} {growth:>9.0f} {m['histogram'] / 1e6:>8.1f} "
              f"{m['records'] / 1e6:>10.0f}  {verdict}")
        extra = (m["calls"] - reference["calls"]) / 1e6
        if number != 0 and extra > 0.1:
            print(f"{'':<40} growth over the reference: {growth / extra:.1f} MB per million "
                  f"calls; peak / reference peak = {m['peak'] / reference['peak']:.2f}")
        elif number != 0:
            print(f"{'':<40} the intervals without the calls: {growth:.0f} MB over the "
                  f"reference")


if __name__ == "__main__":
    main()
