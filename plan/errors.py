"""The error planning raises for input it cannot plan with (shift rules, staffing requests)."""

from __future__ import annotations


class PlanError(ValueError):
    """A plan cannot be made from this input: impossible shift rules, a bad shift file.

    The message is one line naming the file or key and the offending value.
    """
