"""The clinic's improvement programme as data: one lever per step, cumulative what-ifs.

The field case (``shared/domain/clinic-call-centers.md``) pulled eight levers in turn on a
multi-profile clinic's phones and measured each step. Here each step is a set of overrides of
the built-in ``clinic`` scenario; step ``k`` is the clinic with the overrides of steps 1 to
``k`` applied in order. The shipped files ``scenarios/examples/clinic_step<k>.toml`` are
generated from these overrides (:func:`programme_files`; ``python -m scenarios.programme``
rewrites them, ``--check`` fails if they drifted), so the files, the README table and
``tests/test_clinic_programme.py`` cannot disagree.

The field's figures are call tracking's, which counts calls to the advertising numbers: they
are read as the figures of call type ``advertising`` (``never_answered``, by type dialled, and
``conversion``), and the booking -> visit rate as ``reminder_visit_rate``.

What the model predicts and what it is told
-------------------------------------------
``mechanism`` steps (1, 2, 3, 5, 7) change how calls flow; their effect on the figure is an
outcome of the simulation. ``input`` steps (4, 6, 8) set the figure's own parameter (a booking
or visit probability) to the field's after-value: the simulation only shows what else moves
with it (bookings and visits), it does not predict them.
"""

from __future__ import annotations

import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from scenarios.load import EXAMPLES_DIR, load_builtin
from scenarios.write import scenario_to_toml


@dataclass(frozen=True)
class Step:
    """One lever of the programme.

    Attributes
    ----------
    number : int
        1 to 8, as in the field's table.
    lever : str
        What the clinic changed, in its words.
    metric : str
        The simulated figure the field's one corresponds to (a metric of call type
        ``advertising``, or ``reminder_visit_rate`` of the whole run).
    field_before, field_after : float
        The field's measured figure before and after the step (shares, not percent).
    kind : str
        ``mechanism`` (the simulation predicts the effect) or ``input`` (the step sets the
        figure's own parameter).
    overrides : tuple of str
        What-ifs this step adds to the previous step's scenario.
    why : str
        How the overrides model the lever (written into the file's header).
    """

    number: int
    lever: str
    metric: str
    field_before: float
    field_after: float
    kind: str
    overrides: tuple[str, ...]
    why: str

    @property
    def name(self) -> str:
        """The built-in scenario name of the clinic after this step (``clinic_step3``)."""
        return f"clinic_step{self.number}"


# The advertising desk of step 5: operators for new patients from the advertising numbers
# (services, prices, which doctor), answering those first and helping with the rest when free.
# The rest of the team forms the existing patients' desk, which takes advertising calls only
# when they have waited 30 s (overflow), so the split keeps most of the pooling.
_NEW_PATIENTS = ('{ name = "new_patients", skills = ["advertising", "booking", "results"], '
                 'staffing = [3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 1], availability = 0.8, '
                 'walk_in_s = 180, conversion = { advertising = %s } }')
_PATIENTS = ('{ name = "patients", skills = ["booking", "results"], '
             'staffing = [3, 3, 3, 5, 5, 5, 5, 4, 4, 4, 4, 3], availability = 0.8, '
             'walk_in_s = 180 }')
_CALLBACKS = (
    "callbacks = { reach_probability = 0.5, max_attempts = 2, priority = 1, "
    'retry_delay = { kind = "deterministic", mean_s = 600 }, '
    'abandoned = { delay = { kind = "deterministic", mean_s = 60 }, deadline_s = 900, '
    'ivr = true, blocked = true, call_types = ["advertising"] } }'
)
_REMINDERS = (
    'outbound = { calls_per_day = 150, window_start = "13:00", window_end = "20:00", '
    'mode = "idle", dial = { kind = "deterministic", mean_s = 0 }, reach_probability = 0.7, '
    'talk = { kind = "lognormal", mean_s = 60, cv = 0.5 }, visit_probability = %s }'
)

STEPS: tuple[Step, ...] = (
    Step(1, "IVR greeting shortened from 55 s to 15 s", "never_answered", 0.272, 0.231,
         "mechanism", ("ivr.greeting.mean_s=15",),
         "Fewer callers hang up during the greeting; more of them reach the queue."),
    Step(2, "calls from advertising numbers get top queue priority", "never_answered",
         0.231, 0.067, "mechanism", ("call_types.advertising.priority=1",),
         "Advertising calls are served before every other waiting call (priority class 1); "
         "the others wait longer. Conversion falls: impatient callers now get through "
         "(intent_slope)."),
    Step(3, "abandoned callers called back automatically within 15 min", "never_answered",
         0.067, 0.019, "mechanism", (_CALLBACKS,),
         "Missed calls to the advertising numbers (hung up in queue or greeting, or busy "
         "signal) are called back after 1 min, at the advertising calls' priority; half the "
         "callers answer, a second try 10 min later."),
    Step(4, "operator training, scripts, KPIs", "conversion", 0.263, 0.382, "input",
         ("call_types.advertising.conversion=0.37",),
         "Input: the booking probability of an advertising call (at average patience) is set "
         "so that the simulated conversion is about the field's after-value."),
    Step(5, "operators split by direction, calls routed by the number dialled", "conversion",
         0.382, 0.421, "mechanism",
         (f"agent_groups=[{_NEW_PATIENTS % 0.445}, {_PATIENTS}]",
          'call_types.advertising.overflow={ group = "patients", after_s = 30 }'),
         "A new-patients desk answers the advertising numbers and converts better (0.445 "
         "against 0.37, an input); the existing patients' desk takes advertising calls "
         "after 30 s. Predicted: the share answered by the specialists, and the pooling lost."),
    Step(6, "clinic changes passed to advertising in time", "conversion", 0.421, 0.444,
         "input",
         ("call_types.advertising.conversion=0.395",
          f"agent_groups[0]={_NEW_PATIENTS % 0.475}"),
         "Input: fewer calls for unavailable services, so both desks' booking probabilities "
         "rise (0.37 -> 0.395, 0.445 -> 0.475)."),
    Step(7, "automatic reminder calls to booked patients", "reminder_visit_rate", 0.825,
         0.854, "mechanism", (_REMINDERS % 0.866,),
         "150 reminders a day, dialled by a dialer that connects an operator once the patient "
         "answers (no dial time for the operator), in the agents' idle time 13:00-20:00; 70 % "
         "reached; a reached patient visits with 0.866 (input). Predicted: how many reminders "
         "get made, and what the inbound calls pay."),
    Step(8, "reminder script spoken on behalf of the doctor", "reminder_visit_rate", 0.854,
         0.871, "input", ("outbound.visit_probability=0.89",),
         "Input: a reached patient visits with 0.89 instead of 0.866."),
)


def overrides_for(number: int) -> tuple[str, ...]:
    """The overrides of steps 1 to ``number`` (0: none, the clinic before the programme)."""
    return tuple(o for step in STEPS[:number] for o in step.overrides)


def file_overrides(number: int) -> tuple[str, ...]:
    """:func:`overrides_for`, then the step's scenario name: what its file holds."""
    lever = STEPS[number - 1].lever
    return (*overrides_for(number), f'name="City clinic, step {number}: {lever}"')


def header(step: Step) -> str:
    """The comment at the top of a step's file."""
    pct = f"{100 * step.field_before:.1f} % -> {100 * step.field_after:.1f} %"
    lines = [
        f"The city clinic after step {step.number} of its improvement programme (generated by",
        "`python -m scenarios.programme` from scenarios/programme.py: do not edit by hand).",
        "",
        f"Step {step.number}: {step.lever}.",
        (f"Field: {step.metric} of the advertising calls {pct}"
         if step.metric != "reminder_visit_rate" else f"Field: booking -> visit {pct}")
        + f" ({'the simulation predicts the effect' if step.kind == 'mechanism' else 'an input'}).",
        *textwrap.wrap(step.why, 96),
        "",
        "Built-in clinic plus, in order:",
    ]
    lines += [f"  --set '{o}'" for o in file_overrides(step.number)]
    return "\n".join(lines)


def programme_files() -> dict[str, str]:
    """File name -> text of every step's scenario file."""
    files = {}
    for step in STEPS:
        scenario = load_builtin("clinic", file_overrides(step.number))
        files[f"{step.name}.toml"] = scenario_to_toml(scenario, header(step))
    return files


def main(argv: list[str]) -> int:
    """Write the step files into ``scenarios/examples`` (``--check``: only compare)."""
    check = "--check" in argv
    stale = []
    for name, text in programme_files().items():
        path = Path(EXAMPLES_DIR) / name
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(name)
        if not check:
            path.write_text(text, encoding="utf-8")
    if stale:
        print(("out of date: " if check else "written: ") + ", ".join(stale), file=sys.stderr)
    return 1 if check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
