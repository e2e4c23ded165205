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


class SimulationInterrupted(KeyboardInterrupt):
    """Ctrl-C (``KeyboardInterrupt``) during :func:`sim.replicate.simulate`, carrying what finished.

    A subclass of ``KeyboardInterrupt``, so code that does not look for it stops as on any
    Ctrl-C; code that does (the CLI) reports the finished replications.

    Attributes
    ----------
    result : SimResult or None
        The finished replications summarised, marked partial (``result.partial``); ``None`` if
        none finished.
    records_path : pathlib.Path or None
        Where the records of the finished replications are (a ``.partial`` file), if any.
    """

    def __init__(self, result, records_path=None):
        super().__init__("interrupted")
        self.result = result
        self.records_path = records_path
