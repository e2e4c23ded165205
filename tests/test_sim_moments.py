"""The seams of sim/: policies consulted at the named moments, per-attempt records, count_by."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from scenarios.schema import AgentGroup, Ivr, Simulation
from sim.arrivals import DRAWS, Arrival
from sim.errors import SimError
from sim.metrics import Tally
from sim.model import Model
from sim.policies import Policy
from sim.records import (
    ABANDONED,
    ANSWERED,
    BLOCKED,
    COLUMNS,
    INBOUND,
    IVR_SERVED,
    OUTCOMES,
    REDIAL,
    ROW_FIELDS,
    CsvRecordWriter,
    RecordNamer,
    attempt_row,
)
from sim.streams import replication_seed
from tests._sim_helpers import call_type, det, exp, scenario


def run(sc, arrivals, policies=()):
    """Named records of one replication with explicit arrivals, and the model."""
    namer = RecordNamer(tuple(t.name for t in sc.call_types),
                        tuple(g.name for g in sc.agent_groups))
    rows = []
    model = Model(sc, np.random.SeedSequence(0), sink=rows.extend, policies=policies,
                  arrivals=[Arrival(*a) for a in arrivals])
    model.run()
    return sorted((namer.record(0, row) for row in rows), key=lambda r: r.call_id), model


class Recorder(Policy):
    """Logs every moment it is consulted at: (moment, time, call id or agent)."""

    def __init__(self):
        self.log = []

    def blocked(self, model, call):
        self.log.append(("blocked", model.env.now, call.id))

    def queue_entry(self, model, call):
        self.log.append(("queue_entry", model.env.now, call.id))
        return False

    def abandoned(self, model, call):
        self.log.append(("abandoned", model.env.now, call.id))

    def agent_idle(self, model, agent):
        self.log.append(("agent_idle", model.env.now, (agent.group, agent.index)))
        return False


def test_policies_are_consulted_at_each_moment_in_time_order():
    # One agent, one line, patience 15 s, talk 10 s: call 0 is answered at 0; call 1 finds the
    # line busy; call 2 arrives at 12 when the line is free again, waits, and is answered at
    # 12 (agent free at 10); call 3 at 13 is blocked; call 4 at 30 waits 0.
    types = (call_type(handle=det(10.0), patience=det(15.0)),)
    sc = scenario(types=types, lines=1)
    recorder = Recorder()
    recs, _ = run(sc, [(0, "a"), (5, "a"), (12, "a"), (13, "a"), (30, "a")], (recorder,))
    assert [r.outcome for r in recs] == ["answered", "blocked", "answered", "blocked", "answered"]
    assert recorder.log == [
        ("agent_idle", 0, (0, 0)),  # the agent comes on duty with nothing to do
        ("queue_entry", 0, 0), ("blocked", 5, 1), ("agent_idle", 10, (0, 0)),
        ("queue_entry", 12, 2), ("blocked", 13, 3), ("agent_idle", 22, (0, 0)),
        ("queue_entry", 30, 4), ("agent_idle", 40, (0, 0)),
    ]


def test_abandonment_moment_comes_after_the_record_and_the_freed_line():
    types = (call_type(handle=det(100.0), patience=det(20.0)),)
    sc = scenario(types=types, lines=2)
    seen = []

    class Check(Policy):
        def abandoned(self, model, call):
            seen.append((model.env.now, call.id, call.id in model.live))

    recs, _ = run(sc, [(0, "a"), (5, "a")], (Check(),))
    assert [r.outcome for r in recs] == ["answered", "abandoned"]
    assert seen == [(25, 1, False)]


def test_a_policy_that_takes_the_call_at_queue_entry_skips_routing_and_later_policies():
    types = (call_type(handle=det(10.0)),)
    sc = scenario(types=types)
    later = Recorder()

    class TakeSecondCall(Policy):
        def queue_entry(self, model, call):
            if call.id != 1:
                return False
            model.release_line(call, IVR_SERVED)  # the policy ends the attempt itself
            return True

    recs, model = run(sc, [(0, "a"), (1, "a"), (2, "a")], (TakeSecondCall(), later))
    assert [r.outcome for r in recs] == ["answered", "ivr_served", "answered"]
    assert recs[2].answer_s == 10  # the agent went to call 2, not to the diverted call 1
    assert ("queue_entry", 1, 1) not in later.log and ("queue_entry", 2, 2) in later.log
    assert not model.live


def test_a_policy_that_gives_an_idle_agent_work_keeps_it_from_taking_calls():
    types = (call_type(handle=det(10.0)),)
    sc = scenario(types=types)

    class OneOutboundCall(Policy):
        used = False

        def agent_idle(self, model, agent):
            if self.used or model.env.now == 0:  # not when it comes on duty
                return False
            self.used = True
            agent.work, agent.work_since = 1, model.env.now  # sim.agents.CALL
            model.env.timeout(50).callbacks.append(lambda _e: model.pool.release(agent))
            return True

    recs, model = run(sc, [(0, "a"), (20, "a")], (OneOutboundCall(),))
    assert [r.answer_s for r in recs] == [0, 60]  # the agent was on outbound work 10..60
    assert model.pool.busy_s[0][0] == pytest.approx(10 + 50 + 10)


def busy_center():
    types = (call_type("a", calls=(60.0, 40.0), handle=exp(240.0), patience=exp(120.0)),
             call_type("b", calls=(10.0, 20.0), handle=exp(300.0), wrap=exp(30.0), priority=2))
    groups = (AgentGroup(name="front", skills=("a", "b"), staffing=(3, 2)),
              AgentGroup(name="back", skills=("b",), staffing=(1, 1), availability=0.8))
    return scenario(types=types, groups=groups, intervals=2, lines=8,
                    ivr=Ivr(greeting=det(8.0), patience=exp(60.0), served_share=0.1),
                    simulation=Simulation(replications=1, seed=3))


def raw_rows(sc, policies=(), seed=3):
    rows = []
    Model(sc, replication_seed(seed, 0), sink=rows.extend, policies=policies).run()
    return rows


def test_default_policies_change_nothing():
    sc = busy_center()
    assert raw_rows(sc, (Policy(), Policy())) == raw_rows(sc)


def test_attempt_row_follows_the_field_names():
    call = SimpleNamespace(id=7, caller_id=3, attempt=2, kind=REDIAL, type_in=0, type=1,
                           arrival_s=100.0, interval=2, first_interval=1, ivr_exit_s=110.0,
                           queue_entry_s=110.0, answer_s=None, agent=None,
                           predicted_wait_s=42.0, draws=draws(wrap_s=5.0, patience_s=90.0))
    row = dict(zip(ROW_FIELDS, attempt_row(call, ABANDONED, 130.0), strict=True))
    assert COLUMNS == ("replication", *ROW_FIELDS)
    assert row == {"call_id": 7, "caller_id": 3, "attempt": 2, "kind": REDIAL,
                   "call_type_in": 0, "call_type": 1, "arrival_s": 100.0, "interval": 2,
                   "first_interval": 1, "ivr_exit_s": 110.0, "queue_entry_s": 110.0,
                   "answer_s": None, "abandon_s": 130.0, "end_s": 130.0, "wrap_end_s": None,
                   "outcome": ABANDONED, "group": None, "agent": None, "wait_s": 20.0,
                   "predicted_wait_s": 42.0, "patience_s": 90.0}
    answered = replace_ns(call, answer_s=120.0, agent=SimpleNamespace(group=0, index=4))
    row = dict(zip(ROW_FIELDS, attempt_row(answered, ANSWERED, 150.0), strict=True))
    assert (row["wait_s"], row["abandon_s"], row["wrap_end_s"], row["group"], row["agent"]) == (
        10.0, None, 155.0, 0, 4)


def draws(**values):
    """A caller's draws tuple with the given attributes (the others 0)."""
    return tuple(values.get(name, 0.0) for name in DRAWS)


def replace_ns(ns, **changes):
    return SimpleNamespace(**{**vars(ns), **changes})


def test_csv_writer_templates_agree_with_the_csv_module_for_every_outcome():
    sc = busy_center()
    rows = raw_rows(sc)
    assert {row[ROW_FIELDS.index("outcome")] for row in rows} >= {ANSWERED, ABANDONED, BLOCKED}
    namer = RecordNamer(("a", "b"), ("front", "back"))
    buffer = io.StringIO(newline="")
    CsvRecordWriter(buffer, namer).write_rows(4, rows)
    expected = io.StringIO(newline="")
    writer = csv.writer(expected, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow("" if x is None else f"{x:.3f}" if isinstance(x, float) else x
                        for x in namer.named(4, row))
    assert buffer.getvalue() == expected.getvalue()


def test_a_first_attempt_is_its_callers_first_inbound_attempt():
    rows = raw_rows(busy_center())
    for row in rows:
        rec = dict(zip(ROW_FIELDS, row, strict=True))
        assert (rec["caller_id"], rec["attempt"], rec["kind"]) == (rec["call_id"], 1, INBOUND)
        assert rec["first_interval"] == rec["interval"]


def test_tally_counts_by_the_callers_first_interval_or_by_the_attempt():
    sc = scenario(intervals=3, interval_s=100.0)
    base = SimpleNamespace(id=0, caller_id=0, attempt=1, kind=INBOUND, type_in=0, type=0,
                           arrival_s=10.0, interval=0, first_interval=0, ivr_exit_s=10.0,
                           queue_entry_s=10.0, answer_s=None, agent=None,
                           predicted_wait_s=None, draws=draws(wrap_s=0.0, patience_s=60.0))
    redial = replace_ns(base, id=1, attempt=2, kind=REDIAL, arrival_s=210.0, interval=2,
                        ivr_exit_s=210.0, queue_entry_s=210.0)
    rows = [attempt_row(base, ABANDONED, 40.0), attempt_row(redial, ABANDONED, 230.0)]
    abandoned = OUTCOMES.index("abandoned")
    for by, expected in (("caller", [2, 0, 0]), ("attempt", [1, 0, 1])):
        tally = Tally(sc, by=by)
        tally.add(rows)
        counts = tally.counts.reshape(len(OUTCOMES), 3, 1)
        assert counts[abandoned, :, 0].tolist() == expected, by
    with pytest.raises(SimError, match="count_by must be one of caller, attempt, got 'arrival'"):
        Tally(sc, by="arrival")


def test_without_later_attempts_both_ways_of_counting_agree():
    sc = busy_center()
    rows = raw_rows(sc)
    by_caller, by_attempt = Tally(sc, by="caller"), Tally(sc, by="attempt")
    by_caller.add(rows)
    by_attempt.add(rows)
    assert np.array_equal(by_caller.counts, by_attempt.counts)
    assert np.array_equal(by_caller.sums, by_attempt.sums)


def test_count_by_reaches_the_model():
    sc = replace(busy_center(), simulation=Simulation(replications=1, seed=3))
    a = Model(sc, replication_seed(3, 0), count_by="attempt").run()
    b = Model(sc, replication_seed(3, 0)).run()
    assert np.array_equal(a.counts, b.counts)
