"""Variants of a center compared under common random numbers, with CIs on the differences.

Every variant is simulated with the same root entropy, so replication ``r`` of every variant uses
``sim.streams.replication_seed(entropy, r)``: the same callers (arrival instants, patience, talk
times, walk-ins) meet each variant's center. A difference is then estimated **paired by
replication**: ``d_r = x_r(variant) - x_r(base)``, its mean and the Student-t 95 % half-width of
the ``d_r``. Because the two figures of one replication share their noise, ``d_r`` varies far
less than either figure, and the paired CI is much narrower than the unpaired (Welch) CI that
two independent runs would give; both are reported, and their ratio says how much sharper the
comparison is.

A difference is *significant* when its paired 95 % CI excludes 0 (equivalently a two-sided paired
t-test at 5 %, whose p-value is reported too). With many metrics and intervals compared at once,
expect about one in twenty of the truly-null ones to show as significant by chance.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from plan.runs import (
    Figures,
    PrecisionOutcome,
    Runner,
    estimate,
    run_to_precision,
    sim_result,
    stack,
)
from scenarios.schema import Scenario
from sim.errors import SimError
from sim.results import SimResult, t975

#: The figures a comparison table shows first (every figure is in the JSON).
KEY_METRICS = ("lost_share", "p_abandon", "service_level", "asa_s", "answered", "abandoned",
               "blocked", "ivr_abandoned", "occupancy")


@dataclass(frozen=True)
class Variant:
    """One variant: a name, the scenario it simulates, and the overrides that made it."""

    name: str
    scenario: Scenario
    overrides: tuple[str, ...] = ()


@dataclass(frozen=True)
class Difference:
    """A variant's figure minus the base's, paired by replication.

    Attributes
    ----------
    mean : float
        Mean of the paired differences.
    ci95 : float
        Student-t 95 % half-width of the paired differences.
    ci95_unpaired : float
        Welch 95 % half-width of the same difference had the runs been independent.
    p_value : float
        Two-sided paired t-test p-value (``nan`` when undefined).
    n : int
        Replications where both figures are defined.
    """

    mean: float
    ci95: float
    ci95_unpaired: float
    p_value: float
    n: int

    @property
    def significant(self) -> bool:
        """The paired 95 % CI excludes zero."""
        return bool(self.n > 1 and math.isfinite(self.ci95) and abs(self.mean) > self.ci95)

    @property
    def sharpening(self) -> float:
        """Unpaired half-width over paired half-width (how much CRN narrowed the CI)."""
        if not (self.ci95 > 0 and math.isfinite(self.ci95_unpaired)):
            return math.nan
        return self.ci95_unpaired / self.ci95

    def to_dict(self) -> dict[str, Any]:
        """Plain data, the two properties included."""
        return {"mean": self.mean, "ci95": self.ci95, "ci95_unpaired": self.ci95_unpaired,
                "p_value": self.p_value, "n": self.n, "significant": self.significant,
                "sharpening": self.sharpening}


def paired_difference(base: Sequence[float], other: Sequence[float]) -> Difference:
    """``other - base`` paired by position (replication); pairs with a ``nan`` left out."""
    a, b = np.asarray(base, dtype=float), np.asarray(other, dtype=float)
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b = a[ok], b[ok]
    n = int(a.size)
    if n == 0:
        return Difference(math.nan, math.nan, math.nan, math.nan, 0)
    d = b - a
    paired = estimate(d)
    unpaired = _welch_half_width(a, b)
    if n > 1 and d.std(ddof=1) > 0:
        from scipy import stats  # the p-value only; scipy.stats is slow to import

        p = float(stats.ttest_rel(b, a).pvalue)
    else:
        p = math.nan if n < 2 else (1.0 if d.mean() == 0 else 0.0)
    return Difference(paired.mean, paired.ci95, unpaired, p, n)


def _welch_half_width(a: np.ndarray, b: np.ndarray) -> float:
    if a.size < 2:
        return math.nan
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se2 = va + vb
    if se2 == 0:
        return 0.0
    df = se2**2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    return float(t975(df) * math.sqrt(se2))


@dataclass(frozen=True)
class Comparison:
    """Every variant's levels and its differences from the base (the first variant).

    Attributes
    ----------
    variants : tuple of Variant
    entropy : int
        The one root entropy all variants share.
    results : tuple of SimResult
        Levels per variant (means and CIs), as ``callsim run`` reports them.
    totals : tuple of dict
        Per variant, metric -> :class:`Difference` from the base over the whole run (the base's
        own entry is all zeros).
    intervals : tuple of list of dict
        Per variant, per interval, metric -> :class:`Difference` (empty when the variants'
        calendars differ).
    by_call_type : tuple of dict
        Per variant, call type -> metric -> :class:`Difference` (types both have).
    figures : tuple of list of Figures
        Per variant, every replication's figures (``--per-replication``).
    precision : PrecisionOutcome or None
        When the replications were driven by a precision target on the differences.
    """

    variants: tuple[Variant, ...]
    entropy: int
    results: tuple[SimResult, ...]
    totals: tuple[dict[str, Difference], ...]
    intervals: tuple[list[dict[str, Difference]], ...]
    by_call_type: tuple[dict[str, dict[str, Difference]], ...]
    figures: tuple[list[Figures], ...] = field(repr=False, default=())
    precision: PrecisionOutcome | None = None

    @property
    def replications(self) -> int:
        return self.results[0].replications


def compare(variants: Sequence[Variant], *, entropy: int, replications: int = 20,
            runner: Runner | None = None, precision: dict[str, float] | None = None,
            max_replications: int = 2000) -> Comparison:
    """Simulate every variant under common random numbers and difference it from the first.

    Parameters
    ----------
    variants : sequence of Variant
        The base first; at least two.
    entropy : int
        Root seed entropy shared by every variant.
    replications : int
        Replications per variant (the starting count when ``precision`` is given).
    runner : Runner, optional
        Where replications run (all variants' replications are spread over the workers).
    precision : dict, optional
        Whole-run metric -> largest acceptable half-width of the paired **difference** of every
        variant from the base; replications are added until met (or ``max_replications``).
    """
    if len(variants) < 2:
        raise SimError(f"compare needs at least two variants, got {len(variants)}")
    names = [v.name for v in variants]
    if len(set(names)) != len(names):
        raise SimError(f"variant names must be unique, got {', '.join(names)}")
    runner = runner or Runner()

    def replicate(reps: range) -> list[list[Figures]]:
        tasks = [(v.scenario, int(entropy), r) for r in reps for v in variants]
        flat = list(runner.map(tasks))
        k = len(variants)
        return [flat[i:i + k] for i in range(0, len(flat), k)]

    outcome = None
    if precision:
        def differences(rows: list[list[Figures]]) -> dict[str, np.ndarray]:
            # The worst variant decides: the half-width of each difference must meet the target.
            out = {}
            for name in precision:
                base = np.array([row[0].summary[name] for row in rows])
                worst, widest = None, -1.0
                for j in range(1, len(variants)):
                    d = np.array([row[j].summary[name] for row in rows]) - base
                    half = estimate(d).ci95
                    if not half <= widest:
                        worst, widest = d, half if math.isfinite(half) else math.inf
                out[name] = worst
            return out

        rows, outcome = run_to_precision(variants[0].scenario, entropy, precision, runner=runner,
                                         start=replications, max_replications=max_replications,
                                         figures_of=differences, replicate=replicate)
    else:
        if replications < 2:
            raise SimError(f"compare needs replications >= 2 for a CI, got {replications}")
        rows = replicate(range(replications))
    per_variant = [[row[j] for row in rows] for j in range(len(variants))]
    return _comparison(variants, entropy, per_variant, outcome)


def _comparison(variants, entropy, per_variant, outcome) -> Comparison:
    results = tuple(sim_result(v.scenario, entropy, figs)
                    for v, figs in zip(variants, per_variant, strict=True))
    base_summary = stack(per_variant[0], "summary")
    same_calendar = all(v.scenario.calendar.n_intervals == variants[0].scenario.calendar.n_intervals
                        for v in variants)
    base_intervals = stack(per_variant[0], "intervals")
    base_types = stack(per_variant[0], "by_call_type")
    base_type_index = {ct.name: j for j, ct in enumerate(variants[0].scenario.call_types)}
    totals, intervals, by_type = [], [], []
    for v, figs in zip(variants, per_variant, strict=True):
        summary = stack(figs, "summary")
        totals.append({n: paired_difference(base_summary[n], summary[n])
                       for n in base_summary if n in summary})
        if same_calendar:
            iv = stack(figs, "intervals")
            n_int = v.scenario.calendar.n_intervals
            intervals.append([{n: paired_difference(base_intervals[n][:, k], iv[n][:, k])
                               for n in base_intervals if n in iv} for k in range(n_int)])
        else:
            intervals.append([])
        types = stack(figs, "by_call_type")
        table = {}
        for j, ct in enumerate(v.scenario.call_types):
            if ct.name in base_type_index:
                b = base_type_index[ct.name]
                table[ct.name] = {n: paired_difference(base_types[n][:, b], types[n][:, j])
                                  for n in base_types if n in types}
        by_type.append(table)
    return Comparison(variants=tuple(variants), entropy=int(entropy), results=results,
                      totals=tuple(totals), intervals=tuple(intervals),
                      by_call_type=tuple(by_type), figures=tuple(per_variant), precision=outcome)


_VARIANT = re.compile(r"\s*([^:=]+?)\s*:(.*)")
#: A comma that starts a new ``key=value`` (not one inside ``[4,4,4]`` or ``{...}``).
_NEXT_OVERRIDE = re.compile(r",(?=\s*[A-Za-z_][\w.\[\]]*\s*=)")


def parse_variant(text: str) -> tuple[str, tuple[str, ...]]:
    """``"morning:agent_groups.reception.staffing[0]=4,ivr.greeting.mean_s=15"`` -> name and
    overrides. Commas inside values (``staffing=[4,4,3]``) stay with their value."""
    match = _VARIANT.fullmatch(text)
    if match is None or not match.group(2).strip():
        raise SimError(f"--variant must look like name:key=value[,key=value...], got {text!r}")
    parts = [p.strip() for p in _NEXT_OVERRIDE.split(match.group(2)) if p.strip()]
    for part in parts:
        if "=" not in part:
            raise SimError(f"--variant {match.group(1)!r}: override must look like key=value, "
                           f"got {part!r}")
    return match.group(1), tuple(parts)

