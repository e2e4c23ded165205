"""Seeds, reproducibility and common random numbers; the public ``simulate`` API and its outputs."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import replace
from typing import ClassVar

import numpy as np

from report.formats import jsonable
from scenarios.dump import scenario_hash
from scenarios.schema import AgentGroup, Ivr, Simulation
from sim.agents import AgentPool
from sim.metrics import total_metrics
from sim.model import Model
from sim.replicate import run_replication, simulate
from sim.streams import replication_seed
from tests._sim_helpers import call_type, det, exp, records_of, scenario


def busy_center(agents: int = 3, hours: int = 2, seed: int = 5):
    types = (
        call_type("a", calls=(40.0,) * hours, handle=exp(240.0), patience=exp(120.0)),
        call_type("b", calls=(10.0,) * hours, handle=exp(300.0), wrap=exp(30.0), priority=2),
    )
    groups = (
        AgentGroup(name="front", skills=("a", "b"), staffing=(agents,) * hours),
        AgentGroup(name="back", skills=("b",), staffing=(1,) * hours, availability=0.8),
    )
    return scenario(
        types=types,
        groups=groups,
        intervals=hours,
        lines=12,
        ivr=Ivr(greeting=det(8.0), patience=exp(60.0), served_share=0.1),
        simulation=Simulation(replications=3, seed=seed, daily_busyness_cv=0.2),
    )


def test_same_seed_gives_identical_records_and_replications_differ():
    sc = busy_center()
    _, first = records_of(sc, seed=11)
    _, again = records_of(sc, seed=11)
    _, other = records_of(sc, seed=11, replication=1)
    assert first == again and len(first) > 50
    assert [r.arrival_s for r in first] != [r.arrival_s for r in other]


def test_simulate_is_repeatable_and_records_its_entropy():
    sc = busy_center()
    result = simulate(sc)
    assert result.entropy == 5 and result.replications == 3
    assert result.scenario_hash == scenario_hash(sc)
    # repr: nan (a figure undefined in some interval) equals itself there, not under ==.
    assert repr(simulate(sc).to_dict()) == repr(result.to_dict())
    unseeded = replace(sc, simulation=replace(sc.simulation, seed=None))
    fresh = simulate(unseeded, replications=2)
    assert fresh.entropy != 5
    assert repr(simulate(unseeded, seed=fresh.entropy, replications=2).to_dict()) == repr(
        fresh.to_dict())


def test_caller_attributes_do_not_depend_on_staffing():
    _, few = records_of(busy_center(agents=2), seed=3)
    _, many = records_of(busy_center(agents=6), seed=3)
    assert [(r.arrival_s, r.call_type) for r in few] == [(r.arrival_s, r.call_type) for r in many]
    talk = {r.call_id: r.end_s - r.answer_s for r in few if r.outcome == "answered"}
    for r in many:
        if r.call_id in talk:
            assert math.isclose(r.end_s - r.answer_s, talk[r.call_id])


def test_common_random_numbers_narrow_the_spread_of_a_difference():
    types = (call_type(calls=(230.0,) * 4, handle=exp(600.0), patience=exp(300.0)),)

    def asa(agents: int, seed: int) -> float:
        groups = (AgentGroup(name="g", skills=("a",), staffing=(agents,) * 4),)
        sc = scenario(types=types, groups=groups, intervals=4)
        return total_metrics(run_replication(sc, replication_seed(seed, 0)), sc)["asa_s"]

    seeds = range(25)
    base = [asa(40, s) for s in seeds]
    crn = np.subtract([asa(42, s) for s in seeds], base)
    independent = np.subtract([asa(42, s + 1000) for s in seeds], base)
    assert crn.std(ddof=1) < 0.5 * independent.std(ddof=1), (crn.std(), independent.std())


class WalkInLog(AgentPool):
    """An agent pool that logs each agent's walk-in arrivals (instants) and starts (durations)."""

    log: ClassVar[dict] = {}

    def walk_in_arrives(self, agent, epoch, event):
        if epoch == agent.walk_epoch:  # the same test as the pool's: a live stream
            self.log.setdefault((agent.group, agent.index), ([], []))[0].append(self.env.now)
        super().walk_in_arrives(agent, epoch, event)

    def start_walk_in(self, agent, duration_s):
        self.log.setdefault((agent.group, agent.index), ([], []))[1].append(duration_s)
        super().start_walk_in(agent, duration_s)


def test_each_agent_sees_the_same_walk_ins_whatever_the_others_staffing():
    # Agent 0 of group 0's walk-ins (arrival instants and durations, in order) must not move
    # when another group's staffing, or its own group's head count, changes: the calls, and so
    # when the agent gets to serve a walk-in, do change.
    def walk_ins(front: int, back: int):
        sc = busy_center(agents=front)
        groups = tuple(replace(g, availability=0.6, walk_in_s=120.0) for g in sc.agent_groups)
        groups = (groups[0], replace(groups[1], staffing=(back,) * 2))
        WalkInLog.log = {}
        Model(replace(sc, agent_groups=groups), replication_seed(8, 0), pool_class=WalkInLog).run()
        return WalkInLog.log[0, 0]

    base_arrivals, base_durations = walk_ins(front=3, back=1)
    assert len(base_arrivals) >= 10
    for front, back in ((3, 4), (6, 1), (1, 2)):
        arrivals, durations = walk_ins(front, back)
        assert arrivals == base_arrivals, (front, back)
        n = min(len(durations), len(base_durations))  # the run may stop before the last start
        assert n >= 10 and durations[:n] == base_durations[:n], (front, back)


def test_simulate_streams_records_and_reports_progress(tmp_path):
    sc = busy_center()
    path = tmp_path / "calls.csv"
    calls = []
    result = simulate(
        sc,
        replications=2,
        progress=lambda done, total: calls.append((done, total)),
        records_path=path,
    )
    assert calls == [(1, 2), (2, 2)]
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == round(result.summary["offered"].mean * 2)
    assert {row["replication"] for row in rows} == {"0", "1"}
    answered = [row for row in rows if row["outcome"] == "answered"]
    assert answered and all(row["answer_s"] and row["group"] and row["wait_s"] for row in answered)
    assert all(row["answer_s"] == "" for row in rows if row["outcome"] == "blocked")
    # The CSV is the same log as the records handed to on_record (times to the millisecond).
    first = [row for row in rows if row["replication"] == "0"]
    _, recs = records_of(sc, seed=5)
    by_id = {int(row["call_id"]): row for row in first}
    for r in recs:
        assert by_id[r.call_id]["outcome"] == r.outcome
        assert math.isclose(float(by_id[r.call_id]["end_s"]), r.end_s, abs_tol=5e-4)


def test_result_to_dict_is_json_ready_through_report():
    sc = busy_center()
    result = simulate(sc, replications=1)
    data = jsonable(result.to_dict())
    text = json.dumps(data, allow_nan=False)  # nan (one replication: no CI) became null
    assert data["summary"]["offered"]["ci95"] is None
    assert [i["interval"] for i in data["intervals"]] == [0, 1]
    assert [i["start_s"] for i in data["intervals"]] == [0.0, 3600.0]
    assert set(data["by_call_type"]) == {"a", "b"} and set(data["by_group"]) == {"front", "back"}
    assert "occupancy.front" in data["intervals"][0] and text


def test_estimates_have_t_confidence_intervals():
    sc = busy_center()
    result = simulate(sc, replications=4)
    per_rep = []
    for r in range(4):
        per_rep.append(total_metrics(run_replication(sc, replication_seed(5, r)), sc)["asa_s"])
    from scipy import stats

    estimate = result.summary["asa_s"]
    assert math.isclose(estimate.mean, np.mean(per_rep))
    assert math.isclose(estimate.ci95, stats.t.ppf(0.975, 3) * np.std(per_rep, ddof=1) / 2)
