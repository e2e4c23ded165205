"""Benchmark the staffing methods and the shift program on the clinic and bank examples.

For each example: wall time of the Erlang C and Erlang A requirements (every interval), of the
simulation method (ISA iterations, corrections and trimming, under common random numbers) and
of the shift program (:func:`plan.shifts.schedule`, HiGHS) for the Erlang A heads with a
typical shift file; each is also given as a ratio to the reference run in the same process:
one plain simulation of the example's own staffing (``sim.replicate.simulate``) with the same
replications. The simulation method's ratio is roughly the number of simulated days it needed.

Usage: ``python bench/staffing_bench.py [--replications 10] [--seed 1] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from plan.requirements import erlang_requirements, heads_to_schedule, requirements
from plan.shifts import schedule, shift_rules_from_dict
from scenarios.load import load_builtin
from sim.replicate import simulate

#: A shift file like a planner's: full days with a paid and an unpaid break, and part-timers.
SHIFTS = {
    "clinic": {"min_on_duty": 1, "break_step_min": 60, "templates": [
        {"name": "full", "start_from": "08:00", "start_to": "12:00", "start_step_min": 60,
         "lengths_h": [8], "cost_per_hour": 20,
         "breaks": [{"length_min": 60, "paid": False, "after_min": [180, 300]}]},
        {"name": "part", "start_from": "08:00", "start_to": "16:00", "start_step_min": 60,
         "lengths_h": [4], "cost_per_hour": 22, "max_agents": 4}]},
    "bank": {"min_on_duty": 2, "break_step_min": 30, "templates": [
        {"name": "full", "start_from": "07:00", "start_to": "16:00", "start_step_min": 30,
         "lengths_h": [8], "cost_per_hour": 20,
         "breaks": [{"length_min": 30, "paid": True, "after_min": [90, 150]},
                    {"length_min": 30, "paid": False, "after_min": [210, 300]}]},
        {"name": "part", "start_from": "07:00", "start_to": "20:00", "start_step_min": 30,
         "lengths_h": [4], "cost_per_hour": 22, "max_agents": 12,
         "breaks": [{"length_min": 30, "paid": True, "after_min": [90, 150]}]}]},
}


def best_of(repeat: int, work) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    r, seed = args.replications, args.seed
    print(f"replications {r}, seed {seed}, best of {args.repeat}")
    print(f"{'example':8} {'method':12} {'seconds':>9} {'x reference':>12}  note")
    for name in ("clinic", "bank"):
        sc = load_builtin(name)
        ref, _ = best_of(args.repeat, lambda sc=sc: simulate(sc, replications=r, seed=seed))
        print(f"{name:8} {'reference':12} {ref:9.3f} {1.0:12.2f}  one simulate() of the "
              f"example's staffing")
        for model in ("c", "a"):
            t, agents = best_of(args.repeat, lambda sc=sc, m=model: erlang_requirements(sc, m))
            print(f"{name:8} {'erlang_' + model:12} {t:9.4f} {t / ref:12.3f}  "
                  f"{sum(agents)} agent-intervals")
        t, req = best_of(1, lambda sc=sc: requirements(sc, replications=r, seed=seed,
                                                       marginal=False))
        s = req.simulated
        print(f"{name:8} {'simulation':12} {t:9.3f} {t / ref:12.2f}  {sum(s.agents)} "
              f"agent-intervals, {len(s.iterations)} ISA staffings, {s.corrections} "
              f"corrections, {s.removed} trimmed, {s.simulations} searched")
        heads = [heads_to_schedule(n, 0.3) for n in req.on_phone("erlang_a")]
        rules = shift_rules_from_dict(SHIFTS[name], source=f"{name} shifts")
        t, roster = best_of(1, lambda h=heads, ru=rules, c=sc.calendar: schedule(h, ru, c))
        n_agents = sum(line.count for line in roster.lines)
        print(f"{name:8} {'shifts MILP':12} {t:9.3f} {t / ref:12.2f}  {n_agents} agents, cost "
              f"{roster.cost:.0f}, {'optimal' if roster.optimal else 'time limit'}, "
              f"short {float(np.sum(roster.shortfall)):g}")


if __name__ == "__main__":
    main()
