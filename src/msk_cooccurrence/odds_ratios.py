"""Crude, adjusted and mutual odds ratios for every pair of conditions, design-based."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from .data import DEFINED_BY, AnalysisData, predictor_label
from .estimate import Estimate
from .inference import fit_logistic

MODELS = ("crude", "adjusted", "mutual")


def model_predictors(data: AnalysisData, a: str, b: str) -> dict[str, dict[str, np.ndarray]]:
    """For each model, its predictors in order (a first), all as float arrays with NaN = unknown.

    Obesity is BMI above a threshold: a model of obesity, or of a condition given obesity, is not
    adjusted for BMI (the outcome would be a step function of a predictor: separation).
    """
    exposure = {a: data.condition(a)}
    adjust = data.adjustment_for((a, b))
    others = {c: data.condition(c) for c in data.conditions if c not in (a, b)}
    return {"crude": exposure, "adjusted": exposure | adjust, "mutual": exposure | adjust | others}


def odds_ratio_row(a: str, b: str, model: str, fit: Estimate) -> dict:
    """A table row for the odds ratio of a (coefficient 1): exp of the log OR and its Wald t interval."""
    return {"condition_a": a, "condition_b": b, "model": model} | fit.summary(1, report=np.exp)


def odds_ratio_table(data: AnalysisData) -> pd.DataFrame:
    data = data.cells()
    rows = []
    for a, b in itertools.combinations(data.conditions, 2):
        y = data.condition(b)
        for model, predictors in model_predictors(data, a, b).items():
            fit = fit_exposure_model(y, predictors, data)
            rows.append(odds_ratio_row(a, b, model, fit.with_note(_model_note(model, (a, b), predictors, data))))
    return pd.DataFrame(rows)


def fit_exposure_model(y: np.ndarray, predictors: dict[str, np.ndarray], data: AnalysisData) -> Estimate:
    """Logistic fit of y on the predictors (the exposure first), complete cases.

    Like R's glm, a predictor aliased in the rows used (one value, or a copy of one before it) is
    dropped and the note says so (inference.fit_logistic).
    """
    X = np.column_stack([np.ones_like(y), *predictors.values()])
    complete = ~np.isnan(y) & ~np.isnan(X).any(axis=1)
    names = ["intercept", *map(predictor_label, predictors)]
    return fit_logistic(np.nan_to_num(X), np.nan_to_num(y), data.design, complete, names)


def _model_note(model: str, pair: tuple[str, str], predictors: dict, data: AnalysisData) -> str:
    if model == "crude":
        return ""
    notes = [
        f"not adjusted for {DEFINED_BY[c].upper()}: {c} is defined from it, which would predict it perfectly"
        for c in pair
        if c in DEFINED_BY and DEFINED_BY[c] in data.covariates and DEFINED_BY[c] in data.frame
    ]
    used = [predictor_label(name) for name in predictors]
    missing = [c for c in data.covariates if c not in used and c not in data.frame]
    if missing:
        notes.append(f"covariates not in this dataset: {', '.join(missing)}")
    return "; ".join(notes)
