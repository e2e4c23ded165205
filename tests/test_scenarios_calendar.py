"""Clock and calendar arithmetic: clock text both ways, opening hours, shifts, agents on duty."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scenarios.calendar import (
    clock_label,
    format_clock,
    group_size,
    interval_label,
    is_open,
    parse_clock,
    scheduled_agents,
    shift_windows,
)
from scenarios.schema import AgentGroup, Calendar, Scenario, Shift

H = 3600.0


@given(st.integers(0, 86400))
def test_clock_text_round_trips_every_whole_second(seconds):
    text = format_clock(seconds)
    assert parse_clock(text) == seconds
    assert len(text) == (5 if seconds % 60 == 0 else 8)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("00:00", 0.0), ("8:05", 29100.0), ("08:00:30", 28830.0), ("24:00", 86400.0),
     (datetime.time(23, 59, 59, 500000), 86399.5)],
)
def test_parse_clock(text, seconds):
    assert parse_clock(text) == seconds


@pytest.mark.parametrize("bad", ["24:00:01", "25:00", "08:60", "08:00:60", "8", "", "08:00 ", 800])
def test_parse_clock_rejects(bad):
    with pytest.raises(ValueError, match="not a clock time"):
        parse_clock(bad)


def test_format_clock_keeps_the_end_of_day_but_labels_wrap_past_midnight():
    assert format_clock(86400) == "24:00"
    assert clock_label(86400) == "00:00"
    assert clock_label(25 * H + 30 * 60) == "01:30"
    assert clock_label(8 * H + 30) == "08:00"  # labels show minutes only


def cal(**kw) -> Calendar:
    return Calendar(**({"start_s": 8 * H, "interval_s": H, "intervals_per_day": 4} | kw))


def test_interval_labels_name_the_day_when_there_are_several():
    assert [interval_label(cal(), k) for k in range(4)] == ["08:00", "09:00", "10:00", "11:00"]
    night = cal(start_s=22 * H, days=("a", "b"))
    assert [interval_label(night, k) for k in (0, 2, 3, 4)] == [
        "d1 22:00", "d1 00:00", "d1 01:00", "d2 22:00"
    ]


def test_is_open_within_hours_and_over_midnight():
    t = np.arange(8) * 1800.0  # every half hour of a 4-hour day starting 08:00
    assert is_open(cal(), t).all()
    assert is_open(cal(open_s=9 * H, close_s=11 * H), t).tolist() == [0, 0, 1, 1, 1, 1, 0, 0]
    night = cal(start_s=22 * H, open_s=23 * H, close_s=1 * H)
    assert is_open(night, t).tolist() == [0, 0, 1, 1, 1, 1, 0, 0]
    two_days = np.concatenate([t, t + 4 * H])
    assert is_open(cal(open_s=9 * H, days=("a", "b")), two_days).tolist() == [0, 0] + [1] * 6 + [
        0, 0] + [1] * 6


def shift(start_h, end_h, count=1) -> Shift:
    return Shift(start_s=start_h * H, end_s=end_h * H, count=count)


def test_shift_windows_within_and_across_midnight():
    day = cal(start_s=20 * H, intervals_per_day=10)  # 20:00 to 06:00
    assert shift_windows(shift(21, 23), day) == [(H, 3 * H)]
    assert shift_windows(shift(22, 2), day) == [(2 * H, 6 * H)]  # across midnight
    # 04:00 to 21:00 seen from a day that starts at 20:00: on until 21:00, off, on from 04:00.
    assert shift_windows(shift(4, 21), day) == [(0.0, H), (8 * H, 10 * H)]
    assert shift_windows(shift(8, 12), day) == []  # outside the simulated day
    assert shift_windows(shift(19, 20), day) == []  # ends where the day starts
    assert shift_windows(shift(8, 8), cal()) == [(0.0, 4 * H)]  # all day


def test_scheduled_agents_from_staffing_and_from_shifts():
    groups = (
        AgentGroup(name="v", skills=("a",), staffing=(1, 2, 3, 4, 4, 3, 2, 1)),
        AgentGroup(name="s", skills=("a",), shifts=(shift(8.5, 10, 2), shift(9, 12, 1))),
    )
    scenario = Scenario(name="x", calendar=cal(days=("a", "b")), call_types=(),
                        agent_groups=groups)
    got = scheduled_agents(scenario)
    assert got.shape == (2, 8)
    assert got[0].tolist() == [1, 2, 3, 4, 4, 3, 2, 1]
    assert got[1].tolist() == [1, 3, 1, 1] * 2  # half of 08:00-09:00 covered by 2 agents
    assert [group_size(g) for g in groups] == [4, 3]


def test_scheduled_agents_refuses_a_staffing_vector_of_the_wrong_length():
    group = AgentGroup(name="v", skills=("a",), staffing=(3,))
    scenario = Scenario(name="x", calendar=cal(), call_types=(), agent_groups=(group,))
    with pytest.raises(ValueError, match=r"agent_groups\[0\].staffing must have 4 entries"):
        scheduled_agents(scenario)
