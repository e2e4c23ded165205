"""sim.kernel.Life: a generator driven on SimPy events, with SimPy's own two guards."""

from __future__ import annotations

import pytest
import simpy

from sim.kernel import Life


def start(env: simpy.Environment, generator, at_s: float = 0.0) -> None:
    env.timeout(at_s).callbacks.append(Life(generator))


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
