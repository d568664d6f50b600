"""Sensitivity of the adjusted odds ratios to missing data: complete cases versus multiple imputation.

Imputation by chained equations (imputation.py: logistic models for the conditions, predictive
mean matching for a continuous covariate), with the design (strata, log weight in quantile classes)
and the dataset's auxiliary rules as predictors (imputation_model.py); a condition with a universe is
never imputed outside it, and each pair's model is fitted on the rows inside the universes of its two
conditions (a domain of the design), as the complete-case model is. Each imputation is an
independent chain from its own random stream (seed, m), so the workflow draws each in its own job
and the result does not depend on their order; the pooling job reads the imputation problem the
workflow saved (imputation_model.load_problem) rather than building it again from the rows. Each
completed dataset is analysed with the same design-based logistic model, on cells of the rows
complete before imputation plus the imputed rows, and the results are pooled by Rubin's rules with
Barnard and Rubin's (1999) degrees of freedom, the design's residual df as complete-data df.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import InputError
from ..settings import Settings
from ..survey.cells import first_rows, group_codes
from ..survey.data import DEFINED_BY, AnalysisData, predictor_label
from ..survey.design import SurveyDesign
from ..survey.estimate import Estimate
from ..survey.inference import fit_logistic
from .imputation import attempt, imputed_values, why_failed
from .imputation_model import (
    DESIGN_VARIABLES,
    NOT_MEASURED,
    ImputationProblem,
    analysed_variables,
    auxiliary_variables,
    imputation_problem,
)

# Above this fraction of missing information a pooled estimate carries a note: more of its information
# comes from the imputation model than from the observed values (a fraction of 0.5 is a total variance
# twice the complete-data one, riv = 1), so it says more about that model's assumptions than the data.
FMI_NOTE = 0.5


def complete_case_rows(odds: pd.DataFrame) -> pd.DataFrame:
    return odds[odds["model"] == "adjusted"].assign(method="complete cases", imputations=0, fmi=np.nan)


def draw_imputation(data: AnalysisData, seed: int, m: int) -> np.ndarray:
    """Imputation m of the rows with a missing value (their level codes; imputation.attempt: -1 where
    missing if its models cannot be fitted)."""
    return attempt(imputation_problem(data), seed, m)


class CompletedAnalysis:
    """The adjusted models on each completed dataset, fitted on cells (cells.py): the rows complete
    before imputation are collapsed once, the imputed rows joined to them for each imputation.

    `problem`: the imputation problem of these rows as the workflow saved it (imputation_model_stage),
    else built here; what is read of it: its variables, their levels and the incomplete rows.
    """

    def __init__(self, data: AnalysisData, problem: ImputationProblem | None = None):
        self.problem = imputation_problem(data) if problem is None else problem
        if self.problem.failure:  # the workflow's model job could not build it: the same note as here
            raise ValueError(self.problem.failure)
        self.data, self.columns = data, self.problem.names
        variables = analysed_variables(data)  # row-length arrays: not kept once the cells are made
        helpers = (*DESIGN_VARIABLES, *data.auxiliary)  # what only helps impute the others
        self.keys = [c for c in self.columns if c not in helpers]  # what the models read
        imputed = [c for c in self.columns if c not in DESIGN_VARIABLES]  # the design is never missing
        _check_problem_of_rows(self.problem, variables | auxiliary_variables(data), imputed, data.n)
        complete = np.ones(data.n, bool)
        complete[self.problem.rows] = False
        design = data.design
        self.base = self._cells(
            {k: variables[k][complete] for k in self.keys},
            design.weight[complete],
            design.stratum[complete],
            design.psu[complete],
            np.ones(complete.sum(), dtype=np.int64) if design.count is None else design.count[complete],
        )

    def _cells(self, values: dict, weight, stratum, psu, count) -> tuple:
        """Units alike in PSU and every value, their weights and counts summed."""
        codes, size = group_codes([psu, *(values[k] for k in self.keys)])
        first = first_rows(codes, size)
        summed = np.bincount(codes, weight, size), stratum[first], psu[first], np.bincount(codes, count, size)
        return {k: v[first] for k, v in values.items()}, *summed

    @functools.cache  # noqa: B019 (one analysis per table; asked once per pair and imputation)
    def adjust(self, a: str, b: str) -> tuple[list[str], list[str]]:
        """The covariates of the pair's model that can be imputed, and why the others are dropped."""
        excluded = tuple(DEFINED_BY[c] for c in (a, b) if c in DEFINED_BY)
        wanted = self.data.covariate_values(exclude=excluded)
        dropped = [
            f"{c} ({'one value in the rows used' if np.isfinite(v).any() else 'no known value'})"
            for c, v in wanted.items()
            if c not in self.columns
        ]
        return [c for c in wanted if c in self.columns], dropped

    def fits(self, draws: np.ndarray, pairs) -> dict[tuple[str, str], Estimate]:
        """The adjusted model of each pair on the dataset completed by one imputation's draws."""
        rows, design = self.problem.rows, self.data.design
        imputed = imputed_values(self.problem, draws)
        base_values, weight, stratum, psu, count = self.base
        values, weight, stratum, psu, count = self._cells(
            {k: np.concatenate([base_values[k], imputed[k]]) for k in self.keys},
            np.concatenate([weight, design.weight[rows]]),
            np.concatenate([stratum, design.stratum[rows]]),
            np.concatenate([psu, design.psu[rows]]),
            np.concatenate([count, np.ones(len(rows)) if design.count is None else design.count[rows]]),
        )
        units = SurveyDesign(
            weight, stratum, psu, design.lonely_psu, design.has_clusters, design.stratum_labels, count.astype(np.int64)
        )
        out = {}
        for a, b in pairs:
            predictors = self.data.predictors_from({c: values[c] for c in self.adjust(a, b)[0]})
            X = np.column_stack([np.ones(units.n), values[a], *predictors.values()])
            names = ["intercept", a, *map(predictor_label, predictors)]
            out[(a, b)] = fit_logistic(X, values[b], units, universe_of(values, (a, b)), names)
        return out


def universe_of(values: dict, conditions) -> np.ndarray:
    """The units inside every one of these conditions' universes (where none is NOT_MEASURED): the
    domain its model is fitted in, with the whole design kept for the variance (as R's subset())."""
    return np.logical_and.reduce([values[c] != NOT_MEASURED for c in conditions])


def _check_problem_of_rows(problem: ImputationProblem, variables: dict, keys: list[str], n: int) -> None:
    """A saved problem is one of these rows: its variables among theirs, and its incomplete rows
    exactly the rows with a missing value (a model file of other rows or settings would pool the
    wrong draws)."""
    wrong = [f"{k} is not a variable of the rows" for k in keys if k not in variables]
    if not wrong:
        incomplete = np.zeros(n, bool)
        for k in keys:
            incomplete |= np.isnan(variables[k])
        if not np.array_equal(np.flatnonzero(incomplete), problem.rows):
            found, saved = incomplete.sum(), len(problem.rows)
            wrong.append(f"the rows with a missing value ({found}) are not its incomplete rows ({saved})")
    if wrong:
        raise InputError(
            f"The imputation model file does not match the analysis rows ({'; '.join(wrong)}): it was written "
            "for other rows or settings. Delete the dataset's data/processed/<dataset>/imputations/ folder and "
            "run the workflow again."
        )


def imputed_odds_ratios(
    data: AnalysisData,
    imputations: int,
    seed: int,
    draws: Sequence[np.ndarray] | None = None,
    problem: ImputationProblem | None = None,
) -> pd.DataFrame:
    """Adjusted odds ratios pooled over the imputations (drawn here unless `draws` holds them, in order;
    `problem`: the rows' imputation problem, when already built)."""
    analysis, failure = None, ""
    try:
        analysis = CompletedAnalysis(data, problem)
        if draws is None:
            draws = [attempt(analysis.problem, seed, m) for m in range(imputations)]
        failed = [why for m, d in enumerate(draws) if (why := why_failed(analysis.problem, seed, m, d))]
        if failed:  # the imputations are not a random sample of the others: no pooled estimate
            failure = f"{len(failed)} of {len(draws)} imputations could not be fitted: {failed[0]}"
    except (ValueError, np.linalg.LinAlgError) as error:
        failure = f"the imputation models could not be fitted ({error})"
    pairs = list(itertools.combinations(data.conditions, 2))
    imputable = [(a, b) for a, b in pairs if analysis is not None and a in analysis.columns and b in analysis.columns]
    per_imputation = [analysis.fits(d, imputable) for d in draws] if imputable and not failure else []
    rows = []
    for a, b in pairs:
        where = {"condition_a": a, "condition_b": b, "model": "adjusted", "method": "multiple imputation"}
        if (a, b) in imputable and not failure:
            dropped = analysis.adjust(a, b)[1]
            fits = [fits[(a, b)] for fits in per_imputation]
            pooled, fmi = pool_rubin(fits, fits[0].n)  # the rows of the pair's universe
            pooled = pooled.with_note(f"dropped: {'; '.join(dropped)}" if dropped else "")
        else:
            missing = [c for c in (a, b) if analysis is None or c not in analysis.columns]
            note = failure or f"{', '.join(missing)} cannot be imputed (no known values, or only one)"
            pooled, fmi = Estimate.not_estimable(2 + len(data.adjustment_for((a, b))), data.rows, note), np.nan
        rows.append(where | pooled.summary(1, report=np.exp) | {"imputations": imputations, "fmi": fmi})
    return pd.DataFrame(rows)


def pool_rubin(fits: list[Estimate], n: int) -> tuple[Estimate, float]:
    """Rubin's rules for every coefficient, with Barnard-Rubin degrees of freedom for coefficient 1, and
    coefficient 1's fraction of missing information (missing_information; a note above FMI_NOTE)."""
    m = len(fits)
    failed = [f.note for f in fits if not np.isfinite(f.coef[1])]
    if failed:
        note = f"{len(failed)} of {m} imputations could not be fitted: {failed[0]}"
        return Estimate.not_estimable(len(fits[0].coef), n, note), np.nan
    q = np.array([f.coef for f in fits])
    within = np.mean([f.vcov for f in fits], axis=0)
    between = np.cov(q, rowvar=False, ddof=1).reshape(within.shape)
    total = within + (1 + 1 / m) * between
    df = _barnard_rubin_df(within[1, 1], between[1, 1], total[1, 1], m, fits[0].df)
    fmi = missing_information(within[1, 1], between[1, 1], m, df)
    notes = [*(f.note for f in fits if f.note), *([_high_fmi_note(fmi)] if fmi > FMI_NOTE else [])]
    return Estimate(q.mean(axis=0), total, df, n, "; ".join(dict.fromkeys(notes))), fmi


def missing_information(within: float, between: float, m: int, df: float) -> float:
    """The fraction of missing information as R's mice::pool gives it (column fmi; Rubin's gamma):
    (riv + 2 / (df + 3)) / (riv + 1), riv = (1 + 1/m) b / ubar the relative increase in variance due
    to nonresponse, df the Barnard-Rubin degrees of freedom. mice's lambda, (1 + 1/m) b / t, the
    share of the total variance due to the missing values, is what _barnard_rubin_df uses; fmi adds
    to it the uncertainty of estimating b from m imputations. NaN where there is no df."""
    if not df > 0:
        return np.nan
    if within <= 0:
        return 1.0 if between > 0 else float(2 / (df + 3))
    riv = (1 + 1 / m) * between / within
    return float((riv + 2 / (df + 3)) / (riv + 1))


def _high_fmi_note(fmi: float) -> str:
    return (
        f"fraction of missing information {fmi:.2f}: most of what this estimate knows comes from the "
        "imputation model, not from observed values, so it rests on that model (values missing at random "
        "given its variables)"
    )


def _barnard_rubin_df(within: float, between: float, total: float, m: int, complete_df: int) -> float:
    """mice's barnard.rubin: 1 / (1 / df_old + 1 / df_observed), lambda = (1 + 1/m) b / t."""
    if complete_df <= 0:
        return float(complete_df)  # no interval either way
    lambda_ = (1 + 1 / m) * between / total if total > 0 else 0.0  # zero variance: nothing is missing-driven
    observed = (complete_df + 1) / (complete_df + 3) * complete_df * (1 - lambda_)
    if lambda_ == 0:
        return float(observed)
    old = (m - 1) / lambda_**2
    return float(1 / (1 / old + 1 / observed))


def sensitivity_table(
    data: AnalysisData,
    settings: Settings,
    odds_ratios: pd.DataFrame,
    imputations: Sequence[np.ndarray] | None = None,
    imputation_model: ImputationProblem | None = None,
) -> pd.DataFrame:
    """Complete-case adjusted ORs, and the imputed ones beside them when multiple imputation is on.

    `imputations`: the draws of imputations 0, 1, ... (draw_imputation), when already made (the
    workflow draws each in its own job); otherwise they are drawn here. `imputation_model`: the
    rows' imputation problem as the workflow saved it (imputation.load_problem); otherwise built here.
    """
    tables = [complete_case_rows(odds_ratios)]
    options = settings.sensitivity
    if options.get("multiple_imputation"):
        drawn = imputed_odds_ratios(data, options["imputations"], options["seed"], imputations, imputation_model)
        tables.append(drawn)
    table = pd.concat(tables, ignore_index=True)
    order = {pair: i for i, pair in enumerate(dict.fromkeys(zip(table["condition_a"], table["condition_b"])))}
    key = table.apply(lambda r: order[(r["condition_a"], r["condition_b"])], axis=1)
    return (
        table.assign(_key=key)
        .sort_values(["_key", "method"], kind="stable")
        .drop(columns="_key")
        .reset_index(drop=True)
    )
