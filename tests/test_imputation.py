"""Multiple imputation on counts: known truths of synthetic data, and the same result in any order or job."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pytest
from helpers import analysis_of, settings_of

from msk_cooccurrence import pipeline
from msk_cooccurrence.imputation import (
    WEIGHT_CLASSES,
    ImputationProblem,
    completed,
    impute,
    load_problem,
    save_problem,
    weight_classes,
)
from msk_cooccurrence.odds_ratios import odds_ratio_table
from msk_cooccurrence.sensitivity import draw_imputation, sensitivity_table


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


def test_the_workflow_draws_give_the_table_drawn_in_one_process(tmp_path):
    a, b, observed, _ = linked_binaries(3_000, 6, missing=0.1)
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "age": rng.integers(20, 80, 3_000).astype(float),
            "sex": rng.choice(["female", "male"], 3_000),
            "weight": rng.uniform(1, 3, 3_000),
            "stratum": rng.integers(0, 20, 3_000).astype(str),
            "psu": rng.integers(0, 2, 3_000).astype(str),
            "a": pd.array(np.where(np.isnan(observed), None, observed == 1), dtype="boolean"),
            "b": pd.array(b == 1, dtype="boolean"),
        }
    )
    options = {"multiple_imputation": True, "imputations": 3, "imputations_per_job": 2}
    settings = settings_of(conditions=["a", "b"], sensitivity=options)
    data = analysis_of(frame, ["a", "b"], ["age", "sex"])
    odds = odds_ratio_table(data)
    in_process = sensitivity_table(data, settings, odds)
    # as the workflow: the model saved once, the imputations drawn in jobs of two (last batch first)
    frame.to_parquet(tmp_path / "analysis.parquet")
    view = {"conditions": ["a", "b"], "sensitivity": dict(settings.sensitivity)} | settings_view(settings)
    pipeline.imputation_model_stage(view, tmp_path / "analysis.parquet", tmp_path / "model.npz")
    assert [list(b) for b in pipeline.imputation_batches(settings.sensitivity)] == [[0, 1], [2]]
    for batch in (1, 0):
        pipeline.impute_stage(view, tmp_path / "model.npz", batch, tmp_path / f"{batch}.npy")
    draws = pipeline.read_imputations([tmp_path / f"{batch}.npy" for batch in range(2)])
    assert all(np.array_equal(d, draw_imputation(data, settings.sensitivity["seed"], m)) for m, d in enumerate(draws))
    pd.testing.assert_frame_equal(sensitivity_table(data, settings, odds, draws), in_process)
    imputed = in_process[in_process["method"] == "multiple imputation"].iloc[0]
    assert imputed["imputations"] == 3 and np.isfinite(imputed["estimate"])


def settings_view(settings) -> dict:
    """The config keys Settings.from_dict reads, from validated settings (a dataset's view)."""

    def plain(value):
        return list(value) if isinstance(value, tuple) else dict(value) if isinstance(value, Mapping) else value

    return {field.name: plain(getattr(settings, field.name)) for field in dataclasses.fields(settings)}
