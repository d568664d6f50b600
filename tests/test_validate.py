"""Validation: every bad row quarantined with its reasons; the run stops on dataset-level failures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import CODES, COLUMNS, CONDITIONS, small_table
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_harmonize import raw_of

from msk_cooccurrence.errors import InputError
from msk_cooccurrence.intake.harmonize import harmonize
from msk_cooccurrence.intake.verdict import validate


def run(table: pd.DataFrame, columns=COLUMNS, share=0.5):
    raw = raw_of(table)
    harmonized, problems = harmonize(raw, columns, CODES, CONDITIONS, 30)
    return validate(harmonized, problems, raw, CONDITIONS, share, "study", "study.csv")


def test_bad_rows_are_quarantined_with_every_reason_and_original_values():
    table = small_table().astype(object)
    table.loc[0, "AGE"] = 150
    table.loc[0, "WT"] = -1
    table.loc[1, "ID"] = table.loc[2, "ID"]  # duplicated id: both copies go
    table.loc[4, "SEX"] = 5
    table.loc[6, "WT"] = None
    table.loc[7, "BMI"] = 260
    result = run(table)
    quarantined = result.quarantine.set_index("source_row")
    assert sorted(quarantined.index) == [1, 2, 3, 5, 7, 8]
    assert "age" in quarantined.loc[1, "reasons"] and "weight" in quarantined.loc[1, "reasons"]
    assert quarantined.loc[1, "AGE"] == "150"  # the value as in the file
    assert "duplicated" in quarantined.loc[2, "reasons"]
    s = result.summary
    assert s["rows_in"] == s["rows_valid"] + s["rows_quarantined"] == 40
    assert s["rows_quarantined"] == 6 and len(result.analysis) == 34
    assert s["checks"]["id: duplicated"] == 2


def test_too_many_bad_rows_stop_the_run_with_a_plain_message():
    table = small_table().astype(object)
    table.loc[:9, "SEX"] = 3
    with pytest.raises(InputError) as error:
        run(table, share=0.05)
    message = str(error.value)
    assert "'study'" in message and "10 of 40" in message and "sex" in message and "codes" in message


def test_a_missing_required_column_stops_the_run():
    columns = {k: v for k, v in COLUMNS.items() if k != "age"}
    with pytest.raises(InputError, match="age"):
        run(small_table(), columns=columns)


def test_stratum_without_psu_stops_the_run():
    table = small_table().assign(STRAT=1)
    with pytest.raises(InputError, match="psu"):
        run(table, columns=COLUMNS | {"stratum": "STRAT"})


cells = st.one_of(st.none(), st.sampled_from(["1", "2", "9", "7", "x", "", "150", "-3", "25.5", "1e3"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c", "d", None]), cells, cells, cells, cells, cells, cells),
        min_size=1,
        max_size=25,
    )
)
def test_every_row_is_either_analysed_or_quarantined(rows):
    table = pd.DataFrame(rows, columns=["ID", "AGE", "SEX", "BMI", "KOA", "LBP", "WT"])
    try:
        result = run(table, share=1.0)
    except InputError as error:  # every row invalid: a message, not an empty analysis
        assert "none of its" in str(error)
        return
    s = result.summary
    assert s["rows_in"] == len(table) == s["rows_valid"] + s["rows_quarantined"]
    assert len(result.quarantine) == s["rows_quarantined"]
    assert result.quarantine["reasons"].str.len().gt(0).all()
    assert set(result.quarantine["source_row"]).isdisjoint(result.analysis["source_row"])
    # every quarantined row keeps its values exactly as they were in the file
    original = raw_of(table).set_index("source_row")
    for row in result.quarantine.itertuples(index=False):
        kept = pd.Series(row._asdict()).drop(["source_row", "reasons"])
        assert (kept.fillna("<NA>") == original.loc[row.source_row, kept.index].fillna("<NA>")).all()
    assert np.all(result.analysis["weight"] > 0)


@pytest.mark.parametrize("kept", [["bmi"], []])
def test_a_dataset_with_fewer_than_two_conditions_stops_with_what_it_has_and_the_fix(tmp_path, kept):
    from helpers import run_stages, table_dataset

    from msk_cooccurrence.config import validate_config

    frame = small_table(60)
    frame.to_csv(tmp_path / "s.csv", index=False)
    columns = {k: v for k, v in COLUMNS.items() if k in ("id", "age", "sex", "weight", *kept)}
    dataset = table_dataset(tmp_path / "s.csv", columns=columns, codes={"sex": CODES["sex"]})
    with pytest.raises(InputError) as error:
        run_stages(validate_config({"datasets": {"s": dataset}}), "s", tmp_path, tables=False)
    message = str(error.value)
    assert "needs two of them, and it has " + ("obesity" if kept else "none") in message
    assert "knee_oa" in message and "`columns:`" in message and "`rules:`" in message
