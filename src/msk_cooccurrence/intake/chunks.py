"""Ingest and validation in chunks of rows, so that their peak memory is set by `chunk_rows`, not the file.

A Parquet file is read by batches of its row groups and a CSV file by chunks of lines; each chunk is
harmonized and validated on its own and appended to the output files with a pyarrow ParquetWriter,
in a second thread while the next chunk is validated.
What needs the whole file is gathered as the chunks pass, or read once apart:
- duplicated ids: a first pass over the id column alone, counted by pyarrow (whole numbers as
  numbers, other ids as Arrow strings);
- mapping mistakes ("not one value converts"): Tallies of present and failed values, added up;
- the failures of invalid rows (for validation.json and the max_invalid_share stop) and the
  quarantine, kept whole: they are at most max_invalid_share of the rows before the run stops;
- the design summary, the warnings about valid rows and the log's counts, from a few columns of
  the analysis file read back once it is written (source row, design, age, BMI, conditions).
One chunk of the whole frame is `pipeline.harmonize_and_validate`, so both paths give the same rows,
quarantine and validation.json (tests/test_chunks.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..columns import SOURCE_ROW
from ..files import SOURCE_WARNINGS, background_writes, parquet_notes, parquet_writer
from ..settings import Settings
from .derive import add_items, checked_definitions, prepare
from .harmonize import Reading, checked_conversions, harmonize_chunk, harmonized_values
from .validate import Validated, check_chunk
from .values import add_tallies
from .verdict import file_verdict

# what the verdict reads of the analysis rows: the design summary's and the warnings' columns
SUMMARY_COLUMNS = (SOURCE_ROW, "weight", "stratum", "psu", "age", "bmi")


@dataclass
class Gathered:
    """What the chunks of one file add up to."""

    rows_in: int = 0
    columns: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    quarantine: list = field(default_factory=list)
    tallies: dict = field(default_factory=dict)
    items: dict = field(default_factory=dict)
    unknown_rows: dict = field(default_factory=dict)
    outside: dict = field(default_factory=dict)
    produced: dict = field(default_factory=dict)  # sex and each condition -> the values its valid rows have
    recoded: list = field(default_factory=list)  # the values made unknown (`unmapped: unknown`), each chunk's

    def add(self, prepared, harmonized, checked, conditions) -> None:
        """One chunk's derive.Prepared, harmonize.Harmonized and validate.Checked, added in."""
        self.rows_in += len(harmonized.frame)
        self.columns = list(harmonized.frame.columns)
        self.failures.append(checked.failures)
        self.quarantine.append(checked.quarantine)
        self.tallies = add_tallies(self.tallies, harmonized.tallies)
        self.recoded.append(harmonized.recoded)
        self.items = add_items(self.items, prepared.items)
        self.unknown_rows = add_tallies(self.unknown_rows, prepared.unknown_rows)
        self.outside = add_tallies(self.outside, harmonized.outside)
        for key in ("sex", *conditions):
            if key in checked.analysis:
                values = set(checked.analysis[key].dropna().tolist())
                self.produced[key] = self.produced.get(key, set()) | values


def validate_chunk(name: str, dataset: Mapping, raw: pd.DataFrame, settings: Settings, mapping, duplicated, gathered):
    """One chunk through intake, each step once: derive the rule conditions, harmonize, validate; what the
    file's verdict needs is added to `gathered`.

    Returns (harmonized rows, analysis rows). `duplicated`: column -> values found more than once in the file.
    """
    prepared = prepare(name, mapping.label, raw, dataset, mapping.columns, settings.conditions)
    harmonized = harmonize_chunk(raw, prepared, mapping, dataset, settings)
    checked = check_chunk(
        name, raw, harmonized.frame, [harmonized.problems, prepared.problems], mapping, settings, duplicated
    )
    gathered.add(prepared, harmonized, checked, settings.conditions)
    return harmonized.frame, checked.analysis


def verdict(
    name: str, dataset: Mapping, settings: Settings, mapping, gathered: Gathered, analysis, source_warnings=()
) -> Validated:
    """The file's verdict once every chunk is in, each step once: derive (no item matches its codes),
    harmonize (no value of a column converts), validate (too many bad rows, none valid; else the
    quarantine and validation.json's summary). `analysis`: the analysis rows, or at least their
    SUMMARY_COLUMNS (the caller keeps them); `source_warnings`: ingest's, listed first."""
    definitions = checked_definitions(
        name, mapping.label, dataset, gathered.items, gathered.unknown_rows, gathered.outside
    )
    reading = Reading.of(dataset, settings.variables)
    conversions = checked_conversions(name, mapping, gathered.tallies, gathered.recoded, reading)
    summary = file_verdict(
        name, dataset, mapping, settings, gathered, conversions, definitions, analysis, source_warnings
    )
    return Validated(pd.DataFrame(), pd.concat(gathered.quarantine, ignore_index=True), summary)


def parquet_chunks(path, chunk_rows: int, columns=None) -> Iterator[pd.DataFrame]:
    """A Parquet file's rows, `chunk_rows` at a time, as pandas reads the whole file."""
    reader = pq.ParquetFile(path)
    for batch in reader.iter_batches(batch_size=chunk_rows, columns=columns):
        yield pa.Table.from_batches([batch], schema=batch.schema).to_pandas()


def duplicated_in_file(raw_path, mapping, dataset: Mapping, settings: Settings, chunk_rows: int) -> dict:
    """The harmonized ids that occur more than once in the file, from a pass over the id column alone."""
    if "id" not in mapping.columns:
        return {"id": set()}
    column = mapping.columns["id"]
    if not mapping.codes.get("id") and pa.types.is_integer(pq.ParquetFile(raw_path).schema_arrow.field(column).type):
        # whole numbers become distinct texts, so ids repeat exactly where the numbers do: only the
        # repeated numbers are converted (a million distinct ids cost a second as text)
        counts = pq.read_table(raw_path, columns=[column]).column(0).value_counts()
        repeated = counts.field("values").filter(pa.compute.greater(counts.field("counts"), 1))
        values = harmonized_values("id", repeated.to_pandas(), None, settings.conditions, Reading.of(dataset))
        return {"id": set(pd.Series(values).dropna())}
    parts = []
    for raw in parquet_chunks(raw_path, chunk_rows, columns=[mapping.columns["id"]]):
        values = harmonized_values(
            "id", raw.iloc[:, 0], mapping.codes.get("id"), settings.conditions, Reading.of(dataset)
        )
        parts.append(pa.array(values, type=pa.large_string(), from_pandas=True))
    counts = pa.chunked_array(parts, type=pa.large_string()).value_counts()
    values, times = counts.field("values"), counts.field("counts")
    return {"id": set(values.filter(pa.compute.greater(times, 1)).drop_null().to_pylist())}


def validate_file_in_chunks(
    name: str, view: Mapping, raw_path, harmonized_path, analysis_path, chunk_rows: int
) -> Validated:
    """validate_stage in chunks: the harmonized and analysis files written chunk by chunk, the verdict at
    the end (both files are renamed into place only when it passes)."""
    from .sources import source_of

    settings, dataset = Settings.from_dict(view), view["dataset"]
    mapping = source_of(dataset).mapping(dataset, pq.ParquetFile(raw_path).schema_arrow.names)
    duplicated = duplicated_in_file(raw_path, mapping, dataset, settings, chunk_rows)
    gathered = Gathered()
    with parquet_writer(harmonized_path) as harmonized_out, parquet_writer(analysis_path) as analysis_out:
        with background_writes() as write:  # every chunk written when the block ends
            for raw in parquet_chunks(raw_path, chunk_rows):
                harmonized, analysis = validate_chunk(name, dataset, raw, settings, mapping, duplicated, gathered)
                write((harmonized_out, harmonized), (analysis_out, analysis))
        analysis_out.close()
        wanted = [c for c in (*SUMMARY_COLUMNS, *settings.conditions) if c in gathered.columns]
        analysis = pd.read_parquet(analysis_out.path, columns=list(dict.fromkeys(wanted)))
        source_warnings = json.loads(parquet_notes(raw_path).get(SOURCE_WARNINGS, "[]"))
        result = verdict(name, dataset, settings, mapping, gathered, analysis, source_warnings)
        return replace(result, analysis=analysis)
