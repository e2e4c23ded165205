"""SimPy discrete-event model of a call center, driven by a :class:`scenarios.Scenario`."""
