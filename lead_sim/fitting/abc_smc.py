"""Sequential Monte Carlo steps for ABC: proposals around the last accepted sets, and weights.

Generation 0 of a calibration samples the priors; every later generation perturbs particles of
the previous one (picked by weight) with a Gaussian kernel whose covariance is twice the
particles' weighted covariance, and weights each accepted particle by prior density over the
kernel mixture it was drawn from (ABC population Monte Carlo: Beaumont, Cornuet, Marin & Robert
2009, Biometrika 96:983; Toni et al. 2009, J R Soc Interface 6:187). Work is done in "unit"
coordinates where every prior is uniform on [0, 1] (a log-uniform prior on the log scale), so
the prior density is constant inside the box and the weights reduce to 1 / mixture density.
Proposals outside the box are redrawn; the kernel's truncation constant is ignored, a common
simplification that matters only for particles near a prior bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

MAX_TRIES = 1000  # redraws per proposal before giving up on a box the kernel barely reaches


class ProposalError(RuntimeError):
    """No proposals can be drawn around these particles (too few, or the kernel misses the box).

    A plain exception, as this module knows nothing of configs; the caller says which
    calibration and what to change.
    """


class Bounded(Protocol):
    prior: str
    low: float
    high: float


def to_unit(priors: Sequence[Bounded], values: np.ndarray) -> np.ndarray:
    """Parameter values (n x d) to unit coordinates."""
    out = np.empty_like(values, dtype=float)
    for j, p in enumerate(priors):
        if p.prior == "loguniform":
            out[:, j] = np.log(values[:, j] / p.low) / np.log(p.high / p.low)
        else:
            out[:, j] = (values[:, j] - p.low) / (p.high - p.low)
    return out


def kernel_cov(u: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Twice the weighted covariance of the particles (Beaumont et al. 2009), kept invertible."""
    cov = 2.0 * np.atleast_2d(np.cov(u, rowvar=False, aweights=weights))
    return cov + 1e-9 * np.eye(u.shape[1])


def propose(u: np.ndarray, weights: np.ndarray, n: int,
            rng: np.random.Generator) -> np.ndarray:
    """``n`` new points: a particle picked by weight, moved by the kernel, kept inside [0, 1].

    Raises :class:`ProposalError` for fewer than 2 particles (no covariance, so no kernel:
    NumPy would give NaN and every proposal would fall outside the box) or when MAX_TRIES
    draws in a row leave the box.
    """
    if len(u) < 2:
        raise ProposalError(f"{len(u)} accepted set(s) give no kernel covariance; at least 2 "
                            "are needed")
    cov = kernel_cov(u, weights)
    if not np.all(np.isfinite(cov)):
        raise ProposalError("the accepted sets' weighted covariance is not finite")
    chol = np.linalg.cholesky(cov)
    p = weights / weights.sum()
    out = np.empty((n, u.shape[1]))
    for i in range(n):
        for _ in range(MAX_TRIES):
            x = u[rng.choice(len(u), p=p)] + chol @ rng.standard_normal(u.shape[1])
            if np.all((x >= 0) & (x <= 1)):
                out[i] = x
                break
        else:
            raise ProposalError(f"{MAX_TRIES} proposals in a row left the prior box")
    return out


def importance_weights(new: np.ndarray, old: np.ndarray, old_weights: np.ndarray) -> np.ndarray:
    """Normalised weights of ``new`` particles drawn from the kernel mixture around ``old``."""
    inv = np.linalg.inv(kernel_cov(old, old_weights))
    diff = new[:, None, :] - old[None, :, :]
    density = np.exp(-0.5 * np.einsum("ijk,kl,ijl->ij", diff, inv, diff)) @ old_weights
    w = 1.0 / np.maximum(density, 1e-300)
    return w / w.sum()


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The value where the cumulative weight first reaches half; the plain median if equal."""
    if np.allclose(weights, weights[0]):
        return float(np.median(values))
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order]) / weights.sum()
    return float(values[order][np.searchsorted(cum, 0.5)])
