"""One shape for every estimate: coefficients, their design covariance, degrees of freedom, a note.

As in R's `survey` (every result answers coef, vcov, SE and degf, and one `confint` serves them
all), every number in the tables comes from an `Estimate` and its `interval`, `p_value` or
`wald_test`: the intervals are written here once. A Wald interval may be computed on a link scale
and mapped back (logit for a proportion, as `svyciprop(method = "logit")`; log for a ratio), by
the delta method on the link. A proportion also has the Korn-Graubard interval
(`svyciprop(method = "beta")`), the one the NCHS presentation standards use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np


def _special():
    """scipy.special, loaded at the first quantile or tail probability: the jobs that only summarize
    a design (validation, the report) never load it. Its functions, not scipy.stats' distributions:
    they are what stats.t, beta and f call (the same numbers to the last bit), and loading
    scipy.stats costs a job a second."""
    from scipy import special

    return special


CONFIDENCE = 0.95
ROUNDING = 1e-12  # about 4,500 machine epsilons: rounding summed over a million rows stays below it
NO_VARIANCE = "the design variance is zero (at rounding level): no test"


def at_rounding_level(se, reference) -> bool:
    """Whether an SE (or each of several) is at most ROUNDING times its reference's magnitude: zero
    but for floating point's rounding, so that no test can divide by it."""
    se, reference = np.abs(np.asarray(se, float)), np.abs(np.asarray(reference, float))
    return bool(np.any(se <= ROUNDING * reference))


@dataclass(frozen=True)
class Scale:
    """A link scale for intervals: the map, its inverse and derivative, and where it is defined."""

    name: str
    forward: Callable[[float], float]
    inverse: Callable[[float], float]
    derivative: Callable[[float], float]
    defined: Callable[[float], bool]
    undefined_note: str


def _expit(x):
    return 1 / (1 + np.exp(-x))


IDENTITY = Scale("identity", lambda v: v, lambda v: v, lambda v: 1.0, lambda v: True, "")
LOGIT = Scale(
    "logit",
    lambda p: np.log(p / (1 - p)),
    _expit,
    lambda p: 1 / (p * (1 - p)),
    lambda p: 0 < p < 1,
    "proportion is 0 or 1; the logit interval is undefined",
)
LOG = Scale("log", np.log, np.exp, lambda v: 1 / v, lambda v: v > 0, "the ratio is 0; the log interval is undefined")


def t_quantile(df: float, level: float = CONFIDENCE) -> float:
    """The two-sided t quantile on df degrees of freedom (a normal one when df is infinite)."""
    return float(_special().stdtrit(df, 0.5 + level / 2))


def beta_quantile(q: float, a: float, b: float) -> float:
    """The q quantile of Beta(a, b), as scipy.stats.beta.ppf."""
    return float(_special().betaincinv(a, b, q))


def f_upper_tail(f: float, df_num: float, df_den: float) -> float:
    """P(F > f) on (df_num, df_den) degrees of freedom, as scipy.stats.f.sf."""
    return float(_special().fdtrc(df_num, df_den, f))


def effective_sample_size(p: float, variance: float, n: int) -> float:
    """NCHS: p(1 - p) / var, and n when p is 0 or 1 (the variance is then 0)."""
    if not np.isfinite(p):
        return np.nan
    if p <= 0 or p >= 1:
        return float(n)
    return float(p * (1 - p) / variance) if variance > 0 else np.nan


def degrees_of_freedom_ratio(n: int, df: float, level: float = CONFIDENCE) -> float:
    """Korn and Graubard's (t_{n-1} / t_df)^2, which scales the effective sample size to the design's df."""
    return (t_quantile(n - 1, level) / t_quantile(df, level)) ** 2


def clopper_pearson(p: float, n_effective: float, level: float = CONFIDENCE) -> tuple[float, float]:
    """The exact binomial interval with p * n_effective events in n_effective trials (0 and 1 at the ends)."""
    alpha = 1 - level
    low = beta_quantile(alpha / 2, n_effective * p, n_effective * (1 - p) + 1) if p > 0 else 0.0
    high = beta_quantile(1 - alpha / 2, n_effective * p + 1, n_effective * (1 - p)) if p < 1 else 1.0
    return low, high


def korn_graubard_interval(p: float, variance: float, n: int, df: float, level: float = CONFIDENCE):
    """R svyciprop(method = "beta"): Clopper-Pearson on the effective sample size scaled by (t_{n-1} / t_df)^2.

    Not capped at n, as R. R gives NaN when p is 0 or 1; there the effective size is n (the exact
    binomial interval), as the NCHS macro and CDC's surveytable do. Returns (low, high, note).
    """
    if not np.isfinite(p):
        return np.nan, np.nan, "no estimate"
    if not df > 0 or n < 2:
        return np.nan, np.nan, "design has no degrees of freedom in this domain"
    if not np.isfinite(variance):
        return np.nan, np.nan, "variance undefined (lonely PSU)"
    n_eff = effective_sample_size(p, variance, n)
    if 0 < p < 1:
        n_eff *= degrees_of_freedom_ratio(n, df, level)
    return (*clopper_pearson(p, n_eff, level), "")


@dataclass(frozen=True, eq=False)
class Estimate:
    """Coefficients with their design covariance, the df of their t reference, and provenance.

    `totals`, the PSU totals of the influence values (PSUs x coefficients), lets a later estimate
    that is a function of these coefficients linearize through them (predictive margins): the
    design variance needs the influence values only summed by PSU. `model`: the statsmodels results
    of the fit behind a model's estimate (its point estimates; its standard errors are model-based,
    these are the design's), for a notebook user. `scale`: each coefficient's reference for its SE
    (at_rounding_level), or None where no test needs one.
    """

    coef: np.ndarray
    vcov: np.ndarray
    df: float
    n: int = 0
    note: str = ""
    totals: np.ndarray | None = None
    model: object = None
    scale: np.ndarray | None = None

    @classmethod
    def scalar(cls, value: float, se: float, df: float, n: int = 0, note: str = "") -> Estimate:
        return cls(np.array([float(value)]), np.array([[float(se) ** 2]]), df, n, note)

    @classmethod
    def not_estimable(cls, size: int, n: int, note: str, df: float = 0) -> Estimate:
        """NaN coefficients with the reason: what a table shows when the data cannot support it."""
        return cls(np.full(size, np.nan), np.full((size, size), np.nan), df, n, note)

    def with_note(self, note: str) -> Estimate:
        return replace(self, note="; ".join(filter(None, [self.note, note])))

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.diag(self.vcov))

    def value(self, j: int = 0) -> float:
        return float(self.coef[j])

    def no_variance(self, index) -> bool:
        """Whether the design gives the coefficients in `index` (or a combination of them) no
        variance but rounding: their covariance, each scaled by its reference, has an eigenvalue at
        most ROUNDING squared."""
        index = list(np.atleast_1d(index))
        if self.scale is None or not np.isfinite(self.scale[index]).all():
            return False
        scaled = self.vcov[np.ix_(index, index)] / np.outer(self.scale[index], self.scale[index])
        if not np.isfinite(scaled).all():
            return False
        smallest = float(np.linalg.eigvalsh((scaled + scaled.T) / 2).min())
        return at_rounding_level(np.sqrt(max(smallest, 0.0)), 1.0)

    def interval(self, j: int = 0, scale: Scale = IDENTITY, level: float = CONFIDENCE) -> tuple[float, float, str]:
        """Wald interval of coefficient j with a t quantile on df, computed on `scale` and mapped back.

        Returns (low, high, note): NaN bounds and the reason when the interval is undefined.
        """
        value, se = self.value(j), float(self.se[j])
        if not np.isfinite(value):
            return np.nan, np.nan, ""
        if not scale.defined(value):
            return np.nan, np.nan, scale.undefined_note
        if not self.df > 0:
            return np.nan, np.nan, "design has no degrees of freedom in this domain"
        if not np.isfinite(se):
            return np.nan, np.nan, "variance undefined (lonely PSU)"
        half = t_quantile(self.df, level) * se * abs(scale.derivative(value))
        centre = scale.forward(value)
        return float(scale.inverse(centre - half)), float(scale.inverse(centre + half)), ""

    def korn_graubard(self, j: int = 0, level: float = CONFIDENCE) -> tuple[float, float, str]:
        """The Korn-Graubard interval of a proportion (coefficient j) over this estimate's n rows and df."""
        return korn_graubard_interval(self.value(j), float(self.vcov[j, j]), self.n, self.df, level)

    def proportion_interval(self, kind: str, j: int = 0) -> tuple[float, float, str]:
        """A proportion's interval of the kind the config chooses: logit or korn_graubard."""
        return self.korn_graubard(j) if kind == "korn_graubard" else self.interval(j, LOGIT)

    def p_value(self, j: int = 0, null: float = 0.0) -> float:
        """Two-sided Wald t test of coefficient j = null on df."""
        se = float(self.se[j])
        if not (np.isfinite(se) and se > 0 and self.df > 0) or self.no_variance(j):
            return np.nan
        return float(2 * _special().stdtr(self.df, -abs(self.value(j) - null) / se))

    def wald_test(self, index, adjusted: bool = True) -> tuple[float, int, float, float, str]:
        """Design-based Wald F test that the coefficients in `index` are all zero.

        Adjusted (Korn and Graubard, Stata's svy default): F = W (d - q + 1) / (d q) on (q, d - q + 1)
        degrees of freedom; not adjusted (R's `regTermTest(fit, ~terms, method = "Wald")` with its
        default df, the model's residual df): F = W / q on (q, d). W is the Wald statistic, d this
        estimate's df and q the number of terms tested. Returns (F, q, denominator df, p-value, note).
        """
        index = list(index)
        q = len(index)
        if not self.df > 0:
            return np.nan, q, np.nan, np.nan, "no design degrees of freedom left for the test"
        df_den = self.df - q + 1 if adjusted else self.df
        if df_den <= 0:
            return np.nan, q, np.nan, np.nan, f"too few design degrees of freedom ({self.df:g}) to test {q} terms"
        b = self.coef[index]
        if not np.isfinite(b).all():
            return np.nan, q, df_den, np.nan, "a term tested could not be estimated: no test"
        if self.no_variance(index):
            return np.nan, q, df_den, np.nan, NO_VARIANCE
        try:
            wald = float(b @ np.linalg.solve(self.vcov[np.ix_(index, index)], b))
        except np.linalg.LinAlgError:
            return np.nan, q, df_den, np.nan, "the terms' design covariance is singular: no test"
        f = wald * df_den / (self.df * q)
        return f, q, df_den, f_upper_tail(f, q, df_den), ""

    def summary(self, j: int = 0, scale: Scale = IDENTITY, report: Callable | None = None) -> dict:
        """One table row's numbers: estimate, se, ci_low, ci_high, p_value, df, n, note.

        `scale` is where the interval is computed; `report` maps the estimate and its bounds for
        display (exp for a log odds ratio); `se` stays on the coefficient's own scale.
        """
        low, high, note = self.interval(j, scale)
        if self.no_variance(j):
            note = "; ".join(filter(None, [note, NO_VARIANCE]))
        shown = report or (lambda v: v)
        return {
            "n": self.n,
            "estimate": float(shown(self.value(j))),
            "se": float(self.se[j]),
            "ci_low": float(shown(low)),
            "ci_high": float(shown(high)),
            "p_value": self.p_value(j),
            "df": self.df,
            "note": "; ".join(filter(None, [self.note, note])),
        }
