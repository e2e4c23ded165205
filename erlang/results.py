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
