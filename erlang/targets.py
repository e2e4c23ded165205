"""Service targets and the one judge of them, for the formulas and the simulation alike.

A target is a floor on the service level or a ceiling on ASA, abandonment or occupancy. The judge
reads figures by name from a mapping or an object (a :class:`erlang.results.QueueMetrics`, or the
replication means of a simulated interval) and returns one :class:`Verdict` per target set.

Notes
-----
The service level is judged under the targets' definition, read from the figure named in
:data:`SL_DEFINITIONS` (``offered`` -> ``service_level``, ``answered`` ->
``service_level_answered``, ``exclude_short_abandons`` -> ``service_level_excl_short``). A ``nan``
figure (no call answered, an interval not counted) meets no target: every comparison is written
so that ``nan`` fails it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from erlang.errors import ErlangInputError, check_non_negative, check_probability

#: Service-level definition -> name of the figure that holds the service level so defined.
SL_DEFINITIONS = {
    "offered": "service_level",
    "answered": "service_level_answered",
    "exclude_short_abandons": "service_level_excl_short",
}

#: Ceiling target -> (figure it limits, its name in messages, unit in messages, digits format).
_CEILINGS = {
    "max_asa_s": ("asa_s", "ASA", " s", ".4g"),
    "max_abandon": ("p_abandon", "abandonment", "", ".4f"),
    "max_occupancy": ("occupancy", "occupancy", "", ".4f"),
}


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """One target judged against one set of figures.

    Attributes
    ----------
    target : str
        ``service_level``, ``max_asa_s``, ``max_abandon`` or ``max_occupancy``.
    limit : float
        The target's value (a floor for ``service_level``, a ceiling for the others).
    value : float
        The figure judged (``nan`` when undefined).
    met : bool
    text : str
        The comparison as read, e.g. ``service level 0.7790 < 0.8`` or ``ASA 12.5 s <= 15 s``.
    """

    target: str
    limit: float
    value: float
    met: bool
    text: str


@dataclass(frozen=True, kw_only=True)
class ServiceTargets:
    """Any combination of service targets; ``None`` leaves a figure free.

    Attributes
    ----------
    service_level : float or None
        Minimum share answered within ``awt_s`` (by ``sl_definition``), in [0, 1].
    awt_s : float
        Service-level threshold, seconds.
    sl_definition : str
        ``offered``, ``answered`` or ``exclude_short_abandons`` (see :data:`SL_DEFINITIONS`).
    short_abandon_s : float
        Threshold for ``exclude_short_abandons``, seconds.
    max_asa_s : float or None
        Maximum average speed of answer, seconds.
    max_abandon : float or None
        Maximum share of calls that abandon, in [0, 1].
    max_occupancy : float or None
        Maximum agent occupancy, in [0, 1].
    """

    service_level: float | None = None
    awt_s: float = 20.0
    sl_definition: str = "offered"
    short_abandon_s: float = 5.0
    max_asa_s: float | None = None
    max_abandon: float | None = None
    max_occupancy: float | None = None

    def __post_init__(self) -> None:
        if self.service_level is not None:
            check_probability("service_level", self.service_level)
        check_non_negative("awt_s", self.awt_s)
        if self.sl_definition not in SL_DEFINITIONS:
            raise ErlangInputError(
                f"sl_definition must be one of {', '.join(SL_DEFINITIONS)}, "
                f"got {self.sl_definition!r}"
            )
        check_non_negative("short_abandon_s", self.short_abandon_s)
        if self.max_asa_s is not None:
            check_non_negative("max_asa_s", self.max_asa_s)
        for name in ("max_abandon", "max_occupancy"):
            if getattr(self, name) is not None:
                check_probability(name, getattr(self, name))

    def judge(self, figures: Mapping[str, float] | Any) -> tuple[Verdict, ...]:
        """One verdict per target set, in the order service level, ASA, abandonment, occupancy.

        Parameters
        ----------
        figures : mapping or object
            Figures by name (item or attribute): the service level under ``sl_definition``
            (see :data:`SL_DEFINITIONS`), ``asa_s`` (seconds), ``p_abandon``, ``occupancy``.
            Only the figures a target needs are read.
        """

        def figure(name: str) -> float:
            return figures[name] if isinstance(figures, Mapping) else getattr(figures, name)

        verdicts = []
        if self.service_level is not None:
            sl, limit = figure(SL_DEFINITIONS[self.sl_definition]), self.service_level
            met = sl >= limit
            verdicts.append(Verdict(target="service_level", limit=limit, value=sl, met=met,
                                    text=f"service level {sl:.4f} {'>=' if met else '<'} {limit}"))
        for target, (name, word, unit, digits) in _CEILINGS.items():
            limit = getattr(self, target)
            if limit is not None:
                value = figure(name)
                met = value <= limit
                verdicts.append(Verdict(
                    target=target, limit=limit, value=value, met=met,
                    text=f"{word} {value:{digits}}{unit} {'<=' if met else '>'} {limit}{unit}",
                ))
        return tuple(verdicts)

