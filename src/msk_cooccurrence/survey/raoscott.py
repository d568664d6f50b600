"""Rao-Scott design-based tests of independence in two-way tables, as R's svychisq(statistic = "F").

R survey 4.1.1, svychisq.survey.design: with p the weighted cell proportions (rows where both
variables are known, a domain of the design) and V their linearized covariance, C the
interaction contrasts of the nr x nc table made orthogonal to the main effects (qr.resid) and
D = diag(p),

    Delta = (C' D^-1 C / N)^-1 (C' D^-1 V D^-1 C),
    F = X^2 / tr(Delta),  df_num = tr(Delta)^2 / tr(Delta^2),  df_den = df_num * nu,

with X^2 Pearson's statistic of the weighted table scaled to N rows (N cancels) and nu the
degrees of freedom of the whole design the test is run on (PSUs minus strata of all its rows, as
R takes them from the design passed, not from the rows with both variables known). The p-value is
the upper tail of F(df_num, df_den): the second-order Rao-Scott correction with Thomas and Rao's
F form (rao_scott_f). We keep our own code because no Python library gives this test on a design.

The same correction tests nested log-linear models of a 2^k table as R's
`anova(svyloglin(smaller), svyloglin(larger))` prints by default (nested_loglinear_test): the
working likelihood-ratio statistic (the Poisson deviance difference of the weighted table scaled to
its n rows) over tr(Delta), with Delta the design effect matrix of the added terms. R computes that
test's df from sum(Delta * Delta) (the squared entries), where svychisq uses tr(Delta^2); Delta is
not symmetric, so the two differ, and each test here follows its R function.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .design import SurveyDesign, domain_mean_influence
from .estimate import NO_VARIANCE, at_rounding_level, f_upper_tail

UNKNOWN_LEVELS = ("unknown",)


def categories(values) -> tuple[np.ndarray, dict]:
    """Integer codes of a variable's categories, and {category: code} of those present, in order.

    A categorical keeps its order; other values are sorted. Missing values and the level
    'unknown' get code -1.
    """
    series = pd.Series(values)
    if not isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype("category")
    codes = series.cat.codes.to_numpy(np.int64)
    labels = list(series.cat.categories)
    for position, label in enumerate(labels):
        if str(label) in UNKNOWN_LEVELS:
            codes[codes == position] = -1
    present = np.bincount(codes[codes >= 0], minlength=len(labels)) > 0
    return codes, {label: position for position, label in enumerate(labels) if present[position]}


def category_codes(values) -> np.ndarray:
    """Integer codes of a variable's categories; -1 for unknown (missing or 'unknown')."""
    return categories(values)[0]


def rao_scott_test(a: np.ndarray, b: np.ndarray, design: SurveyDesign) -> dict:
    """R svychisq(~a + b, design, statistic = "F") for integer-coded a and b (-1 = unknown)."""
    a, b = np.asarray(a), np.asarray(b)
    known = (a >= 0) & (b >= 0) & (design.weight > 0)
    n = design.rows(known)
    rows, a_index = np.unique(a[known], return_inverse=True)
    columns, b_index = np.unique(b[known], return_inverse=True)
    nr, nc = rows.size, columns.size
    if nr < 2 or nc < 2:
        return _untestable(n, "fewer than two categories among rows with both values known")
    nu = design.degrees_of_freedom()
    if nu <= 0:
        return _untestable(n, "the design has no degrees of freedom")
    cell = np.full(design.n, -1)
    cell[known] = a_index + nr * b_index  # R's interaction(): the first factor varies fastest
    p, influence = _cell_proportions(cell, nr * nc, design, known)
    V = design.variance(influence, known)
    if not np.all(np.isfinite(V)):
        return _untestable(n, "variance undefined (lonely PSU)")
    N = design.rows()
    table = p.reshape(nc, nr).T * N
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / N
    pearson = float(((table - expected) ** 2 / expected).sum())
    C = _interaction_contrasts(nr, nc)
    d_inv = np.diag(np.where(p == 0, 0.0, 1 / np.where(p == 0, 1, p)))
    try:
        delta = np.linalg.solve(C.T @ (d_inv / N) @ C, C.T @ d_inv @ V @ d_inv @ C)
    except np.linalg.LinAlgError:
        return _untestable(n, "the cell proportions give a singular contrast matrix")
    trace = float(np.trace(delta))
    if no_design_effect(trace, delta.shape[0]):  # e.g. every row in one PSU, or alike PSUs
        return _untestable(n, NO_VARIANCE)
    statistic, df_num, df_den, p_value = rao_scott_f(pearson, trace, float(np.trace(delta @ delta)), nu)
    return {"n": n, "statistic": statistic, "df_num": df_num, "df_den": df_den, "p_value": p_value, "note": ""}


def no_design_effect(trace: float, q: int) -> bool:
    """Whether the q generalized design effects (the eigenvalues of Delta, design variance over the
    multinomial's) are zero but for rounding: their mean's square root at rounding level
    (estimate.at_rounding_level), where the test would divide by rounding."""
    return not trace > 0 or at_rounding_level(np.sqrt(trace / q), 1.0)


def rao_scott_f(statistic: float, trace: float, squares: float, nu: float) -> tuple[float, float, float, float]:
    """The second-order Rao-Scott correction in Thomas and Rao's F form: (F, df_num, df_den, p).

    F = statistic / trace on d = trace^2 / squares and d * nu degrees of freedom, with trace the
    trace of the design effect matrix Delta, squares R's measure of its square (see the callers)
    and nu the design df.
    """
    df_num = trace**2 / squares
    f = statistic / trace
    return f, df_num, df_num * nu, f_upper_tail(f, df_num, df_num * nu)


def nested_loglinear_test(y, mu0, mu1, lower, added, projected_variance, nu: float) -> dict:
    """R survey 4.1.1 anova.svyloglin (R/loglin.R lines 78-114) with its default print (pval = "F",
    line 138: the p of line 114).

    y: the cell counts of the weighted table scaled to its n rows (R's coef(hatp) * n); mu0, mu1:
    the fitted counts of the model without and with the columns `added`; lower: the smaller
    model's columns but the intercept; projected_variance(A): A' V A, V the design covariance of
    the cell proportions y / n; nu: the design df (R's degf of the design the model was fitted on).
    `added` must be the 0/1 products of the added terms' conditions: their part orthogonal to the
    smaller model is (-1/2)^order times that of R's contr.sum columns, the same factor for every
    column, so Delta is R's (its trace is the same in any basis, its squared entries are not).
    R's P1 and Psat, (diag(pi) - pi pi') / n, enter only as A' P B, computed here without the
    2^k x 2^k matrices. Returns the working LRT deviance (R's "Deviance="), the Rao-Scott F
    (deviance / tr(Delta)), its df and R's p: pf(dev / tr(Delta), tr(Delta)^2 / tr2(Delta),
    dfnull * tr(Delta)^2 / tr2(Delta), lower.tail = FALSE), tr2(m) = sum(m * m) (R/loglin.R line 11).
    """
    n = float(y.sum())
    centred_lower, centred_added = lower - lower.mean(axis=0), added - added.mean(axis=0)  # R's sweep(colMeans)
    fitted = mu1 / n
    # R: wX2 <- X2 - X1 %*% solve(t(X1) %*% P1 %*% X1, t(X1) %*% P1 %*% X2), the added terms' part
    # orthogonal to the smaller model (X2's columns of the smaller model are zero there and dropped by qr)
    coefficients = np.linalg.solve(
        _multinomial_product(centred_lower, centred_lower, fitted, n),
        _multinomial_product(centred_lower, centred_added, fitted, n),
    )
    residual = centred_added - centred_lower @ coefficients
    delta = np.linalg.solve(_multinomial_product(residual, residual, y / n, n), projected_variance(residual))
    deviance = _poisson_deviance(y, mu0) - _poisson_deviance(y, mu1)
    trace = float(np.trace(delta))
    if no_design_effect(trace, delta.shape[0]):  # no design variance in the added terms
        return {"deviance": deviance, "f": np.nan, "df_num": np.nan, "df_den": np.nan, "p_value": np.nan}
    f, df_num, df_den, p_value = rao_scott_f(deviance, trace, float((delta * delta).sum()), nu)
    return {"deviance": deviance, "f": f, "df_num": df_num, "df_den": df_den, "p_value": p_value}


def _multinomial_product(A: np.ndarray, B: np.ndarray, pi: np.ndarray, n: float) -> np.ndarray:
    """A' P B with P = (diag(pi) - pi pi') / n, the multinomial covariance of proportions pi over n."""
    return ((A.T * pi) @ B - np.outer(A.T @ pi, B.T @ pi)) / n


def _poisson_deviance(y: np.ndarray, mu: np.ndarray) -> float:
    """2 sum(y log(y / mu) - (y - mu)), an empty cell giving 2 mu: R's poisson()$dev.resids summed."""
    ratio = np.where(y > 0, y / np.where(mu > 0, mu, 1), 1.0)
    return float(2 * (y * np.log(ratio) - (y - mu)).sum())


def _cell_proportions(cell, k, design, known) -> tuple[np.ndarray, np.ndarray]:
    """Weighted share of each of k cells among the known rows, and their influence values (n x k)."""
    means, influence = np.zeros(k), np.zeros((design.n, k))
    for j in range(k):
        means[j], influence[:, j] = domain_mean_influence((cell == j).astype(float), design.weight, known)
    return means, influence


def _interaction_contrasts(nr: int, nc: int) -> np.ndarray:
    """R: qr.resid(qr(X1), interaction columns of X12) for the cells of an nr x nc table."""
    rows = np.tile(np.arange(nr), nc)
    cols = np.repeat(np.arange(nc), nr)
    row_dummies = np.column_stack([rows == i for i in range(1, nr)]).astype(float)
    col_dummies = np.column_stack([cols == j for j in range(1, nc)]).astype(float)
    main = np.column_stack([np.ones(nr * nc), row_dummies, col_dummies])
    interactions = np.column_stack(
        [row_dummies[:, i] * col_dummies[:, j] for j in range(nc - 1) for i in range(nr - 1)]
    )
    fitted = main @ np.linalg.lstsq(main, interactions, rcond=None)[0]
    return interactions - fitted


def _untestable(n: int, note: str) -> dict:
    return {"n": n, "statistic": np.nan, "df_num": np.nan, "df_den": np.nan, "p_value": np.nan, "note": note}
