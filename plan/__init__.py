"""Planning: what needs the formulas, the scenarios and the simulation together.

``erlang_view`` reads each interval of a scenario through Erlang C and A, to set beside the
simulation; ``targets`` judges simulated intervals against a scenario's targets with the one
judge of :mod:`erlang.targets`; ``requirements`` finds the operators needed per interval (Erlang
C, Erlang A, and the iterative staffing algorithm by simulation) and turns them into heads;
``shifts`` chooses the least-cost roster of shifts covering them (a mixed-integer program).
"""
