"""Direct age standardization of a prevalence to a standard population (NCHS practice).

The standardized prevalence is sum_g s_g * p_g over the standard's age groups, s_g the standard's
shares and p_g the weighted prevalence in group g. Its influence values are the same combination
of the groups' domain-mean influences, so its variance is design-based; this equals R's
svymean() on svystandardize(design, by = ~age_group, over = ~1, population = standard).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .design import SurveyDesign, domain_mean_influence
from .estimate import Estimate


def standard_groups(age: np.ndarray, lower_bounds: Sequence[float]) -> np.ndarray:
    """Index of each age's standard group (-1 below the first bound)."""
    return np.searchsorted(np.asarray(lower_bounds, float), np.asarray(age, float), side="right") - 1


def standardized_proportion(
    y: np.ndarray, design: SurveyDesign, domain: np.ndarray, age: np.ndarray, groups: Sequence[dict]
) -> tuple[Estimate, np.ndarray]:
    """Age-standardized weighted proportion of y (0/1, NaN unknown) in a domain, and the rows it uses."""
    lower = [g["lower"] for g in groups]
    shares = np.array([g["population"] for g in groups], float)
    shares = shares / shares.sum()
    group = standard_groups(age, lower)
    domain = np.asarray(domain, bool) & ~np.isnan(y) & (group >= 0)
    n = design.rows(domain)
    estimate, influence = 0.0, np.zeros(design.n)
    for g, share in enumerate(shares):
        in_group = domain & (group == g)
        if design.weight[in_group].sum() <= 0:
            note = f"no rows in the standard's age group from {lower[g]}: not estimable"
            return Estimate.not_estimable(1, n, note), domain
        mean, group_influence = domain_mean_influence(np.nan_to_num(y), design.weight, in_group)
        estimate += share * mean
        influence += share * group_influence
    variance = design.variance(influence, domain)
    return Estimate(np.array([estimate]), variance, design.degrees_of_freedom(domain), n), domain


def standardized_weights(weight: np.ndarray, rows: np.ndarray, age: np.ndarray, groups: Sequence[dict]) -> np.ndarray:
    """Each row's weight after standardization, w * s_g * W / W_g (zero outside `rows`).

    These are the post-stratified weights of R's svystandardize (sum W, the rows' total weight);
    the design effect of a standardized prevalence is computed with them, as R's svymean does.
    """
    shares = np.array([g["population"] for g in groups], float)
    shares = shares / shares.sum()
    group = standard_groups(age, [g["lower"] for g in groups])
    w = np.where(rows, weight, 0.0)
    totals = np.bincount(group[rows], weights=w[rows], minlength=len(shares))
    with np.errstate(divide="ignore", invalid="ignore"):  # a group without rows: its factor is never used
        factor = shares * w.sum() / totals
        return np.where(rows, w * factor[np.clip(group, 0, None)], 0.0)
