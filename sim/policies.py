"""Policies: what the center does at the named moments of a call's life, beyond the default.

The model (:class:`sim.model.Model`) consults its policies, in the order given, at these
moments, each a method of :class:`Policy` whose default does nothing more than the model
already does:

``start(model)``
    Before the run: a policy that acts at set times (reminder windows) schedules itself.
``after_hours(model, call)``
    The attempt came outside opening hours; its record has been written (``after_hours``).
``blocked(model, call)``
    The attempt found every line busy; its record has been written (outcome ``blocked``).
    A redial policy would schedule the caller's next attempt here.
``queue_entry(model, call) -> bool``
    The attempt has passed the IVR and is about to be routed (``call.queue_entry_s`` is set).
    Returning ``True`` takes it out of routing: the policy has then ended the attempt itself
    (for example, the caller accepted a callback offer and hung up, freeing its line with
    ``model.release_line``). The remaining policies are not asked.
``abandoned(model, call)``
    The caller hung up in queue; its line is free and its record written. A policy calling
    abandoned callers back, or a redial policy, acts here.
``ivr_abandoned(model, call)``
    The caller hung up during the IVR greeting; its line is free and its record written.
``answered(model, call)``
    An agent has just taken the attempt (``call.agent``, ``call.answer_s`` are set); for a
    callback, the agent starts dialling.
``agent_idle(model, agent) -> bool``
    A free agent found no walk-in and no waiting call and is about to become idle. Returning
    ``True`` means the policy gave the agent work (outbound calls, callbacks) and will return
    it through ``model.pool.release`` when done; the remaining policies are not asked.

Policies hold no randomness of their own: they draw from their own streams of
:mod:`sim.streams`, so that adding one leaves every caller's draws unchanged (common random
numbers). A model without policies skips every consultation, so the default costs nothing.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import NamedTuple

from scenarios.calendar import next_open_s
from scenarios.schema import Callbacks, Redials
from sim.agents import CALL
from sim.dists import sampler
from sim.records import CALLBACK, CALLBACK_REQUESTED
from sim.streams import Stream


class Dial(NamedTuple):
    """What a callback attempt will meet, drawn when it is requested (see ``sim.policies``)."""

    dial_s: float  #: dialling and ringing time
    reached: bool  #: whether the caller answers
    deadline_at_s: float | None  #: simulated time by which the first dial is due
    keep_place: bool  #: waits in the caller's place in its type's queue


class Policy:
    """The default behaviour at every moment; subclass and override the moments you change."""

    def start(self, model) -> None:
        """Before the run starts (schedule what the policy does at set times)."""

    def after_hours(self, model, call) -> None:
        """After an attempt came outside opening hours."""

    def blocked(self, model, call) -> None:
        """After an attempt was blocked (every line busy)."""

    def queue_entry(self, model, call) -> bool:
        """Before routing an attempt; ``True`` if the policy ended the attempt itself."""
        return False

    def abandoned(self, model, call) -> None:
        """After a caller abandoned the queue."""

    def ivr_abandoned(self, model, call) -> None:
        """After a caller hung up during the IVR greeting."""

    def answered(self, model, call) -> None:
        """After an agent took the attempt."""

    def agent_idle(self, model, agent) -> bool:
        """Before a free agent becomes idle; ``True`` if the policy gave it work."""
        return False


# ---------------------------------------------------------------------------------------------
# The policies a scenario asks for (scenarios.schema: Redials, Callbacks).


class Dialler:
    """How the center's callbacks go: draws each attempt's dial time and whether it reaches.

    Draws come from the replication's ``Stream.CALLBACK`` generator, in the order the callbacks
    are requested (requests depend on what callers do, so these draws are shared in order, not
    per caller).
    """

    def __init__(self, callbacks: Callbacks):
        self.callbacks = callbacks
        self._dial = sampler(callbacks.dial)
        self._retry = sampler(callbacks.retry_delay)
        self._delay = sampler(callbacks.abandoned.delay) if callbacks.abandoned else None

    def draw(self, model, deadline_s: float | None, keep_place: bool) -> Dial:
        """The dial of a new callback attempt; ``deadline_s`` from now, if any."""
        rng = model.rng(Stream.CALLBACK)
        dial_s = float(self._dial(rng, 1)[0])
        reached = bool(rng.random() < self.callbacks.reach_probability)
        deadline_at_s = None if deadline_s is None else model.env.now + deadline_s
        return Dial(dial_s, reached, deadline_at_s, keep_place)

    def retry_delay(self, model) -> float:
        return float(self._retry(model.rng(Stream.CALLBACK), 1)[0])

    def abandon_delay(self, model) -> float:
        return float(self._delay(model.rng(Stream.CALLBACK), 1)[0])


class Redial(Policy):
    """Blocked and abandoning callers call again with a probability, after a delay.

    A caller who will be called back (:class:`CallBackAbandoned`) does not also redial; a caller
    whose attempt was its ``max_attempts``-th gives up.
    """

    def __init__(self, redials: Redials, callbacks: Callbacks | None,
                 type_names: tuple[str, ...]):
        self.redials = redials
        self._delay = sampler(redials.delay)
        abandoned = None if callbacks is None else callbacks.abandoned
        # Per type dialled: callers of the types called back do not redial.
        self._called_back = [abandoned is not None and abandoned.calls_back(name)
                             for name in type_names]
        self._callback_min_wait_s = math.inf if abandoned is None else abandoned.min_wait_s
        self._blocked_called_back = abandoned is not None and abandoned.blocked

    def _maybe(self, model, call, probability: float) -> None:
        if probability <= 0 or call.attempt >= self.redials.max_attempts:
            return  # no draw: a scenario without redials keeps every stream as it was
        rng = model.rng(Stream.REDIAL)
        if rng.random() < probability:
            model.redial(call, float(self._delay(rng, 1)[0]))

    def blocked(self, model, call) -> None:
        if not (self._blocked_called_back and self._called_back[call.type_in]):
            self._maybe(model, call, self.redials.blocked)

    def abandoned(self, model, call) -> None:
        if (self._called_back[call.type_in]
                and model.env.now - call.queue_entry_s >= self._callback_min_wait_s):
            return  # a callback is coming
        self._maybe(model, call, self.redials.abandoned)


class CallBackAbandoned(Policy):
    """Callers who hung up in the queue (after ``min_wait_s``) are put on the callback list,
    and, if the scenario says so, those who hung up in the IVR or got a busy signal; only
    those who dialled one of ``call_types``, if given."""

    def __init__(self, callbacks: Callbacks, type_names: tuple[str, ...]):
        self.settings = callbacks.abandoned
        self._called_back = [self.settings.calls_back(name) for name in type_names]

    def _call_back(self, model, call) -> None:
        if not self._called_back[call.type_in]:
            return
        due_s = model.env.now + model.dialler.abandon_delay(model)
        model.request_callback(call, due_s, deadline_s=self.settings.deadline_s)

    def abandoned(self, model, call) -> None:
        if model.env.now - call.queue_entry_s >= self.settings.min_wait_s:
            self._call_back(model, call)

    def ivr_abandoned(self, model, call) -> None:
        if self.settings.ivr:
            self._call_back(model, call)

    def blocked(self, model, call) -> None:
        if self.settings.blocked:
            self._call_back(model, call)


class OfferCallback(Policy):
    """Virtual hold: at queue entry, a caller whose predicted wait exceeds the threshold is
    offered a callback, and hangs up for one with the accept probability.

    Only callers who find no idle agent are considered; their predicted wait is recorded
    (``predicted_wait_s``), so the predictor's accuracy can be judged on those who stay.
    """

    def __init__(self, scenario):
        self.offered = scenario.callbacks.offered
        types = scenario.call_types
        self._work_s = [ct.handle_time.mean_s + ct.wrap_up.mean_s for ct in types]
        self._groups = [[g for g, grp in enumerate(scenario.agent_groups) if ct.name in grp.skills]
                        for ct in types]
        self._last_wait_s = [0.0] * len(types)

    def predict(self, model, call) -> float:
        """The predicted wait of ``call`` (see ``scenarios.schema.OfferedCallbacks``)."""
        if self.offered.predictor == "last_wait":
            return self._last_wait_s[call.type]
        agents = sum(model.pool.on_duty[g] for g in self._groups[call.type])
        ahead = model.router.waiting(call.type)
        return math.inf if agents == 0 else (ahead + 1) * self._work_s[call.type] / agents

    def queue_entry(self, model, call) -> bool:
        if model.router.idle_for(call.type):
            return False
        predicted_s = call.predicted_wait_s = self.predict(model, call)
        if not predicted_s > self.offered.threshold_s:
            return False
        model.event("callbacks_offered", call)
        if not model.rng(Stream.OFFER).random() < self.offered.accept_probability:
            return False
        model.event("callbacks_accepted", call)
        # The callback first, then the caller leaves: the run must not end in between.
        model.request_callback(call, model.env.now, deadline_s=self.offered.deadline_s,
                               keep_place=self.offered.keep_place)
        model.release_line(call, CALLBACK_REQUESTED)
        return True

    def answered(self, model, call) -> None:
        """Note the wait of an inbound call reaching an agent (the ``last_wait`` predictor)."""
        if call.kind != CALLBACK:
            self._last_wait_s[call.type] = model.env.now - call.queue_entry_s


class Reminders(Policy):
    """Outbound reminder calls (``scenarios.schema.Outbound``), made in each day's window.

    Each day, when the window opens, ``calls_per_day`` reminders become due and the idle agents
    of the dialling groups start on them; afterwards an agent of those groups dials the next one
    whenever it would otherwise become idle (mode ``idle``: only when no walk-in and no call
    waits, since the agent-free decision serves those first). Reminders still due when the
    window closes are left undone (counted).
    """

    def __init__(self, scenario):
        self.outbound = out = scenario.outbound
        names = [g.name for g in scenario.agent_groups]
        groups = out.groups or tuple(g.name for g in scenario.agent_groups if g.skills)
        self.groups = {names.index(name) for name in groups}
        cal = scenario.calendar
        self.window = replace(cal, open_s=out.window_start_s, close_s=out.window_end_s)
        self.outside = replace(cal, open_s=out.window_end_s, close_s=out.window_start_s)
        self.remaining = 0
        self._dial, self._talk = sampler(out.dial), sampler(out.talk)

    def start(self, model) -> None:
        cal = model.scenario.calendar
        for day in range(len(cal.days)):
            opens_s = next_open_s(self.window, day * cal.day_s)
            if opens_s < min((day + 1) * cal.day_s, cal.horizon_s):
                closes_s = min(next_open_s(self.outside, opens_s), cal.horizon_s)
                model.timeout(opens_s).callbacks.append(lambda _e, m=model: self._open(m))
                model.timeout(closes_s).callbacks.append(lambda _e, m=model: self._close(m))

    def _open(self, model) -> None:
        self.remaining += self.outbound.calls_per_day
        for g in sorted(self.groups):
            idle = model.router.idle[g]
            while idle and self.remaining:
                self._dial_one(model, idle.popleft())

    def _close(self, model) -> None:
        model.count("reminders_left", self.remaining)
        self.remaining = 0

    def agent_idle(self, model, agent) -> bool:
        if self.remaining and agent.group in self.groups:
            self._dial_one(model, agent)
            return True
        return False

    def _dial_one(self, model, agent) -> None:
        self.remaining -= 1
        rng = model.rng(Stream.OUTBOUND)
        busy_s = float(self._dial(rng, 1)[0])
        model.count("reminders_made")
        if rng.random() < self.outbound.reach_probability:
            model.count("reminders_reached")
            busy_s += float(self._talk(rng, 1)[0])
        agent.work, agent.work_since = CALL, model.env.now
        model.timeout(busy_s).callbacks.append(lambda _e: model.pool.release(agent))


class Dialer(Reminders):
    """Reminders rung by a dialer (mode ``dialer``): it keeps ``dialer_ratio`` calls in progress
    per idle agent of the dialling groups and connects each patient who answers to an idle
    agent; a patient left ``connect_wait_s`` without one hangs up (abandoned outbound).

    Agents are free for inbound calls while the dialer rings; a connected patient is taken
    before the agent goes idle (the agent-idle moment), after any waiting inbound call.
    """

    def __init__(self, scenario):
        super().__init__(scenario)
        self.in_flight = 0
        self.waiting: list[list] = []  # answered patients waiting: [talk_s, still waiting]

    def _idle_agents(self, model) -> int:
        return sum(len(model.router.idle[g]) for g in self.groups)

    def _top_up(self, model, about_to_idle: int = 0) -> None:
        target = math.ceil(self.outbound.dialer_ratio * (self._idle_agents(model) + about_to_idle))
        while self.remaining and self.in_flight < target:
            self.remaining -= 1
            self.in_flight += 1
            rng = model.rng(Stream.OUTBOUND)
            dial_s = float(self._dial(rng, 1)[0])
            reached = rng.random() < self.outbound.reach_probability
            talk_s = float(self._talk(rng, 1)[0])
            model.count("reminders_made")
            model.timeout(dial_s).callbacks.append(
                lambda _e, r=reached, t=talk_s: self._rung(model, r, t))

    def _rung(self, model, reached: bool, talk_s: float) -> None:
        self.in_flight -= 1
        if reached:
            model.count("reminders_reached")
            agent = next((model.router.idle[g].popleft() for g in sorted(self.groups)
                          if model.router.idle[g]), None)
            if agent is not None:
                self._connect(model, agent, talk_s)
            else:
                patient = [talk_s, True]
                self.waiting.append(patient)
                model.timeout(self.outbound.connect_wait_s).callbacks.append(
                    lambda _e: self._give_up(model, patient))
        self._top_up(model)

    def _give_up(self, model, patient: list) -> None:
        if patient[1]:
            patient[1] = False
            self.waiting.remove(patient)
            model.count("outbound_abandoned")

    def _connect(self, model, agent, talk_s: float) -> None:
        agent.work, agent.work_since = CALL, model.env.now
        model.timeout(talk_s).callbacks.append(lambda _e: model.pool.release(agent))

    def _open(self, model) -> None:
        self.remaining += self.outbound.calls_per_day
        self._top_up(model)

    def agent_idle(self, model, agent) -> bool:
        if agent.group not in self.groups:
            return False
        if self.waiting:
            patient = self.waiting.pop(0)
            patient[1] = False
            self._connect(model, agent, patient[0])
            return True
        self._top_up(model, about_to_idle=1)
        return False


class VoiceMail(Policy):
    """Callers outside opening hours leave a voicemail: a callback due when the line opens."""

    def after_hours(self, model, call) -> None:
        model.request_callback(call, next_open_s(model.scenario.calendar, model.env.now))


def policies_for(scenario) -> tuple[Policy, ...]:
    """The policies a scenario's ``callbacks`` and ``redials`` tables ask for, in the order
    they are consulted: callbacks before redials (a caller called back does not redial)."""
    policies: list[Policy] = []
    callbacks = scenario.callbacks
    names = tuple(ct.name for ct in scenario.call_types)
    if callbacks is not None and callbacks.offered is not None and (
            callbacks.offered.threshold_s < math.inf):  # never offered: nothing to predict
        policies.append(OfferCallback(scenario))
    if callbacks is not None and callbacks.abandoned is not None:
        policies.append(CallBackAbandoned(callbacks, names))
    if callbacks is not None and callbacks.voicemail:
        policies.append(VoiceMail())
    if scenario.outbound is not None and scenario.outbound.calls_per_day > 0:
        policies.append((Dialer if scenario.outbound.mode == "dialer" else Reminders)(scenario))
    if scenario.redials is not None and (scenario.redials.blocked or scenario.redials.abandoned):
        policies.append(Redial(scenario.redials, callbacks, names))
    return tuple(policies)
