"""callsim staff and callsim shifts through click's CliRunner, including bad input."""

from __future__ import annotations

import tomllib

from click.testing import CliRunner

from scenarios.load import load_scenario
from sim_cli import cli

SHIFTS = """
min_on_duty = 1
[[templates]]
name = "day"
start_from = "08:00"
start_to = "16:00"
start_step_min = 60
lengths_h = [4]
cost_per_hour = 20
breaks = [{ length_min = 15, paid = true, after_min = [60, 120] }]
"""


def test_staff_no_sim_table_and_emit(tmp_path):
    out = tmp_path / "staffed.toml"
    res = CliRunner().invoke(cli, ["staff", "clinic", "--no-sim", "--shrinkage", "0.3",
                                   "--emit-scenario", str(out)])
    assert res.exit_code == 0, res.output
    assert "A_heads" in res.output and "shrinkage 0.3" in res.output
    sc = load_scenario(out)
    assert sc.agent_groups[0].staffing and not sc.agent_groups[0].shifts


def test_staff_simulated_json(tmp_path):
    res = CliRunner().invoke(cli, ["staff", "clinic", "-r", "3", "--seed", "1", "--format",
                                   "json", "--plot", str(tmp_path / "r.png")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "r.png").stat().st_size > 1000


def test_shifts_roster_emit_and_run(tmp_path):
    shifts = tmp_path / "shifts.toml"
    shifts.write_text(SHIFTS)
    out = tmp_path / "rostered.toml"
    res = CliRunner().invoke(cli, ["shifts", "clinic", str(shifts), "-r", "3", "--seed", "2",
                                   "--emit-scenario", str(out), "--plot",
                                   str(tmp_path / "s.png")])
    assert res.exit_code == 0, res.output
    assert "every interval covered" in res.output
    assert load_scenario(out).agent_groups[0].shifts
    assert tomllib.loads(out.read_text())["agent_groups"][0]["shifts"]
    run = CliRunner().invoke(cli, ["run", str(out), "-r", "2"])
    assert run.exit_code == 0, run.output


def test_impossible_shift_rules_one_line_exit_1(tmp_path):
    shifts = tmp_path / "bad.toml"
    shifts.write_text(SHIFTS.replace('start_from = "08:00"', 'start_from = "06:00"'))
    res = CliRunner().invoke(cli, ["shifts", "clinic", str(shifts), "--no-sim"])
    assert res.exit_code == 1
    lines = res.output.strip().splitlines()
    assert lines[-1].startswith("Error: ") and "starts[0] must be at or after 08:00" in lines[-1]


def test_shortfall_reported_not_failed(tmp_path):
    shifts = tmp_path / "few.toml"
    shifts.write_text(SHIFTS + "max_agents = 2\n")
    res = CliRunner().invoke(cli, ["shifts", "clinic", str(shifts), "--no-sim"])
    assert res.exit_code == 0, res.output
    assert "SHORT of the requirement in" in res.output


def test_infeasible_target_exit_1():
    res = CliRunner().invoke(cli, ["staff", "clinic", "--no-sim", "--set",
                                   "targets.service_level=1.0"])
    assert res.exit_code == 1
    assert res.output.strip().splitlines()[-1].startswith("Error: ")
