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
from .identifiability import (
    aliased_columns,
    deviance_converged,
    looks_separated,
    separating_direction,
    why_aliased,
)


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


def fit_logistic(
    X: np.ndarray, y: np.ndarray, design: SurveyDesign, rows: np.ndarray, names: list[str] | None = None
) -> Estimate:
    """Weighted ML logistic regression with a linearized design variance (R svyglm, quasibinomial).

    X holds the intercept and predictors for all n design rows; `rows` marks those the model uses
    (complete cases in the domain). Rows outside still hold their PSU and stratum. The estimate's
    df is the residual design df (design df - parameters + 1), as R's confint(svyglm) uses.
    Predictors aliased in the rows used are dropped as R's glm drops them (NaN coefficient, a note
    naming them from `names`); separation and convergence are judged as identifiability.py says.
    """
    rows = np.asarray(rows, bool) & (design.weight > 0)
    p = X.shape[1]
    names = list(names) if names is not None else ["intercept"] + [f"predictor {j}" for j in range(1, p)]
    n = design.rows(rows)
    X, y = X[rows], y[rows]  # the rows (or cells) the model uses; the design keeps all
    problem = _cannot_fit(X, y)
    if problem:
        return Estimate.not_estimable(p, n, problem)
    w = design.weight[rows]
    w = w / (w.sum() / n)  # over a row's mean weight, as R: scale-free, but keeps IRLS well conditioned
    aliased = aliased_columns(X, w)
    if 0 in aliased:
        return Estimate.not_estimable(p, n, "the weights of the rows used are all zero")
    kept = [j for j in range(p) if j not in aliased]
    if n <= len(kept):
        return Estimate.not_estimable(p, n, "fewer complete rows than parameters")
    fit = _identified_fit(X[:, kept], y, w, [names[j] for j in kept])
    alias_note = "aliased, dropped as R's glm does: " + "; ".join(why_aliased(X, j, names) for j in aliased)
    if isinstance(fit, str):
        return Estimate.not_estimable(p, n, "; ".join(filter(None, [fit, alias_note if aliased else ""])))
    coef, mu, fit_notes = fit
    Xk = X[:, kept]
    bread = Xk.T @ (Xk * (w * mu * (1 - mu))[:, None])
    try:
        a_inv = np.linalg.inv(bread)
    except np.linalg.LinAlgError:
        return Estimate.not_estimable(p, n, "predictors are collinear in the rows used")
    # the influence values are (x w (y - mu)) A^-1 row by row; their PSU totals, summed without them
    # (an aliased predictor's column stays zero, as its coefficient adds nothing)
    kept_totals = design.product_totals(Xk, w * (y - mu), rows) @ a_inv
    totals = np.zeros((kept_totals.shape[0], p))
    totals[:, kept] = kept_totals
    vcov = np.full((p, p), np.nan)
    vcov[np.ix_(kept, kept)] = design.variance_of_totals(totals[:, kept], rows)
    full = np.full(p, np.nan)
    full[kept] = coef
    df_residual = design.degrees_of_freedom(rows) + 1 - len(kept)
    note = "; ".join(filter(None, [fit_notes, alias_note if aliased else ""]))
    return Estimate(full, vcov, df_residual, n, note, totals)


def _identified_fit(X: np.ndarray, y: np.ndarray, w: np.ndarray, names: list[str]):
    """(coefficients, fitted means, notes) of a finished fit, or the reason there is none.

    statsmodels' own convergence flag is read with R's deviance criterion; a fit that is still
    not finished is repeated on the rows rather than on collapsed cells. Only when the fit looks
    separated does the linear program decide whether it is.
    """
    try:
        result, mu, notes = _maximum_likelihood(X, y, w)
        converged = result.converged or deviance_converged(result.fit_history["deviance"])
        if not converged:
            result, mu, notes = _maximum_likelihood(X, y, w, collapse=False)
            converged = result.converged or deviance_converged(result.fit_history["deviance"])
    except (np.linalg.LinAlgError, ValueError, FloatingPointError) as error:
        return f"fit failed: {error}"
    params = np.asarray(result.params)
    if looks_separated(params, mu, converged):
        direction = separating_direction(X, y)
        if direction is not None:
            involved = [names[j] for j in range(1, len(names)) if abs(direction[j]) > 1e-9]
            by = f" by {', '.join(involved)}" if involved else ""
            return (
                f"no finite estimate: (quasi-)complete separation (the outcome is predicted perfectly{by} in some rows)"
            )
        # not separated: statsmodels' separation warning is a false alarm on a rare but estimable outcome
        notes = "; ".join(n for n in notes.split("; ") if "separation" not in n.lower())
    if not converged:
        return "the fit did not converge (the deviance was still changing after 100 iterations)"
    # statsmodels' flag uses an absolute tolerance; by R's criterion this fit is finished
    notes = "; ".join(n for n in notes.split("; ") if "converge" not in n.lower())
    return params, mu, notes


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


def _cannot_fit(X: np.ndarray, y: np.ndarray) -> str:
    """A plain reason why a logistic model cannot be estimated, or ''."""
    if y.size == 0:
        return "no complete rows"
    if y.min() == y.max():
        return "outcome has no variation among complete rows"
    return ""
