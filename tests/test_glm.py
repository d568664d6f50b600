"""The fits of glm.py, statsmodels' GLM with the package's settings, against closed forms.

Saturated and independence models have their maximum likelihood estimates in closed form (odds
ratios ad/bc, fitted counts equal to the counts, or to the products of the margins); any other fit
is checked by the score equations, which its estimate solves. The R references check every odds
ratio and log-linear term against R's glm and survey (tests/test_reference_r.py).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from statsmodels.genmod.families import Binomial, Poisson
from statsmodels.genmod.families.links import Log, Logit
from statsmodels.genmod.generalized_linear_model import GLM, GLMResultsWrapper

from msk_cooccurrence.survey import glm
from msk_cooccurrence.tables.loglinear import cell_design_matrix


def logistic_problem(seed: int, n: int, intercept: float):
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(n), rng.integers(0, 2, n), rng.normal(50, 15, n), rng.uniform(0, 0.1, n)])
    eta = intercept + 0.9 * X[:, 1] + 0.04 * (X[:, 2] - 50) + 20 * X[:, 3]
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    return X, y, rng.lognormal(0, 0.8, n)


def two_by_two(a: float, b: float, c: float, d: float):
    """A 2x2 table as four weighted units: exposed cases a, exposed non-cases b, unexposed c and d."""
    X = np.array([[1.0, 1.0], [1.0, 1.0], [1.0, 0.0], [1.0, 0.0]])
    return X, np.array([1.0, 0.0, 1.0, 0.0]), np.array([a, b, c, d])


def test_the_fit_is_a_statsmodels_glm_with_the_canonical_link_and_the_weights_as_var_weights():
    X, y, w = two_by_two(30, 70, 20, 80)
    fit = glm.fit(glm.LOGISTIC, X, y, w)
    assert isinstance(fit.results, GLMResultsWrapper) and isinstance(fit.results.model, GLM)
    assert isinstance(fit.results.model.family, Binomial) and isinstance(fit.results.model.family.link, Logit)
    np.testing.assert_array_equal(fit.results.model.var_weights, w)
    assert fit.results.mle_settings["wls_method"] == glm.WLS_METHOD
    np.testing.assert_array_equal(fit.coef, fit.results.params)
    np.testing.assert_array_equal(fit.covariance, fit.results.normalized_cov_params)
    counts = np.array([40.0, 10, 25, 5])
    poisson = glm.fit(glm.POISSON, cell_design_matrix(2, 1), counts)
    assert isinstance(poisson.results.model.family, Poisson) and isinstance(poisson.results.model.family.link, Log)
    assert poisson.results.model.var_weights is None or np.all(poisson.results.model.var_weights == 1)


@pytest.mark.parametrize("table", [(30, 70, 20, 80), (3.5, 1200.25, 0.75, 4000), (2e5, 3e5, 1e5, 4e5)])
def test_a_saturated_logistic_model_of_a_two_by_two_table_gives_its_odds_ratio(table):
    """log OR = log(ad / bc) and its model variance Woolf's 1/a + 1/b + 1/c + 1/d, with weighted cells
    from a handful of rows to a million."""
    a, b, c, d = table
    fit = glm.fit(glm.LOGISTIC, *two_by_two(*table))
    assert fit.settled and fit.converged
    assert fit.coef[1] == pytest.approx(np.log(a * d / (b * c)), rel=1e-12, abs=1e-13)
    assert fit.coef[0] == pytest.approx(np.log(c / d), rel=1e-12, abs=1e-13)
    assert fit.covariance[1, 1] == pytest.approx(1 / a + 1 / b + 1 / c + 1 / d, rel=1e-9)
    np.testing.assert_allclose(fit.mu, [a / (a + b)] * 2 + [c / (c + d)] * 2, rtol=1e-12)


def test_the_fit_on_rows_with_weights_is_the_fit_on_their_cells():
    """Prior weights enter the likelihood as R's glm weights: a cell with the summed weight of its rows
    gives the rows' estimate and information (what inference.fit_units relies on)."""
    rng = np.random.default_rng(3)
    exposed = rng.integers(0, 2, 400).astype(float)
    y = (rng.random(400) < 0.2 + 0.3 * exposed).astype(float)
    w = rng.uniform(0.5, 2, 400)
    rows = glm.fit(glm.LOGISTIC, np.column_stack([np.ones(400), exposed]), y, w)
    cell = [(exposed == e) & (y == o) for e, o in ((1, 1), (1, 0), (0, 1), (0, 0))]
    cells = glm.fit(glm.LOGISTIC, *two_by_two(*(w[m].sum() for m in cell)))
    a, b, c, d = (w[m].sum() for m in cell)
    assert rows.coef[1] == pytest.approx(np.log(a * d / (b * c)), rel=1e-12)
    np.testing.assert_allclose(rows.coef, cells.coef, rtol=1e-12)
    np.testing.assert_allclose(rows.covariance, cells.covariance, rtol=1e-9)


@pytest.mark.parametrize("k", [2, 3, 4])
def test_a_saturated_log_linear_model_reproduces_the_counts(k):
    rng = np.random.default_rng(k)
    X = cell_design_matrix(k, k)
    counts = rng.poisson(40, len(X)).astype(float) * rng.uniform(0.5, 2, len(X)) + 1
    fit = glm.fit(glm.POISSON, X, counts)
    assert fit.settled
    np.testing.assert_allclose(fit.mu, counts, rtol=1e-12)
    np.testing.assert_allclose(fit.coef, np.linalg.solve(X, np.log(counts)), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fit.covariance, np.linalg.inv(X.T @ (X * counts[:, None])), rtol=1e-9, atol=1e-14)


def test_the_independence_log_linear_model_fits_the_products_of_the_margins():
    rng = np.random.default_rng(5)
    counts = rng.uniform(5, 500, 8)
    fit = glm.fit(glm.POISSON, cell_design_matrix(3, 1), counts)
    table = counts.reshape(2, 2, 2)
    total = table.sum()
    margins = [table.sum(axis=(1, 2)), table.sum(axis=(0, 2)), table.sum(axis=(0, 1))]
    expected = total * np.einsum("i,j,k->ijk", *(m / total for m in margins)).ravel()
    assert fit.settled
    np.testing.assert_allclose(fit.mu, expected, rtol=1e-12)
    np.testing.assert_allclose(fit.coef[1:], [np.log(m[1] / m[0]) for m in margins], rtol=1e-12)


@pytest.mark.parametrize(("seed", "n", "intercept"), [(1, 300, -0.5), (2, 5000, -1.0), (3, 20000, -6.0)])
def test_the_logistic_estimate_solves_the_score_equations_and_its_covariance_is_at_the_estimate(seed, n, intercept):
    """Common and rare outcomes (about 0.5% at -6), weights from 0.1 to 10, a finely scaled predictor:
    the weighted score X'w(y - mu) vanishes to rounding, and the covariance is the inverse information
    at the estimate (not at the iteration before it), as the design variance's bread needs."""
    X, y, w = logistic_problem(seed, n, intercept)
    fit = glm.fit(glm.LOGISTIC, X, y, w)
    assert fit.settled and fit.converged
    score = X.T @ (w * (y - fit.mu))
    assert np.all(np.abs(score) <= 1e-10 * (np.abs(X).T @ w))
    np.testing.assert_allclose(fit.mu, 1 / (1 + np.exp(-(X @ fit.coef))), rtol=1e-14)
    information = X.T @ (X * (w * fit.mu * (1 - fit.mu))[:, None])
    np.testing.assert_allclose(fit.covariance, np.linalg.inv(information), rtol=1e-9)
    assert fit.deviances[-1] == pytest.approx(fit.results.deviance, rel=1e-12)


def test_a_fit_from_a_given_start_reaches_the_same_optimum():
    X, y, w = logistic_problem(4, 2000, -1.0)
    fit = glm.fit(glm.LOGISTIC, X, y, w)
    restarted = glm.fit(glm.LOGISTIC, X, y, w, start=fit.coef + np.array([1.0, -1.0, 0.05, 10.0]))
    np.testing.assert_allclose(restarted.coef, fit.coef, rtol=1e-10)


def test_under_separation_the_means_go_to_zero_and_one_and_no_warning_leaves():
    """Nothing finite maximizes the likelihood: what identifiability.looks_separated looks for, with
    statsmodels' PerfectSeparationWarning kept inside (identifiability.py says it in words)."""
    x = np.r_[np.zeros(20), np.ones(20)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = glm.fit(glm.LOGISTIC, np.column_stack([np.ones(40), x]), x.copy())
    assert caught == []
    assert fit.deviances[-1] < 1e-8 and abs(fit.coef[1]) > 15
    assert np.all((fit.mu < 1e-8) | (fit.mu > 1 - 1e-8))


def test_a_saturated_model_of_a_million_rows_settles_where_its_deviance_is_rounding_alone():
    """The saturated log-linear model's deviance is zero at the optimum, and with counts summing to a
    million its rounding (about 1e-9 either way) never falls below 1e-12 of itself: the fit settles
    by the size of its steps, at the exact solution log(counts) = X b."""
    rng = np.random.default_rng(8)
    X = cell_design_matrix(4, 4)
    counts = rng.uniform(0.05, 2, len(X)) ** 3 * 1e6 / 16
    fit = glm.fit(glm.POISSON, X, counts)
    assert fit.settled and fit.converged
    np.testing.assert_allclose(fit.coef, np.linalg.solve(X, np.log(counts)), rtol=1e-10, atol=1e-12)
