"""Proportions and logistic fits: closed forms and honest failures."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from msk_cooccurrence.survey.design import SurveyDesign
from msk_cooccurrence.survey.estimate import LOGIT, Estimate
from msk_cooccurrence.survey.inference import fit_logistic, proportion


def test_unweighted_proportion_se_and_logit_interval():
    y = np.array([1.0] * 30 + [0.0] * 70)
    result = proportion(y, SurveyDesign.from_columns(np.ones(100)), np.ones(100, bool)).summary(scale=LOGIT)
    assert result["estimate"] == pytest.approx(0.3)
    # with equal weights, the linearized variance is p(1-p)/(n-1)
    assert result["se"] == pytest.approx(np.sqrt(0.3 * 0.7 / 99))
    half = stats.t.ppf(0.975, 99) * result["se"] / (0.3 * 0.7)
    assert result["ci_low"] == pytest.approx(1 / (1 + np.exp(-(np.log(0.3 / 0.7) - half))))
    assert result["ci_high"] == pytest.approx(1 / (1 + np.exp(-(np.log(0.3 / 0.7) + half))))
    assert (result["n"], result["df"]) == (100, 99)


def test_proportion_ignores_unknown_values_but_reports_them_in_n():
    y = np.array([1.0, 0.0, np.nan, 1.0])
    result = proportion(y, SurveyDesign.from_columns(np.ones(4)), np.ones(4, bool))
    assert result.n == 3 and result.value() == pytest.approx(2 / 3)


def test_degenerate_proportions_give_a_note_not_a_crash():
    design = SurveyDesign.from_columns(np.ones(5))
    assert "0 or 1" in proportion(np.ones(5), design, np.ones(5, bool)).interval(scale=LOGIT)[2]
    empty = proportion(np.full(5, np.nan), design, np.ones(5, bool))
    assert np.isnan(empty.value()) and empty.note
    no_df = Estimate.scalar(0.5, 0.1, df=0).interval(scale=LOGIT)
    assert np.isnan(no_df[0]) and "degrees of freedom" in no_df[2]


def test_logistic_matches_statsmodels_mle_and_hc0_sandwich():
    rng = np.random.default_rng(3)
    n = 400
    x = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.3 + 0.8 * x)))).astype(float)
    X = np.column_stack([np.ones(n), x])
    fit = fit_logistic(X, y, SurveyDesign.from_columns(np.ones(n)), np.ones(n, bool))
    reference = sm.GLM(y, X, family=sm.families.Binomial()).fit(cov_type="HC0")
    np.testing.assert_allclose(fit.coef, reference.params, rtol=1e-8)
    # weights-only design: HC0 sandwich times n/(n-1)
    np.testing.assert_allclose(fit.se, reference.bse * np.sqrt(n / (n - 1)), rtol=1e-6)
    assert fit.df == n - 1 + 1 - 2


def test_separation_and_empty_outcome_are_notes():
    n = 40
    x = np.r_[np.zeros(20), np.ones(20)]
    design = SurveyDesign.from_columns(np.ones(n))
    X = np.column_stack([np.ones(n), x])
    separated = fit_logistic(X, x.copy(), design, np.ones(n, bool))
    assert np.isnan(separated.coef[1]) and "separation" in separated.note
    constant = fit_logistic(X, np.zeros(n), design, np.ones(n, bool))
    assert "no variation" in constant.note
    assert all(np.isnan(v) for v in constant.interval(1)[:2]) and np.isnan(constant.p_value(1))


def test_fitting_collapsed_cells_gives_the_row_level_estimate():
    from msk_cooccurrence.survey import glm
    from msk_cooccurrence.survey.inference import cell_codes, fit_units

    rng = np.random.default_rng(6)
    n = 5000
    X = np.column_stack([np.ones(n), rng.integers(0, 2, n), rng.integers(18, 30, n), rng.integers(0, 2, n)]).astype(
        float
    )
    y = (rng.random(n) < 1 / (1 + np.exp(-(-1 + 0.7 * X[:, 1] + 0.03 * (X[:, 2] - 24))))).astype(float)
    w = rng.uniform(0.5, 2.0, n)
    _, n_cells = cell_codes(X, y)
    assert n_cells <= 2 * 2 * 12 * 2
    every = np.ones(n, bool)
    rows, cells = fit_units(X, y, w, every, collapse=False), fit_units(X, y, w, every, collapse=True)
    assert len(rows.y) == n and len(cells.y) == n_cells and cells.w.sum() == pytest.approx(w.sum(), rel=1e-12)
    rows_fit = glm.fit(glm.LOGISTIC, rows.X, rows.y, rows.w)
    cells_fit = glm.fit(glm.LOGISTIC, cells.X, cells.y, cells.w)
    np.testing.assert_allclose(cells_fit.coef, rows_fit.coef, rtol=1e-10)
    np.testing.assert_allclose(cells.per_row(cells_fit.mu), rows_fit.mu, rtol=1e-10)
    np.testing.assert_allclose(cells_fit.covariance, rows_fit.covariance, rtol=1e-9)
