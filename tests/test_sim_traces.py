"""Deterministic traces: hand-placed arrivals, fixed durations, exact expected event times."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest

from report.formats import jsonable
from scenarios.schema import AgentGroup, Ivr, Shift, Simulation
from sim.arrivals import Arrival
from sim.metrics import interval_metrics, total_metrics, warmup_intervals
from sim.model import DRAIN_LIMIT_S
from sim.replicate import run_replication, simulate
from sim.streams import replication_seed
from tests._sim_helpers import call_type, det, exp, scenario, trace, within_3_se


def outcomes(records):
    return [r.outcome for r in records]


def test_fifo_within_a_class():
    recs = trace(scenario(), [(0, "a"), (1, "a"), (2, "a"), (3, "a")])
    assert [r.answer_s for r in recs] == [0, 10, 20, 30]
    assert [r.wait_s for r in recs] == [0, 9, 18, 27]
    assert [r.end_s for r in recs] == [10, 20, 30, 40]
    assert outcomes(recs) == ["answered"] * 4
    assert {(r.group, r.agent) for r in recs} == {("g", 0)}


def test_priority_class_before_arrival_order():
    types = (call_type("low", priority=2), call_type("high", priority=1))
    groups = (AgentGroup(name="g", skills=("low", "high"), staffing=(1,)),)
    recs = trace(scenario(types=types, groups=groups), [(0, "low"), (1, "low"), (2, "high")])
    assert [r.answer_s for r in recs] == [0, 20, 10]


def test_skill_rank_within_a_priority_class():
    types = (call_type("a"), call_type("b"))
    groups = (AgentGroup(name="g", skills=("b", "a"), staffing=(1,)),)
    recs = trace(scenario(types=types, groups=groups), [(0, "a"), (1, "a"), (2, "b")])
    assert [r.answer_s for r in recs] == [0, 20, 10]


def test_arriving_call_goes_to_most_preferred_idle_group_then_group_order():
    types = (call_type("a"), call_type("b"))
    groups = (
        AgentGroup(name="both", skills=("a", "b"), staffing=(1,)),
        AgentGroup(name="b_only", skills=("b",), staffing=(1,)),
        AgentGroup(name="a_only", skills=("a",), staffing=(1,)),
    )
    recs = trace(scenario(types=types, groups=groups), [(0, "b"), (1, "a"), (2, "a")])
    # b ranks first for b_only, second for both; a ranks first for both and a_only: group order.
    assert [r.group for r in recs] == ["b_only", "both", "a_only"]


def test_agent_idle_longest_gets_the_arriving_call():
    groups = (AgentGroup(name="g", skills=("a",), staffing=(2,)),)
    recs = trace(
        scenario(groups=groups), [Arrival(0, "a"), Arrival(1, "a", handle_s=1.0), Arrival(20, "a")]
    )
    assert [r.agent for r in recs] == [0, 1, 1]  # agent 1 idle since 2, agent 0 since 10


def test_abandonment_at_exactly_the_patience_time():
    types = (call_type(handle=det(100.0), patience=det(5.0)),)
    recs = trace(scenario(types=types), [(0, "a"), (1, "a")])
    assert outcomes(recs) == ["answered", "abandoned"]
    assert recs[1].abandon_s == 6 and recs[1].end_s == 6 and recs[1].wait_s == 5
    assert recs[1].answer_s is None and recs[1].agent is None


def test_reneging_race_agent_freed_first_keeps_the_caller():
    # The agent's talk timer (created at 0) and caller 1's patience timer (created at 5) both
    # fire at 10; the agent's runs first and takes caller 1 at exactly its patience.
    types = (call_type(handle=det(10.0)),)
    recs = trace(
        scenario(types=types), [Arrival(0, "a"), Arrival(5, "a", patience_s=5.0), Arrival(12, "a")]
    )
    assert outcomes(recs) == ["answered"] * 3
    assert recs[1].answer_s == 10 and recs[1].wait_s == 5
    assert recs[2].answer_s == 20  # the same agent, not lost nor double-booked


def test_reneging_race_caller_gives_up_first_and_the_agent_is_not_lost():
    # Caller 1's patience timer (created at 5) fires before the agent's wrap-up timer (created
    # at 6), both at 10: caller 1 abandons; the agent then serves caller 2 at 10 ...
    types = (call_type(handle=det(6.0), wrap=det(4.0)),)
    recs = trace(
        scenario(types=types), [Arrival(0, "a"), Arrival(5, "a", patience_s=5.0), Arrival(7, "a")]
    )
    assert outcomes(recs) == ["answered", "abandoned", "answered"]
    assert recs[1].abandon_s == 10
    assert recs[2].answer_s == 10 and recs[2].agent == 0
    # ... and with nobody else waiting it is idle and answers the next caller at once.
    recs = trace(
        scenario(types=types), [Arrival(0, "a"), Arrival(5, "a", patience_s=5.0), Arrival(11, "a")]
    )
    assert outcomes(recs) == ["answered", "abandoned", "answered"]
    assert recs[2].answer_s == 11 and recs[2].wait_s == 0


def test_shift_end_agent_finishes_its_call_then_takes_no_new_call():
    types = (call_type(handle=det(30.0), patience=det(400.0), calls=(0.0,) * 3),)
    groups = (AgentGroup(name="g", skills=("a",), staffing=(1, 0, 0)),)
    sc = scenario(types=types, groups=groups, interval_s=100.0, intervals=3)
    recs = trace(sc, [(90, "a"), (95, "a"), (150, "a")])
    assert recs[0].outcome == "answered" and recs[0].end_s == 120  # outlives the shift end
    # The agent was free from 120 on but off duty: the others wait out their patience.
    assert outcomes(recs[1:]) == ["abandoned", "abandoned"]
    assert [r.abandon_s for r in recs[1:]] == [495, 550]


def test_calls_left_at_the_drain_limit_are_unfinished():
    types = (call_type(handle=det(30.0), calls=(0.0,) * 3),)
    groups = (AgentGroup(name="g", skills=("a",), staffing=(1, 0, 0)),)
    sc = scenario(types=types, groups=groups, interval_s=100.0, intervals=3)
    recs = trace(sc, [(90, "a"), (95, "a")])  # nobody on duty at the horizon, infinite patience
    stop_s = 300 + DRAIN_LIMIT_S
    assert outcomes(recs) == ["answered", "unfinished"]
    assert recs[1].end_s == stop_s and recs[1].wait_s == stop_s - 95 and recs[1].answer_s is None


def test_agent_back_on_duty_takes_the_waiting_call():
    types = (call_type(handle=det(30.0), calls=(0.0,) * 3),)
    groups = (AgentGroup(name="g", skills=("a",), staffing=(1, 0, 1)),)
    sc = scenario(types=types, groups=groups, interval_s=100.0, intervals=3)
    recs = trace(sc, [(90, "a"), (95, "a")])
    assert [r.answer_s for r in recs] == [90, 200]


def test_shifts_join_and_leave_at_their_times():
    # The day starts at 08:00 with 100 s intervals; the shift covers 08:00:50 to 08:02:30.
    types = (call_type(handle=det(10.0), calls=(0.0,) * 3),)
    groups = (
        AgentGroup(name="g", skills=("a",), shifts=(Shift(start_s=28850, end_s=28950, count=1),)),
    )
    sc = scenario(types=types, groups=groups, interval_s=100.0, intervals=3, start_s=28800.0)
    recs = trace(sc, [(10, "a"), (160, "a")])
    assert recs[0].answer_s == 50
    assert recs[1].outcome == "unfinished"


def test_last_interval_staff_stay_until_the_system_drains():
    types = (call_type(handle=det(500.0), calls=(0.0, 0.0)),)
    groups = (AgentGroup(name="g", skills=("a",), staffing=(0, 1)),)
    sc = scenario(types=types, groups=groups, interval_s=100.0, intervals=2)
    recs = trace(sc, [(150, "a"), (160, "a")])
    assert [r.answer_s for r in recs] == [150, 650]
    assert recs[1].end_s == 1150


def test_blocking_when_every_line_is_busy():
    groups = (AgentGroup(name="g", skills=("a",), staffing=(2,)),)
    recs = trace(scenario(groups=groups, lines=1), [(0, "a"), (5, "a"), (11, "a")])
    assert outcomes(recs) == ["answered", "blocked", "answered"]
    assert recs[1].end_s == 5 and recs[1].queue_entry_s is None


def test_abandoning_caller_frees_its_line():
    types = (call_type(handle=det(100.0), patience=det(5.0)),)
    recs = trace(scenario(types=types, lines=2), [(0, "a"), (1, "a"), (7, "a"), (8, "a")])
    assert outcomes(recs) == ["answered", "abandoned", "abandoned", "blocked"]


def test_ivr_hang_up_at_ivr_patience():
    ivr = Ivr(greeting=det(10.0), patience=det(4.0))
    recs = trace(scenario(ivr=ivr), [(0, "a")])
    assert outcomes(recs) == ["ivr_abandoned"]
    assert recs[0].end_s == 4 and recs[0].ivr_exit_s is None and recs[0].queue_entry_s is None


def test_ivr_served_and_menu_split():
    ivr = Ivr(greeting=det(10.0), served_share=1.0)
    recs = trace(scenario(ivr=ivr), [(0, "a")])
    assert outcomes(recs) == ["ivr_served"] and recs[0].end_s == 10 and recs[0].ivr_exit_s == 10
    types = (call_type("general"), call_type("booking", handle=det(7.0)))
    groups = (AgentGroup(name="g", skills=("booking",), staffing=(1,)),)
    ivr = Ivr(greeting=det(10.0), menu=(("general", (("booking", 1.0),)),))
    recs = trace(scenario(types=types, groups=groups, ivr=ivr), [(0, "general")])
    assert (recs[0].call_type_in, recs[0].call_type) == ("general", "booking")
    assert (recs[0].queue_entry_s, recs[0].answer_s, recs[0].end_s) == (10, 10, 17)


def test_wrap_up_keeps_the_agent_busy_but_frees_the_line():
    types = (call_type(handle=det(10.0), wrap=det(5.0)),)
    recs = trace(scenario(types=types, lines=1), [(0, "a"), (12, "a")])
    assert outcomes(recs) == ["answered", "answered"]
    assert recs[0].end_s == 10 and recs[0].wrap_end_s == 15
    assert recs[1].answer_s == 15 and recs[1].wait_s == 3


def test_after_hours_calls_leave():
    sc = scenario(
        interval_s=3600.0,
        intervals=2,
        start_s=8 * 3600.0,
        open_s=9 * 3600.0,
        types=(call_type(calls=(0.0, 0.0)),),
    )
    recs = trace(sc, [(100, "a"), (3700, "a")])
    assert outcomes(recs) == ["after_hours", "answered"]
    assert recs[0].end_s == 100


def warm_up_center(warmup_s: float):
    types = (call_type(calls=(0.0,) * 3),)
    groups = (AgentGroup(name="g", skills=("a",), staffing=(1,) * 3),)
    return scenario(types=types, groups=groups, interval_s=5.0, intervals=3,
                    simulation=Simulation(replications=1, seed=1, warmup_s=warmup_s))


def test_warm_up_calls_are_simulated_but_not_recorded():
    recs = trace(warm_up_center(5.0), [(0, "a"), (6, "a")])
    assert [r.call_id for r in recs] == [1]
    assert recs[0].answer_s == 10  # still waited behind the warm-up call


def test_warm_up_counts_whole_intervals_only():
    # Interval 0 starts before a warm-up of 3 s: none of it counts, not even the call at 4 s.
    for warmup_s in (3.0, 5.0):
        recs = trace(warm_up_center(warmup_s), [(0, "a"), (4, "a"), (6, "a")])
        assert [r.call_id for r in recs] == [2]
    assert [warmup_intervals(w, 900.0) for w in (0.0, 1.0, 899.9, 900.0, 900.1, 1800.0)] == [
        0, 1, 1, 1, 2, 2]
    # 10.5 / 0.7 rounds to 15.000000000000002, but interval 15 starts at 15 * 0.7 == 10.5.
    assert warmup_intervals(10.5, 0.7) == 15


def test_every_figure_of_a_warm_up_interval_is_missing():
    sc = warm_up_center(5.0)
    arrivals = [Arrival(0, "a", handle_s=4.0), Arrival(6, "a", handle_s=4.0)]
    rc = run_replication(sc, np.random.SeedSequence(0), arrivals=arrivals)
    per_interval = interval_metrics(rc, sc)
    for name, values in per_interval.items():
        assert math.isnan(values[0]), name  # not 0 calls next to a real occupancy
    assert (per_interval["offered"][1:] == [1, 0]).all()
    assert per_interval["occupancy"][1] == pytest.approx(0.8)  # busy 6..10 of [5, 10)
    totals = total_metrics(rc, sc)
    assert totals["offered"] == 1 and totals["occupancy"] == pytest.approx(4 / 10)
    result = simulate(replace(sc, call_types=(call_type(calls=(1.0,) * 3),)), replications=2)
    data = json.loads(json.dumps(jsonable(result.to_dict()), allow_nan=False))
    assert all(e["mean"] is None and e["ci95"] is None
               for name, e in data["intervals"][0].items() if name not in ("interval", "start_s"))
    assert data["intervals"][1]["offered"]["mean"] is not None


def test_walk_ins_take_one_minus_availability_of_on_duty_time():
    # With no calls each agent is an M/M/1 queue of walk-ins with load 1 - availability = 0.3, so
    # in the long run it spends exactly 0.3 of its on-duty time on walk-ins. Starting empty biases
    # a 50 h share down by about 2e-4, a seventh of the standard error of the check below.
    hours = 50
    groups = (AgentGroup(name="g", skills=("a",), staffing=(5,) * hours, availability=0.7,
                         walk_in_s=60.0),)
    sc = scenario(types=(call_type(calls=(0.0,) * hours),), groups=groups, intervals=hours)
    shares = []
    for r in range(20):
        rc = run_replication(sc, replication_seed(3, r))
        shares.append(rc.walk_in_s.sum() / rc.present_s.sum())
        assert rc.present_s.sum() == pytest.approx(5 * hours * 3600.0)
    within_3_se(shares, 0.3)


def test_infinite_patience_and_unlimited_lines_never_lose_calls():
    types = (call_type(handle=exp(10.0)),)
    recs = trace(scenario(types=types), [(t, "a") for t in range(0, 100, 2)])
    assert set(outcomes(recs)) == {"answered"}
    assert all(r.wait_s >= 0 and not math.isnan(r.wait_s) for r in recs)


def test_metric_definitions_on_a_hand_made_trace():
    from dataclasses import replace

    from scenarios.schema import Targets
    from sim.metrics import interval_metrics, total_metrics

    types = (call_type(handle=det(30.0)),)
    sc = scenario(types=types, interval_s=100.0, targets=Targets(awt_s=20.0, short_abandon_s=5.0))
    arrivals = [
        Arrival(0, "a"),
        Arrival(0, "a", patience_s=100.0),
        Arrival(1, "a", patience_s=2.0),
        Arrival(1, "a", patience_s=40.0),
    ]
    rc = run_replication(sc, np.random.SeedSequence(0), arrivals=arrivals)
    m = total_metrics(rc, sc)  # waits: answered 0 and 30; abandoned after 2 (short) and 40
    assert (m["offered"], m["answered"], m["abandoned"]) == (4, 2, 2)
    assert m["service_level"] == pytest.approx(1 / 4)
    assert m["asa_s"] == 15 and m["mean_wait_s"] == pytest.approx(72 / 4)
    assert m["p_abandon"] == 0.5 and m["lost_share"] == 0.5
    # Percentiles come from the wait histogram (sim.waits): linear interpolation, exact on the
    # waits replaced by their bins' centres (0 stays 0), so within 0.5 ms + p / 128 of 15, 27.
    from sim.waits import RESOLUTION_S, SUB_BINS, bin_centre_s, bin_of

    thirty = bin_centre_s(bin_of(np.array([30.0])))[0]
    assert m["wait_p50_s"] == pytest.approx(thirty / 2)
    assert m["wait_p90_s"] == pytest.approx(0.9 * thirty)
    for q, exact in ((50, 15), (90, 27)):
        assert abs(m[f"wait_p{q}_s"] - exact) <= RESOLUTION_S / 2 + exact / SUB_BINS
    assert m["occupancy"] == pytest.approx(0.6) and m["agents"] == 1
    assert interval_metrics(rc, sc)["occupancy.g"][0] == pytest.approx(0.6)
    for definition, expected in (("answered", 1 / 2), ("exclude_short_abandons", 1 / 3)):
        sc2 = replace(sc, targets=replace(sc.targets, sl_definition=definition))
        rc2 = run_replication(sc2, np.random.SeedSequence(0), arrivals=arrivals)
        assert total_metrics(rc2, sc2)["service_level"] == pytest.approx(expected)
