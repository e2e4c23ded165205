"""Memory that does not grow with a day's volume: swept queues change nothing but memory."""

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
