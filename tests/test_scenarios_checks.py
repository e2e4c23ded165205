"""Typed checks that return a verdict: converted values, problems, and collecting every problem."""

from __future__ import annotations

import csv
import datetime
import io

import pytest

from scenarios import checks
from scenarios.checks import Problem
from scenarios.errors import ScenarioError


@pytest.mark.parametrize(
    ("verdict", "expected"),
    [
        (checks.number(3, "x", ge=0), 3.0),
        (checks.number(0.5, "x", gt=0, le=1), 0.5),
        (checks.number_cell(" 12.5 ", "talk_s", ge=0), 12.5),
        (checks.integer(30, "x", choices=(15, 30, 60)), 30),
        (checks.text("offered", "x", choices=("offered", "answered")), "offered"),
        (checks.name("week-day_1", "x"), "week-day_1"),
        (checks.clock("08:30", "x"), 30600.0),
        (checks.clock(datetime.time(7, 30), "x"), 27000.0),
        (checks.clock("24:00", "x"), 86400.0),
    ],
)
def test_a_good_value_comes_back_converted(verdict, expected):
    assert verdict == expected and type(verdict) is type(expected)


@pytest.mark.parametrize(
    ("verdict", "message"),
    [
        (checks.number(-2, "a.b[3]", ge=0), "a.b[3] must be >= 0, got -2"),
        (checks.number(True, "x"), "x must be a number, got true"),
        (checks.number(float("inf"), "x"), "x must be a finite number, got inf"),
        (checks.number(0, "x", gt=0, le=1), "x must be in (0, 1], got 0"),
        (checks.number_cell("abc", "talk_s", ge=0), "talk_s must be a number, got 'abc'"),
        (checks.number_cell(None, "talk_s"), "talk_s must be a number, got ''"),
        (checks.number_cell("nan", "talk_s"), "talk_s must be a finite number, got nan"),
        (checks.integer(2.0, "x"), "x must be a whole number, got 2.0"),
        (checks.integer(5, "x", ge=1, le=4), "x must be in [1, 4], got 5"),
        (checks.integer(20, "x", choices=(15, 30)), "x must be one of 15, 30, got 20"),
        (
            checks.text("ofered", "x", choices=("offered", "answered")),
            "x must be one of 'offered', 'answered', got 'ofered' (did you mean 'offered'?)",
        ),
        (checks.text("  ", "x"), "x must be a non-empty string, got '  '"),
        (checks.name("a b", "x"), "x must be a name of letters, digits, '_' and '-', got 'a b'"),
        (checks.clock("24:01", "x"), 'x must be a clock time "HH:MM" from "00:00" to "24:00", '
                                     "got '24:01'"),
        (checks.clock(800, "x"), 'x must be a clock time "HH:MM" from "00:00" to "24:00", '
                                 "got 800"),
    ],
)
def test_a_bad_value_gives_a_problem_that_reads_like_the_loaders_error(verdict, message):
    assert isinstance(verdict, Problem)
    assert str(verdict) == message
    error = verdict.error()
    assert isinstance(error, ScenarioError) and str(error) == message
    assert (error.key, error.constraint, error.value) == (verdict.key, verdict.constraint,
                                                          verdict.value)


def test_a_column_of_a_call_log_yields_every_bad_row_with_its_position():
    # What a calibration step does with a CSV call log: check every cell, keep going, and report
    # every bad one with its row (the header is row 1) and column.
    log = io.StringIO(
        "call_id,talk_s,queue\n"
        "1,120,booking\n"
        "2,-5,booking\n"
        "3,abc,results\n"
        "4,95.5,bad queue\n"
        "5\n"
        "6,80,results\n"
    )
    reader = csv.DictReader(log)
    checks_by_column = {
        "talk_s": lambda cell, key: checks.number_cell(cell, key, ge=0),
        "queue": lambda cell, key: checks.text(cell, key, choices=("booking", "results")),
    }
    values, problems = [], []
    for row in reader:
        verdicts = {col: check(row[col], col) for col, check in checks_by_column.items()}
        bad = {col: v for col, v in verdicts.items() if isinstance(v, Problem)}
        problems += [(reader.line_num, col, problem) for col, problem in bad.items()]
        if not bad:
            values.append(verdicts["talk_s"])

    assert values == [120.0, 80.0]
    assert [(row, col) for row, col, _ in problems] == [
        (3, "talk_s"),
        (4, "talk_s"),
        (5, "queue"),
        (6, "talk_s"),
        (6, "queue"),
    ]
    assert [str(p) for _, _, p in problems[:3]] == [
        "talk_s must be >= 0, got -5.0",
        "talk_s must be a number, got 'abc'",
        "queue must be one of 'booking', 'results', got 'bad queue'",
    ]


def test_problems_are_plain_values():
    problem = checks.number(-1, "x", ge=0)
    assert problem == Problem("x", "must be >= 0", -1)
    assert hash(problem) == hash(Problem("x", "must be >= 0", -1))
    with pytest.raises(AttributeError):
        problem.key = "y"  # type: ignore[misc]
