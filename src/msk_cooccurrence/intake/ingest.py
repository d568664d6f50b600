"""Ingest: read a dataset's rows as they are in the file (or draw the synthetic cohort)."""

from __future__ import annotations

import csv
import gzip
import hashlib
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat

from ..columns import SHORT_LINE, SOURCE_ROW
from ..errors import InputError
from ..wiring import missing_input
from .values import close_match
from .xport import check_whole

FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xpt": "xpt",
    ".sas7bdat": "sas7bdat",
    ".dta": "stata",
    ".sav": "spss",
    ".zsav": "spss",
}


def file_sha256(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# the first bytes of the binary formats we read, and of formats people save by mistake
SIGNATURES = (
    (b"PAR1", "parquet", "a Parquet file"),
    (b"HEADER RECORD*******LIBRARY HEADER RECORD", "xpt", "a SAS XPORT file"),
    (b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xc2\xea\x81\x60", "sas7bdat", "a SAS7BDAT file"),
    (b"<stata_dta>", "stata", "a Stata file"),
    (b"$FL2", "spss", "an SPSS file"),
    (b"$FL3", "spss", "an SPSS file"),
    (b"PK\x03\x04", None, "a ZIP archive (an Excel .xlsx workbook is one)"),
    (b"\xd0\xcf\x11\xe0", None, "an old Excel .xls workbook"),
    (b"\x1f\x8b", "gzip", "gzip-compressed"),
)
DELIMITERS = {";": "a semicolon", "\t": "a tab", "|": "a vertical bar", ",": "a comma"}


def sniffed_format(path: Path) -> tuple[str | None, str] | None:
    """(format, what it is) when the file's first bytes say it is a binary format, else None."""
    with open(path, "rb") as handle:
        head = handle.read(64)
    return next(((fmt, what) for magic, fmt, what in SIGNATURES if head.startswith(magic)), None)


def table_format(name: str, path: Path, declared: str) -> str:
    if declared != "auto":
        return declared
    suffixes = [x.lower() for x in path.suffixes]
    compressed = len(suffixes) > 1 and suffixes[-1] == ".gz" and suffixes[-2] in (".csv", ".txt", ".tsv")
    fmt = FORMATS.get(suffixes[-2] if compressed else path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"Dataset '{name}': cannot tell the format of '{path}' from its extension; set `format:` for this dataset "
            f"to one of {sorted(set(FORMATS.values()))}."
        )
    return fmt


def check_file(name: str, path: Path) -> None:
    """Stop when the dataset's file is a folder or does not exist (also checked before the workflow starts)."""
    message = missing_input(name, {"path": path})
    if message:
        raise InputError(message)


def read_table(name: str, dataset: Mapping) -> pd.DataFrame:
    """The mapped columns of a `source: table` dataset, values as in the file, plus SOURCE_ROW."""
    return next(iter(table_chunks(name, dataset, None)))


def table_chunks(name: str, dataset: Mapping, chunk_rows: int | None) -> Iterator[pd.DataFrame]:
    """read_table, `chunk_rows` rows at a time (CSV and Parquet; the other formats in one piece)."""
    path = Path(dataset["path"])
    check_file(name, path)
    fmt = table_format(name, path, dataset.get("format", "auto"))
    _check_not_another_format(name, path, fmt)
    if fmt == "xpt":
        check_whole(name, path, "Copy or export the file again and rerun.")
    kept, first_row, what, short = None, 1, "has a header and no rows", None
    for frame in _read(name, path, fmt, dataset, chunk_rows):
        if kept is None:
            if fmt == "csv":
                _check_delimiter(name, path, frame, dataset.get("delimiter", ","))
            if frame.shape[1] == 0 or len(frame) == 0:
                what = "is empty" if frame.shape[1] == 0 else what
                break
            kept = _kept_columns(name, path, dataset, frame.columns)
        if fmt == "csv" and short is None and _may_have_short_lines(frame):
            short = short_lines(path, dataset)
        rows = range(first_row, first_row + len(frame))
        frame = frame[kept].copy()
        frame.insert(0, SOURCE_ROW, rows)
        if fmt == "csv":
            frame[SHORT_LINE] = pd.Series([short.get(r) for r in rows] if short else pd.NA, frame.index, "string")
        first_row += len(frame)
        yield frame
    if kept is None:
        raise InputError(f"Dataset '{name}': the file '{path}' {what}. Point `path:` at a file with data rows.")


def _named_fields(columns) -> int:
    """The header's fields up to its last named one (a header ending in a delimiter has an empty name)."""
    named = [i for i, c in enumerate(columns) if not str(c).startswith("Unnamed: ")]
    return named[-1] + 1 if named else len(columns)


def _may_have_short_lines(frame: pd.DataFrame) -> bool:
    """Whether a line of this chunk may have fewer fields than the header: pandas gives the fields a
    line lacks as empty texts, like empty fields, so a chunk whose last named field is never empty
    has none (and the file is not read a second time)."""
    return bool(frame.iloc[:, _named_fields(frame.columns) - 1].eq("").any())


def short_lines(path: Path, dataset: Mapping) -> dict[int, str]:
    """data row -> "line 1,201 has 7 of 10 fields" for each line with fewer fields than the header's named
    ones: a line cut short, whose missing fields pandas would read as empty. Lines are counted in the
    file, a field holding a line break included; blank lines, which pandas skips, are no data row."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    found, row = {}, 0
    with opener(path, "rt", encoding=dataset.get("encoding", "utf-8"), newline="") as handle:
        reader = csv.reader(handle, delimiter=dataset.get("delimiter", ","))
        expected = _named_fields([c or "Unnamed: " for c in next(reader, [])])  # empty names as pandas gives them
        line = reader.line_num
        for fields in reader:
            start, line = line + 1, reader.line_num
            if not fields:
                continue
            row += 1
            if len(fields) < expected:
                found[row] = f"line {start:,} has {len(fields)} of {expected} fields"
    return found


def _kept_columns(name: str, path: Path, dataset: Mapping, present) -> list:
    """The mapped columns and those the rules read, after checking the file has them."""
    columns = dict(dataset["columns"])
    _check_columns_present(name, path, columns, present)
    from .derive import rule_columns  # derive builds on this module

    return list(dict.fromkeys([*columns.values(), *rule_columns(name, path, dataset, present)]))


def _check_not_another_format(name: str, path: Path, fmt: str) -> None:
    """Stop when the file's first bytes say it is not what its extension or `format:` says."""
    sniffed = sniffed_format(path)
    if sniffed is None or sniffed[0] == fmt or (fmt == "csv" and path.name.lower().endswith(".gz")):
        return
    real, what = sniffed
    if real == "gzip":
        fix = "Give it the extension .csv.gz, which is read decompressed"
    elif real:
        fix = f"Set `format: {real}` for this dataset (or give the file the extension .{real})"
    else:
        fix = "Save it as CSV (or Parquet, SAS, Stata, SPSS) and point `path:` at that file"
    raise InputError(f"Dataset '{name}': '{path}' is {what}, not {fmt} as {_declared(path, fmt)}. {fix}.")


def _declared(path: Path, fmt: str) -> str:
    return f"its extension {path.suffix} says" if FORMATS.get(path.suffix.lower()) == fmt else "`format:` says"


def _check_delimiter(name: str, path: Path, frame: pd.DataFrame, delimiter: str) -> None:
    """Stop when the header holds another delimiter and the declared one split nothing."""
    if frame.shape[1] != 1:
        return
    header = str(frame.columns[0])
    found = [d for d in DELIMITERS if d != delimiter and d in header]
    if found:
        raise InputError(
            f"Dataset '{name}': the file '{path}' has one column with the delimiter {delimiter!r}, and its header "
            f"'{header[:60]}' holds {DELIMITERS[found[0]]}. Set `delimiter: {found[0]!r}` for this dataset."
        )


def _first_line(path: Path, encoding: str) -> str:
    with open(path, encoding=encoding, errors="replace") as handle:
        return handle.readline()


def _read(name: str, path: Path, fmt: str, dataset: Mapping, chunk_rows: int | None) -> Iterator[pd.DataFrame]:
    encoding = dataset.get("encoding", "utf-8")
    try:
        if fmt == "csv":
            # everything as text, and no word is missing by itself: codes and ids are matched as
            # written, numbers converted later, and only `missing:` and empty cells are missing
            options = {"sep": dataset.get("delimiter", ","), "encoding": encoding, "dtype": str}
            options["keep_default_na"] = False
            if chunk_rows is None:
                yield pd.read_csv(path, **options)
            else:
                with pd.read_csv(path, chunksize=chunk_rows, **options) as chunks:
                    yield from chunks
        elif fmt == "parquet":
            if chunk_rows is None:
                yield pd.read_parquet(path)
            else:
                yield from _parquet_chunks(name, path, dataset, chunk_rows)
        else:
            # pyreadstat reads SAS XPORT versions 5 and 8, SAS7BDAT, Stata and SPSS; value labels are
            # not applied, so codes stay codes and the `codes:` map says what they mean
            reader = {
                "xpt": pyreadstat.read_xport,
                "sas7bdat": pyreadstat.read_sas7bdat,
                "stata": pyreadstat.read_dta,
                "spss": pyreadstat.read_sav,
            }[fmt]
            declared = {"encoding": encoding} if "encoding" in dataset and fmt != "spss" else {}
            yield reader(str(path), **declared)[0]
    except pd.errors.EmptyDataError:
        yield pd.DataFrame()
    except UnicodeDecodeError as error:
        raise InputError(
            f"Dataset '{name}': the file '{path}' is not valid {encoding} (byte {error.start}: "
            f"{error.object[error.start : error.start + 1]!r}). Set `encoding:` for this dataset to the "
            f"file's real encoding (for example latin-1 or cp1252)."
        ) from None
    except LookupError:
        raise InputError(
            f"Dataset '{name}': `encoding: {encoding}` is not an encoding Python knows. Use its standard name, "
            f"for example utf-8, latin-1 or cp1252."
        ) from None
    except (ValueError, OSError, pa.ArrowException, pyreadstat.ReadstatError, pyreadstat.PyreadstatError) as error:
        hint = ""
        if fmt == "csv":
            line = _first_line(path, encoding)
            other = [d for d in DELIMITERS if d != dataset.get("delimiter", ",") and d in line]
            hint = f" Its header holds {DELIMITERS[other[0]]}: set `delimiter: {other[0]!r}`." if other else ""
        raise InputError(
            f"Dataset '{name}': cannot read '{path}' as {fmt} ({str(error).strip()}). "
            f"Check the file and `format:`.{hint}"
        ) from None


def _parquet_chunks(name: str, path: Path, dataset: Mapping, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """A Parquet file's kept columns by batches of rows (its other columns are never read)."""
    reader = pq.ParquetFile(path)
    present = reader.schema_arrow.names
    if reader.metadata.num_rows == 0 or not present:
        yield pd.DataFrame(columns=present)
        return
    for batch in reader.iter_batches(batch_size=chunk_rows, columns=_kept_columns(name, path, dataset, present)):
        yield pa.Table.from_batches([batch]).to_pandas()


def _check_columns_present(name: str, path: Path, columns: Mapping[str, str], present) -> None:
    missing = [(key, source) for key, source in columns.items() if source not in present]
    if not missing:
        return
    described = []
    for key, source in missing:
        hint = close_match(source, [str(c) for c in present])
        hint = f" (did you mean '{hint}'?)" if hint else ""
        described.append(f"'{source}' for {key}{hint}")
    raise InputError(
        f"Dataset '{name}': the file '{path}' has no column " + ", ".join(described) + ". Fix "
        f"`columns:` in the config; the file's columns are: {', '.join(map(str, list(present)[:30]))}."
    )
