"""Random streams: one root seed, one generator per replication and purpose.

A run has one root entropy (recorded in every result). Replication ``r`` uses
``SeedSequence(entropy, spawn_key=(r,))`` and, inside it, one independent ``numpy.random.Generator``
per purpose, addressed by the fixed integers of :class:`Stream` (plus a call-type index for the
per-type durations, and ``(group, agent index)`` for each agent's walk-ins), never by ``hash()``.
Because every caller's attributes are drawn from these streams in arrival order, independently
of staffing and routing, caller ``i`` gets the same arrival time, patience and handle time under
every staffing plan, and agent ``j`` of group ``g`` the same walk-in gaps and durations whatever
the staffing of the others: common random numbers.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Stream(IntEnum):
    """Purpose of a random stream. The values are part of the reproducibility contract."""

    BUSYNESS = 0  #: daily busyness factor
    ARRIVALS = 1  #: Poisson counts and arrival instants
    IVR_GREETING = 2  #: time a caller needs to pass the IVR
    IVR_PATIENCE = 3  #: time a caller is willing to listen to the IVR
    IVR_SERVED = 4  #: whether the IVR serves the caller
    MENU = 5  #: IVR menu choice (routing)
    HANDLE = 6  #: talk time, one sub-stream per call type
    WRAP = 7  #: after-call work, one sub-stream per call type
    PATIENCE = 8  #: queue patience, one sub-stream per call type
    WALK_IN = 9  #: walk-in tasks, one sub-stream per agent: sub ``(group, agent index)``
    REDIAL = 10  #: whether a failed caller redials, and after how long
    CALLBACK = 11  #: callback delays, dial times, whether the caller answers, retry delays
    OFFER = 12  #: whether an offered caller accepts a callback
    OVERFLOW = 13  #: talk and message times of calls taken by an overflow group
    OUTBOUND = 14  #: reminder calls: dial and talk times, whether the patient answers


def replication_seed(entropy: int, replication: int) -> np.random.SeedSequence:
    """Seed sequence of replication ``replication`` of the run with root ``entropy``."""
    return np.random.SeedSequence(entropy, spawn_key=(replication,))


def generator(seed: np.random.SeedSequence, stream: Stream,
              sub: int | tuple[int, ...] = 0) -> np.random.Generator:
    """The generator of one purpose (and sub-stream) in a replication.

    ``sub`` is a fixed integer (e.g. a call-type index) or a tuple of them (e.g. ``(group,
    agent)`` for walk-ins). The generator is derived by extending the replication's spawn key, so
    it does not depend on how many children were spawned before (``SeedSequence.spawn`` would),
    nor on which other sub-streams exist.
    """
    subs = sub if isinstance(sub, tuple) else (sub,)
    child = np.random.SeedSequence(seed.entropy,
                                   spawn_key=(*seed.spawn_key, int(stream), *map(int, subs)))
    return np.random.Generator(np.random.PCG64(child))
