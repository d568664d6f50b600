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
from statsmodels.imputation.mice import MICEData

from .data import AnalysisData
from .estimate import Estimate
from .inference import fit_logistic
from .settings import Settings

BURN_IN, BETWEEN = 10, 5


def complete_case_rows(odds: pd.DataFrame) -> pd.DataFrame:
    return odds[odds["model"] == "adjusted"].assign(method="complete cases", imputations=0)


def imputation_frame(data: AnalysisData) -> pd.DataFrame:
    """Numeric columns for the imputation model: conditions, covariates, log weight."""
    columns = {c: data.condition(c) for c in data.conditions} | data.adjustment()
    log_weight = np.log(data.frame["weight"].to_numpy(float))
    if np.ptp(log_weight) > 0:  # a constant column would make the imputation models singular
        columns["log_weight"] = log_weight
    return pd.DataFrame(columns)


def imputed_odds_ratios(data: AnalysisData, imputations: int, seed: int) -> pd.DataFrame:
    table = imputation_frame(data)
    present = list(data.conditions)
    adjust = [c for c in table.columns if c not in present and c != "log_weight"]
    draws = {pair: [] for pair in itertools.combinations(present, 2)}
    if table.isna().any().any():
        mice = MICEData(table, k_pmm=20, rng=np.random.default_rng(seed))
        mice.update_all(BURN_IN)
    for m in range(imputations):
        if table.isna().any().any():
            if m:
                mice.update_all(BETWEEN)
            completed = mice.data
        else:
            completed = table
        for (a, b), found in draws.items():
            X = np.column_stack([np.ones(len(completed)), completed[a], *(completed[c] for c in adjust)])
            found.append(fit_logistic(X, completed[b].to_numpy(float), data.design, np.ones(len(completed), bool)))
    rows = []
    for (a, b), fits in draws.items():
        pooled = pool_rubin(fits, data.rows)
        rows.append(
            {"condition_a": a, "condition_b": b, "model": "adjusted", "method": "multiple imputation"}
            | pooled.summary(1, report=np.exp)
            | {"imputations": imputations}
        )
    return pd.DataFrame(rows)


def pool_rubin(fits: list[Estimate], n: int) -> Estimate:
    """Rubin's rules for every coefficient, with Barnard-Rubin degrees of freedom for coefficient 1."""
    m = len(fits)
    failed = [f.note for f in fits if not np.isfinite(f.coef).all()]
    if failed:
        return Estimate.not_estimable(
            len(fits[0].coef), n, f"{len(failed)} of {m} imputations could not be fitted: {failed[0]}"
        )
    q = np.array([f.coef for f in fits])
    within = np.mean([f.vcov for f in fits], axis=0)
    between = np.cov(q, rowvar=False, ddof=1).reshape(within.shape)
    total = within + (1 + 1 / m) * between
    df = _barnard_rubin_df(within[1, 1], between[1, 1], total[1, 1], m, fits[0].df)
    return Estimate(q.mean(axis=0), total, df, n)


def _barnard_rubin_df(within: float, between: float, total: float, m: int, complete_df: int) -> float:
    gamma = (1 + 1 / m) * between / total
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
