"""Who calls, when, and what each caller brings: arrivals drawn in chunks of bounded size.

Model
-----
* Arrivals of each call type are a non-homogeneous Poisson process, piecewise constant per
  interval: the expected count of interval ``k`` on day ``d`` is
  ``calls_per_interval[profile of d][k] * arrival_scale * busyness[d]``. Sampled exactly: a Poisson
  count per interval and type, then that many uniform instants within the interval, sorted. A busy
  interval is cut into equal slices, each with its own Poisson count (counts of a Poisson process
  in disjoint slices are independent Poisson), and a run is drawn a chunk of slices at a time
  (:meth:`CallerSource.chunks`), so memory does not grow with a day's volume.
* ``busyness[d]`` is one gamma draw per day and replication, mean 1 and cv
  ``simulation.daily_busyness_cv`` (exactly 1 when the cv is 0): it makes days over-dispersed and
  correlates the call types of one day.
* Each caller's attributes (IVR greeting and patience, whether the IVR serves it, its menu choice,
  talk time, wrap-up, queue patience) are drawn at the same time, in arrival order, from their own
  streams. Nothing here depends on staffing or routing, so caller ``i`` is the same person under
  every staffing plan (common random numbers).
* Talk time, wrap-up and patience follow the call type the caller has *after* the IVR menu.

Simulated time 0 is the start of interval 0 of day 0; day ``d`` covers
``[d * day_s, (d + 1) * day_s)`` and its wall-clock time of day is ``calendar.start_s`` plus the
offset into the day.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from scenarios.calendar import is_open, is_open_for
from scenarios.schema import Scenario
from sim.dists import sampler
from sim.errors import SimError
from sim.streams import Stream, generator

#: Expected callers drawn at a time. A chunk holds its callers' attribute columns (about 100 bytes
#: a caller with sorting temporaries), so a chunk stays near 10 MB whatever a day's volume.
CHUNK_CALLS = 65_536


class Arrival(NamedTuple):
    """An explicitly placed arrival (tests, replays). ``None`` fields are drawn as usual."""

    arrival_s: float
    call_type: str
    handle_s: float | None = None
    wrap_s: float | None = None
    patience_s: float | None = None
    greeting_s: float | None = None
    ivr_patience_s: float | None = None


class CallerBatch(NamedTuple):
    """Callers of one batch as numpy columns, sorted by arrival time. Types are indices."""

    arrival_s: np.ndarray
    interval: np.ndarray
    type_in: np.ndarray  #: call type as arrived
    type: np.ndarray  #: call type after the IVR menu
    is_open: np.ndarray  #: arrived within opening hours
    greeting_s: np.ndarray
    ivr_patience_s: np.ndarray
    ivr_served: np.ndarray
    handle_s: np.ndarray
    wrap_s: np.ndarray
    patience_s: np.ndarray


#: Position of each attribute in a caller's ``draws`` tuple (a row of a :class:`CallerBatch`).
DRAWS = {name: i for i, name in enumerate(CallerBatch._fields)}


class CallerSource:
    """Draws the callers of one replication, chunk by chunk (memory stays bounded by a chunk).

    Parameters
    ----------
    scenario : Scenario
    seed : numpy.random.SeedSequence
        The replication's seed sequence; every purpose gets its own generator from it.
    """

    def __init__(self, scenario: Scenario, seed: np.random.SeedSequence):
        self.scenario = scenario
        cal = scenario.calendar
        types = scenario.call_types
        self.type_index = {ct.name: j for j, ct in enumerate(types)}
        self._rng = {s: generator(seed, s) for s in (Stream.ARRIVALS, Stream.IVR_GREETING,
                                                    Stream.IVR_PATIENCE, Stream.IVR_SERVED,
                                                    Stream.MENU)}
        self._per_type = {
            s: [generator(seed, s, j) for j in range(len(types))]
            for s in (Stream.HANDLE, Stream.WRAP, Stream.PATIENCE)
        }
        cv = scenario.simulation.daily_busyness_cv
        if cv > 0:
            self.busyness = generator(seed, Stream.BUSYNESS).gamma(1 / cv**2, cv**2, len(cal.days))
        else:
            self.busyness = np.ones(len(cal.days))
        self._rates = {}  # profile -> (n_types, intervals_per_day) expected calls
        for profile in set(cal.days):
            self._rates[profile] = scenario.arrival_scale * np.array(
                [ct.calls_for(profile) for ct in types]
            )
        self._group_hours = any(g.open_s is not None or g.close_s is not None
                                for g in scenario.agent_groups)
        # IVR menu: arrival type -> (cumulative probabilities, resulting type indices)
        self._menu = []
        for name, split in scenario.ivr.menu:
            cum = np.cumsum([p for _, p in split])
            self._menu.append((self.type_index[name], cum / cum[-1],
                               np.array([self.type_index[t] for t, _ in split])))

    def chunks(self) -> Iterator[CallerBatch]:
        """Every caller of the replication, in arrival order, a bounded chunk at a time.

        Each day is cut into pieces of constant rate: its intervals, and an interval expecting
        more than :data:`CHUNK_CALLS` callers into equal slices expecting at most that many.
        A day's consecutive pieces are drawn together until their expected count reaches
        :data:`CHUNK_CALLS`, so a chunk expects at most twice that many callers, whatever the
        day's volume; a day expecting fewer is one chunk, drawn exactly as before chunks
        existed (so the records of existing seeds are unchanged for such days). The cuts
        depend on the scenario and the day's busyness only, never on staffing, so the draws
        (and common random numbers) do not change between what-ifs.
        """
        for d in range(len(self.scenario.calendar.days)):
            group: list[tuple[np.ndarray, ...]] = []
            # Piece i belongs to chunk floor(expected calls before it in its day / CHUNK_CALLS):
            # a chunk closes when the next piece belongs to a later one.
            carried, chunk = 0.0, 0
            for piece in self._pieces(d):
                expected = piece[3].sum(axis=0)
                before = carried + np.cumsum(expected) - expected
                carried += float(expected.sum())
                ids = (before // CHUNK_CALLS).astype(np.int64)
                prev = 0
                for cut in np.flatnonzero(np.diff(np.concatenate(([chunk], ids)))):
                    group.append(tuple(column[..., prev:cut] for column in piece))
                    yield self._draw(*_joined(group))
                    group, prev = [], cut
                chunk = int(ids[-1])
                group.append(tuple(column[..., prev:] for column in piece))
            yield self._draw(*_joined(group))

    def _pieces(self, d: int) -> Iterator[tuple[np.ndarray, ...]]:
        """Pieces of constant rate of day ``d``: start (s), length (s), interval, expected calls
        per type (shape ``(types, pieces)``)."""
        cal = self.scenario.calendar
        ipd, interval_s = cal.intervals_per_day, cal.interval_s
        lam_day = self._rates[cal.days[d]] * self.busyness[d]  # (types, ipd)
        slices = np.maximum(1, np.ceil(lam_day.sum(axis=0) / CHUNK_CALLS)).astype(np.int64)
        # A day of extreme volume has millions of slices: then one interval at a time.
        few = slices.sum() <= 4 * ipd + 4096
        for js in [np.arange(ipd)] if few else np.arange(ipd)[:, None]:
            n = slices[js]
            interval = np.repeat(d * ipd + js, n)
            first = np.repeat(np.cumsum(n) - n, n)
            part = np.arange(n.sum()) - first  # slice index within its interval
            length_s = interval_s / np.repeat(n, n)
            start_s = interval * interval_s + part * length_s
            yield start_s, length_s, interval, np.repeat(lam_day[:, js] / n, n, axis=1)

    def _draw(self, start_s, length_s, interval, lam) -> CallerBatch:
        """The callers of a chunk of pieces: a Poisson count per type and piece, then that many
        uniform instants in the piece, sorted, then every caller's attributes."""
        rng = self._rng[Stream.ARRIVALS]
        counts = rng.poisson(lam).ravel()  # type-major: (type, piece)
        n_types, n_pieces = lam.shape
        type_in = np.repeat(np.repeat(np.arange(n_types), n_pieces), counts)
        piece = np.repeat(np.tile(np.arange(n_pieces), n_types), counts)
        arrival_s = start_s[piece] + rng.random(type_in.size) * length_s[piece]
        order = np.argsort(arrival_s, kind="stable")
        piece = piece[order]
        return self._attributes(arrival_s[order], type_in[order], interval[piece])

    def explicit(self, arrivals: list[Arrival]) -> CallerBatch:
        """Callers placed by hand; attributes not given are drawn as usual."""
        arrivals = sorted(arrivals, key=lambda a: a.arrival_s)
        horizon_s = self.scenario.calendar.horizon_s
        for a in arrivals:
            if not 0.0 <= a.arrival_s < horizon_s:
                raise SimError(f"arrival_s must be in [0, {horizon_s}), got {a.arrival_s}")
        arrival_s = np.array([a.arrival_s for a in arrivals], dtype=float)
        type_in = np.array([self.type_index[a.call_type] for a in arrivals], dtype=np.int64)
        interval = np.floor(arrival_s / self.scenario.calendar.interval_s).astype(np.int64)
        batch = self._attributes(arrival_s, type_in, interval)
        for field in ("handle_s", "wrap_s", "patience_s", "greeting_s", "ivr_patience_s"):
            column = getattr(batch, field)
            for i, a in enumerate(arrivals):
                if getattr(a, field) is not None:
                    column[i] = getattr(a, field)
        return batch

    def _attributes(self, arrival_s, type_in, interval) -> CallerBatch:
        n = arrival_s.size
        ivr = self.scenario.ivr
        rng = self._rng
        greeting_s = sampler(ivr.greeting)(rng[Stream.IVR_GREETING], n)
        ivr_patience_s = sampler(ivr.patience)(rng[Stream.IVR_PATIENCE], n)
        ivr_served = rng[Stream.IVR_SERVED].random(n) < ivr.served_share
        menu_u = rng[Stream.MENU].random(n)
        final = type_in.copy()
        for arrived, cum, results in self._menu:
            mask = type_in == arrived
            choice = np.searchsorted(cum, menu_u[mask], side="right")
            final[mask] = results[np.minimum(choice, results.size - 1)]
        handle_s, wrap_s, patience_s = np.empty(n), np.empty(n), np.empty(n)
        for j, ct in enumerate(self.scenario.call_types):
            mask = final == j
            m = int(mask.sum())
            handle_s[mask] = sampler(ct.handle_time)(self._per_type[Stream.HANDLE][j], m)
            wrap_s[mask] = sampler(ct.wrap_up)(self._per_type[Stream.WRAP][j], m)
            patience_s[mask] = sampler(ct.patience)(self._per_type[Stream.PATIENCE][j], m)
        open_now = is_open(self.scenario.calendar, arrival_s)
        if self._group_hours:
            for j in range(len(self.scenario.call_types)):
                mask = type_in == j
                open_now[mask] = is_open_for(self.scenario, j, arrival_s[mask])
        return CallerBatch(arrival_s, interval, type_in, final, open_now,
                           greeting_s, ivr_patience_s, ivr_served, handle_s, wrap_s, patience_s)


def _joined(pieces: list[tuple[np.ndarray, ...]]) -> list[np.ndarray]:
    """Columns of several groups of pieces joined along the pieces axis (the last one)."""
    return [np.concatenate(column, axis=-1) for column in zip(*pieces, strict=True)]
