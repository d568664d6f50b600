"""Validate the harmonized table with pandera; quarantine bad rows with their reasons.

Row-level failures (a value out of range, a code with no mapping, a duplicated id, a missing or
non-positive weight) send the row to the quarantine with every check it failed; dataset-level
failures (a required column missing, too many bad rows) stop the run with a plain message.
Invariant: rows_in = rows_valid + rows_quarantined.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from .columns import CYCLE, HARMONIZED, SOURCE_ROW, Column
from .errors import InputError
from .harmonize import harmonized_values
from .reliability import kish_effective_n
from .settings import Settings

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


def validate(
    harmonized: pd.DataFrame,
    problems: pd.DataFrame,
    raw: pd.DataFrame,
    conditions,
    max_invalid_share: float,
    dataset: str,
    source: str,
    fix: Callable[[str, list[str]], str] | None = None,
    harmonized_columns: Sequence[Column] = HARMONIZED,
) -> Validated:
    """Split rows into the analysis table and the quarantine; stop on dataset-level failures.

    `fix(column, values)` says in words how to make a column's unconverted values convert; the
    message that stops the run gives it for the commonest such problem.
    """
    duplicated = duplicated_values(harmonized)
    failures = row_failures(harmonized, problems, conditions, dataset, source, duplicated, harmonized_columns)
    is_bad = harmonized[SOURCE_ROW].isin(failures[SOURCE_ROW].unique())
    summary = validation_summary(len(harmonized), failures, harmonized.columns, conditions, max_invalid_share)
    summary = {"dataset": dataset, "source": source} | summary
    check_share(summary, failures, source, fix)
    check_some_valid(summary, failures)
    return Validated(harmonized.loc[~is_bad].reset_index(drop=True), quarantine_table(raw, failures), summary)


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


def validation_summary(rows_in: int, failures: pd.DataFrame, columns, conditions, max_invalid_share: float) -> dict:
    """validation.json's counts: rows in, valid and quarantined, each check's failures (commonest first)."""
    quarantined = int(failures[SOURCE_ROW].nunique())
    checks = (failures["column"] + ": " + failures["check"]).value_counts()
    ordered = sorted(checks.items(), key=lambda item: (-item[1], item[0]))  # the same whatever the rows' order
    return {
        "rows_in": int(rows_in),
        "rows_valid": int(rows_in - quarantined),
        "rows_quarantined": quarantined,
        "max_invalid_share": max_invalid_share,
        "checks": {k: int(v) for k, v in ordered},
        "conditions_analysed": [c for c in conditions if c in columns],
        "conditions_absent": [c for c in conditions if c not in columns],
        "design": design_kind(columns),
    }


def check_two_conditions(summary: dict) -> None:
    """Stop when fewer than two conditions are in the dataset: co-occurrence needs a pair (every table
    but the prevalence is of pairs or patterns)."""
    analysed, absent = summary["conditions_analysed"], summary["conditions_absent"]
    if len(analysed) < 2:
        have = ", ".join(analysed) or "none"
        raise InputError(
            f"Dataset '{summary['dataset']}' ({summary['source']}): how conditions co-occur needs two of them, and "
            f"it has {have} (not mapped or derived: {', '.join(absent)}). Map another condition's column under "
            "`columns:` (with its `codes:`) or derive it with `rules:`; obesity comes from a mapped `bmi`."
        )


def check_some_valid(summary: dict, failures: pd.DataFrame) -> None:
    """Stop when no row is valid: there is nothing to analyse."""
    if summary["rows_valid"] == 0:
        raise InputError(
            f"Dataset '{summary['dataset']}' ({summary['source']}): none of its {summary['rows_in']} rows is valid, "
            f"so there is nothing to analyse. Commonest problems: {_commonest(failures)}. Fix the `columns:` or "
            f"`codes:` mapping; quarantine.csv is not written when the run stops."
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


def check_share(summary: dict, failures: pd.DataFrame, source: str, fix=None) -> None:
    """Stop when more than max_invalid_share of the rows is invalid, naming the commonest problems."""
    share = summary["rows_quarantined"] / summary["rows_in"]
    if share <= summary["max_invalid_share"]:
        return
    converted = failures[failures["check"].isin(CONVERSION_CHECKS)]
    hint = ""
    if fix is not None and len(converted):
        column = converted["column"].value_counts().index[0]
        values = list(dict.fromkeys(converted.loc[converted["column"] == column, "value"]))[:5]
        hint = f" For {column}: {fix(column, values)}."
    raise InputError(
        f"Dataset '{summary['dataset']}' ({source}): {summary['rows_quarantined']} of "
        f"{summary['rows_in']} rows ({share:.1%}) are invalid, more than max_invalid_share "
        f"({summary['max_invalid_share']:.1%}). Commonest problems: {_commonest(failures)}.{hint} This usually "
        f"means a wrong `columns:` or `codes:` mapping; fix it, or raise `max_invalid_share` if the rows "
        f"are really bad."
    )


def _commonest(failures: pd.DataFrame) -> str:
    """The five commonest (column, check) failures with their row counts, first row and example values."""
    common = failures.groupby(["column", "check"]).agg(
        rows=(SOURCE_ROW, "nunique"), first=(SOURCE_ROW, "min"), values=("value", lambda v: list(dict.fromkeys(v))[:3])
    )
    common = common.sort_values("rows", ascending=False).head(5)
    return "; ".join(
        f"{c}: {k} in {r.rows} rows (first at row {r.first}; values {', '.join(repr(v) for v in r['values'])})"
        for (c, k), r in common.iterrows()
    )


DOMINANT_WEIGHTS = 10  # warn when weighting alone multiplies variances by more than this (Kish)


def data_warnings(analysis: pd.DataFrame, columns: Mapping[str, str], settings: Settings) -> list[str]:
    """What a researcher must know about valid rows before reading the estimates, one paragraph each."""
    if analysis.empty:
        return []
    found = [_weight_warning(analysis, columns), _obesity_warning(analysis, columns, settings.obesity_bmi)]
    youngest = float(analysis["age"].min())
    groups = settings.standard_groups
    lowest = min((g["lower"] for g in groups), default=None)
    if lowest is not None and youngest < lowest:
        outside = int((analysis["age"] < lowest).sum())
        found.append(
            f"The standard population ({settings.standard_population.get('name', 'standard_population')}) starts "
            f"at age {lowest:g}, but {outside} rows are younger: the age-standardized prevalences are for ages "
            f"{lowest:g}+ only. Add a group from {youngest:g} to `standard_population: groups:` to cover every row."
        )
    return [w for w in found if w]


def absent_variable_warnings(columns, settings: Settings) -> list[str]:
    """A covariate, grouping or subgroup of the config that this dataset does not have: said, since
    its models are then adjusted for less, or its tables lack that grouping."""
    wanted = {"covariates": settings.covariates, "groupings": settings.groupings, "subgroups": settings.subgroups}
    derived = {"age_band": "age", "bmi_class": "bmi"}
    found = []
    for key, names in wanted.items():
        absent = [n for n in names if derived.get(n, n) not in columns]
        if absent:
            listed = ", ".join(f"{settings.label(n)} ({n})" for n in absent)
            found.append(
                f"`{key}` names {listed}, which this dataset does not have: "
                + ("its models are not adjusted for it. " if key == "covariates" else "its tables leave it out. ")
                + (
                    "Only a dataset of several NHANES cycles has the cycle."
                    if CYCLE in absent
                    else "Map it in the dataset's `columns:` (or derive it), or remove it from `" + key + "`."
                )
            )
    for condition, definitions in settings.alternatives.items():
        if condition not in columns:
            found.append(
                f"`alternatives` defines {settings.label(condition)} ({condition}) otherwise "
                f"({', '.join(definitions)}), but this dataset has no {condition} by its primary definition: "
                "definitions.csv leaves it out. Map or derive the condition itself, or remove the alternative."
            )
    return found


def collapsed_code_warnings(codes: Mapping, columns: Mapping, produced: Mapping, conditions) -> list[str]:
    """Sex or a condition whose codes give one value to two codes while no valid row has the other value:
    {1: female, 2: female} makes everyone female without an error, where the codebook says 1 is male."""
    found = []
    for key, code_map in codes.items():
        if key != "sex" and key not in conditions or key not in produced:
            continue
        values = harmonized_values(key, pd.Series(list(code_map), dtype=object), code_map, conditions)
        by_value: dict = {}
        for code, value in zip(code_map, values):
            if not pd.isna(value):
                by_value.setdefault(value, []).append(code)
        words = {"female": "female", "male": "male"} if key == "sex" else {True: "yes", False: "no"}
        for value, shared in by_value.items():
            if len(shared) > 1 and produced[key] <= {value}:
                other = next(w for v, w in words.items() if v != value)
                listed = ", ".join(map(str, shared[:-1])) + f" and {shared[-1]} {'both' if len(shared) == 2 else 'all'}"
                found.append(
                    f"`codes: {key}:` maps {listed} to {words[value]}, and no valid row is {other}: every row of "
                    f"'{columns.get(key, key)}' ({key}) with a value is {words[value]}. Check the codes against the "
                    "file's codebook (one of them likely means the other value)."
                )
    return found


def _weight_warning(analysis: pd.DataFrame, columns: Mapping[str, str]) -> str:
    weight = analysis["weight"].to_numpy(float)
    n = weight.size
    effective = kish_effective_n(weight)
    if n < 2 or not effective * DOMINANT_WEIGHTS < n:
        return ""
    top = int(np.argmax(weight))
    column = columns.get("weight", "weight")
    return (
        f"The weights are very unequal: Kish's effective sample size is {effective:.1f} for {n} rows (weighting "
        f"alone multiplies variances by {n / effective:.0f}), and row {analysis[SOURCE_ROW].iloc[top]} carries "
        f"{weight[top] / weight.sum():.1%} of the total weight. Estimates rest on few rows; check the weight "
        f"column '{column}' (a misplaced decimal, or a population total in place of a weight)."
    )


def _obesity_warning(analysis: pd.DataFrame, columns: Mapping[str, str], threshold: float) -> str:
    if "obesity" not in analysis or "bmi" not in analysis:
        return ""
    obesity = analysis["obesity"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    bmi = analysis["bmi"].to_numpy(float)
    known = ~np.isnan(obesity) & ~np.isnan(bmi)
    contradict = known & ((obesity == 1) != (bmi >= threshold))
    if not contradict.any():
        return ""
    rows = ", ".join(map(str, analysis.loc[contradict, SOURCE_ROW].head(5)))
    column = columns.get("obesity", "obesity")
    return (
        f"The obesity column '{column}' contradicts BMI >= {threshold:g} (`obesity_bmi`) in {int(contradict.sum())} "
        f"of {int(known.sum())} rows with both known (rows {rows}...). Obesity is used as the column gives it; "
        f"remove `obesity:` from `columns:` to derive it from BMI, or check `obesity_bmi` and the column's codes."
    )
