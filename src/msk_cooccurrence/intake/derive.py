"""A dataset's definitions applied to its rows: derived conditions, values made unknown, universes.

Config keys, for `source: table` and `source: nhanes` alike (rules in definitions.py):
- `rules:` named rules; a rule named like a condition derives that condition, the others are
  helpers it may use. An NHANES cycle may replace a named rule with its own (`cycles: rules:`).
- `unknown_if: {column: rule}`: a harmonized column (bmi, or a condition) is unknown where the
  rule is yes (NHANES: BMI of a respondent pregnant at the exam). Counted, never quarantined.
- `universes: {condition: {min_age, max_age}}`: the ages a condition was measured in (NHANES:
  the bunion exam from 40). Outside them it is unknown, and every label names the universe.
- `alternatives: {condition: {definition: rule}}`: other definitions of a condition, each derived by
  its rule into a column of its own (definitions.alternative_column), with the condition's universe.
- `categories: {variable: {level: rule}}`: a declared category variable derived by one rule per
  level: the level whose rule is yes; unknown where none is yes and some are unknown; a problem of
  the row (quarantined) where two are yes or all are no, never a guess.
- `imputation: auxiliary: [rule]`: named rules kept as boolean columns of the rows (like a derived
  condition, never analysed) for the multiple-imputation model (imputation_model.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..columns import CYCLE, SOURCE_ROW  # CYCLE: the raw column that names an NHANES row's cycle
from ..errors import InputError
from .definitions import (
    BLANK,
    alternative_rules,
    category_rules,
    check_key,
    describe,
    form,
    item_rules,
    items_of,
    named_in_order,
    resolve,
)
from .values import Tally, canonical, close_match

DERIVED = "derived:"  # prefix of the derived condition columns handed to harmonize
PROBLEMS = [SOURCE_ROW, "column", "check", "value"]


@dataclass(frozen=True)
class Prepared:
    """The rows ready for harmonize: raw values, derived columns, `unknown_if` applied."""

    frame: pd.DataFrame
    columns: dict  # harmonized name -> column of `frame`, derived conditions included
    problems: pd.DataFrame  # rows whose item value had no entry in a rule's codes
    unknown_rows: dict  # harmonized column -> rows made unknown by `unknown_if`
    items: dict = field(default_factory=dict)  # (where, item check) -> (column, codes, Tally), for check_items_match


@dataclass
class ItemCheck:
    """What an item rule met in the data: values present, and the rows whose value had no entry."""

    item: str
    codes: Mapping
    column: str
    present: int
    bad: np.ndarray  # boolean mask over the evaluated rows
    values: pd.Series  # the offending values, as text, aligned with `bad`


@dataclass
class Evaluation:
    """The rules of one group of rows, computed once each on that group's columns."""

    frame: pd.DataFrame
    rules: Mapping
    cache: dict = field(default_factory=dict)
    checks: dict = field(default_factory=dict)  # the last ItemCheck of each (item, codes) evaluated

    def named(self, name: str) -> pd.arrays.BooleanArray:
        """A named rule's value; the rules it uses are computed first, so no chain of them recurses."""
        for needed in named_in_order(name, self.rules) if name not in self.cache else ():
            if needed not in self.cache:
                self.cache[needed] = self.value(self.rules[needed])
        return self.cache[name]

    def value(self, rule) -> pd.arrays.BooleanArray:
        kind = form(rule)
        if kind == "constant":
            return pd.array(np.full(len(self.frame), rule), dtype="boolean")
        if kind == "item":
            return self.item(rule["item"], rule["codes"])
        if kind == "rule":
            return self.named(rule["rule"])
        if kind == "not":
            return ~self.value(rule["not"])
        if kind == "if":
            return self.conditional(rule)
        values = [self.value(part) for part in rule[kind]]
        combined = values[0]
        for v in values[1:]:
            combined = combined & v if kind == "all" else combined | v
        return combined

    def conditional(self, rule) -> pd.arrays.BooleanArray:
        condition = self.value(rule["if"])
        then = self.value(rule["then"])
        otherwise = self.value(rule.get("else", False))
        known = ~condition.isna()
        out = pd.array(np.full(len(self.frame), None), dtype="boolean")
        yes = known & condition.fillna(False).to_numpy(bool)
        no = known & ~condition.fillna(True).to_numpy(bool)
        out[yes] = then[yes]
        out[no] = otherwise[no]
        return out

    def item(self, item: str, codes: Mapping) -> pd.arrays.BooleanArray:
        column = resolve(item, self.frame.columns)
        if column is None:
            raise InputError(f"The item {item} is not among the columns {', '.join(map(str, self.frame.columns))}.")
        series = self.frame[column]
        keys = series.map({v: canonical(v) for v in pd.unique(series.dropna())}).astype(object)
        blank = keys.isna().to_numpy()
        lookup = {canonical(k): v for k, v in codes.items() if k != BLANK}
        bad = ~blank & ~keys.isin(list(lookup)).to_numpy()
        check = ItemCheck(item, codes, column, int((~blank).sum()), bad, series.map(str))
        self.checks[check_key({"item": item, "codes": codes})] = check
        truth = np.where(blank, codes.get(BLANK), keys.map(lookup).to_numpy(object))
        truth[bad] = None
        return pd.array(truth, dtype="boolean")


def derived_conditions(dataset: Mapping, conditions) -> list[str]:
    return [c for c in conditions if c in dataset.get("rules", {})]


def auxiliary_rules(dataset: Mapping) -> list[str]:
    """The named rules kept as columns of the rows (yes / no / unknown) for the imputation model alone."""
    return list((dataset.get("imputation") or {}).get("auxiliary", []))


def row_groups(raw: pd.DataFrame, dataset: Mapping) -> Iterator[tuple[str, np.ndarray, dict]]:
    """(where, row mask, rules) for each group of rows that shares one set of rules: a dataset made of
    cycles (NHANES) has one group per cycle, whose rules override the dataset's."""
    if "cycles" not in dataset:
        yield "", np.ones(len(raw), bool), dict(dataset.get("rules", {}))
        return
    for cycle in dataset["cycles"]:
        rules = dict(dataset.get("rules", {})) | dict(cycle.get("rules", {}))
        yield f"cycle {cycle['name']}", (raw[CYCLE] == cycle["name"]).to_numpy(), rules


def prepare(name: str, source: str, raw: pd.DataFrame, dataset: Mapping, columns: Mapping, conditions) -> Prepared:
    """Derive the dataset's rule conditions and categories and apply `unknown_if`, group by group (cycle by cycle)."""
    derived = derived_conditions(dataset, conditions) + auxiliary_rules(dataset)
    alternatives = alternative_rules(dataset, conditions)
    categories = dict(dataset.get("categories", {}))
    if not derived and not alternatives and not categories and not dataset.get("unknown_if"):
        return Prepared(raw, dict(columns), pd.DataFrame(columns=PROBLEMS), {})
    frame = raw.copy()
    for condition in [*derived, *alternatives]:
        frame[DERIVED + condition] = pd.array([pd.NA] * len(frame), dtype="boolean")
    for variable in categories:
        frame[DERIVED + variable] = pd.Series([None] * len(frame), dtype=object, index=frame.index)
    unknown_if = dict(dataset.get("unknown_if", {}))
    unknown_rows = {key: 0 for key in unknown_if}
    problems, items = [], {}
    for where, rows, rules in row_groups(raw, dataset):
        if not rows.any():
            continue
        evaluation = Evaluation(raw.loc[rows].reset_index(drop=True), rules)
        for condition in derived:
            frame.loc[rows, DERIVED + condition] = evaluation.named(condition).to_numpy()
            problems.append(_item_problems(evaluation, condition, rules[condition], rules, raw.loc[rows]))
        for column, rule in alternatives.items():
            frame.loc[rows, DERIVED + column] = evaluation.value(rule).to_numpy()
            problems.append(_item_problems(evaluation, column, rule, rules, raw.loc[rows]))
        for variable, levels in categories.items():
            values, refused = category_values(evaluation, levels)
            frame.loc[frame.index[rows], DERIVED + variable] = values
            source_rows = raw.loc[rows, SOURCE_ROW].to_numpy()[refused.index]
            problems.append(refused.assign(column=variable, **{SOURCE_ROW: source_rows})[PROBLEMS])
            for rule in levels.values():
                problems.append(_item_problems(evaluation, variable, rule, rules, raw.loc[rows]))
        for key, rule in unknown_if.items():
            hit = evaluation.value(rule).fillna(False).to_numpy(bool)
            target = DERIVED + key if key in derived else columns[key]
            frame.loc[frame.index[np.flatnonzero(rows)[hit]], target] = pd.NA if key in derived else np.nan
            unknown_rows[key] += int(hit.sum())
            problems.append(_item_problems(evaluation, key, rule, rules, raw.loc[rows]))
        items |= {(where, key): (check.column, check.codes, _tally(check)) for key, check in evaluation.checks.items()}
    table = pd.concat(problems, ignore_index=True) if problems else pd.DataFrame(columns=PROBLEMS)
    mapped = dict(columns) | {c: DERIVED + c for c in [*derived, *alternatives, *categories]}
    return Prepared(frame, mapped, table if len(table) else pd.DataFrame(columns=PROBLEMS), unknown_rows, items)


def category_values(evaluation: Evaluation, levels: Mapping) -> tuple[np.ndarray, pd.DataFrame]:
    """Each row's level by the rules of `levels` (None where unknown), and the rows refused: two levels'
    rules yes, or every rule no (PROBLEMS without the source row, indexed by the row's position)."""
    names = [str(level) for level in levels]
    truth = [evaluation.value(rule) for rule in levels.values()]
    yes = np.column_stack([t.fillna(False).to_numpy(bool) for t in truth])
    no = np.column_stack([(~t).fillna(False).to_numpy(bool) for t in truth])
    count = yes.sum(axis=1)
    values = np.where(count == 1, np.array(names, dtype=object)[yes.argmax(axis=1)], None)
    several, none = count > 1, no.all(axis=1)
    words = [
        ", ".join(n for n, hit in zip(names, row) if hit) if many else "none"
        for row, many in zip(yes[several | none], several[several | none])
    ]
    checks = np.where(several[several | none], "more than one level's rule is yes", "no level's rule is yes")
    refused = pd.DataFrame({"check": checks, "value": words}, index=np.flatnonzero(several | none))
    return values, refused


def _tally(check) -> Tally:
    return Tally(check.present, int(check.bad.sum()), tuple(dict.fromkeys(check.values[check.bad]))[:5])


def add_items(total: dict, more: dict) -> dict:
    """The item tallies of two sets of rows (Prepared.items), summed."""
    out = dict(total)
    for key, (column, codes, tally) in more.items():
        out[key] = (column, codes, out[key][2] + tally if key in out else tally)
    return out


def _item_problems(evaluation: Evaluation, key: str, rule, rules: Mapping, rows: pd.DataFrame) -> pd.DataFrame:
    """One problem row per row and item whose value the rule (or a rule it uses) has no code for."""
    frames = []
    for filed in dict.fromkeys(check_key(r) for r in item_rules(rule, rules)):
        check = evaluation.checks.get(filed)
        if check is not None and check.bad.any():
            frames.append(
                pd.DataFrame(
                    {
                        SOURCE_ROW: rows[SOURCE_ROW].to_numpy()[check.bad],
                        "column": key,
                        "check": f"{check.column} value has no entry in the rule's codes",
                        "value": check.values.to_numpy()[check.bad],
                    }
                )
            )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PROBLEMS)


def check_items_match(name: str, source: str, items: Mapping) -> None:
    """Stop when not one value of an item matches its rule's codes: that is a mapping mistake."""
    for (where, _), (column, codes, tally) in items.items():
        if not tally.none_converted:
            continue
        hint = {v: close_match(v, [str(k) for k in codes]) for v in tally.values}
        looks = "; ".join(f"'{v}' looks like '{h}'" for v, h in hint.items() if h)
        listed = ", ".join(f"{k}: {v}" for k, v in codes.items())
        raise InputError(
            f"Dataset '{name}' ({source}{', ' + where if where else ''}): not one value of item {column} "
            f"matches the codes its rule gives ({listed}); values include {', '.join(repr(v) for v in tally.values)}. "
            f"Write the codes as the file has them{' (' + looks + ')' if looks else ''}."
        )


def rule_columns(name: str, path, dataset: Mapping, present) -> list[str]:
    """The file's columns the rules and `unknown_if` read (matched without regard to case)."""
    rules = dict(dataset.get("rules", {}))
    present = [str(c) for c in present]
    wanted = {}
    extra = dict(dataset.get("unknown_if", {})) | category_rules(dataset) | alternative_rules(dataset)
    for rule_name, rule in list(rules.items()) + list(extra.items()):
        for item in items_of(rule, rules):
            wanted.setdefault(item, rule_name)
    found = {item: resolve(item, present) for item in wanted}
    missing = [item for item, column in found.items() if column is None]
    if missing:
        listed = "; ".join(
            f"{item} (rule {wanted[item]}" + (f", did you mean '{h}'?)" if (h := close_match(item, present)) else ")")
            for item in missing
        )
        raise InputError(
            f"Dataset '{name}': the file '{path}' has no column {listed}. Fix the rule's `item:`; the file's "
            f"columns are: {', '.join(map(str, list(present)[:30]))}."
        )
    return list(dict.fromkeys(found.values()))


def universe_notes(dataset: Mapping) -> dict[str, str]:
    """condition -> the population its estimates are for, as labels print it ('ages 40+')."""
    notes = {}
    for condition, universe in dataset.get("universes", {}).items():
        low, high = universe.get("min_age"), universe.get("max_age")
        if low is not None and high is not None:
            notes[condition] = f"ages {low:g}-{high:g}"
        elif low is not None:
            notes[condition] = f"ages {low:g}+"
        elif high is not None:
            notes[condition] = f"ages up to {high:g}"
    return notes


def definition_summary(dataset: Mapping, unknown_rows: Mapping, outside: Mapping) -> dict:
    """What validation.json records about the definitions: universes, values made unknown."""
    return {
        "universes": universe_notes(dataset),
        "labels": dict(dataset.get("labels") or {}),  # the dataset's own (`labels:`), for the index
        "outside_universe": dict(outside),
        "unknown_if": {
            key: {"rows": unknown_rows.get(key, 0), "rule": describe(rule)}
            for key, rule in dataset.get("unknown_if", {}).items()
        },
    }


def checked_definitions(
    name: str, source: str, dataset: Mapping, items: Mapping, unknown_rows: Mapping, outside
) -> dict:
    """The file's verdict on its definitions once every chunk is in: stop where not one value of an
    item matches its rule's codes; else what validation.json records about the definitions."""
    check_items_match(name, source, items)
    return definition_summary(dataset, unknown_rows, outside)
