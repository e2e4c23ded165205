"""How a run is paced: the drain limit, arrivals scheduled ahead, records per flush.

Both engines (:mod:`sim.model`, SimPy; :mod:`sim.fast`, its own event loop) read these, and
must: the fast engine reproduces the SimPy model's event order call by call, which depends on
how many arrivals are scheduled ahead at a time, and its tallies' float sums are bit-identical
only when records reach the tally in the same batches. A module of their own, so that the fast
engine does not import SimPy.
"""

#: How long after the horizon a run may go on draining before the rest counts as unfinished (s).
DRAIN_LIMIT_S = 86400.0
#: Callers scheduled ahead at a time: a small event heap is a fast heap (measured).
ARRIVALS_AHEAD = 64
#: Records buffered per flush to the tally and the sink.
RECORDS_PER_FLUSH = 4096
