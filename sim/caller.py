"""One call's life, as one SimPy process: line -> IVR -> queue -> agent -> talk -> wrap-up.

The process reads top to bottom as the caller experiences it. The moments where later policies
(callbacks, redials, overflow) hook in are marked: *arrival* (line seized or blocked), *queue
entry*, *abandonment* and *agent free* (``AgentPool.release``).

The reneging race cannot happen by construction: a waiting caller waits on a single event
(``Call.wake``), triggered exactly once, either by an agent (:meth:`Call.connect`) or by its
patience timer (:meth:`Call.renege`). Whichever runs first clears ``Call.waiting``, and the other
then does nothing: an agent never takes a caller who has hung up (the router skips callers no
longer waiting), and a caller handed an agent at the very instant its patience runs out keeps
the agent. When both fall on the same instant, SimPy's event order (time, then creation order)
decides, deterministically.
"""

from __future__ import annotations

import math

from sim.records import ABANDONED, AFTER_HOURS, ANSWERED, BLOCKED, IVR_ABANDONED, IVR_SERVED

# Positions of a caller's pre-drawn attributes (the columns of ``sim.arrivals.CallerBatch``).
(ARRIVAL_S, INTERVAL, TYPE_IN, TYPE, IS_OPEN, GREETING_S, IVR_PATIENCE_S, IVR_SERVED_FLAG,
 HANDLE_S, WRAP_S, PATIENCE_S) = range(11)


class Call:
    """A call in the system: its pre-drawn attributes, what has happened to it, and its life.

    The call drives its :func:`call_life` generator on SimPy events as ``simpy.Process`` would:
    calling the call with an event resumes the life with the event's value, and the call
    registers itself on the next event the life yields. A ``Process`` would cost two extra
    events per call (its start and its end) and a general resume loop; a call's life only ever
    yields fresh events that never fail, so this does the same work with neither. The life
    starts when the first event the call is attached to (its arrival timeout) is processed.
    """

    __slots__ = ("agent", "answer_s", "arrival_s", "draws", "id", "ivr_exit_s", "life",
                 "queue_entry_s", "type", "waiting", "wake")

    def __init__(self, call_id: int, draws: tuple, model):
        self.id = call_id
        self.draws = draws  # see the positions above
        self.type = draws[TYPE_IN]
        self.ivr_exit_s = self.queue_entry_s = self.answer_s = self.agent = None
        self.waiting = False
        self.wake = None
        self.life = call_life(model, self)

    def __call__(self, event) -> None:
        try:
            event = self.life.send(event.value)
        except StopIteration:
            return
        event.callbacks.append(self)

    def connect(self, agent) -> None:
        """An agent takes this waiting call (called by the agent pool at the agent-free moment)."""
        self.waiting = False
        self.wake.succeed(agent)  # the life records the agent (and the answer time) when it wakes

    def renege(self, _event) -> None:
        """Patience timer callback: hang up unless an agent has already taken the call."""
        if self.waiting:
            self.waiting = False
            self.wake.succeed(None)


def call_life(model, call: Call):
    """One call's life, started at its arrival instant (see the module docstring)."""
    env, pool, timeout = model.env, model.pool, model.timeout
    (_, _, _, call_type, is_open, greeting_s, ivr_patience_s, ivr_served,
     handle_s, wrap_s, patience_s) = call.draws

    # Arrival (the clock, which may differ from the drawn instant in the last bit). Outside
    # opening hours the caller leaves; else it seizes a trunk line (held until it leaves) or
    # gets a busy signal.
    call.arrival_s = env.now
    if not is_open:
        model.finish(call, AFTER_HOURS)
        return
    live = model.live
    if len(live) >= model.lines:
        model.finish(call, BLOCKED)
        return
    live[call.id] = call

    # IVR: the greeting, unless the caller's IVR patience runs out first.
    if ivr_patience_s < greeting_s:
        yield timeout(ivr_patience_s)
        model.hang_up(call, IVR_ABANDONED)
        return
    if greeting_s > 0:
        yield timeout(greeting_s)
    call.ivr_exit_s = env.now
    if ivr_served:
        model.hang_up(call, IVR_SERVED)
        return
    call.type = call_type  # the menu choice

    # Queue entry: an idle agent right away, or wait until an agent comes or patience runs out.
    call.queue_entry_s = env.now
    agent = pool.idle_agent_for(call_type)
    if agent is None:
        if patience_s > 0:
            call.waiting = True
            call.wake = env.event()
            model.router.enqueue(call, call_type)
            if patience_s != math.inf:
                timeout(patience_s).callbacks.append(call.renege)
            agent = yield call.wake
        if agent is None:  # abandonment
            model.hang_up(call, ABANDONED)
            return

    # Talk, then the line is freed; wrap-up keeps the agent busy.
    call.agent = agent
    call.answer_s = env.now
    yield timeout(handle_s)
    model.hang_up(call, ANSWERED)
    if wrap_s > 0:
        yield timeout(wrap_s)
    pool.release(agent)  # the agent-free moment
