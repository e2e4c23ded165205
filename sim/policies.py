"""Policies: what the center does at the named moments of a call's life, beyond the default.

The model (:class:`sim.model.Model`) consults its policies, in the order given, at these
moments, each a method of :class:`Policy` whose default does nothing more than the model
already does:

``blocked(model, call)``
    The attempt found every line busy; its record has been written (outcome ``blocked``).
    A redial policy would schedule the caller's next attempt here.
``queue_entry(model, call) -> bool``
    The attempt has passed the IVR and is about to be routed (``call.queue_entry_s`` is set).
    Returning ``True`` takes it out of routing: the policy has then ended the attempt itself
    (for example, the caller accepted a callback offer and hung up, freeing its line with
    ``model.release_line``). The remaining policies are not asked.
``abandoned(model, call)``
    The caller hung up in queue; its line is free and its record written. A policy calling
    abandoned callers back, or a redial policy, acts here.
``agent_idle(model, agent) -> bool``
    A free agent found no walk-in and no waiting call and is about to become idle. Returning
    ``True`` means the policy gave the agent work (outbound calls, callbacks) and will return
    it through ``model.pool.release`` when done; the remaining policies are not asked.

Policies hold no randomness of their own: they draw from their own streams of
:mod:`sim.streams`, so that adding one leaves every caller's draws unchanged (common random
numbers). A model without policies skips every consultation, so the default costs nothing.
"""

from __future__ import annotations


class Policy:
    """The default behaviour at every moment; subclass and override the moments you change."""

    def blocked(self, model, call) -> None:
        """After an attempt was blocked (every line busy)."""

    def queue_entry(self, model, call) -> bool:
        """Before routing an attempt; ``True`` if the policy ended the attempt itself."""
        return False

    def abandoned(self, model, call) -> None:
        """After a caller abandoned the queue."""

    def agent_idle(self, model, agent) -> bool:
        """Before a free agent becomes idle; ``True`` if the policy gave it work."""
        return False
