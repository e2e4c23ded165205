"""sim.kernel: lives driven on SimPy events (SimPy's own guards), sleeps, the run loop."""

from __future__ import annotations

import gc
from functools import partial

import pytest
import simpy

from sim.kernel import (
    RUN_GC_THRESHOLD,
    SUSPEND,
    Life,
    call_later,
    rare_collections,
    run_until,
)


def start(env: simpy.Environment, generator, at_s: float = 0.0) -> None:
    env.timeout(at_s).callbacks.append(Life(env, generator))


def test_a_life_starts_at_its_first_event_and_receives_each_value():
    env = simpy.Environment()
    log = []

    def life():
        log.append(("start", env.now))
        value = yield env.timeout(3, value="a")
        log.append((value, env.now))
        value = yield env.timeout(4, value="b")
        log.append((value, env.now))

    start(env, life(), at_s=2)
    env.run()
    assert log == [("start", 2), ("a", 5), ("b", 9)]


def test_an_already_processed_event_resumes_the_life_at_once():
    env = simpy.Environment()
    done = env.event()
    done.succeed("early")
    env.run()  # ``done`` is processed: its callbacks ran and will never run again
    assert done.processed
    log = []

    def life():
        value = yield done
        log.append((value, env.now))
        value = yield env.timeout(1, value="later")
        log.append((value, env.now))

    start(env, life(), at_s=5)
    env.run()
    assert log == [("early", 5), ("later", 6)]


def test_a_failed_event_is_thrown_into_the_life_and_defused():
    env = simpy.Environment()
    failing = env.event()
    log = []

    def life():
        try:
            yield failing
        except KeyError as err:
            log.append((err.args[0], env.now))
        yield env.timeout(1)
        log.append(("after", env.now))

    start(env, life())
    env.timeout(2).callbacks.append(lambda _e: failing.fail(KeyError("no line")))
    env.run()  # a failed event nobody defused would raise here
    assert log == [("no line", 2), ("after", 3)]
    assert failing.defused


def test_a_failure_the_life_does_not_catch_stops_the_run():
    env = simpy.Environment()
    failing = env.event()

    def life():
        yield failing

    start(env, life())
    env.timeout(1).callbacks.append(lambda _e: failing.fail(RuntimeError("bug")))
    with pytest.raises(RuntimeError, match="bug"):
        env.run()


def test_an_already_failed_and_processed_event_is_thrown_in_at_once():
    env = simpy.Environment()
    failing = env.event()
    failing.fail(ValueError("gone"))
    failing.defused = True  # nobody waited: keep the environment from raising it
    env.run()
    log = []

    def life():
        try:
            yield failing
        except ValueError as err:
            log.append((str(err), env.now))

    start(env, life(), at_s=4)
    env.run()
    assert log == [("gone", 4)]


# -- sleeps (a yielded float) and the run loop ---------------------------------------------------


def _finish(env: simpy.Environment, loop: str) -> None:
    """Run every event before 100 s with SimPy's loop or with ours (which resumes lives itself)."""
    if loop == "simpy":
        env.run()
    else:
        run_until(env, env.timeout(100.0))


def _trace(sleep_as_float: bool, delays: list[list[float]], loop: str = "simpy") -> list[tuple]:
    """Who resumes when, for lives sleeping ``delays`` (ties on purpose), and where a bare
    timeout callback falls among them."""
    env = simpy.Environment()
    log = []

    def life(i, steps):
        for step, d in enumerate(steps):
            log.append((env.now, i, step))
            yield float(d) if sleep_as_float else env.timeout(d)
        log.append((env.now, i, "end"))

    for i, steps in enumerate(delays):
        if sleep_as_float:
            Life(env, life(i, steps)).schedule(float(i % 3))
        else:
            env.timeout(float(i % 3)).callbacks.append(Life(env, life(i, steps)))
        env.timeout(2.0).callbacks.append(lambda _e, i=i: log.append((env.now, i, "timer")))
    _finish(env, loop)
    return log


@pytest.mark.parametrize("loop", ["simpy", "run_until"])
def test_a_sleep_is_processed_in_the_order_a_timeout_of_that_delay_would_be(loop):
    # Delays of 0, 1 and 2 s from starts at 0, 1 and 2 s: many lives resume at one instant,
    # where only the creation order decides. run_until resumes a sleeping life itself, without
    # Life.__call__: the order must still be SimPy's.
    delays = [[(i * j) % 3 for j in range(4)] for i in range(12)]
    assert _trace(True, delays, loop) == _trace(False, delays)


def test_run_until_resumes_a_sleeping_life_onto_simpy_events_as_life_call_does():
    # After a sleep (resumed by run_until), the life waits on a pending event, on an event
    # already processed, then sleeps again: the same as under SimPy's loop.
    def trace(loop: str) -> list[tuple]:
        env = simpy.Environment()
        log = []
        early = env.event()
        early.succeed("early")

        def life():
            yield 1.0
            value = yield env.timeout(2.0, value="pending")
            log.append((env.now, value))
            value = yield early  # processed long ago: resumed at once
            log.append((env.now, value))
            yield 0.5
            log.append((env.now, "end"))

        Life(env, life()).schedule(0.0)
        _finish(env, loop)
        return log

    assert trace("run_until") == trace("simpy") == [
        (3.0, "pending"), (3.0, "early"), (3.5, "end")]


def test_a_negative_sleep_is_refused():
    env = simpy.Environment()

    def life():
        yield -1.0

    Life(env, life()).schedule(0.0)
    with pytest.raises(ValueError, match="negative delay"):
        env.run()
    env = simpy.Environment()
    Life(env, life()).schedule(0.0)
    with pytest.raises(ValueError, match="negative delay"):
        run_until(env, env.timeout(1.0))
    with pytest.raises(ValueError, match="negative delay"):
        Life(env, life()).schedule(-0.5)


def test_run_until_stops_once_the_event_is_processed_as_env_run_does():
    def trace(use_run_until: bool):
        env = simpy.Environment()
        log = []
        done = env.timeout(5.0)
        for t in (1.0, 5.0, 5.0, 7.0):  # one tie created after ``done``, one after it
            env.timeout(t).callbacks.append(lambda _e, t=t: log.append((env.now, t)))
        if use_run_until:
            run_until(env, done)
        else:
            env.run(until=done)
        return log, env.now

    assert trace(True) == trace(False) == ([(1.0, 1.0)], 5.0)


def test_run_until_refuses_an_event_that_can_never_come_and_raises_undefused_failures():
    env = simpy.Environment()
    env.timeout(1.0)
    with pytest.raises(RuntimeError, match="No scheduled events left"):
        run_until(env, env.event())
    env = simpy.Environment()
    failing = env.event()
    failing.fail(KeyError("lost"))
    with pytest.raises(KeyError, match="lost"):
        run_until(env, env.timeout(3.0))


def test_rare_collections_raises_the_first_threshold_and_restores_it():
    before = gc.get_threshold()
    with rare_collections():
        assert gc.get_threshold()[0] >= RUN_GC_THRESHOLD
        assert gc.get_threshold()[1:] == before[1:]
    assert gc.get_threshold() == before
    with pytest.raises(KeyError), rare_collections():
        raise KeyError("a failure inside the run")
    assert gc.get_threshold() == before


@pytest.mark.parametrize("loop", ["simpy", "run_until"])
def test_a_suspended_life_woken_resumes_where_a_succeeded_event_would(loop):
    def trace(suspend: bool) -> list[tuple]:
        env = simpy.Environment()
        log = []
        lives, events = [], []

        def life(i):
            log.append((env.now, i, "waits"))
            if suspend:
                yield SUSPEND
            else:
                events.append(env.event())
                yield events[-1]
            log.append((env.now, i, "woken"))
            yield 1.0
            log.append((env.now, i, "end"))

        def wake(i, _e):
            lives[i].wake() if suspend else events[i].succeed()

        for i in range(3):
            lives.append(Life(env, life(i)))
            lives[-1].schedule(0.0)
        # Wakes at 2 s from timers created before and after other timers of that instant.
        env.timeout(2.0).callbacks.append(lambda _e: log.append((env.now, "timer a")))
        for i in (2, 0):
            env.timeout(2.0).callbacks.append(partial(wake, i))
        env.timeout(2.0).callbacks.append(lambda _e: log.append((env.now, "timer b")))
        env.timeout(3.0).callbacks.append(partial(wake, 1))
        _finish(env, loop if suspend else "simpy")
        return log

    assert trace(True) == trace(False)
    assert trace(True)[-1] == (4.0, 1, "end")


def test_the_kernel_queues_at_simpys_own_timeout_priority():
    import simpy.events

    from sim import kernel

    assert kernel.NORMAL == simpy.events.NORMAL


def test_call_later_fires_where_a_timeout_with_that_callback_would():
    def trace(light: bool) -> list[tuple]:
        env = simpy.Environment()
        log = []

        def note(tag, _event):
            log.append((env.now, tag))
            if tag % 3 == 0:  # a timer set from a timer, at an instant others share
                later = partial(note, tag + 100)
                if light:
                    call_later(env, 1.0, later)
                else:
                    env.timeout(1.0).callbacks.append(later)

        for tag in range(12):
            delay = float(tag % 4)
            if light and tag % 2:
                call_later(env, delay, partial(note, tag))
            else:
                env.timeout(delay).callbacks.append(partial(note, tag))
        env.run()
        return log

    assert trace(True) == trace(False)
    with pytest.raises(ValueError, match="negative delay"):
        call_later(simpy.Environment(), -1.0, print)
