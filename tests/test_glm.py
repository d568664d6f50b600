"""The Newton-Raphson fits of glm.py against statsmodels' GLM (the library they stand in for)."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from msk_cooccurrence.glm import LOGISTIC, POISSON, newton_fit
from msk_cooccurrence.loglinear import cell_design_matrix


def logistic_problem(seed: int, n: int, intercept: float):
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(n), rng.integers(0, 2, n), rng.normal(50, 15, n), rng.uniform(0, 0.1, n)])
    eta = intercept + 0.9 * X[:, 1] + 0.04 * (X[:, 2] - 50) + 20 * X[:, 3]
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    return X, y, rng.lognormal(0, 0.8, n)


@pytest.mark.parametrize(("seed", "n", "intercept"), [(1, 300, -0.5), (2, 5000, -1.0), (3, 20000, -6.0)])
def test_the_logistic_fit_is_statsmodels_weighted_binomial_glm(seed, n, intercept):
    """Common and rare outcomes (about 0.5% at -6), weights from 0.1 to 10, a finely scaled predictor."""
    X, y, w = logistic_problem(seed, n, intercept)
    fit = newton_fit(LOGISTIC, X, y, w)
    reference = sm.GLM(y, X, family=sm.families.Binomial(), var_weights=w).fit(tol=1e-14, maxiter=100)
    assert fit.settled and fit.converged
    np.testing.assert_allclose(fit.coef, reference.params, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(fit.mu, reference.mu, rtol=1e-9)
    assert fit.deviances[-1] == pytest.approx(reference.deviance, rel=1e-12)


@pytest.mark.parametrize("order", [2, 3])
def test_the_poisson_fit_is_statsmodels_glm(order):
    rng = np.random.default_rng(order)
    X = cell_design_matrix(4, order)
    counts = rng.poisson(40, len(X)).astype(float) * rng.uniform(0.5, 2, len(X))
    fit = newton_fit(POISSON, X, counts)
    reference = sm.GLM(counts, X, family=sm.families.Poisson()).fit(tol=1e-14, maxiter=100)
    assert fit.settled
    np.testing.assert_allclose(fit.coef, reference.params, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(fit.mu, reference.mu, rtol=1e-9)
    assert fit.deviances[-1] == pytest.approx(reference.deviance, rel=1e-9, abs=1e-9)


def test_a_fit_from_a_given_start_reaches_the_same_optimum():
    X, y, w = logistic_problem(4, 2000, -1.0)
    fit = newton_fit(LOGISTIC, X, y, w)
    restarted = newton_fit(LOGISTIC, X, y, w, start=fit.coef + np.array([1.0, -1.0, 0.05, 10.0]))
    np.testing.assert_allclose(restarted.coef, fit.coef, rtol=1e-10)


def test_under_separation_the_means_go_to_zero_and_one_and_the_deviance_to_zero():
    """Nothing finite maximizes the likelihood: what identifiability.looks_separated looks for."""
    x = np.r_[np.zeros(20), np.ones(20)]
    fit = newton_fit(LOGISTIC, np.column_stack([np.ones(40), x]), x.copy())
    assert fit.deviances[-1] < 1e-8 and abs(fit.coef[1]) > 15
    assert np.all((fit.mu < 1e-8) | (fit.mu > 1 - 1e-8))


def test_a_saturated_model_of_a_million_rows_settles_where_its_deviance_is_rounding_alone():
    """The saturated log-linear model's deviance is zero at the optimum, and with counts summing to a
    million its rounding (about 1e-9 either way) never falls below 1e-12 of itself plus 0.1: the
    fit settles by the size of its steps, at the exact solution log(counts) = X b."""
    rng = np.random.default_rng(8)
    X = cell_design_matrix(4, 4)
    counts = rng.uniform(0.05, 2, len(X)) ** 3 * 1e6 / 16
    fit = newton_fit(POISSON, X, counts)
    assert fit.settled and fit.converged
    np.testing.assert_allclose(fit.coef, np.linalg.solve(X, np.log(counts)), rtol=1e-10, atol=1e-12)
