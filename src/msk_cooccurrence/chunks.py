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

from .columns import SHORT_LINE, SOURCE_ROW, analysis_columns, category_levels
from .derive import add_items, check_items_match, definition_summary, prepare, restrict_to_universes
from .design import design_of
from .errors import InputError
from .files import SOURCE_WARNINGS, background_writes, parquet_notes, parquet_writer
from .harmonize import (
    Reading,
    add_tallies,
    check_columns_convert,
    conversion_fix,
    conversion_tallies,
    harmonize,
    harmonized_values,
)
from .illustrative import identity
from .reliability import design_summary
from .settings import Settings
from .validate import (
    Validated,
    absent_variable_warnings,
    check_share,
    check_some_valid,
    check_two_conditions,
    collapsed_code_warnings,
    data_warnings,
    duplicated_values,
    quarantine_table,
    row_failures,
    validation_summary,
)

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


def validate_chunk(name: str, dataset: Mapping, raw: pd.DataFrame, settings: Settings, mapping, duplicated, gathered):
    """Harmonize and validate one chunk of rows; add what the file's verdict needs to `gathered`.

    Returns (harmonized rows, analysis rows). `duplicated`: column -> values found more than once in the file.
    """
    prepared = prepare(name, mapping.label, raw, dataset, mapping.columns, settings.conditions)
    reading = Reading.of(dataset, settings.variables)
    booleans = (*settings.conditions, *settings.alternative_columns, *settings.auxiliary)  # read as yes/no columns
    harmonized, problems = harmonize(
        prepared.frame, prepared.columns, mapping.codes, booleans, settings.obesity_bmi, reading
    )
    tallies = conversion_tallies(raw, mapping.columns, harmonized, problems)
    harmonized, outside = restrict_to_universes(harmonized, dataset)
    problems = pd.concat([problems, prepared.problems, short_line_problems(raw)], ignore_index=True)
    if duplicated is None:  # the whole file in one chunk
        duplicated = duplicated_values(harmonized)
    columns = dataset_columns(settings, mapping.codes)
    failures = row_failures(harmonized, problems, settings.conditions, name, mapping.label, duplicated, columns)
    gathered.rows_in += len(harmonized)
    gathered.columns = list(harmonized.columns)
    gathered.failures.append(failures)
    gathered.quarantine.append(quarantine_table(raw.drop(columns=SHORT_LINE, errors="ignore"), failures))
    gathered.tallies = add_tallies(gathered.tallies, tallies)
    gathered.items = add_items(gathered.items, prepared.items)
    gathered.unknown_rows = add_tallies(gathered.unknown_rows, prepared.unknown_rows)
    gathered.outside = add_tallies(gathered.outside, outside)
    is_bad = harmonized[SOURCE_ROW].isin(failures[SOURCE_ROW].unique())
    analysis = harmonized.loc[~is_bad].reset_index(drop=True)
    for key in ("sex", *settings.conditions):
        if key in analysis:
            gathered.produced[key] = gathered.produced.get(key, set()) | set(analysis[key].dropna().tolist())
    return harmonized, analysis


def short_line_problems(raw: pd.DataFrame) -> pd.DataFrame:
    """A CSV line with fewer fields than the header is quarantined: its missing fields are not unknowns
    but a line cut short (ingest.short_lines)."""
    if SHORT_LINE not in raw:
        return pd.DataFrame(columns=[SOURCE_ROW, "column", "check", "value"])
    short = raw[SHORT_LINE].notna().to_numpy()
    return pd.DataFrame(
        {SOURCE_ROW: raw.loc[short, SOURCE_ROW].to_numpy(), "column": "file", "check": "fewer fields than the header"}
        | {"value": raw.loc[short, SHORT_LINE].astype(str).to_numpy()}
    )


def dataset_columns(settings: Settings, codes: Mapping):
    """The harmonized columns of this dataset: its valid ages and the declared variables, whose levels
    the codes give."""
    levels = dict(settings.levels) | category_levels(settings.variables, codes)
    return analysis_columns(settings.variables, settings.min_age, settings.max_age, levels)


def verdict(
    name: str, dataset: Mapping, settings: Settings, mapping, gathered: Gathered, analysis, source_warnings=()
) -> Validated:
    """The file's verdict once every chunk is in: stop on a mapping mistake, too many bad rows or none
    valid; else the quarantine and validation.json's summary. `analysis`: the analysis rows, or at
    least their SUMMARY_COLUMNS (the caller keeps them); `source_warnings`: ingest's, listed first."""
    reading = Reading.of(dataset, settings.variables)
    check_items_match(name, mapping.label, gathered.items)
    check_columns_convert(name, mapping.label, mapping.codes, gathered.tallies, mapping.columns, reading)
    failures = pd.concat(gathered.failures, ignore_index=True)
    counts = validation_summary(
        gathered.rows_in, failures, gathered.columns, settings.conditions, settings.max_invalid_share
    )
    summary = {"dataset": name, **identity(name, dataset), "source": mapping.label} | counts

    def fix(column: str, values: list[str]) -> str:
        return conversion_fix(column, values, mapping.codes.get(column) or {}, reading)

    check_ages_in_range(summary, failures, settings, mapping)
    check_share(summary, failures, mapping.label, fix)
    check_some_valid(summary, failures)
    check_two_conditions(summary)
    summary.update(definition_summary(dataset, gathered.unknown_rows, gathered.outside))
    summary["design_summary"] = design_summary(design_of(analysis, settings.lonely_psu))
    summary["warnings"] = (
        list(source_warnings)
        + absent_variable_warnings(gathered.columns, settings)
        + collapsed_code_warnings(mapping.codes, mapping.columns, gathered.produced, settings.conditions)
        + data_warnings(analysis, mapping.columns, settings)
    )
    quarantine = pd.concat(gathered.quarantine, ignore_index=True)
    return Validated(pd.DataFrame(), quarantine, summary)


def check_ages_in_range(summary: Mapping, failures: pd.DataFrame, settings: Settings, mapping) -> None:
    """Stop when every row's age is outside the dataset's ages: no one is in the analysis population."""
    ages = failures[(failures["column"] == "age") & failures["check"].str.match(r"(below|above) ")]
    if not summary["rows_in"] or ages[SOURCE_ROW].nunique() < summary["rows_in"]:
        return
    words = {"below": "under", "above": "over"}
    counts = ages.groupby("check")[SOURCE_ROW].nunique().sort_values(ascending=False, kind="stable")
    outside = ", ".join(f"{n:,} {words[check.split()[0]]} {check.split()[1]}" for check, n in counts.items())
    raise InputError(
        f"Dataset '{summary['dataset']}' ({mapping.label}): no respondent is in the analysis population "
        f"({summary['rows_in']:,} read, {outside}): the dataset's ages run from `min_age: {settings.min_age:g}` "
        f"to `max_age: {settings.max_age:g}`. Set them to the ages you mean to analyse, or check that "
        f"`columns: age:` ('{mapping.columns.get('age')}') names the age in years."
    )


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
