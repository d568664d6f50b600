"""NHANES files as CDC publishes them: XPT files per 2-year cycle, merged on SEQN, cycles combined.

Each cycle lists its files (DEMO first or anywhere: the file holding age is the base, and every
respondent of it is kept; the other files are merged on SEQN, so a respondent missing from MPQ
or LEXPN has blank items there, which rules read as unknown). Only the items the config names
are read; names are matched without regard to case (the 1999-2002 files write MPD050i), and a
cycle may call an item differently (`items: {MCQ190: MCQ191}`). An item no file of a cycle holds
stops the run naming the cycle, its files and the item: a whole cycle silently unknown would
bias every estimate.

Weights follow the NCHS analytic guidelines: each cycle's MEC weight times the years it stands
for over the years combined (2 per cycle): WTMEC2YR / 2 for 2001-2004; WTMEC4YR x 2/3 for the
1999-2000 and 2001-2002 rows and WTMEC2YR x 1/3 for 2003-2004 when 1999-2004 are combined.
Respondents outside the analysis population (under `min_age`, or not examined at the MEC: their
`examined` weight is 0) are left out here and counted in provenance.json; they would count for
nothing in a domain analysis, since every NHANES PSU holds examined adults.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from .columns import CYCLE
from .definitions import items_of, resolve
from .errors import ConfigError, InputError
from .ingest import SOURCE_ROW, close_match
from .wiring import missing_input

WEIGHT_COLUMN = "WEIGHT_COMBINED"  # the MEC weight x years it stands for / years combined
CYCLE_YEARS = 2


def needed_items(dataset: Mapping, cycle: Mapping) -> dict[str, str]:
    """Item (as the rules and columns name it, upper case) -> what it is for, for one cycle."""
    rules = dict(dataset.get("rules", {})) | dict(cycle.get("rules", {}))
    needed = {v.upper(): f"columns: {k}" for k, v in dataset["columns"].items()}
    needed.setdefault(dataset["examined"].upper(), "examined")
    needed.setdefault(cycle_weight(dataset, cycle)["column"].upper(), "weight")
    for name, rule in list(rules.items()) + list(dataset.get("unknown_if", {}).items()):
        for item in items_of(rule, rules):
            needed.setdefault(item.upper(), f"rule {name}")
    return needed


def cycle_weight(dataset: Mapping, cycle: Mapping) -> Mapping:
    return cycle.get("weight", dataset["weight"])


def weight_factor(dataset: Mapping, cycle: Mapping) -> float:
    """NCHS: the years a cycle's weight stands for over the years combined."""
    return cycle_weight(dataset, cycle)["years"] / (CYCLE_YEARS * len(dataset["cycles"]))


def check_files(name: str, dataset: Mapping) -> None:
    """Stop when a cycle's file does not exist (also checked before the workflow starts)."""
    message = missing_input(name, {"cycles": dataset["cycles"]})
    if message:
        raise InputError(message)


def file_columns(name: str, cycle: Mapping) -> dict[Path, list[str]]:
    """The variable names of every file of a cycle, read from the XPT headers only."""
    check_files(name, {"cycles": [cycle]})
    columns = {}
    for path in map(Path, cycle["files"]):
        try:
            columns[path] = list(pyreadstat.read_xport(str(path), metadataonly=True)[1].column_names)
        except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OSError, ValueError) as error:
            raise InputError(f"Dataset '{name}': cannot read '{path}' as SAS XPORT ({error}).") from None
    return columns


def locate(name: str, cycle: Mapping, needed: Mapping[str, str], columns: Mapping[Path, list]) -> dict:
    """Item -> (file, name in that file): the first file, in `files:` order, that holds it."""
    renamed = {k.upper(): v for k, v in cycle.get("items", {}).items()}
    found, missing = {}, []
    for item, purpose in needed.items():
        wanted = renamed.get(item, item)
        holder = next(((p, resolve(wanted, c)) for p, c in columns.items() if resolve(wanted, c)), None)
        if holder is None:
            missing.append((item, wanted, purpose))
        else:
            found[item] = holder
    if missing:
        everything = [c for cols in columns.values() for c in cols]
        described = []
        for item, wanted, purpose in missing:
            hint = close_match(wanted, everything)
            renamed_from = f" (this cycle's name for {item})" if wanted != item else ""
            described.append(f"{wanted}{renamed_from}, for {purpose}" + (f" (did you mean {hint}?)" if hint else ""))
        raise InputError(
            f"Dataset '{name}', cycle {cycle['name']}: no file of the cycle holds "
            f"{'; '.join(described)}. Files read: {', '.join(p.name for p in columns)} (names matched without "
            "regard to case). Add the file that holds it to the cycle's `files:` (the codebook names it), or, if "
            "this cycle calls it differently, say so in the cycle's `items:` (e.g. items: {MCQ190: MCQ191})."
        )
    return found


def read_cycle(name: str, dataset: Mapping, cycle: Mapping) -> pd.DataFrame:
    """One cycle's needed items, one row per respondent of the file holding age."""
    columns = file_columns(name, cycle)
    needed = needed_items(dataset, cycle)
    found = locate(name, cycle, needed, columns)
    id_item, age_item = dataset["columns"]["id"].upper(), dataset["columns"]["age"].upper()
    base = found[age_item][0]
    order = [base] + [p for p in columns if p != base]
    merged = None
    for path in order:
        items = {actual: item for item, (p, actual) in found.items() if p == path and item != id_item}
        if not items and path != base:
            continue
        seqn = resolve(dataset["columns"]["id"], columns[path])
        if seqn is None:
            raise InputError(f"Dataset '{name}', cycle {cycle['name']}: '{path}' has no {id_item} column to merge on.")
        frame = pyreadstat.read_xport(str(path), usecols=[seqn, *items])[0].rename(columns=items | {seqn: id_item})
        if frame[id_item].duplicated().any():
            raise InputError(
                f"Dataset '{name}': {id_item} repeats within '{path}'; NHANES files have one row per SEQN."
            )
        frame[id_item] = _merge_key(frame[id_item])
        merged = frame if merged is None else merged.merge(frame, on=id_item, how="left")
    merged.insert(0, CYCLE, cycle["name"])
    merged[WEIGHT_COLUMN] = merged[cycle_weight(dataset, cycle)["column"].upper()] * weight_factor(dataset, cycle)
    return merged


def _merge_key(ids: pd.Series) -> pd.Series:
    """SEQN as a number wherever it is one (files disagree on integer versus float storage)."""
    numbers = pd.to_numeric(ids, errors="coerce")
    return numbers.astype(float) if numbers.notna().all() else ids.astype(str)


def read_nhanes(name: str, dataset: Mapping) -> tuple[pd.DataFrame, dict]:
    """All cycles as one table (items, cycle, combined weight) and the counts of rows out of scope."""
    merged = pd.concat([read_cycle(name, dataset, cycle) for cycle in dataset["cycles"]], ignore_index=True)
    age = merged[dataset["columns"]["age"].upper()]
    young = (age < dataset["min_age"]).to_numpy()
    unexamined = ~young & ~(merged[dataset["examined"].upper()] > 0).to_numpy()
    kept = merged[~young & ~unexamined].reset_index(drop=True)
    kept.insert(0, SOURCE_ROW, np.arange(1, len(kept) + 1))
    scope = {
        "rows_read": len(merged),
        f"excluded_under_{dataset['min_age']:g}": int(young.sum()),
        "excluded_not_examined": int(unexamined.sum()),
    }
    return kept, scope


def nhanes_mapping(dataset: Mapping, present) -> tuple[dict, dict]:
    """`columns:` and `codes:` of the harmonize step for a table read by read_nhanes."""
    columns = {key: column.upper() for key, column in dataset["columns"].items()}
    missing = [c for c in columns.values() if c not in present]
    if missing:  # read_nhanes reads every mapped item or stops; this guards a stale raw file
        raise InputError(f"The NHANES rows lack {', '.join(missing)}; rerun the ingest step.")
    return columns | {"weight": WEIGHT_COLUMN}, dict(dataset.get("codes", {}))


def check_cycles(name: str, dataset: dict) -> None:
    """Cycle names unique; a multi-cycle weight (WTMEC4YR) used by as many cycles as it spans."""
    names = [cycle["name"] for cycle in dataset["cycles"]]
    if len(set(names)) < len(names):
        raise ConfigError(f"Dataset '{name}': two cycles share a name ({', '.join(names)}); name each cycle once.")
    by_weight: dict = {}
    for cycle in dataset["cycles"]:
        weight = cycle.get("weight", dataset["weight"])
        by_weight.setdefault((weight["column"].upper(), weight["years"]), []).append(cycle["name"])
    for (column, years), cycles in by_weight.items():
        if len(cycles) % (years // 2):
            raise ConfigError(
                f"Dataset '{name}': {column} stands for {years} years, i.e. {years // 2} cycles, but "
                f"{len(cycles)} cycle(s) use it ({', '.join(cycles)}). NCHS: WTMEC4YR serves 1999-2000 and "
                "2001-2002 together; use it for both or for neither."
            )


def methods_sentences(dataset: Mapping) -> list[str]:
    """The analysis population and the NCHS weights of the cycles combined, in words."""
    weights = "; ".join(f"{c['name']}: {weight_description(dataset, c)}" for c in dataset["cycles"])
    return [
        f"Analysis population: ages {dataset['min_age']:g}+ examined at the MEC ({dataset['examined']} > 0); "
        "the others are counted under Data and validation.",
        f"Weights (NCHS: the MEC weight x the years it stands for / the years combined): {weights}.",
    ]


def weight_description(dataset: Mapping, cycle: Mapping) -> str:
    weight = cycle_weight(dataset, cycle)
    return f"{weight['column']} x {Fraction(weight['years'], CYCLE_YEARS * len(dataset['cycles']))}"
