"""The researcher's own variables (issue 19): declared once, mapped per dataset, validated, and read as
covariates, groupings and subgroups; a dataset's own age range."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from helpers import CODES, COLUMNS, run_stages, small_table, table_dataset

from msk_cooccurrence.config import validate_config
from msk_cooccurrence.errors import ConfigError
from msk_cooccurrence.pipeline import analysis_data
from msk_cooccurrence.settings import Settings, bands_within, dataset_view
from msk_cooccurrence.tables.subgroups import subgroup_table
from msk_cooccurrence.tables.table1 import table1_table

SYNTHETIC = {"source": "synthetic", "n": 100, "seed": 1}
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
    assert knee.query("characteristic == 'pir'")["label"].tolist() == ["Income to poverty ratio, mean (SE)", "Unknown"]
    unknown = knee.query("characteristic == 'pir' and row_type == 'unknown'")
    assert int(unknown["n_without"].iloc[0] + unknown["n_with"].iloc[0]) == 300 // 13 + 1  # PIR blank every 13th row
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


def analysed(tmp_path, frame, **extra):
    config = study(tmp_path, frame, **extra)
    paths = run_stages(config, "study", tmp_path, tables=False)
    settings = Settings.from_dict(dataset_view(config, "study"))
    return analysis_data(pd.read_parquet(paths["analysis"]), settings), settings


def test_a_grouping_and_subgroup_that_are_no_covariate_are_kept_in_the_cells(tmp_path):
    from dataclasses import replace

    from msk_cooccurrence.pipeline import compute_tables

    data, settings = analysed(
        tmp_path, with_variables(400, random=True), covariates=["age"], groupings=["education"], subgroups=["education"]
    )
    on_rows = compute_tables(replace(data, collapse=False), settings, {}, ["prevalence", "subgroups", "table1"])
    on_cells = compute_tables(replace(data, collapse=True), settings, {}, ["prevalence", "subgroups", "table1"])
    for name, table in on_rows.items():
        pd.testing.assert_frame_equal(on_cells[name], table, rtol=1e-9, check_dtype=False)
    assert "education" in set(on_rows["prevalence"]["group"])


def test_a_declared_category_a_dataset_does_not_map_is_noted_not_fatal(tmp_path):
    variables = VARIABLES | {"race": {"kind": "category", "reference": "White"}}
    data, settings = analysed(
        tmp_path, with_variables(300, random=True), variables=variables, covariates=["age", "sex", "race"]
    )
    from msk_cooccurrence.pipeline import compute_tables
    from msk_cooccurrence.tables.imputation_model import imputation_problem

    tables = compute_tables(data, settings, {}, ["odds_ratios", "table1", "data_quality"])
    assert tables["odds_ratios"].query("model == 'adjusted'")["note"].str.contains("not in this dataset: race").all()
    warnings = json.loads((tmp_path / "validation.json").read_text())["warnings"]
    assert any("`covariates` names Race (race), which this dataset does not have" in w for w in warnings)
    from msk_cooccurrence.report.dataset_text import covariate_words, present_columns

    words = covariate_words(
        {"covariates": ["age", "race"], "variables": variables}, present_columns(tables["data_quality"])
    )
    assert words == "Age (years) (linear) (not adjusted for race: not in this dataset)"
    assert "race" not in set(tables["table1"]["characteristic"])
    assert "race" not in imputation_problem(data).names


def test_a_subgroup_level_with_no_rows_leaves_the_test_of_the_others(tmp_path):
    frame = with_variables(600, random=True)
    frame["EDUC"] = frame["EDUC"].replace({1: 2})  # nobody "Less than high school"
    data, settings = analysed(tmp_path, frame, subgroups=["education"])
    table = subgroup_table(data, settings)
    assert "Less than high school" not in set(table["level"])
    assert (table["interaction_df_num"] == 1).all() and table["interaction_p"].between(0, 1).all()


def test_a_category_mapped_without_codes_or_levels_is_a_config_error(tmp_path):
    codes = dict(CODES)  # no codes for education
    with pytest.raises(ConfigError, match="without `codes: education:`"):
        validate_config(
            {
                "variables": VARIABLES,
                "datasets": {"s": table_dataset(tmp_path / "x.csv", columns=COLUMNS | {"education": "E"}, codes=codes)},
            }
        )


def test_tied_spline_knots_stop_with_a_plain_message(tmp_path):
    from msk_cooccurrence.errors import InputError

    frame = with_variables(300)
    frame["PIR"] = [5 if i % 5 < 3 else round(i % 7 * 0.5, 2) for i in range(300)]  # 60% top-coded at 5
    with pytest.raises(InputError, match="needs 4 distinct knots"):
        analysed(tmp_path, frame, covariates=["age", {"name": "pir", "spline": 4}])


def test_the_standard_population_follows_the_dataset_s_ages(tmp_path):
    frame = with_variables(300, random=True)
    frame["AGE"] = [20 + i % 25 for i in range(300)]  # 20 to 44
    standard = {"name": "s", "groups": [{"lower": 50, "population": 1}, {"lower": 20, "population": 2}]}
    data, settings = analysed(tmp_path, frame, standard_population=standard, dataset={"max_age": 44})
    assert settings.standard_groups == [{"lower": 20, "population": 2}]  # sorted; 50+ is beyond max_age
    from msk_cooccurrence.tables.prevalence import prevalence_table

    standardized = prevalence_table(data, settings).query("group == 'age_standardized'")
    assert standardized["estimate"].notna().all()


@pytest.mark.parametrize("name", ["log_weight", "age_class", "intercept"])
def test_names_the_analysis_uses_itself_cannot_be_declared(tmp_path, name):
    with pytest.raises(ConfigError, match="named like"):
        study(tmp_path, with_variables(20), variables={name: {"kind": "number"}})


def test_the_subgroup_figure_names_the_subgroup_by_its_label():
    from msk_cooccurrence.report.subgroup_figures import subgroup_figure

    table = pd.DataFrame(
        {"condition_a": "a", "condition_b": "b", "subgroup": "education", "level": ["High school", "College"]}
        | {"estimate": [1.5, 2.0], "ci_low": [1.0, 1.2], "ci_high": [2.2, 3.1], "interaction_p": 0.2}
    )
    settings = Settings.from_dict(validate_config({"variables": VARIABLES, "datasets": {"s": SYNTHETIC}}))
    figure = subgroup_figure(table, settings)
    assert "by Education: interaction p 0.20" in [t.get_text() for t in figure.axes[0].get_yticklabels()][0]
