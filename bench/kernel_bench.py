"""The cost of driving short lives: ``sim.kernel.Life`` against the unguarded driver it replaced
and against ``simpy.Process``, in one process.

Each of ``--lives`` lives starts at a random instant, waits on three timeouts (like a caller's
greeting, talk and wrap-up) and ends. Figures are lives per second of wall time (best of
``--repeat``) and the ratio of each driver to ``Life``. The unguarded driver is the one callsim
used before ``sim/kernel.py``: it resumes the generator with ``event.value`` and registers itself
on the next event, with neither of SimPy's guards (an already-processed event would hang the
life, a failed one would be sent as a value). ``Life`` must stay within noise of it (ratio near
1) and well ahead of ``simpy.Process``.

Usage: ``python bench/kernel_bench.py [--lives 200000] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import simpy

from sim.kernel import Life


class Unguarded:
    """The reference: callsim's driver before ``sim/kernel.py`` (``Call.__call__``)."""

    __slots__ = ("generator",)

    def __init__(self, generator):
        self.generator = generator

    def __call__(self, event) -> None:
        try:
            event = self.generator.send(event.value)
        except StopIteration:
            return
        event.callbacks.append(self)


def life(env, durations):
    for d in durations:
        yield env.timeout(d)


def run(driver: str, starts: np.ndarray, durations: np.ndarray) -> float:
    env = simpy.Environment()
    begin = time.perf_counter()
    for start, steps in zip(starts.tolist(), durations.tolist(), strict=True):
        if driver == "process":
            env.timeout(start).callbacks.append(
                lambda _e, steps=steps: env.process(life(env, steps)))
        else:
            driven = (Life(env, life(env, steps)) if driver == "life"
                      else Unguarded(life(env, steps)))
            env.timeout(start).callbacks.append(driven)
    env.run()
    return time.perf_counter() - begin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lives", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    starts = np.sort(rng.uniform(0, args.lives, args.lives))
    durations = rng.exponential(60.0, (args.lives, 3))
    best = {d: float("inf") for d in ("life", "unguarded", "process")}
    for _ in range(args.repeat):  # interleaved, so that load on the machine hits all alike
        for driver in best:
            best[driver] = min(best[driver], run(driver, starts, durations))
    for driver, seconds in best.items():
        print(f"{driver:>10}: {args.lives / seconds:12,.0f} lives/s  "
              f"(time / Life's: {seconds / best['life']:.3f})")


if __name__ == "__main__":
    main()
