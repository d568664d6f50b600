"""Reading researchers' files: formats agree, and every bad file ends in a plain message."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import CONDITIONS, small_table, table_dataset

from msk_cooccurrence.errors import InputError
from msk_cooccurrence.intake.harmonize import harmonize
from msk_cooccurrence.intake.ingest import read_table


def harmonized_from(dataset: dict) -> pd.DataFrame:
    raw = read_table("study", dataset)
    return harmonize(raw, dataset["columns"], dataset["codes"], CONDITIONS, 30)[0]


def test_csv_semicolon_csv_and_parquet_give_the_same_harmonized_table(tmp_path):
    table = small_table()
    table.to_csv(tmp_path / "a.csv", index=False)
    table.to_csv(tmp_path / "b.txt", index=False, sep=";")
    table.to_parquet(tmp_path / "c.parquet")
    from_csv = harmonized_from(table_dataset(tmp_path / "a.csv"))
    from_semicolon = harmonized_from(table_dataset(tmp_path / "b.txt", delimiter=";"))
    from_parquet = harmonized_from(table_dataset(tmp_path / "c.parquet"))
    pd.testing.assert_frame_equal(from_csv, from_semicolon)
    # parquet keeps numeric ids as numbers: compare the analysed columns
    columns = ["age", "sex", "bmi", "knee_oa", "low_back_pain", "weight", "obesity"]
    pd.testing.assert_frame_equal(from_csv[columns], from_parquet[columns])


def test_latin1_file_reads_with_its_declared_encoding(tmp_path):
    table = small_table().assign(ID=lambda d: "Zoë" + d["ID"])
    table.to_csv(tmp_path / "l.csv", index=False, encoding="latin-1")
    with pytest.raises(InputError, match="encoding"):
        read_table("study", table_dataset(tmp_path / "l.csv"))
    frame = read_table("study", table_dataset(tmp_path / "l.csv", encoding="latin-1"))
    assert frame["ID"].iloc[0].startswith("Zoë")


@pytest.mark.parametrize(("content", "words"), [("", "is empty"), ("ID,AGE,SEX,BMI,KOA,LBP,WT\n", "no rows")])
def test_empty_and_header_only_files(tmp_path, content, words):
    (tmp_path / "e.csv").write_text(content)
    with pytest.raises(InputError, match=words):
        read_table("study", table_dataset(tmp_path / "e.csv"))


def test_missing_file_and_missing_column_name_the_fix(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_table("study", table_dataset(tmp_path / "nope.csv"))
    small_table().rename(columns={"KOA": "KOA_1"}).to_csv(tmp_path / "s.csv", index=False)
    with pytest.raises(InputError) as error:
        read_table("study", table_dataset(tmp_path / "s.csv"))
    assert "'KOA' for knee_oa" in str(error.value) and "did you mean 'KOA_1'" in str(error.value)
