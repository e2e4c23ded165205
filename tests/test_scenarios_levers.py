"""The levers' scenario keys: bad values give one clear line naming the key; good ones load,
write and load back."""

from __future__ import annotations

import math
import re
import tomllib

import pytest
from click.testing import CliRunner

from scenarios.errors import ScenarioError
from scenarios.load import load_builtin, scenario_from_dict
from scenarios.write import scenario_to_toml
from sim_cli import cli

LEVERS = [
    'redials={blocked=0.5, abandoned=0.3, delay={kind="exponential", mean_s=240}, '
    'max_attempts=4}',
    'callbacks={reach_probability=0.8, max_attempts=2, priority=1, voicemail=true, '
    'abandoned={delay={kind="deterministic", mean_s=300}, min_wait_s=5, deadline_s=900, '
    'ivr=true, blocked=true}, offered={threshold_s=120, accept_probability=0.4, '
    'predictor="last_wait", keep_place=false, deadline_s=1800}}',
    "call_types.advertising.conversion=0.38",
    "call_types.advertising.intent_slope=1.5",
    "agent_groups.reception.conversion={advertising=0.42}",
    "outcomes={visit_probability=0.825, value_per_visit=40}",
    'outbound={calls_per_day=40, window_start="12:00", window_end="18:00", '
    'reach_probability=0.7, visit_probability=0.854}',
]


def test_every_lever_loads_writes_and_loads_back():
    sc = load_builtin("clinic", LEVERS)
    assert sc.redials.max_attempts == 4 and sc.callbacks.abandoned.ivr
    assert sc.callbacks.offered.predictor == "last_wait" and sc.outbound.calls_per_day == 40
    assert scenario_from_dict(tomllib.loads(scenario_to_toml(sc))) == sc


def test_an_infinite_threshold_is_read_as_never():
    sc = load_builtin("clinic", ["callbacks={offered={threshold_s=inf}}"])
    assert sc.callbacks.offered.threshold_s == math.inf


@pytest.mark.parametrize("override, message", [
    ("redials={blocked=1.5}", "redials.blocked must be in [0, 1], got 1.5"),
    ('redials={delay={kind="exponential", mean_s=-60}}', "redials.delay.mean_s must be > 0"),
    ("redials={max_attempts=0}", "redials.max_attempts must be in [1, 1000], got 0"),
    ("redials={blockd=0.5}", "redials.blockd is not a known key (did you mean 'blocked'?)"),
    ("callbacks={reach_probability=-0.1}", "callbacks.reach_probability must be in [0, 1]"),
    ('callbacks={dial={kind="deterministic", mean_s=30}, abandoned={deadline_s=20}}',
     "callbacks.abandoned.deadline_s must be longer than the mean dial time (30 s), got 20"),
    ('callbacks={offered={threshold_s=60, predictor="crystal_ball"}}',
     "callbacks.offered.predictor must be one of 'queue', 'last_wait', got 'crystal_ball'"),
    ("callbacks={offered={accept_probability=0.5}}", "callbacks.offered.threshold_s is required"),
    ("callbacks={abandoned={ivr=1}}", "callbacks.abandoned.ivr must be true or false, got 1"),
    ('call_types.advertising.overflow={group="outsde"}',
     "call_types[0].overflow.group must name an agent group, got 'outsde'"),
    ('call_types.advertising.overflow={group="reception"}',
     "call_types[0].overflow.group must not have 'advertising' among its skills"),
    ("call_types.advertising.conversion=1.2", "call_types[0].conversion must be in [0, 1]"),
    ("agent_groups.reception.conversion={dental=0.5}",
     "agent_groups[0].conversion.dental is not a known call type among the group's skills"),
    ('outbound={calls_per_day=10, window_start="12:00", window_end="12:00"}',
     "outbound.window_end must differ from window_start"),
    ('outbound={calls_per_day=10, window_start="12:00", window_end="13:00", mode="reserved", '
     'groups=["reception"]}', "outbound.groups[0] must be a group without skills"),
    ('outbound={calls_per_day=10, window_start="25:00", window_end="13:00"}',
     "outbound.window_start must be a clock time"),
    ("outcomes={visit_probability=2}", "outcomes.visit_probability must be in [0, 1], got 2"),
])
def test_bad_lever_values_name_their_key(override, message):
    with pytest.raises(ScenarioError) as err:
        load_builtin("clinic", [override])
    assert message in str(err.value), str(err.value)
    # Through the CLI: one line on stderr, exit code 1, nothing on stdout.
    res = CliRunner().invoke(cli, ["validate", "--set", override])
    assert res.exit_code == 1 and res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0]


def test_a_message_overflow_needs_callbacks():
    overrides = ['agent_groups=[{name="reception", skills=["booking", "results", "advertising"],'
                 ' staffing=3}, {name="outside", skills=[], staffing=2}]',
                 'call_types.advertising.overflow={group="outside", mode="message"}']
    with pytest.raises(ScenarioError, match=re.escape("call_types[0].overflow.mode 'message'")):
        load_builtin("clinic", overrides)
    assert load_builtin("clinic", [*overrides, "callbacks={}"]).call_types[0].overflow.mode == (
        "message")
