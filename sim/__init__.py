"""SimPy discrete-event model of a call center, driven by a :class:`scenarios.Scenario`.

Public API
----------
:func:`simulate`
    Replications with 95 % CIs -> :class:`SimResult` (optionally streaming per-call CSV records).
:func:`run_replication`
    One replication's raw per-interval tallies (:class:`ReplicationCounts`), for tests and CRN.
:class:`Arrival`
    Explicitly placed arrivals for :func:`run_replication`.

Modules, in the order a call meets them: ``streams`` (seeding), ``dists`` (duration samplers),
``arrivals`` (who calls when, with what), ``caller`` (one call's life), ``routing`` (queues and
idle agents), ``agents`` (rosters, walk-ins, time accounting), ``model`` (one replication's
world), ``records`` (per-call log), ``metrics`` (tallies and metric definitions), ``replicate``
(replications and CIs), ``results`` (result dataclasses).
"""

from sim.arrivals import Arrival
from sim.errors import SimError
from sim.metrics import ReplicationCounts
from sim.model import DRAIN_LIMIT_S
from sim.records import OUTCOMES, CallRecord
from sim.replicate import run_replication, simulate
from sim.results import Estimate, SimResult

__all__ = [
    "DRAIN_LIMIT_S",
    "OUTCOMES",
    "Arrival",
    "CallRecord",
    "Estimate",
    "ReplicationCounts",
    "SimError",
    "SimResult",
    "run_replication",
    "simulate",
]
