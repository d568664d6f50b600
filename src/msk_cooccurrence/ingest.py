"""Ingest: read a dataset's rows as they are in the file (or draw the synthetic cohort)."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
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
    path = Path(dataset["path"])
    if path.is_dir():
        raise InputError(f"Dataset '{name}': '{path}' is a folder, not a file. Point `path:` at the data file in it.")
    if not path.is_file():
        raise InputError(
            f"Dataset '{name}': the file '{path}' does not exist. Check `path:` in the config "
            f"(relative paths are read from the directory you run snakemake in)."
        )
    fmt = table_format(path, dataset.get("format", "auto"))
    frame = _read(name, path, fmt, dataset)
    if frame.shape[1] == 0 or len(frame) == 0:
        what = "is empty" if frame.shape[1] == 0 else "has a header and no rows"
        raise InputError(f"Dataset '{name}': the file '{path}' {what}. Point `path:` at a file with data rows.")
    columns = dict(dataset["columns"])
    _check_columns_present(name, path, columns, frame.columns)
    from .derive import rule_columns  # derive builds on this module

    frame = frame[list(dict.fromkeys([*columns.values(), *rule_columns(name, path, dataset, frame.columns)]))].copy()
    frame.insert(0, SOURCE_ROW, range(1, len(frame) + 1))
    return frame


def _read(name: str, path: Path, fmt: str, dataset: Mapping) -> pd.DataFrame:
    encoding = dataset.get("encoding", "utf-8")
    try:
        if fmt == "csv":
            # everything as text: codes and ids are matched as written, numbers converted later
            return pd.read_csv(path, sep=dataset.get("delimiter", ","), encoding=encoding, dtype=str)
        if fmt == "parquet":
            return pd.read_parquet(path)
        # pyreadstat reads SAS XPORT versions 5 and 8, SAS7BDAT, Stata and SPSS; value labels are
        # not applied, so codes stay codes and the `codes:` map says what they mean
        reader = {
            "xpt": pyreadstat.read_xport,
            "sas7bdat": pyreadstat.read_sas7bdat,
            "stata": pyreadstat.read_dta,
            "spss": pyreadstat.read_sav,
        }[fmt]
        declared = {"encoding": encoding} if "encoding" in dataset and fmt != "spss" else {}
        return reader(str(path), **declared)[0]
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except UnicodeDecodeError as error:
        raise InputError(
            f"Dataset '{name}': the file '{path}' is not valid {encoding} (byte {error.start}: "
            f"{error.object[error.start : error.start + 1]!r}). Set `encoding:` for this dataset to the "
            f"file's real encoding (for example latin-1 or cp1252)."
        ) from None
    except (ValueError, OSError, pyreadstat.ReadstatError, pyreadstat.PyreadstatError) as error:
        raise InputError(
            f"Dataset '{name}': cannot read '{path}' as {fmt} ({error}). Check the file and `format:`."
        ) from None


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
