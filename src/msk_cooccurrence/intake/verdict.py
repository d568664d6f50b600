"""A file's verdict once every chunk has been validated: validation.json's summary, the stops that need
the whole file (too many bad rows, none valid, no one of the analysis ages, fewer than two
conditions) and the warnings about the rows kept (weights, obesity, variables absent, codes collapsed).

Per chunk, intake enters `derive`, `harmonize` and `validate` once each (chunks.validate_chunk); at
the file's end `derive.checked_definitions`, `harmonize.checked_conversions` and `file_verdict` here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..columns import CYCLE, SOURCE_ROW
from ..errors import InputError
from ..illustrative import identity
from ..settings import Settings
from ..survey.design import design_of, design_summary, kish_effective_n
from .harmonize import harmonized_values
from .quarantine import quarantine_reasons
from .validate import (
    CONVERSION_CHECKS,
    HARMONIZED,
    Column,
    Validated,
    design_kind,
    duplicated_values,
    quarantine_table,
    row_failures,
)


def file_verdict(
    name: str,
    dataset: Mapping,
    mapping,
    settings: Settings,
    gathered,
    conversions,
    definitions: Mapping,
    analysis,
    source_warnings,
):
    """validation.json's summary once every chunk is in (`gathered`: chunks.Gathered): stop on too many
    bad rows, none valid or fewer than two conditions; else the counts, the definitions' summary, the
    design's summary (from the analysis rows) and the warnings, ingest's first."""
    failures = pd.concat(gathered.failures, ignore_index=True)
    counts = validation_summary(
        gathered.rows_in, failures, gathered.columns, settings.conditions, settings.max_invalid_share
    )
    summary = {"dataset": name, **identity(name, dataset), "source": mapping.label} | counts
    check_ages_in_range(summary, failures, settings, mapping)
    check_share(summary, failures, mapping.label, conversions.fix)
    check_some_valid(summary, failures)
    check_two_conditions(summary)
    summary.update(definitions)
    summary["quarantine_reasons"] = quarantine_reasons(failures, conversions.fix)
    summary["unmapped_unknown"] = conversions.unmapped_unknown
    summary["design_summary"] = design_summary(design_of(analysis, settings.lonely_psu))
    summary["warnings"] = (
        list(source_warnings)
        + recoded_warnings(summary["unmapped_unknown"], summary["rows_in"])
        + absent_variable_warnings(gathered.columns, settings)
        + collapsed_code_warnings(mapping.codes, mapping.columns, gathered.produced, settings.conditions)
        + data_warnings(analysis, mapping.columns, settings)
    )
    return summary


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


def recoded_warnings(summary: Mapping, rows_in: int) -> list[str]:
    """One warning per column whose unconverted values were made unknown: asked for, and still said,
    with how many rows it changed."""
    found = []
    for key, made in summary.items():
        values = ", ".join(repr(v) for v in made["values"])
        found.append(
            f"{made['rows']:,} of {rows_in:,} rows have a value of '{made['file_column']}' ({key}) with no mapping "
            f"({values}; first rows {', '.join(map(str, made['first_rows']))}): made unknown in {key} only, as "
            f"`unmapped: {{{key}: unknown}}` asks; these rows stay in every estimate that does not read {key}."
        )
    return found
