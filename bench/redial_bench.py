"""How far the Erlang X fixed point is from the exact redial chain on small centers, and its cost.

The grid (clinic-like): 3-6 agents; lines = agents + 1, agents + 3 and 10; AHT 240 s; offered load
0.7, 0.9 and 1.1 Erlangs per agent; mean patience 60, 120, 180 s; one redial probability for
blocked and abandoned callers alike, 0.3, 0.5, 0.8; mean redial delay 60, 180, 600 s. Each point
is solved by :func:`erlang.redial_chain.erlang_x_exact` (the reference) and by the fixed point
(``erlang_x(method="fixed_point")``, which has no delay: it treats redials as Poisson).

Printed, by redial delay and overall: the mean and largest absolute error of the fixed point in
``unique_lost`` (share of callers never answered), per-attempt P(blocked) and service level
(answered within 20 s over attempts), in percentage points; the worst point; and the time per
solve of both methods (best of ``--repeats`` passes over the grid) with their ratio.

Usage: ``python bench/redial_bench.py [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import itertools
import platform
import sys
import time

import numpy as np

from erlang.redial_chain import erlang_x_exact
from erlang.retrials import erlang_x

AHT_S = 240.0
AGENTS = (3, 4, 5, 6)
LOAD_PER_AGENT = (0.7, 0.9, 1.1)
PATIENCE_S = (60.0, 120.0, 180.0)
REDIAL = (0.3, 0.5, 0.8)
DELAY_S = (60.0, 180.0, 600.0)
FIGURES = ("unique_lost", "p_blocked", "service_level")


def grid() -> list[dict]:
    points = []
    for n, rho, patience, r, delay in itertools.product(AGENTS, LOAD_PER_AGENT, PATIENCE_S,
                                                        REDIAL, DELAY_S):
        for lines in sorted({n + 1, n + 3, 10}):
            points.append(dict(arrival_rate_per_s=rho * n / AHT_S, aht_s=AHT_S, agents=n,
                               lines=lines, mean_patience_s=patience, redial_blocked=r,
                               redial_abandoned=r, mean_redial_delay_s=delay))
    return points


def figures(result) -> dict[str, float]:
    q = result.queue
    return {"unique_lost": result.unique_lost, "p_blocked": q.p_blocked,
            "service_level": q.service_level}


def timed(solve, points, repeats: int) -> tuple[float, list]:
    best, results = float("inf"), []
    for _ in range(repeats):
        start = time.perf_counter()
        results = [solve(p) for p in points]
        best = min(best, time.perf_counter() - start)
    return best / len(points), results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    points = grid()
    print(f"{len(points)} centers; Python {platform.python_version()}, {platform.machine()}",
          file=sys.stderr)

    def fixed(p):
        kw = {k: v for k, v in p.items() if k != "mean_redial_delay_s"}
        return erlang_x(**kw, method="fixed_point")

    t_exact, exact = timed(lambda p: erlang_x_exact(**p), points, args.repeats)
    t_fixed, approx = timed(fixed, points, args.repeats)
    assert all(r.method == "exact" for r in exact)
    err = {f: np.array([figures(a)[f] - figures(e)[f] for a, e in zip(approx, exact, strict=True)])
           for f in FIGURES}
    delays = np.array([p["mean_redial_delay_s"] for p in points])

    header = f"{'redial delay':>14}" + "".join(
        f"{f + ' mean':>20}{f + ' max':>19}" for f in FIGURES)
    print("Fixed point minus exact chain, absolute, percentage points")
    print(header)
    for label, mask in [*((f"{d:.0f} s", delays == d) for d in DELAY_S),
                        ("all", np.ones_like(delays, dtype=bool))]:
        cells = "".join(f"{np.abs(err[f][mask]).mean() * 100:>20.3f}"
                        f"{np.abs(err[f][mask]).max() * 100:>19.3f}" for f in FIGURES)
        print(f"{label:>14}{cells}")
    worst = int(np.argmax(np.abs(err["unique_lost"])))
    p, e = points[worst], exact[worst]
    print(f"\nworst unique_lost: {p['agents']} agents, {p['lines']} lines, load "
          f"{p['arrival_rate_per_s'] * AHT_S:.2f} Erl, patience {p['mean_patience_s']:.0f} s, "
          f"redial {p['redial_blocked']}, delay {p['mean_redial_delay_s']:.0f} s: exact "
          f"{e.unique_lost:.2%}, fixed point {approx[worst].unique_lost:.2%}")
    under = float((err["unique_lost"] < 0).mean())
    print(f"fixed point below exact (underestimates callers lost) at {under:.0%} of the centers")
    states = [r.states for r in exact]
    print(f"\ntime per solve: exact {t_exact * 1e3:.2f} ms (chains of {min(states)}-{max(states)} "
          f"states), fixed point {t_fixed * 1e3:.2f} ms; exact / fixed point = "
          f"{t_exact / t_fixed:.1f}")


if __name__ == "__main__":
    main()
