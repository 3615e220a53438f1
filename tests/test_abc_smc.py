"""ABC-SMC steps: proposals stay in the prior box, weights and resampling have known answers."""

from __future__ import annotations

import numpy as np
import pytest

from lead_sim.calibration import systematic_resample
from lead_sim.fitting.abc_smc import (
    ProposalError,
    importance_weights,
    propose,
    to_unit,
    weighted_median,
)
from lead_sim.fitting.config import Prior


def test_unit_coordinates_of_uniform_and_loguniform_priors():
    priors = [Prior("hr_lead_engaged", "uniform", 0.2, 1.0),
              Prior("contact_rate", "loguniform", 0.001, 0.01)]
    values = np.array([[0.2, 0.001], [0.6, 0.01 ** 0.5 * 0.001 ** 0.5], [1.0, 0.01]])
    np.testing.assert_allclose(to_unit(priors, values), [[0, 0], [0.5, 0.5], [1, 1]])


def test_proposals_stay_inside_the_box_and_are_seeded():
    u = np.array([[0.05, 0.9], [0.1, 0.95], [0.02, 0.99]])
    w = np.array([0.2, 0.3, 0.5])
    a = propose(u, w, 50, np.random.default_rng(3))
    b = propose(u, w, 50, np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    assert ((a >= 0) & (a <= 1)).all()


def test_one_particle_is_refused_with_a_reason():
    with pytest.raises(ProposalError, match="1 accepted set"):
        propose(np.array([[0.5]]), np.array([1.0]), 5, np.random.default_rng(0))


def test_importance_weights_favour_points_the_mixture_rarely_proposes():
    old = np.array([[0.4], [0.5], [0.6]])
    w = importance_weights(np.array([[0.5], [0.9]]), old, np.full(3, 1 / 3))
    assert w.sum() == pytest.approx(1.0)
    assert w[1] > w[0]  # 0.9 lies in the kernel mixture's tail: it stands for more prior mass


def test_weighted_median_and_systematic_resampling():
    assert weighted_median(np.array([3.0, 1.0, 2.0]), np.ones(3)) == 2.0
    assert weighted_median(np.array([1.0, 2.0, 10.0]), np.array([0.1, 0.1, 0.8])) == 10.0
    assert systematic_resample(np.ones(4), 4).tolist() == [0, 1, 2, 3]
    assert systematic_resample(np.array([0.0, 1.0, 0.0]), 3).tolist() == [1, 1, 1]
    assert systematic_resample(np.array([1.0, 3.0]), 4).tolist() == [0, 1, 1, 1]
