"""Statistical edge cases end in a table row with NaN and a reason, never a crash or an omission."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import all_tables, analysis_of, settings_of
from test_tables import frame_of

from msk_cooccurrence import outputs
from msk_cooccurrence.pipeline import draw_figures
from msk_cooccurrence.report.figures import save_figure
from msk_cooccurrence.tables.odds_ratios import odds_ratio_table
from msk_cooccurrence.tables.patterns import pattern_table
from msk_cooccurrence.tables.prevalence import prevalence_table

CONDITIONS = ["a", "b", "c"]


def run_everything(frame: pd.DataFrame, tmp_path, conditions=CONDITIONS) -> dict[str, pd.DataFrame]:
    """Every table and figure of the pipeline on this frame."""
    config = {
        "conditions": conditions,
        "claims": [{"statement": "a goes with b", "a": "a", "b": "b", "direction": "positive"}],
        "sensitivity": {"multiple_imputation": True, "imputations": 2},
    }
    tables = all_tables(frame, **config)
    figures = draw_figures(tables, settings_of(**config))
    assert list(figures) == list(outputs.figures())
    for name, figure in figures.items():
        save_figure(figure, tmp_path / f"{name}.png", tmp_path / f"{name}.svg")
    return tables


def test_a_dataset_of_30_rows_runs_every_analysis(tmp_path):
    tables = run_everything(frame_of(30, seed=5).assign(stratum="1", psu=["1", "2", "3"] * 10), tmp_path)
    assert len(tables["odds_ratios"]) == 9
    for name in ("prevalence", "odds_ratios", "patterns", "dose_response", "sensitivity"):
        table = tables[name]
        explained = table["estimate"].notna() | table["note"].astype("str").fillna("").str.len().gt(0)
        assert explained.all(), name


def test_a_condition_with_no_cases_and_one_with_all_cases(tmp_path):
    frame = frame_of(200).assign(b=pd.array([False] * 200, dtype="boolean"), c=pd.array([True] * 200, dtype="boolean"))
    tables = run_everything(frame, tmp_path)
    odds = tables["odds_ratios"]
    involved = odds[(odds["condition_a"] != "a") | (odds["condition_b"] != "a")]
    assert involved["estimate"].isna().all() and involved["note"].str.len().gt(0).all()
    prevalence = tables["prevalence"]
    overall = prevalence[prevalence["group"] == "overall"].set_index("condition")
    assert overall.loc["b", "estimate"] == 0 and overall.loc["c", "estimate"] == 1
    assert "0 or 1" in overall.loc["b", "note"]
    claims = tables["claims"]
    assert claims.loc[0, "verdict"] == "not estimable"


def test_complete_separation_is_a_note():
    frame = frame_of(200)
    frame["b"] = frame["a"]  # b exactly when a
    odds = odds_ratio_table(analysis_of(frame, CONDITIONS, ["age", "sex"]))
    row = odds[(odds["condition_a"] == "a") & (odds["condition_b"] == "b") & (odds["model"] == "crude")].iloc[0]
    assert np.isnan(row["estimate"]) and "separation" in row["note"]


def test_empty_pattern_cells_are_rows_with_zero_and_a_note():
    frame = frame_of(300)
    frame["c"] = pd.array(frame["a"] & ~frame["b"], dtype="boolean")  # c never with b, always with a
    table = pattern_table(analysis_of(frame, CONDITIONS))
    assert len(table) == 8
    empty = table[table["n"] == 0]
    assert len(empty) and (empty["estimate"] == 0).all() and empty["note"].str.len().gt(0).all()


def test_a_covariate_with_one_level_is_dropped_like_r_does(tmp_path):
    frame = frame_of(300).assign(sex="female")
    with_sex = odds_ratio_table(analysis_of(frame, ["a", "b"], ["age", "sex"]))
    without = odds_ratio_table(analysis_of(frame, ["a", "b"], ["age"]))
    adjusted = with_sex[with_sex["model"] == "adjusted"].iloc[0]
    assert adjusted["estimate"] == pytest.approx(without[without["model"] == "adjusted"].iloc[0]["estimate"], rel=1e-10)
    assert "dropped" in adjusted["note"] and "sex" in adjusted["note"]


def test_a_stratum_with_one_psu_is_handled_by_the_lonely_psu_rule():
    frame = frame_of(300).assign(stratum=["1", "1", "2"] * 100, psu=["1", "2", "1"] * 100)
    table = prevalence_table(analysis_of(frame, ["a"]), settings_of(age_bands=[18]))
    assert table["se"].notna().all() and (table.loc[table["group"] == "overall", "se"] > 0).all()
