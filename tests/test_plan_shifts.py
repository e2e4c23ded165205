"""plan.shifts: the least-cost roster, checked against brute force, coverage, breaks, shortfall."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plan.errors import PlanError
from plan.shifts import schedule, shift_rules_from_dict, variants
from scenarios.schema import Calendar

# Eight hourly intervals, 08:00 to 16:00.
CAL = Calendar(start_s=8 * 3600.0, interval_s=3600.0, intervals_per_day=8)


def rules(**top):
    return shift_rules_from_dict(top, source="shifts.toml")


def test_small_case_matches_brute_force_over_every_integer_count():
    # Three shift kinds without breaks: the optimum is checked by enumerating every count.
    data = dict(templates=[
        {"name": "early", "starts": ["08:00"], "lengths_h": [4], "cost_per_hour": 10},
        {"name": "late", "starts": ["12:00"], "lengths_h": [4], "cost_per_hour": 12},
        {"name": "long", "starts": ["09:00"], "lengths_h": [6], "cost_per_hour": 9},
    ])
    required = [2, 3, 3, 1, 4, 2, 2, 1]
    roster = schedule(required, rules(**data), CAL)
    cover = np.zeros((8, 3))
    cover[0:4, 0] = 1
    cover[4:8, 1] = 1
    cover[1:7, 2] = 1
    cost = np.array([40, 48, 54])
    best = min(cost @ x for x in itertools.product(range(6), repeat=3)
               if np.all(cover @ np.array(x) >= required))
    assert roster.cost == pytest.approx(best)
    assert roster.covered
    assert np.all(roster.scheduled >= np.array(required) - 1e-9)


def test_every_interval_covered_and_the_roster_counts_add_up():
    data = dict(min_on_duty=1, templates=[
        {"name": "any", "start_from": "08:00", "start_to": "12:00", "start_step_min": 60,
         "lengths_h": [4], "cost_per_hour": 10,
         "breaks": [{"length_min": 30, "paid": False, "after_min": [60, 150]}]},
    ])
    required = [0, 3, 5, 5, 4, 2, 1, 0]
    roster = schedule(required, rules(**data), CAL)
    assert roster.covered
    req = np.maximum(required, 1)  # min_on_duty inside the (whole-day) opening hours
    assert np.all(roster.scheduled >= req - 1e-9)
    assert np.array_equal(roster.required, req)
    # Scheduled is recomputed independently from the roster lines, breaks subtracted.
    check = np.zeros(8)
    for line in roster.lines:
        for lo, hi in line.on_phone_pieces:
            for k in range(8):
                a, b = CAL.start_s + k * 3600, CAL.start_s + (k + 1) * 3600
                check[k] += line.count * max(0.0, min(b, hi) - max(a, lo)) / 3600
    assert np.allclose(check, roster.scheduled)
    # Covered at every moment, not only on average: on every quarter hour (the break grid) of
    # every interval, counted from the lines again.
    for k in range(8):
        for q in range(4):
            t = CAL.start_s + k * 3600 + q * 900 + 450  # middle of the quarter hour
            on = sum(line.count for line in roster.lines
                     if any(lo <= t < hi for lo, hi in line.on_phone_pieces))
            assert on >= req[k], (k, q, on)
    assert np.all(roster.lowest >= req - 1e-9)
    # Unpaid 30-minute break: every 4-hour shift is paid 3.5 h.
    assert roster.cost == pytest.approx(sum(line.count for line in roster.lines) * 35)


def test_breaks_cannot_share_the_same_part_of_an_interval():
    # Hourly intervals, 30-minute breaks on a 30-minute grid, 3 agents needed at every moment:
    # on the hour's average, 4 agents with two breaks in the same half hour would "cover" 3;
    # at every moment they do not, so the two breaks of an hour go to different halves.
    data = dict(break_step_min=30, templates=[
        {"name": "s", "starts": ["08:00"], "lengths_h": [4], "cost_per_hour": 1,
         "breaks": [{"length_min": 30, "after_min": [60, 150]}]}])
    roster = schedule([3, 3, 3, 3, 0, 0, 0, 0], rules(**data), CAL)
    assert roster.covered and sum(line.count for line in roster.lines) == 4
    starts = sorted(b[0] for line in roster.lines for b in line.breaks for _ in range(line.count))
    assert len(set(starts)) == 4  # every break in its own half hour
    assert np.all(roster.lowest[:4] >= 3)


def test_breaks_move_away_from_the_peak():
    # One shift 08:00-12:00 with a 1-hour break allowed at 09:00, 10:00 or 11:00; the peak at
    # 10:00 needs both agents, so no break may sit there, and 09:00/11:00 need one each.
    data = dict(templates=[{"name": "s", "starts": ["08:00"], "lengths_h": [4],
                            "cost_per_hour": 1,
                            "breaks": [{"length_min": 60, "after_min": [60, 180]}]}],
                break_step_min=60)
    roster = schedule([2, 1, 2, 1, 0, 0, 0, 0], rules(**data), CAL)
    assert roster.covered
    assert sum(line.count for line in roster.lines) == 2
    break_starts = sorted(b[0] for line in roster.lines for b in line.breaks
                          for _ in range(line.count))
    assert break_starts == [9 * 3600.0, 11 * 3600.0]


def test_uncoverable_requirement_reports_shortfall_per_interval():
    data = dict(templates=[{"name": "s", "starts": ["08:00"], "lengths_h": [4],
                            "cost_per_hour": 1, "max_agents": 2}])
    roster = schedule([1, 3, 2, 0, 0, 1, 0, 0], rules(**data), CAL)
    assert not roster.covered
    assert list(roster.shortfall) == [0, 1, 0, 0, 0, 1, 0, 0]
    assert sum(line.count for line in roster.lines) == 2


@pytest.mark.parametrize("data, message", [
    (dict(templates=[{"name": "s", "starts": ["07:00"], "lengths_h": [4],
                      "cost_per_hour": 1}]), "templates[0].starts[0] must be at or after 08:00"),
    (dict(templates=[{"name": "s", "starts": ["08:00"], "lengths_h": [2], "cost_per_hour": 1,
                      "breaks": [{"length_min": 30, "after_min": [150, 180]}]}]),
     "allows no shift"),
    (dict(templates=[{"name": "s", "starts": ["08:00"], "lengths_h": [4], "cost_per_hour": 1,
                      "min_agents": 3, "max_agents": 2}]), "min_agents must be <= max_agents"),
    (dict(templates=[{"name": "s", "starts": ["08:00"], "lengths_h": [4],
                      "cost_per_hour": -1}]), "cost_per_hour must be a number > 0"),
    (dict(templates=[{"name": "s", "starts": ["8:75"], "lengths_h": [4], "cost_per_hour": 1}]),
     "starts[0] must be a clock time"),
    (dict(templates=[{"name": "s", "starts": ["08:00"], "length_h": [4], "cost_per_hour": 1}]),
     "templates[0].length_h is not a known key"),
])
def test_impossible_rules_are_one_line_errors(data, message):
    with pytest.raises(PlanError, match="shifts.toml: .*" + message.replace("[", r"\[")
                       .replace("]", r"\]")) as info:
        variants(rules(**data), CAL, "shifts.toml")
    assert "\n" not in str(info.value)


def test_roster_as_scenario_shifts_reproduces_coverage():
    from scenarios.calendar import scheduled_agents
    from tests._sim_helpers import scenario

    data = dict(templates=[{"name": "s", "start_from": "08:00", "start_to": "12:00",
                            "start_step_min": 60, "lengths_h": [4], "cost_per_hour": 1,
                            "breaks": [{"length_min": 30, "after_min": [60, 120]}]}],
                break_step_min=30)
    roster = schedule([1, 2, 2, 3, 2, 2, 1, 1], rules(**data), CAL)
    from plan.shifts import rostered_scenario

    sc = rostered_scenario(scenario(intervals=8, start_s=CAL.start_s), roster, shrinkage=0.0)
    assert np.allclose(scheduled_agents(sc)[0], roster.scheduled)


def test_rostered_scenario_turns_shrinkage_into_availability_once():
    import dataclasses

    from plan.shifts import rostered_scenario
    from scenarios.schema import AgentGroup, Planning
    from tests._sim_helpers import scenario

    data = dict(templates=[{"name": "s", "starts": ["08:00"], "lengths_h": [8],
                            "cost_per_hour": 1}])
    roster = schedule([2] * 8, rules(**data), CAL)
    base = scenario(intervals=8, start_s=CAL.start_s,
                    groups=(AgentGroup(name="g", skills=("a",), staffing=(1,) * 8,
                                       availability=0.8),))
    base = dataclasses.replace(base, planning=Planning(shrinkage=0.3))
    sc = rostered_scenario(base, roster, shrinkage=0.3)
    assert sc.agent_groups[0].availability == 0.56
    assert sc.planning.shrinkage == 0.0  # not counted a second time when planned from again
    assert sc.agent_groups[0].shifts and not sc.agent_groups[0].staffing


@settings(max_examples=40, deadline=None)
@given(
    required=st.lists(st.integers(0, 3), min_size=8, max_size=8),
    starts=st.lists(st.integers(8, 14), min_size=3, max_size=3),
    lengths=st.lists(st.integers(2, 4), min_size=3, max_size=3),
    costs=st.lists(st.integers(1, 30), min_size=3, max_size=3),
    caps=st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=3, max_size=3),
)
def test_random_tiny_instances_match_brute_force(required, starts, lengths, costs, caps):
    # Three one-variant templates (one start, one length, no breaks), each with an optional
    # cap. Brute force: the least total shortfall over every count vector, then the least cost
    # among the vectors reaching it; the program must find both.
    templates = []
    cover = np.zeros((8, 3))
    for t in range(3):
        start = min(starts[t], 16 - lengths[t])
        cover[start - 8: start - 8 + lengths[t], t] = 1
        template = {"name": f"t{t}", "starts": [f"{start:02d}:00"], "lengths_h": [lengths[t]],
                    "cost_per_hour": costs[t]}
        if caps[t] is not None:
            template["max_agents"] = caps[t]
        templates.append(template)
    roster = schedule(required, rules(templates=templates), CAL)
    req = np.array(required, dtype=float)
    best = None
    for x in itertools.product(*(range((c if c is not None else 3) + 1) for c in caps)):
        x = np.array(x)
        short = np.clip(req - cover @ x, 0, None).sum()
        cost = float(sum(costs[t] * lengths[t] * x[t] for t in range(3)))
        key = (short, cost)
        best = key if best is None or key < best else best
    assert float(roster.shortfall.sum()) == pytest.approx(best[0])
    assert roster.cost == pytest.approx(best[1])
    assert np.all(roster.scheduled + roster.shortfall >= req - 1e-9)
