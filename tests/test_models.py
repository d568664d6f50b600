"""Log-linear model, dose-response, claims and multiple imputation: closed forms and known truths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import analysis_of, settings_of
from scipy import stats
from test_tables import frame_of

from msk_cooccurrence.survey.design import SurveyDesign
from msk_cooccurrence.survey.estimate import Estimate
from msk_cooccurrence.survey.splines import natural_spline_basis
from msk_cooccurrence.tables.claims import claims_table, published_figures, verdict
from msk_cooccurrence.tables.dose_response import dose_response_table
from msk_cooccurrence.tables.loglinear import cell_design_matrix, loglinear_table
from msk_cooccurrence.tables.odds_ratios import odds_ratio_table
from msk_cooccurrence.tables.sensitivity import FMI_NOTE, _barnard_rubin_df, pool_rubin, sensitivity_table


def test_two_condition_loglinear_term_is_the_log_odds_ratio_of_the_table():
    frame = frame_of()
    table = loglinear_table(analysis_of(frame, ["a", "b"]), settings_of())
    term = table[table["term"] == "a:b"].iloc[0]
    counts = pd.crosstab(frame["a"], frame["b"])
    log_or = np.log(
        counts.loc[True, True] * counts.loc[False, False] / (counts.loc[True, False] * counts.loc[False, True])
    )
    assert term["estimate"] == pytest.approx(log_or, rel=1e-8)
    # with equal weights the model-based SE is Woolf's sqrt(sum 1/n)
    assert term["se_model"] == pytest.approx(np.sqrt((1 / counts.to_numpy()).sum()), rel=1e-8)
    assert term["odds_ratio"] == pytest.approx(np.exp(log_or))


def test_loglinear_tests_of_higher_order_terms():
    frame = frame_of()
    table = loglinear_table(analysis_of(frame, ["a", "b", "c"]), settings_of())
    test = table[table["kind"] == "test"].iloc[0]
    assert test["df_num"] == 1 and 0 <= test["p_value"] <= 1
    assert cell_design_matrix(3, 2).shape == (8, 7)


def no_three_way_fit(table: np.ndarray, sweeps: int = 200) -> np.ndarray:
    """Fitted counts of the 2x2x2 model without the three-way term, by iterative proportional fitting."""
    fitted = np.ones_like(table, dtype=float)
    for _ in range(sweeps):
        for axis in range(3):
            fitted *= table.sum(axis=axis, keepdims=True) / fitted.sum(axis=axis, keepdims=True)
    return fitted


def test_likelihood_ratio_test_of_a_simple_random_sample_is_g_squared_over_its_df():
    # equal weights, each row its own PSU: V = n / (n - 1) times the multinomial covariance, so
    # Delta = n / (n - 1) I and R's F is G^2 (n - 1) / n on 1 and n - 1 df
    frame = frame_of(n=600, seed=5)
    table = loglinear_table(analysis_of(frame, ["a", "b", "c"]), settings_of())
    test = table[table["kind"] == "test"].iloc[0]
    counts = pd.crosstab([frame["a"], frame["b"]], frame["c"]).to_numpy().reshape(2, 2, 2).astype(float)
    fitted = no_three_way_fit(counts)
    g_squared = 2 * (counts * np.log(counts / fitted)).sum()
    n = len(frame)
    assert test["lrt_deviance"] == pytest.approx(g_squared, rel=1e-8)
    assert test["lrt_f"] == pytest.approx(g_squared * (n - 1) / n, rel=1e-8)
    assert (test["lrt_df_num"], test["lrt_df_den"]) == (pytest.approx(1), pytest.approx(n - 1))
    assert test["lrt_p"] == pytest.approx(stats.f.sf(g_squared * (n - 1) / n, 1, n - 1), rel=1e-8)


def test_saturated_model_with_an_empty_cell_is_a_note():
    frame = frame_of()
    frame["c"] = pd.array(frame["a"] & frame["b"], dtype="boolean")  # c only when a and b: empty cells
    table = loglinear_table(analysis_of(frame, ["a", "b", "c"]), settings_of())
    assert table.loc[table["kind"] == "test", "note"].str.contains("empty cell|no finite").all()


def test_natural_spline_is_linear_beyond_the_boundary_knots():
    knots = np.array([20.0, 25.0, 30.0, 35.0])
    x = np.array([36.0, 40.0, 44.0, 10.0, 14.0, 18.0])
    basis = natural_spline_basis(x, knots)
    second_difference = basis[0] - 2 * basis[1] + basis[2], basis[3] - 2 * basis[4] + basis[5]
    np.testing.assert_allclose(second_difference, 0, atol=1e-9)
    assert basis.shape == (6, 3)


def test_dose_response_without_covariates_is_the_delta_method_curve():
    rng = np.random.default_rng(4)
    n = 3000
    bmi = rng.uniform(18, 45, n)
    y = rng.random(n) < 1 / (1 + np.exp(-(-3 + 0.08 * bmi)))
    frame = pd.DataFrame({"bmi": bmi, "weight": 1.0, "k": pd.array(y, dtype="boolean")})
    table = dose_response_table(analysis_of(frame, ["k"]), settings_of(dose_response={"knots": 3, "step": 5.0}))
    truth = 1 / (1 + np.exp(-(-3 + 0.08 * table["bmi"])))
    assert np.all(np.abs(table["estimate"] - truth) < 4 * table["se"])
    assert (table["ci_low"] < table["estimate"]).all() and (table["estimate"] < table["ci_high"]).all()


def test_claim_verdicts():
    assert verdict("positive", 1.2, 2.0) == "supported"
    assert verdict("positive", 0.5, 0.8) == "opposite"
    assert verdict("negative", 0.5, 0.8) == "supported"
    assert verdict("negative", 0.9, 1.1) == "not supported"
    assert verdict("positive", np.nan, np.nan) == "not estimable"


def test_claims_table_uses_either_orientation_and_cites_the_literature():
    odds = pd.DataFrame(
        {
            "condition_a": ["a"],
            "condition_b": ["b"],
            "model": ["adjusted"],
            "estimate": [2.0],
            "ci_low": [1.5],
            "ci_high": [2.6],
            "p_value": [0.001],
            "note": [""],
        }
    )
    literature = pd.DataFrame(
        {
            "quantity": ["odds_ratio:b->a"],
            "value": [1.8],
            "ci_low": [1.2],
            "ci_high": [2.4],
            "population": ["adults"],
            "source": ["Someone 2020"],
        }
    )
    claims = [
        {"statement": "b goes with a", "a": "b", "b": "a", "direction": "positive", "literature": ["odds_ratio:b->a"]},
        {"statement": "c lowers a", "a": "c", "b": "a", "direction": "negative"},
    ]
    table = claims_table(settings_of(conditions=["a", "b", "c"], claims=claims), odds, literature)
    assert list(table["verdict"]) == ["supported", "not estimable"]
    assert "Someone 2020" in table.loc[0, "published_source"] and "1.8" in table.loc[0, "published"]
    assert published_figures(literature, []) == ("", "")


def test_rubin_degrees_of_freedom_limits():
    # no between-imputation variance: the complete-data adjustment alone
    assert _barnard_rubin_df(1.0, 0.0, 1.0, 5, 20) == pytest.approx(21 / 23 * 20)
    assert _barnard_rubin_df(1.0, 0.5, 1.6, 5, 10**9) == pytest.approx((5 - 1) / (0.6 / 1.6) ** 2, rel=1e-6)


def mice_pool(estimates, variances, dfcom):
    """R's mice::pool for one coefficient, its formulas transcribed from amices/mice R/pool.vector.R
    (rule rubin1987) and R/barnard.rubin.R: what our pooling is checked against."""
    m = len(estimates)
    qbar, ubar, b = np.mean(estimates), np.mean(variances), np.var(estimates, ddof=1)
    t = ubar + (1 + 1 / m) * b
    lam = (1 + 1 / m) * b / t
    tmp = (1 - lam) * (1 + dfcom) * dfcom
    df = (m - 1) * tmp / ((dfcom + 3) * (m - 1) + lam**2 * tmp)
    riv = (1 + 1 / m) * b / ubar
    return {"estimate": qbar, "t": t, "df": df, "riv": riv, "lambda": lam, "fmi": (riv + 2 / (df + 3)) / (riv + 1)}


@pytest.mark.parametrize(
    "estimates, variances, dfcom, fmi",
    [
        ([0.0, 1.0, 2.0, 3.0, 4.0], [0.5, 0.6, 0.7, 0.8, 0.9], 20, 0.883526),  # most of it imputed: a note
        ([0.50, 0.52, 0.49, 0.51, 0.50, 0.48], [0.04] * 6, 30, 0.069915),  # little: none
    ],
)
def test_pooling_gives_mice_pool_df_and_fraction_of_missing_information(estimates, variances, dfcom, fmi):
    fits = [Estimate(np.array([-1.0, q]), np.diag([0.1, u]), dfcom, 100) for q, u in zip(estimates, variances)]
    pooled, found = pool_rubin(fits, 100)
    mice = mice_pool(estimates, variances, dfcom)
    assert pooled.coef[1] == pytest.approx(mice["estimate"], rel=1e-12)
    assert pooled.vcov[1, 1] == pytest.approx(mice["t"], rel=1e-12)
    assert pooled.df == pytest.approx(mice["df"], rel=1e-12)
    assert found == pytest.approx(mice["fmi"], rel=1e-12)
    assert found == pytest.approx(fmi, abs=1e-5)  # the figure worked by hand
    assert ("fraction of missing information 0.88" in pooled.note) == (fmi > FMI_NOTE)


def test_imputation_without_missing_values_equals_complete_cases():
    frame = frame_of()
    data = analysis_of(frame, ["a", "b"], ["age"])
    settings = settings_of(sensitivity={"multiple_imputation": True, "imputations": 3, "seed": 1})
    table = sensitivity_table(data, settings, odds_ratio_table(data))
    complete, imputed = table.iloc[0], table.iloc[1]
    assert imputed["method"] == "multiple imputation"
    assert imputed["estimate"] == pytest.approx(complete["estimate"], rel=1e-9)
    assert imputed["se"] == pytest.approx(complete["se"], rel=1e-9)


def test_imputation_recovers_the_odds_ratio_when_values_are_missing():
    rng = np.random.default_rng(8)
    n = 2000
    a = rng.random(n) < 0.4
    b = rng.random(n) < np.where(a, 0.5, 0.2)
    frame = pd.DataFrame(
        {
            "age": rng.uniform(20, 80, n),
            "weight": 1.0,
            "a": pd.array(a, dtype="boolean"),
            "b": pd.array(b, dtype="boolean"),
        }
    )
    frame.loc[rng.random(n) < 0.2, "a"] = pd.NA
    data = analysis_of(frame, ["a", "b"], ["age"])
    settings = settings_of(sensitivity={"multiple_imputation": True, "imputations": 5, "seed": 2})
    table = sensitivity_table(data, settings, odds_ratio_table(data))
    imputed = table[table["method"] == "multiple imputation"].iloc[0]
    true_or = (0.5 / 0.5) / (0.2 / 0.8)
    assert imputed["ci_low"] < true_or < imputed["ci_high"]
    assert imputed["se"] >= table.iloc[0]["se"] * 0.9  # imputation does not invent information
    assert stats.t.ppf(0.975, imputed["df"]) > 1.9


def test_margin_influence_is_the_derivative_with_respect_to_each_weight():
    # linearization: influence_i = w_i * dT/dw_i, here checked by refitting with each weight nudged
    from msk_cooccurrence.survey.inference import fit_logistic
    from msk_cooccurrence.tables.dose_response import predictive_margin

    rng = np.random.default_rng(9)
    n = 60
    X = np.column_stack([np.ones(n), rng.normal(size=n), rng.integers(0, 2, n)])
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.2 + 0.9 * X[:, 1])))).astype(float)
    weight = rng.uniform(0.5, 3, n)
    rows = np.ones(n, bool)
    X_at = X.copy()
    X_at[:, 1] = 0.5

    def margin_with(w):  # each row its own PSU: the PSU totals are the rows' influence values
        design = SurveyDesign.from_columns(w)
        return predictive_margin(fit_logistic(X, y, design, rows), X_at, design, rows)

    _, influence = margin_with(weight)
    numeric = np.empty(n)
    for i in range(n):
        step = np.zeros(n)
        step[i] = 1e-6 * weight[i]
        numeric[i] = weight[i] * (margin_with(weight + step)[0] - margin_with(weight - step)[0]) / (2 * step[i])
    np.testing.assert_allclose(influence, numeric, rtol=1e-4, atol=1e-9)
