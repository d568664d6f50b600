"""Renaming and recoding: mapped codes, unmapped codes, bad numbers, derived obesity."""

from __future__ import annotations

import pandas as pd
from helpers import CODES, COLUMNS, CONDITIONS, small_table

from msk_cooccurrence.harmonize import canonical, harmonize
from msk_cooccurrence.ingest import SOURCE_ROW


def raw_of(frame: pd.DataFrame) -> pd.DataFrame:
    raw = frame.astype(str)
    raw.insert(0, SOURCE_ROW, range(1, len(raw) + 1))
    return raw


def test_canonical_code_keys():
    assert canonical(1) == canonical("1") == canonical(1.0) == canonical(" 1.0 ") == "1"
    assert canonical("") is None and canonical(float("nan")) is None
    assert canonical("0042", text_as_written=True) == "0042"
    assert canonical(True) == "true"


def test_codes_rename_and_obesity_is_derived_from_bmi():
    harmonized, problems = harmonize(raw_of(small_table()), COLUMNS, CODES, CONDITIONS, 30)
    assert problems.empty
    assert list(harmonized["sex"][:2]) == ["male", "female"]
    assert harmonized["id"].iloc[1] == "0001"  # leading zeros kept
    assert harmonized["knee_oa"].iloc[0] is True or bool(harmonized["knee_oa"].iloc[0])
    assert harmonized["low_back_pain"].isna().sum() == sum(1 for i in range(40) if i % 11 == 0 and i % 3)
    expected_obese = harmonized["bmi"] >= 30
    assert (harmonized["obesity"].astype(bool) == expected_obese).all()
    assert "bunions" not in harmonized  # not in this dataset: simply not analysed


def test_unmapped_codes_and_bad_numbers_are_problems_with_original_values():
    table = small_table().astype(object)
    table.loc[3, "SEX"] = 3
    table.loc[4, "AGE"] = "forty"
    table.loc[5, "KOA"] = 7
    harmonized, problems = harmonize(raw_of(table), COLUMNS, CODES, CONDITIONS, 30)
    found = {(r.source_row, r.column, r.value) for r in problems.itertuples()}
    assert found == {(4, "sex", "3"), (5, "age", "forty"), (6, "knee_oa", "7")}
    assert pd.isna(harmonized.loc[4, "age"]) and pd.isna(harmonized.loc[5, "knee_oa"])


def test_yes_no_words_without_codes_and_a_missing_weight_column():
    raw = pd.DataFrame(
        {
            SOURCE_ROW: [1, 2, 3],
            "i": ["a", "b", "c"],
            "a": ["30", "40", "50"],
            "s": ["F", "m", "female"],
            "k": ["yes", "No", "maybe"],
        }
    )
    harmonized, problems = harmonize(raw, {"id": "i", "age": "a", "sex": "s", "knee_oa": "k"}, {}, ["knee_oa"], 30)
    assert list(harmonized["sex"]) == ["female", "male", "female"]
    assert list(harmonized["knee_oa"][:2]) == [True, False]
    assert list(problems["source_row"]) == [3]
    assert (harmonized["weight"] == 1.0).all()


def test_a_column_whose_values_all_fail_is_a_mapping_mistake_with_a_hint():
    import pytest

    from msk_cooccurrence.errors import InputError
    from msk_cooccurrence.harmonize import check_columns_convert, conversion_tallies

    table = small_table().astype(object)
    table["SEX"] = ["f", "m"] * 20
    raw = raw_of(table)
    codes = CODES | {"sex": {"F": "female", "M": "male"}}
    harmonized, problems = harmonize(raw, COLUMNS, codes, CONDITIONS, 30)
    tallies = conversion_tallies(raw, COLUMNS, harmonized, problems)
    # halves of the rows tallied apart add up to the same verdict
    halves = [
        conversion_tallies(
            raw[part], COLUMNS, harmonized[part], problems[problems["source_row"].isin(raw[part]["source_row"])]
        )
        for part in (raw.index < 20, raw.index >= 20)
    ]
    summed = {k: t + halves[1][k] for k, t in halves[0].items()}
    assert {k: t.none_converted for k, t in summed.items()} == {k: t.none_converted for k, t in tallies.items()}
    assert summed["sex"] == tallies["sex"] and tallies["sex"].none_converted
    with pytest.raises(InputError) as error:
        check_columns_convert("study", "study.csv", codes, tallies, COLUMNS)
    message = str(error.value)
    assert "'SEX' (sex)" in message and "'f'" in message and "'f' looks like 'F'" in message
    assert "rows 1, 2, 3" in message
