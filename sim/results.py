"""Results of a simulation run: estimates with 95 % confidence intervals, as plain data.

``to_dict`` keeps ``nan`` (undefined) and ``inf`` as they are; :func:`report.formats.jsonable`
turns them into ``null`` where a format (JSON, CSV) has no such numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import stdtrit


@dataclass(frozen=True, slots=True)
class Estimate:
    """A mean over replications and the half-width of its 95 % confidence interval.

    ``ci95`` is Student-t based (``t(0.975, R - 1) * s / sqrt(R)``) and ``nan`` when fewer than two
    replications define the value.
    """

    mean: float
    ci95: float

    def to_dict(self) -> dict[str, float]:
        """``{"mean", "ci95"}``."""
        return {"mean": self.mean, "ci95": self.ci95}


@dataclass(frozen=True)
class SimResult:
    """Everything a run estimated.

    Attributes
    ----------
    entropy : int
        Root seed entropy: ``simulate(scenario, seed=entropy)`` repeats the run.
    scenario_hash : str
        :func:`scenarios.dump.scenario_hash` of the simulated scenario.
    replications : int
    summary : dict
        Metric name -> estimate over the whole run (see :mod:`sim.metrics` for the names).
    intervals : tuple of dict
        One dict of estimates per interval (calls counted by arrival interval).
    by_call_type : dict
        Call type name -> metric name -> estimate (calls counted under their type after the menu).
    by_group : dict
        Agent group name -> ``answered``, ``occupancy``, ``agents``.
    interval_start_s : tuple of float
        Start of each interval in simulated seconds (interval ``k`` starts at ``k * interval_s``).
    replications_requested : int or None
        Set when the run was interrupted: the replications asked for, of which ``replications``
        finished and are summarised here (``partial`` is then true). ``None`` for a whole run.
    engine : str
        The engine that simulated: ``"fast"`` (:mod:`sim.fast`) or ``"simpy"``
        (:class:`sim.model.Model`); both give the same figures.
    """

    entropy: int
    scenario_hash: str
    replications: int
    summary: dict[str, Estimate]
    intervals: tuple[dict[str, Estimate], ...]
    by_call_type: dict[str, dict[str, Estimate]]
    by_group: dict[str, dict[str, Estimate]]
    interval_start_s: tuple[float, ...] = ()
    replications_requested: int | None = None
    engine: str = "simpy"

    @property
    def partial(self) -> bool:
        """True if the run was interrupted before every replication asked for finished."""
        return self.replications_requested is not None

    def to_dict(self) -> dict:
        """Plain data (dicts, lists, numbers); nan and inf are kept (see the module docstring)."""
        starts = self.interval_start_s or (None,) * len(self.intervals)

        def table(estimates: dict[str, Estimate]) -> dict:
            return {name: e.to_dict() for name, e in estimates.items()}

        return {
            "entropy": self.entropy,
            "scenario_hash": self.scenario_hash,
            "replications": self.replications,
            "engine": self.engine,
            **({"partial": True, "replications_requested": self.replications_requested}
               if self.partial else {}),
            "summary": table(self.summary),
            "intervals": [
                {"interval": k, "start_s": start, **table(estimates)}
                for k, (start, estimates) in enumerate(zip(starts, self.intervals, strict=True))
            ],
            "by_call_type": {name: table(e) for name, e in self.by_call_type.items()},
            "by_group": {name: table(e) for name, e in self.by_group.items()},
        }


def t975(df):
    """The 97.5 % quantile of Student's t with ``df`` degrees of freedom (scalar or array): the
    factor of every 95 % CI half-width here. ``scipy.special.stdtrit`` gives the same values as
    ``scipy.stats.t.ppf`` to the bit, without importing ``scipy.stats`` (a large share of a
    short run's start-up)."""
    return stdtrit(np.asarray(df, dtype=float), 0.975)
