"""The error the simulation raises for input it cannot simulate.

A :class:`SimError` is a user error (an explicit arrival outside the horizon, a staffing vector
of the wrong length in a scenario built in code, an impossible number of replications), so it
subclasses ``ValueError`` like the other packages' errors. The CLI shows it as one line; any
other exception from inside the simulation is a programming error and keeps its traceback.
Messages read "``<name>`` must be ``<constraint>``, got ``<value>``".
"""

from __future__ import annotations


class SimError(ValueError):
    """Input the simulation cannot run (see the module docstring)."""
