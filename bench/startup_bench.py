"""What share of a default ``callsim run`` is spent importing, not simulating.

Times, in fresh interpreters (best of ``--repeat``): ``callsim --help``; importing what a
``callsim run`` imports (the CLI, the simulation, the Erlang view, the reports); and the default
``callsim run`` itself (the built-in clinic, its 20 replications). Prints the seconds and the
import share of the run (target: at most a third).

Usage: ``python bench/startup_bench.py [--repeat 5] [--workers N]``
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

IMPORTS = ("import sim_cli, sim.replicate, plan.runs, plan.erlang_view, plan.targets, "
           "report.tables, report.formats, report.workflow")


def best_of(command: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        begin = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - begin)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workers", type=int, default=None,
                        help="Workers for the run (default: callsim's own default).")
    args = parser.parse_args()
    run = [sys.executable, "-m", "sim_cli", "run", "-q"]
    if args.workers is not None:
        run += ["--workers", str(args.workers)]
    bare = best_of([sys.executable, "-c", "pass"], args.repeat)
    help_s = best_of([sys.executable, "-m", "sim_cli", "--help"], args.repeat)
    imports = best_of([sys.executable, "-c", IMPORTS], args.repeat)
    run_s = best_of(run, args.repeat)
    print(f"python itself:         {bare:6.3f} s")
    print(f"callsim --help:        {help_s:6.3f} s")
    print(f"imports of a run:      {imports:6.3f} s")
    print(f"callsim run (clinic):  {run_s:6.3f} s")
    print(f"import share of the run: {(imports - bare) / (run_s - bare):.2f} (target <= 0.33)")


if __name__ == "__main__":
    main()
