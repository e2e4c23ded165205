"""Fewest agents that meet a set of service targets, under Erlang C, Erlang A or the lines model.

Every figure a target constrains is monotone in the number of agents for these birth-death
models (service level rises; ASA, abandonment and occupancy fall), so the search gallops from a
guess to a bracket ``[fail, meet]`` and bisects it. Every count the search labels ``fail`` was
evaluated and missed a target, every ``meet`` was evaluated and met them all, and the search
stops at ``meet = fail + 1``: so the answer ``n`` meets every target and ``n - 1`` was seen to
miss one (or ``n`` is 1, the smallest count the models allow).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from erlang.erlang_a import erlang_a
from erlang.erlang_c import erlang_c
from erlang.errors import (
    ConvergenceError,
    ErlangInputError,
    InfeasibleTargetError,
    check_count,
    check_non_negative,
    check_positive,
)
from erlang.results import QueueMetrics
from erlang.retrials import erlang_x
from erlang.targets import ServiceTargets
from erlang.traffic import square_root_staffing

MODELS = ("c", "a", "x")


@dataclass(frozen=True, kw_only=True)
class StaffingTargets(ServiceTargets):
    """Targets the search can aim at: :class:`ServiceTargets` (same fields, same judge) without
    the ones no agent count can reach.

    Targets no queue can meet (every call answered at once: ``service_level = 1``; no caller ever
    hangs up: ``max_abandon = 0``; ``max_asa_s`` or ``max_occupancy`` = 0) are refused rather
    than "met" through rounding at a huge agent count, and so is a set of targets that names
    none, which every count meets.
    """

    def __post_init__(self) -> None:
        if self.max_asa_s is not None:
            check_positive("max_asa_s", self.max_asa_s)
        super().__post_init__()
        if self.service_level == 1.0:
            raise ErlangInputError("service_level must be < 1, got 1.0")
        for name in ("max_abandon", "max_occupancy"):
            if getattr(self, name) == 0.0:
                raise ErlangInputError(f"{name} must be > 0, got 0.0")
        if all(
            t is None
            for t in (self.service_level, self.max_asa_s, self.max_abandon, self.max_occupancy)
        ):
            raise ErlangInputError(
                "targets must name at least one of service_level, max_asa_s, max_abandon, "
                "max_occupancy, got none"
            )


@dataclass(frozen=True, kw_only=True)
class StaffingResult:
    """The minimal agent count and the figures it reaches (``None`` when no calls arrive)."""

    agents: int
    metrics: QueueMetrics | None


def staff(
    *,
    arrival_rate_per_s: float,
    aht_s: float,
    targets: StaffingTargets,
    model: str = "c",
    mean_patience_s: float | None = None,
    lines: int | None = None,
    redial_blocked: float = 0.0,
    redial_abandoned: float = 0.0,
    mean_redial_delay_s: float | None = None,
    max_agents: int = 100_000,
    guess: int | None = None,
) -> StaffingResult:
    """Fewest agents meeting ``targets`` for one stationary interval.

    Parameters
    ----------
    arrival_rate_per_s : float
        Calls offered per second (first attempts for model ``x``).
    aht_s : float
        Average handle time, seconds.
    targets : StaffingTargets
    model : {"c", "a", "x"}
        Erlang C; Erlang A (needs ``mean_patience_s``); lines and redials (needs ``lines``, and
        can use patience and redial probabilities). Under ``x`` agents never exceed ``lines``.
    mean_patience_s : float, optional
        Mean exponential patience, seconds.
    lines : int, optional
        Trunk lines (model ``x``).
    redial_blocked, redial_abandoned : float
        Redial probabilities (model ``x``).
    mean_redial_delay_s : float, optional
        Mean redial delay (model ``x``): with lines, each count is evaluated on the exact redial
        chain when it is small enough (see :func:`erlang.retrials.erlang_x`).
    max_agents : int
        Search bound.
    guess : int, optional
        Where the search starts (default: square-root staffing with beta = 0.5). A good guess
        only saves time; the answer is the same from any start.

    Returns
    -------
    StaffingResult
        ``agents = 0`` and ``metrics = None`` when no calls arrive.

    Raises
    ------
    InfeasibleTargetError
        No count up to the bound meets the targets; ``best`` holds the figures at the bound.
    """
    lam = check_non_negative("arrival_rate_per_s", arrival_rate_per_s)
    aht = check_positive("aht_s", aht_s)
    check_count("max_agents", max_agents, minimum=1)
    evaluate = _model_function(model, aht, targets, mean_patience_s, lines,
                               redial_blocked, redial_abandoned, mean_redial_delay_s)
    if lam == 0.0:
        return StaffingResult(agents=0, metrics=None)
    bound = max_agents if model != "x" or lines is None else min(max_agents, lines)

    cache: dict[int, QueueMetrics] = {}

    def metrics(n: int) -> QueueMetrics:
        if n not in cache:
            cache[n] = evaluate(lam, n)
        return cache[n]

    def meets(n: int) -> bool:
        try:
            return all(v.met for v in targets.judge(metrics(n)))
        except ConvergenceError:
            # With too few agents the redials have no finite rate: that count misses every
            # target, and fewer agents only lose more.
            return False

    load = lam * aht
    if guess is None:
        guess = square_root_staffing(load, 0.5)
    guess = min(bound, max(1, guess))
    if meets(guess):
        fail, meet, step = guess, guess, 1
        while fail > 1 and meets(fail):  # gallop down to a failing count
            meet, fail, step = fail, max(1, fail - step), step * 2
        if meets(fail):
            return StaffingResult(agents=1, metrics=metrics(1))
    else:
        fail, meet, step = guess, guess, 1
        while not meets(meet):  # gallop up to a meeting count
            if meet == bound:
                best = metrics(bound)  # a ConvergenceError here says why no count can do
                raise InfeasibleTargetError(
                    f"no agent count up to {bound} meets the targets; at {bound} agents: "
                    + "; ".join(v.text for v in targets.judge(best) if not v.met),
                    best=best,
                )
            fail, meet, step = meet, min(bound, meet + step), step * 2
    while meet - fail > 1:
        mid = (fail + meet) // 2
        if meets(mid):
            meet = mid
        else:
            fail = mid
    return StaffingResult(agents=meet, metrics=metrics(meet))


def staff_intervals(
    *,
    arrival_rates_per_s: Sequence[float],
    aht_s: float | Sequence[float],
    targets: StaffingTargets,
    model: str = "c",
    mean_patience_s: float | None = None,
    lines: int | None = None,
    redial_blocked: float = 0.0,
    redial_abandoned: float = 0.0,
    mean_redial_delay_s: float | None = None,
    max_agents: int = 100_000,
) -> list[StaffingResult]:
    """:func:`staff` for each interval of a day (each treated as stationary on its own).

    ``aht_s`` is one value or one per interval. An infeasible interval raises, naming its index.
    """
    rates = list(arrival_rates_per_s)
    ahts = [aht_s] * len(rates) if isinstance(aht_s, int | float) else list(aht_s)
    if len(ahts) != len(rates):
        raise ErlangInputError(
            f"aht_s must have one value per interval ({len(rates)}), got {len(ahts)}"
        )
    results: list[StaffingResult] = []
    agents_per_erlang = None
    for index, (rate, aht) in enumerate(zip(rates, ahts, strict=True)):
        # Neighbouring intervals need about the same agents per Erlang, so the previous answer,
        # scaled to this load, starts the search a few agents from the answer.
        guess = None if agents_per_erlang is None else round(agents_per_erlang * rate * aht)
        try:
            res = staff(
                arrival_rate_per_s=rate, aht_s=aht, targets=targets, model=model,
                mean_patience_s=mean_patience_s, lines=lines, redial_blocked=redial_blocked,
                redial_abandoned=redial_abandoned, mean_redial_delay_s=mean_redial_delay_s,
                max_agents=max_agents, guess=guess,
            )
        except InfeasibleTargetError as exc:
            raise InfeasibleTargetError(f"interval {index}: {exc}", best=exc.best) from exc
        except ErlangInputError as exc:
            raise ErlangInputError(f"interval {index}: {exc}") from exc
        results.append(res)
        if res.agents > 0:
            agents_per_erlang = res.agents / (rate * aht)
    return results


def _model_function(
    model: str,
    aht_s: float,
    targets: StaffingTargets,
    mean_patience_s: float | None,
    lines: int | None,
    redial_blocked: float,
    redial_abandoned: float,
    mean_redial_delay_s: float | None = None,
) -> Callable[[float, int], QueueMetrics]:
    """``(arrival_rate_per_s, agents) -> QueueMetrics`` for the chosen model, inputs checked.

    An input the chosen model cannot use is an error, not silently dropped: Erlang C has no
    patience, lines or redials, Erlang A no lines or redials, and an abandonment target needs a
    model in which callers abandon.
    """
    awt, short = targets.awt_s, targets.short_abandon_s
    if model not in MODELS:
        raise ErlangInputError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
    unused = {
        "c": {"mean_patience_s": mean_patience_s, "lines": lines},
        "a": {"lines": lines},
        "x": {},
    }[model]
    if model != "x":
        unused.update(redial_blocked=redial_blocked or None,
                      redial_abandoned=redial_abandoned or None,
                      mean_redial_delay_s=mean_redial_delay_s)
    for name, value in unused.items():
        if value is not None:
            raise ErlangInputError(
                f"{name} must not be given for model {model!r} (it has no use for it; "
                f"lines and redials need model 'x', patience model 'a' or 'x'), got {value!r}"
            )
    if targets.max_abandon is not None and (model == "c" or mean_patience_s is None):
        raise ErlangInputError(
            f"max_abandon needs callers who abandon (model 'a', or 'x' with a patience), "
            f"got model {model!r} with mean_patience_s={mean_patience_s!r}"
        )
    if model == "c":
        return lambda lam, n: erlang_c(arrival_rate_per_s=lam, aht_s=aht_s, agents=n, awt_s=awt)
    if model == "a":
        if mean_patience_s is None:
            raise ErlangInputError("mean_patience_s must be given for model 'a', got None")
        patience = check_positive("mean_patience_s", mean_patience_s)
        return lambda lam, n: erlang_a(
            arrival_rate_per_s=lam, aht_s=aht_s, agents=n, mean_patience_s=patience,
            awt_s=awt, short_abandon_s=short,
        )
    if model == "x":
        patience = math.inf if mean_patience_s is None else mean_patience_s
        return lambda lam, n: erlang_x(
            arrival_rate_per_s=lam, aht_s=aht_s, agents=n, lines=lines,
            mean_patience_s=patience, redial_blocked=redial_blocked,
            redial_abandoned=redial_abandoned, mean_redial_delay_s=mean_redial_delay_s,
            awt_s=awt, short_abandon_s=short,
        ).queue
