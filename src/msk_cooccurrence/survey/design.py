"""Survey design and Taylor-linearized (sandwich) variance, the way R's `survey` computes it.

We keep this small module rather than adopt a survey library: statsmodels has no design-based
variance (its `cov_type="cluster"` neither centres PSU totals within strata nor uses the design
degrees of freedom), samplics is archived and uses the wrong degrees of freedom, and matching R
`survey` to 1e-6 needs R's exact handling of domains and lonely PSUs, which is a few dozen lines
here and is tested against R's own figures (tests/test_design.py, tests/test_reference_r.py).

Conventions (R `survey` 4.1, `svydesign(ids=~psu, strata=~stratum, weights=~w, nest=TRUE)`):
with-replacement approximation, no finite population correction; PSU totals of the influence
values are centred within their stratum and scaled by n_h / (n_h - 1), with n_h the number of PSUs
the stratum has in the whole design. A domain (rows kept for one estimate) is a zero-weighted
subset: rows outside it still define their PSU and stratum, so n_h and the centring match R's
`subset()` of a design. Degrees of freedom are those of R's `degf()` on the domain: PSUs minus
strata among the rows in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from ..errors import InputError

LONELY_PSU_OPTIONS = ("adjust", "average", "certainty", "remove", "fail")
LONELY_PSU_HANDLING = {
    "adjust": "each contributes its PSU total's squared deviation from the grand mean (R survey.lonely.psu 'adjust')",
    "average": "each is given the average variance of the strata with two or more PSUs (R 'average')",
    "certainty": "each is taken as sampled with certainty and contributes no variance (R 'certainty')",
    "remove": "each contributes no variance and the others are not rescaled (R 'remove')",
    "fail": "the run stops at the first estimate that needs one (R 'fail')",
}


class LonelyPSUError(InputError, ValueError):
    """A stratum has a single PSU and the design says `lonely_psu: fail`."""


@dataclass(frozen=True, eq=False)
class SurveyDesign:
    """A stratified single-stage (ultimate cluster) design over n units: rows, or cells of rows.

    `stratum` and `psu` are integer codes; PSU codes are unique across strata (nested). A unit
    may be a cell of rows (cells.py): its weight is then the rows' summed weight and `count`
    says how many rows it holds; without `count` every unit is one row.
    """

    weight: np.ndarray
    stratum: np.ndarray
    psu: np.ndarray
    lonely_psu: str = "adjust"
    has_clusters: bool = True
    stratum_labels: tuple = ()
    count: np.ndarray | None = None
    weight_squared: np.ndarray | None = None  # a cell's rows' summed squared weights (Kish's design effect)

    def square_weight_sum(self, units: np.ndarray, weight: np.ndarray | None = None) -> float:
        """The sum of the squared weights of the rows the `units` stand for; `weight`: the units' weights
        when they are the design's times a factor per unit (standardized weights), else the design's."""
        units = np.asarray(units, bool)
        weight = self.weight if weight is None else np.asarray(weight, float)
        if self.weight_squared is None:
            return float((weight[units] ** 2).sum())
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(self.weight[units] > 0, weight[units] / self.weight[units], 0.0)
        return float((factor**2 * self.weight_squared[units]).sum())

    def rows(self, units: np.ndarray | None = None) -> int:
        """How many rows the units marked in `units` (all by default) stand for."""
        if units is None:
            return int(self.n if self.count is None else self.count.sum())
        units = np.asarray(units, bool)
        return int(units.sum() if self.count is None else self.count[units].sum())

    @classmethod
    def from_columns(cls, weight, stratum=None, psu=None, lonely_psu: str = "adjust") -> SurveyDesign:
        """Build a design from row arrays; without stratum and PSU each row is its own PSU."""
        if lonely_psu not in LONELY_PSU_OPTIONS:
            raise ValueError(f"lonely_psu must be one of {LONELY_PSU_OPTIONS}, not {lonely_psu!r}")
        weight = np.asarray(weight, dtype=float)
        n = weight.shape[0]
        if stratum is None and psu is None:
            return cls(weight, np.zeros(n, dtype=np.int64), np.arange(n, dtype=np.int64), lonely_psu, False)
        strata_values, labels = (
            (np.zeros(n, dtype=np.int64), ["all"]) if stratum is None else pd.factorize(_values(stratum))
        )
        psu_values = np.arange(n) if psu is None else pd.factorize(_values(psu))[0]
        # nest=TRUE: a PSU label is only meaningful within its stratum
        # (stratum, PSU) pairs as one integer: factorized in order of first appearance, as pairs would be
        span = int(psu_values.max()) + 1 if n else 1
        nested = pd.factorize(strata_values.astype(np.int64) * span + psu_values)[0]
        return cls(
            weight, strata_values.astype(np.int64), nested.astype(np.int64), lonely_psu, True, tuple(map(str, labels))
        )

    @property
    def n(self) -> int:
        return self.weight.shape[0]

    @cached_property
    def psu_stratum(self) -> np.ndarray:
        """Stratum code of each PSU code."""
        out = np.empty(self.psu.max() + 1 if self.n else 0, dtype=np.int64)
        out[self.psu] = self.stratum
        return out

    @cached_property
    def psus_per_stratum(self) -> np.ndarray:
        """n_h: number of PSUs each stratum has in the whole design."""
        return np.bincount(self.psu_stratum, minlength=self.stratum.max() + 1 if self.n else 0)

    def degrees_of_freedom(self, domain: np.ndarray | None = None) -> int:
        """R's degf(): distinct PSUs minus distinct strata among the domain's rows with weight."""
        inset = self.weight > 0 if domain is None else (np.asarray(domain, bool) & (self.weight > 0))
        # counting codes present with bincount: the same as np.unique(...).size, without a sort or hash
        return int(np.count_nonzero(np.bincount(self.psu[inset])) - np.count_nonzero(np.bincount(self.stratum[inset])))

    def variance(self, influence: np.ndarray, domain: np.ndarray | None = None) -> np.ndarray:
        """Design covariance of a sum of row influence values (n x p) -> (p x p).

        Influence values must already be zero outside the domain.
        """
        return self.variance_of_totals(self.psu_totals(influence), domain)

    def psu_totals(self, influence: np.ndarray) -> np.ndarray:
        """Each PSU's sum of the units' influence values (n x p) -> (PSUs x p)."""
        x = np.asarray(influence, dtype=float).reshape(self.n, -1)
        n_psu = self.psu_stratum.size
        return np.column_stack([np.bincount(self.psu, weights=x[:, j], minlength=n_psu) for j in range(x.shape[1])])

    def product_totals(self, X: np.ndarray, r: np.ndarray, units: np.ndarray, columns=None) -> np.ndarray:
        """PSU totals of X[units][:, columns] * r[:, None] (PSUs x columns), X over every unit and r over
        the `units` marked, a column at a time (all columns when None).

        The same totals as psu_totals of the product, without holding it: a million-row model
        needs two more columns of memory, not p.
        """
        units = np.asarray(units, bool)
        psu = self.psu[units]
        n_psu = self.psu_stratum.size
        columns = range(X.shape[1]) if columns is None else columns
        return np.column_stack([np.bincount(psu, weights=X[units, j] * r, minlength=n_psu) for j in columns])

    def variance_of_totals(self, totals: np.ndarray, domain: np.ndarray | None = None) -> np.ndarray:
        """Design covariance from the PSU totals of influence values (PSUs x p), for a domain of units."""
        present = np.ones(self.n, bool) if domain is None else np.asarray(domain, bool)
        psu_stratum = self.psu_stratum
        n_h = self.psus_per_stratum
        # the strata R's subset() would still hold
        strata_present = np.flatnonzero(np.bincount(self.stratum[present]))  # sorted, as np.unique, without a sort
        try:
            return _sum_strata(totals, psu_stratum, n_h, strata_present, self.lonely_psu)
        except LonelyPSUError as error:
            h = int(str(error))
            label = self.stratum_labels[h] if h < len(self.stratum_labels) else h
            raise LonelyPSUError(
                f"Stratum '{label}' has a single PSU and the config says `lonely_psu: fail`. Choose how such "
                f"a stratum enters the variance (adjust, average, certainty or remove, as R's "
                f"survey.lonely.psu) or check the stratum and psu columns."
            ) from None


def _sum_strata(totals, psu_stratum, n_h, strata_present, lonely_psu) -> np.ndarray:
    """R survey's onestage(): per-stratum crossproducts of centred PSU totals, summed."""
    p = totals.shape[1]
    total = np.zeros((p, p))
    n_undefined = 0
    stratum_sums = np.zeros((n_h.size, p))
    np.add.at(stratum_sums, psu_stratum, totals)
    for h in strata_present:
        rows = totals[psu_stratum == h]
        nh = n_h[h]
        if nh > 1:
            centred = rows - stratum_sums[h] / nh
            total += centred.T @ centred * (nh / (nh - 1))
            continue
        # a lonely PSU (the stratum has one PSU in the whole design)
        if lonely_psu == "fail":
            raise LonelyPSUError(str(h))
        if lonely_psu == "average":
            n_undefined += 1
        elif lonely_psu == "adjust":
            # centred at the grand mean, which is zero for influence values
            total += rows.T @ rows
        # certainty and remove contribute nothing
    n_strata = len(strata_present)
    if n_undefined:
        # R: the defined strata stand in for the lonely ones
        total = total * n_strata / (n_strata - n_undefined) if n_strata > n_undefined else total * np.nan
    return total


def domain_mean_influence(y: np.ndarray, weight: np.ndarray, domain: np.ndarray) -> tuple[float, np.ndarray]:
    """Weighted mean of y over a domain and its influence values (zero outside the domain)."""
    w = np.where(domain, weight, 0.0)
    total_w = w.sum()
    yy = np.where(domain, y, 0.0)
    mean = float((w * yy).sum() / total_w)
    return mean, w * (yy - mean) / total_w


def design_of(frame: pd.DataFrame, lonely_psu: str = "adjust") -> SurveyDesign:
    """The design of a validated analysis table: clusters when it has stratum and PSU columns."""
    if "stratum" in frame and "psu" in frame:
        return SurveyDesign.from_columns(frame["weight"], frame["stratum"], frame["psu"], lonely_psu)
    return SurveyDesign.from_columns(frame["weight"], lonely_psu=lonely_psu)


def _values(column):
    """A column as pandas factorizes it fastest: a Series as it is (text stays Arrow, not Python objects)."""
    return column if isinstance(column, pd.Series) else np.asarray(column)


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
