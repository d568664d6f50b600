"""Tests of association, design-based: every pair of conditions, and each condition across each grouping
of the prevalence table (sex, age band, BMI class), by the Rao-Scott F test (raoscott.py, R
svychisq(statistic = "F")).
"""

from __future__ import annotations

import itertools

import pandas as pd

from ..settings import Settings
from ..survey.data import AnalysisData
from ..survey.raoscott import category_codes, rao_scott_test
from ..survey.universe_cells import defines


def association_table(data: AnalysisData, settings: Settings) -> pd.DataFrame:
    """Rao-Scott tests for every pair of conditions, and of each condition across each grouping.

    The level 'unknown' (BMI not measured) counts as missing. Obesity is not tested across BMI
    classes, which define it.
    """
    data = data.banded(settings.age_bands)
    codes = {c: category_codes(data.condition(c)) for c in data.conditions}
    rows = [
        {"kind": "pair", "condition": a, "by": b, **rao_scott_test(codes[a], codes[b], data.design)}
        for a, b in itertools.combinations(data.conditions, 2)
    ]
    groups = data.groupings(settings.age_bands, settings.obesity_bmi)
    for condition in data.conditions:
        for group, levels in groups.items():
            if group == "overall" or defines(group, condition):
                continue
            test = rao_scott_test(codes[condition], category_codes(levels.to_numpy()), data.design)
            rows.append({"kind": "grouping", "condition": condition, "by": group, **test})
    return pd.DataFrame(rows)
