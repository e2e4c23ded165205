"""What-if overrides: parsed as TOML, addressed by name or index, validated like the file."""

from __future__ import annotations

import copy
import math
import tomllib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scenarios.dump import scenario_hash
from scenarios.errors import ScenarioError
from scenarios.load import EXAMPLES_DIR, load_builtin, load_scenario, scenario_from_dict
from scenarios.whatif import apply_overrides, format_override, grid, parse_override

CLINIC = EXAMPLES_DIR / "clinic.toml"


@pytest.fixture
def raw():
    return tomllib.loads(CLINIC.read_text())


@pytest.mark.parametrize(
    ("text", "path", "value"),
    [
        ("ivr.greeting.mean_s=15", "ivr.greeting.mean_s", 15),
        ("arrival_scale = 1.2", "arrival_scale", 1.2),
        ("agent_groups.reception.staffing=[5,5,6]", "agent_groups.reception.staffing", [5, 5, 6]),
        ("call_types[0].priority=1", "call_types[0].priority", 1),
        ('calendar.start="08:30"', "calendar.start", "08:30"),
        ("calendar.start=08:30", "calendar.start", "08:30"),  # not TOML: a bare string
        ("name=Shorter greeting", "name", "Shorter greeting"),
        ("ivr.patience={ kind = 'exponential', mean_s = 60 }", "ivr.patience", None),
        ("lines=true", "lines", True),
    ],
)
def test_parse_override(text, path, value):
    got_path, got_value = parse_override(text)
    assert got_path == path
    if value is None:
        assert got_value == {"kind": "exponential", "mean_s": 60}
    else:
        assert got_value == value and type(got_value) is type(value)


@pytest.mark.parametrize("text", ["lines", "=5", "a..b=1", "call_types[x].priority=1", "a]=1"])
def test_malformed_override(text):
    with pytest.raises(ScenarioError, match="override"):
        parse_override(text)


@pytest.mark.parametrize(
    "override",
    ["call_types.booking.priority=1", "call_types[1].priority=1", "call_types.1.priority=1"],
)
def test_arrays_of_tables_by_name_or_index(override):
    scenario = load_scenario(CLINIC, [override])
    assert [ct.priority for ct in scenario.call_types] == [2, 1, 2]


def test_override_whole_vector_and_one_entry():
    scenario = load_builtin(
        "clinic",
        [
            "agent_groups.reception.staffing=[4,4,4,4,4,4,4,3,3,3,3,2]",
            "agent_groups.reception.staffing[11]=3",
        ],
    )
    assert scenario.agent_groups[0].staffing == (4,) * 7 + (3,) * 5


def test_override_converts_units_like_the_file():
    overrides = ['calendar.start="07:00"', 'calendar.open="07:00"', "calendar.close=19:00:00"]
    calendar = load_builtin("clinic", overrides).calendar
    assert (calendar.start_s, calendar.open_s, calendar.close_s) == (25200, 25200, 68400)


def test_override_may_add_a_key_the_schema_knows():
    assert load_builtin("erlang_a").lines is None
    assert load_builtin("erlang_a", ["lines=60"]).lines == 60


def test_one_string_is_not_a_list_of_overrides():
    with pytest.raises(TypeError, match="sequence of strings"):
        load_scenario(CLINIC, "lines=3")


def test_later_override_wins():
    assert load_builtin("clinic", ["lines=5", "lines=6"]).lines == 6


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            "call_types.bookng.priority=1",
            "call_types has no entry 'bookng' (did you mean 'booking'?)",
        ),
        ("call_types[5].priority=1", "call_types has no entry 5 (names: advertising, booking, "),
        ("ivr.greting.mean_s=15", "ivr.greting is not in the scenario (did you mean 'greeting'?)"),
        ("lines.count=3", "lines is a single value, not a table or array, got 14"),
        ("agent_groups.reception.staffing[12]=3", "agent_groups[0].staffing has no entry 12"),
    ],
)
def test_path_that_does_not_exist_names_the_override(override, expected):
    with pytest.raises(ScenarioError) as info:
        load_scenario(CLINIC, [override])
    message = str(info.value)
    assert message.startswith(f"{CLINIC}: ")
    assert expected in message
    assert message.endswith(f"(from override {override!r})")


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            "call_types.booking.priority=1.5",
            "call_types[1].priority must be a whole number, got 1.5",
        ),
        ("ivr.greeting.mean_s=-1", "ivr.greeting.mean_s must be >= 0, got -1"),
        ("lines=many", "lines must be a whole number, got 'many'"),
        ("ivr.greeting.mean=15", "ivr.greeting.mean is not a known key for kind 'deterministic'"),
        ("agent_groups.reception.staffing=[1,2]", "agent_groups[0].staffing must have 12 entries"),
        ("agent_groups.0.staffing[3]=-1", "agent_groups[0].staffing[3] must be >= 0, got -1"),
        ('ivr.patience={ kind = "gama", mean_s = 60 }', "ivr.patience.kind must be one of"),
    ],
)
def test_bad_values_flow_through_validation(override, expected):
    with pytest.raises(ScenarioError) as info:
        load_scenario(CLINIC, [override])
    assert str(info.value).startswith(f"{CLINIC}: {expected}")
    assert str(info.value).endswith(f"(from override {override!r})")


def test_overrides_never_mutate(raw):
    before = copy.deepcopy(raw)
    base = scenario_from_dict(raw)
    base_hash = scenario_hash(base)
    changed = apply_overrides(raw, ["ivr.greeting.mean_s=15", "call_types.advertising.priority=1"])
    assert raw == before
    assert changed["ivr"]["greeting"]["mean_s"] == 15
    what_if = scenario_from_dict(changed)
    assert what_if.ivr.greeting.mean_s == 15 and base.ivr.greeting.mean_s == 55
    assert scenario_hash(base) == base_hash
    assert scenario_hash(what_if) != base_hash


def test_hash_is_stable_for_equal_scenarios(raw):
    first = scenario_from_dict(raw)
    # An override to the value already there, spelt differently, is the same scenario.
    same = load_builtin("clinic", ["ivr.greeting.mean_s=55.0", "call_types[0].priority=2"])
    assert scenario_hash(same) == scenario_hash(first)


def test_grid_is_the_cartesian_product():
    sweep = grid({"lines": [8, 10], "ivr.greeting.mean_s": [15, 55], "name": ["a b"]})
    assert sweep == [
        ("lines=8", "ivr.greeting.mean_s=15", 'name="a b"'),
        ("lines=8", "ivr.greeting.mean_s=55", 'name="a b"'),
        ("lines=10", "ivr.greeting.mean_s=15", 'name="a b"'),
        ("lines=10", "ivr.greeting.mean_s=55", 'name="a b"'),
    ]
    hashes = {scenario_hash(load_builtin("clinic", point)) for point in sweep}
    assert len(hashes) == 4


def test_grid_rejects_an_empty_axis():
    with pytest.raises(ScenarioError, match="lines must have at least one value"):
        grid({"lines": []})


toml_scalars = (
    st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.booleans()
    | st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.from_regex(r"[A-Za-z0-9_-]{1,8}|[a-z .]{1,8}", fullmatch=True), inner, max_size=3
        )
    ),
    max_leaves=8,
)


@given(toml_values)
def test_format_override_inverts_parse_override(value):
    path, parsed = parse_override(format_override("call_types[0].handle_time", value))
    assert path == "call_types[0].handle_time"
    assert parsed == value or (isinstance(value, float) and math.isnan(value))


@pytest.mark.parametrize("text, value", [
    ("name=Shorter greeting", "Shorter greeting"),  # plain words: a bare string
    ("calendar.start=08:30", "08:30"),  # a clock time TOML 1.0 does not spell: a bare string
    ("x=true", True),
    ("x=[4, 4]", [4, 4]),
    ("x=e", "e"),  # a word, though made of a number's letters
    ("x=-", "-"),
])
def test_values_read_as_toml_or_plain_text(text, value):
    assert parse_override(text)[1] == value


@pytest.mark.parametrize("text", ["x=[4,4", "x={kind = 1", 'x="08:30', "x=1.5.2", "x=1e",
                                  "x=" + "[" * 600 + "]" * 600])
def test_values_meant_as_toml_must_be_toml(text):
    with pytest.raises(ScenarioError, match="x must"):
        parse_override(text)


def test_an_override_breaking_another_key_is_named_but_not_a_broken_file(tmp_path):
    with pytest.raises(ScenarioError) as err:
        load_scenario(EXAMPLES_DIR / "clinic.toml", ["lines=8", "calendar.intervals_per_day=6"])
    assert err.value.key == "call_types[0].calls_per_interval"
    assert err.value.origin == "calendar.intervals_per_day=6"
    assert "after override 'calendar.intervals_per_day=6'" in str(err.value)
    # A file invalid on its own: no override is blamed for its mistake.
    bad = tmp_path / "bad.toml"
    text = (EXAMPLES_DIR / "clinic.toml").read_text()
    assert "\nlines = 14" in text
    bad.write_text(text.replace("\nlines = 14", "\nlines = 0"))
    with pytest.raises(ScenarioError) as err:
        load_scenario(bad, ["arrival_scale=1.1"])
    assert err.value.origin is None and "(after override" not in str(err.value)
