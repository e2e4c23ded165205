"""Memory that does not grow with a day's volume: swept queues change nothing but memory."""

import pytest

import sim.routing
from scenarios import load_builtin
from sim.model import Model
from sim.streams import replication_seed

OVERLOADED = ["call_types[0].calls_per_interval=6000", "agent_groups[0].staffing=1",
              "calendar.intervals_per_day=2", "simulation.warmup_s=0"]


def _records(monkeypatch, min_sweep):
    """Records of one overloaded replication, and the longest its queue grew."""
    monkeypatch.setattr(sim.routing, "_MIN_SWEEP", min_sweep)
    route, longest = sim.routing.Router.route, [0]

    def measured(self, call):
        agent = route(self, call)
        longest[0] = max(longest[0], len(self.queues[0]))
        return agent

    monkeypatch.setattr(sim.routing.Router, "route", measured)
    rows = []
    model = Model(load_builtin("erlang_a", OVERLOADED), replication_seed(5, 0), sink=rows.extend)
    model.run()
    return rows, model.router, longest[0]


def test_sweeping_hung_up_callers_changes_no_record(monkeypatch):
    swept, router, longest_swept = _records(monkeypatch, 8)
    assert router._sweep_at[0] != 8  # sweeps happened
    unswept, _, longest_lazy = _records(monkeypatch, 10**18)
    assert swept == unswept  # same callers, same order, same outcomes, same instants
    # Without sweeps the dead stay queued (nearly every caller of an overloaded day); with
    # them a queue holds at most about twice its waiting callers (rate * patience: ~200 here).
    assert longest_lazy > 2000 and longest_swept < 700


def test_size_estimate_counts_calls_and_bounds_live_callers():
    from sim.size import BYTES_PER_LIVE_CALL, estimate_size

    sc = load_builtin("erlang_a")  # 24 hours of 1,000 calls, patience 120 s, AHT 180 s
    size = estimate_size(sc, 20)
    assert size.calls_per_replication == 24_000 and size.calls == 480_000
    assert size.peak_live_calls == 1000 / 3600 * (120 + 180)
    half = estimate_size(load_builtin("erlang_a", ["arrival_scale=0.5"]), 20)
    assert half.calls == 240_000 and half.memory_bytes < size.memory_bytes
    lined = estimate_size(load_builtin("erlang_a", ["lines=10"]), 1)
    assert lined.peak_live_calls == 10
    assert size.memory_bytes - lined.memory_bytes == pytest.approx(
        BYTES_PER_LIVE_CALL * (size.peak_live_calls - 10))  # memory is per replication
    assert size.describe().startswith("about 24,000 calls per replication (480,000 in all)")


def test_size_estimate_does_not_grow_with_the_calls_once_histograms_fill():
    from sim.size import BINS_PER_CELL, BYTES_PER_WAIT_BIN, estimate_size

    # With lines capping the callers alive at once, ten times the calls cost no more memory:
    # arrivals are drawn in chunks and waits counted in at most BINS_PER_CELL bins per cell.
    busy, busier = (estimate_size(load_builtin("erlang_a", [f"arrival_scale={s}", "lines=10"]),
                                  1) for s in (100, 1000))
    assert busier.calls == 10 * busy.calls
    assert busier.memory_bytes == busy.memory_bytes
    quiet = estimate_size(load_builtin("erlang_a", ["arrival_scale=0.1", "lines=10"]), 1)
    # 2,400 calls: fewer waits than bins (24 intervals x 640), one bin per answered call at most.
    assert quiet.calls < 24 * BINS_PER_CELL
    assert busy.memory_bytes - quiet.memory_bytes > BYTES_PER_WAIT_BIN * (
        24 * BINS_PER_CELL - quiet.calls)
