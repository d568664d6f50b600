"""How far an estimated proportion can be trusted, and how much the design costs in sample size.

Pure functions over arrays and a `SurveyDesign`; the formulas are those of R `survey` 4.1.1 and
of the NCHS Data Presentation Standards for Proportions (Parker et al., Vital Health Stat 2(175),
2017) as CDC's own R package applies them: CDCgov/surveytable in its NCHS mode
(`set_opts(mode = "nchs")`, i.e. `adj = "nchs"`; commit ea5d660, files R/svyciprop_adjusted.R,
R/z_lpe.R, R/tab.R, cited below by line):

- design effect, as R `svymean(~y, design, deff = TRUE)`: var / v_srs with
  v_srs = s^2 (N - n) / (N n), s^2 = n/(n - 1) * sum w (y - p)^2 / sum w (R `svyvar`), N = sum w
  and n the rows with weight. The SRS is without replacement from a population of N, so the design
  effect is undefined (NaN; R gives NA or Inf) when the weights sum to no more than n.
- n_effective (the column): p(1 - p) / var, n when p is 0 or 1.
- kg_low, kg_high: R `svyciprop(method = "beta")` (estimate.korn_graubard_interval), effective
  size scaled by (t_{n-1} / t_df)^2 and not capped, so the columns equal R's wherever R has one
  (at 0% and 100%, where R gives NaN, the exact binomial interval on n).
- the verdict uses surveytable's own effective size and interval instead, which differ from R's:
  n_nchs = min(n, n_effective * (t_{n-1} / t_df)^2), 0 when df is 0, and n when p is 0
  (svyciprop_adjusted.R 102-112) or 1 (z_lpe.R 91-92); the rules' interval is Clopper-Pearson on
  n_nchs (svyciprop_adjusted.R 114), of width 0 when p is 0 or 1 (z_lpe.R 93) or the SE is 0
  (tab.R 242-244). The cap at n makes the interval wider than R's where the design effect is
  below (t_{n-1} / t_df)^2. For an age-standardized p, n_effective in that formula is n / deff
  with deff = var / sum_k s_k^2 p_k (1 - p_k) / n_k over the standard's age groups
  (svyciprop_adjusted.R 132-158); n_effective the column stays p(1 - p) / var (R's svyciprop).
- the rules, z_lpe.R 95-143: suppress when n_nchs (capped at n) < 30; else present when the width
  <= 0.05; else suppress when the width >= 0.30, or when width / p > 130%. A presented proportion
  may then carry any of: a footnote when width / (1 - p) > 130% (the complement, 'Pc'; only where
  the width is over 0.05 and no rule suppressed), review when df < 8 ('Pdf'), review when p is 0
  or 1 ('P0'), joined by '; ' in that order.
- NCHS's SAS macro (calculate_KornGraubard_CIs v2.0, NHANES option df_adjust=yes) caps the KG
  effective size the same way, but its '< 30' rule uses min(p(1 - p)/var, n) without the df
  factor, and it footnotes the complement only for a proportion not flagged for review; we follow
  surveytable where the two differ.
"""

from __future__ import annotations

import numpy as np

from .estimate import Estimate, clopper_pearson, degrees_of_freedom_ratio, effective_sample_size

MINIMUM_EFFECTIVE_N = 30
MAXIMUM_WIDTH = 0.30
NARROW_WIDTH = 0.05  # an interval this narrow is presented whatever its relative width
MAXIMUM_RELATIVE_WIDTH = 1.30
MINIMUM_DF = 8
OK = "ok"
SUPPRESS = (
    "suppress: effective n < 30",
    "suppress: CI width >= 0.30",
    "suppress: relative CI width > 130%",
)
COMPLEMENT = "footnote: complement relative CI width > 130%"
FLAGS = (COMPLEMENT, "review: df < 8", "review: 0% or 100%")  # surveytable's Pc, Pdf, P0, in its order
RELIABILITY = (OK, *SUPPRESS, *FLAGS)  # a verdict is one of these, or several FLAGS joined by SEPARATOR
SEPARATOR = "; "
INTERVALS = ("logit", "korn_graubard")


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


def nchs_effective_n(p: float, variance: float, n: int, df: float, srs_variance: float | None = None) -> float:
    """surveytable's effective sample size for the NCHS rules: df-adjusted and capped at n (see the module)."""
    if not np.isfinite(p):
        return np.nan
    if p <= 0 or p >= 1:
        return float(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        if srs_variance is None:
            raw = p * (1 - p) / np.float64(variance)
        else:
            raw = n / (np.float64(variance) / srs_variance) if srs_variance > 0 else float(n)
        ratio = degrees_of_freedom_ratio(n, df) if df > 0 else 0.0
        return float(np.minimum(n, raw * ratio))  # NaN stays NaN, as R's min()


def nchs_width(p: float, variance: float, n_nchs: float) -> float:
    """The width of surveytable's interval for the rules: Clopper-Pearson on n_nchs, 0 at 0%, 100% or SE 0."""
    if p in (0.0, 1.0) or variance == 0:
        return 0.0
    low, high = clopper_pearson(p, n_nchs)
    return high - low


def nchs_reliability(estimate: float, n: int, n_nchs: float, width: float, df: float) -> str:
    """The NCHS presentation standard's verdict on a proportion, as surveytable's .lpe_percents (z_lpe.R 81-153).

    `n_nchs` and `width` are surveytable's (nchs_effective_n, nchs_width). One of SUPPRESS, OK, or
    the FLAGS that apply joined by SEPARATOR.
    """
    if estimate in (0.0, 1.0):
        n_nchs, width = n, 0.0  # z_lpe.R 91-93
    if not np.minimum(n_nchs, n) >= MINIMUM_EFFECTIVE_N:  # also true when NaN (no estimate)
        return SUPPRESS[0]
    wide = width > NARROW_WIDTH
    if wide and width >= MAXIMUM_WIDTH:
        return SUPPRESS[1]
    if wide and width / estimate > MAXIMUM_RELATIVE_WIDTH:
        return SUPPRESS[2]
    flags = (
        wide and width / (1 - estimate) > MAXIMUM_RELATIVE_WIDTH,
        df < MINIMUM_DF,
        estimate in (0.0, 1.0),
    )
    return SEPARATOR.join(flag for flag, applies in zip(FLAGS, flags) if applies) or OK


def verdict_parts(reliability) -> list[str]:
    return str(reliability).split(SEPARATOR)


def is_suppressed(reliability) -> bool:
    return str(reliability).startswith("suppress")


def is_reviewed(reliability) -> bool:
    return any(part.startswith("review") for part in verdict_parts(reliability))


def has_complement_footnote(reliability) -> bool:
    return COMPLEMENT in verdict_parts(reliability)


def proportion_reliability(estimate: Estimate, srs_variance: float | None = None) -> dict:
    """n_effective, R's Korn-Graubard interval and the NCHS verdict (surveytable's) of one proportion.

    `srs_variance`: an age-standardized proportion's sum_k s_k^2 p_k (1 - p_k) / n_k
    (standardized_srs_variance), which its NCHS effective size needs.
    """
    p, n, df = estimate.value(), estimate.n, estimate.df
    variance = float(estimate.vcov[0, 0])
    n_effective = effective_sample_size(p, variance, n)
    low, high, _ = estimate.korn_graubard()
    n_nchs = nchs_effective_n(p, variance, n, df, srs_variance)
    verdict = nchs_reliability(p, n, n_nchs, nchs_width(p, variance, n_nchs), df)
    return {"n_effective": n_effective, "kg_low": low, "kg_high": high, "reliability": verdict}


def standardized_srs_variance(
    y: np.ndarray, weight: np.ndarray, rows: np.ndarray, group: np.ndarray, shares, count: np.ndarray | None = None
) -> float:
    """sum_k s_k^2 p_k (1 - p_k) / n_k over the standard's age groups k (surveytable's age-adjusted SRS variance).

    `group`: each row's age group (standardize.standard_groups), `shares` the standard's, `rows` the
    rows the estimate uses, p_k the weighted proportion and n_k the rows of group k among them.
    """
    shares = np.asarray(shares, float) / np.sum(shares)
    total = 0.0
    for k, share in enumerate(shares):
        in_k = np.asarray(rows, bool) & (group == k)
        n_k = float(in_k.sum() if count is None else count[in_k].sum())
        w = weight[in_k]
        if n_k == 0 or w.sum() <= 0:
            return np.nan
        p_k = float((w * np.nan_to_num(y[in_k])).sum() / w.sum())
        total += share**2 * p_k * (1 - p_k) / n_k
    return total


def proportion_details(
    y: np.ndarray,
    weight: np.ndarray,
    rows: np.ndarray,
    numbers: dict,
    estimate: Estimate,
    interval: str,
    count: np.ndarray | None = None,
    srs_variance: float | None = None,
) -> dict:
    """The columns prevalence.csv adds to a proportion: population, cases, deff, n_effective, KG, reliability.

    `rows` are the rows the estimate uses, `weight` the weights it gives them (the design's, or the
    standardized ones), `numbers` its summary row (logit interval), `count` the rows of each unit
    when units are cells, `srs_variance` an age-standardized one's (standardized_srs_variance).
    With `interval="korn_graubard"` ci_low, ci_high and note become the Korn-Graubard ones.
    """
    w = np.where(rows, weight, 0.0)
    population = float(w.sum())
    p = estimate.value()
    out = {
        "population": population,
        "cases": float(p * population) if population > 0 else np.nan,
        "deff": design_effect(np.nan_to_num(y), weight, rows, float(estimate.vcov[0, 0]), count),
        **proportion_reliability(estimate, srs_variance),
    }
    if interval == "korn_graubard":
        low, high, note = estimate.korn_graubard()
        out |= {"ci_low": low, "ci_high": high, "note": estimate.note or note}
    return out
