"""Sensitivity of the adjusted odds ratios to missing data: complete cases versus multiple imputation.

Imputation by chained equations with statsmodels' MICEData (predictive mean matching, so imputed
conditions stay 0/1), with the log survey weight as an auxiliary variable; each completed dataset
is analysed with the same design-based logistic model, and the results are pooled by Rubin's rules
with Barnard and Rubin's (1999) degrees of freedom, the design's residual df as complete-data df.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.imputation.mice import MICEData

from .design import SurveyDesign
from .inference import fit_logistic, t_quantile
from .odds_ratios import COLUMNS as ODDS_COLUMNS
from .odds_ratios import covariate_columns
from .prevalence import condition_values

# the odds-ratio table's columns, with how each row was made
COLUMNS = [*ODDS_COLUMNS[:3], "method", *ODDS_COLUMNS[3:-1], "imputations", "note"]
BURN_IN, BETWEEN = 10, 5


def complete_case_rows(odds: pd.DataFrame) -> pd.DataFrame:
    rows = odds[odds["model"] == "adjusted"].assign(method="complete cases", imputations=0)
    return rows.reindex(columns=COLUMNS)


def imputation_frame(frame: pd.DataFrame, conditions, covariates) -> pd.DataFrame:
    """Numeric columns for the imputation model: conditions, covariates, log weight."""
    data = {c: condition_values(frame, c) for c in conditions if c in frame}
    data |= covariate_columns(frame, covariates)
    log_weight = np.log(frame["weight"].to_numpy(float))
    if np.ptp(log_weight) > 0:  # a constant column would make the imputation models singular
        data["log_weight"] = log_weight
    return pd.DataFrame(data)


def imputed_odds_ratios(frame, conditions, covariates, design: SurveyDesign, imputations: int, seed: int):
    data = imputation_frame(frame, conditions, covariates)
    present = [c for c in conditions if c in frame]
    adjust = [c for c in data.columns if c not in present and c != "log_weight"]
    draws = {pair: [] for pair in itertools.combinations(present, 2)}
    if data.isna().any().any():
        mice = MICEData(data, k_pmm=20, rng=np.random.default_rng(seed))
        mice.update_all(BURN_IN)
    for m in range(imputations):
        if data.isna().any().any():
            if m:
                mice.update_all(BETWEEN)
            completed = mice.data
        else:
            completed = data
        for (a, b), found in draws.items():
            X = np.column_stack([np.ones(len(completed)), completed[a], *(completed[c] for c in adjust)])
            found.append(fit_logistic(X, completed[b].to_numpy(float), design, np.ones(len(completed), bool)))
    rows = [_pooled(a, b, fits, len(frame), imputations) for (a, b), fits in draws.items()]
    return pd.DataFrame(rows, columns=COLUMNS)


def _pooled(a: str, b: str, fits, n: int, m: int) -> dict:
    """Rubin's rules for the log odds ratio of a, with Barnard-Rubin degrees of freedom."""
    row = {
        "condition_a": a,
        "condition_b": b,
        "model": "adjusted",
        "method": "multiple imputation",
        "n": n,
        "imputations": m,
    }
    failed = [f.note for f in fits if f.note]
    if failed:
        return row | {"note": f"{len(failed)} of {m} imputations could not be fitted: {failed[0]}"}
    q = np.array([f.coef[1] for f in fits])
    u = np.array([f.vcov[1, 1] for f in fits])
    within, between = u.mean(), q.var(ddof=1)
    total = within + (1 + 1 / m) * between
    df = _barnard_rubin_df(within, between, total, m, fits[0].df_residual)
    se = float(np.sqrt(total))
    half = t_quantile(df) * se
    p_value = float(2 * stats.t.sf(abs(q.mean()) / se, df))
    return row | {
        "estimate": float(np.exp(q.mean())),
        "se": se,
        "ci_low": float(np.exp(q.mean() - half)),
        "ci_high": float(np.exp(q.mean() + half)),
        "p_value": p_value,
        "df": df,
        "note": "",
    }


def _barnard_rubin_df(within: float, between: float, total: float, m: int, complete_df: int) -> float:
    gamma = (1 + 1 / m) * between / total
    observed = (complete_df + 1) / (complete_df + 3) * complete_df * (1 - gamma)
    if gamma == 0:
        return float(observed)
    old = (m - 1) / gamma**2
    return float(1 / (1 / old + 1 / observed))


def sensitivity_table(frame, conditions, covariates, design, odds: pd.DataFrame, settings: dict) -> pd.DataFrame:
    """Complete-case adjusted ORs, and the imputed ones beside them when multiple imputation is on."""
    tables = [complete_case_rows(odds)]
    if settings.get("multiple_imputation"):
        imputed = imputed_odds_ratios(frame, conditions, covariates, design, settings["imputations"], settings["seed"])
        tables.append(imputed)
    table = pd.concat(tables, ignore_index=True)
    order = {pair: i for i, pair in enumerate(dict.fromkeys(zip(table["condition_a"], table["condition_b"])))}
    key = table.apply(lambda r: order[(r["condition_a"], r["condition_b"])], axis=1)
    return (
        table.assign(_key=key)
        .sort_values(["_key", "method"], kind="stable")
        .drop(columns="_key")
        .reset_index(drop=True)
    )
