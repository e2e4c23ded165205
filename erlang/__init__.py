"""Analytic queueing formulas for call centers: Erlang B, C, A and lines with redials.

This package depends on numpy and scipy only, never on the rest of callsim.
"""
