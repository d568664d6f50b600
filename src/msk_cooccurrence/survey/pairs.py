"""The models of a pair of conditions (a, b): b's logistic regression on a, crude, adjusted for the
covariates, mutual (and the others conditions), optionally in a domain: what the odds-ratio and
subgroup tables and a notebook fit.

Each model uses the complete cases of its variables within the domain, and the rest of the rows
keep their PSU and stratum (R's svyglm on a design, or on `subset(design, ...)`).
"""

from __future__ import annotations

import numpy as np

from .data import DEFINED_BY, AnalysisData, predictor_label
from .estimate import Estimate
from .inference import fit_logistic

MODELS = ("crude", "adjusted", "mutual")


def model_predictors(data: AnalysisData, a: str, b: str, without: tuple[str, ...] = ()) -> dict[str, dict]:
    """For each model, its predictors in order (a first), all as float arrays with NaN = unknown.

    Obesity is BMI above a threshold: a model of obesity, or of a condition given obesity, is not
    adjusted for BMI (the outcome would be a step function of a predictor: separation). `without`:
    covariates left out (a subgroup's own variable, constant in its domain).
    """
    exposure = {a: data.condition(a)}
    excluded = tuple(DEFINED_BY[c] for c in (a, b) if c in DEFINED_BY) + tuple(without)
    adjust = data.adjustment(exclude=excluded)
    others = {c: data.condition(c) for c in data.conditions if c not in (a, b)}
    return {"crude": exposure, "adjusted": exposure | adjust, "mutual": exposure | adjust | others}


def fit_exposure_model(
    y: np.ndarray, predictors: dict[str, np.ndarray], data: AnalysisData, domain: np.ndarray | None = None
) -> Estimate:
    """Logistic fit of y on the predictors (the exposure first), complete cases within the domain.

    Like R's glm, a predictor aliased in the rows used (one value, or a copy of one before it) is
    dropped and the note says so (inference.fit_logistic).
    """
    X = np.column_stack([np.ones_like(y), *predictors.values()])
    complete = ~np.isnan(y) & ~np.isnan(X).any(axis=1)
    if domain is not None:
        complete &= domain
    names = ["intercept", *map(predictor_label, predictors)]
    return fit_logistic(np.nan_to_num(X), np.nan_to_num(y), data.design, complete, names)


def model_note(
    model: str, pair: tuple[str, str], y: np.ndarray, predictors: dict, data: AnalysisData, domain=None
) -> str:
    """What a reader must know of a model: a covariate it is not adjusted for, and why; the rows it
    lost to unknown covariates."""
    if model == "crude":
        return ""
    notes = [
        f"not adjusted for {DEFINED_BY[c].upper()}: {c} is defined from it, which would predict it perfectly"
        for c in pair
        if c in DEFINED_BY and DEFINED_BY[c] in data.covariates and DEFINED_BY[c] in data.frame
    ]
    missing = [c for c in data.covariates if c not in data.frame]
    if missing:
        notes.append(f"covariates not in this dataset: {', '.join(missing)}")
    known = ~np.isnan(y) & ~np.isnan(predictors[pair[0]])
    notes.append(data.lost_to_covariates(known if domain is None else known & domain, predictors))
    return "; ".join(filter(None, notes))


def fit_pair(data: AnalysisData, a: str, b: str, model: str = "adjusted", domain=None) -> Estimate:
    """One model of a pair, as odds_ratios.csv (or, with a `domain`, subgroups.csv) has it: the
    design-based estimate (coefficient 1 is a's log odds ratio; `.summary(1, report=np.exp)` gives the
    table's row) whose `model` is the statsmodels results of the fit (its point estimates; its SEs
    are model-based). For a notebook; the tables fit on cells of alike rows, which give the same."""
    y = data.condition(b)
    predictors = model_predictors(data, a, b)[model]
    fit = fit_exposure_model(y, predictors, data, domain)
    return fit.with_note(model_note(model, (a, b), y, predictors, data, domain))


def odds_ratio_row(a: str, b: str, model: str, fit: Estimate) -> dict:
    """A table row for the odds ratio of a (coefficient 1): exp of the log OR and its Wald t interval."""
    return {"condition_a": a, "condition_b": b, "model": model} | fit.summary(1, report=np.exp)
