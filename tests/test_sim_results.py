"""sim.results.t975: Student-t quantiles for the confidence intervals, with and without scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import stdtrit

from sim.results import EXACT_T_DF, t975, t975_whole


def test_whole_degrees_of_freedom_match_scipy():
    df = np.arange(1, EXACT_T_DF + 1)
    ours = np.array([t975_whole(int(d)) for d in df])
    assert ours == pytest.approx(stdtrit(df.astype(float), 0.975), rel=1e-13)


def test_published_values():
    # Student's t table, two-sided 95 %: 12.706 (1), 2.571 (5), 2.228 (10), 2.086 (20),
    # 2.042 (30), 1.984 (100).
    for df, value in ((1, 12.706), (5, 2.571), (10, 2.228), (20, 2.086), (30, 2.042),
                      (100, 1.984)):
        assert t975(df) == pytest.approx(value, abs=5e-4)


def test_shapes_and_the_scipy_path():
    assert np.ndim(t975(4)) == 0
    assert t975(np.array([1, 2, 3])).shape == (3,)
    assert t975(np.array([], dtype=int)).shape == (0,)
    # Fractional (Welch) and huge degrees of freedom go to scipy.
    for df in (2.5, EXACT_T_DF + 1, np.array([3.0, 7.25])):
        assert t975(df) == pytest.approx(stdtrit(np.asarray(df, dtype=float), 0.975), rel=1e-15)


def test_bad_degrees_of_freedom_are_refused():
    for bad in (0, 2.5):
        with pytest.raises(ValueError, match="whole number"):
            t975_whole(bad)
