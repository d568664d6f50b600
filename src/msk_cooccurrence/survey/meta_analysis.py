"""Random-effects meta-analysis of one effect across studies, as R metafor's `rma(yi, sei)` computes it.

statsmodels' `combine_effects` gives Cochran's Q and the DerSimonian-Laird moment estimate of tau2,
and both are used here. It does not give what metafor's default does: REML (statsmodels iterates
Paule-Mandel, not REML), and its DL tau2 is not truncated at 0 (so its pooled estimate uses a
negative tau2 when Q < k - 1), and its I2 is 1 - (k - 1)/Q, not metafor's tau2 / (tau2 + vt).
So this module adds, following metafor 3.8's `rma.uni` for an intercept-only model:

- REML by Fisher scoring: the Hedges (HE) estimate, truncated at 0, as the starting value; steps
  (y'PPy - tr P) / tr PP, halved while they would take tau2 below 0; stop when a step changes tau2
  by less than 1e-5 or after 100 steps; then metafor's check that the restricted likelihood at
  tau2 = 0 is not higher (`ll0check`), and tau2 >= 0;
- DL: statsmodels' estimate truncated at 0;
- the pooled estimate with weights 1 / (v_i + tau2), its Wald z interval (what metafor prints by
  default, test = "z"), Q with its chi-squared p on k - 1 df, and I2 = 100 tau2 / (tau2 + vt) with
  vt = (k - 1) / tr P, metafor's "typical" within-study variance (Higgins and Thompson, 2002).

tests/test_comparison.py holds these against metafor's figures (tests/r/comparison.R).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

METHODS = ("REML", "DL")
THRESHOLD = 1e-5  # metafor's control `threshold`: convergence of the Fisher scoring
MAX_ITERATIONS = 100  # metafor's `maxiter`
LL0_TOLERANCE = np.finfo(float).eps ** 0.25  # metafor's `tol`, used by its ll0check
Z_975 = 1.959963984540054  # qnorm(0.975)


class NotConverged(ArithmeticError):
    """REML's Fisher scoring did not converge (metafor stops with the same complaint)."""


@dataclass(frozen=True)
class Pooled:
    """A random-effects pooled estimate on the scale of the inputs (log odds ratios here)."""

    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    tau2: float
    i2: float  # percent, as metafor's I2
    q: float
    q_p_value: float
    method: str


def projection(weights: np.ndarray) -> np.ndarray:
    """metafor's P = W - W X (X'WX)^-1 X'W for the intercept-only model X = 1."""
    return np.diag(weights) - np.outer(weights, weights) / weights.sum()


def hedges_tau2(y: np.ndarray, v: np.ndarray) -> float:
    """The Hedges (HE) estimate, metafor's starting value for REML: (RSS - tr(PV)) / (k - 1) with
    the unweighted projection, truncated at 0."""
    k = len(y)
    rss = float(((y - y.mean()) ** 2).sum())
    return max(0.0, (rss - v.sum() * (1 - 1 / k)) / (k - 1))


def restricted_log_likelihood(y: np.ndarray, v: np.ndarray, tau2: float) -> float:
    """The REML log-likelihood of tau2 (metafor's ll.REML for X = 1)."""
    w = 1 / (v + tau2)
    mean = (w * y).sum() / w.sum()
    rss = (w * (y - mean) ** 2).sum()
    return float(
        -0.5 * (len(y) - 1) * np.log(2 * np.pi) - 0.5 * np.log(v + tau2).sum() - 0.5 * np.log(w.sum()) - 0.5 * rss
    )


def reml_tau2(y: np.ndarray, v: np.ndarray) -> float:
    """tau2 by REML, metafor's Fisher scoring (see the module's docstring)."""
    tau2 = hedges_tau2(y, v)
    for _ in range(MAX_ITERATIONS):
        p = projection(1 / (v + tau2))
        py = p @ y
        step = (py @ py - np.trace(p)) / np.trace(p @ p)
        while tau2 + step < 0:
            step /= 2
        tau2, previous = tau2 + step, tau2
        if abs(previous - tau2) <= THRESHOLD:
            break
    else:
        raise NotConverged("REML's Fisher scoring did not converge in 100 steps")
    if (
        restricted_log_likelihood(y, v, 0.0) - restricted_log_likelihood(y, v, tau2) > LL0_TOLERANCE
        and tau2 > THRESHOLD
    ):
        tau2 = 0.0  # stuck at a local maximum: metafor sets tau2 = 0 (with a warning)
    return max(0.0, float(tau2))


def random_effects(estimates, standard_errors, method: str = "REML") -> Pooled:
    """Pool `estimates` (k >= 2, on an additive scale) with their standard errors, as rma(yi, sei, method)."""
    from scipy.stats import chi2
    from statsmodels.stats.meta_analysis import combine_effects

    y = np.asarray(estimates, dtype=float)
    v = np.asarray(standard_errors, dtype=float) ** 2
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}")
    if len(y) < 2 or not (np.isfinite(y).all() and np.isfinite(v).all() and (v > 0).all()):
        raise ValueError("pooling needs two or more finite estimates with positive standard errors")
    k = len(y)
    with np.errstate(divide="ignore", invalid="ignore"):  # its own I2 divides by Q, which may be 0; not used
        fixed = combine_effects(y, v, method_re="dl")
    q = max(0.0, float(fixed.q))
    tau2 = max(0.0, float(fixed.tau2)) if method == "DL" else reml_tau2(y, v)
    w = 1 / (v + tau2)
    estimate = float((w * y).sum() / w.sum())
    se = float(np.sqrt(1 / w.sum()))
    typical = (k - 1) / np.trace(projection(1 / v))
    return Pooled(
        k=k,
        estimate=estimate,
        se=se,
        ci_low=estimate - Z_975 * se,
        ci_high=estimate + Z_975 * se,
        tau2=tau2,
        i2=float(100 * tau2 / (typical + tau2)),
        q=q,
        q_p_value=float(chi2.sf(q, k - 1)),
        method=method,
    )
