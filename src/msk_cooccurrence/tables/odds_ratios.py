"""Crude, adjusted and mutual odds ratios for every pair of conditions, design-based (pairs.py)."""

from __future__ import annotations

import itertools

import pandas as pd

from ..survey.data import AnalysisData
from ..survey.pairs import fit_exposure_model, model_note, model_predictors, odds_ratio_row


def odds_ratio_table(data: AnalysisData) -> pd.DataFrame:
    data = data.cells()
    rows = []
    for a, b in itertools.combinations(data.conditions, 2):
        y = data.condition(b)
        for model, predictors in model_predictors(data, a, b).items():
            fit = fit_exposure_model(y, predictors, data)
            rows.append(odds_ratio_row(a, b, model, fit.with_note(model_note(model, (a, b), y, predictors, data))))
    return pd.DataFrame(rows)
