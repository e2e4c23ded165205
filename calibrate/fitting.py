"""Maximum likelihood for duration families, with right censoring and whole-second rounding.

One routine fits every family the scenario format knows how to play (``exponential``,
``gamma``, ``weibull``, ``lognormal``) to durations of which some are *events* (the duration
itself was seen: a talk time, an abandoner's wait) and some are *right-censored* (only a lower
bound was seen: an answered caller's wait bounds its patience from below).

Model
-----
Log-likelihood ``sum_events log f(x) + sum_censored log S(x)``. Logs that round to whole seconds
(``resolution_s = 1``) are interval-censored instead: an event recorded as ``x`` happened in
``[x, x + 1)``, contributing ``log(S(x) - S(x + 1))``. This keeps an abandonment recorded at
0 s (which a density would score as ``log f(0)``) honest, and removes the rounding bias. Each family
is parametrised by unconstrained values (logs of positive parameters); the optimum is found by
Nelder-Mead from a moment-based start and polished by BFGS, and confidence intervals are Wald
intervals from the observed information (a finite-difference Hessian), carried to the mean and
the CV by the delta method. AIC = 2 k - 2 log L chooses among families; the KS statistic (against
the events, for uncensored data only) is reported as a goodness of fit, its p-value optimistic
because the parameters were estimated from the same data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

from calibrate.errors import CalibrationError

FAMILIES = ("exponential", "gamma", "weibull", "lognormal")
_Z95 = 1.959963984540054


@dataclass(frozen=True)
class DurationFit:
    """One family fitted by maximum likelihood.

    Attributes
    ----------
    family : str
    params : dict
        The family's parameters in scipy's terms (``shape``, ``scale``; ``mu``, ``sigma``).
    mean_s, cv : float
        Mean and coefficient of variation of the fitted distribution.
    mean_ci95_s, cv_ci95 : (float, float)
        Wald 95 % intervals (delta method).
    log_likelihood, aic : float
    n_events, n_censored : int
    ks_statistic, ks_pvalue : float
        Kolmogorov-Smirnov against the events (``nan`` with censoring).
    """

    family: str
    params: dict
    mean_s: float
    cv: float
    mean_ci95_s: tuple[float, float]
    cv_ci95: tuple[float, float]
    log_likelihood: float
    aic: float
    n_events: int
    n_censored: int
    ks_statistic: float
    ks_pvalue: float

    def to_dict(self) -> dict:
        return {"family": self.family, "params": self.params, "mean_s": self.mean_s,
                "cv": self.cv, "mean_ci95_s": list(self.mean_ci95_s),
                "cv_ci95": list(self.cv_ci95), "log_likelihood": self.log_likelihood,
                "aic": self.aic, "n_events": self.n_events, "n_censored": self.n_censored,
                "ks_statistic": self.ks_statistic, "ks_pvalue": self.ks_pvalue}

    def frozen(self):
        """The fitted distribution as a frozen ``scipy.stats`` object."""
        return _frozen(self.family, self._theta())

    def _theta(self) -> np.ndarray:
        p = self.params
        if self.family == "exponential":
            return np.array([math.log(p["scale"])])
        if self.family == "lognormal":
            return np.array([p["mu"], math.log(p["sigma"])])
        return np.array([math.log(p["shape"]), math.log(p["scale"])])


def _frozen(family: str, theta: np.ndarray):
    if family == "exponential":
        return stats.expon(scale=math.exp(theta[0]))
    if family == "gamma":
        return stats.gamma(math.exp(theta[0]), scale=math.exp(theta[1]))
    if family == "weibull":
        return stats.weibull_min(math.exp(theta[0]), scale=math.exp(theta[1]))
    return stats.lognorm(math.exp(theta[1]), scale=math.exp(theta[0]))


def _params(family: str, theta: np.ndarray) -> dict:
    if family == "exponential":
        return {"scale": math.exp(theta[0])}
    if family == "lognormal":
        return {"mu": float(theta[0]), "sigma": math.exp(theta[1])}
    return {"shape": math.exp(theta[0]), "scale": math.exp(theta[1])}


def _mean_cv(family: str, theta: np.ndarray) -> tuple[float, float]:
    if family == "exponential":
        return math.exp(theta[0]), 1.0
    if family == "gamma":
        k, s = math.exp(theta[0]), math.exp(theta[1])
        return k * s, 1.0 / math.sqrt(k)
    if family == "weibull":
        k, s = math.exp(theta[0]), math.exp(theta[1])
        g1, g2 = special.gammaln(1 + 1 / k), special.gammaln(1 + 2 / k)
        return s * math.exp(g1), math.sqrt(max(math.exp(g2 - 2 * g1) - 1.0, 0.0))
    mu, sigma = theta[0], math.exp(theta[1])
    return math.exp(mu + sigma**2 / 2), math.sqrt(math.expm1(sigma**2))


def _log_pdf_sf(family: str, theta: np.ndarray, x: np.ndarray):
    """(log f(x), log S(x)) in closed form (scipy's frozen objects are too slow in a loop)."""
    if family == "exponential":
        rate = math.exp(-theta[0])
        return math.log(rate) - rate * x, -rate * x
    if family == "weibull":
        k, s = math.exp(theta[0]), math.exp(theta[1])
        z = np.maximum(x, 1e-300) / s
        zk = z**k
        return math.log(k / s) + (k - 1) * np.log(z) - zk, -zk
    if family == "lognormal":
        mu, sigma = theta[0], math.exp(theta[1])
        lx = np.log(np.maximum(x, 1e-300))
        z = (lx - mu) / sigma
        return (-lx - math.log(sigma) - 0.5 * math.log(2 * math.pi) - 0.5 * z * z,
                special.log_ndtr(-z))
    k, s = math.exp(theta[0]), math.exp(theta[1])
    xs = np.maximum(x, 1e-300) / s
    return ((k - 1) * np.log(xs) - xs - special.gammaln(k) - math.log(s),
            np.log(np.maximum(special.gammaincc(k, xs), 1e-300)))


def _log_sf(family: str, theta: np.ndarray, x: np.ndarray) -> np.ndarray:
    out = np.zeros_like(x)
    positive = x > 0
    out[positive] = _log_pdf_sf(family, theta, x[positive])[1]
    return out


def _log_likelihood(family: str, theta: np.ndarray, events: tuple, censored: tuple,
                    resolution_s: float) -> float:
    """Log-likelihood; ``events`` and ``censored`` are (distinct values, counts) pairs."""
    (ev, ev_n), (ce, ce_n) = events, censored
    if resolution_s > 0:
        lo, hi = _log_sf(family, theta, ev), _log_sf(family, theta, ev + resolution_s)
        # log(S(lo) - S(hi)) = log S(lo) + log(1 - exp(log S(hi) - log S(lo)))
        ll_events = lo + np.log(-np.expm1(np.minimum(hi - lo, -1e-300)))
    else:
        ll_events = _log_pdf_sf(family, theta, ev)[0]
    total = float(ll_events @ ev_n) + float(_log_sf(family, theta, ce) @ ce_n)
    return total if math.isfinite(total) else -math.inf


def _start(family: str, events: np.ndarray, censored: np.ndarray,
           resolution_s: float) -> np.ndarray:
    # Exposure-based mean (the exponential MLE) and the events' log spread.
    mean = (events.sum() + censored.sum() + 0.5 * resolution_s * len(events)) / max(len(events), 1)
    logs = np.log(events + max(resolution_s, 1e-9) * 0.5)
    sd = float(np.std(logs)) if len(events) > 1 else 1.0
    sd = min(max(sd, 0.1), 3.0)
    if family == "exponential":
        return np.array([math.log(mean)])
    if family == "lognormal":
        return np.array([math.log(mean) - sd**2 / 2, math.log(sd)])
    return np.array([0.0, math.log(mean)])


def fit_duration(family: str, events, censored=(), *, resolution_s: float = 0.0) -> DurationFit:
    """Fit ``family`` to event durations and right-censored durations by maximum likelihood.

    Parameters
    ----------
    family : str
        One of :data:`FAMILIES`.
    events : array of float
        Observed durations, seconds (>= 0; > 0 when ``resolution_s == 0``).
    censored : array of float
        Lower bounds of durations not observed, seconds (>= 0).
    resolution_s : float
        0 for exact times; 1 for logs rounded down to whole seconds (see the module notes).

    Returns
    -------
    DurationFit
    """
    if family not in FAMILIES:
        raise CalibrationError(f"family must be one of {FAMILIES}, got {family!r}")
    ev = np.asarray(events, dtype=float)
    ce = np.asarray(censored, dtype=float)
    if len(ev) < 2:
        raise CalibrationError(f"a {family} fit needs at least 2 observed durations, got "
                               f"{len(ev)}")
    if resolution_s == 0 and np.any(ev <= 0):
        raise CalibrationError("durations must be > 0 for exact-time fits, got a zero; give "
                               "resolution_s=1 for logs in whole seconds")

    # Logs in whole seconds repeat values: the likelihood over distinct values with counts is
    # the same sum, tens of times faster.
    ev_u, ce_u = np.unique(ev, return_counts=True), np.unique(ce, return_counts=True)

    def nll(theta):
        ll = _log_likelihood(family, theta, ev_u, ce_u, resolution_s)
        return -ll if math.isfinite(ll) else 1e300

    theta0 = _start(family, ev, ce, resolution_s)
    if family == "exponential" and resolution_s == 0:
        theta = np.array([math.log((ev.sum() + ce.sum()) / len(ev))])  # closed form
    else:
        res = optimize.minimize(nll, theta0, method="Nelder-Mead",
                                options={"xatol": 1e-8, "fatol": 1e-9, "maxiter": 4000})
        res2 = optimize.minimize(nll, res.x, method="BFGS")
        theta = res2.x if res2.fun <= res.fun else res.x
    ll = -nll(theta)
    cov = _covariance(nll, theta)
    mean, cv = _mean_cv(family, theta)
    mean_ci = _delta_ci(lambda t: _mean_cv(family, t)[0], theta, cov)
    cv_ci = (1.0, 1.0) if family == "exponential" else _delta_ci(
        lambda t: _mean_cv(family, t)[1], theta, cov)
    ks_stat = ks_p = math.nan
    if len(ce) == 0:
        ks = stats.kstest(ev, _frozen(family, theta).cdf)
        ks_stat, ks_p = float(ks.statistic), float(ks.pvalue)
    return DurationFit(family=family, params=_params(family, theta), mean_s=mean, cv=cv,
                       mean_ci95_s=mean_ci, cv_ci95=cv_ci, log_likelihood=ll,
                       aic=2 * len(theta) - 2 * ll, n_events=len(ev), n_censored=len(ce),
                       ks_statistic=ks_stat, ks_pvalue=ks_p)


def _covariance(nll, theta: np.ndarray) -> np.ndarray:
    """Inverse of the finite-difference Hessian of the negative log-likelihood at ``theta``."""
    k = len(theta)
    h = 1e-4 * np.maximum(1.0, np.abs(theta))
    hess = np.empty((k, k))
    f0 = nll(theta)
    for i in range(k):
        for j in range(i, k):
            ei, ej = np.eye(k)[i] * h[i], np.eye(k)[j] * h[j]
            if i == j:
                val = (nll(theta + ei) - 2 * f0 + nll(theta - ei)) / h[i] ** 2
            else:
                val = (nll(theta + ei + ej) - nll(theta + ei - ej) - nll(theta - ei + ej)
                       + nll(theta - ei - ej)) / (4 * h[i] * h[j])
            hess[i, j] = hess[j, i] = val
    try:
        return np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        return np.full((k, k), np.nan)


def _delta_ci(func, theta: np.ndarray, cov: np.ndarray) -> tuple[float, float]:
    value = func(theta)
    grad = np.empty(len(theta))
    for i in range(len(theta)):
        h = 1e-6 * max(1.0, abs(theta[i]))
        e = np.eye(len(theta))[i] * h
        grad[i] = (func(theta + e) - func(theta - e)) / (2 * h)
    var = float(grad @ cov @ grad)
    half = _Z95 * math.sqrt(var) if var >= 0 else math.nan
    return (value - half, value + half)


def choose_by_aic(fits: list[DurationFit]) -> DurationFit:
    """The fit with the lowest AIC."""
    return min(fits, key=lambda f: f.aic)


def kaplan_meier(durations, observed) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier survival estimate.

    Parameters
    ----------
    durations : array of float
        Event or censoring times.
    observed : array of bool
        True where the duration is an event (an abandonment), False where censored.

    Returns
    -------
    times, survival : arrays
        Distinct event times and S(t) just after each. Censorings at an event time count as
        still at risk at that time (the usual convention).
    """
    t = np.asarray(durations, dtype=float)
    d = np.asarray(observed, dtype=bool)
    times, inverse = np.unique(t, return_inverse=True)
    deaths = np.bincount(inverse, weights=d, minlength=len(times))
    leaving = np.bincount(inverse, minlength=len(times))
    at_risk = len(t) - np.concatenate(([0], np.cumsum(leaving)[:-1]))
    keep = deaths > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        factors = 1.0 - deaths[keep] / at_risk[keep]
    return times[keep], np.cumprod(factors)
