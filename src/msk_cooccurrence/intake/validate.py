"""Validate the harmonized table with pandera; quarantine bad rows with their reasons.

Row-level failures (a value out of range, a code with no mapping, a duplicated id, a missing or
non-positive weight) send the row to the quarantine with every check it failed; dataset-level
failures (a required column missing, too many bad rows) stop the run with a plain message.
Invariant: rows_in = rows_valid + rows_quarantined.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ..columns import HARMONIZED, SHORT_LINE, SOURCE_ROW, Column, analysis_columns, category_levels
from ..errors import InputError
from ..settings import Settings

DTYPES = {"text": str, "number": float, "sex": str, "category": str}
# the checks of values harmonize could not convert (harmonize._problem_label)
CONVERSION_CHECKS = (
    "not a number",
    "not a number and no entry in codes",
    "value has no entry in codes",
    "not a recognised value",
)


def _checks(column: Column) -> list[pa.Check]:
    checks = []
    if column.low is not None:
        checks.append(pa.Check.ge(column.low))
    if column.high is not None:
        checks.append(pa.Check.le(column.high))
    if column.above is not None:
        checks.append(pa.Check.gt(column.above))
    if column.kind == "number" and column.high is None:  # gt(0) lets inf through
        checks.append(pa.Check(lambda values: np.isfinite(values), name="finite"))
    if column.kind == "sex":
        checks.append(pa.Check.isin(["female", "male"]))
    if column.kind == "category" and column.levels:
        checks.append(pa.Check.isin(list(column.levels)))
    return checks


def harmonized_schema(conditions, harmonized: Sequence[Column] = HARMONIZED) -> pa.DataFrameSchema:
    """The pandera schema of the harmonized table: its columns (columns.HARMONIZED, or a dataset's
    columns.analysis_columns with its ages and variables) plus a nullable boolean per condition.

    The weight is required here because harmonize fills 1 where a dataset has none; a stratum or
    PSU is not nullable, since a row of a cluster design without one cannot be placed in the design.
    Uniqueness is checked apart (duplicate_failures), against the whole file, so that a file
    validated in chunks finds a duplicate in another chunk.
    """
    columns = {SOURCE_ROW: pa.Column(int, unique=True)}
    for column in harmonized:
        columns[column.name] = pa.Column(
            DTYPES[column.kind],
            checks=_checks(column),
            nullable=column.nullable,
            required=column.required or column.name == "weight",
        )
    columns |= {c: pa.Column("boolean", nullable=True, required=False) for c in conditions}
    return pa.DataFrameSchema(columns, strict=False)


@dataclass(frozen=True)
class Validated:
    analysis: pd.DataFrame
    quarantine: pd.DataFrame
    summary: dict


def row_failures(
    harmonized: pd.DataFrame,
    problems: pd.DataFrame,
    conditions,
    dataset: str,
    source: str,
    duplicated: Mapping,
    columns: Sequence[Column] = HARMONIZED,
) -> pd.DataFrame:
    """Every failed check of every row, once per row and column, with its reason in words.

    `duplicated`: column -> the values that occur more than once in the whole file (duplicated_values);
    `columns`: the dataset's harmonized columns (columns.analysis_columns).
    """
    _check_design_columns(harmonized, dataset, source)
    schema = _schema_failures(harmonized, conditions, dataset, source, columns)
    # the order pandera gives a unique column's failures: after its other checks, before the next column
    first = [c.name for c in HARMONIZED if c.unique]
    at_front = schema["column"].isin(first)
    parts = [schema[at_front], *(_duplicate_failures(harmonized, c, duplicated[c]) for c in first), schema[~at_front]]
    failures = pd.concat([*parts, problems], ignore_index=True)
    # a value harmonize could not convert is missing afterwards: report it once, as harmonize saw it
    failures = failures.drop_duplicates([SOURCE_ROW, "column"], keep="last")
    failures["reason"] = failures["column"] + ": " + failures["check"] + " (" + failures["value"] + ")"
    return failures.reset_index(drop=True)


@dataclass(frozen=True)
class Checked:
    """One chunk validated: every failed check of its rows, their quarantine rows, and the rows kept."""

    failures: pd.DataFrame
    quarantine: pd.DataFrame
    analysis: pd.DataFrame


def check_chunk(name: str, raw: pd.DataFrame, harmonized, problems, mapping, settings: Settings, duplicated) -> Checked:
    """Intake's validate step for one chunk, after harmonize: every row's failures (the schema's, the
    duplicated ids', and `problems`: what derive and harmonize could not read), the quarantine, the
    analysis rows. `duplicated`: column -> values found more than once in the file (None: this chunk is
    the whole file)."""
    problems = pd.concat([*problems, short_line_problems(raw)], ignore_index=True)
    if duplicated is None:
        duplicated = duplicated_values(harmonized)
    columns = dataset_columns(settings, mapping.codes)
    failures = row_failures(harmonized, problems, settings.conditions, name, mapping.label, duplicated, columns)
    quarantine = quarantine_table(raw.drop(columns=SHORT_LINE, errors="ignore"), failures)
    is_bad = harmonized[SOURCE_ROW].isin(failures[SOURCE_ROW].unique())
    return Checked(failures, quarantine, harmonized.loc[~is_bad].reset_index(drop=True))


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


def duplicated_values(frame: pd.DataFrame) -> dict[str, set]:
    """column -> its non-missing values that occur more than once, for each column that must be unique."""
    out = {}
    for column in (c.name for c in HARMONIZED if c.unique):
        values = frame[column].dropna() if column in frame else pd.Series(dtype=object)
        out[column] = set(values[values.duplicated()])
    return out


def _duplicate_failures(frame: pd.DataFrame, column: str, duplicated: set) -> pd.DataFrame:
    hit = frame[column].isin(duplicated).to_numpy() & frame[column].notna().to_numpy()
    values = frame.loc[hit, column]
    return pd.DataFrame(
        {SOURCE_ROW: frame.loc[hit, SOURCE_ROW].to_numpy(), "column": column, "check": "duplicated"}
        | {"value": as_text(values).to_numpy()}
    )


def design_kind(columns) -> str:
    if "stratum" in columns and "psu" in columns:
        return "stratified cluster sample (strata, PSUs, weights)"
    return "weights only (each row its own PSU)"


def _check_design_columns(frame: pd.DataFrame, dataset: str, source: str) -> None:
    if ("stratum" in frame) != ("psu" in frame):
        given, absent = ("stratum", "psu") if "stratum" in frame else ("psu", "stratum")
        raise InputError(
            f"Dataset '{dataset}' ({source}) maps a {given} column but no {absent} column. A design "
            f"needs both (PSUs nested in strata) or neither (weights only); add `{absent}:` to "
            f"`columns:` or remove `{given}:`."
        )


def _schema_failures(frame: pd.DataFrame, conditions, dataset: str, source: str, columns) -> pd.DataFrame:
    """Row-level failures as (source_row, column, check, value); raise on dataset-level ones."""
    try:
        harmonized_schema(conditions, columns).validate(frame, lazy=True)
        return pd.DataFrame(columns=[SOURCE_ROW, "column", "check", "value"])
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    dataset_level = cases[cases["index"].isna()]
    if len(dataset_level):
        described = "; ".join(f"{r.column}: {r.check} ({r.failure_case})" for r in dataset_level.itertuples())
        raise InputError(
            f"Dataset '{dataset}' ({source}) cannot be validated: {described}. Map the required "
            f"columns (id, age, sex) in `columns:` and check the column types."
        ) from None
    rows = cases["index"].astype(int).to_numpy()
    out = pd.DataFrame(
        {
            SOURCE_ROW: frame[SOURCE_ROW].to_numpy()[rows],
            "column": cases["column"].astype(str).to_numpy(),
            "check": cases["check"].astype(str).map(_plain_check).to_numpy(),
            "value": as_text(cases["failure_case"]).to_numpy(),
        }
    )
    return out.drop_duplicates([SOURCE_ROW, "column", "check"])


def as_text(values: pd.Series) -> pd.Series:
    """Values as text for messages, with 'missing' for a missing value."""
    return values.map(lambda v: "missing" if v is None or v is pd.NA or v != v else str(v)).astype(object)


PLAIN_CHECKS = (
    (re.compile(r"^greater_than_or_equal_to\((.+)\)$"), r"below \1"),
    (re.compile(r"^less_than_or_equal_to\((.+)\)$"), r"above \1"),
    (re.compile(r"^greater_than\((.+)\)$"), r"not above \1"),
    (re.compile(r"^isin\(\[(.+)\]\)$"), r"not one of \1"),
    (re.compile(r"^not_nullable$"), "missing"),
    (re.compile(r"^field_uniqueness$"), "duplicated"),
    (re.compile(r"^finite$"), "not a finite number"),
)


def _plain_check(check: str) -> str:
    """pandera's check name in words a researcher reads: less_than_or_equal_to(120) -> above 120."""
    for pattern, words in PLAIN_CHECKS:
        if pattern.match(check):
            return pattern.sub(words, check).replace("'", "")
    return check


def quarantine_table(raw: pd.DataFrame, failures: pd.DataFrame) -> pd.DataFrame:
    """One row per quarantined input row: its original values and every reason, in file order."""
    reasons = failures.groupby(SOURCE_ROW, sort=True)["reason"].agg("; ".join).rename("reasons").reset_index()
    table = raw.merge(reasons, on=SOURCE_ROW, how="inner")
    columns = [SOURCE_ROW, "reasons"] + [c for c in raw.columns if c != SOURCE_ROW]
    return table[columns].sort_values(SOURCE_ROW).reset_index(drop=True)
