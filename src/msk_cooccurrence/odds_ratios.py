"""Crude, adjusted and mutual odds ratios for every pair of conditions, design-based."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from .data import AnalysisData
from .estimate import Estimate
from .inference import fit_logistic

MODELS = ("crude", "adjusted", "mutual")


def predictor_label(name: str) -> str:
    """A predictor as the config names it: the female indicator is the covariate sex."""
    return "sex" if name == "female" else name


def model_predictors(data: AnalysisData, a: str, b: str) -> dict[str, dict[str, np.ndarray]]:
    """For each model, its predictors in order (a first), all as float arrays with NaN = unknown."""
    exposure = {a: data.condition(a)}
    adjust = data.adjustment()
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
            rows.append(odds_ratio_row(a, b, model, fit.with_note(_model_note(model, predictors, data.covariates))))
    return pd.DataFrame(rows)


def fit_exposure_model(y: np.ndarray, predictors: dict[str, np.ndarray], data: AnalysisData) -> Estimate:
    """Logistic fit of y on the predictors (the exposure first), complete cases.

    Like R's glm, an adjustment variable with one value in the rows used is aliased: it is dropped
    and the note says so.
    """
    X = np.column_stack([np.ones_like(y), *predictors.values()])
    complete = ~np.isnan(y) & ~np.isnan(X).any(axis=1)
    names = list(predictors)
    constant = [j for j in range(2, X.shape[1]) if complete.any() and np.ptp(X[complete, j]) == 0]
    X = np.delete(X, constant, axis=1)
    fit = fit_logistic(np.nan_to_num(X), np.nan_to_num(y), data.design, complete)
    dropped = [predictor_label(names[j - 1]) for j in constant]
    return fit.with_note(f"dropped (one value in the rows used): {', '.join(dropped)}" if dropped else "")


def _model_note(model: str, predictors: dict, covariates) -> str:
    if model == "crude":
        return ""
    used = [predictor_label(name) for name in predictors]
    missing = [c for c in covariates if c not in used]
    return f"covariates not in this dataset: {', '.join(missing)}" if missing else ""
