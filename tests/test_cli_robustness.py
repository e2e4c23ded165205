"""`callsim run` as a new user meets it: interrupts, destinations, warnings, size, help."""

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import scenarios
from sim_cli import cli

EXAMPLES = Path(scenarios.__file__).parent / "examples"


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


def test_ctrl_c_after_the_first_replication_reports_it_partial_and_exits_130(tmp_path):
    """A real SIGINT to a real process, sent once the first replication has finished (its
    records reached the .partial file): exit 130, a JSON document marked partial with the
    finished replications, a records file cut back to them and left under its .partial name."""
    records = tmp_path / "calls.csv"
    script = ("import sys; sys.argv = ['callsim'] + sys.argv[1:]; "
              "from sim_cli import main; main()")
    proc = subprocess.Popen(
        [sys.executable, "-c", script, "run", "bank", "-r", "400", "--seed", "3",
         "--format", "json", "--records", str(records)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=Path(scenarios.__file__).parent.parent)
    partial = Path(f"{records}.partial")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if partial.exists() and re.search(r"\n[1-9]\d*,", partial.read_text()[-20000:]):
            break  # a row of a later replication was written: replication 0 finished
        time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("no replication finished within 60 s")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    doc = json.loads(out)
    assert doc["partial"] is True and doc["replications_requested"] == 400
    assert 1 <= doc["replications"] < 400
    assert "marked partial" in err
    assert not records.exists()  # the asked-for name only ever holds a complete file
    with open(partial) as f:
        rows = list(csv.DictReader(f))
    reps = {int(r["replication"]) for r in rows}
    assert reps == set(range(doc["replications"]))  # whole replications, nothing half-written
    assert len(rows) == pytest.approx(doc["summary"]["offered"]["mean"] * doc["replications"])


def test_complete_run_renames_records_and_leaves_no_partial(tmp_path):
    records = tmp_path / "calls.csv"
    res = invoke("run", "-r", "2", "--seed", "1", "--format", "json", "--records", str(records))
    assert res.exit_code == 0
    assert records.exists() and not Path(f"{records}.partial").exists()
    assert "partial" not in json.loads(res.stdout)


@pytest.mark.parametrize("option", ["--out", "--records"])
def test_unwritable_destination_is_found_before_simulating(tmp_path, option):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    target = str(blocker / "sub")  # a path through a file cannot be created
    res = invoke("run", "-r", "1000", option, target)  # 1000 replications would take minutes
    assert res.exit_code == 1
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and target in lines[0] and res.stdout == ""


def test_builtin_typo_suggests_and_help_lists_builtins():
    res = invoke("run", "clinc")
    assert res.exit_code == 1 and "did you mean 'clinic'?" in res.stderr
    help_text = invoke("run", "--help").output
    for name in ("bank", "clinic", "erlang_a"):
        assert name in help_text.split("Built-in examples")[1]


def test_validate_speaks_in_singular_and_plural():
    out = invoke("validate", "erlang_a").stdout
    assert "1 call type," in out and "1 agent group," in out and "over 1 day," in out
    assert "24 intervals" in out


def test_zero_agents_runs_and_warns():
    res = invoke("run", "erlang_a", "-r", "1", "--set", "agent_groups[0].staffing=0",
                 "--set", "call_types[0].calls_per_interval=10", "--format", "json")
    assert res.exit_code == 0
    assert "Warning: no agent is on duty" in res.stderr
    assert json.loads(res.stdout)["summary"]["answered"]["mean"] == 0


def test_oversized_run_is_refused_with_its_estimate():
    res = invoke("run", "erlang_a", "--set", "call_types[0].calls_per_interval=1e7",
                 "--set", "arrival_scale=1000", "-r", "1")
    assert res.exit_code == 1 and "GB of memory" in res.stderr and "--force" in res.stderr


def test_absurd_replications_refused():
    res = invoke("run", "-r", "1000000000")
    assert res.exit_code == 1 and "--replications" in res.stderr


def test_bom_file_is_read(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (EXAMPLES / "erlang_a.toml").read_bytes())
    assert invoke("validate", str(path)).exit_code == 0


def test_override_that_breaks_another_key_is_named():
    res = invoke("validate", "--set", "calendar.intervals_per_day=6")
    assert res.exit_code == 1
    assert "calls_per_interval" in res.stderr and (
        "after override 'calendar.intervals_per_day=6'" in res.stderr)


def test_unparsable_override_says_not_toml():
    res = invoke("validate", "--set", "agent_groups.reception.staffing=[4,4")
    assert res.exit_code == 1 and "valid TOML" in res.stderr and "whole number" not in res.stderr


def test_erlang_view_not_applicable_instead_of_failing():
    res = invoke("run", "erlang_a", "-r", "2", "--set",
                 'call_types[0].patience={kind="deterministic",mean_s=0}', "--format", "json")
    assert res.exit_code == 0, res.stderr
    erl = json.loads(res.stdout)["erlang"][3]
    assert erl["erlang_a"] is None and "patience" in erl["not_applicable"]["erlang_a"]
    assert erl["erlang_c"] is not None


def test_progress_within_a_replication(monkeypatch):
    """One long replication reports progress as it goes, not only at its end."""
    from scenarios import load_builtin
    from sim.replicate import simulate

    monkeypatch.setattr("sim.arrivals.CHUNK_CALLS", 2000)  # a day of 24,000 calls: ~12 chunks
    shares = []
    sc = load_builtin("erlang_a")
    simulate(sc, replications=1, seed=1, within=lambda r, share: shares.append(share))
    assert len(shares) >= 5 and shares == sorted(shares) and shares[-1] < 1.0


if os.name != "posix":  # pragma: no cover
    pytestmark = pytest.mark.skip("signals")


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_interrupted_run_is_marked_partial_in_every_format(monkeypatch, tmp_path, fmt):
    """Ctrl-C during the third replication (raised from the model, as a signal would)."""
    from sim.model import Model

    original, calls = Model.run, []

    def run(self):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(self)

    monkeypatch.setattr(Model, "run", run)
    out = tmp_path / "out"
    # One worker: the patched Model.run lives in this process (a real Ctrl-C reaches the
    # workers too; the SIGINT test above sends one). The SimPy engine: the one patched.
    res = invoke("run", "-r", "5", "--seed", "4", "--workers", "1", "--format", fmt,
                 "--out", str(out), "--engine", "simpy")
    assert res.exit_code == 130
    assert "reporting the 2 replications that finished" in res.stderr
    if fmt == "table":
        assert res.stdout.startswith("PARTIAL: interrupted; 2 of 5 replications finished")
    elif fmt == "csv":
        rows = list(csv.DictReader(res.stdout.splitlines()))
        assert rows and all(r["partial"] == "True" for r in rows)
    else:
        assert json.loads(res.stdout)["partial"] is True
    doc = json.loads((out / "results.json").read_text())
    assert doc["partial"] is True and doc["replications"] == 2
