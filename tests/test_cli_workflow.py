"""The what-if commands and the new run options through CliRunner: outputs, files, bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import scenarios
from sim_cli import cli

FAST = ["-r", "3", "--seed", "7", "-q", "--workers", "1"]
EXAMPLES = Path(scenarios.__file__).parent / "examples"


def run(*args):
    return CliRunner().invoke(cli, list(args))


def doc_of(res):
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


@pytest.mark.parametrize("name", ["clinic", "bank", "erlang_a"])
def test_default_run_table_fits_100_columns(name):
    res = run("run", name, *FAST)
    assert res.exit_code == 0, res.output
    widths = [len(line) for line in res.stdout.splitlines()]
    assert max(widths) <= 100, max(widths)
    assert "By call type" in res.stdout and "By agent group" in res.stdout


def test_run_json_gains_targets_manifest_and_per_replication_values():
    doc = doc_of(run("run", *FAST, "--format", "json", "--per-replication"))
    for key in ("summary", "intervals", "by_call_type", "by_group", "erlang", "entropy"):
        assert key in doc  # the old keys stay
    sl = next(t for t in doc["targets"] if t["target"] == "service_level")
    assert 0 <= sl["whole_run"]["p_met"] <= 1 and len(sl["intervals"]) == 12
    assert {"value", "met", "p_met"} <= set(sl["intervals"][0])
    m = doc["manifest"]
    assert m["entropy"] == 7 and m["versions"]["numpy"] and m["command_line"][0] == "callsim"
    assert len(doc["per_replication"]["summary"]["offered"]) == 3
    for key in ("mean_wait_abandoned_s", "p_no_wait", "queue_len_avg", "sl_60s"):
        assert key in doc["summary"]


def test_run_csv_has_target_columns():
    res = run("run", *FAST, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert {"met_service_level", "p_met_service_level", "met_max_abandon"} <= set(rows[0])


def test_workers_do_not_change_the_result():
    one = doc_of(run("run", *FAST, "--format", "json"))
    two = doc_of(run("run", *FAST[:-1], "2", "--format", "json"))
    assert one["summary"] == two["summary"] and one["intervals"] == two["intervals"]


def test_run_precision_reports_the_count_it_took():
    res = run("run", "-q", "--seed", "2", "--workers", "1", "--precision", "lost_share=0.01",
              "--format", "json")
    doc = doc_of(res)
    p = doc["precision"]
    assert p["met"] and p["replications"] == doc["replications"] >= 5
    assert doc["summary"]["lost_share"]["ci95"] <= 0.01
    bad = run("run", "--precision", "nonsense=0.1")
    assert bad.exit_code == 1 and "--precision metric must be one of" in bad.stderr


def test_compare_two_files_and_whatif_agree(tmp_path):
    alt = tmp_path / "short_greeting.toml"
    alt.write_text((EXAMPLES / "clinic.toml").read_text().replace(
        'greeting = { kind = "deterministic", mean_s = 55 }',
        'greeting = { kind = "deterministic", mean_s = 15 }'))
    a = doc_of(run("compare", str(EXAMPLES / "clinic.toml"), str(alt), *FAST, "--format",
                   "json"))
    b = doc_of(run("whatif", *FAST, "--set", "ivr.greeting.mean_s=15", "--format", "json"))
    da = a["variants"][1]["difference"]["summary"]["lost_share"]
    db = b["variants"][1]["difference"]["summary"]["lost_share"]
    assert da == db and da["significant"] and da["mean"] < 0
    assert da["ci95_unpaired"] > da["ci95"]
    assert b["variants"][1]["overrides"] == ["ivr.greeting.mean_s=15"]
    assert len(b["variants"][1]["difference"]["intervals"]) == 12


def test_whatif_table_and_named_variants():
    res = run("whatif", *FAST, "--variant",
              "morning:agent_groups.reception.staffing=[4,4,4,4,4,4,4,3,3,3,3,2]",
              "--metric", "lost_share", "--metric", "service_level")
    assert res.exit_code == 0, res.output
    assert "Variant 'morning' against 'base'" in res.stdout and "paired" in res.stdout
    assert max(len(line) for line in res.stdout.splitlines()) <= 100


@pytest.mark.parametrize(("args", "message"), [
    (["whatif"], "at least one --set or --variant"),
    (["whatif", "--set", "ivr.greting.mean_s=15"], "greting"),
    (["whatif", "--variant", "oops"], "--variant must look like"),
    (["compare", "clinic"], "at least two"),
    (["sweep", "--grid", "lines=8,x"], "lines"),
    (["sweep", "--grid", "ivr.greeting.mean_s=15,-5"], "-5"),
    (["sweep", "--grid", "lines=8", "--grid", "lines=9"], "given twice"),
    (["whatif", "--set", "lines=9", "--metric", "nonsense"], "nonsense"),
])
def test_bad_input_is_one_line_and_exit_1(tmp_path, args, message):
    res = CliRunner().invoke(cli, [*args, "--workers", "1", "-q"])
    assert res.exit_code == 1, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], lines


def test_sweep_cli_writes_results_resumes_and_says_how_after_ctrl_c(tmp_path, monkeypatch):
    out = tmp_path / "s.jsonl"
    args = ["sweep", "--grid", "ivr.greeting.mean_s=15,55", "--grid", "arrival_scale=0.9,1.1",
            *FAST, "--out", str(out)]
    whole = run(*args, "--format", "csv")
    assert whole.exit_code == 0, whole.output
    assert (tmp_path / "s.jsonl.manifest.json").exists()
    import plan.sweep

    real = plan.sweep.PointResult.to_line
    calls = []

    def interrupt_third(self):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(self)

    out.unlink()
    monkeypatch.setattr(plan.sweep.PointResult, "to_line", interrupt_third)
    stopped = run(*args, "--format", "csv")
    assert stopped.exit_code == 130
    assert "--resume" in stopped.stderr and str(out) in stopped.stderr
    monkeypatch.setattr(plan.sweep.PointResult, "to_line", real)
    resumed = run(*args, "--format", "csv", "--resume")
    assert resumed.exit_code == 0 and resumed.stdout == whole.stdout


def test_explain_json_walks_from_erlang_c_to_the_simulation():
    doc = doc_of(run("explain", *FAST, "--format", "json"))
    steps = doc["steps"]
    assert steps[0]["kind"] == "analytic" and steps[-1]["kind"] == "simulation"
    assert [s["label"] for s in steps][:2] == ["Erlang C per interval (the calculator)",
                                               "+ abandonment (Erlang A per interval)"]
    total = steps[0]["levels"]["service_level"]["mean"] + sum(
        s["contributions"]["service_level"]["mean"] for s in steps[1:])
    assert total == pytest.approx(steps[-1]["levels"]["service_level"]["mean"])
