"""`callsim erlang` through click's CliRunner, good input and bad."""

import csv
import io
import json

import pytest
from click.testing import CliRunner

from erlang.erlang_a import erlang_a
from sim_cli import cli


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_erlang_c_issue_example_json():
    res = run("erlang", "c", "--calls", "1000", "--per", "hour", "--aht", "180", "--agents", "55",
              "--awt", "20", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    row = doc["results"][0]
    assert row["agents"] == 55 and round(row["p_wait"], 3) == 0.385
    assert round(row["service_level"], 3) == 0.779
    assert {"asa_s", "mean_wait_s", "p_abandon", "occupancy"} <= set(row)
    assert doc["inputs"] == {"calls": "1000", "per": "hour", "interval_s": 3600.0,
                             "aht_s": 180.0, "awt_s": 20.0}


def test_agent_range_gives_one_row_per_count_in_every_format():
    args = ["erlang", "a", "--calls", "250", "--per", "30min", "--aht", "180", "--agents",
            "40..44", "--patience", "120"]
    table = run(*args)
    assert table.exit_code == 0 and len(table.output.strip().splitlines()) == 6
    rows = list(csv.DictReader(io.StringIO(run(*args, "--format", "csv").output)))
    assert [int(r["agents"]) for r in rows] == [40, 41, 42, 43, 44]
    ref = erlang_a(arrival_rate_per_s=250 / 1800, aht_s=180, agents=42, mean_patience_s=120)
    assert float(rows[2]["p_abandon"]) == pytest.approx(ref.p_abandon, rel=1e-12)


def test_per_quarter_hour_matches_per_hour():
    q = json.loads(run("erlang", "c", "--calls", "250", "--per", "15min", "--aht", "180",
                       "--agents", "55", "--format", "json").output)
    h = json.loads(run("erlang", "c", "--calls", "1000", "--per", "hour", "--aht", "180",
                       "--agents", "55", "--format", "json").output)
    assert q["results"][0]["p_wait"] == pytest.approx(h["results"][0]["p_wait"])


def test_b_x_and_staff_commands():
    b = json.loads(run("erlang", "b", "--calls", "10", "--per", "hour", "--aht", "3600",
                       "--lines", "10", "--format", "json").output)
    assert b["results"][0]["p_blocked"] == pytest.approx(0.2145823431, rel=1e-9)
    x = run("erlang", "x", "--calls", "1000", "--aht", "180", "--agents", "50", "--lines", "60",
            "--patience", "120", "--redial", "0.5", "--format", "json")
    assert x.exit_code == 0 and json.loads(x.output)["results"][0]["unique_lost"] > 0
    s = json.loads(run("erlang", "staff", "--calls", "1000,0,500", "--aht", "180", "--sl", "0.8",
                       "--awt", "20", "--format", "json").output)
    assert [r["agents"] for r in s["results"]] == [56, 0, 30]
    assert s["total_agent_intervals"] == 86


@pytest.mark.parametrize("args, message", [
    (["erlang", "c", "--calls", "-5", "--aht", "180", "--agents", "40"], "--calls"),
    (["erlang", "c", "--calls", "5", "--aht", "0", "--agents", "40"], "aht_s must be > 0"),
    (["erlang", "a", "--calls", "5", "--aht", "180", "--agents", "4"], "--patience must be given"),
    (["erlang", "c", "--calls", "5", "--aht", "180", "--agents", "60..40"], "range"),
    (["erlang", "c", "--calls", "5", "--aht", "abc", "--agents", "4"], "--aht"),
    (["erlang", "staff", "--calls", "5", "--aht", "180"], "targets must name"),
    (["erlang", "staff", "--calls", "3600", "--aht", "180", "--sl", "0.99", "--awt", "1",
      "--model", "x", "--lines", "52"], "no agent count up to 52"),
    (["erlang", "staff", "--calls", "1000", "--aht", "180", "--max-abandon", "0.05"],
     "max_abandon needs callers who abandon"),
    (["erlang", "staff", "--calls", "1000", "--aht", "180", "--sl", "0.8", "--lines", "40"],
     "lines must not be given for model 'c'"),
    (["erlang", "x", "--calls", "1000", "--aht", "180", "--agents", "40", "--lines", "40",
      "--redial", "1"], "redial fixed point did not converge"),
    (["erlang", "c", "--calls", "5", "--aht", "180", "--agents", "4", "--short-abandon", "9"],
     "--short-abandon"),
])
def test_bad_input_is_one_line_and_exit_code_1(args, message):
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 1
    # Every line on stderr counts (click >= 8.2 keeps stderr apart): exactly one, the error.
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], lines
    assert res.stdout == ""


def test_a_programming_error_keeps_its_traceback(monkeypatch):

    def broken(**kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr("erlang.staffing.staff_intervals", broken)
    args = ["erlang", "staff", "--calls", "1000", "--aht", "180", "--sl", "0.8"]
    with pytest.raises(ValueError, match="a bug"):
        CliRunner().invoke(cli, args, catch_exceptions=False)
