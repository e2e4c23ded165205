"""What share of a default ``callsim run`` is spent importing, not simulating.

Times, in fresh interpreters (best of ``--repeat`` rounds, the commands taking turns in each
round): ``callsim --help``; importing what a ``callsim run`` imports; and the default
``callsim run`` itself (the built-in clinic, its 20 replications). Prints the seconds and the
import share of the run (target: at most a third).

"What a run imports" is read off a run, not listed by hand: the bench runs ``callsim run`` once
in-process and imports, in a fresh interpreter, every module that run loaded (in the order it
loaded them), the CLI's, the worker pool's and the lazily imported ones alike. The workers are
forked after the imports and load nothing more (``tests/test_project.py`` guards the one
module, numpy.ma, that once slipped in there).

Every interpreter runs with bytecode caching on, after one warm-up that writes the caches, as
on a user's machine (pip compiles installed packages; an editable install compiles on first
use). With ``PYTHONDONTWRITEBYTECODE`` set, as on some CI machines, callsim's own modules are
compiled from source at every start, which ``--no-cache`` shows.

Usage: ``python bench/startup_bench.py [--repeat 5] [--workers N] [--engine E] [--no-cache]``
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

#: Runs ``callsim`` in this interpreter and prints, one a line, the modules it loaded.
_LOADED_BY = """\
import sys
before = set(sys.modules)
sys.argv = ['callsim', *sys.argv[1:]]
import sim_cli
try:
    sim_cli.main()
except SystemExit:
    pass
print('-- loaded --', *(m for m, module in sys.modules.items() if m not in before
                        and getattr(module, '__spec__', None) is not None))
"""


def imports_of(argv: list[str], env: dict[str, str]) -> str:
    """An ``import ...`` statement of every module ``callsim *argv`` loads."""
    out = subprocess.run([sys.executable, "-c", _LOADED_BY, *argv], check=True, env=env,
                         capture_output=True, text=True).stdout
    return "import " + ", ".join(out.rpartition("-- loaded --")[2].split())


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system, the command and every process it started, e.g.
    the run's workers) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    begin = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=env)
    wall = time.perf_counter() - begin
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def best_of(commands: dict[str, list[str]], repeat: int,
            env: dict[str, str]) -> dict[str, tuple[float, float]]:
    """The best wall time and the best CPU time of each command over ``repeat`` rounds, the
    commands taking turns in each round: the machine's speed drifts by tens of percent over a
    minute, and a ratio of two figures measured minutes apart would carry that drift."""
    best = {name: (float("inf"), float("inf")) for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            wall, cpu = timed(command, env)
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workers", type=int, default=None,
                        help="Workers for the run (default: callsim's own default).")
    parser.add_argument("--engine", choices=("auto", "fast", "simpy"), default=None,
                        help="The run's engine (default: callsim's own default, auto).")
    parser.add_argument("--no-cache", action="store_true",
                        help="Keep PYTHONDONTWRITEBYTECODE as it is in the environment.")
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")  # as callsim's main() sets it, for the imports too
    if not args.no_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([sys.executable, "-c", "import sim_cli, calibrate"], check=True, env=env)
    run = ["run", "-q"]
    if args.workers is not None:
        run += ["--workers", str(args.workers)]
    if args.engine is not None:
        run += ["--engine", args.engine]
    imports = imports_of(run, env)
    print(f"a run imports {imports.count(',') + 1} modules beyond Python's own start-up")
    run = [sys.executable, "-m", "sim_cli", *run]
    best = best_of({"bare": [sys.executable, "-c", "pass"],
                    "help": [sys.executable, "-m", "sim_cli", "--help"],
                    "imports": [sys.executable, "-c", imports], "run": run}, args.repeat, env)
    (bare, bare_cpu), (help_s, _), (imports, imports_cpu), (run_s, run_cpu) = best.values()
    print(f"bytecode caches: {'as the environment says' if args.no_cache else 'on'}")
    print("                       wall      CPU (all processes)")
    print(f"python itself:         {bare:6.3f} s  {bare_cpu:6.3f} s")
    print(f"callsim --help:        {help_s:6.3f} s")
    print(f"imports of a run:      {imports:6.3f} s  {imports_cpu:6.3f} s")
    print(f"callsim run (clinic):  {run_s:6.3f} s  {run_cpu:6.3f} s")
    # The run's replications go to worker processes (2 on a 2-core machine): its wall time
    # shrinks with the cores, its CPU time does not. Both shares are printed; the bar reads
    # "time", and the wall share is the one a planner waits through.
    print(f"import share of the run, wall: {(imports - bare) / (run_s - bare):.2f} "
          "(target <= 0.33)")
    print(f"import share of the run, CPU:  {(imports_cpu - bare_cpu) / (run_cpu - bare_cpu):.2f}")


if __name__ == "__main__":
    main()
