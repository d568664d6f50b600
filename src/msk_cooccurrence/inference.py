"""Design-based estimators on arrays: a domain proportion and a weighted logistic regression.

They take arrays and weights, never a formula, so the same code can later fit collapsed cells
(DESIGN.md, Scale). Each returns NaN estimates with a reason in `note` instead of raising when the
data cannot support the estimate.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from .design import SurveyDesign, domain_mean_influence

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Proportion:
    n: int
    n_cases: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    df: int
    note: str = ""


@dataclass(frozen=True)
class LogisticFit:
    n: int
    coef: np.ndarray
    se: np.ndarray
    vcov: np.ndarray
    df_residual: int
    note: str = ""
    influence: np.ndarray | None = None  # n x p row influence on the coefficients (zero outside the fit)

    def wald(self, j: int) -> tuple[float, float, float]:
        """CI bounds and p-value for coefficient j, t on the residual design df (R confint.svyglm)."""
        if not np.isfinite(self.se[j]) or self.df_residual <= 0:
            return np.nan, np.nan, np.nan
        q = t_quantile(self.df_residual)
        t = self.coef[j] / self.se[j]
        p = 2 * stats.t.sf(abs(t), self.df_residual)
        return self.coef[j] - q * self.se[j], self.coef[j] + q * self.se[j], float(p)


def t_quantile(df: int, level: float = CONFIDENCE) -> float:
    return float(stats.t.ppf(0.5 + level / 2, df))


def proportion(y: np.ndarray, design: SurveyDesign, domain: np.ndarray) -> Proportion:
    """Weighted proportion of y (0/1, NaN = unknown) in a domain: R svymean + svyciprop(logit)."""
    y = np.asarray(y, dtype=float)
    domain = np.asarray(domain, bool) & ~np.isnan(y)
    n = int(domain.sum())
    n_cases = int(np.nansum(np.where(domain, y, 0)))
    if n == 0 or design.weight[domain].sum() <= 0:
        return Proportion(n, n_cases, np.nan, np.nan, np.nan, np.nan, 0, "no rows with a known value")
    p, influence = domain_mean_influence(y, design.weight, domain)
    se = float(np.sqrt(design.variance(influence, domain)[0, 0]))
    df = design.degrees_of_freedom(domain)
    low, high, note = logit_interval(p, se, df)
    return Proportion(n, n_cases, p, se, low, high, df, note)


def logit_interval(p: float, se: float, df: int) -> tuple[float, float, str]:
    """CI on the logit scale with a t quantile on df (R svyciprop method = "logit")."""
    if p <= 0 or p >= 1:
        return np.nan, np.nan, "proportion is 0 or 1; the logit interval is undefined"
    if df <= 0:
        return np.nan, np.nan, "design has no degrees of freedom in this domain"
    if not np.isfinite(se):
        return np.nan, np.nan, "variance undefined (lonely PSU)"
    half = t_quantile(df) * se / (p * (1 - p))
    centre = np.log(p / (1 - p))
    return float(_expit(centre - half)), float(_expit(centre + half)), ""


def _expit(x):
    return 1 / (1 + np.exp(-x))


def fit_logistic(X: np.ndarray, y: np.ndarray, design: SurveyDesign, rows: np.ndarray) -> LogisticFit:
    """Weighted ML logistic regression with a linearized design variance (R svyglm, quasibinomial).

    X holds the intercept and predictors for all n design rows; `rows` marks those the model uses
    (complete cases in the domain). Rows outside still hold their PSU and stratum.
    """
    rows = np.asarray(rows, bool) & (design.weight > 0)
    p = X.shape[1]
    n = int(rows.sum())
    nan_fit = LogisticFit(n, np.full(p, np.nan), np.full(p, np.nan), np.full((p, p), np.nan), 0)
    X, y = X[rows], y[rows]  # the rows the model uses; the design keeps all rows
    problem = _cannot_fit(X, y)
    if problem:
        return _with_note(nan_fit, problem)
    w = design.weight[rows]
    w = w / w.mean()  # as R: scale-free, but keeps IRLS well conditioned
    try:
        result, mu = _maximum_likelihood(X, y, w)
    except Exception as error:  # statsmodels raises several kinds on degenerate data
        return _with_note(nan_fit, f"fit failed: {error}")
    if not result.converged or np.any(np.abs(result.params) > 30) or np.mean((mu < 1e-8) | (mu > 1 - 1e-8)) > 0:
        return _with_note(nan_fit, "no finite estimate: (quasi-)complete separation")
    bread = X.T @ (X * (w * mu * (1 - mu))[:, None])
    try:
        a_inv = np.linalg.inv(bread)
    except np.linalg.LinAlgError:
        return _with_note(nan_fit, "predictors are collinear in the rows used")
    influence = np.zeros((design.n, p))
    influence[rows] = (X * (w * (y - mu))[:, None]) @ a_inv
    vcov = design.variance(influence, rows)
    df_residual = design.degrees_of_freedom(rows) + 1 - p
    return LogisticFit(n, np.asarray(result.params), np.sqrt(np.diag(vcov)), vcov, df_residual, "", influence)


def cell_codes(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, int]:
    """A code per row shared by rows with the same outcome and predictors, and the number of cells."""
    codes = pd.DataFrame(np.column_stack([y, X])).groupby(list(range(X.shape[1] + 1)), sort=True).ngroup()
    codes = codes.to_numpy()
    return codes, int(codes.max()) + 1 if codes.size else 0


def _maximum_likelihood(X: np.ndarray, y: np.ndarray, w: np.ndarray, collapse: bool | None = None):
    """statsmodels' weighted binomial GLM fit, and the fitted mean of every row.

    Rows that share the outcome and every predictor are one cell with their summed weight
    (DESIGN.md, Scale): the likelihood, hence the estimate, is the same, and a million rows with
    categorical predictors fit as a few thousand cells. `collapse=None` collapses when it halves
    the rows.
    """
    codes, n_cells = cell_codes(X, y) if collapse is not False else (None, len(y))
    if collapse or (collapse is None and n_cells <= len(y) / 2):
        first = np.unique(codes, return_index=True)[1]
        X_fit, y_fit, w_fit = X[first], y[first], np.bincount(codes, weights=w, minlength=n_cells)
    else:
        X_fit, y_fit, w_fit, codes = X, y, w, None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = sm.GLM(y_fit, X_fit, family=sm.families.Binomial(), var_weights=w_fit).fit(tol=1e-12, maxiter=100)
    mu = np.asarray(result.fittedvalues)
    return result, (mu if codes is None else mu[codes])


def _cannot_fit(X: np.ndarray, y: np.ndarray) -> str:
    """A plain reason why a logistic model cannot be estimated, or ''."""
    if y.size == 0:
        return "no complete rows"
    if y.min() == y.max():
        return "outcome has no variation among complete rows"
    if y.size <= X.shape[1]:
        return "fewer complete rows than parameters"
    constant = [j for j in range(1, X.shape[1]) if X[:, j].min() == X[:, j].max()]
    if constant:
        return "a predictor has a single value among complete rows"
    return ""


def _with_note(fit: LogisticFit, note: str) -> LogisticFit:
    return LogisticFit(fit.n, fit.coef, fit.se, fit.vcov, fit.df_residual, note)
