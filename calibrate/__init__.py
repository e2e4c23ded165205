"""Fitting scenarios from call logs: readers, fits, effective staffing, the scenario writer's input.

``logs`` reads and checks per-call logs (presets and column mappings, every bad row counted),
``fitting`` does censored maximum likelihood, ``arrivals``, ``handle_time``, ``patience`` and
``staffing`` fit one thing each, ``observed`` holds per-interval figures, ``calibration`` puts
them together into a :class:`~scenarios.schema.Scenario` and a fit report, ``intervals`` does
what interval reports alone allow. Imports ``scenarios`` and ``erlang`` only; the backtest,
which needs the simulation, lives in ``plan.backtest``.
"""
