"""Fitting scenarios from call logs (not built yet; see the roadmap)."""
