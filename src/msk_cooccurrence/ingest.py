"""Ingest: read a dataset's rows as they are in the file (or draw the synthetic cohort)."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat

from .columns import SOURCE_ROW
from .errors import InputError

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


def table_format(path: Path, declared: str) -> str:
    if declared != "auto":
        return declared
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"Cannot tell the format of '{path}' from its extension; set `format:` for this dataset "
            f"to one of {sorted(set(FORMATS.values()))}."
        )
    return fmt


def read_table(name: str, dataset: Mapping) -> pd.DataFrame:
    """The mapped columns of a `source: table` dataset, values as in the file, plus SOURCE_ROW."""
    return next(iter(table_chunks(name, dataset, None)))


def table_chunks(name: str, dataset: Mapping, chunk_rows: int | None) -> Iterator[pd.DataFrame]:
    """read_table, `chunk_rows` rows at a time (CSV and Parquet; the other formats in one piece)."""
    path = Path(dataset["path"])
    if path.is_dir():
        raise InputError(f"Dataset '{name}': '{path}' is a folder, not a file. Point `path:` at the data file in it.")
    if not path.is_file():
        raise InputError(
            f"Dataset '{name}': the file '{path}' does not exist. Check `path:` in the config "
            f"(relative paths are read from the directory you run snakemake in)."
        )
    fmt = table_format(path, dataset.get("format", "auto"))
    kept, first_row, what = None, 1, "has a header and no rows"
    for frame in _read(name, path, fmt, dataset, chunk_rows):
        if kept is None:
            if frame.shape[1] == 0 or len(frame) == 0:
                what = "is empty" if frame.shape[1] == 0 else what
                break
            kept = _kept_columns(name, path, dataset, frame.columns)
        frame = frame[kept].copy()
        frame.insert(0, SOURCE_ROW, range(first_row, first_row + len(frame)))
        first_row += len(frame)
        yield frame
    if kept is None:
        raise InputError(f"Dataset '{name}': the file '{path}' {what}. Point `path:` at a file with data rows.")


def _kept_columns(name: str, path: Path, dataset: Mapping, present) -> list:
    """The mapped columns and those the rules read, after checking the file has them."""
    columns = dict(dataset["columns"])
    _check_columns_present(name, path, columns, present)
    from .derive import rule_columns  # derive builds on this module

    return list(dict.fromkeys([*columns.values(), *rule_columns(name, path, dataset, present)]))


def _read(name: str, path: Path, fmt: str, dataset: Mapping, chunk_rows: int | None) -> Iterator[pd.DataFrame]:
    encoding = dataset.get("encoding", "utf-8")
    try:
        if fmt == "csv":
            # everything as text: codes and ids are matched as written, numbers converted later
            options = {"sep": dataset.get("delimiter", ","), "encoding": encoding, "dtype": str}
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
    except (ValueError, OSError, pa.ArrowException, pyreadstat.ReadstatError, pyreadstat.PyreadstatError) as error:
        raise InputError(
            f"Dataset '{name}': cannot read '{path}' as {fmt} ({error}). Check the file and `format:`."
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


def close_match(name: str, candidates: list[str]) -> str | None:
    """The candidate a typo most likely meant: same letters in another case first, then similar."""
    for candidate in candidates:
        if candidate.lower() == name.lower():
            return candidate
    close = difflib.get_close_matches(name.lower(), [c.lower() for c in candidates], n=1)
    return next((c for c in candidates if close and c.lower() == close[0]), None)


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
