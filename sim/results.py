"""Results of a simulation run: estimates with 95 % confidence intervals, as plain data.

``to_dict`` keeps ``nan`` (undefined) and ``inf`` as they are; :func:`report.formats.jsonable`
turns them into ``null`` where a format (JSON, CSV) has no such numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np


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
    factor of every 95 % CI half-width here.

    For a whole number of degrees of freedom up to :data:`EXACT_T_DF` (one less than the
    replications: every run but a huge one) it is :func:`t975_whole`, which needs no scipy;
    otherwise (Welch's fractional degrees of freedom, huge runs) ``scipy.special.stdtrit``,
    imported then (importing ``scipy.special`` is a large share of a short run's start-up).
    """
    values = np.asarray(df, dtype=float)
    whole = (values == np.floor(values)) & (values >= 1) & (values <= EXACT_T_DF)
    if whole.all():
        # Each distinct df once (t975_whole caches); a numpy scalar for a scalar ``df``, as
        # ``stdtrit`` gives.
        if values.ndim == 0:
            return np.float64(t975_whole(int(values)))
        distinct, inverse = np.unique(values.astype(np.int64), return_inverse=True)
        return np.array([t975_whole(int(d)) for d in distinct])[inverse].reshape(values.shape)
    from scipy.special import stdtrit

    return stdtrit(values, 0.975)


#: Up to this many degrees of freedom :func:`t975` needs no scipy.
EXACT_T_DF = 1000


@cache
def t975_whole(df: int) -> float:
    """The 97.5 % quantile of Student's t for a whole number ``df >= 1`` of degrees of freedom.

    For whole ``df`` the two-sided probability ``A(t) = P(|T| <= t)`` has a closed form
    (Abramowitz and Stegun 26.7.3-4) in ``theta = atan(t / sqrt(df))``: with ``s = sin theta``,
    ``c = cos theta``, for odd ``df``
    ``A = (2 / pi) (theta + s c (1 + 2/3 c^2 + 2*4/(3*5) c^4 + ... ))`` (``df - 1`` / 2 terms
    in the bracket, none for ``df = 1``), and for even ``df``
    ``A = s (1 + 1/2 c^2 + 1*3/(2*4) c^4 + ...)`` (``df / 2`` terms). Every term is positive.
    ``A(t) = 0.95`` is solved in ``theta`` by Newton's method (``A`` is increasing and concave
    in ``theta``, so from below it converges monotonically), then ``t = sqrt(df) tan(theta)``.
    Agrees with ``scipy.special.stdtrit`` to about 1e-13 relative at ``df = 1000`` and better
    below (a test holds it).
    """
    if df < 1 or df != int(df):
        raise ValueError(f"df must be a whole number >= 1, got {df}")
    df = int(df)
    if df == 1:
        return math.tan(0.95 * math.pi / 2)

    def a_and_slope(theta: float) -> tuple[float, float]:
        s, c = math.sin(theta), math.cos(theta)
        c2 = c * c
        # The slope from the density: dA/dtheta = 2 f(t) dt/dtheta, with t = sqrt(df) tan theta,
        # dt/dtheta = sqrt(df) / c^2 and f(t) = f(0) (1 + t^2/df)^(-(df+1)/2) = f(0) c^(df+1).
        slope = 2.0 * _t_density_at_0(df) * c ** (df + 1) * math.sqrt(df) / c2
        if df % 2:
            term, total = 1.0, 1.0
            for j in range(1, (df - 1) // 2):
                term *= c2 * (2 * j) / (2 * j + 1)
                total += term
            return 2.0 / math.pi * (theta + s * c * total), slope
        term, total = 1.0, 1.0
        for j in range(1, df // 2):
            term *= c2 * (2 * j - 1) / (2 * j)
            total += term
        return s * total, slope

    theta = math.atan(1.959963984540054 / math.sqrt(df))  # the normal quantile: A < 0.95 there
    for _ in range(100):
        value, slope = a_and_slope(theta)
        step = (0.95 - value) / slope
        theta += step
        if abs(step) <= 1e-16 * theta:
            break
    return math.sqrt(df) * math.tan(theta)


def _t_density_at_0(df: int) -> float:
    """Gamma((df+1)/2) / (sqrt(df pi) Gamma(df/2)): Student's t density at 0."""
    return math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
