"""Log-linear model of the 2^k table of condition patterns, with design-based inference.

The model with all pairwise interactions is a Poisson GLM on the weighted cell counts (statsmodels);
its pairwise terms are the log odds ratios of each pair given all the other conditions. Point
estimates are the pseudo-maximum-likelihood estimates of that model; standard errors are
design-based (the influence of each row is its weight times its cell's design row, through the
inverse Fisher information, summed by the survey design as for every other estimate). Higher-order
terms are tested with Korn and Graubard's adjusted design-based Wald F test: no Rao-Scott
correction is needed because the variance itself already reflects the design. Intervals for the
terms use a t quantile on the design df (PSUs minus strata), as Stata's svy does; R's svyloglin,
whose SEs these match, gives no intervals.
`se_model` is the model-based (Poisson) standard error for comparison; deff = (se / se_model)^2.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from .design import SurveyDesign
from .inference import t_quantile
from .prevalence import condition_values

COLUMNS = [
    "kind",
    "model",
    "term",
    "order",
    "estimate",
    "se",
    "se_model",
    "deff",
    "ci_low",
    "ci_high",
    "odds_ratio",
    "statistic",
    "df_num",
    "df_den",
    "p_value",
    "note",
]
MODEL_NAMES = {2: "pairwise", 3: "three-way", 4: "four-way"}


def term_subsets(k: int, order: int) -> list[tuple[int, ...]]:
    """All condition subsets of size 1..order (the model's terms), lowest order first."""
    return [s for size in range(1, order + 1) for s in itertools.combinations(range(k), size)]


def cell_design_matrix(k: int, order: int) -> np.ndarray:
    """Intercept plus one column per term, for the 2^k cells (first condition varying slowest)."""
    cells = np.array(list(itertools.product([0, 1], repeat=k)), dtype=float)
    columns = [np.ones(len(cells))] + [cells[:, list(s)].prod(axis=1) for s in term_subsets(k, order)]
    return np.column_stack(columns)


def fit_loglinear(cell: np.ndarray, weight: np.ndarray, design: SurveyDesign, rows: np.ndarray, k: int, order: int):
    """Coefficients, design vcov, model vcov, residual df and a note for one model order."""
    X = cell_design_matrix(k, order)
    w = np.where(rows, weight, 0.0)
    w = w / w[rows].mean()
    counts = np.bincount(cell[rows], weights=w[rows], minlength=2**k)
    p = X.shape[1]
    if order == k and (counts == 0).any():
        return None, None, None, 0, "an empty cell: the highest-order term is not estimable"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.GLM(counts, X, family=sm.families.Poisson()).fit(tol=1e-12, maxiter=200)
    if not fit.converged or np.any(np.abs(fit.params) > 30):
        return None, None, None, 0, "no finite estimate (sparse cells)"
    info = X.T @ (X * fit.mu[:, None])
    a_inv = np.linalg.inv(info)
    influence = np.zeros((design.n, p))
    influence[rows] = (X[cell[rows]] * w[rows, None]) @ a_inv
    vcov = design.variance(influence, rows)
    return fit.params, vcov, a_inv, design.degrees_of_freedom(rows), ""


def loglinear_table(frame: pd.DataFrame, conditions, design: SurveyDesign) -> pd.DataFrame:
    present = [c for c in conditions if c in frame]
    k = len(present)
    values = np.column_stack([condition_values(frame, c) for c in present])
    rows = ~np.isnan(values).any(axis=1) & (design.weight > 0)
    cell = (np.nan_to_num(values) @ (2 ** np.arange(k - 1, -1, -1))).astype(int)
    out = _coefficient_rows(present, *fit_loglinear(cell, design.weight, design, rows, k, min(2, k)))
    for order in range(3, k + 1):
        out.append(_order_test(present, order, *fit_loglinear(cell, design.weight, design, rows, k, order)))
    return pd.DataFrame(out, columns=COLUMNS)


def _coefficient_rows(present, coef, vcov, model_vcov, df, note) -> list[dict]:
    terms = term_subsets(len(present), min(2, len(present)))
    rows = []
    for j, term in enumerate(terms, start=1):
        row = {
            "kind": "coefficient",
            "model": "pairwise",
            "term": ":".join(present[i] for i in term),
            "order": len(term),
            "note": note,
        }
        if coef is not None:
            se, se_model = float(np.sqrt(vcov[j, j])), float(np.sqrt(model_vcov[j, j]))
            q = t_quantile(df) if df > 0 else np.nan
            statistic = coef[j] / se
            row |= {
                "estimate": coef[j],
                "se": se,
                "se_model": se_model,
                "deff": (se / se_model) ** 2,
                "ci_low": coef[j] - q * se,
                "ci_high": coef[j] + q * se,
                "statistic": statistic,
                "df_den": df,
                "p_value": 2 * stats.t.sf(abs(statistic), df) if df > 0 else np.nan,
            }
            if len(term) == 2:
                row["odds_ratio"] = float(np.exp(coef[j]))
        rows.append(row)
    return rows


def _order_test(present, order, coef, vcov, model_vcov, df, note) -> dict:
    """Design-based adjusted Wald F test that every term of this order is zero (in the model up to it).

    Korn and Graubard's adjustment (Stata's svy default): F = W (d - q + 1) / (d q) on (q, d - q + 1)
    degrees of freedom, d the design df and q the number of terms tested.
    """
    terms = term_subsets(len(present), order)
    index = [j for j, term in enumerate(terms, start=1) if len(term) == order]
    row = {
        "kind": "test",
        "model": MODEL_NAMES.get(order, f"{order}-way"),
        "order": order,
        "term": f"all {MODEL_NAMES.get(order, f'{order}-way')} terms = 0",
        "df_num": len(index),
        "note": note,
    }
    if coef is None or df <= 0:
        row["note"] = note or "no design degrees of freedom left for the test"
        return row
    b, q = coef[index], len(index)
    wald = float(b @ np.linalg.solve(vcov[np.ix_(index, index)], b))
    df_den = df - q + 1
    if df_den <= 0:
        return row | {"note": f"too few design degrees of freedom ({df}) to test {q} terms"}
    f = wald * df_den / (df * q)
    return row | {"statistic": f, "df_den": df_den, "p_value": float(stats.f.sf(f, q, df_den))}
