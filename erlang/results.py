"""Result records of the analytic models: one frozen dataclass, JSON-ready field names."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, kw_only=True)
class QueueMetrics:
    """Steady-state figures of one queue (one interval's load and agents).

    Every probability is a share of *offered* calls (attempts, for the lines model) unless the
    name says otherwise. Waits are in seconds.

    Attributes
    ----------
    model : str
        ``erlang_c``, ``erlang_a`` or ``erlang_x`` (lines, patience and redials).
    agents : int
    lines : int or None
        Trunk lines (``None``: unlimited).
    arrival_rate_per_s : float
        Offered calls per second (for ``erlang_x``: first attempts plus redials).
    aht_s : float
    mean_patience_s : float
        ``inf`` where callers never abandon.
    load_erl : float
        Offered load ``arrival_rate_per_s * aht_s``.
    awt_s : float
        Service-level threshold.
    short_abandon_s : float
        Threshold of ``p_abandon_short`` and ``service_level_excl_short``.
    p_blocked : float
        Share of calls that find every line busy.
    p_wait : float
        Share of calls that get a line but no free agent, so they queue.
    p_abandon : float
        Share of calls that hang up in queue.
    p_abandon_short : float
        Share of calls that hang up within ``short_abandon_s``.
    service_level : float
        Answered within ``awt_s`` over offered.
    service_level_answered : float
        Answered within ``awt_s`` over answered.
    service_level_excl_short : float
        Answered within ``awt_s`` over offered minus short abandons.
    asa_s : float
        Average speed of answer: mean wait of answered calls.
    mean_wait_s : float
        Mean time in queue of every call that got a line (answered and abandoned, zeros included).
    mean_wait_abandoned_s : float
        Mean time to abandon of abandoners (``nan`` if nobody abandons).
    occupancy : float
        Carried load over agents: the share of agent time spent on calls.
    stable : bool
        False for Erlang C at or above full load, where the queue grows without bound and the
        figures are the limits (P(wait) = 1, SL = 0, waits = inf, occupancy = 1).
    """

    model: str
    agents: int
    lines: int | None
    arrival_rate_per_s: float
    aht_s: float
    mean_patience_s: float
    load_erl: float
    awt_s: float
    short_abandon_s: float
    p_blocked: float
    p_wait: float
    p_abandon: float
    p_abandon_short: float
    service_level: float
    service_level_answered: float
    service_level_excl_short: float
    asa_s: float
    mean_wait_s: float
    mean_wait_abandoned_s: float
    occupancy: float
    stable: bool = True

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON: ``inf`` and ``nan`` become ``None`` (JSON has neither)."""
        return {k: json_number(v) for k, v in dataclasses.asdict(self).items()}


def json_number(value: Any) -> Any:
    """``value`` unless it is a non-finite float, which JSON cannot carry: then ``None``."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True, kw_only=True)
class RedialMetrics:
    """Figures of the lines-and-redials model (:func:`erlang.retrials.erlang_x`).

    Attributes
    ----------
    queue : QueueMetrics
        Per-attempt figures: every share is of attempts (first calls and redials together),
        ``queue.arrival_rate_per_s`` is the attempt rate.
    fresh_rate_per_s : float
        First attempts per second (the callers).
    redial_blocked, redial_abandoned : float
        Redial probabilities used.
    redials_per_s : float
        Redial attempts per second.
    unique_lost : float
        Share of callers who never get through: attempts lost for good (blocked or abandoned and
        not redialling) over first attempts.
    method : str
        ``"exact"``: the Markov chain on (calls holding a line, callers waiting to redial) of
        :mod:`erlang.redial_chain`; ``"fixed_point"``: the Erlang X fixed point of
        :mod:`erlang.retrials`, which treats redials as Poisson (a redial delay long enough for
        the system to forget).
    mean_redial_delay_s : float
        Mean (exponential) time between a failed attempt and the redial; ``inf`` when none was
        given (the fixed point's assumption).
    mean_orbit : float
        Mean number of callers waiting to redial. Exact for ``"exact"``; for ``"fixed_point"``
        Little's law ``redials_per_s * mean_redial_delay_s`` (``inf`` without a delay, ``0``
        without redials).
    iterations : int
        Fixed-point iterations, or for ``"exact"`` the number of chains solved while the
        orbit's truncation was grown.
    states : int
        States of the last chain solved (``0`` for the fixed point).
    truncation_loss : float
        Exact method: callers per first attempt turned away from the orbit by its truncation
        (the leak the cut adds to ``unique_lost``; below 1e-12); ``0`` for the fixed point.
    """

    queue: QueueMetrics
    fresh_rate_per_s: float
    redial_blocked: float
    redial_abandoned: float
    redials_per_s: float
    unique_lost: float
    method: str
    mean_redial_delay_s: float
    mean_orbit: float
    iterations: int
    states: int = 0
    truncation_loss: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Flat dict for JSON: the queue's figures plus the redial figures."""
        flat = self.queue.to_dict()
        for key in ("fresh_rate_per_s", "redial_blocked", "redial_abandoned", "redials_per_s",
                    "unique_lost", "method", "mean_redial_delay_s", "mean_orbit", "iterations",
                    "states", "truncation_loss"):
            flat[key] = json_number(getattr(self, key))
        return flat


def jsonable(value: Any) -> Any:
    """``value`` with every non-finite float, at any depth of dicts, lists and tuples, made
    ``None`` (JSON has no nan or inf); every package that writes JSON uses this one."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return json_number(value)
