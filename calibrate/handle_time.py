"""Handle time: lognormal, gamma and exponential fitted by maximum likelihood, chosen by AIC.

Rule for implausibly short services
-----------------------------------
Talk times under ``short_s`` seconds (default 10) are not services in the usual sense: in the
Anonymous Bank logs they are an episode of agents hanging up on callers (about 5 % of answered
calls). They are left out of the *shape* fit and counted, and the scenario's mean handle time is
the mean of *all* answered calls, short ones included, because those calls did occupy agents
(briefly) and the queue felt exactly that load. The CV written to the scenario is the chosen
family's. So the scenario keeps the observed agent load and the shape of genuine services.

Logs in whole seconds are fitted as interval-censored (see :mod:`calibrate.fitting`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calibrate.errors import CalibrationError
from calibrate.fitting import DurationFit, choose_by_aic, fit_duration

HANDLE_FAMILIES = ("lognormal", "gamma", "exponential")


@dataclass(frozen=True)
class HandleTimeFit:
    """Fits of answered calls' talk times and the choice made.

    Attributes
    ----------
    chosen : DurationFit
        The family with the lowest AIC among :data:`HANDLE_FAMILIES`, fitted to services of at
        least ``short_s``.
    fits : tuple of DurationFit
    n_answered, n_short : int
    short_s : float
    mean_all_s : float
        Mean talk time of every answered call (the scenario's ``mean_s``).
    mean_all_ci95_s : (float, float)
    """

    chosen: DurationFit
    fits: tuple[DurationFit, ...]
    n_answered: int
    n_short: int
    short_s: float
    mean_all_s: float
    mean_all_ci95_s: tuple[float, float]

    def to_dict(self) -> dict:
        return {
            "method": "maximum likelihood (interval-censored for whole seconds), AIC choice; "
                      f"services under {self.short_s:g} s left out of the shape fit and kept in "
                      "the mean",
            "n_answered": self.n_answered, "n_short": self.n_short,
            "short_share": self.n_short / self.n_answered, "short_s": self.short_s,
            "mean_all_s": self.mean_all_s, "mean_all_ci95_s": list(self.mean_all_ci95_s),
            "chosen": self.chosen.family, "fits": [f.to_dict() for f in self.fits],
        }


def fit_handle_time(talk_s, *, short_s: float = 10.0, resolution_s: float = 1.0) -> HandleTimeFit:
    """Fit the talk times of answered calls (see the module notes for the short-service rule).

    Parameters
    ----------
    talk_s : array of float
        Talk time of each answered call, seconds.
    short_s : float
        Services shorter than this are left out of the shape fit (0 keeps all).
    resolution_s : float
        1 for logs in whole seconds, 0 for exact times.
    """
    talk = np.asarray(talk_s, dtype=float)
    talk = talk[~np.isnan(talk)]
    if len(talk) < 10:
        raise CalibrationError(f"handle-time fit needs at least 10 answered calls, got {len(talk)}")
    keep = talk >= max(short_s, 0.0)
    if resolution_s == 0:
        keep &= talk > 0
    fits = tuple(fit_duration(f, talk[keep], resolution_s=resolution_s) for f in HANDLE_FAMILIES)
    mean = float(talk.mean())
    half = 1.959963984540054 * float(talk.std(ddof=1)) / np.sqrt(len(talk))
    return HandleTimeFit(chosen=choose_by_aic(list(fits)), fits=fits, n_answered=len(talk),
                         n_short=int((talk < short_s).sum()), short_s=short_s, mean_all_s=mean,
                         mean_all_ci95_s=(mean - half, mean + half))
