"""What `callsim validate` accepts, the simulation and the Erlang view run (Hypothesis).

Scenario files are generated as TOML text and go through the loader, with distributions at
the bounds the loader documents (Weibull, gamma and lognormal cv 0.001 and 100, uniform at
1/sqrt(3), deterministic 0, Erlang with 1,000,000 phases, empirical zeros).
"""

from __future__ import annotations

import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plan.erlang_view import erlang_view
from plan.targets import judge_intervals
from report.formats import jsonable, run_document
from report.tables import run_rows, run_table
from scenarios.load import scenario_from_dict
from sim.replicate import simulate

_DISTS = st.sampled_from([
    '{ kind = "deterministic", mean_s = 0 }',
    '{ kind = "deterministic", mean_s = 30 }',
    '{ kind = "exponential", mean_s = 60 }',
    '{ kind = "weibull", mean_s = 60, cv = 0.001 }',
    '{ kind = "weibull", mean_s = 60, cv = 100 }',
    '{ kind = "gamma", mean_s = 60, cv = 0.001 }',
    '{ kind = "gamma", mean_s = 60, cv = 100 }',
    '{ kind = "lognormal", mean_s = 60, cv = 100 }',
    f'{{ kind = "uniform", mean_s = 60, cv = {1 / math.sqrt(3)!r} }}',
    '{ kind = "erlang", mean_s = 60, phases = 1000000 }',
    '{ kind = "empirical", samples_s = [0, 0] }',
    '{ kind = "empirical", samples_s = [5, 120] }',
])


@st.composite
def scenario_texts(draw):
    handle = draw(_DISTS)
    lines = draw(st.sampled_from(["", "lines = 1\n", "lines = 3\n"]))
    patience = draw(st.one_of(st.just(""), _DISTS.map(lambda d: f"patience = {d}\n")))
    staffing = draw(st.lists(st.integers(0, 3), min_size=2, max_size=2))
    calls = draw(st.lists(st.sampled_from([0, 0.5, 4, 20]), min_size=2, max_size=2))
    share = draw(st.sampled_from([0, 0.5, 1]))
    ivr = draw(st.sampled_from([
        "",
        f"[ivr]\ngreeting = {draw(_DISTS)}\npatience = {draw(_DISTS)}\n"
        f"served_share = {draw(st.sampled_from([0, 0.3, 1]))}\n"
        f"menu = {{ a = {{ a = {share}, b = {1 - share} }} }}\n",
    ]))
    agents = draw(st.sampled_from([
        f"staffing = {staffing}",
        'shifts = [{ start = "08:05", end = "08:20", count = 2 }]',
    ]))
    warmup = draw(st.sampled_from(["", "[simulation]\nwarmup_s = 900\n"]))
    return f"""schema_version = 1
name = "generated"
{lines}
[calendar]
start = "08:00"
interval_min = 15
intervals_per_day = 2

[[call_types]]
name = "a"
calls_per_interval = {calls}
handle_time = {handle}
wrap_up = {draw(_DISTS)}
{patience}
[[call_types]]
name = "b"
priority = 0
calls_per_interval = 1
handle_time = {draw(_DISTS)}

[[agent_groups]]
name = "g"
skills = ["a", "b"]
{agents}

{ivr}
{warmup}
"""


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=scenario_texts(), seed=st.integers(0, 2**16))
def test_every_valid_scenario_runs_with_its_erlang_view(text, seed):
    import tomllib

    sc = scenario_from_dict(tomllib.loads(text))
    result = simulate(sc, replications=2, seed=seed)
    assert result.summary["offered"].mean >= 0
    view = erlang_view(sc)
    assert len(view) == sc.calendar.n_intervals
    for v in view:
        for model in ("erlang_c", "erlang_a"):
            # A figure, or a reason why not: never both, never neither.
            assert (getattr(v, model) is None) == (model in v.not_applicable)
    # And it can be shown: the table, the judged targets and strict JSON.
    rows = run_rows(sc, result, view)
    assert run_table(sc, result, rows, judge_intervals(sc, result))
    json.dumps(jsonable(run_document(sc, [], result, view)), allow_nan=False)
