"""Instructions per simulated call, counted by valgrind's callgrind: the engine ratios of issue 12
without the machine's noise.

Wall-time ratios (``sim_bench.py``, ``fast_bench.py``) move by a tenth between sittings on a
shared machine, more than the margins of issue 12's targets. An instruction count does not
depend on the machine's load. Each runner is run at two sizes, in fresh interpreters under
callgrind (hash seed fixed, address randomisation off where ``setarch`` exists). Its cost per
call is (instructions of the larger run - of the smaller) / (calls of the larger - of the
smaller), so start-up and imports cancel out. Prints the counts and the ratios the targets are
about:

* bare SimPy script / callsim's SimPy engine (no records), M/M/55+M: target >= 3;
* bare SimPy script / the fast engine, M/M/55+M: target >= 10;
* our SimPy engine / the fast engine on the bank (``fast_bench.py``'s days): target >= 3.

Instructions are not seconds: memory traffic and branch prediction differ between programs,
so a wall-time ratio may land a little above or below. Needs ``valgrind`` (Debian:
``apt-get install valgrind``); callgrind runs about 50 times slower than normal, so the whole
bench takes several minutes.

Usage: ``python bench/instructions_bench.py [--hours 4,16] [--bank-days 2,6]``
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parent

#: Each runner prints the calls it simulated; ``{size}`` is hours (M/M/55+M) or days (bank).
RUNNERS = {
    "bare": "from sim_bench import run_bare_simpy; print(run_bare_simpy({size}, 1))",
    "simpy": "from sim_bench import run_callsim; print(run_callsim({size}, 'null', 1))",
    "fast": "from sim_bench import run_callsim; print(run_callsim({size}, 'null', 1, 'fast'))",
    "bank_simpy": ("from fast_bench import repeated; from sim.replicate import run_replication; "
                   "from sim.streams import replication_seed; "
                   "print(int(run_replication(repeated('bank', {size}), replication_seed(1, 0), "
                   "engine='simpy').counts.sum()))"),
    "bank_fast": ("from fast_bench import repeated; from sim.replicate import run_replication; "
                  "from sim.streams import replication_seed; "
                  "print(int(run_replication(repeated('bank', {size}), replication_seed(1, 0), "
                  "engine='fast').counts.sum()))"),
}


def instructions(code: str) -> tuple[int, int]:
    """(instructions, calls) of ``code`` run under callgrind in a fresh interpreter."""
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
               sys.executable, "-c", f"import sys; sys.path.insert(0, {str(BENCH)!r}); {code}"]
    if shutil.which("setarch"):
        command = ["setarch", os.uname().machine, "-R", *command]
    # One BLAS thread: callgrind runs threads one at a time, and OpenBLAS's idle thread spins
    # for a share of real time, which counted a few hundred instructions a call, varying from
    # run to run, into every runner that imports numpy.
    env = {**os.environ, "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    refs = re.search(r"refs:\s+([\d,]+)", done.stderr)
    if refs is None:
        raise SystemExit(f"callgrind printed no instruction count:\n{done.stderr[-2000:]}")
    return int(refs.group(1).replace(",", "")), int(done.stdout.split()[-1])


def per_call(name: str, sizes: tuple[int, int]) -> float:
    (ir_a, calls_a), (ir_b, calls_b) = (instructions(RUNNERS[name].format(size=s))
                                        for s in sizes)
    cost = (ir_b - ir_a) / (calls_b - calls_a)
    print(f"  {name:<11} {cost:>9,.0f} instructions a call  "
          f"({calls_b - calls_a:,} calls between sizes {sizes[0]} and {sizes[1]})",
          file=sys.stderr, flush=True)
    return cost


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", default="4,16", help="M/M/55+M sizes (hours), two numbers")
    parser.add_argument("--bank-days", default="2,6", help="bank sizes (days), two numbers")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    hours = tuple(int(x) for x in args.hours.split(","))
    days = tuple(int(x) for x in args.bank_days.split(","))
    print("instructions per call (callgrind), M/M/55+M and the bank:", file=sys.stderr)
    cost = {name: per_call(name, days if name.startswith("bank") else hours)
            for name in RUNNERS}
    print(f"bare SimPy / our SimPy engine, M/M/55+M: {cost['bare'] / cost['simpy']:.2f} "
          "(target >= 3)")
    print(f"bare SimPy / fast engine, M/M/55+M:      {cost['bare'] / cost['fast']:.2f} "
          "(target >= 10)")
    print(f"our SimPy / fast engine, bank:           "
          f"{cost['bank_simpy'] / cost['bank_fast']:.2f} (target >= 3)")


if __name__ == "__main__":
    main()
