"""Rows collapsed to cells give the tables the rows give, to 1e-10, and R survey's figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ORACLE, REFERENCE, SURVEY_SMALL
from helpers import all_tables, analysis_of, settings_of
from test_reference_r import CONDITIONS, analysed, compare, ours

from msk_cooccurrence.intake.synthetic import SyntheticSpec, draw_cohort
from msk_cooccurrence.pipeline import compute_tables
from msk_cooccurrence.survey.cells import collapse, group_codes
from msk_cooccurrence.survey.data import AGE_CLASS, age_band_labels, age_classes
from msk_cooccurrence.survey.design import SurveyDesign
from msk_cooccurrence.survey.standardize import standard_groups

TOLERANCE = 1e-10
ROW_TABLES = ("dose_response", "sensitivity")  # read values cells do not keep, or imputations


def assert_tables_agree(cells: pd.DataFrame, rows: pd.DataFrame, name: str) -> None:
    """Same columns, same text, numbers equal to TOLERANCE relative (NaN where the other has NaN)."""
    assert list(cells.columns) == list(rows.columns), name
    assert len(cells) == len(rows), name
    for column in rows.columns:
        a, b = cells[column], rows[column]
        if pd.api.types.is_numeric_dtype(b) and not pd.api.types.is_bool_dtype(b):
            x, y = a.to_numpy(float), b.to_numpy(float)
            np.testing.assert_array_equal(np.isnan(x), np.isnan(y), err_msg=f"{name}.{column}")
            np.testing.assert_allclose(x, y, rtol=TOLERANCE, atol=0, err_msg=f"{name}.{column}")
        else:
            assert a.astype("string").fillna("").tolist() == b.astype("string").fillna("").tolist(), (name, column)


def cohort(n: int, seed: int, age_step: int = 5) -> pd.DataFrame:
    """Synthetic survey rows already valid: 6 strata x 2 PSUs, conditions missing here and there, age
    in five-year steps (so that a few thousand rows share cells) or `age_step`."""
    dataset = {
        "n": n,
        "seed": seed,
        "strata": 6,
        "psus_per_stratum": 2,
        "psu_sd": 0.15,
        "older_oversampling": 2.0,
        "missing_share": 0.05,
        "invalid_share": 0.0,
        "model": {
            "prevalence": {"knee_oa": 0.15, "bunions": 0.25, "obesity": 0.4, "low_back_pain": 0.3},
            "age_log_or_per_decade": {"knee_oa": 0.5},
            "female_log_or": {"bunions": 0.9},
            "pair_odds_ratios": [{"a": "knee_oa", "b": "obesity", "odds_ratio": 2.5}],
        },
    }
    frame = draw_cohort(SyntheticSpec.from_config(dataset))
    frame["age"] = frame["age"] // age_step * age_step
    frame["obesity"] = pd.array(np.where(frame["bmi"].isna(), None, frame["bmi"] >= 30), dtype="boolean")
    return frame


def test_group_codes_number_alike_rows_alike_in_order_of_first_appearance():
    codes, size = group_codes([np.array([2, 1, 2, 1, 2]), np.array([np.nan, 0.0, np.nan, 0.0, 1.0])])
    assert size == 3 and codes.tolist() == [0, 1, 0, 1, 2]


def test_cells_keep_every_weight_and_row_and_their_psus():
    frame = cohort(3000, 1)
    data = analysis_of(frame, CONDITIONS, ["age", "sex"], collapse=True)
    cells = data.cells()
    assert cells.n < 0.8 * data.n and cells.rows == data.n == 3000
    assert cells.design.weight.sum() == pytest.approx(data.design.weight.sum(), rel=1e-12)
    for psu in range(data.design.psu.max() + 1):
        in_rows, in_cells = data.design.psu == psu, cells.design.psu == psu
        assert cells.design.rows(in_cells) == in_rows.sum()
        assert cells.design.weight[in_cells].sum() == pytest.approx(data.design.weight[in_rows].sum(), rel=1e-12)
    assert np.array_equal(cells.design.psus_per_stratum, data.design.psus_per_stratum)
    assert cells.design.degrees_of_freedom() == data.design.degrees_of_freedom()
    # the conditions alone: a cell per PSU and pattern of known/unknown values
    patterns = data.cells(keep=())
    assert patterns.n <= 12 * 3**4 and patterns.rows == 3000


def test_cells_that_would_not_halve_the_rows_are_the_rows():
    data = analysis_of(cohort(3000, 1), CONDITIONS, ["age", "sex"])
    assert data.cells() is data
    assert data.cells(keep=()).n < data.n / 5  # the conditions alone: a cell per PSU and pattern


def test_collapsing_cells_again_counts_their_rows():
    design = SurveyDesign.from_columns(np.ones(6), ["a"] * 6, [1, 1, 1, 2, 2, 2])
    frame = pd.DataFrame({"x": [1, 1, 2, 1, 1, 1]})
    cells, cell_design = collapse(frame, design, ["x"])
    assert cells["x"].tolist() == [1, 2, 1] and cell_design.count.tolist() == [2, 1, 3]
    again, again_design = collapse(cells.assign(x=0), cell_design, ["x"])
    assert again_design.count.tolist() == [3, 3] and again["weight"].tolist() == [3.0, 3.0]


def test_an_age_class_falls_in_the_band_of_its_ages_for_every_banding_among_its_bounds():
    age = pd.Series([16.0, 17.5, 18.0, 39.0, 39.9, 40.0, 44.0, 45.0, 64.5, 65.0, 90.0, np.nan])
    classes = age_classes(age, [45, 18, 60, 40, 65])
    assert classes.tolist()[:-1] == [-np.inf, -np.inf, 18, 18, 18, 40, 40, 45, 60, 65, 65]
    assert np.isnan(classes.iloc[-1])
    for bands in ([18, 40, 60], [18, 45, 65], [40], [18, 40, 45, 60, 65]):
        assert age_band_labels(classes, bands).tolist() == age_band_labels(age, bands).tolist()
        assert standard_groups(classes, bands).tolist() == standard_groups(age, bands).tolist()


def descriptive_tables(data, settings) -> dict[str, pd.DataFrame]:
    return compute_tables(data, settings, {}, ["prevalence", "association", "patterns", "table1"])


def test_banded_cells_merge_ages_and_give_the_descriptive_tables_of_the_rows():
    # whole years, a few below the first band: bands (18, 40, 60) and the standard's groups
    # (18, 45, 65) split them differently, so prevalence's cells keep the finer of the two
    frame = cohort(6000, 3, age_step=1)
    frame.loc[::97, "age"] = 17.0
    settings = settings_of()
    standard = [g["lower"] for g in settings.standard_population["groups"]]
    assert settings.age_bands == (18, 40, 60) and standard == [18, 45, 65]
    data = analysis_of(frame, CONDITIONS, ["age", "sex"], collapse=True)
    banded = data.banded(settings.age_bands, standard)
    assert frame["age"].nunique() > 60 and sorted(banded.frame[AGE_CLASS].unique()) == [-np.inf, 18, 40, 45, 60, 65]
    assert banded.n < data.cells().n / 2 and banded.rows == data.n
    assert data.banded(settings.age_bands).n < banded.n
    with pytest.raises(ValueError, match="not split at"):
        data.banded(settings.age_bands).age_for_bands(standard)
    from_cells = descriptive_tables(data, settings)
    from_rows = descriptive_tables(analysis_of(frame, CONDITIONS, ["age", "sex"], collapse=False), settings)
    assert "under 18" in set(from_rows["prevalence"]["level"])
    for name in from_rows:
        assert_tables_agree(from_cells[name], from_rows[name], name)


def test_every_table_from_cells_equals_the_table_from_rows():
    frame = cohort(4000, 2)
    config = {"sensitivity": {"multiple_imputation": False}}
    from_cells = all_tables(frame, collapse=True, **config)
    from_rows = all_tables(frame, collapse=False, **config)
    for name in from_rows:
        assert_tables_agree(from_cells[name], from_rows[name], name)


@pytest.mark.parametrize("lonely_psu", ["adjust", "average", "certainty", "remove"])
def test_cells_agree_with_rows_with_a_lonely_psu_and_a_condition_unknown_in_a_whole_psu(lonely_psu):
    frame = pd.read_csv(REFERENCE / "domains" / "input.csv")
    frame = frame.assign(
        x=pd.array(frame["x"].astype(bool), dtype="boolean"),
        y=pd.array(frame["y"].map({1.0: True, 0.0: False}), dtype="boolean"),
    )
    config = {"conditions": ["x", "y"], "lonely_psu": lonely_psu, "claims": [], "covariates": ["age", "sex"]}
    from_cells = all_tables(frame, collapse=True, **config)
    from_rows = all_tables(frame, collapse=False, **config)
    for name in from_rows:
        if name not in ROW_TABLES:
            assert_tables_agree(from_cells[name], from_rows[name], name)


@pytest.mark.parametrize(("reference", "design_columns"), [("design", True), ("weights_only", False)])
def test_prevalences_and_odds_ratios_from_cells_match_r_survey(reference, design_columns):
    _, data = analysed(dict(SURVEY_SMALL), CONDITIONS, design_columns)
    cells = analysis_of(data.frame, CONDITIONS, ["age", "sex"], collapse=True)
    if design_columns:  # with each row its own PSU (weights only) cells are the rows
        assert cells.cells().n < cells.n
    compare(pd.read_csv(ORACLE / f"reference_{reference}.csv"), ours(cells))
