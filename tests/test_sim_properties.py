"""Hypothesis: random small call centers keep every invariant of the model.

Every arrival is counted exactly once (per interval and in total; records == offered), times
are ordered and waits non-negative, no agent serves two calls at once or outside its on-duty
windows, and no more calls hold a line than there are lines.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios.schema import AgentGroup, Ivr, Shift, Simulation
from sim.agents import roster_changes
from sim.arrivals import CallerSource
from sim.metrics import interval_metrics, total_metrics
from sim.records import INBOUND_OUTCOMES, OUTCOMES
from tests._sim_helpers import call_type, det, exp, records_of, scenario

durations = st.sampled_from([det(0.0), det(20.0), exp(30.0), exp(120.0)])


@st.composite
def small_centers(draw):
    ipd = draw(st.integers(1, 3))
    n_days = draw(st.integers(1, 2))
    interval_s = draw(st.sampled_from([60.0, 300.0, 900.0]))
    n_types = draw(st.integers(1, 3))
    names = [f"t{j}" for j in range(n_types)]
    types = tuple(
        call_type(
            name,
            calls=tuple(draw(st.lists(st.floats(0, 15), min_size=ipd, max_size=ipd))),
            handle=draw(st.sampled_from([det(30.0), exp(60.0), exp(200.0)])),
            wrap=draw(st.sampled_from([det(0.0), det(10.0), exp(15.0)])),
            patience=draw(st.sampled_from([None, det(40.0), exp(60.0)])),
            priority=draw(st.integers(1, 2)),
        )
        for name in names
    )
    groups = []
    for g in range(draw(st.integers(1, 2))):
        skills = tuple(draw(st.permutations(names))[: draw(st.integers(1, n_types))])
        availability = draw(st.sampled_from([1.0, 1.0, 0.7]))
        if draw(st.booleans()):
            # One vector per interval of all days, as the loader normalises it: the same day
            # repeated, or a different one each day.
            length = draw(st.sampled_from([ipd, ipd * n_days]))
            staffing = tuple(draw(st.lists(st.integers(0, 2), min_size=length, max_size=length)))
            staffing *= ipd * n_days // length
            groups.append(
                AgentGroup(
                    name=f"g{g}",
                    skills=skills,
                    staffing=staffing,
                    availability=availability,
                    walk_in_s=30.0,
                )
            )
        else:
            day_s = ipd * interval_s
            shifts = tuple(
                Shift(
                    start_s=draw(st.floats(0, day_s)),
                    end_s=draw(st.floats(0, day_s)),
                    count=draw(st.integers(1, 2)),
                )
                for _ in range(draw(st.integers(1, 2)))
            )
            groups.append(
                AgentGroup(
                    name=f"g{g}",
                    skills=skills,
                    shifts=shifts,
                    availability=availability,
                    walk_in_s=30.0,
                )
            )
    menu = ()
    if n_types > 1 and draw(st.booleans()):
        menu = (("t0", (("t0", 0.5), ("t1", 0.5))),)
    ivr = Ivr(
        greeting=draw(durations),
        patience=draw(st.sampled_from([None, exp(15.0)])),
        served_share=draw(st.sampled_from([0.0, 0.2])),
        menu=menu,
    )
    day_s = ipd * interval_s
    open_s = draw(st.sampled_from([None, day_s / 3]))
    return scenario(
        types=types,
        groups=tuple(groups),
        interval_s=interval_s,
        intervals=ipd,
        days=("day",) * n_days,
        lines=draw(st.sampled_from([None, 1, 3])),
        ivr=ivr,
        open_s=open_s,
        close_s=None if open_s is None else day_s,
        simulation=Simulation(
            replications=1, seed=1, daily_busyness_cv=draw(st.sampled_from([0.0, 0.3]))
        ),
    )


def on_duty_windows(sc):
    """(group, agent) -> list of [join_s, leave_s) from the roster (leave inf: stays to the end)."""
    windows = defaultdict(list)
    for g, group in enumerate(sc.agent_groups):
        for time_s, _, leaving, joining in roster_changes(g, group, sc.calendar):
            for j in leaving:
                windows[group.name, j][-1][1] = time_s
            for j in joining:
                windows[group.name, j].append([time_s, math.inf])
    return windows


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sc=small_centers(), seed=st.integers(0, 2**32 - 1))
def test_every_call_is_counted_once_and_agents_are_never_double_booked(sc, seed):
    rc, recs = records_of(sc, seed=seed)
    cal = sc.calendar
    # Every arrival drawn (same streams) has exactly one record and one outcome.
    source = CallerSource(sc, np.random.SeedSequence(seed, spawn_key=(0,)))
    arrivals = np.concatenate([batch.interval for batch in source.chunks()])
    assert [r.call_id for r in recs] == list(range(arrivals.size))
    per_interval = np.bincount(arrivals, minlength=cal.n_intervals)
    intervals = interval_metrics(rc, sc)
    assert np.array_equal(intervals["offered"], per_interval)
    assert sum(intervals[o] for o in INBOUND_OUTCOMES).tolist() == per_interval.tolist()
    assert total_metrics(rc, sc)["offered"] == len(recs)
    by_record = Counter((r.outcome, r.interval, r.call_type) for r in recs)
    for i, outcome in enumerate(OUTCOMES):
        for k in range(cal.n_intervals):
            for j, ct in enumerate(sc.call_types):
                assert rc.counts[i, k, j] == by_record[outcome, k, ct.name]
    if sc.lines is None:
        assert not any(r.outcome == "blocked" for r in recs)
    if cal.open_s is None:
        assert not any(r.outcome == "after_hours" for r in recs)

    # Times are ordered and waits are what they say.
    for r in recs:
        times = [
            r.arrival_s,
            r.ivr_exit_s,
            r.queue_entry_s,
            r.answer_s,
            r.abandon_s,
            r.end_s,
            r.wrap_end_s,
        ]
        times = [t for t in times if t is not None]
        assert times == sorted(times)
        if r.queue_entry_s is not None:
            left_s = r.answer_s if r.answer_s is not None else (r.abandon_s or r.end_s)
            assert r.wait_s == left_s - r.queue_entry_s >= 0
        assert (r.answer_s is not None) == (r.agent is not None)
        if r.outcome == "answered":
            assert (
                r.call_type
                in sc.agent_groups[[g.name for g in sc.agent_groups].index(r.group)].skills
            )

    # No agent serves two calls at once, nor answers while off duty. SimPy delays are relative,
    # so the clock reaches a roster change time give or take its last bit: allow a few ulps.
    windows = on_duty_windows(sc)
    work = defaultdict(list)
    for r in recs:
        if r.answer_s is not None:
            work[r.group, r.agent].append((r.answer_s, r.wrap_end_s or r.end_s))
            eps = 1e-12 * (1.0 + r.answer_s)
            assert any(lo - eps <= r.answer_s <= hi + eps for lo, hi in windows[r.group, r.agent])
    for spans in work.values():
        spans.sort()
        assert all(b[0] >= a[1] for a, b in itertools.pairwise(spans))

    # Never more calls on lines than lines.
    if sc.lines is not None:
        events = sorted(
            [(r.arrival_s, 1) for r in recs if r.outcome not in ("blocked", "after_hours")]
            + [(r.end_s, -1) for r in recs if r.outcome not in ("blocked", "after_hours")]
        )
        held = np.cumsum([d for _, d in events])
        assert held.max(initial=0) <= sc.lines
