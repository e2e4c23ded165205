"""What the Erlang formulas say about each interval of a scenario, to set beside the simulation.

For every interval the scenario is reduced to one stationary M/M/n queue (Erlang C) and one
M/M/n+M queue (Erlang A):

* arrival rate: the interval's expected calls (all types, times ``arrival_scale``, times the share
  of the interval inside opening hours) that get past the IVR: times ``1 - P(hang up in IVR)``
  and ``1 - served_share``;
* AHT: mean talk plus mean wrap-up, weighted by the call mix after the IVR menu, divided by the
  agents' mean availability: staff who spend a share of their time on walk-ins are counted as
  slower agents, which keeps both the head count and the capacity (3 people at 80 % are 2.4
  agents' worth of phone time);
* agents: the scheduled agents on duty (time-averaged over the interval), rounded down to whole
  agents, which the formulas need;
* patience (Erlang A only): the call-weighted mean patience, taken as exponential; when any call
  type waits forever there is no Erlang A figure.

What the formulas cannot see, and the simulation does: the queue carried over from the previous
interval, phone lines, priorities and skills, non-exponential times, day-to-day busyness. Where
the two columns part ways, one of these is why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from erlang.erlang_a import erlang_a
from erlang.erlang_c import erlang_c
from erlang.errors import ConvergenceError, ErlangInputError
from erlang.results import QueueMetrics
from scenarios.calendar import is_open, scheduled_agents
from scenarios.schema import Scenario
from sim.dists import sampler

#: Draws used to estimate P(hang up during the IVR greeting); standard error below 0.0012.
IVR_DRAWS = 200_000
#: Points per interval at which opening hours are checked.
_OPEN_GRID = 120


@dataclass(frozen=True, kw_only=True)
class IntervalErlang:
    """The analytic reading of one interval.

    A model that does not apply to the interval has ``None`` figures and says why in
    ``not_applicable`` (model name -> reason): no calls reach the queue, no agent is on duty,
    no handle time, a call type that waits forever (Erlang A), no patience at all (Erlang A),
    or inputs the formula rejects. The simulation runs regardless: the view never fails a run.
    """

    interval: int
    queue_calls: float
    aht_s: float
    agents: int
    erlang_c: QueueMetrics | None
    erlang_a: QueueMetrics | None
    #: Call-weighted mean patience of the queued calls, seconds (``None``: some wait forever).
    mean_patience_s: float | None = None
    not_applicable: dict[str, str] = field(default_factory=dict)


def ivr_pass_share(scenario: Scenario) -> float:
    """Share of callers with a line who get past the IVR to the queue.

    ``P(listening patience >= greeting) * (1 - served_share)``, estimated from
    :data:`IVR_DRAWS` draws of a fixed Generator (the same scenario always gives the same value).
    """
    ivr = scenario.ivr
    rng = np.random.default_rng(0)
    greeting = sampler(ivr.greeting)(rng, IVR_DRAWS)
    listening = sampler(ivr.patience)(rng, IVR_DRAWS)
    return float(np.mean(listening >= greeting)) * (1.0 - ivr.served_share)


def erlang_view(scenario: Scenario) -> list[IntervalErlang]:
    """Erlang C and Erlang A figures for every interval of ``scenario`` (see module notes)."""
    cal = scenario.calendar
    ivr = scenario.ivr
    past_ivr = ivr_pass_share(scenario)

    menu = {source: dict(split) for source, split in ivr.menu}
    types = {ct.name: ct for ct in scenario.call_types}
    work_s = {n: ct.handle_time.mean_s + ct.wrap_up.mean_s for n, ct in types.items()}
    patience_s = {n: (None if ct.patience is None else ct.patience.mean_s)
                  for n, ct in types.items()}
    on_duty = scheduled_agents(scenario)
    available = np.array([g.availability for g in scenario.agent_groups]) @ on_duty
    head_count = on_duty.sum(axis=0)
    offsets = (np.arange(_OPEN_GRID) + 0.5) / _OPEN_GRID * cal.interval_s

    view = []
    for k in range(cal.n_intervals):
        profile, j = cal.days[k // cal.intervals_per_day], k % cal.intervals_per_day
        open_share = float(np.mean(is_open(cal, k * cal.interval_s + offsets)))
        mix: dict[str, float] = {}
        for name, ct in types.items():
            calls = ct.calls_for(profile)[j]
            for dest, share in menu.get(name, {name: 1.0}).items():
                mix[dest] = mix.get(dest, 0.0) + calls * share
        total = sum(mix.values())
        queue_calls = total * scenario.arrival_scale * open_share * past_ivr
        agents = int(np.floor(head_count[k] + 1e-9))
        availability = available[k] / head_count[k] if head_count[k] > 0 else 1.0
        aht = sum(w * work_s[n] for n, w in mix.items()) / total / availability if total else 0.0
        c = a = mean_patience = None
        weighted = [(w, patience_s[n]) for n, w in mix.items() if w > 0]
        if total > 0 and all(p is not None for _, p in weighted):
            mean_patience = sum(w * p for w, p in weighted) / total
        why = {}
        if not queue_calls > 0:
            why["erlang_c"] = why["erlang_a"] = "no calls reach the queue"
        elif agents < 1:
            why["erlang_c"] = why["erlang_a"] = "no agent on duty"
        elif not aht > 0:
            why["erlang_c"] = why["erlang_a"] = "no handle time"
        else:
            rate = queue_calls / cal.interval_s
            targets = scenario.targets
            c = _formula(why, "erlang_c", erlang_c, arrival_rate_per_s=rate, aht_s=aht,
                         agents=agents, awt_s=targets.awt_s)
            if mean_patience is None:
                why["erlang_a"] = "a call type waits forever (no patience)"
            elif not mean_patience > 0:
                why["erlang_a"] = "callers have no patience at all (mean 0 s)"
            else:
                a = _formula(why, "erlang_a", erlang_a, arrival_rate_per_s=rate, aht_s=aht,
                             agents=agents, mean_patience_s=mean_patience,
                             awt_s=targets.awt_s, short_abandon_s=targets.short_abandon_s)
        view.append(IntervalErlang(interval=k, queue_calls=queue_calls, aht_s=aht, agents=agents,
                                   erlang_c=c, erlang_a=a, mean_patience_s=mean_patience,
                                   not_applicable=why))
    return view


def _formula(why: dict[str, str], model: str, formula, **inputs) -> QueueMetrics | None:
    """``formula(**inputs)``, or ``None`` with the reason in ``why[model]`` if it rejects them."""
    try:
        return formula(**inputs)
    except (ErlangInputError, ConvergenceError) as err:
        why[model] = str(err)
        return None
