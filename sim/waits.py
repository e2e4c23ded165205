"""Percentiles of waits from a fixed-size histogram, so memory does not grow with the calls.

A replication does not keep every answered call's wait: it counts waits per cell (an
``(interval, call type)`` pair, or any integer key) in log-linear bins, HDR-histogram style,
and takes percentiles from those counts.

Bins
----
A wait ``w`` (seconds, ``w >= 0``) is first rounded up to the grid of :data:`RESOLUTION_S`
(1 ms): ``n = ceil(w / RESOLUTION_S)``, so ``n == 0`` exactly when ``w == 0`` (calls answered at
once, often most of them, stay exact). Grid points ``n < SUB_BINS`` (128, waits up to 0.128 s)
have a bin each; above, every doubling ``[64 * 2**e, 128 * 2**e)`` of ``n`` (``e >= 1``) is cut
into 64 bins of ``2**e`` grid points. A bin is as wide as at most 1/64 of its lower edge, and
stands for the centre of the waits it can hold (0 for the bin of ``w == 0``). At most
:data:`N_BINS` bins cover every wait below 2**53 ms (285,000 years).

Error bound
-----------
A wait ``w`` is represented by its bin's centre ``c(w)`` with
``|c(w) - w| <= RESOLUTION_S / 2 + w / SUB_BINS`` (0.5 ms + 0.78 %), and ``c`` is
non-decreasing, so the ``k``-th smallest wait is represented by the ``k``-th smallest centre.
Hence the percentiles reported are **exactly** the percentiles (linear interpolation between
order statistics, numpy's default) of the waits each replaced by its bin's centre, and a
percentile ``p`` is reported within ``RESOLUTION_S / 2 + p / SUB_BINS`` of the exact one
(``p = (1 - f) x_k + f x_k+1``; each order statistic moves by at most its own bound). They are
non-decreasing in ``q``; all-zero waits give exactly 0.

Memory
------
Counts are kept sparse: one (code, count) pair, 16 bytes, per distinct ``(cell, bin)`` seen,
so at most cells x bins used, and never more than the number of waits (an hour of an
M/M/55+M queue with 1,000 calls fills about 150 bins: 23 MB for 10,000 such hours, against
240 MB for their 10 million waits kept one by one). New waits are counted per batch and
buffered (at most :data:`BUFFER` (code, count) pairs, 4 MB), then merged into the sorted pairs
when the buffer is full (the merge copies the pairs once). Histograms of several cells merge
by adding counts (per interval, per call type, whole run); percentiles are computed
:data:`KEYS_PER_BLOCK` keys at a time, in a few MB.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.errors import SimError

RESOLUTION_S = 0.001
SUB_BINS = 128
_HALF = SUB_BINS // 2
_LOG2_SUB = SUB_BINS.bit_length() - 1
#: Bins covering every grid point below 2**53 (``bin_of`` of ``2**53 - 1``, plus one).
N_BINS = (53 - _LOG2_SUB) * _HALF + SUB_BINS
#: (code, count) pairs buffered before they are merged into the sorted counts.
BUFFER = 1 << 18
#: Widest range of codes a batch is counted in densely (bins of a few cells; 512 kB).
DENSE_SPAN = 1 << 16
#: Keys whose percentiles are computed together (dense counts: 128 x N_BINS x 8 B = 3 MB).
KEYS_PER_BLOCK = 128


def bin_of(waits_s: np.ndarray) -> np.ndarray:
    """The bin (int64) of each wait (see the module notes); waits must be finite and >= 0."""
    waits_s = np.asarray(waits_s, dtype=float)
    bad = ~((waits_s >= 0) & (waits_s < 2.0**53 * RESOLUTION_S))  # nan fails both
    if bad.any():
        raise SimError(f"wait_s must be finite and >= 0, got {waits_s[bad][0]!r}")
    n = np.ceil(waits_s / RESOLUTION_S).astype(np.int64)
    # Doubling e >= 1 holds n in [64 * 2**e, 128 * 2**e); frexp's exponent is floor(log2 n) + 1,
    # exact for integers below 2**53.
    e = np.maximum(np.frexp(n.astype(float))[1] - _LOG2_SUB, 0)
    return (n >> e) + e * _HALF


def bin_centre_s(bins: np.ndarray) -> np.ndarray:
    """The wait (s) a bin stands for: the centre of the waits it holds (0 for the zero bin)."""
    bins = np.asarray(bins, dtype=np.int64)
    e = np.maximum(bins // _HALF - 1, 0)
    low = (bins - e * _HALF) << e  # first grid point of the bin
    high = low + (np.int64(1) << e) - 1  # last grid point: waits in ((low - 1) ms, high ms]
    return np.where(bins == 0, 0.0, (low - 1 + high) * (RESOLUTION_S / 2))


@dataclass(frozen=True)
class WaitHistogram:
    """Waits counted per cell in the bins of the module notes (sparse).

    Attributes
    ----------
    n_cells : int
    codes : ndarray of int64
        ``cell * N_BINS + bin`` of every non-empty (cell, bin), sorted, unique.
    counts : ndarray of int64
        Waits in each of them.
    """

    n_cells: int
    codes: np.ndarray
    counts: np.ndarray

    @property
    def total(self) -> int:
        """Number of waits counted."""
        return int(self.counts.sum())

    def percentiles(self, key_of_cell: np.ndarray, n_keys: int,
                    qs: tuple[float, ...]) -> dict[float, np.ndarray]:
        """Percentiles ``qs`` (0-100) of the waits of the cells of each key, merged.

        ``key_of_cell[c]`` is the key (in ``range(n_keys)``) cell ``c`` counts for. Returns one
        array of length ``n_keys`` per ``q``: linear interpolation between order statistics of
        the bin centres (see the module notes), ``nan`` for a key without waits. Keys are taken
        :data:`KEYS_PER_BLOCK` at a time, each block's counts dense (keys x bins), so the
        working memory stays a few MB whatever the number of keys.
        """
        key_of_cell = np.asarray(key_of_cell, dtype=np.int64)
        # The codes of cell c are codes[first[c]:first[c + 1]] (codes are sorted).
        first = np.searchsorted(self.codes, np.arange(self.n_cells + 1) * N_BINS)
        out = {q: np.full(n_keys, np.nan) for q in qs}
        centre = bin_centre_s(np.arange(N_BINS))
        for low in range(0, n_keys, KEYS_PER_BLOCK):
            high = min(low + KEYS_PER_BLOCK, n_keys)
            cells = np.flatnonzero((key_of_cell >= low) & (key_of_cell < high))
            start, stop = first[cells], first[cells + 1]
            size = stop - start
            at = np.repeat(start - np.cumsum(size) + size, size) + np.arange(size.sum())
            codes = self.codes[at]
            key = key_of_cell[codes // N_BINS] - low
            dense = np.bincount(key * N_BINS + codes % N_BINS, weights=self.counts[at],
                                minlength=(high - low) * N_BINS).astype(np.int64)
            cum = np.cumsum(dense)  # running count over keys, then bins
            n = dense.reshape(-1, N_BINS).sum(axis=1)
            before = cum[(np.arange(high - low) + 1) * N_BINS - 1] - n
            has = n > 0
            for q in qs:
                pos = (q / 100) * (n[has] - 1)
                lo = np.floor(pos).astype(np.int64)
                hi = np.minimum(lo + 1, n[has] - 1)
                # The bin of order statistic t (0-based) is the first whose running count
                # exceeds t.
                a = centre[np.searchsorted(cum, before[has] + lo, side="right") % N_BINS]
                b = centre[np.searchsorted(cum, before[has] + hi, side="right") % N_BINS]
                out[q][low:high][has] = a + (pos - lo) * (b - a)
        return out


class WaitCounter:
    """Accumulates waits per cell into a :class:`WaitHistogram` in bounded memory.

    Parameters
    ----------
    n_cells : int
        Cells are ``range(n_cells)``.
    """

    def __init__(self, n_cells: int):
        self.n_cells = n_cells
        self._codes = np.zeros(0, dtype=np.int64)
        self._counts = np.zeros(0, dtype=np.int64)
        self._buffer: list[np.ndarray] = []
        self._buffered = 0
        self._shared = False  # the counts array is also a result's: copy before adding to it

    def add(self, cells: np.ndarray, waits_s: np.ndarray) -> None:
        """Count one wait (s) per cell index of ``cells`` (equal-length arrays)."""
        codes = np.asarray(cells, dtype=np.int64) * N_BINS + bin_of(waits_s)
        if not codes.size:
            return
        # Buffered as (code, count) pairs, distinct codes in order. A batch of calls touches a
        # few cells, so its codes span a short range: counted there densely (no sort; sorting
        # every code was most of a replication's tally cost on the fast engine).
        low = int(codes.min())
        span = int(codes.max()) - low + 1
        if span <= DENSE_SPAN:
            dense = np.bincount(codes - low, minlength=span)
            present = np.flatnonzero(dense)
            pair = (present + low, dense[present])
        else:
            pair = np.unique(codes, return_counts=True)
        self._buffer.append(pair)
        self._buffered += pair[0].size
        if self._buffered >= BUFFER:
            self._merge()

    def _merge(self) -> None:
        if not self._buffer:
            return
        if len(self._buffer) == 1:
            new, counts = self._buffer[0]
        else:
            codes = np.concatenate([codes for codes, _ in self._buffer])
            new, where = np.unique(codes, return_inverse=True)
            counts = np.zeros(new.size, dtype=np.int64)
            np.add.at(counts, where, np.concatenate([n for _, n in self._buffer]))
        self._buffer, self._buffered = [], 0
        at = np.searchsorted(self._codes, new)
        known = at < self._codes.size
        known[known] = self._codes[at[known]] == new[known]
        if self._shared:
            self._counts, self._shared = self._counts.copy(), False
        self._counts[at[known]] += counts[known]
        # np.insert puts each value before the old element at its index, in order: stays sorted.
        self._codes = np.insert(self._codes, at[~known], new[~known])
        self._counts = np.insert(self._counts, at[~known], counts[~known])

    @property
    def nbytes(self) -> int:
        """Bytes held (sorted pairs and buffer)."""
        return self._codes.nbytes + self._counts.nbytes + 16 * self._buffered

    def result(self) -> WaitHistogram:
        """The counts so far (the counter can go on counting; the result does not change)."""
        self._merge()
        self._shared = True  # shared, not copied: merging replaces codes, copies counts
        return WaitHistogram(self.n_cells, self._codes, self._counts)
