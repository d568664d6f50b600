"""association.csv: Rao-Scott F tests against R svychisq(statistic = "F") to 1e-4 (statistic, dfs, p-value)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from conftest import needs_r
from helpers import analysis_of, settings_of
from r_reference import assert_close, live, reference, small_domains, survey_small

from msk_cooccurrence import outputs
from msk_cooccurrence.survey.design import SurveyDesign
from msk_cooccurrence.survey.raoscott import category_codes, rao_scott_test
from msk_cooccurrence.tables.association import association_table

KEYS = ["kind", "condition", "by"]
FIGURES = ["statistic", "df_num", "df_den", "p_value"]


def ours() -> pd.DataFrame:
    return outputs.tables()["association"].compute({"data": survey_small(), "settings": settings_of()})


def ours_on_domains() -> pd.DataFrame:
    data = small_domains()
    frame, design = data.frame, data.design
    y = category_codes(frame["y"])
    rows = [{"by": by, **rao_scott_test(y, category_codes(frame[by]), design)} for by in ("domain", "band")]
    return pd.DataFrame(rows)


def compare(ours: pd.DataFrame, r: pd.DataFrame, keys) -> None:
    merged = r.merge(ours, on=keys, suffixes=("_r", ""), validate="one_to_one")
    assert len(merged) == len(r) == len(ours)
    np.testing.assert_array_equal(merged["n"], merged["n_r"])
    assert_close(merged, FIGURES, rtol=1e-4)


def test_every_pair_and_grouping_matches_committed_r_figures():
    table = ours()
    assert list(table.columns) == list(outputs.tables()["association"].columns)
    assert (table["kind"] == "pair").sum() == 6 and (table["df_num"] > 1).any()  # 2x2 tables and larger ones
    compare(table, reference("survey_small", "association"), KEYS)


def test_small_cells_and_a_lonely_stratum_match_committed_r_figures():
    compare(ours_on_domains(), reference("domains", "association"), ["by"])


@needs_r
def test_association_matches_r_run_now(r_tables):
    compare(ours(), live("survey_small", "association", r_tables), KEYS)
    compare(ours_on_domains(), live("domains", "association", r_tables), ["by"])


def test_a_variable_with_one_category_is_not_testable():
    design = SurveyDesign.from_columns(np.ones(6))
    result = rao_scott_test(np.array([0, 1, 0, 1, 0, 1]), np.zeros(6, int), design)
    assert np.isnan(result["statistic"]) and "fewer than two categories" in result["note"]


def test_unknown_bmi_class_counts_as_missing():
    frame = survey_small().frame
    table = association_table(analysis_of(frame, ["knee_oa"]), settings_of())
    row = table[table["by"] == "bmi_class"].iloc[0]
    assert row["n"] == (frame["knee_oa"].notna() & frame["bmi"].notna()).sum()
