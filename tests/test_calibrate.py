"""Calibration: round trips through our own records, censored fits, the bank logs, bad input."""

import json
import os
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from calibrate.calibration import Settings, calibrate
from calibrate.fitting import fit_duration, kaplan_meier
from calibrate.logs import ANONYMOUS_BANK, preset_named, read_logs
from scenarios.schema import (
    AgentGroup,
    Calendar,
    CallType,
    Distribution,
    Scenario,
    Simulation,
)
from sim.replicate import simulate
from sim_cli import cli

BANK = Path(os.environ.get("CALLSIM_BANK_DATA") or (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "anonymous-bank-1999"))
needs_bank = pytest.mark.skipif(not (BANK / "january.txt").exists(),
                                reason="shared Anonymous Bank data not present")


def _center(patience: Distribution) -> Scenario:
    return Scenario(
        name="round trip",
        calendar=Calendar(start_s=8 * 3600.0, interval_s=3600.0, intervals_per_day=4),
        call_types=(CallType(name="calls", calls_per_interval=(("day", (300.0,) * 4),),
                             handle_time=Distribution(kind="lognormal", mean_s=150.0, cv=0.8),
                             patience=patience),),
        agent_groups=(AgentGroup(name="agents", skills=("calls",), staffing=(11,) * 4),),
        simulation=Simulation(replications=8, seed=7),
    )


@pytest.mark.parametrize("patience", [
    Distribution(kind="exponential", mean_s=120.0),
    Distribution(kind="weibull", mean_s=150.0, cv=0.6),
])
def test_round_trip_recovers_known_parameters(tmp_path, patience):
    records = tmp_path / "calls.csv"
    simulate(_center(patience), records_path=records)
    log = read_logs([records], preset_named("callsim", clock_start_s=8 * 3600.0))
    assert len(set(log.day.tolist())) == 8  # one day per replication
    cal = calibrate(log, Settings(resolution_s=0.0, short_service_s=0.0))
    ht = next(f for f in cal.handle_time.fits if f.family == "lognormal")
    assert ht.mean_ci95_s[0] <= 150.0 <= ht.mean_ci95_s[1]
    assert ht.cv_ci95[0] <= 0.8 <= ht.cv_ci95[1]
    fit = next(f for f in cal.patience.fits if f.family == patience.kind)
    assert fit.mean_ci95_s[0] <= patience.mean_s <= fit.mean_ci95_s[1]
    if patience.kind == "weibull":
        assert fit.cv_ci95[0] <= patience.cv <= fit.cv_ci95[1]
        assert cal.patience.chosen.family == "weibull"  # AIC sees the shape
    # Arrivals: 300 calls per hour, over 8 days of 4 hours: CI from the Poisson count.
    profile = cal.arrivals.profiles["weekday"][8:12]
    assert abs(profile.mean() - 300.0) <= 3 * np.sqrt(300.0 / 32)
    # Staffing: 11 agents were on duty; presence from work sessions sees them all.
    present = cal.observed.present.reshape(8, 24)[:, 9:11].mean()
    assert 10.0 <= present <= 11.0 + 1e-9


def test_naive_mean_of_abandoners_is_biased_and_censored_mle_is_not():
    rng = np.random.default_rng(3)
    patience = rng.exponential(200.0, 20_000)
    wait_offer = rng.exponential(60.0, 20_000)  # time until an agent would answer
    abandoned = patience < wait_offer
    wait = np.minimum(patience, wait_offer)
    naive = wait[abandoned].mean()
    fit = fit_duration("exponential", wait[abandoned], wait[~abandoned])
    assert naive < 0.5 * 200.0  # far below the truth
    assert fit.mean_ci95_s[0] <= 200.0 <= fit.mean_ci95_s[1]
    times, surv = kaplan_meier(wait, abandoned)
    at = np.searchsorted(times, 100.0) - 1
    assert abs(surv[at] - np.exp(-100.0 / 200.0)) < 0.02


def test_interval_censoring_handles_whole_seconds_and_zero_waits():
    rng = np.random.default_rng(5)
    x = rng.lognormal(4.0, 0.9, 5000)
    fit = fit_duration("lognormal", np.append(np.floor(x), 0.0), resolution_s=1.0)
    assert abs(fit.params["mu"] - 4.0) < 3 * 0.9 / np.sqrt(5000) + 0.01
    with pytest.raises(ValueError, match="resolution_s=1"):
        fit_duration("lognormal", np.append(np.floor(x), 0.0))  # a 0 s wait


@pytest.fixture(scope="module")
def january():
    """January read and calibrated once for the tests that need both."""
    log = read_logs([BANK / "january.txt"], ANONYMOUS_BANK)
    return log, calibrate(log, Settings())


@needs_bank
def test_bank_preset_reads_both_months_and_counts_every_quirk():
    jan = read_logs([BANK / "january.txt"], ANONYMOUS_BANK)
    feb = read_logs([BANK / "february.txt"], ANONYMOUS_BANK)
    assert (len(jan.problems), len(feb.problems)) == (0, 0)
    quirks = {q.kind: q.count for q in jan.quirks}
    assert quirks["phantom"] == 240  # PHANTOM rows of january.txt, ignored per documentation
    assert quirks["negative vru_time"] == 32  # the 33 negatives, less one PHANTOM row
    assert quirks["unknown service type"] == 2  # type 'AA'
    assert len(jan) + quirks["phantom"] == 31599
    assert {q.kind: q.count for q in feb.quirks}["phantom"] == 278
    assert len(feb) + 278 == 33344


@needs_bank
def test_bank_figures_agree_with_the_published_facts(january):
    # Brown et al. (2005, JASA 100(469)), sections on service times and on patience, as
    # summarised in the data README: mean service about 3 minutes, lognormal; abandonment about
    # proportional to mean wait with an inverse slope (mean patience) of several minutes.
    _, cal = january
    assert 150 <= cal.handle_time.mean_all_s <= 210
    assert cal.handle_time.chosen.family == "lognormal"
    assert 0.03 <= cal.handle_time.n_short / cal.handle_time.n_answered <= 0.08  # about 5 %
    assert 180 <= cal.patience.exponential.mean_s <= 900
    assert 180 <= cal.patience.regression_mean_s <= 900
    assert cal.patience.naive_mean_s < 0.5 * cal.patience.exponential.mean_s


# ---------------------------------------------------------------------------------------------
# Bad input through the CLI: one line, exit 1, no traceback.

HEADER = "\t".join(ANONYMOUS_BANK.columns)
ROW = ("AA0101\t33118\t27997683\t2\tPS\t990101\t6:55:20\t6:55:26\t6\t6:55:26\t6:55:43\t17\t"
       "AGENT\t6:55:43\t6:56:37\t54\tMICHAL")


def _run(tmp_path, content: bytes | str, *extra):
    path = tmp_path / "log.txt"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    res = CliRunner().invoke(cli, ["calibrate", str(path), "--preset", "anonymous-bank", "--out",
                                   str(tmp_path / "out"), *extra])
    return res


@pytest.mark.parametrize(("content", "message"), [
    ("", "is empty"),
    (HEADER.replace("q_time", "qtime") + "\n" + ROW + "\n", "'q_time' must be in the header"),
    (HEADER.replace("\t", ",") + "\n", "wrong delimiter"),
    (b"\xff\xfe" + HEADER.encode(), "must be UTF-8"),
    (HEADER + "\n" + ROW.replace("AGENT", "AGNT") + "\n" + "x\ty\n", "no usable call"),
])
def test_malformed_logs_give_one_line_errors(tmp_path, content, message):
    res = _run(tmp_path, content)
    assert res.exit_code == 1
    assert message in res.output
    assert "Traceback" not in res.output


def test_strict_stops_at_the_first_bad_row_with_row_and_column(tmp_path):
    res = _run(tmp_path, HEADER + "\n" + ROW + "\n" + ROW.replace("\t17\t", "\t-4\t") + "\n",
               "--strict")
    assert res.exit_code == 1
    assert "row 3" in res.output and "q_time" in res.output and "'-4'" in res.output


def test_calibrate_writes_a_scenario_that_run_plays_and_backtest_reads(tmp_path):
    records = tmp_path / "calls.csv"
    simulate(_center(Distribution(kind="exponential", mean_s=120.0)), replications=3,
             records_path=records)
    out = tmp_path / "fit"
    runner = CliRunner()
    res = runner.invoke(cli, ["calibrate", str(records), "--preset", "callsim", "--clock-start",
                              "08:00", "--no-tune", "--out", str(out)])
    assert res.exit_code == 0, res.output
    for name in ("scenario.toml", "calibration.json", "arrivals.png", "handle_time.png",
                 "patience.png", "abandonment_vs_wait.png"):
        assert (out / name).stat().st_size > 0
    text = (out / "scenario.toml").read_text()
    assert "sha256" in text and 'start = "08:00"' in text
    res = runner.invoke(cli, ["run", str(out / "scenario.toml"), "-r", "2", "--format", "json"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["backtest", str(out / "scenario.toml"), str(records), "--preset",
                              "callsim", "--clock-start", "08:00", "-r", "2", "--format", "json",
                              "--plot", str(tmp_path / "bt.png")])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output[res.output.index("{"):])
    first = doc["intervals"][0]
    assert first["start"].endswith("T08:00") and first["offered"] > 0
    assert set(first["predicted"]) == {"erlang_c", "erlang_a", "simulation",
                                       "baseline_headcount", "baseline_factor"}
    assert set(first["observed"]) == {"p_abandon", "asa_s", "service_level"}
    assert "simulation" in doc["summary"] and doc["noise_floor"]["p_abandon_hourly_mae"] >= 0
    assert (tmp_path / "bt.png").stat().st_size > 0
    # The user knows the staffing (11 on duty, all on calls): the simulation, now the true
    # model, misses the pooled abandonment by no more than its own noise.
    staffing = tmp_path / "staffing.csv"
    staffing.write_text("start,agents\n" + "".join(
        f"{iv['start'].replace('T', ' ')},11\n" for iv in doc["intervals"]))
    base = ["backtest", str(out / "scenario.toml"), str(records), "--preset", "callsim",
            "--clock-start", "08:00", "-r", "4", "--format", "json", "--staffing"]
    res = runner.invoke(cli, [*base, str(staffing)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output[res.output.index("{"):])
    sim = doc["summary"]["simulation"]
    assert abs(sim["p_abandon_daily_bias"]) <= 3 * doc["noise_floor"]["p_abandon_daily_mae"] + 0.005
    staffing.write_text("start,agents\n2000-01-03 08:00,eleven\n")
    res = runner.invoke(cli, [*base, str(staffing)])
    assert res.exit_code == 1 and "row 2" in res.output and "'eleven'" in res.output


def test_dither_keeps_the_running_mean_of_fractional_staffing():
    from plan.backtest import _dither

    values = np.array([2.3, 2.3, 2.3, 2.3, 5.75, 5.75, 5.75, 5.75])
    whole = _dither(values)
    assert np.all(np.abs(np.cumsum(whole) - np.cumsum(values)) <= 0.5 + 1e-9)


def test_fractional_erlang_interpolates_between_whole_agents():
    from calibrate.staffing import fractional
    from erlang.erlang_a import erlang_a

    kw = dict(arrival_rate_per_s=0.03, aht_s=180.0, mean_patience_s=300.0, awt_s=20.0)
    five, six = (erlang_a(agents=n, **kw).p_abandon for n in (5, 6))
    assert fractional("erlang_a", agents=5.0, **kw)["p_abandon"] == five
    assert abs(fractional("erlang_a", agents=5.25, **kw)["p_abandon"]
               - (0.75 * five + 0.25 * six)) < 1e-15


def _interval_report(log, path, *, with_mean_wait=True, bad_row=False):
    """Aggregate a call log into a 60-minute interval report CSV, as an ACD would."""
    from calibrate.observed import observe
    from calibrate.staffing import timeline

    obs = observe(log, timeline(log), interval_s=3600.0, awt_s=20.0)
    lines = ["Interval,Offered,Answered,Abandoned,MeanWait,ASA,AHT,Agents"]
    def cell(x):  # an ACD leaves a figure without calls empty
        return "" if np.isnan(x) else f"{x:.3f}"

    for i in np.flatnonzero(obs.offered > 0):
        lines.append(f"{obs.start_label(i).replace('T', ' ')},{obs.offered[i]:g},"
                     f"{obs.answered[i]:g},{obs.abandoned[i]:g},{cell(obs.mean_wait_s[i])},"
                     f"{cell(obs.asa_s[i])},{cell(obs.aht_s[i])},11")
    if bad_row:
        lines.append("2000-01-03 25:00,1,1,0,0,0,100,11")
    path.write_text("\n".join(lines) + "\n")
    wait = "mean_wait_s=MeanWait" if with_mean_wait else "asa_s=ASA"
    return (f"start=Interval,offered=Offered,answered=Answered,abandoned=Abandoned,{wait},"
            "aht_s=AHT,agents=Agents")


def test_interval_reports_alone_recover_mean_patience_and_aht(tmp_path):
    records = tmp_path / "calls.csv"
    simulate(_center(Distribution(kind="exponential", mean_s=120.0)), records_path=records)
    log = read_logs([records], preset_named("callsim", clock_start_s=8 * 3600.0))
    report = tmp_path / "report.csv"
    columns = _interval_report(log, report, bad_row=True)
    out = tmp_path / "fit"
    res = CliRunner().invoke(cli, ["calibrate", str(report), "--reports", "--columns", columns,
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "1 unusable rows" in res.output and "row 34" in res.output
    doc = json.loads((out / "calibration.json").read_text())
    lo, hi = doc["patience"]["ci95_s"]
    assert lo <= 120.0 <= hi and hi - lo < 60
    assert abs(doc["handle_time"]["mean_s"] - 150.0) < 5.0
    assert 0.8 <= doc["staffing"]["factor"] <= 1.2  # 11 agents were on duty, all available
    res = CliRunner().invoke(cli, ["run", str(out / "scenario.toml"), "-r", "2"])
    assert res.exit_code == 0, res.output
    # With only the ASA, abandoners' waits are missing: patience comes out low, and says so.
    out2 = tmp_path / "fit2"
    columns = _interval_report(log, report, with_mean_wait=False)
    res = CliRunner().invoke(cli, ["calibrate", str(report), "--reports", "--columns", columns,
                                   "--out", str(out2)])
    doc2 = json.loads((out2 / "calibration.json").read_text())
    assert doc2["patience"]["mean_s"] < lo and "underestimated" in doc2["patience"]["basis"]


@needs_bank
def test_interval_exponential_mle_equals_the_per_call_exposure_estimate(tmp_path, january):
    from calibrate.intervals import calibrate_reports, read_interval_reports
    from calibrate.logs import parse_columns_option

    log, per_call = january
    columns = _interval_report(log, tmp_path / "jan.csv")
    report = read_interval_reports([tmp_path / "jan.csv"], parse_columns_option(columns),
                                   interval_s=3600.0)
    by_interval = calibrate_reports(report, weekend=ANONYMOUS_BANK.weekend)
    # The same sufficient statistics (abandons, total wait), rounded to ms in the CSV.
    assert abs(by_interval.patience_mean_s - per_call.patience.exposure_mean_s) < 0.01
    assert not report.problems
    assert by_interval.arrivals.n_days == {"fri": 5, "sat": 5, "weekday": 19}


def test_a_mapped_export_counts_every_bad_row_and_still_calibrates(tmp_path):
    rng = np.random.default_rng(11)
    lines = ["Start;Result;Queue;Talk;Agent"]
    for i in range(400):
        day, t = 4 + i % 5, 8 * 3600 + rng.uniform(0, 4 * 3600)
        h, m, sec = int(t // 3600), int(t % 3600 // 60), int(t % 60)
        stamp = f"2001-06-{day:02d} {h:02d}:{m:02d}:{sec:02d}"
        wait = rng.exponential(30.0)
        if rng.uniform() < 0.15:
            lines.append(f"{stamp};GAVE_UP;{wait:.0f};;")
        else:
            lines.append(f"{stamp};TALKED;{wait:.0f};{rng.lognormal(5, 0.5):.0f};A{i % 4}")
    bad = {402: "2001-06-31 09:00:00;TALKED;3;100;A1",   # no such date
           403: "2001-06-04 09:00:00;TALKED;-3;100;A1",  # negative wait
           404: "2001-06-04 09:00:00;HUNG;3;100;A1",     # unknown outcome
           405: "2001-06-04 09:00:00;TALKED;3"}          # wrong field count
    lines += bad.values()
    log_path = tmp_path / "export.csv"
    log_path.write_text("\n".join(lines) + "\n")
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\narrival = "Start"\noutcome = "Result"\nwait_s = "Queue"\n'
                       'talk_s = "Talk"\nagent = "Agent"\n'
                       '[outcomes]\nTALKED = "answered"\nGAVE_UP = "abandoned"\n')
    res = CliRunner().invoke(cli, ["calibrate", str(log_path), "--mapping", str(mapping),
                                   "--no-tune", "--out", str(tmp_path / "fit")])
    assert res.exit_code == 0, res.output
    assert "4 unusable rows" in res.output
    for row, column in [(402, "Start"), (403, "Queue"), (404, "Result"), (405, None)]:
        assert f"row {row}" + (f", column {column}" if column else ":") in res.output
    doc = json.loads((tmp_path / "fit" / "calibration.json").read_text())
    assert doc["log"]["calls"] == 400 and doc["log"]["unusable_rows"] == 4
    res = CliRunner().invoke(cli, ["calibrate", str(log_path), "--mapping", str(mapping),
                                   "--strict", "--out", str(tmp_path / "fit2")])
    assert res.exit_code == 1 and "row 402" in res.output and "'2001-06-31 09:00:00'" in res.output
