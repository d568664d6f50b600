"""definitions.csv: each condition's prevalence and adjusted odds ratios under every definition the
dataset gives it (config `alternatives:`), the primary definition first.

A definition decides who counts as a case. Where many people are unknown under one definition and
those unknowns are not missing at random (NHANES: the arthritis type is "don't know" for a third of
the adults told they have arthritis, so knee OA is unknown for about as many people as are known
cases), the answer can hang on it. Each alternative is estimated exactly as the primary: the same
rows, design and models (prevalence.csv's overall row, odds_ratios.csv's adjusted model), with the
condition's column replaced by the alternative's, so the primary rows equal those tables'.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pandas as pd

from ..columns import alternative_column, outside_universe
from ..settings import Settings
from ..survey.data import AnalysisData
from ..survey.inference import prevalence_row, proportion
from ..survey.pairs import fit_exposure_model, model_note, model_predictors, odds_ratio_row
from ..survey.reliability import OK

COLUMNS = [
    "condition",
    "definition",
    "kind",
    "condition_b",
    "model",
    "n",
    "n_unknown",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "note",
]
NUMBERS = ["n", "estimate", "se", "ci_low", "ci_high"]  # of each row, as prevalence.csv or odds_ratios.csv has them
MODEL = "adjusted"


def definitions_table(data: AnalysisData, settings: Settings) -> pd.DataFrame:
    """For each condition with alternative definitions: its prevalence and the adjusted odds ratio of
    each pair it is in, under the primary definition (named as the condition) and each alternative."""
    rows = []
    for condition, names in settings.alternatives.items():
        if condition not in data.conditions:
            continue
        for definition in (condition, *names):
            defined = defined_as(data, condition, definition)
            unknown = unknown_in_universe(defined, condition, settings.universes.get(condition, {}))
            where = {"condition": condition, "definition": definition, "n_unknown": unknown}
            rows.append(where | prevalence_numbers(defined, condition, settings.proportion_ci))
            rows += [where | numbers for numbers in odds_ratio_numbers(defined, condition)]
    return pd.DataFrame(rows, columns=COLUMNS)


def defined_as(data: AnalysisData, condition: str, definition: str) -> AnalysisData:
    """The analysis data with the condition's column under `definition` (the primary: as it is)."""
    if definition == condition:
        return data
    column = alternative_column(condition, definition)
    return replace(data, frame=data.frame.assign(**{condition: data.frame[column]}))


def unknown_in_universe(data: AnalysisData, condition: str, universe) -> int:
    """Rows whose condition is unknown among those it was measured in (its universe's ages)."""
    inside = ~outside_universe(data.frame["age"], universe)
    return int((np.isnan(data.condition(condition)) & inside).sum())


def prevalence_numbers(data: AnalysisData, condition: str, interval: str) -> dict:
    """The overall prevalence as prevalence.csv gives it; an estimate the NCHS standard would not
    present says so in the note."""
    y, design = data.condition(condition), data.design
    estimate = proportion(y, design, np.ones(data.n, bool))
    row = prevalence_row({}, estimate, y, design, design.weight, ~np.isnan(y), interval)
    verdict = "" if row["reliability"] == OK else f"NCHS standard: {row['reliability']}"
    note = "; ".join(filter(None, [row["note"], verdict]))
    return {"kind": "prevalence", "condition_b": "", "model": ""} | {k: row[k] for k in NUMBERS} | {"note": note}


def odds_ratio_numbers(data: AnalysisData, condition: str) -> list[dict]:
    """The adjusted odds ratio of every pair the condition is in, oriented as in odds_ratios.csv."""
    cells = data.cells()
    out = []
    for a, b in itertools.combinations(cells.conditions, 2):
        if condition not in (a, b):
            continue
        y, predictors = cells.condition(b), model_predictors(cells, a, b)[MODEL]
        fit = fit_exposure_model(y, predictors, cells)
        row = odds_ratio_row(a, b, MODEL, fit.with_note(model_note(MODEL, (a, b), y, predictors, cells)))
        other = b if condition == a else a
        numbers = {k: row[k] for k in [*NUMBERS, "note"]}
        out.append({"kind": "odds_ratio", "condition_b": other, "model": MODEL} | numbers)
    return out
