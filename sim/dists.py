"""Duration distributions: a planner's ``kind + mean + cv`` mapped to numpy samplers, in one place.

Every sampler has the signature ``sample(rng, n) -> ndarray`` of ``n`` non-negative seconds and
draws with ``numpy.random.Generator`` methods in one batch (scipy ``rvs`` per call is over ten
times slower).

Parameterisations (mean ``m``, coefficient of variation ``cv``):

* exponential: scale ``m`` (cv is 1 by definition).
* deterministic: always ``m``; draws nothing.
* gamma / erlang: shape ``k = 1 / cv**2``, scale ``m * cv**2``; ``cv = 0`` is deterministic.
* lognormal: ``sigma**2 = ln(1 + cv**2)``, ``mu = ln(m) - sigma**2 / 2``.
* weibull: shape ``k`` solves ``Gamma(1 + 2/k) / Gamma(1 + 1/k)**2 = 1 + cv**2`` (brentq, solved
  once per cv and cached), scale ``m / Gamma(1 + 1/k)``.
* uniform: on ``[m - sqrt(3) cv m, m + sqrt(3) cv m]``.
* empirical: resampled uniformly with replacement from ``samples_s``.

``None`` (no patience limit) samples ``inf``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from scenarios.schema import Distribution
from sim.errors import SimError

Sampler = Callable[[np.random.Generator, int], np.ndarray]


@lru_cache(maxsize=256)
def weibull_shape(cv: float) -> float:
    """Weibull shape ``k`` whose coefficient of variation is ``cv`` (> 0)."""
    if not cv > 0:
        raise SimError(f"weibull cv must be > 0, got {cv}")
    target = math.log1p(cv * cv)

    def excess(k: float) -> float:
        # log(E[X^2] / E[X]^2) - log(1 + cv^2); decreasing in k.
        return math.lgamma(1 + 2 / k) - 2 * math.lgamma(1 + 1 / k) - target

    # The bracket holds every cv the loader accepts (1e-3 to 100: k from about 0.1 to 1,300).
    from scipy.optimize import brentq  # only for a Weibull; scipy.optimize is slow to import

    return brentq(excess, 0.01, 1e5, xtol=1e-12, rtol=1e-12)


@lru_cache(maxsize=256)
def sampler(dist: Distribution | None) -> Sampler:
    """A batch sampler for ``dist`` (``None``: infinite durations). Cached per distribution."""
    if dist is None:
        return lambda rng, n: np.full(n, math.inf)
    kind, mean, cv = dist.kind, float(dist.mean_s), float(dist.cv)
    if kind == "deterministic" or (cv == 0 and kind not in ("exponential", "empirical")):
        return lambda rng, n: np.full(n, mean)
    if kind == "exponential":
        return lambda rng, n: rng.exponential(mean, n)
    if kind in ("gamma", "erlang"):
        shape, scale = 1.0 / cv**2, mean * cv**2
        return lambda rng, n: rng.gamma(shape, scale, n)
    if kind == "lognormal":
        sigma2 = math.log1p(cv**2)
        mu, sigma = math.log(mean) - sigma2 / 2, math.sqrt(sigma2)
        return lambda rng, n: rng.lognormal(mu, sigma, n)
    if kind == "weibull":
        k = weibull_shape(cv)
        scale = mean / math.exp(math.lgamma(1 + 1 / k))
        return lambda rng, n: scale * rng.weibull(k, n)
    if kind == "uniform":
        half = math.sqrt(3.0) * cv * mean
        return lambda rng, n: rng.uniform(mean - half, mean + half, n)
    if kind == "empirical":
        samples = np.asarray(dist.samples_s, dtype=float)
        return lambda rng, n: samples[rng.integers(0, samples.size, n)]
    raise SimError(f"distribution kind must be one of the known kinds, got {kind!r}")
