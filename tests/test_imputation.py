"""Multiple imputation on counts: known truths of synthetic data, and the same result in any order or job."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pytest
from helpers import analysis_of, settings_of

from msk_cooccurrence import outputs, pipeline
from msk_cooccurrence.errors import InputError
from msk_cooccurrence.files import write_csv
from msk_cooccurrence.tables.imputation import completed, impute
from msk_cooccurrence.tables.imputation_model import (
    PREDICTOR_CLASSES,
    WEIGHT_CLASSES,
    ImputationProblem,
    imputation_problem,
    load_problem,
    save_problem,
    weight_classes,
)
from msk_cooccurrence.tables.odds_ratios import odds_ratio_table
from msk_cooccurrence.tables.sensitivity import CompletedAnalysis, draw_imputation, sensitivity_table


def linked_binaries(n: int, seed: int, missing: float = 0.3):
    """b ~ Bernoulli(0.4); a | b ~ Bernoulli(0.7 if b else 0.1), a missing completely at random."""
    rng = np.random.default_rng(seed)
    b = (rng.random(n) < 0.4).astype(float)
    a = (rng.random(n) < np.where(b == 1, 0.7, 0.1)).astype(float)
    hidden = rng.random(n) < missing
    return a, b, np.where(hidden, np.nan, a), hidden


def test_imputed_values_follow_the_conditional_distribution():
    _, b, observed, hidden = linked_binaries(40_000, 1)
    problem = ImputationProblem.from_columns({"a": observed, "b": b})
    draws = impute(problem, seed=5, m=0)
    imputed = completed(problem, {"a": observed, "b": b}, draws)["a"]
    for level, truth in ((1.0, 0.7), (0.0, 0.1)):
        rows = hidden & (b == level)
        share = imputed[rows].mean()
        assert share == pytest.approx(truth, abs=4 * np.sqrt(truth * (1 - truth) / rows.sum()) + 0.01)
    assert np.array_equal(imputed[~hidden], observed[~hidden])  # draws only where values are missing


def test_a_many_valued_predictor_enters_the_other_models_at_its_class_mean_and_keeps_its_values():
    """Age in whole years (68 values) is, as a predictor of the other variables, the mean age of its
    class among PREDICTOR_CLASSES classes of about equal counts (computed here from the rows); its own
    values stay in the completed data, and the imputed condition still follows age."""
    rng = np.random.default_rng(4)
    n = 30_000
    age = rng.integers(18, 86, n).astype(float)
    truth = 1 / (1 + np.exp(-(-4 + 0.06 * age)))
    a = (rng.random(n) < truth).astype(float)
    hidden = rng.random(n) < 0.3
    columns = {"a": np.where(hidden, np.nan, a), "age": age}
    problem = ImputationProblem.from_columns(columns)
    classes = problem.predictor_classes[1]
    assert len(np.unique(classes)) == PREDICTOR_CLASSES
    row_class = classes[np.searchsorted(problem.levels[1], age)]
    sizes = np.bincount(row_class)
    assert sizes.max() - sizes.min() <= 2 * np.bincount(age.astype(int)).max()  # a year's rows either way
    for c in range(PREDICTOR_CLASSES):
        at = problem.levels[1][classes == c]
        assert problem.predictor_values[1][classes == c] == pytest.approx(age[np.isin(age, at)].mean(), rel=1e-12)
    assert np.array_equal(problem.predictor_values[0], problem.levels[0])  # 0/1: its values
    imputed = completed(problem, columns, impute(problem, seed=2, m=0))
    assert np.array_equal(imputed["age"], age)
    for low, high in ((18, 40), (40, 60), (60, 86)):
        rows = hidden & (age >= low) & (age < high)
        expected = truth[rows].mean()
        assert imputed["a"][rows].mean() == pytest.approx(expected, abs=4 * np.sqrt(expected / rows.sum()) + 0.01)


def test_a_category_is_imputed_from_its_conditional_distribution_and_enters_other_models_as_indicators():
    """g takes 4 levels with P(g | b) known; a third of g is missing at random. The imputed levels
    among rows with b = 1 and b = 0 follow P(g | b), and a, which depends on g = 2 alone (not on the
    code's size), is imputed by a model with g's indicators: P(a | g) follows the truth too."""
    rng = np.random.default_rng(3)
    n = 40_000
    b = (rng.random(n) < 0.5).astype(float)
    truth = {1.0: np.array([0.1, 0.2, 0.3, 0.4]), 0.0: np.array([0.4, 0.3, 0.2, 0.1])}
    g = np.array([rng.choice(4, p=truth[level]) for level in b], dtype=float)
    a = (rng.random(n) < np.where(g == 2, 0.8, 0.2)).astype(float)
    hidden_g, hidden_a = rng.random(n) < 0.33, rng.random(n) < 0.33
    columns = {"g": np.where(hidden_g, np.nan, g), "a": np.where(hidden_a, np.nan, a), "b": b}
    problem = ImputationProblem.from_columns(columns, nominal=("g",))
    assert problem.nominal == ("g",)
    imputed = completed(problem, columns, impute(problem, seed=11, m=0))
    for level, shares in truth.items():
        rows = hidden_g & (b == level)
        found = np.bincount(imputed["g"][rows].astype(int), minlength=4) / rows.sum()
        np.testing.assert_allclose(found, shares, atol=0.03)
    for level, share in ((2, 0.8), (0, 0.2), (3, 0.2)):
        rows = hidden_a & (g == level) & ~hidden_g
        assert imputed["a"][rows].mean() == pytest.approx(share, abs=0.04)


def test_a_saved_problem_keeps_its_nominal_variables(tmp_path):
    columns = {"g": np.array([0.0, 1.0, 2.0, np.nan, 1.0]), "b": np.array([1.0, 0.0, 1.0, 0.0, 1.0])}
    problem = ImputationProblem.from_columns(columns, nominal=("g",))
    save_problem(problem, tmp_path / "model.npz")
    assert load_problem(tmp_path / "model.npz").nominal == ("g",)


@pytest.mark.parametrize("separated", [False, True])
def test_the_logistic_imputation_model_is_the_ridge_estimate_with_the_ridge_information(separated):
    """statsmodels' fit with the ridge's pseudo-rows solves the ridge's score equations, X'n(y - mu) =
    RIDGE b (not the intercept), and its covariance is the inverse of X'WX + RIDGE: for an ordinary
    model to within a thousandth of a standard error (the Newton step the score's residual still
    asks for; the fit stops at steps under imputation.TOLERANCE), to (c b)^2 / 12 for a separated
    one kept finite by the ridge; the same fit on units grouped by their predictors (`_shares`)."""
    from msk_cooccurrence.tables.imputation import RIDGE, _logistic_fit, _shares

    rng = np.random.default_rng(7)
    n = 600
    X = np.column_stack([np.ones(n), rng.integers(0, 2, n), rng.integers(18, 85, n), rng.integers(0, 3, n)])
    y = (rng.random(n) < 1 / (1 + np.exp(-(-2 + X[:, 1] + 0.02 * X[:, 2])))).astype(float)
    if separated:
        y[X[:, 1] == 1] = 1.0
    counts = rng.integers(1, 40, n).astype(float)
    coef, covariance = _logistic_fit(X, y, counts)
    mu = 1 / (1 + np.exp(-(X @ coef)))
    ridge = np.diag([0.0] + [RIDGE] * (X.shape[1] - 1))
    residual = X.T @ (counts * (y - mu)) - ridge @ coef
    information = X.T @ (X * (counts * mu * (1 - mu))[:, None]) + ridge
    if separated:
        rounding = 1e-13 * (np.abs(X).T @ counts)  # of the score's sums, column by column
        assert np.all(np.abs(residual) <= 1e-4 * np.abs(ridge @ coef) + rounding)
    else:
        step = np.linalg.solve(information, residual)  # what Newton would still move the estimate
        assert np.all(np.abs(step) <= 1e-3 * np.sqrt(np.diag(np.linalg.inv(information))))
    # statsmodels' covariance is at the weights before the last step (a step under TOLERANCE)
    np.testing.assert_allclose(covariance, np.linalg.inv(information), rtol=1e-3)
    if separated:
        assert 10 < coef[1] < 40  # finite, as the ridge keeps it
    key = X[:, 1] + 2 * X[:, 3] + 6 * X[:, 2]  # one code per distinct row of predictors
    first, share, total = _shares(key.astype(np.int64), y, counts)
    grouped = _logistic_fit(X[first], share, total)
    se = np.sqrt(np.diag(covariance))
    assert np.all(np.abs(grouped[0] - coef) <= (1e-2 if separated else 1e-3) * se)
    np.testing.assert_allclose(grouped[1], covariance, rtol=2e-3)  # each within 1e-3 of the information's


def test_an_imputation_is_the_same_in_any_order_and_after_saving_the_model(tmp_path):
    _, b, observed, _ = linked_binaries(5_000, 2)
    age = np.random.default_rng(3).integers(20, 80, 5_000).astype(float)
    problem = ImputationProblem.from_columns({"a": observed, "b": b, "age": age})
    in_order = [impute(problem, 11, m) for m in range(4)]
    save_problem(problem, tmp_path / "model.npz")
    reloaded = load_problem(tmp_path / "model.npz")
    backwards = {m: impute(reloaded, 11, m) for m in (3, 2, 1, 0)}
    for m in range(4):
        assert np.array_equal(in_order[m], backwards[m])
    assert not np.array_equal(in_order[0], in_order[1])  # each imputation its own stream


def test_predictive_mean_matching_imputes_observed_values_near_the_truth():
    rng = np.random.default_rng(4)
    n = 20_000
    x = rng.integers(0, 2, n).astype(float)
    bmi = np.round(25 + 5 * x + rng.normal(0, 2, n), 1)
    hidden = rng.random(n) < 0.2
    observed = np.where(hidden, np.nan, bmi)
    problem = ImputationProblem.from_columns({"x": x, "bmi": observed})
    imputed = completed(problem, {"x": x, "bmi": observed}, impute(problem, 1, 0))["bmi"]
    assert np.isin(imputed[hidden], observed[~hidden]).all()
    for level in (0.0, 1.0):
        rows = hidden & (x == level)
        assert imputed[rows].mean() == pytest.approx(25 + 5 * level, abs=0.15)
        assert imputed[rows].std() == pytest.approx(2, rel=0.1)


def test_weight_classes_have_equal_counts_at_their_mean_log_weight():
    weight = np.exp(np.random.default_rng(5).normal(8, 1, 1_000))
    classes = weight_classes(weight)
    values, counts = np.unique(classes, return_counts=True)
    assert len(values) == WEIGHT_CLASSES and set(counts) == {1_000 // WEIGHT_CLASSES}
    for value in values:
        assert np.log(weight[classes == value]).mean() == pytest.approx(value, rel=1e-12)


def linked_frame(n: int = 3_000) -> pd.DataFrame:
    """Analysis rows of two linked conditions, a missing in a tenth of the rows, age and sex, a stratified design."""
    a, b, observed, _ = linked_binaries(n, 6, missing=0.1)
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "age": rng.integers(20, 80, n).astype(float),
            "sex": rng.choice(["female", "male"], n),
            "weight": rng.uniform(1, 3, n),
            "stratum": rng.integers(0, 20, n).astype(str),
            "psu": rng.integers(0, 2, n).astype(str),
            "a": pd.array(np.where(np.isnan(observed), None, observed == 1), dtype="boolean"),
            "b": pd.array(b == 1, dtype="boolean"),
        }
    )


def test_the_workflow_jobs_give_the_table_computed_in_one_process(tmp_path):
    """The workflow's way (the model saved once, imputations drawn in jobs, the sensitivity job
    reading both files) and one process drawing everything give the same table, byte for byte."""
    linked_frame().to_parquet(tmp_path / "analysis.parquet")
    options = {"multiple_imputation": True, "imputations": 3, "imputations_per_job": 2}
    settings = settings_of(conditions=["a", "b"], covariates=["age", "sex"], sensitivity=options)
    data = pipeline.analysis_data(pipeline.read_analysis(tmp_path / "analysis.parquet"), settings)
    odds = odds_ratio_table(data)
    in_process = sensitivity_table(data, settings, odds)
    # as the workflow: the model saved once, the imputations drawn in jobs of two (last batch first)
    view = {"conditions": ["a", "b"], "sensitivity": dict(settings.sensitivity)} | settings_view(settings)
    pipeline.imputation_model_stage(view, tmp_path / "analysis.parquet", tmp_path / "model.npz")
    assert [list(b) for b in pipeline.imputation_batches(settings.sensitivity)] == [[0, 1], [2]]
    for batch in (1, 0):
        pipeline.impute_stage(view, tmp_path / "model.npz", batch, tmp_path / f"{batch}.npy")
    draws = pipeline.read_imputations([tmp_path / f"{batch}.npy" for batch in range(2)])
    assert all(np.array_equal(d, draw_imputation(data, settings.sensitivity["seed"], m)) for m, d in enumerate(draws))
    from_files = sensitivity_table(data, settings, odds, draws, load_problem(tmp_path / "model.npz"))
    pd.testing.assert_frame_equal(from_files, in_process)
    # the sensitivity job itself, its inputs named as the registry names them
    write_csv(odds, tmp_path / "odds_ratios.csv")
    inputs = {"odds_ratios": tmp_path / "odds_ratios.csv", "imputations": [tmp_path / f"{b}.npy" for b in range(2)]}
    inputs["imputation_model"] = tmp_path / "model.npz"
    assert set(inputs) == set(outputs.tables()["sensitivity"].inputs)
    pipeline.tables_stage(view, tmp_path / "analysis.parquet", inputs, {"sensitivity": tmp_path / "job.csv"})
    one_process = pipeline.compute_tables(data, settings, {"odds_ratios": odds}, ["sensitivity"])["sensitivity"]
    write_csv(one_process, tmp_path / "in_process.csv")
    assert (tmp_path / "job.csv").read_bytes() == (tmp_path / "in_process.csv").read_bytes()
    imputed = in_process[in_process["method"] == "multiple imputation"].iloc[0]
    assert imputed["imputations"] == 3 and np.isfinite(imputed["estimate"])


def two_job_settings():
    """Settings and a workflow view of conditions a and b with two imputations, one per job."""
    options = {"multiple_imputation": True, "imputations": 2, "imputations_per_job": 1}
    settings = settings_of(conditions=["a", "b"], covariates=["age", "sex"], sensitivity=options)
    return settings, {"conditions": ["a", "b"], "sensitivity": dict(settings.sensitivity)} | settings_view(settings)


def sensitivity_through_the_workflow(view, settings, tmp_path):
    """tmp_path/analysis.parquet through the workflow's imputation model, impute and sensitivity stages:
    the sensitivity table the job writes, and the analysis data."""
    pipeline.imputation_model_stage(view, tmp_path / "analysis.parquet", tmp_path / "model.npz")
    for batch in (0, 1):
        pipeline.impute_stage(view, tmp_path / "model.npz", batch, tmp_path / f"{batch}.npy")
    data = pipeline.analysis_data(pipeline.read_analysis(tmp_path / "analysis.parquet"), settings)
    write_csv(odds_ratio_table(data), tmp_path / "odds_ratios.csv")
    inputs = {"odds_ratios": tmp_path / "odds_ratios.csv", "imputations": [tmp_path / f"{b}.npy" for b in range(2)]}
    inputs["imputation_model"] = tmp_path / "model.npz"
    pipeline.tables_stage(view, tmp_path / "analysis.parquet", inputs, {"sensitivity": tmp_path / "job.csv"})
    return pd.read_csv(tmp_path / "job.csv"), data


def test_an_imputation_model_that_cannot_be_built_is_a_note_in_the_workflow_as_in_one_process(tmp_path, monkeypatch):
    """The model job saves why (no traceback); the imputation jobs draw nothing; the sensitivity job's
    imputed rows carry the reason, as the table computed in one process does."""
    linked_frame().to_parquet(tmp_path / "analysis.parquet")
    settings, view = two_job_settings()

    def too_many(cls, columns, nominal=(), universes=()):
        raise ValueError("too many distinct combinations of values for the imputation model")

    monkeypatch.setattr(ImputationProblem, "from_columns", classmethod(too_many))
    job, data = sensitivity_through_the_workflow(view, settings, tmp_path)
    imputed = job[job["method"] == "multiple imputation"]
    assert len(imputed) == 1 and np.isnan(imputed["estimate"]).all()
    assert imputed["note"].str.contains("could not be fitted (too many distinct combinations", regex=False).all()
    one_process = sensitivity_table(data, settings, pd.read_csv(tmp_path / "odds_ratios.csv"))
    assert list(one_process["note"].fillna("")) == list(job["note"].fillna(""))


def test_an_imputation_model_that_cannot_be_fitted_is_a_note_in_the_workflow_as_in_one_process(tmp_path):
    """a unknown in every row with b (issue 21, item 7: BMI unknown for every case of a condition): no
    row shows what b does to a, so a's model cannot be fitted. The imputation jobs finish (their
    draws left undrawn), and the sensitivity job's imputed rows say why, as in one process."""
    frame = linked_frame()
    frame["a"] = frame["a"].where(~frame["b"], None)
    frame.to_parquet(tmp_path / "analysis.parquet")
    settings, view = two_job_settings()
    job, data = sensitivity_through_the_workflow(view, settings, tmp_path)
    imputed = job[job["method"] == "multiple imputation"].iloc[0]
    assert np.isnan(imputed["estimate"])
    assert imputed["note"].startswith("2 of 2 imputations could not be fitted: the imputation model of a cannot")
    assert "b is always 0" in imputed["note"]
    one_process = sensitivity_table(data, settings, pd.read_csv(tmp_path / "odds_ratios.csv"))
    assert list(one_process["note"].fillna("")) == list(job["note"].fillna(""))


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda f: f.assign(a=f["a"].fillna(False)), r"missing value \(0\)"),
        (lambda f: f.assign(b=f["b"].astype(object).where(f.index != 0, None).astype("boolean")), "other rows"),
        (lambda f: f.drop(columns="sex"), "sex is not a variable of the rows"),
        (lambda f: f.iloc[:2_000], "other rows or settings"),
    ],
)
def test_an_imputation_model_of_other_rows_is_refused(change, words):
    frame = linked_frame()
    problem = imputation_problem(analysis_of(frame, ["a", "b"], ["age", "sex"]))
    with pytest.raises(InputError, match=words):
        CompletedAnalysis(analysis_of(change(frame), ["a", "b"], ["age", "sex"]), problem)


def settings_view(settings) -> dict:
    """The config keys Settings.from_dict reads, from validated settings (a dataset's view)."""

    def plain(value):
        return list(value) if isinstance(value, tuple) else dict(value) if isinstance(value, Mapping) else value

    return {field.name: plain(getattr(settings, field.name)) for field in dataclasses.fields(settings)}
