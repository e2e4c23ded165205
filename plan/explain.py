"""Why the simulation disagrees with the Erlang calculator: a walk, one modelling feature a step.

The walk starts where a planner's calculator stands, per-interval **Erlang C** (each interval a
stationary M/M/n queue, everybody waits forever), adds **abandonment** (per-interval Erlang A),
then simulates those same assumptions over the day, so that the only new thing is that **queues
are carried from one interval to the next** (and that arrivals and staffing change at interval
edges rather than being averaged). From there each step switches on one feature of the real
scenario, in the order of :data:`FEATURES`, until the last step is the full simulation. Every
simulated step runs under common random numbers (same root entropy, replication ``r`` seeded
alike), so a step's contribution is a paired difference with a narrow CI.

Each feature is a :class:`Feature` whose ``strip`` removes it from a scenario; the scenario of
a step is the full one with every later feature stripped, last feature first. Adding a feature
to the walk is one more entry in :data:`FEATURES` with its
``strip``; nothing else changes.

How each feature is stripped (what the simulated baseline assumes)
------------------------------------------------------------------
``ivr``
    No greeting, nobody hangs up or is served in the IVR; arrivals scaled by the share that gets
    past the IVR (:func:`plan.erlang_view.ivr_pass_share`, as the Erlang view does). A menu is
    kept (it still splits the calls, instantly).
``lines``
    Unlimited trunk lines.
``priorities_skills``
    All call types merged into one, answered by every group in arrival order.
``distributions``
    Every type: exponential handle time with the day's call-weighted mean of talk + wrap-up, no
    separate wrap-up, exponential patience with the call-weighted mean patience (none if any
    type waits forever), as Erlang A assumes.
``walk_ins``
    Availability 1; handle and wrap-up times divided by the agents' mean availability (the
    Erlang view's "slower agents", so capacity is unchanged).
``redials``, ``callbacks``, ``reminders``
    The lever's table removed (nobody redials; nobody is called back; no reminder calls).
``overflow``
    No overflow, and the groups that only took overflow removed.
``busyness``
    No day-to-day busyness (``daily_busyness_cv = 0``).

Figures
-------
Service level (under the scenario's definition and AWT) and P(abandon), both over the calls
that reached the queue, for the whole run; the Erlang rows weight each interval by its calls
reaching the queue. Steps do not commute: a feature's contribution is measured with the
features before it switched on, and would differ in another order.

The walk's simulated baseline differs from the Erlang A row by more than carried queues only in
one respect: the Erlang view averages the call mix per interval, the baseline over the day.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from erlang.targets import SL_DEFINITIONS
from plan.compare import Difference, paired_difference
from plan.erlang_view import erlang_view, ivr_pass_share
from plan.runs import Figures, Runner, estimate, tasks_for
from scenarios.calendar import scheduled_agents
from scenarios.schema import CallType, Distribution, Ivr, Scenario
from sim.results import Estimate

#: The figures the walk follows.
MEASURES = ("service_level", "p_abandon")
MERGED_TYPE = "all calls"


@dataclass(frozen=True)
class Feature:
    """One modelling feature of the walk: its key, a label for tables, and how to strip it.

    ``strip(scenario)`` returns ``scenario`` without the feature; it is applied to a scenario
    already stripped of every feature that comes later in :data:`FEATURES`.
    """

    key: str
    label: str
    strip: Callable[[Scenario], Scenario]


def _scale(dist: Distribution, factor: float) -> Distribution:
    return replace(dist, mean_s=dist.mean_s * factor,
                   samples_s=tuple(x * factor for x in dist.samples_s))


def _exp(mean_s: float) -> Distribution:
    return Distribution(kind="exponential", mean_s=mean_s, cv=1.0)


def _queue_call_weights(sc: Scenario) -> dict[str, float]:
    """Expected calls over the run per call type after the IVR menu."""
    menu = {source: dict(split) for source, split in sc.ivr.menu}
    weights = {ct.name: 0.0 for ct in sc.call_types}
    for ct in sc.call_types:
        calls = sum(sum(ct.calls_for(profile)) for profile in sc.calendar.days)
        for dest, share in menu.get(ct.name, {ct.name: 1.0}).items():
            weights[dest] += calls * share
    return weights


def _weighted(values: dict[str, float], weights: dict[str, float]) -> float:
    total = sum(weights.values())
    if total <= 0:
        return float(np.mean(list(values.values())))
    return sum(values[n] * w for n, w in weights.items()) / total


def strip_busyness(sc: Scenario) -> Scenario:
    return replace(sc, simulation=replace(sc.simulation, daily_busyness_cv=0.0))


def strip_walk_ins(sc: Scenario) -> Scenario:
    on_duty = scheduled_agents(sc).sum(axis=1)
    avail = np.array([g.availability for g in sc.agent_groups])
    mean_avail = float(avail @ on_duty / on_duty.sum()) if on_duty.sum() > 0 else 1.0
    factor = 1.0 / mean_avail
    types = tuple(replace(ct, handle_time=_scale(ct.handle_time, factor),
                          wrap_up=_scale(ct.wrap_up, factor)) for ct in sc.call_types)
    groups = tuple(replace(g, availability=1.0) for g in sc.agent_groups)
    return replace(sc, call_types=types, agent_groups=groups)


def strip_distributions(sc: Scenario) -> Scenario:
    weights = _queue_call_weights(sc)
    work_s = _weighted({ct.name: ct.handle_time.mean_s + ct.wrap_up.mean_s
                        for ct in sc.call_types}, weights)
    if all(ct.patience is not None for ct in sc.call_types):
        patience = _exp(_weighted({ct.name: ct.patience.mean_s for ct in sc.call_types},
                                  weights))
    else:
        patience = None
    wrap = Distribution(kind="deterministic", mean_s=0.0, cv=0.0)
    types = tuple(replace(ct, handle_time=_exp(work_s), wrap_up=wrap, patience=patience)
                  for ct in sc.call_types)
    return replace(sc, call_types=types)


def strip_priorities_skills(sc: Scenario) -> Scenario:
    first = sc.call_types[0]
    profiles = [name for name, _ in first.calls_per_interval]
    calls = tuple((p, tuple(np.sum([ct.calls_for(p) for ct in sc.call_types], axis=0).tolist()))
                  for p in profiles)
    merged = CallType(name=MERGED_TYPE, calls_per_interval=calls, priority=1,
                      handle_time=first.handle_time, wrap_up=first.wrap_up,
                      patience=first.patience)
    groups = tuple(replace(g, skills=(MERGED_TYPE,)) for g in sc.agent_groups)
    return replace(sc, call_types=(merged,), agent_groups=groups,
                   ivr=replace(sc.ivr, menu=()))


def strip_lines(sc: Scenario) -> Scenario:
    return replace(sc, lines=None)


def strip_ivr(sc: Scenario) -> Scenario:
    past = ivr_pass_share(sc)
    return replace(sc, ivr=Ivr(menu=sc.ivr.menu), arrival_scale=sc.arrival_scale * past)


def strip_redials(sc: Scenario) -> Scenario:
    return replace(sc, redials=None)


def strip_callbacks(sc: Scenario) -> Scenario:
    return replace(sc, callbacks=None)


def strip_overflow(sc: Scenario) -> Scenario:
    """No overflow; the groups that only took overflow go (their agents with them)."""
    types = tuple(replace(ct, overflow=None) for ct in sc.call_types)
    groups = tuple(g for g in sc.agent_groups if g.skills)
    return replace(sc, call_types=types, agent_groups=groups)


def strip_reminders(sc: Scenario) -> Scenario:
    return replace(sc, outbound=None)


#: The walk's features in the order they are switched on. A new feature is one more entry here,
#: placed where its strip can be applied before those of the features above it (callbacks come
#: before overflow: an overflow group that takes messages needs the callbacks on).
FEATURES: tuple[Feature, ...] = (
    Feature("ivr", "the IVR: greeting, hang-ups, self-service", strip_ivr),
    Feature("lines", "phone lines (busy signals)", strip_lines),
    Feature("priorities_skills", "call types: priorities and skills", strip_priorities_skills),
    Feature("distributions", "handle-time and patience distributions",
            strip_distributions),
    Feature("walk_ins", "walk-ins (availability below 100 %)", strip_walk_ins),
    Feature("busyness", "day-to-day busyness", strip_busyness),
    Feature("redials", "callers who redial", strip_redials),
    Feature("callbacks", "callbacks (abandoned callers, virtual hold, voicemail)",
            strip_callbacks),
    Feature("overflow", "overflow to a second group", strip_overflow),
    Feature("reminders", "outbound reminder calls", strip_reminders),
)


def step_scenario(scenario: Scenario, switched_on: int,
                  features: Sequence[Feature] = FEATURES) -> Scenario:
    """``scenario`` with only the first ``switched_on`` features on (later ones stripped)."""
    sc = scenario
    for feature in reversed(features[switched_on:]):
        sc = feature.strip(sc)
    return sc


@dataclass(frozen=True)
class Step:
    """One row of the walk.

    Attributes
    ----------
    label : str
        What this step adds.
    kind : str
        ``analytic`` (Erlang formulas) or ``simulation``.
    levels : dict of str to Estimate
        The measures at this step (analytic ones have no CI: ``ci95`` is ``nan``).
    contributions : dict of str to Difference
        This step's level minus the previous step's (paired by replication between simulated
        steps; the first simulated step against Erlang A carries only its own CI).
    """

    label: str
    kind: str
    levels: dict[str, Estimate]
    contributions: dict[str, Difference]

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "kind": self.kind,
                "levels": {k: e.to_dict() for k, e in self.levels.items()},
                "contributions": {k: d.to_dict() for k, d in self.contributions.items()}}


@dataclass(frozen=True)
class Explanation:
    """The walk from Erlang C to the full simulation."""

    scenario_name: str
    entropy: int
    replications: int
    steps: tuple[Step, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"scenario": self.scenario_name, "entropy": self.entropy,
                "replications": self.replications, "measures": list(MEASURES),
                "steps": [s.to_dict() for s in self.steps]}


def _erlang_levels(scenario: Scenario, model: str) -> dict[str, Estimate]:
    sl_name = SL_DEFINITIONS[scenario.targets.sl_definition]
    weights, sl, ab = [], [], []
    for v in erlang_view(scenario):
        figures = v.erlang_a if model == "a" and v.erlang_a is not None else v.erlang_c
        if figures is None or v.queue_calls <= 0:
            continue
        weights.append(v.queue_calls)
        sl.append(getattr(figures, sl_name))
        ab.append(figures.p_abandon if model == "a" else 0.0)
    w = np.asarray(weights)
    out = {}
    for name, values in (("service_level", sl), ("p_abandon", ab)):
        mean = float(np.dot(w, values) / w.sum()) if w.size else math.nan
        out[name] = Estimate(mean, math.nan)
    return out


def _analytic_difference(level: Estimate, previous: Estimate) -> Difference:
    return Difference(level.mean - previous.mean, level.ci95, math.nan, math.nan, 0)


def explain(scenario: Scenario, *, entropy: int, replications: int = 20,
            runner: Runner | None = None,
            features: Sequence[Feature] = FEATURES) -> Explanation:
    """Walk from per-interval Erlang C to the full simulation of ``scenario`` (module notes)."""
    runner = runner or Runner()
    erlang_c = _erlang_levels(scenario, "c")
    erlang_a = _erlang_levels(scenario, "a")
    steps = [
        Step("Erlang C per interval (the calculator)", "analytic", erlang_c,
             {m: Difference(0.0, math.nan, math.nan, math.nan, 0) for m in MEASURES}),
        Step("+ abandonment (Erlang A per interval)", "analytic", erlang_a,
             {m: _analytic_difference(erlang_a[m], erlang_c[m]) for m in MEASURES}),
    ]
    scenarios = [step_scenario(scenario, k, features) for k in range(len(features) + 1)]
    tasks = [t for sc in scenarios for t in tasks_for(sc, entropy, range(replications))]
    flat = list(runner.map(tasks))
    per_step: list[list[Figures]] = [flat[i:i + replications]
                                     for i in range(0, len(flat), replications)]
    labels = ["+ queues carried over intervals (simulated)"]
    labels += [f"+ {f.label}" for f in features]
    previous_values = None
    for label, figs in zip(labels, per_step, strict=True):
        values = {m: np.array([f.summary[m] for f in figs]) for m in MEASURES}
        levels = {m: estimate(values[m]) for m in MEASURES}
        if previous_values is None:
            contributions = {m: _analytic_difference(levels[m], erlang_a[m]) for m in MEASURES}
        else:
            contributions = {m: paired_difference(previous_values[m], values[m])
                             for m in MEASURES}
        steps.append(Step(label, "simulation", levels, contributions))
        previous_values = values
    return Explanation(scenario.name, int(entropy), replications, tuple(steps))
