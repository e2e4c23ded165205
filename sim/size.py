"""How big a run will be, from the scenario alone: calls, callers alive at once, memory.

Used before a run to warn about, or refuse, what would not fit (``callsim run`` does both).

Model
-----
* Calls per replication: the expected arrivals of every interval (times ``arrival_scale``).
* Callers alive at once: each arrival stays in memory while it waits, talks or is still timed by
  its patience, so at most ``peak rate * (greeting + patience + talk + wrap-up)`` (patience the
  horizon when it is infinite), and never more than the phone lines or the calls of the run.
* Memory: :data:`BYTES_PER_LIVE_CALL` per caller alive, :data:`BYTES_PER_DRAWN_CALL` per caller of
  the chunk of arrivals being drawn (at most ``2 * CHUNK_CALLS``), and
  :data:`BYTES_PER_WAIT_BIN` per bin of the wait histograms (:mod:`sim.waits`: at most one per
  answered call, and at most :data:`BINS_PER_CELL` per interval and call type; answered calls:
  at most the calls, and at most twice the agent time on duty over the shortest handle and
  wrap-up time), plus :data:`BASE_BYTES`. The
  constants were measured with ``tracemalloc`` on the ``erlang_a`` example (1,540-1,560 bytes
  a caller kept alive by an infinite patience; 290-300 bytes a call drawn) and rounded up. An
  estimate, not a bound (``bench/size_bench.py`` sets it beside measured peaks).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scenarios.calendar import scheduled_agents
from scenarios.schema import Scenario
from sim.arrivals import CHUNK_CALLS

BYTES_PER_LIVE_CALL = 2_000
BYTES_PER_DRAWN_CALL = 400
#: A (cell, bin) pair of a wait histogram (16 bytes) and its copy while new waits merge in.
BYTES_PER_WAIT_BIN = 32
#: Bins one (interval, type) fills: waits spanning ten doublings (e.g. 1 s to 17 min) fill 640
#: (a cell of an M/M/55+M hour of 1,000 calls fills about 150: ``bench/memory_bench.py``).
BINS_PER_CELL = 640
BASE_BYTES = 150_000_000  # the interpreter with numpy, scipy and SimPy loaded


@dataclass(frozen=True)
class RunSize:
    """The estimate of :func:`estimate_size` (see the module notes)."""

    calls_per_replication: float
    calls: float
    peak_live_calls: float
    memory_bytes: float

    def describe(self) -> str:
        """``about 24,000 calls per replication (480,000 in all), 0.16 GB of memory``."""
        return (f"about {_count(self.calls_per_replication)} calls per replication "
                f"({_count(self.calls)} in all), {self.memory_bytes / 1e9:.2g} GB of memory")


def estimate_size(scenario: Scenario, replications: int) -> RunSize:
    """Calls, callers alive at once and peak memory of one run (see the module notes)."""
    cal = scenario.calendar
    per_interval = [sum(ct.calls_for(profile)) for profile in cal.days
                    for ct in scenario.call_types]
    calls = scenario.arrival_scale * math.fsum(per_interval)
    peak_rate_per_s = scenario.arrival_scale * max(
        (sum(ct.calls_for(p)[j] for ct in scenario.call_types)
         for p in set(cal.days) for j in range(cal.intervals_per_day)), default=0.0,
    ) / cal.interval_s
    stay_s = _mean(scenario.ivr.greeting, 0.0) + max(
        _mean(ct.patience, cal.horizon_s) + _mean(ct.handle_time, 0.0) + _mean(ct.wrap_up, 0.0)
        for ct in scenario.call_types)
    live = min(calls, peak_rate_per_s * stay_s,
               math.inf if scenario.lines is None else scenario.lines)
    # Answered calls are at most what the agents on duty can talk through (one more shift's
    # worth for the drain after the horizon).
    work_s = min(_mean(ct.handle_time, 0.0) + _mean(ct.wrap_up, 0.0)
                 for ct in scenario.call_types)
    agent_s = float(scheduled_agents(scenario).sum()) * cal.interval_s
    answered = min(calls, 2 * agent_s / work_s) if work_s > 0 else calls
    wait_bins = min(answered, BINS_PER_CELL * cal.n_intervals * len(scenario.call_types))
    memory = (BASE_BYTES + BYTES_PER_LIVE_CALL * live
              + BYTES_PER_DRAWN_CALL * min(calls, 2 * CHUNK_CALLS)
              + BYTES_PER_WAIT_BIN * wait_bins)
    return RunSize(calls_per_replication=calls, calls=calls * replications,
                   peak_live_calls=live, memory_bytes=memory)


def _count(x: float) -> str:
    return f"{x:,.0f}" if x < 1e9 else f"{x:.3g}"


def _mean(dist, default: float) -> float:
    return default if dist is None else float(dist.mean_s)


def available_memory_bytes() -> float | None:
    """Memory the system can still give (Linux ``MemAvailable``); ``None`` where unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    return None
