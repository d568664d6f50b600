"""Weighted prevalence of each condition, overall and by sex, age band and BMI class, and age-standardized.

Each row also says how far the estimate can be trusted (reliability.py): the estimated population
and cases, the design effect, the effective sample size, the Korn-Graubard interval and the NCHS
verdict. `proportion_ci` in the config chooses which interval fills ci_low and ci_high.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..settings import Settings
from ..survey.data import AnalysisData, ordered_levels
from ..survey.inference import prevalence_row, proportion
from ..survey.reliability import standardized_srs_variance
from ..survey.standardize import standard_groups as standard_group_index
from ..survey.standardize import standardized_proportion, standardized_weights
from ..survey.universe_cells import NOT_MEASURED, defines, never_measured


def prevalence_table(data: AnalysisData, settings: Settings) -> pd.DataFrame:
    """Crude prevalence by group; with a standard population also age-standardized (overall, by sex)."""
    standard = settings.standard_groups
    data = data.banded(settings.age_bands, [g["lower"] for g in standard or ()])
    rows = []
    groups = data.groupings(settings.age_bands, settings.obesity_bmi)
    weight = data.design.weight
    for condition in data.conditions:
        y = data.condition(condition)
        for group, levels in groups.items():
            if defines(group, condition):
                continue  # obesity is a BMI class: its prevalence within classes is 0 or 1 by definition
            for level in ordered_levels(levels):
                domain = (levels == level).to_numpy()
                where = {"condition": condition, "group": group, "level": level}
                estimate = proportion(y, data.design, domain)
                used = domain & ~np.isnan(y)
                row = prevalence_row(where, estimate, y, data.design, weight, used, settings.proportion_ci)
                if never_measured(condition, group, estimate.n, data.universes):
                    verdicts = ("reliability", "cases_reliability", "population_reliability")
                    row |= dict.fromkeys(verdicts, NOT_MEASURED) | {"note": NOT_MEASURED}
                rows.append(row)
            if group == "overall" and standard:
                rows += _standardized_rows(data, condition, y, standard, settings.proportion_ci)
    return pd.DataFrame(rows)


def _standardized_rows(data: AnalysisData, condition: str, y: np.ndarray, standard_groups, interval) -> list[dict]:
    frame = data.frame
    age = data.age_for_bands([g["lower"] for g in standard_groups])
    domains = {"all": np.ones(len(frame), bool)} | {
        sex: (frame["sex"] == sex).to_numpy() for sex in ordered_levels(frame["sex"])
    }
    group = standard_group_index(age, [g["lower"] for g in standard_groups])
    shares = [g["population"] for g in standard_groups]
    rows = []
    for level, mask in domains.items():
        estimate, used = standardized_proportion(y, data.design, mask, age, standard_groups)
        lowest = min(g["lower"] for g in standard_groups)
        younger = data.design.rows(mask & ~np.isnan(y) & (age < lowest))
        if younger:
            estimate = estimate.with_note(
                f"for ages {lowest:g}+ only, where the standard population starts: {younger} younger rows are left out"
            )
        weights = standardized_weights(data.design.weight, used, age, standard_groups)
        where = {"condition": condition, "group": "age_standardized", "level": level}
        srs = standardized_srs_variance(y, data.design.weight, used, group, shares, data.design.count)
        rows.append(prevalence_row(where, estimate, y, data.design, weights, used, interval, srs))
    return rows
