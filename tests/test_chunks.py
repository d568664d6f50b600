"""Ingest and validation in chunks give the files of one pass over the whole file, byte for byte."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from helpers import CODES, COLUMNS, LITERATURE, run_stages, small_table

from msk_cooccurrence.config import validate_config
from msk_cooccurrence.errors import InputError

GRADE = {0: False, 1: False, 2: True, 3: True, 4: True}


def awkward_table(n: int = 60) -> pd.DataFrame:
    """Bad rows in every chunk, an id repeated across chunks, a rule, unknown_if and a universe at work."""
    table = small_table(n).astype(object)
    table["KL_R"] = [i % 5 for i in range(n)]
    table["PREG"] = [1 if i % 13 == 4 else 2 for i in range(n)]
    table.loc[3, "ID"] = table.loc[45, "ID"]  # the same id in the first and the last chunk
    table.loc[[9, 30], "ID"] = None
    table.loc[[0, 22], "AGE"] = 150
    table.loc[5, "WT"] = -1
    table.loc[17, "SEX"] = 7
    table.loc[[8, 26], "KL_R"] = 6  # not a grade
    table.loc[40, "BMI"] = "heavy"
    return table


def dataset_of(path, **extra) -> dict:
    return {
        "source": "table",
        "path": str(path),
        "columns": {k: v for k, v in COLUMNS.items() if k != "knee_oa"},
        "codes": {k: v for k, v in CODES.items() if k != "knee_oa"},
        "rules": {"knee_oa": {"item": "KL_R", "codes": GRADE}},
        "unknown_if": {"bmi": {"item": "PREG", "codes": {1: True, 2: False}}},
        "universes": {"knee_oa": {"min_age": 30}},
    } | extra


def config_of(dataset: dict, chunk_rows: int, **extra) -> dict:
    base = {"datasets": {"study": dataset}, "literature": str(LITERATURE), "chunk_rows": chunk_rows}
    return validate_config(base | {"max_invalid_share": 0.5} | extra)


def write(table: pd.DataFrame, path) -> None:
    if path.suffix == ".csv":
        table.to_csv(path, index=False)
    else:  # a Parquet file of several row groups, as large files come
        table.astype(str).replace({"None": None, "nan": None}).to_parquet(path, index=False, row_group_size=25)


FILES = ("raw", "harmonized", "analysis", "quarantine", "validation", "provenance")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_chunks_of_seven_rows_give_the_files_of_the_whole_file(tmp_path, suffix):
    path = tmp_path / f"study{suffix}"
    write(awkward_table(), path)
    whole = run_stages(config_of(dataset_of(path), 10**6), "study", tmp_path / "whole", tables=False)
    chunked = run_stages(config_of(dataset_of(path), 7), "study", tmp_path / "chunked", tables=False)
    assert pq.ParquetFile(chunked["raw"]).num_row_groups == 9  # 60 rows, 7 at a time: chunks were used
    assert pq.ParquetFile(whole["raw"]).num_row_groups == 1
    for name in ("raw", "harmonized", "analysis"):
        pd.testing.assert_frame_equal(pd.read_parquet(chunked[name]), pd.read_parquet(whole[name]))
    for name in ("quarantine", "validation", "provenance"):
        assert chunked[name].read_bytes() == whole[name].read_bytes(), name
    # what the rows are: the duplicated id found across chunks, every bad row once, the accounting
    quarantine = pd.read_csv(chunked["quarantine"])
    assert quarantine["source_row"].tolist() == [1, 4, 6, 9, 10, 18, 23, 27, 31, 41, 46]
    assert "id: duplicated (0045)" in quarantine.set_index("source_row").loc[46, "reasons"]
    summary = pd.read_json(chunked["validation"], typ="series")
    assert summary["rows_in"] == 60 == summary["rows_valid"] + summary["rows_quarantined"]
    assert summary["unknown_if"]["bmi"]["rows"] == 5 and summary["outside_universe"]["knee_oa"] > 0


def test_the_tables_from_chunked_validation_are_the_tables_of_one_pass(tmp_path):
    path = tmp_path / "study.csv"
    write(awkward_table(), path)
    whole = run_stages(config_of(dataset_of(path), 10**6), "study", tmp_path / "whole")
    chunked = run_stages(config_of(dataset_of(path), 11), "study", tmp_path / "chunked")
    for name in ("prevalence", "odds_ratios", "sensitivity"):
        assert chunked[name].read_bytes() == whole[name].read_bytes(), name


def test_a_chunk_whose_values_all_fail_is_bad_rows_the_whole_file_failing_a_mapping_mistake(tmp_path):
    table = awkward_table()
    table.loc[:6, "SEX"] = "f"  # all of the first chunk: quarantined rows, not a mapping mistake
    write(table, tmp_path / "some.csv")
    paths = run_stages(config_of(dataset_of(tmp_path / "some.csv"), 7), "study", tmp_path / "some", tables=False)
    assert "sex: value has no entry in codes (f)" in pd.read_csv(paths["quarantine"])["reasons"].iloc[0]
    table["SEX"] = np.where(np.arange(len(table)) % 2, "f", "m")
    write(table, tmp_path / "all.csv")
    with pytest.raises(InputError, match=r"not one value of column 'SEX' \(sex\) could be converted.*rows 1, 2, 3"):
        run_stages(config_of(dataset_of(tmp_path / "all.csv"), 7), "study", tmp_path / "all", tables=False)
    assert not (tmp_path / "all" / "a.parquet").exists()  # no analysis file that looks complete


def test_a_header_without_rows_is_refused_in_chunks_as_whole(tmp_path):
    (tmp_path / "empty.csv").write_text("ID,AGE,SEX,BMI,LBP,WT,KL_R,PREG\n")
    with pytest.raises(InputError, match="has a header and no rows"):
        run_stages(config_of(dataset_of(tmp_path / "empty.csv"), 7), "study", tmp_path / "out", tables=False)


def test_whole_number_ids_repeated_across_chunks_are_found_as_text_ids_are(tmp_path):
    """Integer ids are counted as numbers and only the repeated ones converted: the same verdicts as
    for the same ids read as text, and an id declared missing is missing, not a repeat."""
    table = small_table(60)
    table["KL_R"] = [i % 5 for i in range(60)]
    table["PREG"] = 2
    table["ID"] = np.arange(1, 61)
    table.loc[3, "ID"] = table.loc[45, "ID"]  # the first and the last chunk
    table.loc[[10, 50], "ID"] = -1  # declared missing below: two unknown ids, not one id twice
    table.to_parquet(tmp_path / "numbers.parquet", index=False, row_group_size=25)
    table.to_csv(tmp_path / "text.csv", index=False)
    assert pq.ParquetFile(tmp_path / "numbers.parquet").schema_arrow.field("ID").type == "int64"
    reasons = {}
    for name in ("numbers.parquet", "text.csv"):
        config = config_of(dataset_of(tmp_path / name, missing=["-1"]), 7)
        paths = run_stages(config, "study", tmp_path / name.split(".")[0], tables=False)
        quarantine = pd.read_csv(paths["quarantine"]).set_index("source_row")["reasons"]
        reasons[name] = quarantine.to_dict()
    assert reasons["numbers.parquet"] == reasons["text.csv"]
    assert "id: duplicated (46)" in reasons["text.csv"][4] and "id: duplicated (46)" in reasons["text.csv"][46]
    assert "duplicated" not in reasons["text.csv"].get(11, "") + reasons["text.csv"].get(51, "")


def test_background_writes_keep_the_order_of_the_chunks_and_raise_a_writes_error(tmp_path):
    from msk_cooccurrence.files import ParquetChunks, background_writes

    frames = [pd.DataFrame({"row": np.arange(i * 1000, (i + 1) * 1000), "half": [i % 2 == 0] * 1000}) for i in range(5)]
    out = ParquetChunks(tmp_path / "rows.parquet")
    with background_writes() as write:
        for frame in frames:
            write((out, frame))
    out.close()  # after the block: every chunk is in the file, in order
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "rows.parquet"), pd.concat(frames, ignore_index=True))

    class Failing:
        def write(self, frame):
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"), background_writes() as write:
        write((Failing(), frames[0]))
