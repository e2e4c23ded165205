"""`callsim run` and `callsim validate` through CliRunner: outputs, files, bad input."""

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import scenarios
from sim_cli import cli

FAST = ["--replications", "3", "--seed", "7"]


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_run_builtin_clinic_json_document():
    res = run("run", *FAST, "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output[res.output.index("{"):])
    assert doc["entropy"] == 7 and doc["replications"] == 3 and len(doc["scenario_hash"]) == 64
    summary = doc["summary"]
    for key in ("offered", "blocked", "ivr_abandoned", "ivr_served", "abandoned", "answered",
                "service_level", "asa_s", "mean_wait_s", "p_abandon", "occupancy",
                "wait_p50_s", "wait_p95_s"):
        assert set(summary[key]) == {"mean", "ci95"}, key
    assert len(doc["intervals"]) == 12 and len(doc["erlang"]) == 12
    # Counts add up in the summary means (they add up in every replication).
    parts = sum(summary[k]["mean"] for k in ("after_hours", "blocked", "ivr_abandoned",
                                              "ivr_served", "abandoned", "answered", "unfinished"))
    assert parts == pytest.approx(summary["offered"]["mean"])


def test_same_seed_same_output_and_overrides_change_the_hash():
    a, b = run("run", *FAST, "--format", "json"), run("run", *FAST, "--format", "json")
    assert a.output == b.output
    c = run("run", *FAST, "--format", "json", "--set", "ivr.greeting.mean_s=15")
    da, dc = (json.loads(x.output[x.output.index("{"):]) for x in (a, c))
    assert da["scenario_hash"] != dc["scenario_hash"] and dc["overrides"] == [
        "ivr.greeting.mean_s=15"]
    # Common random numbers: same callers, shorter greeting: fewer hang up in the IVR.
    assert dc["summary"]["ivr_abandoned"]["mean"] < da["summary"]["ivr_abandoned"]["mean"]


def test_seed_option_and_seed_override_describe_the_same_run():
    a = run("run", "-r", "2", "--seed", "5", "--format", "json")
    b = run("run", "--set", "simulation.replications=2", "--set", "simulation.seed=5",
            "--format", "json")
    da, db = (json.loads(x.output[x.output.index("{"):]) for x in (a, b))
    assert da["scenario_hash"] == db["scenario_hash"] and da["summary"] == db["summary"]


def test_seed_and_replications_need_no_simulation_table(tmp_path):
    text = (Path(scenarios.__file__).parent / "examples" / "erlang_a.toml").read_text()
    path = tmp_path / "no_simulation.toml"
    path.write_text(text[:text.index("[simulation]")])
    res = CliRunner().invoke(cli, ["run", str(path), "-r", "2", "--seed", "3", "--format",
                                   "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert (doc["entropy"], doc["replications"]) == (3, 2)


def test_an_unseeded_run_is_repeated_exactly_from_what_it_records(tmp_path):
    text = (Path(scenarios.__file__).parent / "examples" / "erlang_a.toml").read_text()
    path = tmp_path / "unseeded.toml"
    path.write_text("\n".join(line for line in text.splitlines() if not line.startswith("seed")))
    a = json.loads(run("run", str(path), "-r", "2", "--format", "json").stdout)
    b = json.loads(run("run", str(path), "-r", "2", "--seed", str(a["entropy"]), "--format",
                       "json").stdout)
    # Results, entropy and scenario hash alike (the manifest records the two command lines).
    assert a.pop("manifest")["command_line"] != b.pop("manifest")["command_line"]
    assert a == b


def test_table_shows_simulation_beside_erlang():
    res = run("run", *FAST)
    assert res.exit_code == 0
    header = next(line for line in res.output.splitlines() if line.startswith("start"))
    for col in ("SL%", "ASA_s", "abandon%", "C_SL%", "A_SL%", "A_ab%"):
        assert col in header
    assert "08:00" in res.output and "lost_share" in res.output
    wide = run("run", *FAST, "--wide")
    header = next(line for line in wide.output.splitlines() if line.startswith("start"))
    for col in ("service_level", "asa_s", "p_abandon", "ivr_abandoned", "C_sl", "A_sl",
                "A_p_ab"):
        assert col in header


def test_out_dir_and_records(tmp_path):
    records = tmp_path / "calls.csv"
    res = run("run", *FAST, "--format", "csv", "--out", str(tmp_path / "out"),
              "--records", str(records))
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    with open(tmp_path / "out" / "intervals.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 12 and "service_level_ci95" in rows[0] and "erlang_a_p_abandon" in rows[0]
    with open(records) as f:
        calls = list(csv.DictReader(f))
    assert len(calls) == pytest.approx(doc["summary"]["offered"]["mean"] * 3)


def test_validate_ok_and_builtin_names():
    res = run("validate", "bank")
    assert res.exit_code == 0 and res.output.startswith("OK: ")


@pytest.mark.parametrize("args, message", [
    (["run", "no-such-file.toml"], "no-such-file.toml"),
    (["run", *FAST, "--set", "ivr.greting.mean_s=15"], "greting"),
    (["run", *FAST, "--set", "arrival_scale=-1"], "arrival_scale must be"),
    (["run", "--replications", "0"], "--replications"),
    (["run", "--seed", "-1"], "--seed"),
    (["validate", "--set", "agent_groups.reception.staffing=[1,2]"], "staffing"),
])
def test_bad_input_one_line_exit_1(args, message):
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 1, res.output
    # Every line on stderr counts (click >= 8.2 keeps stderr apart): exactly one, the error.
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], lines
    assert res.stdout == ""


def test_bad_scenario_file_names_file_key_and_value(tmp_path):
    text = (Path(scenarios.__file__).parent / "examples" / "erlang_a.toml").read_text()
    path = tmp_path / "typo.toml"
    path.write_text(text.replace("[calendar]", "[calendar]\nintervl_min = 5", 1))
    res = CliRunner().invoke(cli, ["validate", str(path)])
    assert res.exit_code == 1
    assert "typo.toml" in res.output and "intervl_min" in res.output


@pytest.mark.parametrize("old, new, expected", [
    ("calls_per_interval = 1000", "calls_per_interval = -1000", ["calls_per_interval", "-1000"]),
    ('kind = "exponential", mean_s = 180', 'kind = "expo", mean_s = 180',
     ["handle_time.kind", "expo"]),
    ("staffing = 55", "staffing = [55, 55]", ["staffing", "[55, 55]"]),
])
def test_bad_values_in_a_file(tmp_path, old, new, expected):
    text = (Path(scenarios.__file__).parent / "examples" / "erlang_a.toml").read_text()
    assert old in text
    path = tmp_path / "bad.toml"
    path.write_text(text.replace(old, new, 1))
    res = CliRunner().invoke(cli, ["run", str(path)])
    assert res.exit_code == 1, res.output
    line = res.output.strip().splitlines()[-1]
    assert line.startswith("Error: ") and "bad.toml" in line
    for fragment in expected:
        assert fragment in line, line


def test_run_reports_which_intervals_meet_the_targets():
    # erlang_a: SL about 0.93 (exact Erlang A) against a 0.8 target in every counted hour; the
    # warm-up hour is not judged.
    res = run("run", "erlang_a", "-r", "3", "--seed", "1")
    assert "Target service level >= 0.8 within 20 s: met in 23 of 23 intervals" in res.output
    clinic = run("run", *FAST)
    assert "missed at 08:00" in clinic.output


@pytest.mark.parametrize("error", [ValueError("a bug"), KeyError("a bug"), TypeError("a bug")])
def test_a_programming_error_keeps_its_traceback(monkeypatch, error):
    # A bare ValueError from a bug is not a user error: it must not become a tidy one-liner.
    import plan.runs

    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(plan.runs, "run_figures", broken)
    with pytest.raises(type(error), match="a bug"):
        CliRunner().invoke(cli, ["run", *FAST], catch_exceptions=False)
    res = CliRunner().invoke(cli, ["run", *FAST])
    assert res.exception is error and "Error:" not in res.stderr


def test_debug_shows_the_traceback_of_a_user_error():
    with pytest.raises(scenarios.ScenarioError, match="greting"):
        CliRunner().invoke(cli, ["--debug", "run", *FAST, "--set", "ivr.greting.mean_s=15"],
                           catch_exceptions=False)
