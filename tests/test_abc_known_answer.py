"""ABC-SMC recovers a known posterior: the mean of a normal sample with known spread.

With a flat prior on the mean mu and n observations from N(mu, sigma^2), the posterior of mu is
N(xbar, sigma^2 / n); the sample mean is sufficient, so ABC on it converges to that posterior
as the tolerance shrinks. The calibration's own code draws the candidates
(:func:`lead_sim.fitting.fit.draw_candidates`: a Latin hypercube, then proposals around the
accepted sets), accepts the closest fraction and weights them (``_generation``, ``posterior``);
only the simulator is a toy, a normal sample instead of the model.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from lead_sim.fitting.config import STATISTICS, CalibrationConfig, Prior, Target
from lead_sim.fitting.fit import draw_candidates, posterior

N, SIGMA, TRUE_MU = 25, 0.1, 0.35  # the prior's middle is 0.55: ten posterior sds away
PARAM = "booking_share"  # any registry parameter whose bounds hold the prior; only its name
STAT = "rearrest_12m"  # any statistic a target may name; the toy fills it with a sample mean


def simulate(mu: float, seed: int) -> dict[str, float]:
    """A replicate's statistics: the mean of N draws from N(mu, SIGMA^2); the rest NaN."""
    sample = np.random.default_rng(seed).normal(mu, SIGMA, N)
    return {**dict.fromkeys(STATISTICS, math.nan), "seed": seed, STAT: float(sample.mean())}


def test_abc_smc_recovers_the_posterior_of_a_normal_mean():
    observed = np.random.default_rng(2026).normal(TRUE_MU, SIGMA, N).mean()
    config = CalibrationConfig(
        scenario="toy", population=0, reps=1, candidates=400, accept=0.1, seed=7,
        priors=(Prior(PARAM, "uniform", 0.2, 0.9),),
        targets=(Target(STAT, float(observed), 0.05, "toy"),), prepared=None, generations=3)
    done, previous = {}, None
    for g in range(config.generations):
        for i, values in enumerate(draw_candidates(config, g, previous)):
            done[g, i] = {"values": values, "reps": [simulate(values[PARAM], 1000 * g + i)]}
        post = posterior(dataclasses.replace(config, generations=g + 1), done)
        previous = post.accepted
    accepted = post.accepted
    weights = accepted["weight"].to_numpy(float)
    mu = accepted[PARAM].to_numpy(float)
    mean = np.average(mu, weights=weights)
    sd = math.sqrt(np.average((mu - mean) ** 2, weights=weights))
    exact_sd = SIGMA / math.sqrt(N)  # 0.02
    # 40 accepted sets (an effective sample of about 25 after weighting): the posterior mean is
    # found within 0.6 of its own sd (sampling error about 0.2 sd, plus the blur of the ABC
    # tolerance), the sd within -40% / +60% (a finite tolerance widens it; 25 draws estimate an
    # sd to about +-15%). The prior's mean, 0.55, and sd, 0.2, are ten times as far off.
    assert mean == pytest.approx(observed, abs=0.6 * exact_sd)
    assert 0.6 * exact_sd <= sd <= 1.6 * exact_sd
    assert post.point()[PARAM] == pytest.approx(observed, abs=0.6 * exact_sd)
