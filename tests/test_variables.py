"""The researcher's own variables (issue 19): declared once, mapped per dataset, validated, and read as
covariates, groupings and subgroups; a dataset's own age range."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import CODES, COLUMNS, run_stages, small_table

from msk_cooccurrence.config import validate_config
from msk_cooccurrence.errors import ConfigError
from msk_cooccurrence.pipeline import analysis_data
from msk_cooccurrence.settings import Settings, bands_within, dataset_view
from msk_cooccurrence.subgroups import subgroup_table
from msk_cooccurrence.table1 import table1_table

EDUCATION = {1: "Less than high school", 2: "High school", 3: "College", 9: None}
VARIABLES = {
    "education": {"kind": "category", "reference": "College", "label": "Education"},
    "pir": {"kind": "number", "low": 0, "high": 5, "label": "Income to poverty ratio"},
}


def study(tmp_path, frame: pd.DataFrame, **extra) -> dict:
    path = tmp_path / "study.csv"
    frame.to_csv(path, index=False)
    dataset = {
        "source": "table",
        "path": str(path),
        "columns": COLUMNS | {"education": "EDUC", "pir": "PIR"},
        "codes": CODES | {"education": EDUCATION},
    } | extra.pop("dataset", {})
    return validate_config(
        {"variables": VARIABLES, "covariates": ["age", "sex", "education", "pir"], "datasets": {"study": dataset}}
        | extra
    )


def with_variables(n: int = 300, random: bool = False) -> pd.DataFrame:
    frame = small_table(n)
    if random:  # conditions that vary within every level (small_table's follow the row number)
        rng = np.random.default_rng(7)
        frame["BMI"] = np.round(rng.normal(28, 5, n), 1)
        frame["KOA"] = np.where(rng.random(n) < 0.3, 1, 2)
        frame["LBP"] = np.where(rng.random(n) < 0.4, 1, 2)
    frame["EDUC"] = [(1, 2, 3, 3, 2, 9)[i % 6] for i in range(n)]
    frame["PIR"] = [round((i * 0.37) % 5, 2) if i % 13 else "" for i in range(n)]
    return frame


def test_an_unmapped_code_or_a_number_out_of_bounds_quarantines_its_row_and_null_codes_are_unknown(tmp_path):
    frame = with_variables(300)
    frame.loc[5, "EDUC"] = 4  # no entry in codes
    frame.loc[7, "PIR"] = 6.5  # above `high`
    paths = run_stages(study(tmp_path, frame), "study", tmp_path, tables=False)
    quarantine = pd.read_csv(paths["quarantine"])
    reasons = dict(zip(quarantine["source_row"], quarantine["reasons"]))
    assert set(reasons) == {6, 8}
    assert "education: value has no entry in codes (4)" in reasons[6]
    assert "pir: above 5" in reasons[8]
    analysis = pd.read_parquet(paths["analysis"])
    assert analysis["education"].isna().sum() == (frame.drop([5, 7])["EDUC"] == 9).sum()
    assert set(analysis["education"].dropna()) == {"Less than high school", "High school", "College"}


def test_a_category_covariate_enters_as_indicators_against_its_reference_and_a_number_linearly(tmp_path):
    config = study(tmp_path, with_variables(300))
    paths = run_stages(config, "study", tmp_path, tables=False)
    settings = Settings.from_dict(dataset_view(config, "study"))
    data = analysis_data(pd.read_parquet(paths["analysis"]), settings)
    predictors = data.adjustment()
    assert list(predictors) == ["age", "female", "education: Less than high school", "education: High school", "pir"]
    frame = data.frame
    expected = np.where(frame["education"].isna(), np.nan, (frame["education"] == "High school").astype(float))
    np.testing.assert_array_equal(predictors["education: High school"], expected)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"covariates": ["age", "income"]}, "income"),
        ({"covariates": ["age", {"name": "education", "spline": 4}]}, "only a number takes a spline"),
        ({"covariates": ["age", "age"]}, "more than once"),
        ({"groupings": ["sex", "pir"]}, "a grouping is sex"),
        ({"subgroups": ["age_band"]}, "a subgroup is sex"),
        ({"variables": {"bmi": {"kind": "number"}}}, "named like a harmonized column"),
        ({"variables": VARIABLES | {"pir": {"kind": "number", "low": 5, "high": 0}}}, "above `high`"),
        ({"variables": VARIABLES | {"education": {"kind": "category", "reference": "PhD"}}}, "reference level 'PhD'"),
        ({"dataset": {"min_age": 40, "max_age": 30}}, "not below `max_age: 30`"),
        ({"age_bands": [18, 18, 40]}, "repeats a lower bound"),
    ],
)
def test_variables_covariates_groupings_and_subgroups_are_checked_with_a_plain_message(tmp_path, change, words):
    with pytest.raises(ConfigError, match=None) as error:
        study(tmp_path, with_variables(20), **change)
    assert words in str(error.value)


def test_an_adolescent_study_runs_with_its_own_age_range_and_bands(tmp_path):
    frame = with_variables(200)
    frame["AGE"] = [12 + i % 8 if i % 50 else 11 for i in range(200)]  # four 11-year-olds, outside 12-19
    config = study(tmp_path, frame, dataset={"min_age": 12, "max_age": 19})
    paths = run_stages(config, "study", tmp_path)
    quarantine = pd.read_csv(paths["quarantine"])
    assert len(quarantine) == (frame["AGE"] == 11).sum()
    assert quarantine["reasons"].str.contains("age: below 12").all()
    prevalence = pd.read_csv(paths["prevalence"])
    assert prevalence.query("group == 'age_band'")["level"].unique().tolist() == ["12-17", "18+"]
    assert bands_within([18, 40, 60], 12, 19) == (12, 18)


def test_table1_has_a_block_per_covariate_and_grouping(tmp_path):
    config = study(tmp_path, with_variables(300), groupings=["sex", "age_band", "education"])
    paths = run_stages(config, "study", tmp_path, tables=False)
    settings = Settings.from_dict(dataset_view(config, "study"))
    table = table1_table(analysis_data(pd.read_parquet(paths["analysis"]), settings), settings)
    knee = table[table["condition"] == "knee_oa"]
    assert knee.query("characteristic == 'pir'")["label"].tolist() == ["Income to poverty ratio, mean (SE)"]
    levels = knee.query("characteristic == 'education' and row_type == 'level'")["level"].tolist()
    assert levels == ["Less than high school", "High school", "College"]  # the codes' order
    label = knee.query("characteristic == 'education' and row_type == 'label'")
    assert label["label"].tolist() == ["Education"] and label["p_value"].notna().all()


def test_a_subgroup_of_three_levels_is_tested_on_two_numerator_df(tmp_path):
    config = study(tmp_path, with_variables(600, random=True), subgroups=["education"])
    paths = run_stages(config, "study", tmp_path, tables=False)
    settings = Settings.from_dict(dataset_view(config, "study"))
    table = subgroup_table(analysis_data(pd.read_parquet(paths["analysis"]), settings), settings)
    assert table["level"].tolist()[:3] == ["Less than high school", "High school", "College"]
    assert (table["interaction_df_num"] == 2).all() and table["interaction_p"].between(0, 1).all()
    # within a level education is constant: the level's model leaves it out
    assert not table["note"].str.contains("education:").any()


def test_a_category_derived_by_one_rule_per_level(tmp_path):
    frame = with_variables(120)
    frame["RACE"] = [(1, 2, 3, 4, 5, "")[i % 6] for i in range(120)]
    frame["HISP"] = [(1, 1, 2, 2, 2, 2)[i % 6] for i in range(120)]
    frame.loc[3, "HISP"] = 1  # Non-Hispanic Black and Hispanic: two levels' rules are yes
    frame.loc[4, "RACE"] = 9  # no entry in the rule's codes
    hispanic = {"item": "HISP", "codes": {1: True, 2: False}}

    def race_is(code: int) -> dict:
        return {"item": "RACE", "codes": {c: c == code for c in range(1, 6)}}

    race = {
        "Hispanic": hispanic,
        "Non-Hispanic White": {"all": [{"not": hispanic}, race_is(3)]},
        "Non-Hispanic Black": race_is(4),
        "Other": {"all": [{"not": hispanic}, race_is(5)]},
    }
    variables = VARIABLES | {"race": {"kind": "category", "reference": "Non-Hispanic White"}}
    config = study(tmp_path, frame, variables=variables, groupings=["race"], dataset={"categories": {"race": race}})
    paths = run_stages(config, "study", tmp_path, tables=False)
    quarantine = pd.read_csv(paths["quarantine"]).set_index("source_row")["reasons"]
    assert "race: more than one level's rule is yes (Hispanic, Non-Hispanic Black)" in quarantine[4]
    assert "race: RACE value has no entry in the rule's codes (9)" in quarantine[5]
    analysis = pd.read_parquet(paths["analysis"]).set_index("source_row")["race"]
    assert analysis[1] == "Hispanic" and analysis[3] == "Non-Hispanic White" and analysis[5 + 6] == "Other"
    assert pd.isna(analysis[6])  # not Hispanic, RACE blank: White, Black or Other unknown
    settings = Settings.from_dict(dataset_view(config, "study"))
    assert settings.levels["race"] == ("Hispanic", "Non-Hispanic White", "Non-Hispanic Black", "Other")
