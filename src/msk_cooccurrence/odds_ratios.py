"""Crude, adjusted and mutual odds ratios for every pair of conditions, design-based (pairs.py)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from .data import AnalysisData
from .estimate import Estimate
from .pairs import fit_exposure_model, model_note, model_predictors


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
            rows.append(odds_ratio_row(a, b, model, fit.with_note(model_note(model, (a, b), y, predictors, data))))
    return pd.DataFrame(rows)
