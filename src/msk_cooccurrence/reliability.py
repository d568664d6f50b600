"""How far an estimated proportion can be trusted, and how much the design costs in sample size.

Pure functions over arrays and a `SurveyDesign`; the formulas are those of R `survey` 4.1.1 and
of the NCHS Data Presentation Standards for Proportions (Parker et al., Vital Health Stat 2(175),
2017), as NCHS's own SAS macro (calculate_KornGraubard_CIs, v2.0) applies them:

- design effect, as R `svymean(~y, design, deff = TRUE)`: var / v_srs with
  v_srs = s^2 (N - n) / (N n), s^2 = n/(n - 1) * sum w (y - p)^2 / sum w (R `svyvar`), N = sum w
  and n the rows with weight. The SRS is without replacement from a population of N, so the design
  effect is undefined (NaN; R gives NA or Inf) when the weights sum to no more than n.
- effective sample size, NCHS: p(1 - p) / var; n when p is 0 or 1 (the variance is then 0).
- Korn-Graubard interval, as R `svyciprop(method = "beta")` (estimate.korn_graubard_interval):
  Clopper-Pearson with the effective sample size scaled by (t_{n-1} / t_df)^2, df the design
  degrees of freedom of the domain. R gives NaN when p is 0 or 1; there we use the effective sample
  size n (the exact binomial interval), as the NCHS macro and CDC's surveytable do. Unlike those
  two, the effective size is not capped at n, so the interval equals R's wherever R has one.
- reliability, in the order the NCHS macro applies the standard, first match wins:
  suppress when min(n_eff, n) < 30, when the KG width >= 0.30, or when the width > 0.05 and the
  width / p > 130%; else review when df < 8, when the width > 0.05 and width / (1 - p) > 130%
  (the complement), or when p is 0 or 1. n_eff here is p(1 - p)/var without the df adjustment,
  as in the macro; surveytable in its NCHS mode uses the df-adjusted, capped one (stricter).
  For an age-standardized prevalence n_eff is the same p(1 - p)/var, as R's svyciprop computes it
  on svystandardize(); NCHS's macro instead uses n / deff with the standardized SRS variance.
"""

from __future__ import annotations

import numpy as np

from .design import SurveyDesign
from .estimate import Estimate, effective_sample_size

MINIMUM_EFFECTIVE_N = 30
MAXIMUM_WIDTH = 0.30
NARROW_WIDTH = 0.05  # an interval this narrow is presented whatever its relative width
MAXIMUM_RELATIVE_WIDTH = 1.30
MINIMUM_DF = 8
OK = "ok"
RELIABILITY = (
    OK,
    "suppress: effective n < 30",
    "suppress: CI width >= 0.30",
    "suppress: relative CI width > 130%",
    "review: df < 8",
    "review: complement relative CI width > 130%",
    "review: 0% or 100%",
)
INTERVALS = ("logit", "korn_graubard")
LONELY_PSU_HANDLING = {
    "adjust": "each contributes its PSU total's squared deviation from the grand mean (R survey.lonely.psu 'adjust')",
    "average": "each is given the average variance of the strata with two or more PSUs (R 'average')",
    "certainty": "each is taken as sampled with certainty and contributes no variance (R 'certainty')",
    "remove": "each contributes no variance and the others are not rescaled (R 'remove')",
    "fail": "the run stops at the first estimate that needs one (R 'fail')",
}


def design_effect(
    y: np.ndarray, weight: np.ndarray, domain: np.ndarray, variance: float, count: np.ndarray | None = None
) -> float:
    """R svymean(deff = TRUE): the design variance of a domain mean over the variance of an SRS without replacement.

    `count`: the rows each unit stands for, when units are cells (weights summed over their rows).
    """
    rows = np.asarray(domain, bool) & (weight != 0)
    w, values = weight[rows], y[rows]
    n, total = int(rows.sum() if count is None else count[rows].sum()), float(w.sum())
    if n < 2 or total <= n:
        return np.nan
    mean = (w * values).sum() / total
    s2 = (w * (values - mean) ** 2).sum() / total * n / (n - 1)
    srs = s2 * (total - n) / (total * n)
    return float(variance / srs) if srs > 0 else np.nan


def nchs_reliability(estimate: float, n: int, n_effective: float, kg_low: float, kg_high: float, df: int) -> str:
    """The NCHS presentation standard's verdict on a proportion (one of RELIABILITY), first rule first."""
    width = kg_high - kg_low
    wide = width > NARROW_WIDTH
    rules = (
        not np.minimum(n_effective, n) >= MINIMUM_EFFECTIVE_N,  # also true when n_eff is NaN (no estimate)
        width >= MAXIMUM_WIDTH,
        wide and estimate > 0 and width / estimate > MAXIMUM_RELATIVE_WIDTH,
        df < MINIMUM_DF,
        wide and estimate < 1 and width / (1 - estimate) > MAXIMUM_RELATIVE_WIDTH,
        estimate in (0.0, 1.0),
    )
    return next((verdict for verdict, broken in zip(RELIABILITY[1:], rules) if broken), OK)


def is_suppressed(reliability) -> bool:
    return str(reliability).startswith("suppress")


def is_reviewed(reliability) -> bool:
    return str(reliability).startswith("review")


def proportion_reliability(estimate: Estimate) -> dict:
    """n_effective, the Korn-Graubard interval and the NCHS verdict of one proportion."""
    p, n, df = estimate.value(), estimate.n, estimate.df
    n_effective = effective_sample_size(p, float(estimate.vcov[0, 0]), n)
    low, high, _ = estimate.korn_graubard()
    verdict = nchs_reliability(p, n, n_effective, low, high, df)
    return {"n_effective": n_effective, "kg_low": low, "kg_high": high, "reliability": verdict}


def proportion_details(
    y: np.ndarray,
    weight: np.ndarray,
    rows: np.ndarray,
    numbers: dict,
    estimate: Estimate,
    interval: str,
    count: np.ndarray | None = None,
) -> dict:
    """The columns prevalence.csv adds to a proportion: population, cases, deff, n_effective, KG, reliability.

    `rows` are the rows the estimate uses, `weight` the weights it gives them (the design's, or the
    standardized ones), `numbers` its summary row (logit interval), `count` the rows of each unit
    when units are cells. With `interval="korn_graubard"`
    ci_low, ci_high and note become the Korn-Graubard ones.
    """
    w = np.where(rows, weight, 0.0)
    population = float(w.sum())
    p = estimate.value()
    out = {
        "population": population,
        "cases": float(p * population) if population > 0 else np.nan,
        "deff": design_effect(np.nan_to_num(y), weight, rows, float(estimate.vcov[0, 0]), count),
        **proportion_reliability(estimate),
    }
    if interval == "korn_graubard":
        low, high, note = estimate.korn_graubard()
        out |= {"ci_low": low, "ci_high": high, "note": estimate.note or note}
    return out


def kish_effective_n(weight: np.ndarray) -> float:
    """Kish's effective sample size of unequal weights: (sum w)^2 / sum w^2."""
    w = np.asarray(weight, float)
    return float(w.sum() ** 2 / (w**2).sum()) if w.size else np.nan


def design_summary(design: SurveyDesign) -> dict:
    """What the report's design section states: strata, PSUs, lonely strata and their handling, df, weights."""
    n_h = design.psus_per_stratum
    lonely = [design.stratum_labels[h] if h < len(design.stratum_labels) else str(h) for h in np.flatnonzero(n_h == 1)]
    w = design.weight
    kish = kish_effective_n(w)
    return {
        "clusters": bool(design.has_clusters),
        "rows": int(design.n),
        "strata": int((n_h > 0).sum()),
        "psus": int(n_h.sum()),
        "strata_with_one_psu": len(lonely) if design.has_clusters else 0,
        "strata_with_one_psu_labels": lonely[:50] if design.has_clusters else [],
        "lonely_psu": design.lonely_psu,
        "lonely_psu_handling": LONELY_PSU_HANDLING[design.lonely_psu] if lonely and design.has_clusters else "",
        "degrees_of_freedom": design.degrees_of_freedom(),
        "sum_of_weights": float(w.sum()),
        "weight_min": float(w.min()) if w.size else np.nan,
        "weight_max": float(w.max()) if w.size else np.nan,
        "kish_effective_n": kish,
        "kish_design_effect": float(design.n / kish) if kish > 0 else np.nan,
    }
