"""The driver of short lives and the run loop: generators resumed on SimPy's event queue.

Three ways to make things happen in time, and when to use each
--------------------------------------------------------------
* ``env.process(generator)`` for the few long-lived actors (the roster, the arrival source):
  a ``Process`` is itself an event others can wait on, can be interrupted, and its cost (two
  extra events and a general resume loop) does not matter when there are a handful of them.
* A bare callback (``env.timeout(delay).callbacks.append(function)``) for a one-shot timer whose
  whole effect is one function call: a patience timer, a walk-in arrival.
* :class:`Life` for the many short lives with several steps (callers, callbacks): a generator
  driven like a ``Process`` but without being an event others can wait on. It saves the
  ``Process``'s start and end events, and a life that only needs to sleep yields the delay
  itself (a ``float``): the life is then put on the queue as its own event, so a caller's
  arrival, greeting, talk and wrap-up allocate no ``simpy.Timeout`` at all. Nothing can wait on
  a :class:`Life` or interrupt it.

Same queue, same order
----------------------
A life that sleeps is pushed on the environment's own queue exactly as ``env.timeout(delay)``
would push its ``Timeout``: ``(now + delay, NORMAL, next event id, event)``. So events are
processed in the order SimPy would process them had the life yielded ``env.timeout(delay)``
(time, then creation order): only the allocation is saved, never the order (a test holds the
two to the same trace). :func:`run_until` is ``Environment.run(until=event)`` with
``Environment.step`` inlined, one Python call less per event, and it resumes a sleeping life
itself rather than through :meth:`Life.__call__` (a life's own entry is the only one on the
queue whose ``callbacks`` is a tuple); under ``Environment.run`` a life works all the same.
Both use three attributes SimPy keeps private (``_queue``, ``_eid``, ``_now``), stable since
SimPy 3; ``pyproject.toml`` bounds SimPy below 5 and the tests fail if they change.

Guards
------
Those of SimPy's ``Process._resume`` (``simpy/events.py``):

* an event that has already been processed (its ``callbacks`` is ``None``) resumes the life at
  once, in the same step, instead of registering a callback that would never run;
* a failed event is defused and its exception thrown into the generator, which may catch it;
  if it does not, the exception propagates out of the run loop and stops the run, as it
  should for what is then a programming error (SimPy would fail the process instead, but no
  one waits on a life to receive that failure);
* a negative delay is refused, as ``simpy.Timeout`` refuses it.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from heapq import heappop, heappush
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import simpy

#: ``simpy.events.NORMAL``, the priority of a timeout (a test holds them equal). Not imported:
#: the fast engine uses this module's helpers through ``sim.agents`` and must not load SimPy.
NORMAL = 1

#: What a life yields to wait until another actor calls its :meth:`Life.wake` (a caller in
#: queue waits for an agent or its patience, whichever comes first: no event is needed).
SUSPEND = object()


class Life:
    """Drive ``generator`` on the events it yields (see the module docstring).

    The life starts when the :class:`Life` is called with a first event, typically by putting
    it on an event's callbacks (``env.timeout(delay).callbacks.append(Life(env, gen))``), or by
    :meth:`schedule` (``Life(env, gen).schedule(delay)``, which allocates no event). The
    generator yields ``simpy`` events, or a ``float`` delay to sleep for.

    Parameters
    ----------
    env : simpy.Environment
    generator : generator
        Yields ``simpy`` events, ``float`` delays (seconds, >= 0) or :data:`SUSPEND`; receives
        each event's value when it is processed (``None`` after a sleep or a wake), or has the
        event's exception thrown in when it failed.
    """

    __slots__ = ("callbacks", "env", "generator")

    # A sleeping life is its own event on the queue: SimPy's loop reads these two after running
    # the callbacks (a sleep never fails) and the life reads the value it resumes with.
    _ok = True
    _value = None

    def __init__(self, env: simpy.Environment, generator: Generator[Any, Any, None]):
        self.env = env
        self.generator = generator

    def schedule(self, delay: float) -> None:
        """Resume (or start) the life ``delay`` seconds from now, as ``env.timeout`` would."""
        if delay < 0:
            raise ValueError(f"negative delay {delay}")
        env = self.env
        self.callbacks = (self,)
        heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), self))

    def wake(self) -> None:
        """Resume a life suspended on :data:`SUSPEND`, now: queued as ``Event.succeed`` would
        queue the event it waits on (this instant, ``NORMAL``, the next event id), so it runs
        after whatever is already due at this instant, in the same order."""
        self.schedule(0.0)

    def __call__(self, event) -> None:
        send = self.generator.send
        while True:
            try:
                if event._ok:
                    event = send(event._value)
                else:
                    event.defused = True
                    event = self.generator.throw(event._value)
            except StopIteration:
                return
            if event is SUSPEND:  # someone will wake it (Life.wake)
                return
            if event.__class__ is float:  # a sleep: Life.schedule, inlined (once per step)
                if event < 0:
                    raise ValueError(f"negative delay {event}")
                env = self.env
                self.callbacks = (self,)
                heappush(env._queue, (env._now + event, NORMAL, next(env._eid), self))
                return
            callbacks = event.callbacks
            if callbacks is not None:  # not processed yet: resume when it is
                callbacks.append(self)
                return
            # Already processed: its callbacks have run and will not run again; go on now.

    def wait_on(self, event) -> None:
        """Resume the life when ``event`` is processed (at once if it already has been)."""
        if event.callbacks is not None:
            event.callbacks.append(self)
        else:
            self(event)


class _Timer:
    """A one-shot timer on the environment's queue: what ``env.timeout(delay)`` with one
    callback is, without the ``Timeout`` (see :func:`call_later`)."""

    __slots__ = ("callbacks",)
    _ok = True
    _value = None

    def __init__(self, function: Callable[[Any], None]):
        self.callbacks = [function]  # a list, as SimPy's: a tuple marks a life (run_until)


def call_later(env: simpy.Environment, delay: float, function: Callable[[Any], None]) -> None:
    """Call ``function(timer)`` ``delay`` seconds from now: queued exactly as
    ``env.timeout(delay).callbacks.append(function)`` would be (same instant, priority and
    event id, so the same order among events of one instant), without allocating a
    ``Timeout``. For the one-shot timers of the hot path (a caller's patience, walk-ins)."""
    if delay < 0:
        raise ValueError(f"negative delay {delay}")
    heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), _Timer(function)))


def run_until(env: simpy.Environment, until: simpy.Event) -> None:
    """Process events until ``until`` has been processed: ``env.run(until=until)`` with
    ``Environment.step`` inlined (see the module docstring).

    A life put on the queue by :meth:`Life.schedule` (a sleep or a wake) is resumed here, with
    :meth:`Life.__call__` written out for that case: its entry is the only one whose
    ``callbacks`` is a tuple (SimPy's events hold a list, :func:`call_later` too). Lives sleep
    two to four times per call, and the call through ``Life.__call__`` (a Python object called
    from C, then the generator resumed from there) was a tenth of a run of M/M/n+M.

    Raises
    ------
    RuntimeError
        If no event is left before ``until`` is processed (as ``Environment.run``).
    """
    queue, eid = env._queue, env._eid
    while until.callbacks is not None:
        try:
            env._now, _, _, event = heappop(queue)
        except IndexError:
            raise RuntimeError(f"No scheduled events left but {until!r} was not processed") \
                from None
        callbacks, event.callbacks = event.callbacks, None
        if callbacks.__class__ is tuple:  # a life's own entry: resume it (Life.__call__)
            try:
                step = event.generator.send(None)
            except StopIteration:
                continue
            if step.__class__ is float:
                if step < 0:
                    raise ValueError(f"negative delay {step}")
                event.callbacks = callbacks  # (event,): the same life sleeps again
                heappush(queue, (env._now + step, NORMAL, next(eid), event))
            elif step is not SUSPEND:
                event.wait_on(step)
            continue
        for callback in callbacks:
            callback(event)
        if not event._ok and not hasattr(event, "_defused"):
            # As Environment.step: a failure nobody defused stops the run, with a fresh traceback.
            exc = type(event._value)(*event._value.args)
            exc.__cause__ = event._value
            raise exc


#: Allocations (net) between two young-generation collections while a run goes on; Python's
#: default is 700.
RUN_GC_THRESHOLD = 100_000


@contextmanager
def rare_collections() -> Iterator[None]:
    """Run the block with the cyclic garbage collector's first threshold raised.

    A run allocates millions of short-lived objects (calls, their generators, queue entries)
    that reference counting frees as soon as a call leaves (a finished generator drops its
    frame, which breaks the only cycle, call <-> generator); the collector's frequent passes
    over them find almost nothing and cost about 7 % of a run (measured on M/M/55+M). Raising
    the first threshold keeps the collector working, just rarely; the previous thresholds are
    restored afterwards. (The thresholds are global to the interpreter: another thread
    allocating meanwhile is collected as rarely.)
    """
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], RUN_GC_THRESHOLD), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
