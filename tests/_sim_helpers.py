"""Small scenario builders and checks shared by the sim tests (built from the dataclasses)."""

from __future__ import annotations

import math

import numpy as np

from scenarios.schema import (
    AgentGroup,
    Calendar,
    CallType,
    Distribution,
    Ivr,
    Scenario,
    Simulation,
    Targets,
)
from sim.arrivals import Arrival
from sim.records import CallRecord
from sim.replicate import run_replication


def det(mean_s: float) -> Distribution:
    return Distribution(kind="deterministic", mean_s=mean_s, cv=0.0)


def exp(mean_s: float) -> Distribution:
    return Distribution(kind="exponential", mean_s=mean_s, cv=1.0)


def call_type(
    name="a", *, calls=(0.0,), handle=None, wrap=None, patience=None, priority=1, profile="day"
) -> CallType:
    return CallType(
        name=name,
        calls_per_interval=((profile, tuple(calls)),),
        handle_time=handle or det(10.0),
        wrap_up=wrap or det(0.0),
        patience=patience,
        priority=priority,
    )


def scenario(
    *,
    types=None,
    groups=None,
    interval_s=3600.0,
    intervals=1,
    start_s=0.0,
    days=("day",),
    lines=None,
    ivr=None,
    targets=None,
    simulation=None,
    open_s=None,
    close_s=None,
) -> Scenario:
    types = types or (call_type(calls=(0.0,) * intervals),)
    groups = groups or (
        AgentGroup(name="g", skills=tuple(t.name for t in types), staffing=(1,) * intervals),
    )
    return Scenario(
        name="test",
        calendar=Calendar(
            start_s=start_s,
            interval_s=interval_s,
            intervals_per_day=intervals,
            days=days,
            open_s=open_s,
            close_s=close_s,
        ),
        call_types=tuple(types),
        agent_groups=tuple(groups),
        ivr=ivr or Ivr(),
        lines=lines,
        targets=targets or Targets(),
        simulation=simulation or Simulation(replications=1, seed=1),
    )


def trace(sc: Scenario, arrivals, seed: int = 0) -> list[CallRecord]:
    """Records of one replication with explicit arrivals ``(time_s, type, **overrides)``."""
    records: list[CallRecord] = []
    explicit = [a if isinstance(a, Arrival) else Arrival(*a) for a in arrivals]
    run_replication(sc, np.random.SeedSequence(seed), on_record=records.append, arrivals=explicit)
    return sorted(records, key=lambda r: r.call_id)


def records_of(sc: Scenario, seed: int = 0, replication: int = 0):
    """Counts and records of one Poisson replication."""
    records: list[CallRecord] = []
    rc = run_replication(
        sc, np.random.SeedSequence(seed, spawn_key=(replication,)), on_record=records.append
    )
    return rc, sorted(records, key=lambda r: r.call_id)


def within_3_se(values, exact) -> None:
    """Assert that the mean of independent ``values`` is within 3 standard errors of ``exact``.

    The statistical check every sim test uses instead of a tolerance tuned to one seed: ``values``
    are i.i.d. estimates of ``exact`` (per replication, per batch, or single draws), and the
    standard error is estimated from them, so the check would pass for about 99.5 % of seeds
    (two-sided, near-normal mean). To check a variance ``v`` of draws ``x`` with known mean ``m``,
    pass ``(x - m) ** 2``, whose expectation is exactly ``v``.
    """
    values = np.asarray(values, dtype=float)
    se = values.std(ddof=1) / math.sqrt(values.size)
    assert abs(values.mean() - exact) <= 3 * se, (values.mean(), exact, se)
