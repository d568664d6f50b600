"""NHANES files as CDC publishes them: XPT files per cycle, merged on SEQN, cycles combined.

Conventions (NCHS analytic guidelines): the MEC examination weight of a 2-year cycle divided by the
number of cycles combined; strata SDMVSTRA and PSUs SDMVPSU (masked variance units, unique across
cycles); codes 7/9, 77/99 and 777/999 of questionnaire items are refused or don't know, i.e.
missing. Respondents outside the analysis population (under `min_age`, or not examined at the MEC,
whose MEC weight is 0) are left out at ingest and counted in provenance.json: they would count for
nothing in a domain analysis, since every NHANES PSU holds examined adults.

Conditions:
- low back pain: the `low_back_pain` item (default MPQ070, pain in the past 3 months), 1 yes, 2 no;
- knee osteoarthritis, a documented proxy: arthritis ever diagnosed (MCQ160A = 1), of the
  osteoarthritis type (MCQ190 = `osteoarthritis_code`), with knee joint pain (any of the
  `knee_pain` items, default MPD050I/MPD050J, in `knee_pain_codes`). No arthritis, another type,
  or no knee pain is "no"; a missing component leaves it unknown;
- obesity from BMXBMI, derived like every dataset's; bunions are not in these cycles.
Every variable name and code is configurable, since items move between cycles: check the
codebook of each cycle you use.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from .errors import InputError
from .ingest import SOURCE_ROW, file_sha256

WEIGHT_COLUMN = "WEIGHT_COMBINED"  # the MEC weight divided by the number of cycles
KNEE_COLUMN = "KNEE_OA_PROXY"  # 1 yes, 2 no, missing, or the offending component code
YES, NO = 1, 2


def read_cycle(name: str, files, variables: Mapping) -> pd.DataFrame:
    """One cycle's files merged on SEQN, respondents of the file that holds age first."""
    frames = []
    for path in map(Path, files):
        if not path.is_file():
            raise InputError(
                f"Dataset '{name}': the NHANES file '{path}' does not exist. Check `cycles:` in the config."
            )
        try:
            frame = pyreadstat.read_xport(str(path))[0]
        except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OSError) as error:
            raise InputError(f"Dataset '{name}': cannot read '{path}' as SAS XPORT ({error}).") from None
        seqn = variables["id"]
        if seqn not in frame:
            raise InputError(f"Dataset '{name}': the NHANES file '{path}' has no {seqn} column to merge on.")
        if frame[seqn].duplicated().any():
            raise InputError(f"Dataset '{name}': {seqn} repeats within '{path}'; NHANES files have one row per SEQN.")
        frames.append((path, frame))
    base = [f for _, f in frames if variables["age"] in f]
    if not base:
        listed = ", ".join(str(p) for p, _ in frames)
        raise InputError(f"Dataset '{name}': none of {listed} holds {variables['age']} (the DEMO file is needed).")
    merged = base[0]
    for _, frame in frames:
        if frame is not base[0]:
            merged = merged.merge(
                frame.drop(columns=[c for c in frame if c in merged and c != variables["id"]]),
                on=variables["id"],
                how="left",
            )
    return merged


def knee_oa_proxy(frame: pd.DataFrame, dataset: Mapping) -> pd.Series | None:
    """The knee-OA proxy as 1/2/missing, or the offending code text where a component is invalid."""
    v = dataset["variables"]
    needed = [v["arthritis"], v["arthritis_type"], *v["knee_pain"]]
    if any(c not in frame for c in needed):
        return None
    missing = set(dataset["missing_codes"])
    arthritis = frame[v["arthritis"]]
    kind = frame[v["arthritis_type"]]
    knee = frame[v["knee_pain"]].isin(dataset["knee_pain_codes"]).any(axis=1)
    out = pd.Series(np.nan, index=frame.index, dtype=object)
    out[arthritis == NO] = NO
    has = arthritis == YES
    out[has & kind.notna() & ~kind.isin(missing) & (kind != dataset["osteoarthritis_code"])] = NO
    is_oa = has & (kind == dataset["osteoarthritis_code"])
    out[is_oa] = np.where(knee[is_oa], YES, NO)
    bad = arthritis.notna() & ~arthritis.isin([YES, NO, *missing])
    out[bad] = [f"{v['arthritis']}={code:g}" for code in arthritis[bad]]
    return out


def read_nhanes(name: str, dataset: Mapping) -> tuple[pd.DataFrame, dict]:
    """All cycles as one table (source columns + weight and knee proxy) and the scope counts."""
    v = dataset["variables"]
    cycles = dataset["cycles"]
    tables = []
    for cycle in cycles:
        frame = read_cycle(name, cycle["files"], v)
        for column in (v["sex"], dataset["weight"]):
            if column not in frame:
                raise InputError(f"Dataset '{name}': the files of cycle {cycle.get('name', '?')} have no {column}.")
        frame[WEIGHT_COLUMN] = frame[dataset["weight"]] / len(cycles)  # NCHS: divide by the number of cycles
        knee = knee_oa_proxy(frame, dataset)
        if knee is not None:
            frame[KNEE_COLUMN] = knee
        tables.append(frame)
    merged = pd.concat(tables, ignore_index=True)
    read = len(merged)
    young = merged[v["age"]] < dataset["min_age"]
    unexamined = ~young & ~(merged[dataset["weight"]] > 0)
    merged = merged[~young & ~unexamined].reset_index(drop=True)
    merged.insert(0, SOURCE_ROW, range(1, len(merged) + 1))
    scope = {
        "rows_read": read,
        f"excluded_under_{dataset['min_age']:g}": int(young.sum()),
        "excluded_not_examined": int(unexamined.sum()),
    }
    return merged, scope


def nhanes_mapping(dataset: Mapping, present) -> tuple[dict, dict]:
    """`columns:` and `codes:` of the harmonize step for a table read by read_nhanes."""
    v = dataset["variables"]
    columns = {
        key: v[key] for key in ("id", "age", "sex", "bmi", "stratum", "psu", "low_back_pain") if v[key] in present
    }
    columns["weight"] = WEIGHT_COLUMN
    yes_no = {YES: True, NO: False} | {code: None for code in dataset["missing_codes"]}
    codes = {"sex": {1: "male", 2: "female"}, "low_back_pain": yes_no}
    if KNEE_COLUMN in present:
        columns["knee_oa"] = KNEE_COLUMN
        codes["knee_oa"] = {YES: True, NO: False}
    return columns, codes


def files_sha256(dataset: Mapping) -> str:
    """One checksum over every file of every cycle, in config order."""
    digest = hashlib.sha256()
    for cycle in dataset["cycles"]:
        for path in cycle["files"]:
            digest.update(file_sha256(path).encode())
    return digest.hexdigest()
