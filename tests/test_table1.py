"""table1.csv: Table 1 against R survey (svymean, svyciprop, svyttest, svychisq) and its gtsummary layout."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from conftest import needs_r
from helpers import settings_of
from r_reference import assert_close, live, reference, survey_small

from msk_cooccurrence import outputs
from msk_cooccurrence.survey.reliability import RELIABILITY
from msk_cooccurrence.survey.universe_cells import defines

CELL_FIGURES = ["estimate", "se", "ci_low", "ci_high"]


def ours(interval="logit") -> pd.DataFrame:
    settings = settings_of(proportion_ci=interval)
    return outputs.tables()["table1"].compute({"data": survey_small(), "settings": settings})


def long_cells(table: pd.DataFrame) -> pd.DataFrame:
    """One row per (condition, characteristic, level, side), as tables.R writes them."""
    cells = table[table["row_type"].isin(["total", "continuous", "level", "dichotomous"])]
    parts = []
    for code, side in ((0, "without"), (1, "with")):
        part = cells[["condition", "characteristic", "level"] + [f"{f}_{side}" for f in ["n", *CELL_FIGURES]]]
        names = {f"{f}_{side}": f for f in ["n", *CELL_FIGURES]}
        parts.append(part.rename(columns=names).assign(side=code))
    return pd.concat(parts, ignore_index=True).fillna({"level": ""})


def without_defining(r: pd.DataFrame) -> pd.DataFrame:
    """R's rows less those of a grouping that defines the condition (obesity by BMI class), which
    Table 1 leaves out: 0% and 100% by definition."""
    return r[[not defines(g, c) for g, c in zip(r["characteristic"], r["condition"])]]


def compare_cells(ours: pd.DataFrame, r: pd.DataFrame, interval="logit") -> None:
    keys = ["condition", "characteristic", "level", "side"]
    r = without_defining(r).fillna({"level": ""})
    if interval == "korn_graubard":
        r = r.assign(ci_low=r["kg_low"].where(r["kg_low"].notna(), r["ci_low"]))
        r = r.assign(ci_high=r["kg_high"].where(r["kg_high"].notna(), r["ci_high"]))
    merged = r.merge(long_cells(ours), on=keys, suffixes=("_r", ""), validate="one_to_one")
    assert len(merged) == len(r)
    np.testing.assert_array_equal(merged["n"], merged["n_r"])
    assert_close(merged, ["estimate"], rtol=1e-6)
    assert_close(merged, ["se"], rtol=1e-4)
    # at 0% and 100% the logit interval is undefined (ours NaN, R's glm does not converge)
    inside = merged[~merged["estimate_r"].isin([0.0, 1.0])]
    assert_close(inside, ["ci_low", "ci_high"], rtol=1e-4)


def compare_tests(ours: pd.DataFrame, r: pd.DataFrame) -> None:
    rows = ours[ours["p_value"].notna()][["condition", "characteristic", "statistic", "df_num", "df_den", "p_value"]]
    r = without_defining(r)
    merged = r.merge(rows, on=["condition", "characteristic"], suffixes=("_r", ""), validate="one_to_one")
    assert len(merged) == len(r) == len(rows)
    assert_close(merged, ["statistic", "df_den", "p_value"], rtol=1e-4)
    assert_close(merged, ["df_num"], rtol=1e-4)


def test_cells_and_tests_match_committed_r_figures():
    table = ours()
    assert list(table.columns) == list(outputs.tables()["table1"].columns)
    compare_cells(table, reference("survey_small", "table1"))
    compare_tests(table, reference("survey_small", "table1_tests"))


def test_korn_graubard_cells_match_r_svyciprop_beta():
    compare_cells(ours("korn_graubard"), reference("survey_small", "table1"), "korn_graubard")


@needs_r
def test_table1_matches_r_run_now(r_tables):
    table = ours()
    compare_cells(table, live("survey_small", "table1", r_tables))
    compare_tests(table, live("survey_small", "table1_tests", r_tables))


def test_layout_follows_gtsummary():
    table = ours()
    block = table[table["condition"] == "knee_oa"]
    assert list(block["row_type"].iloc[:3]) == ["total", "continuous", "label"]
    sex = block[block["characteristic"] == "sex"]
    assert list(sex["label"]) == ["Sex", "Female", "Male"]
    assert sex["p_value"].notna().tolist() == [True, False, False]  # the p-value sits on the label row
    assert sex.loc[sex["row_type"] == "level", "estimate_with"].sum() == pytest.approx(1.0)
    others = block[block["row_type"] == "dichotomous"]
    assert list(others["label"]) == ["Bunions (hallux valgus)", "Obesity", "Low back pain"]
    assert "knee_oa" not in set(block["characteristic"])
    unknown = block[(block["characteristic"] == "bmi_class") & (block["row_type"] == "unknown")].iloc[0]
    frame = survey_small().frame
    assert unknown["n_with"] == (frame["bmi"].isna() & (frame["knee_oa"] == True)).sum()  # noqa: E712
    total = block.iloc[0]
    assert total["n_with"] + total["n_without"] == frame["knee_oa"].notna().sum()
    percents = block[block["row_type"].isin(["level", "dichotomous"])]
    assert set(percents["reliability_with"]) <= set(RELIABILITY) and percents["reliability_without"].notna().all()


def age_tests(age_of) -> pd.DataFrame:
    """Table 1's t tests of the mean age of survey_small with its ages mapped by `age_of`."""
    data = survey_small()
    frame = data.frame.assign(age=age_of(data.frame["age"]))
    table = outputs.tables()["table1"].compute({"data": replace(data, frame=frame), "settings": settings_of()})
    return table[table["characteristic"] == "age"].set_index("condition")


def test_a_tiny_real_spread_of_ages_is_tested_and_one_age_is_not():
    # t is invariant to a linear map of age: 50 + 1e-6 (age - 50) gives R's t, though its SE is 1e-8 of the means
    tests, squeezed = age_tests(lambda age: age), age_tests(lambda age: 50 + 1e-6 * (age - 50))
    assert squeezed["se_with"].max() < 1e-5
    np.testing.assert_allclose(squeezed["statistic"], tests["statistic"], rtol=1e-6)
    np.testing.assert_allclose(squeezed["p_value"], tests["p_value"], rtol=1e-6)
    one_age = age_tests(lambda age: age * 0 + 50.3)  # SE of rounding: no test
    assert one_age["p_value"].isna().all() and one_age["statistic"].isna().all()
    assert one_age["note"].str.contains("at rounding level").all()
