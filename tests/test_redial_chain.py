"""The exact lines-and-redials chain: a dense CTMC built apart, reductions, limits, refusals."""

import math

import pytest

from erlang.erlang_a import chain_metrics
from erlang.errors import ConvergenceError, ErlangInputError
from erlang.redial_chain import ChainTooLargeError, erlang_x_exact
from erlang.retrials import erlang_x
from tests.exact_refs import redial_figures

CLINIC = dict(arrival_rate_per_s=40 / 3600, aht_s=240.0, agents=4, lines=6,
              mean_patience_s=90.0, redial_blocked=0.6, redial_abandoned=0.5)


@pytest.mark.parametrize("case", [
    dict(CLINIC, mean_redial_delay_s=120.0),
    dict(CLINIC, mean_redial_delay_s=30.0, redial_blocked=1.0, redial_abandoned=0.8),
    dict(CLINIC, mean_redial_delay_s=600.0, mean_patience_s=math.inf, lines=5),
    dict(CLINIC, mean_redial_delay_s=60.0, agents=3, lines=3),  # no queue: Erlang B with redials
    dict(CLINIC, mean_redial_delay_s=300.0, arrival_rate_per_s=80 / 3600, agents=5, lines=9,
         mean_patience_s=150.0, redial_blocked=0.3, redial_abandoned=0.7),
])
def test_matches_a_dense_chain_built_independently(case):
    exact = erlang_x_exact(**case, awt_s=20.0)
    theta = 0.0 if math.isinf(case["mean_patience_s"]) else 1 / case["mean_patience_s"]
    ref = redial_figures(case["arrival_rate_per_s"], 1 / case["aht_s"], theta,
                         1 / case["mean_redial_delay_s"], case["agents"], case["lines"],
                         case["redial_blocked"], case["redial_abandoned"], orbit_cap=60,
                         awt_s=20.0)
    assert ref["top_level_mass"] < 1e-13  # the reference's own cut is negligible
    q = exact.queue
    assert exact.method == "exact"
    assert q.arrival_rate_per_s == pytest.approx(ref["attempts_per_s"], rel=1e-9)
    assert exact.mean_orbit == pytest.approx(ref["mean_orbit"], rel=1e-8)
    assert exact.unique_lost == pytest.approx(ref["unique_lost"], rel=1e-8)
    for key in ("p_blocked", "p_abandon", "occupancy", "service_level", "asa_s"):
        assert getattr(q, key) == pytest.approx(ref[key], rel=1e-8, abs=1e-14), key
    # Every caller is answered on some attempt or lost for good.
    assert ref["served_per_caller"] + exact.unique_lost == pytest.approx(1.0, rel=1e-9)
    assert exact.truncation_loss < 1e-12


@pytest.mark.parametrize("patience, lines", [(90.0, 7), (math.inf, 6), (45.0, 4)])
def test_without_redials_it_is_the_plain_lines_chain(patience, lines):
    # The orbit stays empty, but the two-dimensional solve still runs (it is not short-cut).
    kw = dict(arrival_rate_per_s=60 / 3600, aht_s=240.0, agents=4, lines=lines,
              mean_patience_s=patience)
    exact = erlang_x_exact(**kw, mean_redial_delay_s=60.0).queue
    plain = chain_metrics(model="erlang_x", awt_s=20.0, short_abandon_s=5.0, **kw)
    assert exact.arrival_rate_per_s == pytest.approx(plain.arrival_rate_per_s, rel=1e-12)
    for key in ("p_blocked", "p_wait", "p_abandon", "p_abandon_short", "service_level",
                "service_level_answered", "service_level_excl_short", "asa_s", "mean_wait_s",
                "occupancy"):
        assert getattr(exact, key) == pytest.approx(getattr(plain, key), rel=1e-10,
                                                    abs=1e-15), key


def test_long_redial_delays_tend_to_the_fixed_point():
    fixed = erlang_x(**CLINIC)
    assert fixed.method == "fixed_point"
    errors = []
    for delay in (3.6e3, 3.6e4, 3.6e5):
        exact = erlang_x_exact(**CLINIC, mean_redial_delay_s=delay)
        errors.append(abs(exact.unique_lost - fixed.unique_lost) / fixed.unique_lost)
        # Little's law ties the two: the orbit's mean is redials/s times the delay.
        assert exact.mean_orbit == pytest.approx(exact.redials_per_s * delay, rel=1e-9)
    # The gap shrinks like 1 / delay: tenfold longer, (about) tenfold closer.
    assert errors[1] < errors[0] / 5 and errors[2] < errors[1] / 5
    assert errors[2] < 3e-4  # 1.3e-4 of unique_lost's 7 % at a mean delay of 100 hours


def test_quick_redials_block_more_than_the_fixed_point_says():
    # Redials a few seconds after a busy signal meet the same full lines: the Poisson
    # assumption underestimates blocking and the callers lost for good.
    exact = erlang_x_exact(**CLINIC, mean_redial_delay_s=30.0)
    fixed = erlang_x(**CLINIC)
    assert exact.queue.p_blocked > 1.5 * fixed.queue.p_blocked
    assert exact.unique_lost > fixed.unique_lost


def test_erlang_x_chooses_its_method():
    assert erlang_x(**CLINIC).method == "fixed_point"
    chosen = erlang_x(**CLINIC, mean_redial_delay_s=120.0)
    direct = erlang_x_exact(**CLINIC, mean_redial_delay_s=120.0)
    assert chosen.method == "exact" and chosen == direct
    no_lines = dict(CLINIC, lines=None)
    assert erlang_x(**no_lines, mean_redial_delay_s=120.0).method == "fixed_point"
    # Too big a chain for the bound: the fixed point answers, and says so.
    fallback = erlang_x(**CLINIC, mean_redial_delay_s=120.0, max_states=50)
    assert fallback.method == "fixed_point"
    assert fallback.mean_orbit == pytest.approx(fallback.redials_per_s * 120.0)
    with pytest.raises(ChainTooLargeError, match="more than max_states=50 states"):
        erlang_x(**CLINIC, mean_redial_delay_s=120.0, max_states=50, method="exact")
    with pytest.raises(ErlangInputError, match="method 'exact' needs mean_redial_delay_s"):
        erlang_x(**CLINIC, method="exact")
    with pytest.raises(ErlangInputError, match="method must be one of"):
        erlang_x(**CLINIC, method="markov")


def test_a_persistent_orbit_that_cannot_drain_is_refused():
    # Every blocked caller redials and 4 agents finish 1/60 calls/s between them.
    with pytest.raises(ConvergenceError, match="grows without bound"):
        erlang_x_exact(arrival_rate_per_s=1 / 50, aht_s=240.0, agents=4, lines=4,
                       redial_blocked=1.0, mean_redial_delay_s=60.0)
    # Just inside the boundary the orbit is finite but huge: the state bound refuses it.
    with pytest.raises(ChainTooLargeError, match="max_states=20000"):
        erlang_x_exact(arrival_rate_per_s=0.999 / 60, aht_s=240.0, agents=4, lines=4,
                       redial_blocked=1.0, mean_redial_delay_s=60.0, max_states=20_000)


@pytest.mark.parametrize("key, value, message", [
    ("mean_redial_delay_s", 0.0, "mean_redial_delay_s must be > 0"),
    ("mean_redial_delay_s", math.inf, "mean_redial_delay_s must be a finite number"),
    ("redial_blocked", 1.2, "redial_blocked must be in [0, 1]"),
    ("lines", None, "lines must be given for the exact redial chain"),
    ("lines", 3, "lines must be a whole number >= 4"),
])
def test_bad_input(key, value, message):
    args = dict(CLINIC, mean_redial_delay_s=60.0)
    args[key] = value
    with pytest.raises(ErlangInputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        erlang_x_exact(**args)


def test_no_callers():
    r = erlang_x_exact(**dict(CLINIC, arrival_rate_per_s=0.0), mean_redial_delay_s=60.0)
    assert r.unique_lost == 0.0 and r.mean_orbit == 0.0 and r.queue.p_blocked == 0.0


def test_staffing_model_x_with_a_delay_uses_the_chain():
    from erlang.staffing import StaffingTargets, staff

    targets = StaffingTargets(service_level=0.8, awt_s=20.0)
    kw = dict(aht_s=240.0, lines=8, mean_patience_s=90.0, redial_blocked=0.6,
              redial_abandoned=0.6)
    res = staff(arrival_rate_per_s=40 / 3600, targets=targets, model="x",
                mean_redial_delay_s=120.0, **kw)
    at = {n: erlang_x_exact(arrival_rate_per_s=40 / 3600, agents=n, mean_redial_delay_s=120.0,
                            **kw).queue for n in (res.agents - 1, res.agents)}
    assert res.metrics == at[res.agents]
    assert at[res.agents].service_level >= 0.8 > at[res.agents - 1].service_level


def test_cli_redial_delay_says_which_method():
    import json

    from click.testing import CliRunner

    from sim_cli import cli

    args = ["erlang", "x", "--calls", "40", "--aht", "240", "--agents", "4", "--lines", "6",
            "--patience", "90", "--redial-blocked", "0.6", "--redial-abandoned", "0.5",
            "--format", "json"]
    exact = json.loads(CliRunner().invoke(cli, [*args, "--redial-delay", "120"]).output)
    row = exact["results"][0]
    assert row["method"] == "exact" and exact["inputs"]["mean_redial_delay_s"] == 120.0
    ref = erlang_x_exact(**CLINIC, mean_redial_delay_s=120.0)
    assert row["unique_lost"] == pytest.approx(ref.unique_lost, rel=1e-12)
    fixed = json.loads(CliRunner().invoke(cli, args).output)["results"][0]
    assert fixed["method"] == "fixed_point" and fixed["mean_redial_delay_s"] is None
    table = CliRunner().invoke(cli, [*args[:-2], "--redial-delay", "120"]).output
    assert table.splitlines()[0].split()[-1] == "method" and "exact" in table
    staff = CliRunner().invoke(cli, ["erlang", "staff", "--model", "x", "--calls", "40,60",
                                     "--aht", "240", "--lines", "8", "--patience", "90",
                                     "--redial", "0.6", "--redial-delay", "120", "--sl", "0.8",
                                     "--format", "json"])
    rows = json.loads(staff.output)["results"]
    assert [r["method"] for r in rows] == ["exact", "exact"] and rows[0]["unique_lost"] > 0
    bad = CliRunner().invoke(cli, ["erlang", "staff", "--calls", "40", "--aht", "240", "--sl",
                                   "0.8", "--redial-delay", "120"])
    assert bad.exit_code == 1 and "mean_redial_delay_s must not be given for model 'c'" in (
        bad.stderr)
    negative = CliRunner().invoke(cli, [*args, "--redial-delay", "-5"])
    assert negative.exit_code == 1 and negative.stdout == ""
    assert negative.stderr.strip() == "Error: mean_redial_delay_s must be > 0, got -5.0"


def test_the_answer_does_not_depend_on_where_the_truncation_starts():
    case = dict(CLINIC, mean_redial_delay_s=3600.0, redial_blocked=0.9)
    default = erlang_x_exact(**case)
    grown = erlang_x_exact(**case, orbit_guess=0.0)  # starts at 20 callers and must grow
    assert grown.iterations > 1 and grown.truncation_loss < 1e-12
    assert grown.unique_lost == pytest.approx(default.unique_lost, rel=1e-9)
    assert grown.queue.service_level == pytest.approx(default.queue.service_level, rel=1e-9)
