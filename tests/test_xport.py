"""A SAS XPORT file's layout checked whole (msk_cooccurrence.intake.xport) against what the format says.

The truth here is the format's (SAS TS-140 and its version 8 companion): records of 80 bytes, rows
of the namestrs' lengths after the OBS header, blanks only after the last row, and in version 8 the
OBSV8 header's row count. pyreadstat itself reads a cut file short without a word, which the first
test shows, so that the check is needed at all.
"""

from __future__ import annotations

import pyreadstat
import pytest
from nhanes_fixtures import write_fixtures

from msk_cooccurrence.errors import InputError
from msk_cooccurrence.intake.ingest import read_table
from msk_cooccurrence.intake.xport import damage

ROW = 15 * 8  # DEMO_B.XPT: 15 numeric variables of 8 bytes
DATA_AT = 2880  # 3 library + 2 member + 2 descriptor records, the NAMESTR header, 15 x 140 bytes padded, OBS header


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    where = tmp_path_factory.mktemp("xpt")
    write_fixtures(where, ("2001-2002",))
    frame = pyreadstat.read_xport(str(where / "DEMO_B.XPT"))[0]
    pyreadstat.write_xport(frame, str(where / "DEMO_B8.XPT"), table_name="DEMO_B", file_format_version=8)
    return where


def cut(source, target, size):
    target.write_bytes(source.read_bytes()[:size])
    return target


def test_pyreadstat_reads_a_cut_file_short_without_a_word(folder, tmp_path):
    for name in ("DEMO_B.XPT", "DEMO_B8.XPT"):
        whole = folder / name
        short = cut(whole, tmp_path / name, int(whole.stat().st_size * 0.6))
        assert len(pyreadstat.read_xport(str(short))[0]) == 302  # of 520, and no error


def test_the_files_as_written_are_whole(folder):
    assert (folder / "DEMO_B.XPT").stat().st_size == DATA_AT + 520 * ROW  # the layout this test assumes
    for path in sorted(folder.iterdir()):
        assert damage(path) is None, path


def test_the_version_8_header_holds_the_row_count(folder):
    data = (folder / "DEMO_B8.XPT").read_bytes()
    at = data.index(b"HEADER RECORD*******OBSV8   HEADER RECORD!!!!!!!")
    assert data[at + 48 : at + 63] == b"520".rjust(15)


@pytest.mark.parametrize("size", [500, 2810, 2900, 2880 + 37 * ROW + 41, 39168, 65280 - 1])
def test_a_version_5_file_cut_off_a_record_boundary_is_damaged(folder, tmp_path, size):
    assert size % 80
    assert damage(cut(folder / "DEMO_B.XPT", tmp_path / "DEMO_B.XPT", size))


def test_a_version_5_file_cut_within_a_row_is_damaged_and_one_cut_between_rows_and_records_is_not(folder, tmp_path):
    for size in range(DATA_AT, DATA_AT + 520 * ROW, 80):
        found = damage(cut(folder / "DEMO_B.XPT", tmp_path / "DEMO_B.XPT", size))
        # version 5 records no count: a cut where a row and a record end both looks like a shorter file
        assert (found is None) == ((size - DATA_AT) % ROW == 0), (size, found)


def test_every_cut_of_a_version_8_file_with_its_count_is_damaged(folder, tmp_path):
    whole = folder / "DEMO_B8.XPT"
    for size in range(DATA_AT - 80, whole.stat().st_size, 80):
        found = damage(cut(whole, tmp_path / "DEMO_B8.XPT", size))
        assert found and ("promises 520 rows" in found or "before its first row" in found), (size, found)


def test_a_file_of_two_data_sets_is_named_as_such(folder, tmp_path):
    one = (folder / "MCQ_B.XPT").read_bytes()
    two = tmp_path / "TWO.XPT"
    two.write_bytes(one + one[240:])  # a second member after the first, as PROC COPY writes a library
    assert "more than one data set" in damage(two)


def test_a_table_source_xpt_cut_short_stops_naming_the_file(folder, tmp_path):
    short = cut(folder / "DEMO_B.XPT", tmp_path / "demo.xpt", 39168)
    dataset = {"source": "table", "path": str(short), "columns": {"id": "SEQN", "age": "RIDAGEYR", "sex": "RIAGENDR"}}
    with pytest.raises(InputError) as error:
        read_table("study", dataset)
    message = str(error.value)
    assert "'study'" in message and "demo.xpt' is damaged" in message and "last row is cut short" in message


def test_a_file_that_is_not_xport_is_left_to_the_reader(tmp_path):
    text = tmp_path / "x.xpt"
    text.write_text("ID,AGE\n1,40\n" * 100)
    assert damage(text) is None
