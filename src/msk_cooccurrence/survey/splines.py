"""Natural cubic splines: the basis a model reads for a number (BMI's dose-response, a covariate written
`{name: age, spline: 4}`), with knots at Harrell's quantiles.

Our own few lines rather than patsy's `cr()`/`ns()`: the basis must be evaluated on the collapsed
cells (cells.py) and at a grid of values with the knots of the rows, which patsy ties to a formula
over a frame. Any basis of the same spline space gives the same fitted model and so the same odds
ratios; tests/test_splines.py checks that against patsy's natural spline (`cr`), and the R
references (tests/reference/own_model) against R's `splines::ns`.
"""

from __future__ import annotations

import numpy as np

# Harrell, Regression Modeling Strategies (2015), Table 2.3
KNOT_QUANTILES = {
    3: (0.10, 0.5, 0.90),
    4: (0.05, 0.35, 0.65, 0.95),
    5: (0.05, 0.275, 0.5, 0.725, 0.95),
    6: (0.05, 0.23, 0.41, 0.59, 0.77, 0.95),
    7: (0.025, 0.1833, 0.3417, 0.5, 0.6583, 0.8167, 0.975),
}


def harrell_knots(values: np.ndarray, knots: int) -> np.ndarray:
    """The knots at Harrell's quantiles of the known values (unweighted, R's default quantile type 7)."""
    return np.nanquantile(np.asarray(values, float), KNOT_QUANTILES[knots])


def natural_spline_basis(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Natural cubic spline basis (linear beyond the outer knots): x and K-2 cubic terms.

    Hastie, Tibshirani and Friedman, Elements of Statistical Learning, eq. 5.4-5.5; the cubic
    terms are divided by (last knot - first knot)^2 so that all columns have similar scale.
    """
    x = np.asarray(x, float)
    k = np.asarray(knots, float)
    scale = (k[-1] - k[0]) ** 2

    def d(j):
        return (np.clip(x - k[j], 0, None) ** 3 - np.clip(x - k[-1], 0, None) ** 3) / (k[-1] - k[j])

    last = d(len(k) - 2)
    return np.column_stack([x] + [(d(j) - last) / scale for j in range(len(k) - 2)])
