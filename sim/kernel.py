"""The driver of short lives: a generator resumed on SimPy events without a ``simpy.Process``.

Three ways to make things happen in time, and when to use each
--------------------------------------------------------------
* ``env.process(generator)`` for the few long-lived actors (the roster, the arrival source):
  a ``Process`` is itself an event others can wait on, can be interrupted, and its cost (two
  extra events and a general resume loop) does not matter when there are a handful of them.
* A bare callback (``env.timeout(delay).callbacks.append(function)``) for a one-shot timer whose
  whole effect is one function call: a patience timer, a walk-in arrival.
* :class:`Life` for the many short lives with several steps (callers; later callbacks and
  outbound calls): a generator that yields events, driven like a ``Process`` but without being
  an event itself. It saves the ``Process``'s start and end events, which for a million callers
  is a measurable share of the run. Nothing can wait on a :class:`Life` or interrupt it.

The guards are those of SimPy's ``Process._resume`` (``simpy/events.py``), written against the
public ``Event`` API (``callbacks``, ``ok``, ``value``, ``defused``):

* an event that has already been processed (its ``callbacks`` is ``None``) resumes the life at
  once, in the same step, instead of registering a callback that would never run;
* a failed event is defused and its exception thrown into the generator, which may catch it;
  if it does not, the exception propagates out of ``env.step()`` and stops the run, as it
  should for what is then a programming error (SimPy would fail the process instead, but no
  one waits on a life to receive that failure).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy


class Life:
    """Drive ``generator`` on the events it yields (see the module docstring).

    The life starts when the :class:`Life` is called with a first event, typically by putting
    it on an event's callbacks: ``env.timeout(delay).callbacks.append(Life(gen))`` starts
    ``gen`` at ``now + delay`` (it receives that event's value, usually ``None``).

    Parameters
    ----------
    generator : generator
        Yields ``simpy`` events; receives each event's value when it is processed, or has the
        event's exception thrown in when it failed.
    """

    __slots__ = ("generator",)

    def __init__(self, generator: Generator[simpy.Event, Any, None]):
        self.generator = generator

    def __call__(self, event: simpy.Event) -> None:
        send = self.generator.send
        while True:
            try:
                if event.ok:
                    event = send(event.value)
                else:
                    event.defused = True
                    event = self.generator.throw(event.value)
            except StopIteration:
                return
            callbacks = event.callbacks
            if callbacks is not None:  # not processed yet: resume when it is
                callbacks.append(self)
                return
            # Already processed: its callbacks have run and will not run again; go on now.
