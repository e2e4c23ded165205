"""Replications as tasks: identical figures serially, in processes (spawn) and on Dask; the
estimates agree with sim.replicate.simulate; precision targets; per-replication values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from plan.runs import (
    Runner,
    estimate,
    parse_precision,
    per_replication,
    run_figures,
    run_to_precision,
    sim_result,
    stack,
)
from scenarios.load import load_builtin
from sim.errors import SimError
from sim.replicate import simulate


@pytest.fixture(scope="module")
def clinic():
    return load_builtin("clinic")


def _same(a, b) -> None:
    assert [f.replication for f in a] == [f.replication for f in b]
    for view in ("summary", "intervals", "by_call_type", "by_group"):
        sa, sb = stack(a, view), stack(b, view)
        assert sa.keys() == sb.keys()
        for name in sa:
            np.testing.assert_array_equal(sa[name], sb[name], err_msg=f"{view}.{name}")


def test_processes_give_bit_identical_figures_to_a_serial_run(clinic):
    serial = run_figures(clinic, 11, 4)
    # spawn: the workers import everything afresh, as on macOS and Windows.
    with Runner(workers=2, mp_context="spawn") as runner:
        parallel = run_figures(clinic, 11, 4, runner)
    _same(serial, parallel)


def test_estimates_match_simulate(clinic):
    figures = run_figures(clinic, 3, 5)
    ours, theirs = sim_result(clinic, 3, figures), simulate(clinic, replications=5, seed=3)
    assert ours.scenario_hash == theirs.scenario_hash and ours.replications == 5
    for name, e in theirs.summary.items():
        assert ours.summary[name].mean == pytest.approx(e.mean, rel=1e-12, nan_ok=True), name
        assert ours.summary[name].ci95 == pytest.approx(e.ci95, rel=1e-9, nan_ok=True), name
    for k, iv in enumerate(theirs.intervals):
        for name, e in iv.items():
            assert ours.intervals[k][name].mean == pytest.approx(e.mean, rel=1e-12, nan_ok=True)


def test_dask_local_cluster_gives_the_serial_figures(clinic):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client, Runner(dask=client) as runner:
        on_dask = run_figures(clinic, 11, 4, runner)
    _same(run_figures(clinic, 11, 4), on_dask)


def test_estimate_leaves_out_undefined_values():
    e = estimate([1.0, math.nan, 3.0])
    # n = 2, s = sqrt(2): half-width t(0.975, 1) * s / sqrt(2) = 12.7062...
    assert e.mean == 2.0 and e.ci95 == pytest.approx(12.706204736)
    assert math.isnan(estimate([math.nan]).mean) and math.isnan(estimate([4.0]).ci95)


def test_precision_target_is_met_with_the_count_it_took(clinic):
    figures, outcome = run_to_precision(clinic, 5, {"p_abandon": 0.01}, start=5)
    half = estimate([f.summary["p_abandon"] for f in figures]).ci95
    assert outcome.met and outcome.replications == len(figures) > 5 and half <= 0.01
    assert outcome.half_widths["p_abandon"] == half
    # Replication r is the same as in a fixed-count run: the first five agree.
    _same(figures[:5], run_figures(clinic, 5, 5))
    # A ceiling stops the run and says the target was not met.
    _, capped = run_to_precision(clinic, 5, {"p_abandon": 1e-6}, start=5, max_replications=8)
    assert not capped.met and capped.replications == 8


@pytest.mark.parametrize("text", ["p_abandon", "p_abandon=0", "p_abandon=-1", "=0.1",
                                  "p_abandon=x"])
def test_bad_precision_text(text):
    with pytest.raises(SimError, match="--precision"):
        parse_precision([text])


def test_per_replication_values_are_the_figures(clinic):
    figures = run_figures(clinic, 2, 3)
    doc = per_replication(figures, clinic)
    assert doc["replication"] == [0, 1, 2]
    assert doc["summary"]["offered"] == [f.summary["offered"] for f in figures]
    assert len(doc["intervals"]["service_level"][0]) == clinic.calendar.n_intervals
    assert doc["by_call_type"]["booking"]["answered"] == [
        f.by_call_type["answered"][1] for f in figures]
