"""Whether an estimated count (a weighted number of people) may be shown, and which counts a suppressed
proportion takes down with it.

The rule for counts is the NCHS Data Presentation Standards for Rates and Counts (Vital Health Stat
2(200), 2023, Table A) as CDC's own R package applies it: CDCgov/surveytable (commit ea5d660),
R/tab.R 186-212 and R/z_lpe.R `.lpe_counts`:

- the sample size of a count is its rows over Kish's design effect of their weights, capped at the
  rows: samp.size = min(n, n / deffK), deffK = 1 + mean((w - mean w)^2) / mean(w)^2
  (R/z_deffK.R, PracTools' deffK) = n sum w^2 / (sum w)^2;
- its 95% CI is the log Student's t interval of the NCHS standard's equation 24:
  x exp(-/+ k), k = t_{0.975, max(samp.size - 1, 0.1)} SE / x;
- shown when samp.size >= 10 and the relative CI width (UL - LL) / x <= 160%, else suppressed
  ('Cx'); a shown count with design df < 8 is flagged for review ('Cdf').

A count beside a proportion is also taken down when the proportion is suppressed: the weighted
cases over the weighted population, or the rows with the condition over the rows, give the hidden
proportion back (tests/test_count_reliability.py builds such a case). NCHS's rules judge precision;
they do not stop a count being recovered by subtracting the other rows of a table (secondary
suppression for confidentiality), which is outside them.
"""

from __future__ import annotations

import numpy as np

from .design import SurveyDesign
from .estimate import t_quantile

MINIMUM_SAMPLE_SIZE = 10
MAXIMUM_RELATIVE_WIDTH = 1.60
MINIMUM_DF = 8
OK = "ok"
SUPPRESS = (
    "suppress: sample size < 10",
    "suppress: relative CI width > 160%",
    "suppress: its proportion is suppressed",
)
REVIEW = "review: df < 8"


def kish_design_effect(n: float, weight_sum: float, weight_square_sum: float) -> float:
    """Kish's design effect of unequal weights, n sum w^2 / (sum w)^2 (surveytable's deffK)."""
    return float(n * weight_square_sum / weight_sum**2) if weight_sum > 0 else np.nan


def count_sample_size(n: float, deff: float) -> float:
    """surveytable's sample size of a count: n over the Kish design effect, capped at n."""
    return float(min(n, n / deff)) if np.isfinite(deff) and deff > 0 else float(n)


def count_interval(total: float, se: float, sample_size: float) -> tuple[float, float]:
    """The NCHS log Student's t 95% CI of a count (Series 2 no. 200, equation 24; surveytable tab.R 200-203)."""
    if not total > 0:
        return np.nan, np.nan
    k = t_quantile(max(sample_size - 1, 0.1)) * se / total
    return float(total * np.exp(-k)), float(total * np.exp(k))


def nchs_count_reliability(total: float, se: float, sample_size: float, df: float) -> str:
    """The NCHS verdict on a count, as surveytable's .lpe_counts: suppress, review (df < 8) or ok."""
    if not sample_size >= MINIMUM_SAMPLE_SIZE:
        return SUPPRESS[0]
    low, high = count_interval(total, se, sample_size)
    if not (total > 0 and (high - low) / total <= MAXIMUM_RELATIVE_WIDTH):  # a count of 0 has no relative width
        return SUPPRESS[1]
    return REVIEW if df < MINIMUM_DF else OK


def weighted_count_reliability(design: SurveyDesign, weight: np.ndarray, units: np.ndarray) -> str:
    """The verdict on the weighted number of people the `units` stand for, `weight` their weights
    (the design's, or standardized ones): its SE is the design's of the total (R svytotal)."""
    units = np.asarray(units, bool)
    influence = np.where(units, weight, 0.0)
    total = float(influence.sum())
    se = float(np.sqrt(design.variance(influence, units)[0, 0]))
    n = design.rows(units)
    deff = kish_design_effect(n, total, design.square_weight_sum(units, weight))
    return nchs_count_reliability(total, se, count_sample_size(n, deff), design.degrees_of_freedom(units))


def count_reliabilities(
    y: np.ndarray, design: SurveyDesign, weight: np.ndarray, rows: np.ndarray, proportion_suppressed: bool
) -> dict:
    """prevalence.csv's verdicts on its counts: `cases` (the weighted number with the condition), taken
    down with a suppressed proportion, and `population` (the weighted number with it known)."""
    with_condition = np.asarray(rows, bool) & (np.nan_to_num(y) == 1)
    cases = SUPPRESS[2] if proportion_suppressed else weighted_count_reliability(design, weight, with_condition)
    return {"cases_reliability": cases, "population_reliability": weighted_count_reliability(design, weight, rows)}
