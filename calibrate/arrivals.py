"""Arrivals: calls per interval by day type, day-to-day overdispersion, missing and odd days.

Model
-----
A day of type ``t`` (``weekday``, or the day's own name on a center's weekend days, or every
day by name with ``mode="dow"``) brings in interval ``k`` a Poisson number of calls of mean
``B_d * lambda_t[k]``, where ``B_d`` is a gamma busyness factor of mean 1 and CV ``c`` shared by
the whole day (the scenario's ``simulation.daily_busyness_cv``). The profile ``lambda_t`` is the
mean count over the days of type ``t``; ``c`` comes from the method of moments on daily totals,
``Var(N_d) = m + c^2 m^2``, pooled over day types; the Poisson dispersion test
(``sum (N_d - m)^2 / m`` against chi-square with ``D - 1`` degrees of freedom per type) says whether
the overdispersion is real.

Days inside the logged period without a single call are *missing* (reported). Days whose total is
below half the median of their type are *unusual* (holidays, outages): reported and left out of
the profile and the dispersion estimate.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_UNUSUAL_SHARE = 0.5


def day_type(ordinal: int, weekend: frozenset[int], mode: str = "weekday") -> str:
    """``weekday`` for a working day (``mode="weekday"``), else the day's short name."""
    iso = datetime.date.fromordinal(ordinal).isoweekday()
    if mode == "weekday" and iso not in weekend:
        return "weekday"
    return DAY_NAMES[iso - 1]


def interval_counts(day, arrival_s, interval_s: float, days: np.ndarray,
                    weights=None) -> np.ndarray:
    """Counts (or sums of ``weights``) per day of ``days`` and interval of the 24-hour day."""
    per_day = round(86400 / interval_s)
    row = np.searchsorted(days, day)
    col = np.minimum((np.asarray(arrival_s) // interval_s).astype(int), per_day - 1)
    out = np.zeros(len(days) * per_day)
    np.add.at(out, row * per_day + col, 1.0 if weights is None else weights)
    return out.reshape(len(days), per_day)


@dataclass(frozen=True)
class ArrivalFit:
    """Arrival profiles per day type and what the days looked like.

    Attributes
    ----------
    interval_s : float
    days : int array
        Date ordinals with at least one call, sorted.
    day_types : tuple of str
        Type of each day of ``days``.
    counts : array (days, intervals of 24 h)
        Calls per interval.
    profiles : dict
        Day type -> mean calls per interval (usable days only).
    n_days : dict
        Day type -> usable days.
    missing_days, unusual_days : tuple of str
        ISO dates.
    busyness_cv : float
        Day-to-day CV beyond Poisson (0 when the data show none).
    dispersion : dict
        Day type -> {"statistic", "dof", "pvalue", "cv"}.
    """

    interval_s: float
    days: np.ndarray
    day_types: tuple[str, ...]
    counts: np.ndarray
    profiles: dict
    n_days: dict
    missing_days: tuple[str, ...]
    unusual_days: tuple[str, ...]
    busyness_cv: float
    dispersion: dict

    def to_dict(self) -> dict:
        return {
            "method": "mean calls per interval by day type; gamma-Poisson day-to-day "
                      "overdispersion by the method of moments on daily totals, Poisson "
                      "dispersion test",
            "interval_s": self.interval_s,
            "days_by_type": self.n_days,
            "missing_days": list(self.missing_days),
            "unusual_days": list(self.unusual_days),
            "daily_busyness_cv": self.busyness_cv,
            "dispersion_test": self.dispersion,
            "profiles": {t: p.tolist() for t, p in self.profiles.items()},
        }


def fit_arrivals(day, arrival_s, *, interval_s: float, weekend: frozenset[int],
                 mode: str = "weekday") -> ArrivalFit:
    """Profiles, overdispersion and odd days from the arrival day and time of each call."""
    days = np.unique(day)
    counts = interval_counts(day, arrival_s, interval_s, days)
    return fit_counts(days, counts, interval_s=interval_s, weekend=weekend, mode=mode)


def fit_counts(days: np.ndarray, counts: np.ndarray, *, interval_s: float,
               weekend: frozenset[int], mode: str = "weekday") -> ArrivalFit:
    """As :func:`fit_arrivals`, from calls per interval (``counts[day, interval of 24 h]``)."""
    types = tuple(day_type(int(d), weekend, mode) for d in days)
    totals = counts.sum(axis=1)
    all_days = set(range(int(days[0]), int(days[-1]) + 1))
    missing = tuple(datetime.date.fromordinal(d).isoformat()
                    for d in sorted(all_days - set(days.tolist())))
    usable = np.ones(len(days), dtype=bool)
    for t in set(types):
        sel = np.array([x == t for x in types])
        usable[sel] &= totals[sel] >= _UNUSUAL_SHARE * np.median(totals[sel])
    unusual = tuple(datetime.date.fromordinal(int(d)).isoformat() for d in days[~usable])
    profiles, n_days, dispersion = {}, {}, {}
    num = den = 0.0
    for t in dict.fromkeys(types):
        sel = np.array([x == t for x in types]) & usable
        n_days[t] = int(sel.sum())
        profiles[t] = counts[sel].mean(axis=0) if sel.any() else np.zeros(counts.shape[1])
        if sel.sum() >= 2:
            tot = totals[sel]
            m, s2 = float(tot.mean()), float(tot.var(ddof=1))
            chi = float(((tot - m) ** 2).sum() / m)
            cv2 = (s2 - m) / m**2
            dispersion[t] = {"days": int(sel.sum()), "mean_calls": m, "statistic": chi,
                             "dof": int(sel.sum() - 1),
                             "pvalue": float(stats.chi2.sf(chi, sel.sum() - 1)),
                             "cv": math.sqrt(max(cv2, 0.0))}
            num += cv2 * (sel.sum() - 1)
            den += sel.sum() - 1
    cv = math.sqrt(max(num / den, 0.0)) if den > 0 else 0.0
    return ArrivalFit(interval_s=interval_s, days=days, day_types=types, counts=counts,
                      profiles=profiles, n_days=n_days, missing_days=missing,
                      unusual_days=unusual, busyness_cv=cv, dispersion=dispersion)
