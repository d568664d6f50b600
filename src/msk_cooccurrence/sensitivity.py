"""Sensitivity of the adjusted odds ratios to missing data: complete cases versus multiple imputation.

Imputation by chained equations with statsmodels' MICEData (predictive mean matching, so imputed
conditions stay 0/1), with the log survey weight as an auxiliary variable; each completed dataset
is analysed with the same design-based logistic model, and the results are pooled by Rubin's rules
with Barnard and Rubin's (1999) degrees of freedom, the design's residual df as complete-data df.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
from statsmodels.imputation.mice import MICEData

from .data import AnalysisData, predictor_label
from .estimate import Estimate
from .inference import fit_logistic
from .settings import Settings

BURN_IN, BETWEEN = 10, 5


def complete_case_rows(odds: pd.DataFrame) -> pd.DataFrame:
    return odds[odds["model"] == "adjusted"].assign(method="complete cases", imputations=0)


def imputation_frame(data: AnalysisData) -> pd.DataFrame:
    """Numeric columns for the imputation model: conditions, covariates, log weight.

    A column with no known value cannot be imputed (MICE needs observed values to model it) and
    one with a single value would make the imputation models singular: both are left out.
    """
    columns = {c: data.condition(c) for c in data.conditions} | data.adjustment()
    columns["log_weight"] = np.log(data.frame["weight"].to_numpy(float))
    return pd.DataFrame({name: v for name, v in columns.items() if np.unique(v[~np.isnan(v)]).size > 1})


def completed_datasets(table: pd.DataFrame, imputations: int, seed: int) -> list[pd.DataFrame]:
    """`imputations` completed copies of the table (chained equations), or the table itself when nothing is missing."""
    if not table.isna().any().any():
        return [table] * imputations
    mice = MICEData(table, k_pmm=20, rng=np.random.default_rng(seed))
    mice.update_all(BURN_IN)
    completed = [mice.data.copy()]
    for _ in range(imputations - 1):
        mice.update_all(BETWEEN)
        completed.append(mice.data.copy())
    return completed


def imputed_odds_ratios(data: AnalysisData, imputations: int, seed: int) -> pd.DataFrame:
    table = imputation_frame(data)
    present = list(data.conditions)
    rows = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # statsmodels' rank warnings on tiny data; failures raise below
            completed = completed_datasets(table, imputations, seed)
        failure = ""
    except (ValueError, np.linalg.LinAlgError) as error:
        completed, failure = [], f"the imputation models could not be fitted ({error})"
    for a, b in itertools.combinations(present, 2):
        where = {"condition_a": a, "condition_b": b, "model": "adjusted", "method": "multiple imputation"}
        wanted = data.adjustment_for((a, b))
        adjust = [c for c in wanted if c in table]
        missing = [c for c in (a, b) if c not in table]
        if failure or missing:
            note = failure or f"{', '.join(missing)} cannot be imputed (no known values, or only one)"
            pooled = Estimate.not_estimable(2 + len(adjust), data.n, note)
        else:
            fits = [_fit_completed(frame, a, b, adjust, data) for frame in completed]
            dropped = [
                f"{predictor_label(c)} ({'one value in the rows used' if np.isfinite(v).any() else 'no known value'})"
                for c, v in wanted.items()
                if c not in table
            ]
            pooled = pool_rubin(fits, data.n).with_note(f"dropped: {'; '.join(dropped)}" if dropped else "")
        rows.append(where | pooled.summary(1, report=np.exp) | {"imputations": imputations})
    return pd.DataFrame(rows)


def _fit_completed(frame: pd.DataFrame, a: str, b: str, adjust: list[str], data: AnalysisData) -> Estimate:
    X = np.column_stack([np.ones(len(frame)), frame[a], *(frame[c] for c in adjust)])
    names = ["intercept", a, *map(predictor_label, adjust)]
    return fit_logistic(X, frame[b].to_numpy(float), data.design, np.ones(len(frame), bool), names)


def pool_rubin(fits: list[Estimate], n: int) -> Estimate:
    """Rubin's rules for every coefficient, with Barnard-Rubin degrees of freedom for coefficient 1."""
    m = len(fits)
    failed = [f.note for f in fits if not np.isfinite(f.coef[1])]
    if failed:
        return Estimate.not_estimable(
            len(fits[0].coef), n, f"{len(failed)} of {m} imputations could not be fitted: {failed[0]}"
        )
    q = np.array([f.coef for f in fits])
    within = np.mean([f.vcov for f in fits], axis=0)
    between = np.cov(q, rowvar=False, ddof=1).reshape(within.shape)
    total = within + (1 + 1 / m) * between
    df = _barnard_rubin_df(within[1, 1], between[1, 1], total[1, 1], m, fits[0].df)
    return Estimate(q.mean(axis=0), total, df, n, "; ".join(dict.fromkeys(f.note for f in fits if f.note)))


def _barnard_rubin_df(within: float, between: float, total: float, m: int, complete_df: int) -> float:
    if complete_df <= 0:
        return float(complete_df)  # no interval either way
    gamma = (1 + 1 / m) * between / total if total > 0 else 0.0  # zero variance: nothing is missing-driven
    observed = (complete_df + 1) / (complete_df + 3) * complete_df * (1 - gamma)
    if gamma == 0:
        return float(observed)
    old = (m - 1) / gamma**2
    return float(1 / (1 / old + 1 / observed))


def sensitivity_table(data: AnalysisData, settings: Settings, odds_ratios: pd.DataFrame) -> pd.DataFrame:
    """Complete-case adjusted ORs, and the imputed ones beside them when multiple imputation is on."""
    tables = [complete_case_rows(odds_ratios)]
    options = settings.sensitivity
    if options.get("multiple_imputation"):
        tables.append(imputed_odds_ratios(data, options["imputations"], options["seed"]))
    table = pd.concat(tables, ignore_index=True)
    order = {pair: i for i, pair in enumerate(dict.fromkeys(zip(table["condition_a"], table["condition_b"])))}
    key = table.apply(lambda r: order[(r["condition_a"], r["condition_b"])], axis=1)
    return (
        table.assign(_key=key)
        .sort_values(["_key", "method"], kind="stable")
        .drop(columns="_key")
        .reset_index(drop=True)
    )
