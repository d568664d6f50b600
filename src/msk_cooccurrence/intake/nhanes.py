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

A file of another cycle shares no SEQN with the cycle's DEMO file (NHANES numbers each respondent
once across all cycles) and would leave its items blank, read as unknown, for the whole cycle: the
run stops. A file lacking more than LACKING_SHARE of the analysis population within the ages it
covers (the universes differ: MPQ adults 20+, LEXPN examined adults 40+, BMX the examined, MCQ
everyone) or holding SEQNs DEMO lacks is a warning in validation.json. A SEQN in two cycles (a
file listed in both, or DEMO with another cycle's rows appended) stops the run naming the SEQNs
and files. Each XPT file's layout is checked before it is read (xport.py): pyreadstat reads a
truncated file short without a word.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyreadstat

from ..columns import CYCLE, SOURCE_ROW, builtin_variables
from ..errors import ConfigError, InputError
from ..wiring import missing_input
from .definitions import alternative_rules, category_rules, items_of, resolve
from .values import close_match
from .xport import check_whole

WEIGHT_COLUMN = "WEIGHT_COMBINED"  # the MEC weight x years it stands for / years combined
CYCLE_YEARS = 2
LACKING_SHARE = 0.05  # a file lacking more of the analysis population within its ages is a warning
SUFFIXES = "CDC gives a cycle's files one suffix: none for 1999-2000, _B for 2001-2002, _C for 2003-2004 and so on"


def needed_items(dataset: Mapping, cycle: Mapping) -> dict[str, str]:
    """Item (as the rules and columns name it, upper case) -> what it is for, for one cycle."""
    rules = dict(dataset.get("rules", {})) | dict(cycle.get("rules", {}))
    needed = {v.upper(): f"columns: {k}" for k, v in dataset["columns"].items()}
    needed.setdefault(dataset["examined"].upper(), "examined")
    needed.setdefault(cycle_weight(dataset, cycle)["column"].upper(), "weight")
    extra = dict(dataset.get("unknown_if", {})) | category_rules(dataset) | alternative_rules(dataset)
    for name, rule in list(rules.items()) + list(extra.items()):
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
        check_whole(name, path, "Download the file again (CDC lists each file's size beside it) and rerun.")
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


class CycleRows(NamedTuple):
    rows: pd.DataFrame  # the needed items, one row per respondent of `base`
    base: Path  # the file holding age (DEMO)
    warnings: list[str]  # files lacking respondents or holding others (coverage_warnings)


def read_cycle(name: str, dataset: Mapping, cycle: Mapping) -> CycleRows:
    """One cycle's needed items, one row per respondent of the file holding age, merged on SEQN."""
    columns = file_columns(name, cycle)
    needed = needed_items(dataset, cycle)
    found = locate(name, cycle, needed, columns)
    id_item, age_item = dataset["columns"]["id"].upper(), dataset["columns"]["age"].upper()
    base = found[age_item][0]
    order = [base] + [p for p in columns if p != base]
    merged, ids = None, {}
    for path in order:
        items = {actual: item for item, (p, actual) in found.items() if p == path and item != id_item}
        seqn = resolve(dataset["columns"]["id"], columns[path])
        if seqn is None and not items and path != base:
            continue
        if seqn is None:
            raise InputError(f"Dataset '{name}', cycle {cycle['name']}: '{path}' has no {id_item} column to merge on.")
        frame = pyreadstat.read_xport(str(path), usecols=[seqn, *items])[0].rename(columns=items | {seqn: id_item})
        check_unique(name, path, frame[id_item])
        frame[id_item] = _merge_key(frame[id_item])
        ids[path] = frame[id_item]
        if items or path == base:
            merged = frame if merged is None else merged.merge(frame, on=id_item, how="left")
    check_shared(name, cycle["name"], base, ids)
    warnings = coverage_warnings(dataset, cycle["name"], base, ids, merged)
    merged.insert(0, CYCLE, cycle["name"])
    merged[WEIGHT_COLUMN] = merged[cycle_weight(dataset, cycle)["column"].upper()] * weight_factor(dataset, cycle)
    return CycleRows(merged, base, warnings)


def check_unique(name: str, path: Path, ids: pd.Series) -> None:
    """Stop when a SEQN repeats within a file (appended to itself, or to another cycle's copy)."""
    repeated = ids[ids.duplicated(keep=False)]
    if len(repeated):
        raise InputError(
            f"Dataset '{name}': {repeated.nunique():,} SEQN(s) occur more than once within '{path}' "
            f"({len(repeated):,} of its {len(ids):,} rows; {_some(repeated.unique())}). NHANES files have one row "
            "per SEQN: the file was appended to itself or to another. Download it again from CDC."
        )


def check_shared(name: str, cycle: str, base: Path, ids: Mapping[Path, pd.Series]) -> None:
    """Stop when a file of the cycle shares no SEQN with the file holding age: another cycle's file."""
    own = ids[base]
    foreign = [p for p, values in ids.items() if p != base and not values.isin(own).any()]
    if foreign:
        described = "; ".join(f"{p.name} ({_some(ids[p]) if len(ids[p]) else 'no rows'})" for p in foreign)
        raise InputError(
            f"Dataset '{name}', cycle {cycle}: 0 of {len(own):,} SEQNs of {base.name} ({_some(own)}) are in "
            f"{described}: is it another cycle's file? Every file of a cycle holds respondents of its DEMO file, "
            f"merged on SEQN; another cycle's would leave its items unknown for everyone. List the cycle's own "
            f"files in its `files:` ({SUFFIXES})."
        )


def coverage_warnings(dataset: Mapping, cycle: str, base: Path, ids: Mapping[Path, pd.Series], merged) -> list[str]:
    """A file lacking more than LACKING_SHARE of the analysis population within the ages it covers (its
    universe: the youngest and oldest of the respondents it holds), or holding SEQNs the base lacks."""
    id_item, age = dataset["columns"]["id"].upper(), dataset["columns"]["age"].upper()
    in_scope = merged[(merged[age] >= dataset["min_age"]) & (merged[dataset["examined"].upper()] > 0)]
    warnings = []
    for path, values in ids.items():
        if path == base:
            continue
        extra = values[~values.isin(ids[base])]
        if len(extra):
            warnings.append(
                f"Cycle {cycle}: {path.name} holds {len(extra):,} SEQN(s) that {base.name} lacks ({_some(extra)}): "
                f"rows of another cycle or a damaged {base.name}? They are left out."
            )
        ages = merged.loc[merged[id_item].isin(values), age]
        youngest, oldest = max(ages.min(), dataset["min_age"]), ages.max()
        universe = in_scope[in_scope[age].between(youngest, oldest)]
        lacking = universe[~universe[id_item].isin(values)]
        if len(lacking) > LACKING_SHARE * len(universe):
            warnings.append(
                f"Cycle {cycle}: {path.name} lacks {len(lacking):,} of the {len(universe):,} respondents of "
                f"{base.name} aged {youngest:g}-{oldest:g} in the analysis population "
                f"({len(lacking) / len(universe):.0%}; {_some(lacking[id_item])}): their items from it are unknown. "
                "Is the file complete (compare its size with CDC's) and of this cycle?"
            )
    return warnings


def check_repeats_across_cycles(name: str, ids: pd.Series, origins: pd.Series, listed_twice: list[str]) -> None:
    """Stop when a SEQN occurs in two cycles: NHANES numbers each respondent once across all cycles.
    `origins`: each row's cycle and file; `listed_twice`: files the config lists in more than one cycle."""
    repeated = ids.duplicated(keep=False)
    if not repeated.any():
        return
    places = origins[repeated].groupby(ids[repeated]).agg(lambda o: " and ".join(sorted(set(o))))
    groups = places.groupby(places).groups
    described = "; ".join(f"{_some(seqns)} in {where}" for where, seqns in list(groups.items())[:3])
    cause = (
        f"{', '.join(listed_twice)} {'is' if len(listed_twice) == 1 else 'are'} listed in more than one cycle"
        if listed_twice
        else "a file holds another cycle's rows appended"
    )
    raise InputError(
        f"Dataset '{name}': {len(places):,} SEQN(s) occur in more than one cycle: {described}. NHANES numbers "
        f"each respondent once across all cycles: {cause}, and counted twice they would weigh double. List each "
        f"cycle's own files in its `files:` ({SUFFIXES}), each file once."
    )


def _some(values) -> str:
    """A few values of a column of SEQNs, in order: all of up to five, else the first three and the last."""
    shown = [f"{v:g}" if isinstance(v, float) else str(v) for v in sorted(pd.unique(pd.Series(values)))]
    return ", ".join(shown) if len(shown) <= 5 else f"{', '.join(shown[:3])} ... {shown[-1]}"


def _merge_key(ids: pd.Series) -> pd.Series:
    """SEQN as a number wherever it is one (files disagree on integer versus float storage)."""
    numbers = pd.to_numeric(ids, errors="coerce")
    return numbers.astype(float) if numbers.notna().all() else ids.astype(str)


def read_nhanes(name: str, dataset: Mapping) -> tuple[pd.DataFrame, dict, list[str]]:
    """All cycles as one table (items, cycle, combined weight), the counts of rows out of scope, and
    the warnings about the files (coverage_warnings)."""
    cycles = [read_cycle(name, dataset, cycle) for cycle in dataset["cycles"]]
    merged = pd.concat([c.rows for c in cycles], ignore_index=True)
    origins = [f"{cycle['name']} ({c.base.name}, {len(c.rows):,} rows)" for cycle, c in zip(dataset["cycles"], cycles)]
    origins = pd.Series(np.repeat(origins, [len(c.rows) for c in cycles]))
    listed = pd.Series([Path(f).resolve() for c in dataset["cycles"] for f in set(c["files"])])
    listed_twice = sorted({p.name for p in listed[listed.duplicated()]})
    check_repeats_across_cycles(name, merged[dataset["columns"]["id"].upper()], origins, listed_twice)
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
    return kept, scope, [w for c in cycles for w in c.warnings]


def nhanes_mapping(dataset: Mapping, present) -> tuple[dict, dict]:
    """`columns:` and `codes:` of the harmonize step for a table read by read_nhanes; the cycle of a dataset
    of several cycles is a column of its own (columns.builtin_variables)."""
    columns = {key: column.upper() for key, column in dataset["columns"].items()}
    missing = [c for c in columns.values() if c not in present]
    if missing:  # read_nhanes reads every mapped item or stops; this guards a stale raw file
        raise InputError(f"The NHANES rows lack {', '.join(missing)}; rerun the ingest step.")
    cycle = {CYCLE: CYCLE} if CYCLE in builtin_variables(dataset) else {}
    return columns | {"weight": WEIGHT_COLUMN} | cycle, dict(dataset.get("codes", {}))


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
