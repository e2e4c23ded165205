"""One attempt's life, as one generator: line -> IVR -> queue -> agent -> talk -> wrap-up.

The life reads top to bottom as the caller experiences it. Each moment where the center acts is
a named method of :class:`sim.model.Model`, written once: ``seize_line`` / ``block`` /
``release_line`` (trunk lines), ``diverted`` and ``enter_queue`` (policies, then one router
call), ``assign(agent, call)`` (the one place an agent gets a call), ``abandon`` (the caller
hangs up in queue) and the agent-free decision (``AgentPool.release`` ->
``Router.next_work``). Policies (:mod:`sim.policies`) are consulted at those moments.

The reneging race cannot happen by construction: a waiting caller is suspended
(``sim.kernel.SUSPEND``) and woken exactly once (``Call.wake``, queued as the succeeding of an
event would be), either by an agent (``Model.assign``) or by its patience timer
(:meth:`Call.renege`). Whichever runs first clears ``Call.waiting``, and the other then does
nothing: an agent never takes a caller who has hung up (the router skips callers no
longer waiting), and a caller handed an agent at the very instant its patience runs out keeps
the agent. When both fall on the same instant, SimPy's event order (time, then creation order)
decides, deterministically.
"""

from __future__ import annotations

from sim.arrivals import DRAWS
from sim.kernel import SUSPEND, Life
from sim.records import ANSWERED, INBOUND, IVR_SERVED

# Positions of a caller's pre-drawn attributes (the columns of ``sim.arrivals.CallerBatch``).
ARRIVAL_S, INTERVAL, TYPE_IN, TYPE, IS_OPEN = (
    DRAWS["arrival_s"], DRAWS["interval"], DRAWS["type_in"], DRAWS["type"], DRAWS["is_open"])
HANDLE_S, WRAP_S, PATIENCE_S = DRAWS["handle_s"], DRAWS["wrap_s"], DRAWS["patience_s"]


class Call(Life):
    """One attempt in the system: its pre-drawn attributes, what has happened to it, its life.

    A :class:`~sim.kernel.Life` driving :func:`call_life`: the life starts at its arrival, for
    which the source schedules it (:meth:`~sim.kernel.Life.schedule`), or when the first event
    it is attached to is processed (a later attempt's start).

    Parameters
    ----------
    call_id : int
        The attempt's index in its replication.
    draws : tuple
        The caller's pre-drawn attributes (positions above).
    model : sim.model.Model

    Notes
    -----
    A new call is its caller's first, inbound attempt (``caller_id = call_id``, ``attempt = 1``,
    ``kind = INBOUND``, ``first_interval = interval``); a policy making a later attempt of the
    same caller sets those four attributes after construction. (Keyword arguments would cost a
    measurable share of the run on this path, taken once per call.)
    """

    __slots__ = ("agent", "answer_s", "arrival_s", "attempt", "caller_id", "draws",
                 "first_interval", "id", "interval", "ivr_exit_s", "job", "kind",
                 "predicted_wait_s", "queue_entry_s", "type", "type_in", "waiting")

    def __init__(self, call_id: int, draws: tuple, model):
        self.id = self.caller_id = call_id
        self.attempt, self.kind = 1, INBOUND
        self.draws = draws  # see the positions above
        self.type = self.type_in = draws[TYPE_IN]
        self.interval = self.first_interval = draws[INTERVAL]
        self.arrival_s = self.ivr_exit_s = self.queue_entry_s = self.answer_s = None
        self.agent = self.predicted_wait_s = self.job = None
        self.waiting = False
        self.env = model.env
        self.generator = call_life(model, self)

    def renege(self, _event) -> None:
        """Patience timer callback: hang up unless an agent has already taken the call."""
        if self.waiting:
            self.waiting = False
            self.wake()


def call_life(model, call: Call):
    """One attempt's life, started at its arrival instant (see the module docstring)."""
    env = model.env  # the hot path reads env._now: the ``now`` property is a call per read
    # Every column of sim.arrivals.CallerBatch, in its order.
    (_, _, _, call_type, is_open, greeting_s, ivr_patience_s, ivr_served,
     handle_s, wrap_s, _) = call.draws

    # Arrival (the clock, which may differ from the drawn instant in the last bit). Outside
    # opening hours the caller leaves; else it seizes a trunk line (held until it leaves) or
    # gets a busy signal.
    call.arrival_s = env._now
    if not is_open:
        model.after_hours(call)
        return
    if not model.seize_line(call):
        model.block(call)
        return

    # IVR: the greeting, unless the caller's IVR patience runs out first.
    if ivr_patience_s < greeting_s:
        yield ivr_patience_s  # a sleep (sim.kernel.Life)
        model.ivr_hang_up(call)
        return
    if greeting_s > 0:
        yield greeting_s
    call.ivr_exit_s = env._now
    if ivr_served:
        model.release_line(call, IVR_SERVED)
        return
    call.type = call_type  # the menu choice

    # Queue entry: the policies may take the call (a callback offer), else the router gives it
    # an agent at once or it waits until one comes or its patience runs out.
    call.queue_entry_s = env._now
    if model.diverting and model.diverted(call):
        return
    if model.enter_queue(call):
        yield SUSPEND  # until an agent takes it or its patience runs out (Call.wake)
    if call.agent is None:
        model.abandon(call)
        return

    # Talk, then the line is freed; wrap-up keeps the agent busy. An overflow group's agent
    # serves with its own talk time, or only takes a message (see Model.assign).
    if call.job is not None:
        mode, handle_s = call.job
        if mode == "message":
            yield handle_s
            model.message_taken(call)
            model.pool.release(call.agent)
            return
    yield handle_s
    model.release_line(call, ANSWERED)
    if wrap_s > 0:
        yield wrap_s
    model.pool.release(call.agent)  # the agent-free moment


class CallbackJob(Call):
    """A callback attempt: the center calls the caller back (``kind = CALLBACK``).

    Its ``job`` (a :class:`sim.policies.Dial`) is set by ``Model.request_callback`` /
    ``retry_callback`` before it falls due; its talk time and wrap-up are the caller's own.
    """

    __slots__ = ()

    def __init__(self, call_id: int, draws: tuple, model):
        super().__init__(call_id, draws, model)
        self.generator = callback_life(model, self)  # (the inbound life is never started)


def callback_life(model, job: CallbackJob):
    """One callback attempt: due -> an agent takes it -> dial -> talk and wrap-up, or no answer.

    A due callback never gives up; it occupies no inbound trunk line (see
    ``scenarios.schema.Callbacks``). The agent is busy from the moment it starts dialling.
    """
    if model.queue_callback(job):
        yield SUSPEND  # until an agent takes it (Call.wake)
    agent = job.agent
    model.callback_dialled(job)
    yield model.timeout(job.job.dial_s)
    if not job.job.reached:
        model.callback_done(job, reached=False)
        model.pool.release(agent)
        return
    yield model.timeout(job.draws[HANDLE_S])
    model.callback_done(job, reached=True)
    wrap_s = job.draws[WRAP_S]
    if wrap_s > 0:
        yield model.timeout(wrap_s)
    model.pool.release(agent)
