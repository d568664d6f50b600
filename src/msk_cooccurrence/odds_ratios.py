"""Crude, adjusted and mutual odds ratios for every pair of conditions, design-based."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from .design import SurveyDesign
from .inference import fit_logistic
from .prevalence import condition_values

COLUMNS = [
    "condition_a",
    "condition_b",
    "model",
    "n",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "p_value",
    "df",
    "note",
]
MODELS = ("crude", "adjusted", "mutual")


def covariate_columns(frame: pd.DataFrame, covariates) -> dict[str, np.ndarray]:
    """Numeric predictors for the adjustment set: age and BMI linear, sex as a female indicator."""
    out = {}
    for name in covariates:
        if name not in frame:
            continue
        if name == "sex":
            out["female"] = np.where(frame["sex"].isna(), np.nan, (frame["sex"] == "female").astype(float))
        else:
            out[name] = frame[name].to_numpy(dtype=float)
    return out


def model_predictors(frame, a, b, conditions, covariates) -> dict[str, dict[str, np.ndarray]]:
    """For each model, its predictors in order (a first), all as float arrays with NaN = unknown."""
    exposure = {a: condition_values(frame, a)}
    adjust = covariate_columns(frame, covariates)
    others = {c: condition_values(frame, c) for c in conditions if c in frame and c not in (a, b)}
    return {"crude": exposure, "adjusted": exposure | adjust, "mutual": exposure | adjust | others}


def odds_ratio_table(frame: pd.DataFrame, conditions, covariates, design: SurveyDesign) -> pd.DataFrame:
    present = [c for c in conditions if c in frame]
    rows = []
    for a, b in itertools.combinations(present, 2):
        y = condition_values(frame, b)
        for model, predictors in model_predictors(frame, a, b, present, covariates).items():
            rows.append({"condition_a": a, "condition_b": b, "model": model, **_odds_ratio(y, predictors, design)})
            rows[-1]["note"] = "; ".join(filter(None, [rows[-1]["note"], _model_note(model, predictors, covariates)]))
    return pd.DataFrame(rows, columns=COLUMNS)


def _odds_ratio(y: np.ndarray, predictors: dict[str, np.ndarray], design: SurveyDesign) -> dict:
    X = np.column_stack([np.ones_like(y), *predictors.values()])
    complete = ~np.isnan(y) & ~np.isnan(X).any(axis=1)
    # like R's glm, an adjustment variable with one value in the rows used is aliased: drop it
    names = list(predictors)
    constant = [j for j in range(2, X.shape[1]) if complete.any() and np.ptp(X[complete, j]) == 0]
    X = np.delete(X, constant, axis=1)
    dropped = [("sex" if names[j - 1] == "female" else names[j - 1]) for j in constant]
    fit = fit_logistic(np.nan_to_num(X), np.nan_to_num(y), design, complete)
    note = "; ".join(
        filter(None, [fit.note, f"dropped (one value in the rows used): {', '.join(dropped)}" if dropped else ""])
    )
    low, high, p_value = fit.wald(1)
    return {
        "n": fit.n,
        "estimate": float(np.exp(fit.coef[1])),
        "se": float(fit.se[1]),
        "ci_low": float(np.exp(low)),
        "ci_high": float(np.exp(high)),
        "p_value": p_value,
        "df": fit.df_residual,
        "note": note,
    }


def _model_note(model: str, predictors: dict, covariates) -> str:
    if model == "crude":
        return ""
    used = [("sex" if name == "female" else name) for name in predictors]
    missing = [c for c in covariates if c not in used]
    return f"covariates not in this dataset: {', '.join(missing)}" if missing else ""
