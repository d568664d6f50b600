"""Design-based estimators on arrays: a domain proportion and a weighted logistic regression.

They take arrays and weights, never a formula, so the same code fits collapsed cells (DESIGN.md,
Scale), and each returns an `Estimate`: NaN coefficients with a reason in `note` instead of an
exception when the data cannot support the estimate.
"""

from __future__ import annotations

import warnings

import numpy as np

from .cells import first_rows, group_codes
from .design import SurveyDesign, domain_mean_influence
from .estimate import Estimate


def proportion(y: np.ndarray, design: SurveyDesign, domain: np.ndarray) -> Estimate:
    """Weighted proportion of y (0/1, NaN = unknown) in a domain: R svymean; n counts the known rows."""
    y = np.asarray(y, dtype=float)
    domain = np.asarray(domain, bool) & ~np.isnan(y)
    n = design.rows(domain)
    if n == 0 or design.weight[domain].sum() <= 0:
        return Estimate.not_estimable(1, n, "no rows with a known value")
    p, influence = domain_mean_influence(y, design.weight, domain)
    totals = design.psu_totals(influence)
    variance = design.variance_of_totals(totals, domain)
    return Estimate(np.array([p]), variance, design.degrees_of_freedom(domain), n, "", totals)


def cases(y: np.ndarray, design: SurveyDesign, domain: np.ndarray) -> int:
    """Unweighted number of rows with the condition in a domain."""
    return design.rows(np.asarray(domain, bool) & (np.nan_to_num(y) == 1))


def fit_logistic(X: np.ndarray, y: np.ndarray, design: SurveyDesign, rows: np.ndarray) -> Estimate:
    """Weighted ML logistic regression with a linearized design variance (R svyglm, quasibinomial).

    X holds the intercept and predictors for all n design rows; `rows` marks those the model uses
    (complete cases in the domain). Rows outside still hold their PSU and stratum. The estimate's
    df is the residual design df (design df - parameters + 1), as R's confint(svyglm) uses.
    """
    rows = np.asarray(rows, bool) & (design.weight > 0)
    p = X.shape[1]
    n = design.rows(rows)
    X, y = X[rows], y[rows]  # the rows (or cells) the model uses; the design keeps all
    problem = _cannot_fit(X, y, n)
    if problem:
        return Estimate.not_estimable(p, n, problem)
    w = design.weight[rows]
    w = w / (w.sum() / n)  # over a row's mean weight, as R: scale-free, but keeps IRLS well conditioned
    try:
        result, mu, fit_notes = _maximum_likelihood(X, y, w)
    except (np.linalg.LinAlgError, ValueError, FloatingPointError) as error:
        return Estimate.not_estimable(p, n, f"fit failed: {error}")
    if not result.converged or np.any(np.abs(result.params) > 30) or np.mean((mu < 1e-8) | (mu > 1 - 1e-8)) > 0:
        return Estimate.not_estimable(p, n, "no finite estimate: (quasi-)complete separation")
    bread = X.T @ (X * (w * mu * (1 - mu))[:, None])
    try:
        a_inv = np.linalg.inv(bread)
    except np.linalg.LinAlgError:
        return Estimate.not_estimable(p, n, "predictors are collinear in the rows used")
    # the influence values are (x w (y - mu)) A^-1 row by row; their PSU totals, summed without them
    totals = design.product_totals(X, w * (y - mu), rows) @ a_inv
    vcov = design.variance_of_totals(totals, rows)
    df_residual = design.degrees_of_freedom(rows) + 1 - p
    return Estimate(np.asarray(result.params), vcov, df_residual, n, fit_notes, totals)


def cell_codes(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, int]:
    """A code per row shared by rows with the same outcome and predictors, and the number of cells.

    Cells are numbered in the sorted order of (outcome, predictors), so the fit sums them in an
    order that does not depend on the order of the rows.
    """
    if y.size == 0:
        return np.zeros(0, dtype=np.int64), 0
    codes, size = group_codes([y, *X.T])
    first = first_rows(codes, size)
    order = np.lexsort(np.column_stack([y[first], X[first]]).T[::-1])  # y first, then each predictor
    rank = np.empty(size, dtype=np.int64)
    rank[order] = np.arange(size)
    return rank[codes], size


def _maximum_likelihood(X: np.ndarray, y: np.ndarray, w: np.ndarray, collapse: bool | None = None):
    """statsmodels' weighted binomial GLM fit, the fitted mean of every row, and what it warned.

    Rows that share the outcome and every predictor are one cell with their summed weight
    (DESIGN.md, Scale): the likelihood, hence the estimate, is the same, and a million rows with
    categorical predictors fit as a few thousand cells. `collapse=None` collapses when it halves
    the rows. statsmodels' convergence and separation warnings become the fit's note.
    """
    codes, n_cells = cell_codes(X, y) if collapse is not False else (None, len(y))
    if collapse or (collapse is None and n_cells <= len(y) / 2):
        first = np.unique(codes, return_index=True)[1]
        X_fit, y_fit, w_fit = X[first], y[first], np.bincount(codes, weights=w, minlength=n_cells)
    else:
        X_fit, y_fit, w_fit, codes = X, y, w, None
    import statsmodels.api as sm  # here: the estimators of proportions never load it

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # every warning is recorded and shown as the fit's note
        result = sm.GLM(y_fit, X_fit, family=sm.families.Binomial(), var_weights=w_fit).fit(tol=1e-12, maxiter=100)
    mu = np.asarray(result.fittedvalues)
    notes = "; ".join(dict.fromkeys(f"statsmodels: {w.message}" for w in caught))
    return result, (mu if codes is None else mu[codes]), notes


def _cannot_fit(X: np.ndarray, y: np.ndarray, n: int) -> str:
    """A plain reason why a logistic model of n rows cannot be estimated, or ''."""
    if y.size == 0:
        return "no complete rows"
    if y.min() == y.max():
        return "outcome has no variation among complete rows"
    if n <= X.shape[1]:
        return "fewer complete rows than parameters"
    constant = [j for j in range(1, X.shape[1]) if X[:, j].min() == X[:, j].max()]
    if constant:
        return "a predictor has a single value among complete rows"
    return ""
