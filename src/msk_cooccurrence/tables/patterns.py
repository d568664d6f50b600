"""Co-occurrence patterns: weighted share of each combination of conditions against independence.

Each share carries the NCHS verdict of a proportion (reliability.py), as prevalence does: the
report, the UpSet plot and the key findings show no suppressed share, nor the n and observed /
expected that would give it back. The weighted number of people with the pattern gets the NCHS
verdict of a count (count_reliability.py): a key finding needs both verdicts clean, so that no
headline rests on a handful of respondents (a share of 1.6% from 6 rows can pass the proportion
rules, whose CI width is then under 5 points, and fails the count rule's sample size of 10).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from ..survey.count_reliability import weighted_count_reliability
from ..survey.data import AnalysisData
from ..survey.design import SurveyDesign, domain_mean_influence
from ..survey.estimate import LOG, LOGIT, Estimate
from ..survey.inference import proportion
from ..survey.reliability import proportion_reliability

ALL_PATTERNS_UP_TO = 6  # conditions: 64 patterns, each listed even when no row has it
COLUMNS = [
    "pattern",
    "n_conditions",
    "n",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "expected",
    "oe_ratio",
    "oe_ci_low",
    "oe_ci_high",
    "reliability",
    "count_reliability",
    "note",
]


def pattern_label(present: tuple[str, ...]) -> str:
    return "+".join(present) if present else "none"


def pattern_table(data: AnalysisData) -> pd.DataFrame:
    """One row per pattern, among rows where every analysed condition is known (with more than
    ALL_PATTERNS_UP_TO conditions, one row per pattern some row has).

    expected = product of the marginal prevalences (on the same rows); the CI of observed/expected
    linearizes log(share) - sum(log marginal), so it is design-based like the others.
    """
    data = data.cells(keep=())  # the conditions alone
    design = data.design
    present = [c for c in data.conditions if not np.isnan(data.condition(c)).all()]
    left_out = "; ".join(f"{c} has no known values and is left out" for c in data.conditions if c not in present)
    values = data.condition_matrix(present)
    complete = ~np.isnan(values).any(axis=1) & (design.weight > 0)
    if not complete.any():
        note = "; ".join(filter(None, [left_out, "no row has every condition known"]))
        return pd.DataFrame([{"pattern": "", "n": 0, "note": note}], columns=COLUMNS + present)
    known = np.nan_to_num(values)
    marginals = [domain_mean_influence(known[:, j], design.weight, complete) for j in range(len(present))]
    rows = []
    for states in _patterns(known, complete):
        states = np.array(states)
        in_pattern = (known == states).all(axis=1).astype(float)
        share = proportion(np.where(complete, in_pattern, np.nan), design, complete)
        expected, log_expected_influence = _expected(states, marginals)
        numbers = share.summary(scale=LOGIT)
        oe_ratio = share.value() / expected if expected > 0 else np.nan
        row = {
            "pattern": pattern_label(tuple(c for c, s in zip(present, states) if s)),
            "n_conditions": int(states.sum()),
            **{k: numbers[k] for k in ("estimate", "se", "ci_low", "ci_high")},
            "note": "; ".join(filter(None, [numbers["note"], left_out])),
            "n": design.rows((in_pattern == 1) & complete),
            "expected": expected,
            "oe_ratio": oe_ratio,
            "reliability": proportion_reliability(share)["reliability"],
            "count_reliability": weighted_count_reliability(design, design.weight, (in_pattern == 1) & complete),
        }
        row["oe_ci_low"], row["oe_ci_high"] = _oe_interval(
            share, oe_ratio, in_pattern, complete, log_expected_influence, design
        )
        rows.append(row | {c: bool(s) for c, s in zip(present, states)})
    table = pd.DataFrame(rows, columns=COLUMNS + present)
    return table.sort_values(["n_conditions", "estimate"], ascending=[True, False], kind="stable").reset_index(
        drop=True
    )


def _patterns(known: np.ndarray, complete: np.ndarray):
    """Every combination of the k conditions while 2^k is small; beyond, the ones seen (at most n rows' worth)."""
    k = known.shape[1]
    if k <= ALL_PATTERNS_UP_TO:
        return itertools.product([1, 0], repeat=k)
    return (tuple(states) for states in np.unique(known[complete].astype(int), axis=0)[::-1])


def _expected(states: np.ndarray, marginals) -> tuple[float, np.ndarray]:
    """Product of marginals for a pattern, and the influence values of its logarithm."""
    expected = 1.0
    influence = 0.0
    for state, (mean, infl) in zip(states, marginals):
        factor = mean if state else 1 - mean
        expected *= factor
        influence = influence + (infl if state else -infl) / factor if factor > 0 else np.nan
    return expected, influence


def _oe_interval(share: Estimate, oe_ratio, in_pattern, complete, log_expected_influence, design: SurveyDesign):
    """Wald interval of log(observed/expected), t on the domain's design df."""
    if not (share.value() > 0) or share.df <= 0 or not np.all(np.isfinite(log_expected_influence)):
        return np.nan, np.nan
    _, share_influence = domain_mean_influence(in_pattern, design.weight, complete)
    influence = share_influence / share.value() - log_expected_influence
    # the linearized variance of log(O/E), carried back to the ratio's scale for the log interval
    log_variance = design.variance(influence, complete)
    ratio = Estimate(np.array([oe_ratio]), log_variance * oe_ratio**2, share.df)
    low, high, _ = ratio.interval(scale=LOG)
    return low, high
