"""Planning: what needs the formulas, the scenarios and the simulation together.

``erlang_view`` reads each interval of a scenario through Erlang C and A, to set beside the
simulation; ``targets`` judges simulated intervals against a scenario's targets with the one
judge of :mod:`erlang.targets`.
"""
