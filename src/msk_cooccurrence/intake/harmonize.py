"""Harmonize: rename to the harmonized columns, recode with the `codes:` map, derive obesity.

A value that cannot be converted or has no entry in its column's codes map becomes missing here
and is reported as a problem of its row, which validation then quarantines; nothing is guessed.
Only an empty cell, a word of the dataset's `missing:` list, or a code mapped to null is missing:
a word a column's `codes:` names keeps that meaning even if it is also in `missing:` (so `None`
coded as "no pain" stays "no pain"). A codes map on a number column names its special values
("80+": 80, ".": null); the other numbers stay numbers. `decimal: ","` reads 27,5 as 27.5 (and a
point in a number is then not a number); `thousands: ","` reads 2,997.2 as 2997.2, where the separator
groups the digits by three (1,23 stays not a number).

`unmapped: {column: unknown}` is the one exception a researcher may ask for: that column's values
with no entry in its codes (or, for a number, not numbers) are unknown in that column only, and their
rows stay; `made_unknown` takes them out of the problems, and validation.json counts them by column
(`recoded_summary`) with a warning. A column none of whose values converts still stops the run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..columns import NUMERIC, SOURCE_ROW, TEXT, numeric_names, outside_universe, variable_column
from ..errors import InputError
from .definitions import alternative_rules
from .values import Tally, canonical, close_match

BOOLEAN_WORDS = {"1": True, "0": False, "true": True, "false": False, "yes": True, "no": False}
SEX_WORDS = {"female": "female", "male": "male", "f": "female", "m": "male"}
PROBLEM_COLUMNS = [SOURCE_ROW, "column", "check", "value"]


@dataclass(frozen=True)
class Reading:
    """How a dataset's cells are read: the words that mean missing, the decimal mark of its numbers,
    and which columns are numbers (the harmonized ones and the declared number variables)."""

    missing: tuple[str, ...] = ()
    decimal: str = "."
    numbers: tuple[str, ...] = NUMERIC
    thousands: str | None = None
    unknown: tuple[str, ...] = ()  # the columns whose unconverted values are unknown (`unmapped: unknown`)

    @classmethod
    def of(cls, dataset: Mapping, variables: Mapping = {}) -> Reading:
        declared = numeric_names(tuple(variable_column(n, v) for n, v in variables.items()))
        missing = tuple(str(m) for m in dataset.get("missing", ()))
        unknown = tuple(k for k, policy in dataset.get("unmapped", {}).items() if policy == "unknown")
        return cls(missing, dataset.get("decimal", "."), NUMERIC + declared, dataset.get("thousands"), unknown)


THOUSANDS = (",", ".", " ", "'")  # the thousands separators `thousands:` takes
SPACES = " \u00a0\u202f"  # a space separator may be written as a no-break or a narrow no-break space


def grouped(separator: str, decimal: str) -> str:
    """The pattern of a number whose digits are grouped by three with `separator` (at least one group)."""
    mark = f"[{SPACES}]" if separator == " " else re.escape(separator)
    return rf"[+-]?\d{{1,3}}(?:{mark}\d{{3}})+(?:{re.escape(decimal)}\d*)?"


def number_text(keys: pd.Series, reading: Reading) -> pd.Series:
    """Number cells as Python writes numbers: thousands separators dropped where they group digits by three,
    the decimal mark a point; with a decimal comma, a point left over makes the cell not a number."""
    if reading.thousands:
        separated = keys.str.fullmatch(grouped(reading.thousands, reading.decimal), na=False)
        mark = f"[{SPACES}]" if reading.thousands == " " else re.escape(reading.thousands)
        keys = keys.where(~separated, keys.str.replace(mark, "", regex=True))
    if reading.decimal == ".":
        return keys
    keys = keys.mask(keys.str.contains(".", regex=False, na=False), "not a number")
    return keys.str.replace(reading.decimal, ".", regex=False)


def harmonize(
    raw: pd.DataFrame,
    columns: Mapping[str, str],
    codes: Mapping[str, Mapping],
    conditions,
    obesity_bmi: float,
    reading: Reading = Reading(),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Harmonized table (one row per raw row, same order) and its conversion problems."""
    out = pd.DataFrame({SOURCE_ROW: raw[SOURCE_ROW].to_numpy()})
    problems = []
    for key, source in columns.items():
        values, bad = _convert(key, raw[source], codes.get(key), conditions, reading)
        out[key] = values
        if bad.any():
            problems.append(
                pd.DataFrame(
                    {
                        SOURCE_ROW: raw.loc[bad, SOURCE_ROW].to_numpy(),
                        "column": key,
                        "check": _problem_label(key, codes.get(key), reading),
                        "value": raw.loc[bad, source].map(str).to_numpy(),
                    }
                )
            )
    if "weight" not in out:
        out["weight"] = 1.0  # unweighted data: every row stands for itself
    if "obesity" in conditions and "obesity" not in out and "bmi" in out:
        out["obesity"] = pd.array(np.where(out["bmi"].isna(), None, out["bmi"] >= obesity_bmi), dtype="boolean")
    problem_table = pd.concat(problems, ignore_index=True) if problems else pd.DataFrame(columns=PROBLEM_COLUMNS)
    return out, problem_table


@dataclass(frozen=True)
class Harmonized:
    """One chunk harmonized: the rows, the values that did not convert (problems of their rows), the
    Tally of each mapped column, and the known values of each condition outside its universe."""

    frame: pd.DataFrame
    problems: pd.DataFrame
    tallies: dict
    outside: dict
    recoded: pd.DataFrame  # the problems of the columns `unmapped: unknown` makes unknown (made_unknown)


def harmonize_chunk(raw: pd.DataFrame, prepared, mapping, dataset: Mapping, settings) -> Harmonized:
    """Intake's harmonize step for one chunk, after derive (`prepared`: derive.Prepared): rename, recode
    and convert, tally what did not convert, and make each condition unknown outside its universe."""
    reading = Reading.of(dataset, settings.variables)
    booleans = (*settings.conditions, *settings.alternative_columns, *settings.auxiliary)  # read as yes/no columns
    frame, problems = harmonize(
        prepared.frame, prepared.columns, mapping.codes, booleans, settings.obesity_bmi, reading
    )
    tallies = conversion_tallies(raw, mapping.columns, frame, problems)
    problems, recoded = made_unknown(problems, reading)
    frame, outside = restrict_to_universes(frame, dataset)
    return Harmonized(frame, problems, tallies, outside, recoded)


def restrict_to_universes(harmonized: pd.DataFrame, dataset: Mapping) -> tuple[pd.DataFrame, dict]:
    """Conditions made unknown outside their universe; the count of known values that were outside."""
    out = harmonized.copy()
    outside_counts = {}
    for condition, universe in dataset.get("universes", {}).items():
        if condition not in out:
            continue
        outside = outside_universe(out["age"], universe)
        outside_counts[condition] = int((outside & out[condition].notna().to_numpy()).sum())
        out.loc[outside, condition] = pd.NA
        for column in alternative_rules(dataset, [condition]):
            out.loc[outside, column] = pd.NA  # every definition of the condition has its universe
    return out, outside_counts


@dataclass(frozen=True)
class Conversions:
    """The file's verdict on its conversions: the fix to name for a column's unconverted values
    (conversion_fix), and the values `unmapped: unknown` made unknown, by column (recoded_summary)."""

    fix: Callable[[str, list[str]], str]
    unmapped_unknown: dict


def checked_conversions(name: str, mapping, tallies: Mapping, recoded: list, reading: Reading) -> Conversions:
    """The file's verdict on its conversions once every chunk is in: stop where not one value of a
    mapped column converts; else its Conversions (`recoded`: each chunk's Harmonized.recoded)."""
    check_columns_convert(name, mapping.label, mapping.codes, tallies, mapping.columns, reading)

    def fix(column: str, values: list[str]) -> str:
        return conversion_fix(column, values, mapping.codes.get(column) or {}, reading)

    return Conversions(fix, recoded_summary(pd.concat(recoded, ignore_index=True), mapping.columns))


def made_unknown(problems: pd.DataFrame, reading: Reading) -> tuple[pd.DataFrame, pd.DataFrame]:
    """harmonize's problems split in two: those that quarantine their row, and those of the columns the
    dataset makes unknown (`unmapped: unknown`), whose values harmonize has already left missing."""
    recoded = problems["column"].isin(reading.unknown).to_numpy()
    return problems[~recoded].reset_index(drop=True), problems[recoded].reset_index(drop=True)


def recoded_summary(recoded: pd.DataFrame, columns: Mapping[str, str]) -> dict:
    """validation.json's count of the values made unknown, by column: rows, the file's column, the first
    five distinct values and the first five rows."""
    return {
        key: {
            "rows": int(part[SOURCE_ROW].nunique()),
            "file_column": columns.get(key, key),
            "values": list(dict.fromkeys(part["value"]))[:5],
            "first_rows": [int(row) for row in part[SOURCE_ROW].head(5)],
        }
        for key, part in recoded.groupby("column", sort=True)
    }


def _problem_label(key: str, code_map, reading: Reading) -> str:
    if key in reading.numbers:
        return "not a number" + (" and no entry in codes" if code_map else "")
    if code_map:
        return "value has no entry in codes"
    return "not a recognised value"


def harmonized_values(key: str, series: pd.Series, code_map, conditions, reading: Reading = Reading()):
    """A raw column's values as harmonize makes them (unconvertible ones missing)."""
    return _convert(key, series, code_map, conditions, reading)[0]


def _convert(key: str, series: pd.Series, code_map, conditions, reading: Reading) -> tuple[pd.Series, np.ndarray]:
    """Converted values and a mask of rows whose non-missing value could not be converted."""
    if not code_map and key in reading.numbers and pd.api.types.is_numeric_dtype(series):
        return series.astype(float).to_numpy(), np.zeros(len(series), bool)
    if not code_map and key in conditions and pd.api.types.is_bool_dtype(series):
        return pd.array(series, dtype="boolean"), np.zeros(len(series), bool)
    if series.dtype == object:  # Python objects of mixed types (True == 1 would share a slot below)
        return _convert_values(key, series, code_map, conditions, reading)
    # each distinct value converted once, then spread to its rows: a million rows of a few codes
    # cost a few conversions
    codes, uniques = pd.factorize(series)
    values, bad = _convert_values(key, pd.Series(uniques, dtype=series.dtype), code_map, conditions, reading)
    known = codes >= 0
    bad_rows = np.zeros(len(codes), bool)
    bad_rows[known] = bad[codes[known]]
    return pd.api.extensions.take(values, codes, allow_fill=True), bad_rows


def _convert_values(key: str, series: pd.Series, code_map, conditions, reading: Reading):
    """_convert on the values themselves, one by one."""
    keys = _canonical_series(series, text_as_written=key in TEXT and not code_map)
    bad = np.zeros(len(series), bool)
    lookup = {canonical(k): _code_target(v) for k, v in (code_map or {}).items()}
    named = keys.isin(list(lookup))
    # only what the config declares missing is missing, and never a value the codes map names
    declared_missing = keys.isin([canonical(m) for m in reading.missing]) & ~named
    keys = keys.mask(declared_missing)
    if code_map and key in reading.numbers:
        keys = keys.map(lookup).where(named, keys)  # special values mapped, the other numbers kept
    elif code_map:
        bad |= (keys.notna() & ~named).to_numpy()
        keys = keys.map(lookup)
    if key in reading.numbers:
        values = pd.to_numeric(number_text(keys, reading), errors="coerce").astype(float).to_numpy()
    elif key in conditions:
        values = pd.array(keys.str.lower().map(BOOLEAN_WORDS), dtype="boolean")
    elif key == "sex":
        # unknown words stay as written: validation rejects them with the original value
        values = keys.map(lambda v: SEX_WORDS.get(v.lower(), v), na_action="ignore").astype("str").array
    else:
        values = keys.astype("str").array  # str even where every value is missing
    bad |= (keys.notna() & pd.isna(pd.Series(values, index=keys.index))).to_numpy()
    return values, bad


def _canonical_series(series: pd.Series, text_as_written: bool) -> pd.Series:
    """canonical() of every value, computed once per distinct value."""
    if _exact_integers(series):
        return series.astype("str")  # what canonical() gives each value, without a Python call per id
    uniques = pd.unique(series.dropna())
    lookup = {value: canonical(value, text_as_written) for value in uniques}
    return series.map(lookup).astype("str")


def _exact_integers(series: pd.Series) -> bool:
    """An integer column whose values canonical() writes as digits: below 2**53, where its float parse is exact."""
    if not pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return False
    known = series.dropna()
    return bool(len(known) == 0 or max(abs(int(known.min())), abs(int(known.max()))) < 2**53)


def _code_target(value) -> str | None:
    """A codes-map target as text: booleans become true/false so they parse like the file's own."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else canonical(value)


def conversion_tallies(
    raw: pd.DataFrame, columns, harmonized: pd.DataFrame, problems: pd.DataFrame
) -> dict[str, Tally]:
    """The Tally of each mapped column of these rows."""
    tallies = {}
    for key, column in columns.items():
        failed = problems[problems["column"] == key]
        if failed.empty and key in harmonized and harmonized[key].notna().any():
            # a value converted: the verdict is settled without counting the rest (a pass over the column)
            tallies[key] = Tally(1, 0)
            continue
        present = int(_canonical_series(raw[column], text_as_written=False).notna().sum())
        tallies[key] = Tally(
            present, len(failed), tuple(dict.fromkeys(failed["value"]))[:5], tuple(failed[SOURCE_ROW].head(5))
        )
    return tallies


def check_columns_convert(
    dataset: str, source: str, codes, tallies: Mapping[str, Tally], columns, reading: Reading = Reading()
) -> None:
    """Stop when not one value of a mapped column converts: that is a mapping mistake, not bad rows."""
    for key, tally in tallies.items():
        if not tally.none_converted:
            continue
        listed = ", ".join(f"'{v}'" for v in tally.values)
        raise InputError(
            f"Dataset '{dataset}' ({source}): not one value of column '{columns[key]}' ({key}) could be converted; "
            f"offending values include {listed} in rows {', '.join(map(str, tally.rows))}. "
            f"{conversion_fix(key, list(tally.values), codes.get(key) or {}, reading, none_converted=True)}."
        )


NA_WORDS = {"na", "n/a", "nan", "null", "none", "missing", "#n/a", ".", "-", "?", "", "-99", "-999", "999", "99"}


def conversion_fix(key: str, values: list[str], code_map: Mapping, reading: Reading, none_converted=False) -> str:
    """What to change in the config so that these values of a column convert, in words.

    `none_converted`: not one value of the column converted, which points first at the mapping.
    """
    separators = separator_fix(values, reading) if key in reading.numbers else None
    if separators:
        return separators
    words = [v for v in values if v.strip().lower() in NA_WORDS]
    fixes = []
    if words:
        it = "it" if len(words) == 1 else "them"
        fixes.append(
            f"if {', '.join(repr(w) for w in words)} mean{'s' * (len(words) == 1)} missing, add {it} to "
            "the dataset's `missing:` list"
        )
    if none_converted or (not code_map and key not in reading.numbers):
        fixes.append(f"check that `columns: {key}:` names the right column")
    if key in reading.numbers:
        fixes.append(
            f"`codes: {key}: {{{values[0]!r}: <number or null>}}` maps a special value (the other numbers stay numbers)"
        )
    elif code_map:
        known = [str(k) for k in code_map]
        hints = {v: close_match(v, known) for v in values}
        hint = "; ".join(f"'{v}' looks like '{h}'" for v, h in hints.items() if h)
        fixes.append(
            f"add these values to `codes: {key}:` (it has {', '.join(known)})" + (f" ({hint})" if hint else "")
        )
    else:
        fixes.append(f"add `codes: {key}:` for its values")
    text = "; otherwise ".join(fixes) if words else "; or ".join(fixes)
    return text[0].upper() + text[1:]


def separator_fix(values: list[str], reading: Reading) -> str | None:
    """The `decimal:` and `thousands:` settings that would read these number cells, in words, when the marks
    in them are the cause (2,997.2: thousands commas; 27,5: a decimal comma; 2,997: either)."""
    values = [v.strip() for v in values]
    if reading.thousands is None:
        for decimal in dict.fromkeys([reading.decimal, ",", "."]):
            found = [v for s in THOUSANDS if s != decimal for v in values if re.fullmatch(grouped(s, decimal), v)]
            if not found:
                continue
            separator = next(s for s in THOUSANDS if re.fullmatch(grouped(s, decimal), found[0]))
            setting = f'`thousands: "{separator}"`' + (f' and `decimal: "{decimal}"`' * (decimal != reading.decimal))
            if reading.decimal == "." and separator == "," and all(re.fullmatch(r"-?\d{1,3},\d{3}", v) for v in found):
                return (
                    f'The numbers have commas ({found[0]!r}): if they separate thousands, set `thousands: ","` for '
                    'this dataset; if they are decimal commas, set `decimal: ","`'
                )
            return f"The numbers have thousands separators ({found[0]!r}): set {setting} for this dataset"
    if reading.decimal == "." and any(re.fullmatch(r"-?\d+,\d+", v) for v in values):
        return 'The numbers have decimal commas: set `decimal: ","` for this dataset'
    if reading.decimal == "," and any(re.fullmatch(r"-?\d+\.\d+", v) for v in values):
        return 'The numbers have decimal points, but the dataset says `decimal: ","`: remove that line'
    return None
