"""Memory and speed of drawing arrivals in bounded chunks vs a whole day at once.

One replication of a one-interval M/M/n+M day (the ``erlang_a`` example cut to one hour,
55 agents, patience 120 s, so callers alive at once stay near rate * patience) at growing
volumes, each in a fresh process so that its peak RSS is its own. Two ways, in the same
script: chunks of ``sim.arrivals.CHUNK_CALLS`` expected callers (today), and the whole day at
once (``CHUNK_CALLS`` made infinite: how arrivals were drawn before). Prints peak RSS, the
estimate of ``sim.size`` and calls per second, and the ratios.

    .venv/bin/python bench/size_bench.py            # 100,000 and 400,000 calls in the hour
    .venv/bin/python bench/size_bench.py --big      # and 2,000,000 (a minute or more)
"""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
import sim.arrivals
from scenarios import load_builtin
from sim.model import Model
from sim.size import estimate_size
from sim.streams import replication_seed
calls, whole_day = float(sys.argv[1]), sys.argv[2] == "1"
if whole_day:
    sim.arrivals.CHUNK_CALLS = float("inf")
sc = load_builtin("erlang_a", [f"call_types[0].calls_per_interval={calls}",
                               "calendar.intervals_per_day=1", "simulation.warmup_s=0"])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
t = time.perf_counter()
Model(sc, replication_seed(1, 0)).run()
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"peak": peak, "base": base, "seconds": seconds,
                  "estimate": estimate_size(sc, 1).memory_bytes}))
"""


def measure(calls: float, whole_day: bool) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(calls), "1" if whole_day else "0"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    volumes = [1e5, 4e5] + ([2e6] if "--big" in sys.argv else [])
    print(f"{'calls':>9} {'mode':>9} {'peak MB':>8} {'growth MB':>9} {'estimate MB':>11} "
          f"{'calls/s':>9}")
    for calls in volumes:
        rows = {}
        for whole_day in (False, True):
            m = measure(calls, whole_day)
            rows[whole_day] = m
            print(f"{calls:>9.0f} {'whole day' if whole_day else 'chunks':>9} "
                  f"{m['peak'] / 1e6:>8.0f} {(m['peak'] - m['base']) / 1e6:>9.0f} "
                  f"{m['estimate'] / 1e6:>11.0f} {calls / m['seconds']:>9.0f}")
        chunked, whole = rows[False], rows[True]
        print(f"{'':>9} ratios chunks/whole day: memory growth "
              f"{(chunked['peak'] - chunked['base']) / max(whole['peak'] - whole['base'], 1):.2f}"
              f", speed {whole['seconds'] / chunked['seconds']:.2f}")


if __name__ == "__main__":
    main()
