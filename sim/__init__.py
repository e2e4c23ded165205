"""SimPy discrete-event model of a call center, driven by a :class:`scenarios.Scenario`.

Public API
----------
:func:`simulate`
    Replications with 95 % CIs -> :class:`SimResult` (optionally streaming per-call CSV records).
:func:`run_replication`
    One replication's raw per-interval tallies (:class:`ReplicationCounts`), for tests and CRN.
:class:`Arrival`
    Explicitly placed arrivals for :func:`run_replication`.
:class:`Model`, :class:`Policy`
    One replication's world, and the base of the policies it consults at the named moments.

Modules, in the order a call meets them: ``streams`` (seeding), ``dists`` (duration samplers),
``arrivals`` (who calls when, with what), ``kernel`` (the driver of short lives), ``caller``
(one attempt's life), ``model`` (one replication's world and the named moments of a life),
``policies`` (what the center does at those moments beyond the default), ``routing`` (queue
entry and the agent-free decision), ``agents`` (rosters, walk-ins, time accounting),
``records`` (one row per attempt), ``metrics`` (tallies and metric definitions), ``replicate``
(replications and CIs; Ctrl-C keeps the finished ones), ``fast`` (the fast engine, exact where
it applies), ``pacing`` (what both engines must agree on), ``results`` (result dataclasses),
``size`` (a run's calls and memory estimated beforehand), ``errors`` (:class:`SimError`,
:class:`SimulationInterrupted`).

``sim`` imports ``scenarios`` and nothing else of ours (a test holds the import table).
"""

from importlib import import_module

# Where each name lives, imported when first asked for (PEP 562): a run on the fast engine
# (sim.fast) never needs SimPy, which sim.model imports.
_HOME = {
    "Arrival": "arrivals", "SimError": "errors", "SimulationInterrupted": "errors",
    "ReplicationCounts": "metrics", "DRAIN_LIMIT_S": "pacing", "Model": "model",
    "Policy": "policies", "KINDS": "records", "OUTCOMES": "records", "CallRecord": "records",
    "run_replication": "replicate", "simulate": "replicate", "Estimate": "results",
    "SimResult": "results",
}


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(import_module(f"sim.{_HOME[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


__all__ = [
    "DRAIN_LIMIT_S",
    "KINDS",
    "OUTCOMES",
    "Arrival",
    "CallRecord",
    "Estimate",
    "Model",
    "Policy",
    "ReplicationCounts",
    "SimError",
    "SimResult",
    "SimulationInterrupted",
    "run_replication",
    "simulate",
]
