"""Prevalence groups, patterns and odds-ratio tables: contract columns and closed-form values."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from helpers import analysis_of, settings_of

from msk_cooccurrence import outputs
from msk_cooccurrence.survey.data import age_band_labels, bmi_class_labels
from msk_cooccurrence.tables.odds_ratios import odds_ratio_table
from msk_cooccurrence.tables.patterns import pattern_table

PREVALENCE_COLUMNS = ["condition", "group", "level", "n", "n_cases", "estimate", "se", "ci_low", "ci_high"]
ODDS_COLUMNS = ["condition_a", "condition_b", "model", "n", "estimate", "se", "ci_low", "ci_high", "p_value", "note"]


def frame_of(n=400, seed=2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = rng.random(n) < 0.3
    b = rng.random(n) < np.where(a, 0.5, 0.2)
    c = rng.random(n) < 0.4
    return pd.DataFrame(
        {
            "age": rng.integers(18, 90, n).astype(float),
            "sex": rng.choice(["female", "male"], n),
            "bmi": rng.uniform(16, 45, n),
            "weight": np.ones(n),
            "a": pd.array(a, dtype="boolean"),
            "b": pd.array(b, dtype="boolean"),
            "c": pd.array(c, dtype="boolean"),
        }
    )


def test_band_and_class_labels():
    assert list(age_band_labels(pd.Series([18.0, 39.0, 40.0, 85.0]), [18, 40, 60])) == [
        "18-39",
        "18-39",
        "40-59",
        "60+",
    ]
    classes = bmi_class_labels(pd.Series([17.0, 24.9, 25.0, 30.0, np.nan]), 30)
    assert list(classes) == [
        "underweight (<18.5)",
        "normal (18.5-24.9)",
        "overweight (25-29.9)",
        "obese (30+)",
        "unknown",
    ]


@pytest.mark.parametrize(
    ("cutoff", "expected"),
    [
        (25, ["underweight (<18.5)", "normal (18.5-24.9)", "obese (25+)", "obese (25+)", "obese (25+)"]),
        (27.5, ["underweight (<18.5)", "normal (18.5-24.9)", "overweight (25-27.4)", "obese (27.5+)", "obese (27.5+)"]),
        (
            40,
            [
                "underweight (<18.5)",
                "normal (18.5-24.9)",
                "overweight (25-39.9)",
                "overweight (25-39.9)",
                "obese (40+)",
            ],
        ),
    ],
)
def test_bmi_classes_follow_the_obesity_cutoff(cutoff, expected):
    """WHO's classes below obesity end where obesity starts; at 25 (WHO Asia-Pacific) there is no overweight."""
    classes = bmi_class_labels(pd.Series([18.4, 24.9, 25.0, 27.5, 40.0]), cutoff)
    assert list(classes) == expected
    assert [c for c in classes.cat.categories if c != "unknown"] == list(dict.fromkeys(expected))


def test_prevalence_table_keeps_the_contract_and_counts():
    frame = frame_of()
    data = analysis_of(frame, ["a", "b", "missing_condition"])
    table = outputs.tables()["prevalence"].compute({"data": data, "settings": settings_of(age_bands=[18, 65])})
    assert list(table.columns[: len(PREVALENCE_COLUMNS)]) == PREVALENCE_COLUMNS
    overall = table[(table["group"] == "overall") & (table["condition"] == "a")].iloc[0]
    assert overall["n"] == 400 and overall["n_cases"] == frame["a"].sum()
    assert overall["estimate"] == pytest.approx(frame["a"].mean())
    by_sex = table[(table["group"] == "sex") & (table["condition"] == "a")]
    assert by_sex["n"].sum() == 400
    assert set(table["group"]) == {"overall", "age_standardized", "sex", "age_band", "bmi_class"}


def test_patterns_sum_to_one_and_expected_is_the_product_of_marginals():
    frame = frame_of()
    table = pattern_table(analysis_of(frame, ["a", "b", "c"]))
    assert len(table) == 8 and table["estimate"].sum() == pytest.approx(1.0)
    assert table["expected"].sum() == pytest.approx(1.0)
    pa, pb, pc = (frame[c].mean() for c in "abc")
    both = table[table["pattern"] == "a+b"].iloc[0]
    assert both["expected"] == pytest.approx(pa * pb * (1 - pc))
    assert both["estimate"] == pytest.approx((frame["a"] & frame["b"] & ~frame["c"]).mean())
    assert both["oe_ci_low"] < both["oe_ratio"] < both["oe_ci_high"]
    assert table["n"].sum() == 400


def test_odds_ratio_table_covers_every_pair_and_model():
    frame = frame_of()
    data = analysis_of(frame, ["a", "b", "c"], ["age", "sex"])
    table = outputs.tables()["odds_ratios"].compute({"data": data})
    assert list(table.columns[: len(ODDS_COLUMNS) - 1]) == ODDS_COLUMNS[:-1] and "note" in table
    assert [tuple(r) for r in table[["condition_a", "condition_b"]].drop_duplicates().to_numpy()] == list(
        itertools.combinations("abc", 2)
    )
    crude = table[(table["condition_a"] == "a") & (table["condition_b"] == "b") & (table["model"] == "crude")].iloc[0]
    counts = pd.crosstab(frame["a"], frame["b"])
    closed_form = (
        counts.loc[True, True] * counts.loc[False, False] / (counts.loc[True, False] * counts.loc[False, True])
    )
    assert crude["estimate"] == pytest.approx(closed_form, rel=1e-8)
    assert crude["ci_low"] < crude["estimate"] < crude["ci_high"]


def test_empty_condition_gives_rows_with_notes():
    frame = frame_of().assign(c=pd.array([False] * 400, dtype="boolean"))
    table = odds_ratio_table(analysis_of(frame, ["a", "c"], ["age", "sex"]))
    assert len(table) == 3 and table["estimate"].isna().all() and table["note"].str.len().gt(0).all()
