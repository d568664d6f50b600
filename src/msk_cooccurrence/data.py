"""The analysis data every estimator takes: the validated rows, their survey design, what is present.

One object instead of (frame, conditions, covariates, design) passed side by side, so an estimator
asks for a condition's values, the adjustment set or a grouping here rather than from another
estimator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from .design import SurveyDesign, design_of

# a condition defined from a covariate is never adjusted for it: BMI would predict obesity perfectly
DEFINED_BY = {"obesity": "bmi"}
BMI_CLASSES = ((0, "underweight (<18.5)"), (18.5, "normal (18.5-24.9)"), (25, "overweight (25-29.9)"))


def predictor_label(name: str) -> str:
    """A predictor of `adjustment()` as the config names it: the female indicator is the covariate sex."""
    return "sex" if name == "female" else name


def age_band_labels(age: pd.Series, lower_bounds) -> pd.Series:
    """Each age's band; ages below the first bound are the band 'under <first bound>', never left out."""
    bounds = sorted(lower_bounds)
    labels = [f"{lo}-{hi - 1}" for lo, hi in zip(bounds, bounds[1:])] + [f"{bounds[-1]}+"]
    if (age < bounds[0]).any():
        bounds, labels = [-np.inf, *bounds], [f"under {bounds[0]}", *labels]
    return pd.cut(age, bins=[*bounds, np.inf], right=False, labels=labels)


def bmi_class_labels(bmi: pd.Series, obesity_bmi: float) -> pd.Series:
    edges = [lower for lower, _ in BMI_CLASSES] + [obesity_bmi]
    labels = [label for _, label in BMI_CLASSES] + [f"obese ({obesity_bmi:g}+)"]
    classes = pd.cut(bmi, bins=[*edges, np.inf], right=False, labels=labels)
    return classes.cat.add_categories("unknown").fillna("unknown")


def ordered_levels(levels: pd.Series) -> list[str]:
    """Levels present, in their natural order: bands and classes ascending, otherwise sorted."""
    if isinstance(levels.dtype, pd.CategoricalDtype):
        return [str(c) for c in levels.cat.categories if (levels == c).any()]
    return sorted(levels.dropna().unique())


@dataclass(frozen=True, eq=False)
class AnalysisData:
    """Validated rows and their design; `conditions` are those of the config present in the rows."""

    frame: pd.DataFrame
    design: SurveyDesign
    conditions: tuple[str, ...]
    covariates: tuple[str, ...] = ()
    absent: tuple[str, ...] = field(default=())

    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, conditions: Sequence[str], covariates: Sequence[str] = (), lonely_psu="adjust"
    ) -> AnalysisData:
        present = tuple(c for c in conditions if c in frame)
        absent = tuple(c for c in conditions if c not in frame)
        return cls(frame, design_of(frame, lonely_psu), present, tuple(covariates), absent)

    @property
    def n(self) -> int:
        return len(self.frame)

    @cached_property
    def _condition_cache(self) -> dict[str, np.ndarray]:
        return {}

    def condition(self, name: str) -> np.ndarray:
        """A condition as floats: 1, 0, NaN for unknown."""
        if name not in self._condition_cache:
            values = self.frame[name].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            self._condition_cache[name] = values
        return self._condition_cache[name]

    def condition_matrix(self, names: Sequence[str] | None = None) -> np.ndarray:
        """Rows x conditions (all analysed ones by default), 1/0/NaN."""
        names = self.conditions if names is None else names
        return np.column_stack([self.condition(c) for c in names]) if names else np.empty((self.n, 0))

    def adjustment(self, exclude: Sequence[str] = ()) -> dict[str, np.ndarray]:
        """The adjustment set's predictors present in the rows: age and BMI linear, sex as a female indicator.

        Keys are predictor names (`female` for sex); values float arrays with NaN = unknown.
        """
        out = {}
        for name in self.covariates:
            if name not in self.frame or name in exclude:
                continue
            if name == "sex":
                sex = self.frame["sex"]
                out["female"] = np.where(sex.isna(), np.nan, (sex == "female").astype(float))
            else:
                out[name] = self.frame[name].to_numpy(dtype=float)
        return out

    def adjustment_for(self, conditions: Sequence[str]) -> dict[str, np.ndarray]:
        """The adjustment set of a model of these conditions: without a covariate that defines one of them."""
        return self.adjustment(exclude=tuple(DEFINED_BY[c] for c in conditions if c in DEFINED_BY))

    def groupings(self, age_bands, obesity_bmi: float) -> dict[str, pd.Series]:
        """Group name -> the level of each row: overall first, then sex, age band and BMI class."""
        groups = {"overall": pd.Series("all", index=self.frame.index)}
        groups["sex"] = self.frame["sex"]
        groups["age_band"] = age_band_labels(self.frame["age"], age_bands)
        if "bmi" in self.frame:
            groups["bmi_class"] = bmi_class_labels(self.frame["bmi"], obesity_bmi)
        return groups
