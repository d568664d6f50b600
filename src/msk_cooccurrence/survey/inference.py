"""Design-based estimators on arrays: a domain proportion and a weighted logistic regression.

They take arrays and weights, never a formula, so the same code fits collapsed cells (DESIGN.md,
Scale), and each returns an `Estimate`: NaN coefficients with a reason in `note` instead of an
exception when the data cannot support the estimate.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from . import glm
from .cells import first_rows, group_codes
from .count_reliability import count_reliabilities
from .design import SurveyDesign, domain_mean_influence
from .estimate import LOGIT, Estimate
from .identifiability import (
    aliased_columns,
    looks_separated,
    separating_direction,
    why_aliased,
)
from .reliability import is_suppressed, proportion_details


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


@dataclass(frozen=True)
class FitUnits:
    """What a logistic model is fitted on: its rows, or their cells (rows alike in outcome and every
    predictor, weights summed: the same likelihood, so the same estimate; DESIGN.md, Scale).

    `codes` gives each used row its cell (None when the units are the rows themselves), so a
    cell's fitted mean reaches its rows.
    """

    X: np.ndarray
    y: np.ndarray
    w: np.ndarray
    codes: np.ndarray | None = None

    def per_row(self, values: np.ndarray) -> np.ndarray:
        return values if self.codes is None else values[self.codes]


def prevalence_row(
    where: dict,
    estimate: Estimate,
    y: np.ndarray,
    design: SurveyDesign,
    weights: np.ndarray,
    rows: np.ndarray,
    interval: str,
    srs_variance: float | None = None,
) -> dict:
    """A prevalence table row: the proportion with its logit interval (R svyciprop, method = "logit"),
    or the Korn-Graubard one, and its reliability columns. `rows` are the units (rows or cells) it
    uses, `weights` the weights it gives them (the design's, or the standardized ones);
    `srs_variance` a standardized one's SRS variance for its NCHS effective size."""
    numbers = estimate.summary(scale=LOGIT)
    del numbers["p_value"]
    details = proportion_details(y, weights, rows, numbers, estimate, interval, design.count, srs_variance)
    details |= count_reliabilities(y, design, weights, rows, is_suppressed(details["reliability"]))
    return where | {"n_cases": cases(y, design, rows)} | numbers | details


def fit_units(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, rows: np.ndarray, collapse: bool | None = None, groups=None
) -> FitUnits:
    """The rows of X and y marked by `rows` (w their weights), as cells where that halves them
    (`collapse=None`), always (True) or never (False). X is read a column at a time: at ten million
    rows a copy of the model matrix is most of a job's memory. `groups`: see cell_codes."""
    y = y[rows]
    if collapse is not False:
        codes, n_cells = cell_codes(X, y, rows, groups)
        if collapse or n_cells <= len(y) / 2:
            first = first_rows(codes, n_cells)
            return FitUnits(X[np.flatnonzero(rows)[first]], y[first], np.bincount(codes, w, n_cells), codes)
    return FitUnits(X[rows], y, w)


def fit_logistic(
    X: np.ndarray,
    y: np.ndarray,
    design: SurveyDesign,
    rows: np.ndarray,
    names: list[str] | None = None,
    groups: np.ndarray | None = None,
) -> Estimate:
    """Weighted ML logistic regression with a linearized design variance (R svyglm, quasibinomial).

    X holds the intercept and predictors for all n design rows; `rows` marks those the model uses
    (complete cases in the domain). Rows outside still hold their PSU and stratum. The estimate's
    df is the residual design df (design df - parameters + 1), as R's confint(svyglm) uses.
    Predictors aliased in the rows used are dropped as R's glm drops them (NaN coefficient, a note
    naming them from `names`); separation and convergence are judged as identifiability.py says.
    The fit is statsmodels' GLM (glm.fit). Aliasing, the fit and its information matrix are computed
    on cells of alike rows where there are few enough (the same sums of the same terms), the PSU
    totals of the scores on the rows;
    `groups` (optional, one code per row, shared exactly by the rows with the same X) spares
    finding those rows again when several models share X.
    """
    rows = np.asarray(rows, bool) & (design.weight > 0)
    p = X.shape[1]
    names = list(names) if names is not None else ["intercept"] + [f"predictor {j}" for j in range(1, p)]
    n = design.rows(rows)
    problem = _cannot_fit(y[rows])
    if problem:
        return Estimate.not_estimable(p, n, problem)
    w = design.weight[rows]
    w = w / (w.sum() / n)  # over a row's mean weight, as R: scale-free, but keeps IRLS well conditioned
    units = fit_units(X, y, w, rows, groups=groups)
    aliased = aliased_columns(units.X, units.w)
    if 0 in aliased:
        return Estimate.not_estimable(p, n, "the weights of the rows used are all zero")
    kept = [j for j in range(p) if j not in aliased]
    if n <= len(kept):
        return Estimate.not_estimable(p, n, "fewer complete rows than parameters")
    fit = _identified_fit(units, kept, [names[j] for j in kept], lambda: fit_units(X, y, w, rows, collapse=False))
    alias_note = "aliased, dropped as R's glm does: " + "; ".join(why_aliased(units.X, j, names) for j in aliased)
    if isinstance(fit, str):
        return Estimate.not_estimable(p, n, "; ".join(filter(None, [fit, alias_note if aliased else ""])))
    coef, mu, a_inv, units, results = fit
    if results is not None:  # the statsmodels summary names the terms as the tables do
        results.model.data.xnames = [names[j] for j in kept]
    if not np.isfinite(a_inv).all():
        return Estimate.not_estimable(p, n, "predictors are collinear in the rows used")
    # the influence values are (x w (y - mu)) A^-1 row by row, A^-1 the fit's unscaled covariance (as
    # svyglm reads glm's cov.unscaled); their PSU totals, summed without them (an aliased
    # predictor's column stays zero, as its coefficient adds nothing)
    score_weight = w * (y[rows] - units.per_row(mu))
    kept_totals = design.product_totals(X, score_weight, rows, kept) @ a_inv
    totals = np.zeros((kept_totals.shape[0], p))
    totals[:, kept] = kept_totals
    vcov = np.full((p, p), np.nan)
    vcov[np.ix_(kept, kept)] = design.variance_of_totals(totals[:, kept], rows)
    full = np.full(p, np.nan)
    full[kept] = coef
    df_residual = design.degrees_of_freedom(rows) + 1 - len(kept)
    model_se = np.full(p, np.nan)  # the reference of the design SEs' rounding (estimate.at_rounding_level)
    model_se[kept] = np.sqrt(np.diag(a_inv))
    return Estimate(full, vcov, df_residual, n, alias_note if aliased else "", totals, results, model_se)


def _identified_fit(units: FitUnits, kept: list[int], names: list[str], as_rows):
    """(coefficients, fitted means, unscaled covariance, the units fitted, statsmodels' results) of a
    finished fit (glm.fit: statsmodels' GLM), or the reason there is none.

    A fit on cells that has not converged is repeated on the rows (`as_rows()`), where rounding
    differs. Only when the fit looks separated does the linear program decide whether it is.
    """
    try:
        fit = glm.fit(glm.LOGISTIC, units.X[:, kept], units.y, units.w)
        if not fit.converged and units.codes is not None:
            units = as_rows()
            fit = glm.fit(glm.LOGISTIC, units.X[:, kept], units.y, units.w)
    except (np.linalg.LinAlgError, ValueError) as error:
        return f"fit failed: {error}"
    if looks_separated(fit.coef, fit.mu, fit.converged, settled=fit.settled):
        direction = separating_direction(units.X[:, kept], units.y)
        if direction is not None:
            involved = [names[j] for j in range(1, len(names)) if abs(direction[j]) > 1e-9]
            by = f" by {', '.join(involved)}" if involved else ""
            return (
                f"no finite estimate: (quasi-)complete separation (the outcome is predicted perfectly{by} in some rows)"
            )
    if not fit.converged:
        return f"the fit did not converge (the deviance was still changing after {glm.MAX_ITERATIONS} iterations)"
    return fit.coef, fit.mu, fit.covariance, units, fit.results


def cell_codes(
    X: np.ndarray, y: np.ndarray, rows: np.ndarray | None = None, groups: np.ndarray | None = None
) -> tuple[np.ndarray, int]:
    """A code per row shared by rows with the same outcome and predictors, and the number of cells.

    `y` is the outcome of the rows X's `rows` marks (all when None); `groups`, when given, a code
    for each row of X that the rows with the same predictors, and only they, share (read instead
    of X's columns). Cells are numbered in the sorted order of (outcome, predictors), so the fit
    sums them in an order that does not depend on the order of the rows.
    """
    if y.size == 0:
        return np.zeros(0, dtype=np.int64), 0
    if groups is not None:
        columns = iter([groups if rows is None else groups[rows]])
    else:
        columns = (X[:, j] if rows is None else X[rows, j] for j in range(X.shape[1]))
    codes, size = group_codes(itertools.chain([y], columns))
    first = first_rows(codes, size)
    X_first = X[first] if rows is None else X[np.flatnonzero(rows)[first]]
    order = np.lexsort(np.column_stack([y[first], X_first]).T[::-1])  # y first, then each predictor
    rank = np.empty(size, dtype=np.int64)
    rank[order] = np.arange(size)
    return rank[codes], size


def _cannot_fit(y: np.ndarray) -> str:
    """A plain reason why a logistic model cannot be estimated, or ''."""
    if y.size == 0:
        return "no complete rows"
    if y.min() == y.max():
        return "outcome has no variation among complete rows"
    return ""
