"""The fast engine (sim/fast.py) against the SimPy model: every record and every tally, exactly.

The reference is the SimPy model itself (``Model(...).run()``) on the same seed: the fast engine
must give the same rows (same outcome, same times to the bit, same agent) in the same order and
the same ``ReplicationCounts``, on randomized qualifying scenarios chosen to provoke ties at equal
times (deterministic and small empirical distributions, explicit arrivals on a coarse grid).
"""

from __future__ import annotations

import json
import math
from dataclasses import fields, is_dataclass, replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios.load import load_scenario
from scenarios.schema import (
    AgentGroup,
    Calendar,
    Callbacks,
    CallType,
    Distribution,
    Ivr,
    Overflow,
    Redials,
    Scenario,
    Shift,
    Simulation,
)
from sim.arrivals import Arrival
from sim.errors import SimError
from sim.fast import (
    _IVR_END,
    _IVR_HANG_UP,
    _IVR_SERVED_END,
    _S_CLOSED,
    _S_DIRECT,
    _S_SERVED_NOW,
    _Engine,
    fast_path_reason,
    run_fast,
)
from sim.model import Model
from sim.records import (
    ABANDONED,
    AFTER_HOURS,
    ANSWERED,
    BLOCKED,
    IVR_ABANDONED,
    IVR_SERVED,
    UNFINISHED,
)
from sim.replicate import run_replication, simulate
from tests._sim_helpers import call_type, det, exp
from tests._sim_helpers import scenario as make_scenario

EXAMPLES = "scenarios/examples"


def emp(*samples: float) -> Distribution:
    """A small empirical distribution: its draws tie often."""
    return Distribution(kind="empirical", mean_s=sum(samples) / len(samples), cv=0.5,
                        samples_s=tuple(samples))


def assert_same_run(sc: Scenario, seed=None, arrivals=None, count_by="caller") -> list[tuple]:
    """Run both engines; assert equal rows (in order) and equal counts; return the rows."""
    seed = np.random.SeedSequence(0) if seed is None else seed
    slow, fast = [], []
    shares_slow, shares_fast = [], []
    batches_slow, batches_fast = [], []

    def sink(rows, batches, sizes):
        rows.extend(batches)
        sizes.append(len(batches))

    rc_slow = Model(sc, seed, arrivals=arrivals, count_by=count_by, progress=shares_slow.append,
                    sink=lambda batch: sink(slow, batch, batches_slow)).run()
    rc_fast = run_fast(sc, seed, arrivals=arrivals, count_by=count_by,
                       progress=shares_fast.append,
                       sink=lambda batch: sink(fast, batch, batches_fast))
    assert len(fast) == len(slow)
    assert batches_fast == batches_slow  # the same batches: the tally's sums agree to the bit
    for a, b in zip(slow, fast, strict=True):
        assert a == b, (a, b)
        assert [type(x) for x in a] == [type(x) for x in b], (a, b)
    assert shares_fast == shares_slow
    assert_equal_tallies(rc_slow, rc_fast)
    return slow


def assert_equal_tallies(x, y, name="counts") -> None:
    """Equal to the bit, field by field, into nested dataclasses (nan equal to nan)."""
    if is_dataclass(x):
        for f in fields(x):
            assert_equal_tallies(getattr(x, f.name), getattr(y, f.name), f"{name}.{f.name}")
    else:
        assert np.array_equal(x, y, equal_nan=np.asarray(x).dtype.kind == "f"), name


durations = st.sampled_from([det(0.0), det(5.0), det(10.0), emp(0.0, 5.0, 10.0), emp(5.0, 15.0),
                             exp(8.0)])
patiences = st.sampled_from([None, det(5.0), det(10.0), emp(0.0, 5.0, 10.0), exp(10.0)])


@st.composite
def scenarios(draw):
    """A small qualifying scenario: 1 to 3 call types, 1 to 3 groups, IVR, lines, staffing or
    shifts, walk-ins, opening hours, warm-up; often ties at equal times."""
    interval_s = draw(st.sampled_from([20.0, 30.0, 60.0]))
    start_s = draw(st.sampled_from([0.0, 8 * 3600.0]))
    per_day = draw(st.integers(1, 3))
    days = draw(st.sampled_from([("d",), ("d", "d")]))
    n_types = draw(st.integers(1, 3))
    names = ("a", "b", "c")[:n_types]
    types = tuple(
        replace(call_type(name, calls=tuple(draw(st.lists(st.sampled_from([0.0, 2.0, 6.0]),
                                                          min_size=per_day, max_size=per_day))),
                          handle=draw(durations), wrap=draw(durations),
                          patience=draw(patiences), priority=draw(st.integers(1, 2)),
                          profile="d"),
                conversion=draw(st.sampled_from([0.0, 0.3])), intent_slope=0.5)
        for name in names)
    groups = []
    for g in range(draw(st.sampled_from([1, 1, 2, 3]))):  # several groups, skills overlapping
        skills = tuple(draw(st.permutations(names))[:draw(st.integers(1, n_types))])
        if draw(st.booleans()):
            day_s = per_day * interval_s
            shifts = tuple(
                Shift(start_s=start_s + draw(st.sampled_from([0.0, 10.0, interval_s])),
                      end_s=start_s + draw(st.sampled_from([interval_s, day_s, day_s + 10.0,
                                                            15.0])),
                      count=draw(st.integers(0, 2)))
                for _ in range(draw(st.integers(1, 3))))
            group = AgentGroup(name=f"g{g}", skills=skills, shifts=shifts)
        else:
            staffing = tuple(draw(st.lists(st.sampled_from([0, 1, 2, 3, 3]), min_size=per_day,
                                           max_size=per_day)))
            group = AgentGroup(name=f"g{g}", skills=skills, staffing=staffing * len(days))
        if draw(st.booleans()):  # walk-ins: short, frequent tasks that meet the calls
            group = replace(group, availability=draw(st.sampled_from([0.5, 0.8])),
                            walk_in_s=draw(st.sampled_from([4.0, 10.0])))
        if draw(st.integers(0, 4)) == 0:  # the group's own hours (outside them: after hours)
            group = replace(group, open_s=start_s + 10.0, close_s=start_s + 50.0)
        groups.append(group)
    for j, ct in enumerate(types):  # overflow (serve) to a group without the type's skill
        outside = [g.name for g in groups if ct.name not in g.skills]
        if outside and draw(st.booleans()):
            overflow = Overflow(group=draw(st.sampled_from(outside)),
                                after_s=draw(st.sampled_from([0.0, 5.0, 10.0])),
                                handle_time=draw(st.sampled_from([None, det(7.0),
                                                                  emp(3.0, 10.0)])))
            types = (*types[:j], replace(ct, overflow=overflow), *types[j + 1:])
    menu = ()
    if n_types > 1 and draw(st.booleans()):
        menu = (("a", (("a", 0.5), (names[-1], 0.5))),)
    ivr = Ivr(greeting=draw(st.sampled_from([det(0.0), det(5.0), emp(0.0, 5.0)])),
              patience=draw(st.sampled_from([None, det(5.0), emp(0.0, 5.0, 10.0)])),
              served_share=draw(st.sampled_from([0.0, 0.3])), menu=menu)
    hours = draw(st.sampled_from([(None, None)] * 3 + [(0.0, 40.0), (30.0, None)]))
    hours = tuple(None if h is None else start_s + h for h in hours)
    return Scenario(
        name="fast",
        calendar=Calendar(start_s=start_s, interval_s=interval_s, intervals_per_day=per_day,
                          days=days, open_s=hours[0], close_s=hours[1]),
        call_types=types, agent_groups=tuple(groups), ivr=ivr,
        lines=draw(st.sampled_from([None, None, None, 1, 2, 4])),
        simulation=Simulation(replications=1, seed=1,
                              warmup_s=draw(st.sampled_from([0.0, interval_s])),
                              daily_busyness_cv=draw(st.sampled_from([0.0, 0.3]))),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sc=scenarios(), seed=st.integers(0, 2**16), explicit=st.booleans(),
       grid=st.one_of(st.lists(st.integers(0, 24), max_size=20),
                      st.lists(st.integers(0, 4), min_size=60, max_size=140)),
       count_by=st.sampled_from(["caller", "attempt"]))
def test_fast_engine_equals_simpy_record_by_record(sc, seed, explicit, grid, count_by):
    assert fast_path_reason(sc) is None
    arrivals = None
    if explicit:  # on a 5 s grid: many arrivals at one instant, and at the events' instants
        names = [ct.name for ct in sc.call_types]
        arrivals = [Arrival(float(5 * g) % sc.calendar.horizon_s, names[g % len(names)])
                    for g in grid]
    assert_same_run(sc, np.random.SeedSequence(seed), arrivals, count_by)


def test_ties_are_decided_as_simpy_decides_them():
    """Hand-made ties: an agent freed at the instant a caller's patience runs out (the caller
    came first: its patience timer is older than the release), arrivals at one instant, a
    shift change at a release; and the caller that came second loses the agent."""
    sc = make_scenario(types=(call_type(handle=det(10.0), patience=det(10.0)),),
                       groups=(AgentGroup(name="g", skills=("a",), staffing=(1, 2)),),
                       interval_s=20.0, intervals=2)
    rows = assert_same_run(sc, arrivals=[Arrival(0.0, "a"), Arrival(0.0, "a"),
                                         Arrival(0.0, "a"), Arrival(10.0, "a"),
                                         Arrival(20.0, "a"), Arrival(20.0, "a")])
    outcomes = [row[15] for row in sorted(rows)]
    assert len(set(outcomes)) == 2  # some answered, some abandoned at the tie


def test_a_shift_end_at_the_instant_a_talk_ends():
    """The agent joins at 10 s and takes a queued call of 10 s; its shift ends at 20 s. The
    roster's next change was scheduled before the call's talk timeout (the talk starts when
    the call wakes up, after the roster step), so at 20 s the agent leaves first: it takes no
    second call."""
    sc = make_scenario(types=(call_type(handle=det(10.0)),),
                       groups=(AgentGroup(name="g", skills=("a",), staffing=(0, 1, 0)),),
                       interval_s=10.0, intervals=3)
    rows = assert_same_run(sc, arrivals=[Arrival(0.0, "a")] * 3)
    assert [row[15] for row in sorted(rows)] == [ANSWERED, UNFINISHED, UNFINISHED]


@pytest.mark.parametrize("after_s", [0.0, 5.0])
def test_overflow_serves_with_its_own_talk_time(after_s):
    """The own agent is busy; the second caller becomes eligible for the overflow group at
    ``after_s`` and is served there for the overflow's own 7 s; the third waits for whoever
    frees first."""
    own = call_type(handle=det(10.0), patience=det(30.0))
    sc = make_scenario(types=(replace(own, overflow=Overflow(group="out", after_s=after_s,
                                                            handle_time=det(7.0))),),
                       groups=(AgentGroup(name="g", skills=("a",), staffing=(1,)),
                               AgentGroup(name="out", skills=(), staffing=(1,))),
                       interval_s=60.0, intervals=1)
    assert fast_path_reason(sc) is None
    rows = sorted(assert_same_run(sc, arrivals=[Arrival(0.0, "a")] * 3))
    assert [(row[16], row[13] - row[11]) for row in rows[:2]] == [(0, 10.0), (1, 7.0)]


@pytest.mark.parametrize("handle_s", [0.0, 5.0])
def test_chunk_boundaries_at_one_instant(handle_s):
    """Over 64 arrivals at one instant: the arrivals of the source's next chunk are scheduled
    after the events created by the previous chunk's last arrival (one line, so the order
    decides who is blocked)."""
    sc = make_scenario(types=(call_type(handle=det(handle_s), patience=det(5.0)),),
                       groups=(AgentGroup(name="g", skills=("a",), staffing=(2,)),),
                       interval_s=60.0, intervals=1, lines=1)
    rows = assert_same_run(sc, arrivals=[Arrival(5.0 * (i // 100), "a") for i in range(300)])
    if handle_s == 0:  # the first call's talk ends (at 0) before the second chunk arrives
        outcomes = [row[15] for row in sorted(rows)]
        assert outcomes[:65] == [ANSWERED] + [BLOCKED] * 63 + [ANSWERED]


def test_an_overloaded_queue_is_swept_and_stays_exact():
    """One agent, thousands of impatient callers: the queue of callers who hung up is swept
    (memory), which changes nothing."""
    sc = make_scenario(types=(call_type(calls=(3000.0,), handle=exp(60.0),
                                        patience=emp(5.0, 4000.0)),),
                       groups=(AgentGroup(name="g", skills=("a",), staffing=(1,)),))
    rows = assert_same_run(sc)
    assert sum(row[15] == ABANDONED for row in rows) > 1500


def test_callers_outlasting_batches_are_kept_aside_and_stay_exact():
    """Type b is in nobody's skills and its callers never hang up: they stay until the drain
    limit while days (batches of draws) go by; their draws move out of the window (bounded
    memory) and are still found, for the records and for the IVR step."""
    sc = make_scenario(types=(call_type("a", calls=(20.0,), handle=exp(5.0), patience=exp(9.0)),
                              call_type("b", calls=(3.0,), handle=exp(5.0))),
                       groups=(AgentGroup(name="g", skills=("a",), staffing=(1,) * 5),),
                       ivr=Ivr(greeting=emp(0.0, 150.0)), interval_s=60.0, intervals=1,
                       days=("day",) * 5)
    rows = assert_same_run(sc, np.random.SeedSequence(3))
    engine = _Engine(sc, np.random.SeedSequence(3), None, None, "caller", None)
    engine.run()
    assert engine.far  # some calls were kept aside
    assert sum(row[15] == UNFINISHED for row in rows) >= 5
    # Type b starves behind type a (priority) for days, then is served when a's calls stop:
    # its draws are read from aside when an agent takes it and when its talk ends.
    busy = CallType(name="a", calls_per_interval=(("busy", (40.0,)), ("calm", (0.0,))),
                    handle_time=exp(5.0), patience=exp(9.0), priority=1)
    late = CallType(name="b", calls_per_interval=(("busy", (2.0,)), ("calm", (0.0,))),
                    handle_time=exp(5.0), wrap_up=det(1.0), priority=2)
    sc = replace(sc, call_types=(busy, late),
                 calendar=replace(sc.calendar, days=("busy",) * 4 + ("calm",)),
                 agent_groups=(AgentGroup(name="g", skills=("a", "b"), staffing=(1,) * 5),))
    rows = assert_same_run(sc, np.random.SeedSequence(4))
    served_late = [row for row in rows if row[5] == 1 and row[15] == ANSWERED
                   and row[11] - row[6] > 120.0]
    assert served_late
    # One queue, nobody hangs up, the agent falls days behind: the same, on the one-queue path.
    sc = replace(sc, call_types=(replace(busy, patience=None, calls_per_interval=(
        ("busy", (20.0,)), ("calm", (0.0,)))),),
                 agent_groups=(AgentGroup(name="g", skills=("a",), staffing=(1,) * 5),))
    rows = assert_same_run(sc, np.random.SeedSequence(5))
    assert max(row[11] - row[6] for row in rows if row[15] == ANSWERED) > 120.0


def test_the_drain_limit_leaves_calls_unfinished():
    """No agent and infinite patience: the queue never drains; calls in the IVR, in queue and
    in talk at the drain limit are all recorded as unfinished, by both engines alike."""
    sc = make_scenario(types=(call_type(calls=(30.0, 0.0), handle=det(1e9)),),
                       groups=(AgentGroup(name="g", skills=("a",), staffing=(1, 0)),),
                       ivr=Ivr(greeting=emp(0.0, 1e6)), interval_s=60.0, intervals=2)
    rows = assert_same_run(sc)
    assert {row[15] for row in rows} == {6}  # every call unfinished


@pytest.mark.parametrize("handle", [det(50.0), det(20.0), exp(30.0)])
def test_busy_time_added_in_flush_is_the_models_to_the_bit(handle):
    """Without wrap-up the fast engine adds the talks' busy time per batch (sim.fast
    _Engine._add_busy): talks within one interval, ending in the next one, spanning whole
    intervals (50 s talks, 20 s intervals), or ending at an interval's edge; with and without a
    sink (which changes the record columns flush builds)."""
    sc = make_scenario(types=(call_type(calls=(6.0,) * 6, handle=handle, patience=exp(30.0)),),
                       groups=(AgentGroup(name="g", skills=("a",), staffing=(2, 3, 1, 2, 2, 3)),),
                       interval_s=20.0, intervals=6)
    for seed in range(5):
        ss = np.random.SeedSequence(seed)
        assert_same_run(sc, ss)
        assert_equal_tallies(Model(sc, ss).run(), run_fast(sc, ss))


def test_non_qualifying_scenarios_give_a_reason_and_fall_back():
    sc = make_scenario(types=(call_type(calls=(5.0,), patience=exp(30.0)),))
    cases = {
        "policies": replace(sc, redials=Redials(abandoned=0.5)),
        "messages": replace(
            sc, callbacks=Callbacks(),
            agent_groups=(*sc.agent_groups, AgentGroup(name="out", skills=(), staffing=(1,))),
            call_types=(replace(sc.call_types[0], overflow=Overflow(group="out",
                                                                    mode="message")),)),
    }
    for word, case in cases.items():
        reason = fast_path_reason(case)
        assert reason is not None and word in reason, (word, reason)
        with pytest.raises(SimError, match="fast engine"):
            run_fast(case, np.random.SeedSequence(0))
        with pytest.raises(SimError, match=word):
            simulate(case, replications=1, seed=1, engine="fast")
        assert simulate(case, replications=1, seed=1).engine == "simpy"
    # Callbacks configured but never asked for, redials that never happen: no policy, so
    # still exact.
    idle_levers = replace(sc, callbacks=Callbacks(priority=0), redials=Redials())
    assert fast_path_reason(idle_levers) is None
    assert_same_run(idle_levers)


def test_engine_choice_and_equal_results():
    sc = load_scenario(f"{EXAMPLES}/bank.toml")
    auto = simulate(sc, replications=2, seed=3)
    slow = simulate(sc, replications=2, seed=3, engine="simpy")
    assert (auto.engine, slow.engine) == ("fast", "simpy")
    assert auto.summary == slow.summary or all(
        (a.mean == b.mean or math.isclose(a.mean, b.mean, rel_tol=1e-9, abs_tol=1e-12))
        for a, b in zip(auto.summary.values(), slow.summary.values(), strict=True)
        if not math.isnan(a.mean))
    with pytest.raises(SimError, match="engine"):
        simulate(sc, replications=1, seed=3, engine="warp")
    rc = run_replication(sc, np.random.SeedSequence(5), engine="fast")
    assert np.array_equal(rc.counts, run_replication(sc, np.random.SeedSequence(5),
                                                      engine="simpy").counts)


def test_records_files_are_identical(tmp_path):
    """The per-call CSV of two replications of the clinic, byte for byte."""
    sc = load_scenario(f"{EXAMPLES}/clinic.toml")
    for engine in ("fast", "simpy"):
        simulate(sc, replications=2, seed=9, records_path=tmp_path / f"{engine}.csv",
                 engine=engine)
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "simpy.csv").read_bytes()


@pytest.mark.parametrize("name", ["bank", "erlang_a", "clinic", "clinic_step2"])
def test_builtin_examples_that_qualify_run_exactly(name):
    sc = load_scenario(f"{EXAMPLES}/{name}.toml")
    assert fast_path_reason(sc) is None
    assert_same_run(sc, np.random.SeedSequence(11))


@pytest.mark.parametrize("name", ["clinic_step3", "clinic_step8"])
def test_builtin_examples_that_do_not_qualify_say_why(name):
    assert fast_path_reason(load_scenario(f"{EXAMPLES}/{name}.toml"))


def test_cli_run_reports_the_engine():
    from click.testing import CliRunner

    from sim_cli import cli

    out = {}
    for engine in ("auto", "simpy"):
        res = CliRunner().invoke(cli, ["run", f"{EXAMPLES}/bank.toml", "-r", "2", "--seed", "1",
                                       "--workers", "1", "-q", "--engine", engine,
                                       "--format", "json"])
        assert res.exit_code == 0, res.output
        out[engine] = json.loads(res.output)
    assert out["auto"]["engine"] == "fast" and out["simpy"]["engine"] == "simpy"
    assert out["auto"]["manifest"]["engine"] == "fast"
    assert out["auto"]["summary"] == out["simpy"]["summary"]
    res = CliRunner().invoke(cli, ["run", f"{EXAMPLES}/bank.toml", "-r", "1", "--workers", "1",
                                   "-q"])
    assert ", fast engine" in res.output
    res = CliRunner().invoke(cli, ["run", "clinic_step3", "-r", "1", "--engine", "fast"])
    assert res.exit_code == 1 and "CallBackAbandoned" in res.output
    # Refused before anything runs: one line, no progress bar before it, no traceback.
    assert res.output.strip().splitlines() == [line for line in res.output.strip().splitlines()
                                               if line.startswith("Error: engine 'fast'")]


def test_every_arrival_step_in_one_batch_with_lines():
    """One batch holds every step the engine decides per batch (sim.fast next_batch): after
    hours, straight to the queue, served by the IVR at once, the IVR's end then the queue, the
    IVR's end then served, a hang-up in the IVR; and IVR calls blocked for want of a line, one
    of them while its IVR end heads the stream (it would end first), another later in it."""
    sc = make_scenario(types=(call_type(handle=det(12.0), patience=det(9.0)),),
                       groups=(AgentGroup(name="g", skills=("a",), staffing=(1,)),),
                       ivr=Ivr(greeting=det(5.0), patience=det(30.0), served_share=0.4),
                       interval_s=400.0, lines=3, open_s=0.0, close_s=350.0)
    arrivals = [Arrival(0.0, "a", greeting_s=10.0), Arrival(0.0, "a", greeting_s=8.0),
                Arrival(0.0, "a", greeting_s=12.0),
                Arrival(0.0, "a", greeting_s=2.0),  # blocked: the stream's head
                Arrival(1.0, "a", greeting_s=40.0),  # blocked, later in the stream
                Arrival(100.0, "a", greeting_s=6.0, ivr_patience_s=3.0),  # hangs up at 103
                Arrival(360.0, "a", greeting_s=5.0)]  # after hours
    arrivals += [Arrival(110.0 + 7.0 * g, "a", greeting_s=float(g % 3 == 0) * 5.0)
                 for g in range(30)]  # greetings of 0 s (direct or served at once) and 5 s
    rows = assert_same_run(sc, np.random.SeedSequence(2), arrivals)
    engine = _Engine(sc, np.random.SeedSequence(2), arrivals, None, "caller", None)
    engine.run()
    assert set(engine.win["step"]) == {_S_DIRECT, _S_CLOSED, _S_SERVED_NOW, _IVR_END,
                                       _IVR_SERVED_END, _IVR_HANG_UP}
    outcomes = [row[15] for row in sorted(rows)]
    assert outcomes[3:5] == [BLOCKED, BLOCKED] and outcomes[5] == IVR_ABANDONED
    assert outcomes[-1] == AFTER_HOURS  # (ids follow the arrival instants)
    assert {IVR_SERVED, ANSWERED, ABANDONED} <= set(outcomes)


def test_ivr_ends_pending_at_a_new_batch_are_merged_in_order():
    """Greetings outlast the day (a batch of draws): the IVR ends still to come are merged with
    the next day's, in (end, id) order."""
    sc = make_scenario(types=(call_type(calls=(8.0,), handle=det(5.0), patience=det(20.0)),),
                       groups=(AgentGroup(name="g", skills=("a",), staffing=(2,) * 3),),
                       ivr=Ivr(greeting=emp(40.0, 50.0, 95.0)), interval_s=60.0,
                       days=("day",) * 3)
    carried = []
    merge = _Engine._merge_stream

    def spy(self, step, end, first):
        carried.append(len(self.e_t) - 1 - self.ie)
        return merge(self, step, end, first)

    _Engine._merge_stream = spy
    try:
        for seed in range(3):
            assert_same_run(sc, np.random.SeedSequence(seed))
    finally:
        _Engine._merge_stream = merge
    assert max(carried) > 0
