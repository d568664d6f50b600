"""Weighted prevalence of each condition, overall and by sex, age band and BMI class."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .design import SurveyDesign
from .inference import proportion
from .reliability import proportion_details
from .standardize import standard_groups as standard_group_of
from .standardize import standardized_proportion, standardized_weights

COLUMNS = ["condition", "group", "level", "n", "n_cases", "estimate", "se", "ci_low", "ci_high", "df"]
# issue 12: population counts, design effect, effective n, Korn-Graubard CI and NCHS reliability
COLUMNS += ["population", "cases", "deff", "n_effective", "kg_low", "kg_high", "reliability", "note"]
BMI_CLASSES = ((0, "underweight (<18.5)"), (18.5, "normal (18.5-24.9)"), (25, "overweight (25-29.9)"))


def condition_values(frame: pd.DataFrame, condition: str) -> np.ndarray:
    """A condition as floats: 1, 0, NaN for unknown."""
    return frame[condition].astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def age_band_labels(age: pd.Series, lower_bounds) -> pd.Series:
    bounds = sorted(lower_bounds)
    labels = [f"{lo}-{hi - 1}" for lo, hi in zip(bounds, bounds[1:])] + [f"{bounds[-1]}+"]
    return pd.cut(age, bins=[*bounds, np.inf], right=False, labels=labels)


def bmi_class_labels(bmi: pd.Series, obesity_bmi: float) -> pd.Series:
    edges = [lower for lower, _ in BMI_CLASSES] + [obesity_bmi]
    labels = [label for _, label in BMI_CLASSES] + [f"obese ({obesity_bmi:g}+)"]
    classes = pd.cut(bmi, bins=[*edges, np.inf], right=False, labels=labels)
    return classes.cat.add_categories("unknown").fillna("unknown")


def grouping(frame: pd.DataFrame, age_bands, obesity_bmi: float) -> dict[str, pd.Series]:
    """Group name -> the level of each row (overall first, in the contract's order)."""
    groups = {"overall": pd.Series("all", index=frame.index)}
    groups["sex"] = frame["sex"]
    groups["age_band"] = age_band_labels(frame["age"], age_bands)
    if "bmi" in frame:
        groups["bmi_class"] = bmi_class_labels(frame["bmi"], obesity_bmi)
    return groups


def prevalence_table(
    frame: pd.DataFrame,
    conditions,
    design: SurveyDesign,
    age_bands,
    obesity_bmi,
    standard_groups=None,
    interval="logit",
) -> pd.DataFrame:
    """Crude prevalence by group; with a standard population also age-standardized (overall, by sex).

    `interval` (logit or korn_graubard) chooses the CI of the ci_low and ci_high columns.
    """
    rows = []
    groups = grouping(frame, age_bands, obesity_bmi)
    for condition in [c for c in conditions if c in frame]:
        y = condition_values(frame, condition)
        for group, levels in groups.items():
            if condition == "obesity" and group == "bmi_class":
                continue  # obesity is a BMI class: its prevalence within classes is 0 or 1 by definition
            for level in _ordered_levels(levels):
                mask = (levels == level).to_numpy()
                result = vars(proportion(y, design, mask))
                details = proportion_details(y, design.weight, mask & ~np.isnan(y), result, interval)
                rows.append({"condition": condition, "group": group, "level": level, **result, **details})
            if group == "overall" and standard_groups:
                rows += _standardized_rows(frame, condition, y, design, standard_groups, interval)
    return pd.DataFrame(rows, columns=COLUMNS)


def _standardized_rows(frame, condition, y, design, standard_groups, interval) -> list[dict]:
    age = frame["age"].to_numpy(float)
    domains = {"all": np.ones(len(frame), bool)} | {
        sex: (frame["sex"] == sex).to_numpy() for sex in _ordered_levels(frame["sex"])
    }
    in_standard = standard_group_of(age, [g["lower"] for g in standard_groups]) >= 0
    rows = []
    for level, mask in domains.items():
        result = vars(standardized_proportion(y, design, mask, age, standard_groups))
        used = mask & ~np.isnan(y) & in_standard
        weights = standardized_weights(design.weight, used, age, standard_groups)
        details = proportion_details(y, weights, used, result, interval)
        rows.append({"condition": condition, "group": "age_standardized", "level": level, **result, **details})
    return rows


def _ordered_levels(levels: pd.Series) -> list[str]:
    """Levels present, in their natural order: bands and classes ascending, otherwise sorted."""
    if isinstance(levels.dtype, pd.CategoricalDtype):
        return [str(c) for c in levels.cat.categories if (levels == c).any()]
    return sorted(levels.dropna().unique())
