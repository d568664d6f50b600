"""Renaming and recoding: mapped codes, unmapped codes, bad numbers, derived obesity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import CODES, COLUMNS, CONDITIONS, small_table

from msk_cooccurrence.intake.harmonize import Reading, canonical, conversion_fix, harmonize, harmonized_values
from msk_cooccurrence.intake.ingest import SOURCE_ROW


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
    from msk_cooccurrence.intake.harmonize import check_columns_convert, conversion_tallies

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


@pytest.mark.parametrize(
    ("thousands", "decimal", "written", "expected"),
    [
        (
            ",",
            ".",
            ["2,997.2", "1,234,567", "997", "-1,000", "1,23", "12,34.5"],
            [2997.2, 1234567, 997, -1000, None, None],
        ),
        (".", ",", ["2.997,2", "1.234.567", "27,5", "22.5"], [2997.2, 1234567, 27.5, None]),
        (" ", ",", ["2 997,2", "2\u00a0997,2", "2\u202f997"], [2997.2, 2997.2, 2997]),
        ("'", ".", ["2'997.2", "2'99"], [2997.2, None]),
        (None, ",", ["27,5", "2.997", "2,997.2"], [27.5, None, None]),
    ],
)
def test_thousands_separators_are_read_only_where_they_group_digits_by_three(thousands, decimal, written, expected):
    reading = Reading(decimal=decimal, thousands=thousands)
    values = harmonized_values("weight", pd.Series(written), None, CONDITIONS, reading)
    assert np.allclose(values, [np.nan if e is None else e for e in expected], equal_nan=True)


@pytest.mark.parametrize(
    ("values", "decimal", "words"),
    [
        (["2,997.2"], ".", "thousands separators ('2,997.2'): set `thousands: \",\"`"),
        (["2.997,2"], ".", 'set `thousands: "."` and `decimal: ","`'),
        (["2.997,2"], ",", "thousands separators ('2.997,2'): set `thousands: \".\"` for"),
        (
            ["2,997"],
            ".",
            'if they separate thousands, set `thousands: ","` for this dataset; if they are decimal commas',
        ),
        (["27,5"], ".", 'decimal commas: set `decimal: ","`'),
        (["22.5"], ",", 'decimal points, but the dataset says `decimal: ","`'),
    ],
)
def test_the_fix_names_the_separators_that_stop_numbers(values, decimal, words):
    assert words in conversion_fix("weight", values, {}, Reading(decimal=decimal), none_converted=True)
