"""Redials and callbacks: deterministic traces, invariants, and their effect with paired CIs."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from scenarios.load import load_builtin
from scenarios.schema import (
    AbandonedCallbacks,
    Callbacks,
    Ivr,
    OfferedCallbacks,
    Redials,
    Simulation,
)
from sim.metrics import total_metrics
from sim.model import Model
from sim.replicate import run_replication
from sim.streams import replication_seed
from tests._sim_helpers import call_type, det, exp, scenario, trace


def by_caller(records):
    out = {}
    for r in sorted(records, key=lambda r: (r.caller_id, r.arrival_s, r.call_id)):
        out.setdefault(r.caller_id, []).append(r)
    return out


# -- redials ------------------------------------------------------------------------------------

def test_a_blocked_caller_redials_after_the_delay_until_a_line_is_free():
    # One line held 0..100 by caller 0; caller 1 (t = 10) is blocked and redials every 40 s:
    # at 50 (blocked again), at 90 (blocked), at 130 (a line is free: answered at once).
    types = (call_type(handle=det(100.0)),)
    sc = replace(scenario(types=types, lines=1, intervals=1),
                 redials=Redials(blocked=1.0, delay=det(40.0), max_attempts=10))
    recs = by_caller(trace(sc, [(0, "a"), (10, "a")]))
    attempts = [(r.attempt, r.kind, r.arrival_s, r.outcome) for r in recs[1]]
    assert attempts == [(1, "inbound", 10, "blocked"), (2, "redial", 50, "blocked"),
                        (3, "redial", 90, "blocked"), (4, "redial", 130, "answered")]
    assert all(r.first_interval == 0 for r in recs[1])
    assert len({r.call_id for r in recs[1]}) == 4  # each attempt its own row and id


def test_max_attempts_ends_the_redials():
    types = (call_type(handle=det(1000.0)),)
    sc = replace(scenario(types=types, lines=1),
                 redials=Redials(blocked=1.0, delay=det(10.0), max_attempts=3))
    recs = by_caller(trace(sc, [(0, "a"), (5, "a")]))
    assert [(r.attempt, r.outcome) for r in recs[1]] == [
        (1, "blocked"), (2, "blocked"), (3, "blocked")]


def test_an_abandoning_caller_redials_and_keeps_its_talk_time_and_patience():
    # One agent busy 0..100; caller 1 (t = 5, patience 20) abandons at 25, redials at 55 and
    # abandons again at 75; its third attempt at 105 is answered at once, talking 30 s.
    types = (call_type(handle=det(100.0), patience=det(20.0)),)
    sc = replace(scenario(types=types), redials=Redials(abandoned=1.0, delay=det(30.0)))
    recs = by_caller(trace(sc, [(0, "a"), (5, "a", 30.0)]))
    assert [(r.arrival_s, r.outcome, r.end_s) for r in recs[1]] == [
        (5, "abandoned", 25), (55, "abandoned", 75), (105, "answered", 135)]


def test_a_redial_past_the_last_interval_is_not_made_and_counted():
    types = (call_type(handle=det(1000.0), calls=(0.0,)),)
    sc = replace(scenario(types=types, lines=1, interval_s=100.0),
                 redials=Redials(blocked=1.0, delay=det(60.0)))
    records = []
    rc = run_replication(sc, np.random.SeedSequence(0), on_record=records.append,
                         arrivals=[_arrival(0), _arrival(50)])
    assert [r.outcome for r in records if r.caller_id == 1] == ["blocked"]  # 110 > horizon
    assert total_metrics(rc, sc)["gave_up"] == 1


def _arrival(t, *rest):
    from sim.arrivals import Arrival

    return Arrival(t, "a", *rest)


# -- callbacks ----------------------------------------------------------------------------------

def callbacks(**kw):
    defaults = dict(dial=det(10.0), reach_probability=1.0, max_attempts=3,
                    retry_delay=det(100.0),
                    abandoned=AbandonedCallbacks(delay=det(50.0), deadline_s=500.0))
    return Callbacks(**{**defaults, **kw})


def test_an_abandoned_caller_is_called_back_after_the_delay_when_an_agent_is_free():
    # Agent busy 0..100 with caller 0; caller 1 abandons at 25 (patience 20): due at 75, the
    # agent frees at 100 and dials (10 s), the caller talks 30 s: the callback ends at 140.
    types = (call_type(handle=det(100.0), patience=det(20.0)),)
    sc = replace(scenario(types=types), callbacks=callbacks())
    recs = by_caller(trace(sc, [(0, "a"), (5, "a", 30.0)]))
    first, back = recs[1]
    assert (first.kind, first.outcome, first.abandon_s) == ("inbound", "abandoned", 25)
    assert (back.kind, back.attempt, back.outcome) == ("callback", 1, "answered")
    assert (back.arrival_s, back.queue_entry_s, back.answer_s, back.end_s) == (25, 75, 100, 140)
    assert back.wait_s == 25 and back.group == "g" and back.agent == 0


def test_an_unreached_callback_occupies_the_agent_and_is_retried_up_to_the_limit():
    types = (call_type(handle=det(100.0), patience=det(20.0)),)
    sc = replace(scenario(types=types), callbacks=callbacks(reach_probability=0.0))
    recs = by_caller(trace(sc, [(0, "a"), (5, "a", 30.0)]))
    backs = recs[1][1:]
    assert [(b.attempt, b.outcome) for b in backs] == [
        (1, "unreached"), (2, "unreached"), (3, "unreached")]
    # Due at 75, dialled 100..110; retry due 210, dialled 210..220; then 320..330.
    assert [(b.answer_s, b.end_s) for b in backs] == [(100, 110), (210, 220), (320, 330)]
    assert [b.wrap_end_s for b in backs] == [110, 220, 330]  # busy while ringing in vain


def test_callbacks_wait_behind_inbound_calls_by_default():
    # Caller 1 abandons at 25 (due at 75); caller 2 arrives at 80 and waits: the agent,
    # free at 100, takes the inbound call first and the callback at 130.
    types = (call_type(handle=det(30.0), patience=det(200.0)),)
    sc = replace(scenario(types=types), callbacks=callbacks())
    recs = by_caller(trace(sc, [(0, "a", 100.0), (5, "a", 30.0, None, 20.0), (80, "a")]))
    assert recs[2][0].answer_s == 100
    assert recs[1][1].answer_s == 130


def test_a_callback_at_a_higher_priority_class_goes_first():
    types = (call_type(handle=det(30.0), patience=det(200.0), priority=2),)
    sc = replace(scenario(types=types), callbacks=callbacks(priority=1))
    recs = by_caller(trace(sc, [(0, "a", 100.0), (5, "a", 30.0, None, 20.0), (80, "a")]))
    assert recs[1][1].answer_s == 100 and recs[2][0].answer_s == 140


def test_a_caller_called_back_does_not_also_redial():
    types = (call_type(handle=det(100.0), patience=det(20.0)),)
    sc = replace(scenario(types=types), callbacks=callbacks(),
                 redials=Redials(abandoned=1.0, delay=det(5.0)))
    recs = by_caller(trace(sc, [(0, "a"), (5, "a", 30.0)]))
    assert [r.kind for r in recs[1]] == ["inbound", "callback"]


def test_virtual_hold_keeps_the_callers_place():
    # One agent busy 0..100; caller 1 (t=10) predicted to wait (0+1)*100 s > 50 s: accepts and
    # hangs up; caller 2 (t=20, predicted 200 s) too. The agent frees at 100 and calls caller 1
    # back first (its place), then caller 2.
    types = (call_type(handle=det(100.0), patience=det(1000.0)),)
    sc = replace(scenario(types=types), callbacks=Callbacks(
        dial=det(10.0), offered=OfferedCallbacks(threshold_s=50.0, accept_probability=1.0)))
    recs = by_caller(trace(sc, [(0, "a"), (10, "a"), (20, "a")]))
    assert [r.outcome for r in recs[1]] == ["callback_requested", "answered"]
    assert recs[1][0].end_s == 10 and recs[1][0].predicted_wait_s == 100
    assert recs[2][0].predicted_wait_s == 200
    assert recs[1][1].answer_s == 100 and recs[2][1].answer_s == 210


def test_no_offer_when_an_agent_is_idle_or_below_the_threshold():
    types = (call_type(handle=det(100.0), patience=det(1000.0)),)
    sc = replace(scenario(types=types), callbacks=Callbacks(
        offered=OfferedCallbacks(threshold_s=150.0)))
    recs = by_caller(trace(sc, [(0, "a"), (10, "a"), (20, "a")]))
    assert recs[0][0].predicted_wait_s is None  # the agent was idle: no prediction
    assert [r[0].outcome for r in recs.values()] == [
        "answered", "answered", "callback_requested"]  # 100 s, then 200 s predicted


# -- invariants ----------------------------------------------------------------------------------

def rows(sc, seed=4):
    out = []
    Model(sc, replication_seed(seed, 0), sink=out.extend).run()
    return out


@pytest.mark.parametrize("lever", [
    Redials(blocked=0.0, abandoned=0.0),
    Callbacks(offered=OfferedCallbacks(threshold_s=float("inf"))),
])
def test_levers_at_their_neutral_setting_change_nothing(lever):
    sc = load_builtin("clinic", ["simulation.replications=1", "lines=4"])
    field = "redials" if isinstance(lever, Redials) else "callbacks"
    assert rows(replace(sc, **{field: lever})) == rows(sc)


# -- effects, with common random numbers ----------------------------------------------------------

def paired(sc_a, sc_b, metric, reps=12):
    diffs = [total_metrics(run_replication(sc_b, replication_seed(11, r)), sc_b)[metric]
             - total_metrics(run_replication(sc_a, replication_seed(11, r)), sc_a)[metric]
             for r in range(reps)]
    return np.asarray(diffs)


def test_callbacks_of_abandoned_callers_cut_the_share_never_answered():
    sc = load_builtin("clinic", ["simulation.replications=1"])
    with_callbacks = replace(sc, callbacks=callbacks(dial=det(20.0)))
    diff = paired(sc, with_callbacks, "never_answered")
    assert diff.mean() + 3 * diff.std(ddof=1) / np.sqrt(diff.size) < 0


def test_redials_add_attempts_and_answer_some_callers_who_failed():
    sc = load_builtin("clinic", ["simulation.replications=1", "lines=4"])
    redialling = replace(sc, redials=Redials(blocked=0.8, abandoned=0.5, delay=exp(300.0)))
    more = paired(sc, redialling, "offered")
    fewer_lost = paired(sc, redialling, "never_answered")
    assert more.mean() - 3 * more.std(ddof=1) / np.sqrt(more.size) > 0
    assert fewer_lost.mean() + 3 * fewer_lost.std(ddof=1) / np.sqrt(fewer_lost.size) < 0


def test_callers_and_attempts_add_up():
    sc = load_builtin("clinic", ["simulation.replications=1", "lines=4"])
    sc = replace(sc, redials=Redials(blocked=0.7, abandoned=0.4, delay=exp(200.0)),
                 callbacks=callbacks(reach_probability=0.7,
                                     offered=OfferedCallbacks(threshold_s=120.0,
                                                              accept_probability=0.5)),
                 simulation=Simulation(replications=1, seed=3))
    records = []
    rc = run_replication(sc, replication_seed(3, 0), on_record=records.append)
    total = total_metrics(rc, sc)
    callers = {r.caller_id for r in records}
    assert total["callers"] == len(callers)
    answered = {r.caller_id for r in records if r.outcome in ("answered", "ivr_served")}
    assert total["never_answered"] == pytest.approx(1 - len(answered) / len(callers))
    inbound = [r for r in records if r.kind != "callback"]
    assert total["offered"] == len(inbound)
    assert total["redials"] == sum(r.kind == "redial" for r in records)
    assert total["callback_attempts"] == sum(r.kind == "callback" for r in records)
    assert total["callbacks_requested"] == sum(r.kind == "callback" and r.attempt == 1
                                               for r in records)
    # Every caller's attempts: one id each, numbered 1, 2, ... per kind of request.
    assert len({r.call_id for r in records}) == len(records)
    for r in records:
        assert r.first_interval <= r.interval


# -- overflow ------------------------------------------------------------------------------------

def overflow_center(after_s, mode="serve", handle=None, agents=(1, 1), calls=0.0, **kw):
    from scenarios.schema import AgentGroup, Overflow

    types = (call_type(handle=det(100.0), patience=det(500.0), calls=(calls,), **kw),)
    types = (replace(types[0], overflow=Overflow(group="outside", after_s=after_s, mode=mode,
                                                 handle_time=handle, message=det(40.0))),)
    groups = (AgentGroup(name="clinic", skills=("a",), staffing=(agents[0],)),
              AgentGroup(name="outside", skills=(), staffing=(agents[1],)))
    return scenario(types=types, groups=groups)


def test_a_call_overflows_after_waiting_and_is_served_by_the_second_group():
    sc = overflow_center(15.0, handle=det(50.0))
    recs = by_caller(trace(sc, [(0, "a"), (10, "a"), (20, "a")]))
    assert (recs[0][0].group, recs[0][0].end_s) == ("clinic", 100)
    assert (recs[1][0].group, recs[1][0].answer_s, recs[1][0].end_s) == ("outside", 25, 75)
    # Caller 2 becomes eligible at 35 with the outside agent busy until 75, which then takes it
    # (the clinic agent is busy until 100).
    assert (recs[2][0].group, recs[2][0].answer_s) == ("outside", 75)


def test_overflow_at_zero_takes_an_idle_second_group_at_once():
    recs = by_caller(trace(overflow_center(0.0), [(0, "a"), (10, "a")]))
    assert (recs[1][0].group, recs[1][0].answer_s, recs[1][0].end_s) == ("outside", 10, 110)


def test_a_message_taken_by_the_overflow_group_becomes_a_callback():
    sc = replace(overflow_center(0.0, mode="message"), callbacks=Callbacks(dial=det(10.0)))
    recs = by_caller(trace(sc, [(0, "a"), (10, "a")]))
    first, back = recs[1]
    assert (first.outcome, first.group, first.end_s) == ("message", "outside", 50)
    assert (back.kind, back.group, back.arrival_s, back.answer_s) == ("callback", "clinic", 50,
                                                                       100)


def test_overflow_after_infinity_never_happens():
    sc = overflow_center(float("inf"), calls=30.0)
    never = replace(sc, call_types=(replace(sc.call_types[0], overflow=None),))
    never = replace(never, agent_groups=(never.agent_groups[0],))
    assert rows(sc) == rows(never)


@pytest.mark.parametrize("after_s", [0.0, float("inf")])
def test_two_identical_groups_are_one_pool_at_zero_and_the_first_alone_at_infinity(after_s):
    # M/M/n+M with n = 3 + 3 pooled (T = 0) or 3 alone (T = inf), against Erlang A computed
    # independently (tests/exact_refs.py), over hours after a warm-up hour.
    from scenarios.schema import AgentGroup, Overflow, Targets
    from tests.exact_refs import erlang_a_figures

    hours, rate_h, aht_s, patience_s = 8, 90.0, 180.0, 120.0
    ct = call_type(calls=(rate_h,) * hours, handle=exp(aht_s), patience=exp(patience_s))
    ct = replace(ct, overflow=Overflow(group="second", after_s=after_s))
    groups = (AgentGroup(name="first", skills=("a",), staffing=(3,) * hours),
              AgentGroup(name="second", skills=(), staffing=(3,) * hours))
    sc = scenario(types=(ct,), groups=groups, intervals=hours, targets=Targets(awt_s=20.0),
                  simulation=Simulation(replications=1, seed=5, warmup_s=3600.0))
    agents = 6 if after_s == 0 else 3
    exact = erlang_a_figures(rate_h / 3600, 1 / aht_s, 1 / patience_s, agents, 20.0)
    per_rep = [total_metrics(run_replication(sc, replication_seed(5, r)), sc) for r in range(12)]
    for name in ("p_abandon", "service_level"):
        values = np.array([m[name] for m in per_rep])
        se = values.std(ddof=1) / np.sqrt(values.size)
        assert abs(values.mean() - exact[name]) <= 3 * se, (name, values.mean(), exact[name])


def test_simulated_redials_match_the_exact_redial_chain():
    # A small clinic line (3 agents, 5 lines) whose blocked and abandoning callers redial after
    # an exponential delay, against erlang.redial_chain's exact Markov chain: the share of
    # callers never answered and the per-attempt blocking, within 3 standard errors.
    from erlang.redial_chain import erlang_x_exact
    from scenarios.schema import AgentGroup, Targets

    hours, rate_h, aht_s, patience_s, delay_s = 24, 60.0, 180.0, 120.0, 300.0
    ct = call_type(calls=(rate_h,) * hours, handle=exp(aht_s), patience=exp(patience_s))
    sc = scenario(types=(ct,), groups=(AgentGroup(name="g", skills=("a",),
                                                  staffing=(3,) * hours),),
                  intervals=hours, lines=5, targets=Targets(awt_s=20.0),
                  simulation=Simulation(replications=1, seed=9, warmup_s=3600.0))
    sc = replace(sc, redials=Redials(blocked=0.7, abandoned=0.5, delay=exp(delay_s),
                                     max_attempts=1000))
    exact = erlang_x_exact(arrival_rate_per_s=rate_h / 3600, aht_s=aht_s, agents=3, lines=5,
                           mean_patience_s=patience_s, redial_blocked=0.7, redial_abandoned=0.5,
                           mean_redial_delay_s=delay_s, awt_s=20.0)
    per_rep = [total_metrics(run_replication(sc, replication_seed(9, r)), sc) for r in range(10)]
    never = np.array([m["never_answered"] for m in per_rep])
    blocked = np.array([m["blocked"] / m["offered"] for m in per_rep])
    for values, target in ((never, exact.unique_lost), (blocked, exact.queue.p_blocked)):
        se = values.std(ddof=1) / np.sqrt(values.size)
        assert abs(values.mean() - target) <= 3 * se, (values.mean(), target, se)
    assert exact.queue.p_blocked > 0.05 and exact.unique_lost > 0.05  # redials matter here


def test_voicemail_after_hours_becomes_a_callback_when_the_line_opens():
    # A day of two 100 s intervals from 08:00, the line opening at 08:01:40 (100 s in): a call
    # at 50 s leaves a voicemail and is called back at 100 s, when the line opens.
    sc = replace(scenario(types=(call_type(handle=det(30.0), calls=(0.0,) * 2),),
                          groups=None, intervals=2, interval_s=100.0, start_s=28800.0,
                          open_s=28900.0),
                 callbacks=Callbacks(dial=det(5.0), voicemail=True))
    recs = by_caller(trace(sc, [(50, "a")]))
    first, back = recs[0]
    assert first.outcome == "after_hours"
    assert (back.kind, back.queue_entry_s, back.answer_s, back.end_s) == ("callback", 100, 100,
                                                                          135)


# -- outbound reminders -------------------------------------------------------------------------

def reminder_center(mode="idle", n=2, groups=(), staffing=(1,)):
    from scenarios.schema import AgentGroup, Outbound

    types = (call_type(handle=det(50.0), calls=(0.0,)),)
    agent_groups = [AgentGroup(name="desk", skills=("a",), staffing=staffing)]
    if mode == "reserved":
        agent_groups.append(AgentGroup(name="dialers", skills=(), staffing=(1,)))
    out = Outbound(calls_per_day=n, window_start_s=100.0, window_end_s=400.0, mode=mode,
                   groups=groups, dial=det(10.0), reach_probability=1.0, talk=det(20.0))
    return replace(scenario(types=types, groups=tuple(agent_groups), interval_s=600.0),
                   outbound=out)


def test_reminders_use_idle_time_and_give_way_to_waiting_calls():
    # The window opens at 100: the idle agent dials reminder 1 (100..130). A call arriving at
    # 110 waits for it and is answered at 130; reminder 2 follows at 180 (180..210).
    sc = reminder_center()
    records = []
    rc = run_replication(sc, np.random.SeedSequence(0), on_record=records.append,
                         arrivals=[_arrival(110)])
    assert [(r.answer_s, r.end_s) for r in records] == [(130, 180)]
    total = total_metrics(rc, sc)
    assert (total["reminders_made"], total["reminders_reached"], total["reminders_left"]) == (
        2, 2, 0)
    assert rc.busy_s[0, 0] == pytest.approx(30 + 50 + 30)  # reminders count as agent time


def test_reminders_not_dialled_by_the_window_end_are_left():
    sc = reminder_center(n=20)  # 30 s each in a 300 s window: 10 made, 10 left
    rc = run_replication(sc, np.random.SeedSequence(0), arrivals=[])
    total = total_metrics(rc, sc)
    assert (total["reminders_made"], total["reminders_left"]) == (10, 10)


def test_a_reserved_group_only_dials_and_the_desk_only_answers():
    sc = reminder_center(mode="reserved", n=3, groups=("dialers",))
    records = []
    rc = run_replication(sc, np.random.SeedSequence(0), on_record=records.append,
                         arrivals=[_arrival(105)])
    assert [(r.group, r.answer_s) for r in records] == [("desk", 105)]
    assert rc.busy_s[1, 0] == pytest.approx(3 * 30) and rc.busy_s[0, 0] == pytest.approx(50)


def test_a_dialer_ringing_ahead_abandons_patients_it_cannot_connect():
    # Ratio 2 with one idle agent: two calls ring from 100; at 110 both answer, one is connected
    # (110..130), the other waits 2 s for an agent and hangs up. At 130 the agent is idle again
    # and two more ring: the same again (140..160 and an abandon at 142).
    sc = reminder_center(mode="idle", n=4)
    sc = replace(sc, outbound=replace(sc.outbound, mode="dialer", dialer_ratio=2.0,
                                      connect_wait_s=2.0))
    rc = run_replication(sc, np.random.SeedSequence(0), arrivals=[])
    total = total_metrics(rc, sc)
    assert (total["reminders_made"], total["reminders_reached"], total["outbound_abandoned"]) == (
        4, 4, 2)
    assert total["outbound_abandon_rate"] == 0.5
    assert rc.busy_s[0, 0] == pytest.approx(2 * 20)  # the agent only talks; the dialer rings


def test_a_dialer_at_ratio_one_never_abandons():
    sc = reminder_center(mode="idle", n=6)
    sc = replace(sc, outbound=replace(sc.outbound, mode="dialer", dialer_ratio=1.0))
    total = total_metrics(run_replication(sc, np.random.SeedSequence(0), arrivals=[]), sc)
    assert total["reminders_reached"] == 6 and total["outbound_abandoned"] == 0


def test_group_hours_a_call_no_open_group_can_take_is_after_hours():
    # The desk keeps 08:00-08:01:40 (the first 100 s of the day); a call at 150 s finds no open
    # group: after hours. With an outside center taking the overflow, the same call is served.
    from scenarios.schema import AgentGroup, Overflow

    ct = call_type(handle=det(30.0), calls=(0.0, 0.0))
    desk = AgentGroup(name="desk", skills=("a",), staffing=(1, 0), open_s=28800.0,
                      close_s=28900.0)
    sc = scenario(types=(ct,), groups=(desk,), intervals=2, interval_s=100.0, start_s=28800.0)
    recs = trace(sc, [(50, "a"), (150, "a")])
    assert [r.outcome for r in recs] == ["answered", "after_hours"]
    outside = AgentGroup(name="outside", skills=(), staffing=(1, 1))
    sc = replace(sc, call_types=(replace(ct, overflow=Overflow(group="outside")),),
                 agent_groups=(desk, outside))
    recs = trace(sc, [(50, "a"), (150, "a")])
    assert [(r.outcome, r.group) for r in recs] == [("answered", "desk"), ("answered", "outside")]


def test_reminders_raise_the_visit_rate_of_bookings():
    # 2 reminders, both reached, at 0.9 against 0.8 unreminded: visits = bookings * 0.9.
    from scenarios.schema import Outcomes

    sc = reminder_center()
    sc = replace(sc, call_types=(replace(sc.call_types[0], conversion=0.5),),
                 outcomes=Outcomes(visit_probability=0.8),
                 outbound=replace(sc.outbound, visit_probability=0.9))
    total = total_metrics(run_replication(sc, np.random.SeedSequence(0),
                                          arrivals=[_arrival(110), _arrival(300)]), sc)
    assert total["bookings"] == pytest.approx(1.0)  # two answered calls at 0.5
    assert total["reminder_visit_rate"] == pytest.approx(0.9)
    assert total["visits"] == pytest.approx(0.9)


def test_a_callback_is_for_the_callers_menu_choice():
    # Callers dial "general"; the IVR menu sends them all to "booking", the only skill. A caller
    # who abandons is called back by the booking desk (not left waiting for a "general" agent).
    from scenarios.schema import AgentGroup

    types = (call_type("general", handle=det(100.0), patience=det(20.0)),
             call_type("booking", handle=det(100.0), patience=det(20.0)))
    sc = replace(scenario(types=types,
                          groups=(AgentGroup(name="desk", skills=("booking",), staffing=(1,)),),
                          ivr=Ivr(menu=(("general", (("booking", 1.0),)),))),
                 callbacks=callbacks())
    recs = by_caller(trace(sc, [(0, "general"), (5, "general")]))
    first, back = recs[1]
    assert first.outcome == "abandoned" and first.call_type == "booking"
    assert (back.kind, back.call_type, back.outcome, back.answer_s) == (
        "callback", "booking", "answered", 100)
