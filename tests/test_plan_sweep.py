"""plan.sweep: grids, validation before any simulation, results written point by point,
resume after an interruption (and a torn last line) gives the uninterrupted table."""

from __future__ import annotations

import json

import pytest

import plan.runs
from plan.runs import Runner
from plan.sweep import build_points, parse_grid, read_results, run_sweep, sweep_rows
from scenarios.errors import ScenarioError
from scenarios.load import load_builtin
from sim.errors import SimError

GRID = {"ivr.greeting.mean_s": [15, 55], "arrival_scale": [0.9, 1.1]}
METRICS = ["lost_share", "service_level", "p_abandon"]


def build(overrides):
    return load_builtin("clinic", overrides)


def sweep(path, **kw):
    points = build_points(build, GRID)
    return run_sweep(points, entropy=9, replications=3, out_path=path, grid=GRID, base_hash="h",
                     **kw)


def test_parse_grid_reads_toml_values():
    assert parse_grid("ivr.greeting.mean_s=15,30,55") == ("ivr.greeting.mean_s", [15, 30, 55])
    assert parse_grid("agent_groups.reception.staffing=[3,3],[4,4]")[1] == [[3, 3], [4, 4]]
    assert parse_grid("name=a b,c")[1] == ["a b", "c"]
    with pytest.raises(ScenarioError, match="at least one value"):
        parse_grid("lines=")


def test_full_grid_and_zip():
    assert [p.values for p in build_points(build, GRID)] == [
        {"ivr.greeting.mean_s": 15, "arrival_scale": 0.9},
        {"ivr.greeting.mean_s": 15, "arrival_scale": 1.1},
        {"ivr.greeting.mean_s": 55, "arrival_scale": 0.9},
        {"ivr.greeting.mean_s": 55, "arrival_scale": 1.1}]
    zipped = build_points(build, GRID, zipped=True)
    assert [p.overrides for p in zipped] == [("ivr.greeting.mean_s=15", "arrival_scale=0.9"),
                                             ("ivr.greeting.mean_s=55", "arrival_scale=1.1")]
    with pytest.raises(ScenarioError, match="one length"):
        build_points(build, {"lines": [8, 9], "arrival_scale": [1.0]}, zipped=True)


@pytest.mark.parametrize(("grid", "fragments"), [
    ({"ivr.greting.mean_s": [15]}, ["ivr.greting", "greeting"]),
    ({"lines": []}, ["lines", "at least one value"]),
    ({"ivr.greeting.mean_s": [15, -5]}, ["ivr.greeting.mean_s", "-5"]),
    ({"call_types.nobody.priority": [1]}, ["call_types", "nobody"]),
])
def test_bad_grids_fail_before_any_simulation(tmp_path, monkeypatch, grid, fragments):
    def no_simulation(*args):
        raise AssertionError("simulated before the grid was checked")

    monkeypatch.setattr(plan.runs, "replication_figures", no_simulation)
    with pytest.raises(ScenarioError) as err:
        points = build_points(build, grid)
        run_sweep(points, entropy=1, replications=2, out_path=tmp_path / "s.jsonl", grid=grid)
    for fragment in fragments:
        assert fragment in str(err.value)
    assert not (tmp_path / "s.jsonl").exists()


def test_points_are_written_as_they_finish_and_share_common_random_numbers(tmp_path):
    seen = []
    result = sweep(tmp_path / "s.jsonl", on_point=lambda p: seen.append(
        len(read_results(tmp_path / "s.jsonl")[1])))
    assert seen == [1, 2, 3, 4]  # each point is in the file when announced
    rows = sweep_rows(result, METRICS)
    # Same callers at every point: more calls lose more at both greetings.
    assert rows[1]["lost_share"] > rows[0]["lost_share"]
    assert rows[3]["lost_share"] > rows[2]["lost_share"]
    header = json.loads((tmp_path / "s.jsonl").read_text().splitlines()[0])
    assert header["kind"] == "sweep" and header["entropy"] == 9


def test_resume_after_an_interruption_gives_the_uninterrupted_table(tmp_path):
    whole = sweep_rows(sweep(tmp_path / "whole.jsonl"), METRICS)

    class Stop(KeyboardInterrupt):
        pass

    def interrupt(point):
        if point.index == 1:
            raise Stop

    path = tmp_path / "part.jsonl"
    with pytest.raises(Stop):
        sweep(path, on_point=interrupt)
    assert len(read_results(path)[1]) == 2  # both finished points are in the file
    with open(path, "a") as f:
        f.write('{"kind": "point", "index": 2, "val')  # killed while writing a line
    calls = []
    real = plan.runs._task

    def counting(args):
        calls.append(args[2])
        return real(args)

    import unittest.mock

    with unittest.mock.patch.object(plan.runs, "_task", counting):
        resumed = sweep(path, resume=True)
    assert resumed.resumed == 2 and len(calls) == 2 * 3  # only the missing points ran
    assert sweep_rows(resumed, METRICS) == whole
    assert len(read_results(path)[1]) == 4


def test_resume_refuses_a_different_sweep(tmp_path):
    path = tmp_path / "s.jsonl"
    sweep(path)
    points = build_points(build, GRID)
    with pytest.raises(SimError, match="entropy"):
        run_sweep(points, entropy=10, replications=3, out_path=path, grid=GRID,
                  base_hash="h", resume=True)


def test_parallel_sweep_equals_serial(tmp_path):
    serial = sweep_rows(sweep(tmp_path / "a.jsonl"), METRICS)
    with Runner(workers=2) as runner:
        parallel = sweep_rows(sweep(tmp_path / "b.jsonl", runner=runner), METRICS)
    assert parallel == serial
