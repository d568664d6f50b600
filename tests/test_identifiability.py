"""Aliasing, separation and convergence of logistic fits, judged as R (and R's detectseparation) judge them.

The R figures for two identical condition columns and for a condition with 5 cases in 100,000
rows are in tests/reference/corpus and compared in tests/test_corpus.py; here the pieces.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from msk_cooccurrence.survey import inference
from msk_cooccurrence.survey.design import SurveyDesign
from msk_cooccurrence.survey.identifiability import (
    aliased_columns,
    deviance_converged,
    separating_direction,
    why_aliased,
)
from msk_cooccurrence.survey.inference import fit_logistic


def design_rows(n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    a = (rng.random(n) < 0.4).astype(float)
    age = rng.integers(18, 85, n).astype(float)
    y = (rng.random(n) < 1 / (1 + np.exp(-(-1 + 0.8 * a + 0.02 * (age - 50))))).astype(float)
    return a, age, y


def test_of_two_identical_columns_the_later_is_aliased_as_r_does():
    a, age, _ = design_rows(300)
    X = np.column_stack([np.ones(300), a, age, a])
    assert aliased_columns(X, np.ones(300)) == [3]
    names = ["intercept", "knee_oa", "age", "bunions"]
    assert why_aliased(X, 3, names) == "bunions (the same as knee_oa in every row used)"


def test_a_constant_column_and_a_linear_combination_are_aliased():
    a, age, _ = design_rows(200)
    X = np.column_stack([np.ones(200), a, np.full(200, 2.0), age, 3 * a - 0.5 * age])
    assert aliased_columns(X, np.linspace(0.5, 2, 200)) == [2, 4]
    names = ["intercept", "a", "c", "age", "d"]
    assert "one value" in why_aliased(X, 2, names) and "linear combination" in why_aliased(X, 4, names)


def test_an_aliased_predictor_leaves_the_others_as_without_it():
    a, age, y = design_rows(400)
    design = SurveyDesign.from_columns(np.linspace(1, 3, 400))
    rows = np.ones(400, bool)
    without = fit_logistic(np.column_stack([np.ones(400), a, age]), y, design, rows)
    copy = fit_logistic(np.column_stack([np.ones(400), a, age, a]), y, design, rows, ["i", "a", "age", "copy"])
    np.testing.assert_allclose(copy.coef[:3], without.coef, rtol=1e-10)
    np.testing.assert_allclose(copy.vcov[:3, :3], without.vcov, rtol=1e-8)
    assert np.isnan(copy.coef[3]) and "copy (the same as a" in copy.note
    assert copy.df == without.df  # R: df.residual counts the coefficients that are not NA


def test_separation_is_found_by_the_linear_program():
    x = np.r_[np.zeros(20), np.ones(20)]
    X = np.column_stack([np.ones(40), x])
    assert separating_direction(X, x) is not None  # complete
    y = x.copy()
    y[:3] = 1  # quasi-complete: x = 1 always a case, x = 0 mixed
    direction = separating_direction(X, y)
    assert direction is not None and direction[1] > 0
    mixed = y.copy()
    mixed[25] = 0
    assert separating_direction(X, mixed) is None


def test_a_rare_outcome_whose_fitted_probabilities_reach_1e_minus_8_is_not_separation():
    rng = np.random.default_rng(0)
    n = 100_000
    age = rng.integers(18, 85, n).astype(float)
    a = (rng.random(n) < 0.3).astype(float)
    y = np.zeros(n)
    old = np.flatnonzero(age >= 82)
    y[old[[3, 500, 1000, 1500, 2000]]] = 1
    y[old[3]], a[old[3]] = 1, 1
    X = np.column_stack([np.ones(n), a, age])
    fit = fit_logistic(X, y, SurveyDesign.from_columns(np.ones(n)), np.ones(n, bool), ["intercept", "a", "age"])
    assert np.isfinite(fit.coef).all() and "separation" not in fit.note
    assert separating_direction(X, y) is None


def test_convergence_is_judged_by_rs_relative_deviance_criterion():
    assert deviance_converged([100.0 + 1e-7, 100.0])  # |change| / (|dev| + 0.1) = 1e-9 < 1e-8
    assert not deviance_converged([120.0, 100.0])
    assert not deviance_converged([100.0])


def test_a_fit_on_cells_that_has_not_converged_is_refitted_on_rows_and_judged_by_deviance(monkeypatch):
    from dataclasses import replace

    from msk_cooccurrence.survey import glm

    a, age, y = design_rows(500)
    X = np.column_stack([np.ones(500), a, age])
    design = SurveyDesign.from_columns(np.ones(500))
    reference = fit_logistic(X, y, design, np.ones(500, bool))
    real = glm.fit
    calls = []

    def stalled(family, X, y, w):
        calls.append(len(y))
        fit = real(family, X, y, w)
        return replace(fit, settled=False)  # not settled within its iterations

    monkeypatch.setattr(glm, "fit", stalled)
    fit = fit_logistic(X, y, design, np.ones(500, bool))
    np.testing.assert_allclose(fit.coef, reference.coef, rtol=1e-10)
    assert len(calls) == 1  # the deviance history said finished by R's criterion: no refit needed

    def unfinished(family, X, y, w):
        calls.append(len(y))
        fit = real(family, X, y, w)
        return replace(fit, deviances=(10.0, 9.0), settled=False)

    calls.clear()
    monkeypatch.setattr(glm, "fit", unfinished)
    fit = fit_logistic(X, y, design, np.ones(500, bool))
    assert calls[0] < 500 and calls[1] == 500  # fitted on cells, then refitted on the rows
    assert np.isnan(fit.coef).all() and "did not converge" in fit.note


def test_every_model_drops_an_aliased_covariate_as_r_does():
    """Women only: sex has one value, so R's glm gives it an NA coefficient and fits the rest; so do the
    odds ratios, the dose-response spline and the imputation models."""
    from helpers import all_tables
    from test_tables import frame_of

    frame = frame_of(400).assign(sex="female")
    frame.loc[::7, "c"] = pd.NA  # something to impute
    tables = all_tables(frame, conditions=["a", "b", "c"], sensitivity={"multiple_imputation": True, "imputations": 2})
    for name in ("odds_ratios", "dose_response", "sensitivity"):
        table = tables[name]
        fitted = table[table["model"].isin(["adjusted", "mutual"])] if "model" in table else table
        assert np.isfinite(fitted["estimate"]).all(), name
        assert fitted["note"].str.contains("sex (one value in the rows used)", regex=False).all(), name
    crude = tables["odds_ratios"].query("model == 'crude'")
    adjusted = tables["odds_ratios"].query("model == 'adjusted'")
    assert (crude["estimate"].to_numpy() != adjusted["estimate"].to_numpy()).all()  # age is still adjusted for


def test_a_settled_fit_with_a_large_coefficient_of_a_finely_scaled_predictor_skips_the_linear_program(monkeypatch):
    """A spline term's coefficient can pass 15 at a finite optimum; the fit's strict criterion then
    says it is finished, and only fitted means near 0 or 1 would call for the linear program."""
    rng = np.random.default_rng(4)
    n = 4000
    fine = rng.uniform(0, 0.1, n)  # a predictor on a small scale: its coefficient is large
    y = (rng.random(n) < 1 / (1 + np.exp(-(-1.5 + 30 * fine)))).astype(float)
    X = np.column_stack([np.ones(n), fine])
    calls, real = [], inference.separating_direction

    def spy(X, y):
        calls.append(len(y))
        return real(X, y)

    monkeypatch.setattr(inference, "separating_direction", spy)
    fit = fit_logistic(X, y, SurveyDesign.from_columns(np.ones(n)), np.ones(n, bool), ["intercept", "fine"])
    assert abs(fit.coef[1]) > 15 and np.isfinite(fit.se[1]) and not calls
    separated = np.column_stack([np.ones(n), y])  # the outcome itself: separated, and the program says so
    fit = fit_logistic(separated, y, SurveyDesign.from_columns(np.ones(n)), np.ones(n, bool), ["intercept", "y"])
    assert calls and "separation" in fit.note and np.isnan(fit.coef).all()
