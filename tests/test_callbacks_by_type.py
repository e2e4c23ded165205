"""Automatic callbacks limited to some call types (``[callbacks.abandoned] call_types``): the
clinic's call tracking watches the advertising numbers, and only their missed calls are
called back."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scenarios.errors import ScenarioError
from scenarios.load import load_builtin
from scenarios.schema import AbandonedCallbacks, Callbacks, Redials
from tests._sim_helpers import call_type, det, scenario, trace

CALLBACKS = ('callbacks={ abandoned = { delay = { kind = "deterministic", mean_s = 60 }, '
             'call_types = %s } }')


def two_types(call_types, redials=None):
    # One agent busy 0..100 with an "a" call; an "a" caller (t = 5) and a "b" caller (t = 6)
    # hang up after 20 s in the queue.
    types = (call_type("a", handle=det(100.0), patience=det(20.0)),
             call_type("b", handle=det(100.0), patience=det(20.0)))
    sc = replace(scenario(types=types), redials=redials, callbacks=Callbacks(
        dial=det(10.0), abandoned=AbandonedCallbacks(delay=det(50.0), call_types=call_types)))
    records = trace(sc, [(0, "a"), (5, "a", 30.0), (6, "b", 30.0)])
    return {caller: [r.kind for r in records if r.caller_id == caller] for caller in (1, 2)}


def test_only_callers_of_the_listed_types_are_called_back():
    assert two_types(("a",)) == {1: ["inbound", "callback"], 2: ["inbound"]}
    assert two_types(()) == {1: ["inbound", "callback"], 2: ["inbound", "callback"]}


def test_callers_of_the_other_types_redial_as_before():
    redials = Redials(abandoned=1.0, delay=det(500.0), max_attempts=2)
    assert two_types(("a",), redials) == {1: ["inbound", "callback"], 2: ["inbound", "redial"]}


def test_every_type_by_default():
    assert load_builtin("clinic_step3").callbacks.abandoned.call_types == ("advertising",)
    assert AbandonedCallbacks().calls_back("anything")


@pytest.mark.parametrize(("value", "message"), [
    ('["advertsing"]', r"callbacks\.abandoned\.call_types\[0\] must be one of .*'advertsing'"),
    ('["booking", "booking"]', r"callbacks\.abandoned\.call_types\[1\] must differ from "
                               r"callbacks\.abandoned\.call_types\[0\]"),
    ('"booking"', r"callbacks\.abandoned\.call_types must be an array"),
])
def test_unknown_or_repeated_types_are_one_clear_error(value, message):
    with pytest.raises(ScenarioError, match=message):
        load_builtin("clinic", [CALLBACKS % value])
