"""Errors raised by the analytic engine, and the named checks that raise them.

Every message reads "``<name>`` must be ``<constraint>``, got ``<value>``" so that a caller
(the CLI, a notebook) can show it as it is.
"""

from __future__ import annotations

import math
from typing import Any


class ErlangInputError(ValueError):
    """An input to a formula is outside its domain (negative rate, zero AHT, ...)."""


class InfeasibleTargetError(ValueError):
    """No agent count up to the search bound meets the targets.

    Attributes
    ----------
    best : Any
        The metrics reached at the bound (the best the model can do there), so the caller can
        report how far from the target it stayed.
    """

    def __init__(self, message: str, best: Any = None):
        super().__init__(message)
        self.best = best


class ConvergenceError(ValueError):
    """The redial fixed point has no finite solution for these inputs.

    A ``ValueError``: it says the inputs describe a system that loses (almost) every attempt
    while (almost) every lost caller redials, which is for the user to change.
    """


def _fail(name: str, constraint: str, value: Any) -> None:
    raise ErlangInputError(f"{name} must be {constraint}, got {value!r}")


def check_finite(name: str, value: float) -> float:
    """``value`` as a float, which must be a finite real number (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        _fail(name, "a finite number", value)
    return float(value)


def check_positive(name: str, value: float) -> float:
    """``value`` as a float, which must be finite and > 0."""
    if check_finite(name, value) <= 0:
        _fail(name, "> 0", value)
    return float(value)


def check_non_negative(name: str, value: float) -> float:
    """``value`` as a float, which must be finite and >= 0."""
    if check_finite(name, value) < 0:
        _fail(name, ">= 0", value)
    return float(value)


def check_probability(name: str, value: float) -> float:
    """``value`` as a float, which must lie in [0, 1]."""
    if not 0.0 <= check_finite(name, value) <= 1.0:
        _fail(name, "in [0, 1]", value)
    return float(value)


def check_count(name: str, value: int, minimum: int = 0) -> int:
    """``value`` as an int, which must be a whole number >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        _fail(name, f"a whole number >= {minimum}", value)
    return int(value)
