"""The fast engine (sim/fast.py) against a bare SimPy script and against our SimPy engine.

In one process, interleaved (best of ``--repeat``, CPU time), calls simulated per second of:

* M/M/55+M (bench/sim_bench.py's queue: 1000 calls/h, AHT 180 s, patience 120 s, ``--hours``
  hours): the fast engine (no records, as :func:`sim.replicate.run_replication` without a
  sink) against the bare SimPy script (``simpy.Resource``, ``request() | timeout``);
  target >= 10x.
* The bank example (``scenarios/examples/bank.toml``, ``--bank-days`` copies of its day):
  the fast engine against our SimPy engine, same seeds, no records; target >= 3x.
* The clinic (the default ``callsim run``: walk-ins, IVR menu, three call types), its day
  repeated ``--bank-days`` times: the same comparison, for information.

Both engines give the same counts (checked here on every bank and clinic run).

Usage: ``python bench/fast_bench.py [--hours 200] [--bank-days 20] [--repeat 3]``
(``--bank-days`` sets the days of both the bank and the clinic)
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from scenarios.load import load_scenario
from sim.replicate import run_replication
from sim.streams import replication_seed

sys.path.insert(0, str(Path(__file__).parent))
from sim_bench import mmnm_scenario, run_bare_simpy

EXAMPLES = Path(__file__).parent.parent / "scenarios" / "examples"


def repeated(name: str, days: int):
    """The example ``name`` with its calendar's days repeated ``days`` times."""
    sc = load_scenario(EXAMPLES / f"{name}.toml")
    cal = sc.calendar
    staffing = tuple(sc.agent_groups[0].staffing) * days
    return replace(sc, calendar=replace(cal, days=cal.days * days),
                   agent_groups=(replace(sc.agent_groups[0], staffing=staffing),))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=200)
    parser.add_argument("--bank-days", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    mmnm = mmnm_scenario(args.hours)
    bank, clinic = repeated("bank", args.bank_days), repeated("clinic", args.bank_days)
    counts = {}

    def ours(sc, engine, tag):
        def run(seed):
            rc = run_replication(sc, replication_seed(seed, 0), engine=engine)
            counts[tag, seed] = rc.counts
            return int(rc.counts.sum())
        return run

    runners = {
        "mmnm_fast": ours(mmnm, "fast", "mmnm"),
        "mmnm_bare": lambda seed: run_bare_simpy(args.hours, seed),
        "bank_fast": ours(bank, "fast", "bank_fast"),
        "bank_simpy": ours(bank, "simpy", "bank_simpy"),
        "clinic_fast": ours(clinic, "fast", "clinic_fast"),
        "clinic_simpy": ours(clinic, "simpy", "clinic_simpy"),
    }
    best = {name: 0.0 for name in runners}
    calls = {}
    for r in range(args.repeat):
        for name, run in runners.items():
            start = time.process_time()
            calls[name] = run(r + 1)
            best[name] = max(best[name], calls[name] / (time.process_time() - start))
        for name in ("bank", "clinic"):
            assert np.array_equal(counts[f"{name}_fast", r + 1], counts[f"{name}_simpy", r + 1])
    labels = {"mmnm_fast": f"M/M/55+M {args.hours} h, fast engine",
              "mmnm_bare": f"M/M/55+M {args.hours} h, bare SimPy script",
              "bank_fast": f"bank x {args.bank_days} days, fast engine",
              "bank_simpy": f"bank x {args.bank_days} days, our SimPy engine",
              "clinic_fast": f"clinic x {args.bank_days} days, fast engine",
              "clinic_simpy": f"clinic x {args.bank_days} days, our SimPy engine"}
    print(f"calls per CPU second, best of {args.repeat}, interleaved in one process")
    for name, rate in best.items():
        print(f"  {labels[name]:<40} {rate:>10,.0f} calls/s  ({calls[name]:,} calls)")
    print(f"  fast / bare SimPy on M/M/55+M: {best['mmnm_fast'] / best['mmnm_bare']:.2f}x "
          "(target >= 10)")
    print(f"  fast / our SimPy on the bank:  {best['bank_fast'] / best['bank_simpy']:.2f}x "
          "(target >= 3)")
    print(f"  fast / our SimPy on the clinic: {best['clinic_fast'] / best['clinic_simpy']:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
