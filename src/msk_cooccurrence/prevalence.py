"""Weighted prevalence of each condition, overall and by sex, age band and BMI class, and age-standardized."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .data import AnalysisData, ordered_levels
from .estimate import LOGIT, Estimate
from .inference import cases, proportion
from .settings import Settings
from .standardize import standardized_proportion


def prevalence_row(condition: str, group: str, level: str, estimate: Estimate, n_cases: int) -> dict:
    """A prevalence table row: the proportion with its logit interval (R svyciprop, method = "logit")."""
    numbers = estimate.summary(scale=LOGIT)
    del numbers["p_value"]
    return {"condition": condition, "group": group, "level": level, "n_cases": n_cases} | numbers


def prevalence_table(data: AnalysisData, settings: Settings) -> pd.DataFrame:
    """Crude prevalence by group; with a standard population also age-standardized (overall, by sex)."""
    rows = []
    groups = data.groupings(settings.age_bands, settings.obesity_bmi)
    standard = settings.standard_population.get("groups")
    for condition in data.conditions:
        y = data.condition(condition)
        for group, levels in groups.items():
            if condition == "obesity" and group == "bmi_class":
                continue  # obesity is a BMI class: its prevalence within classes is 0 or 1 by definition
            for level in ordered_levels(levels):
                domain = (levels == level).to_numpy()
                rows.append(
                    prevalence_row(condition, group, level, proportion(y, data.design, domain), cases(y, domain))
                )
            if group == "overall" and standard:
                rows += _standardized_rows(data, condition, y, standard)
    return pd.DataFrame(rows)


def _standardized_rows(data: AnalysisData, condition: str, y: np.ndarray, standard_groups) -> list[dict]:
    frame = data.frame
    age = frame["age"].to_numpy(float)
    domains = {"all": np.ones(len(frame), bool)} | {
        sex: (frame["sex"] == sex).to_numpy() for sex in ordered_levels(frame["sex"])
    }
    rows = []
    for level, mask in domains.items():
        estimate, known = standardized_proportion(y, data.design, mask, age, standard_groups)
        rows.append(prevalence_row(condition, "age_standardized", level, estimate, cases(y, known)))
    return rows
