"""Patience: how long callers are willing to wait in queue, from censored waits.

Model
-----
Every call that asked for an agent either abandoned after waiting ``w`` (its patience is ``w``:
an event) or was answered after waiting ``w`` (its patience exceeds ``w``: right-censored).
Censored maximum likelihood fits exponential, Weibull and lognormal patience
(:mod:`calibrate.fitting`), AIC chooses; Kaplan-Meier gives the distribution-free survival curve.
The naive mean of abandoners' waits is biased low (patient callers are answered before they
would give up) and is reported only to show by how much.

From interval figures alone (no per-call waits), two estimates of the mean patience exist:

* *abandonments over total waiting time*: the exponential MLE, since with exponential patience
  callers abandon at rate ``theta`` per second of waiting, so ``E[abandoned] = theta * E[total
  wait]``;
* the *regression of abandonment on mean wait* per interval (Brown et al. 2005, section on
  patience: hourly P(abandon) is close to proportional to the hourly mean wait): a weighted least
  squares line through the origin, ``P(ab) = mean_wait / mean_patience``; its inverse slope is the
  estimate. Both assume exponential patience; the per-call fit can test that assumption.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from calibrate.errors import CalibrationError
from calibrate.fitting import DurationFit, choose_by_aic, fit_duration, kaplan_meier

PATIENCE_FAMILIES = ("exponential", "weibull", "lognormal")


@dataclass(frozen=True)
class PatienceFit:
    """Censored fits of patience, the choice, Kaplan-Meier and the interval-level estimates."""

    chosen: DurationFit
    fits: tuple[DurationFit, ...]
    n_abandoned: int
    n_answered: int
    naive_mean_s: float
    km_times_s: np.ndarray
    km_survival: np.ndarray
    exposure_mean_s: float
    exposure_ci95_s: tuple[float, float]
    regression_mean_s: float
    by_priority: dict

    @property
    def exponential(self) -> DurationFit:
        return next(f for f in self.fits if f.family == "exponential")

    def to_dict(self) -> dict:
        return {
            "method": "censored maximum likelihood (abandoners observed, answered callers "
                      "right-censored at their wait), AIC choice; Kaplan-Meier",
            "n_abandoned": self.n_abandoned, "n_answered": self.n_answered,
            "chosen": self.chosen.family, "fits": [f.to_dict() for f in self.fits],
            "naive_mean_of_abandoners_waits_s": self.naive_mean_s,
            "abandonments_over_total_wait_mean_s": self.exposure_mean_s,
            "abandonments_over_total_wait_ci95_s": list(self.exposure_ci95_s),
            "regression_abandonment_on_mean_wait_mean_s": self.regression_mean_s,
            "by_priority": self.by_priority,
            "kaplan_meier": {"times_s": self.km_times_s[:: max(1, len(self.km_times_s) // 200)]
                             .tolist(),
                             "survival": self.km_survival[:: max(1, len(self.km_times_s) // 200)]
                             .tolist()},
        }


def exposure_estimate(abandoned: float, total_wait_s: float) -> tuple[float, tuple[float, float]]:
    """Mean patience = total waiting time / abandonments, with its exact chi-square 95 % CI.

    ``2 * total_wait / mean`` is chi-square with ``2 * abandoned`` degrees of freedom when
    patience is exponential (and waits are the exposure).
    """
    if abandoned <= 0:
        return math.inf, (math.inf, math.inf)
    mean = total_wait_s / abandoned
    lo = 2 * total_wait_s / stats.chi2.ppf(0.975, 2 * abandoned)
    hi = 2 * total_wait_s / stats.chi2.ppf(0.025, 2 * abandoned)
    return mean, (float(lo), float(hi))


def regression_estimate(p_abandon, mean_wait_s, weights) -> float:
    """Inverse slope of the weighted least-squares line through the origin of P(ab) on wait."""
    p, w, n = (np.asarray(a, dtype=float) for a in (p_abandon, mean_wait_s, weights))
    ok = ~(np.isnan(p) | np.isnan(w)) & (n > 0)
    slope = float((n[ok] * w[ok] * p[ok]).sum() / (n[ok] * w[ok] ** 2).sum())
    return 1.0 / slope if slope > 0 else math.inf


def fit_patience(wait_s, abandoned, *, priority=None, interval_key=None,
                 resolution_s: float = 1.0) -> PatienceFit:
    """Fit patience from the waits of calls that asked for an agent.

    Parameters
    ----------
    wait_s : array of float
        Time in queue of each call (0 for a call answered at once).
    abandoned : array of bool
        True for abandoners (events), False for answered calls (censored).
    priority : array of int, optional
        Customer class; each class gets its own exponential and chosen-family fit.
    interval_key : array of int, optional
        Interval of each call, for the regression estimate (pooled: every call in one).
    resolution_s : float
        1 for logs in whole seconds, 0 for exact times.
    """
    w = np.asarray(wait_s, dtype=float)
    ab = np.asarray(abandoned, dtype=bool)
    if ab.sum() < 5:
        raise CalibrationError(f"patience fit needs at least 5 abandonments, got {int(ab.sum())}")
    fits = tuple(fit_duration(f, w[ab], w[~ab], resolution_s=resolution_s)
                 for f in PATIENCE_FAMILIES)
    chosen = choose_by_aic(list(fits))
    km_t, km_s = kaplan_meier(w, ab)
    exp_mean, exp_ci = exposure_estimate(float(ab.sum()), float(w.sum()))
    if interval_key is None:
        interval_key = np.zeros(len(w), dtype=np.int64)
    keys, inv = np.unique(np.asarray(interval_key), return_inverse=True)
    n = np.bincount(inv, minlength=len(keys)).astype(float)
    p = np.bincount(inv, weights=ab, minlength=len(keys)) / n
    mw = np.bincount(inv, weights=w, minlength=len(keys)) / n
    by_priority = {}
    if priority is not None:
        pr = np.asarray(priority)
        for cls in np.unique(pr):
            sel = pr == cls
            if ab[sel].sum() >= 5 and (~ab[sel]).sum() >= 1:
                e = fit_duration("exponential", w[sel & ab], w[sel & ~ab],
                                 resolution_s=resolution_s)
                c = fit_duration(chosen.family, w[sel & ab], w[sel & ~ab],
                                 resolution_s=resolution_s)
                by_priority[str(int(cls))] = {"calls": int(sel.sum()),
                                              "abandoned": int(ab[sel].sum()),
                                              "exponential": e.to_dict(),
                                              chosen.family: c.to_dict()}
    return PatienceFit(chosen=chosen, fits=fits, n_abandoned=int(ab.sum()),
                       n_answered=int((~ab).sum()), naive_mean_s=float(w[ab].mean()),
                       km_times_s=km_t, km_survival=km_s, exposure_mean_s=exp_mean,
                       exposure_ci95_s=exp_ci, regression_mean_s=regression_estimate(p, mw, n),
                       by_priority=by_priority)
