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
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from .data import AnalysisData
from .design import SurveyDesign
from .estimate import Estimate
from .settings import Settings

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


def fit_loglinear(cell: np.ndarray, design: SurveyDesign, rows: np.ndarray, k: int, order: int):
    """The model up to `order` as an Estimate (design vcov, design df) and its model-based vcov.

    When the model cannot be estimated the Estimate carries NaNs and the reason, and the model
    vcov is None.
    """
    X = cell_design_matrix(k, order)
    p = X.shape[1]
    n = int(rows.sum())
    w = np.where(rows, design.weight, 0.0)
    w = w / w[rows].mean()
    counts = np.bincount(cell[rows], weights=w[rows], minlength=2**k)
    if order == k and (counts == 0).any():
        return Estimate.not_estimable(p, n, "an empty cell: the highest-order term is not estimable"), None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # recorded and shown as the note, never silenced
        try:
            fit = sm.GLM(counts, X, family=sm.families.Poisson()).fit(tol=1e-12, maxiter=200)
        except (ValueError, np.linalg.LinAlgError) as error:
            return Estimate.not_estimable(p, n, f"the model could not be fitted ({error})"), None
    if not fit.converged or np.any(np.abs(fit.params) > 30):
        return Estimate.not_estimable(p, n, "no finite estimate (sparse cells)"), None
    info = X.T @ (X * fit.mu[:, None])
    try:
        a_inv = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        return Estimate.not_estimable(p, n, "no finite estimate (sparse cells)"), None
    influence = np.zeros((design.n, p))
    influence[rows] = (X[cell[rows]] * w[rows, None]) @ a_inv
    vcov = design.variance(influence, rows)
    if order == k:  # the saturated model reproduces the table exactly, which statsmodels flags as perfect prediction
        caught = [w for w in caught if not issubclass(w.category, (PerfectSeparationWarning, RuntimeWarning))]
    note = "; ".join(dict.fromkeys(f"statsmodels: {w.message}" for w in caught))
    return Estimate(np.asarray(fit.params), vcov, design.degrees_of_freedom(rows), n, note), a_inv


def modelled_conditions(data: AnalysisData) -> tuple[list[str], list[str]]:
    """The conditions the model can hold (both values seen among their known rows), and notes on the others."""
    kept, notes = [], []
    for condition in data.conditions:
        values = data.condition(condition)
        known = values[~np.isnan(values)]
        if known.size == 0:
            notes.append(f"{condition} has no known values and is left out of the model")
        elif known.min() == known.max():
            notes.append(f"{condition} is {'yes' if known[0] else 'no'} in every row and is left out of the model")
        else:
            kept.append(condition)
    return kept, notes


def empty_pairs(values: np.ndarray, present: list[str]) -> list[str]:
    """Pairs with an empty 2 x 2 cell among the model's rows: their pairwise term is infinite."""
    found = []
    for i, j in itertools.combinations(range(len(present)), 2):
        table = np.bincount((2 * values[:, i] + values[:, j]).astype(int), minlength=4)
        if (table == 0).any():
            found.append(f"{present[i]} and {present[j]}")
    return found


def loglinear_table(data: AnalysisData, settings: Settings) -> pd.DataFrame:
    """Pairwise terms, and tests of the terms of order 3 up to `loglinear: max_order` (the bound keeps
    the model's size, sum of C(k, j) over j <= max_order, polynomial in the number of conditions k)."""
    present, left_out = modelled_conditions(data)
    design = data.design
    k = len(present)
    if k < 2:
        note = "; ".join(left_out + ["fewer than two conditions vary: no log-linear model"])
        return pd.DataFrame([{"kind": "coefficient", "model": "pairwise", "note": note}], columns=COLUMNS)
    values = data.condition_matrix(present)
    rows = ~np.isnan(values).any(axis=1) & (design.weight > 0)
    if not rows.any():
        note = "; ".join(left_out + ["no row has every condition known"])
        return pd.DataFrame([{"kind": "coefficient", "model": "pairwise", "note": note}], columns=COLUMNS)
    cell = (np.nan_to_num(values) @ (2 ** np.arange(k - 1, -1, -1))).astype(int)
    fit, model_vcov = fit_loglinear(cell, design, rows, k, min(2, k))
    if model_vcov is None:
        empty = empty_pairs(values[rows], present)
        if empty:
            fit = fit.with_note(f"no rows in some combination of {'; of '.join(empty)}: their odds ratio is 0 or infinite")
    fit = fit.with_note("; ".join(left_out))
    out = _coefficient_rows(present, fit, model_vcov)
    for order in range(3, min(k, settings.loglinear["max_order"]) + 1):
        out.append(_order_test(present, order, fit_loglinear(cell, design, rows, k, order)[0].with_note("; ".join(left_out))))
    return pd.DataFrame(out, columns=COLUMNS)


def _coefficient_rows(present, fit: Estimate, model_vcov) -> list[dict]:
    terms = term_subsets(len(present), min(2, len(present)))
    rows = []
    for j, term in enumerate(terms, start=1):
        row = {
            "kind": "coefficient",
            "model": "pairwise",
            "term": ":".join(present[i] for i in term),
            "order": len(term),
            "note": fit.note,
        }
        if model_vcov is not None:
            numbers = fit.summary(j)
            se_model = float(np.sqrt(model_vcov[j, j]))
            row |= {
                "estimate": numbers["estimate"],
                "se": numbers["se"],
                "se_model": se_model,
                "deff": (numbers["se"] / se_model) ** 2,
                "ci_low": numbers["ci_low"],
                "ci_high": numbers["ci_high"],
                "statistic": numbers["estimate"] / numbers["se"],
                "df_den": fit.df,
                "p_value": numbers["p_value"],
                "note": numbers["note"],
            }
            if len(term) == 2:
                row["odds_ratio"] = float(np.exp(numbers["estimate"]))
        rows.append(row)
    return rows


def _order_test(present, order, fit: Estimate) -> dict:
    """Design-based adjusted Wald F test that every term of this order is zero (in the model up to it)."""
    terms = term_subsets(len(present), order)
    index = [j for j, term in enumerate(terms, start=1) if len(term) == order]
    name = MODEL_NAMES.get(order, f"{order}-way")
    row = {"kind": "test", "model": name, "order": order, "term": f"all {name} terms = 0", "df_num": len(index)}
    if not np.isfinite(fit.coef).all():
        return row | {"note": fit.note}
    statistic, _, df_den, p_value, note = fit.wald_test(index)
    if note:
        return row | {"note": "; ".join(filter(None, [fit.note, note]))}
    return row | {"statistic": statistic, "df_den": df_den, "p_value": p_value, "note": fit.note}
