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
(replications and CIs; Ctrl-C keeps the finished ones), ``results`` (result dataclasses),
``size`` (a run's calls and memory estimated beforehand), ``errors`` (:class:`SimError`,
:class:`SimulationInterrupted`).

``sim`` imports ``scenarios`` and nothing else of ours (a test holds the import table).
"""

from sim.arrivals import Arrival
from sim.errors import SimError, SimulationInterrupted
from sim.metrics import ReplicationCounts
from sim.model import DRAIN_LIMIT_S, Model
from sim.policies import Policy
from sim.records import KINDS, OUTCOMES, CallRecord
from sim.replicate import run_replication, simulate
from sim.results import Estimate, SimResult

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
