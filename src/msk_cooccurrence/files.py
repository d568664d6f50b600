"""Reading and writing the workflow's files: atomic writes, stable number formats, the literature table.

Every output is written to a temporary file beside it and renamed into place, so an interrupted
run never leaves a half-written file that looks complete.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError

if TYPE_CHECKING:  # pandas is loaded where a frame is read: an imputation job needs none
    import pandas as pd

SOURCE_WARNINGS = "msk_cooccurrence.source_warnings"  # raw.parquet's note: ingest's warnings, as JSON
FLOAT_FORMAT = "%.15g"  # full precision that prints the same on every run
LITERATURE_COLUMNS = ("quantity", "value", "ci_low", "ci_high", "population", "source")


@contextmanager
def atomic_path(path: Path | str):
    """Yield a temporary path beside `path`; rename it into place only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=_temporary_prefix(path), suffix=path.suffix)
    os.close(handle)
    os.chmod(temporary, 0o644)  # mkstemp makes files private; outputs are meant to be shared
    try:
        yield Path(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _temporary_prefix(path: Path) -> str:
    return f".{path.name}."


def stale_temporaries(path: Path | str) -> list[Path]:
    """The temporaries of `path` an earlier writer left behind (killed before it could remove them):
    mkstemp's names, `.<name>.` + 8 letters, digits or _ + `path`'s suffix."""
    path = Path(path)
    pattern = re.compile(re.escape(_temporary_prefix(path)) + r"[a-z0-9_]{8}" + re.escape(path.suffix) + "$")
    if not path.parent.is_dir():
        return []
    return sorted(p for p in path.parent.iterdir() if pattern.match(p.name) and p.is_file())


def remove_stale_temporaries(paths) -> list[Path]:
    """Remove the stale temporaries of a job's outputs before it writes them (a job's outputs have one
    writer at a time, so any temporary there is left from a killed run); returns those removed."""
    removed = [stale for path in paths for stale in stale_temporaries(path)]
    for stale in removed:
        stale.unlink(missing_ok=True)
    return removed


def write_csv(frame: pd.DataFrame, path) -> None:
    with atomic_path(path) as temporary:
        frame.to_csv(temporary, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


def write_parquet(frame: pd.DataFrame, path) -> None:
    with atomic_path(path) as temporary:
        frame.to_parquet(temporary, index=False)


def write_json(data, path) -> None:
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")


def write_text(text: str, path) -> None:
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def read_json(path) -> dict:
    return json.loads(Path(path).read_text())


def read_literature(path) -> pd.DataFrame:
    """The table of published figures (quantity, value, ci_low, ci_high, population, source)."""
    import pandas as pd

    try:
        table = pd.read_csv(path, dtype={"quantity": str, "population": str, "source": str})
    except FileNotFoundError:
        raise InputError(f"The literature table '{path}' does not exist; set `literature:` in the config.") from None
    missing = set(LITERATURE_COLUMNS) - set(table.columns)
    if missing:
        raise InputError(f"The literature table '{path}' lacks the column(s) {', '.join(sorted(missing))}.")
    return table


class ParquetChunks:
    """Appends DataFrames to one Parquet file, with the first one's schema and `notes` (text by key) in its
    metadata (parquet_notes reads them)."""

    def __init__(self, path: Path, notes: dict[str, str] | None = None) -> None:
        self.path, self.writer, self.notes = path, None, dict(notes or {})

    def write(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, schema=self.writer.schema if self.writer else None, preserve_index=False)
        if self.writer is None:
            notes = {key.encode(): text.encode() for key, text in self.notes.items()}
            self.writer = pq.ParquetWriter(self.path, table.schema.with_metadata((table.schema.metadata or {}) | notes))
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


@contextmanager
def parquet_writer(path, notes: dict[str, str] | None = None):
    """A ParquetChunks writing beside `path`, renamed into place if the block succeeds."""
    with atomic_path(path) as temporary:
        chunks = ParquetChunks(temporary, notes)
        try:
            yield chunks
        finally:
            chunks.close()


def parquet_notes(path) -> dict[str, str]:
    """The notes a ParquetChunks wrote in a Parquet file's metadata (pandas' own entry left out)."""
    import pyarrow.parquet as pq

    metadata = pq.ParquetFile(path).schema_arrow.metadata or {}
    return {key.decode(): text.decode() for key, text in metadata.items() if key != b"pandas"}


@contextmanager
def background_writes():
    """A function that appends frames to ParquetChunks, `write((out, frame), ...)`, in a second thread:
    the caller reads or validates the next chunk while pyarrow encodes and compresses this one
    (outside the GIL, on a core a one-threaded job leaves idle). One call is written at a time, so
    at most one chunk more is held; the calls are written in order, and the block ends when the
    last is written (a write's error is raised in the caller)."""
    from concurrent.futures import ThreadPoolExecutor

    pending = None

    def write(*outputs) -> None:
        nonlocal pending
        if pending is not None:
            pending.result()
        pending = pool.submit(_write_all, outputs)

    with ThreadPoolExecutor(max_workers=1) as pool:
        yield write
        if pending is not None:
            pending.result()


def _write_all(outputs) -> None:
    for out, frame in outputs:
        out.write(frame)
