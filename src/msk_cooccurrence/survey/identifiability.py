"""Whether a logistic model's coefficients exist and its fit is finished: aliasing, separation, convergence.

Three checks R makes around `glm` (or R packages make), for the fits of glm.py:

- Aliasing. R's `glm.fit` takes the QR decomposition of the weighted predictors with LINPACK's
  limited column pivoting (`dqrdc2`, tolerance min(1e-7, epsilon / 1000) = 1e-11): walking the
  columns left to right, a column whose norm, after removing the columns kept before it, falls
  below the tolerance times its own norm is moved to the end and its coefficient is NA.
  `aliased_columns` walks the columns in the same order, so of two identical columns the later is
  dropped, as R drops it (`svyglm` fits with `glm`).
- Separation. The maximum likelihood estimate is infinite exactly when a direction b != 0 has
  s_i x_i'b >= 0 for every row, s_i = +1 for a case and -1 otherwise (Albert and Anderson 1984).
  `separating_direction` solves Konis's (2007) linear program for it, as R's `detectseparation`
  package does. The program is run only when a fit looks suspicious, and it alone decides, so a
  rare but estimable outcome is fitted rather than called separated.
- Convergence. R's `glm` stops when |dev - dev_old| / (|dev| + 0.1) < epsilon (1e-8); glm.py's
  fits go on until an iteration moves no coefficient by more than 1e-10 of its size (`settled`),
  and a fit that has not settled within its iterations is judged finished by R's criterion.
"""

from __future__ import annotations

import numpy as np

from .cells import first_rows, group_codes

ALIAS_TOLERANCE = 1e-11  # R glm.fit: qr(..., tol = min(1e-07, control$epsilon / 1000))
DEVIANCE_EPSILON = 1e-8  # R glm.control(epsilon = 1e-8)
SEPARATION_MARGIN = 1e-4  # a separating direction puts some row this far on its side (columns scaled to 1)


def aliased_columns(X: np.ndarray, w: np.ndarray) -> list[int]:
    """The columns R's glm would report as NA: each one that the columns kept before it span.

    Gram-Schmidt in column order on sqrt(w) X (with a second pass, which keeps it orthogonal to
    machine precision), the same order and criterion as dqrdc2's limited pivoting.
    """
    Z = np.asarray(X, float) * np.sqrt(np.asarray(w, float))[:, None]
    basis = np.empty((Z.shape[0], 0))
    aliased = []
    for j in range(Z.shape[1]):
        column = Z[:, j]
        norm = float(np.linalg.norm(column))
        residual = column - basis @ (basis.T @ column)
        residual -= basis @ (basis.T @ residual)
        remaining = float(np.linalg.norm(residual))
        if norm == 0 or remaining <= ALIAS_TOLERANCE * norm:
            aliased.append(j)
        else:
            basis = np.column_stack([basis, residual / remaining])
    return aliased


def why_aliased(X: np.ndarray, j: int, names: list[str]) -> str:
    """Why column j (not the intercept) is aliased, in words: one value, a copy of another, or a combination."""
    column = X[:, j]
    if column.size == 0 or np.ptp(column) == 0:
        return f"{names[j]} (one value in the rows used)"
    for i in range(1, j):
        if np.array_equal(X[:, i], column):
            return f"{names[j]} (the same as {names[i]} in every row used)"
    return f"{names[j]} (a linear combination of the predictors before it)"


def deviance_converged(deviances) -> bool:
    """R's glm criterion on the last two deviances of an IRLS history."""
    if len(deviances) < 2:
        return False
    old, new = float(deviances[-2]), float(deviances[-1])
    return bool(np.isfinite(new) and abs(new - old) / (abs(new) + 0.1) < DEVIANCE_EPSILON)


def looks_separated(params: np.ndarray, mu: np.ndarray, converged: bool, settled: bool = False) -> bool:
    """Whether a fit shows what separation does (so the linear program should decide).

    `settled`: the fit met glm.py's strict criterion (no coefficient moved by more than 1e-10 of its
    size). Under separation the coefficients keep moving until the fitted means of the separated
    rows are at 0 or 1 to machine precision, so a settled fit under separation shows such means:
    the means alone then decide, and a large coefficient of a finely scaled predictor (a spline
    term) does not call for the program.
    """
    extreme = bool(np.any(mu < 1e-8) or np.any(mu > 1 - 1e-8))
    if settled:
        return extreme
    return not converged or extreme or bool(np.any(np.abs(params) > 15))


def separating_direction(X: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    """A direction b != 0 with s_i x_i'b >= 0 for every row (the MLE is then infinite), or None.

    Konis (2007): maximize sum_i s_i x_i'b subject to s_i x_i'b >= 0 and -1 <= b_j <= 1; the
    optimum is positive exactly when the data are (quasi-)completely separated. Distinct rows
    suffice, and each column is scaled to a largest absolute value of 1, which changes neither
    answer nor which coefficients take part. X must have full column rank (aliased columns dropped).
    """
    signed = np.asarray(X, float) * np.where(np.asarray(y) > 0, 1.0, -1.0)[:, None] + 0.0  # no -0.0
    codes, size = group_codes(list(signed.T))  # the distinct rows by hashing, then sorted as np.unique sorts:
    signed = np.unique(signed[first_rows(codes, size)], axis=0)  # a sort of millions of rows costs seconds
    scale = np.abs(signed).max(axis=0)
    scale[scale == 0] = 1.0
    signed = signed / scale
    p = signed.shape[1]
    from scipy.optimize import linprog  # here: only a fit that looks separated needs it (half a second to load)

    result = linprog(
        -signed.sum(axis=0), A_ub=-signed, b_ub=np.zeros(len(signed)), bounds=[(-1, 1)] * p, method="highs"
    )
    if result.status != 0:
        return None
    margins = signed @ result.x
    if margins.max() > SEPARATION_MARGIN and margins.min() > -1e-7:
        return result.x / scale
    return None
