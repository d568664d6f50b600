"""A survey file the pipeline has never seen, at any size, as a new user would bring it.

The rows come from the synthetic model (msk_cooccurrence.intake.synthetic) but are written the way a survey
agency publishes them: NHANES-style column names and codes (1 yes, 2 no, 7 refused, 9 don't know;
sex 1 male, 2 female), integer ids, strata and PSUs, as Parquet in row groups of a million rows. A
file of several million rows is several pooled "cycles", each its own draw with its own strata, as
pooled NHANES cycles are. `config_for` writes the config a user would: the project's default
analysis settings (config/config.yaml, multiple imputation included) and this one dataset.

usage: python benchmarks/cohort.py N_ROWS OUT.parquet [CONFIG.yaml]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from msk_cooccurrence.config import validate_config
from msk_cooccurrence.intake.synthetic import SyntheticSpec, draw_cohort

PROJECT = Path(__file__).resolve().parents[1]
ROWS_PER_CYCLE = 1_000_000
STRATA_PER_CYCLE = 15
YES_NO = {1: True, 2: False, 7: None, 9: None}
COLUMNS = {
    "id": "SEQN",
    "age": "RIDAGEYR",
    "sex": "RIAGENDR",
    "bmi": "BMXBMI",
    "knee_oa": "KNEE_OA",
    "bunions": "HALLUX",
    "low_back_pain": "LOWBACK",
    "weight": "WTMEC",
    "stratum": "SDMVSTRA",
    "psu": "SDMVPSU",
}
CODES = {"sex": {1: "male", 2: "female"}, "knee_oa": YES_NO, "bunions": YES_NO, "low_back_pain": YES_NO}


def default_config() -> dict:
    return yaml.safe_load((PROJECT / "config" / "config.yaml").read_text())


def survey_codes(values, rng) -> np.ndarray:
    """A nullable boolean as a survey file codes it: 1 yes, 2 no, a missing one as 7 or 9."""
    known = values.notna().to_numpy()
    yes = values.fillna(False).to_numpy(bool)
    return np.where(known, np.where(yes, 1, 2), rng.choice([7, 9], size=len(values))).astype(np.int8)


def cycle_table(n: int, cycle: int, seed: int, first_id: int) -> pa.Table:
    """One cycle's rows with NHANES-style names and codes."""
    spec = default_config()["datasets"]["synthetic"] | {"n": n, "seed": seed + cycle, "strata": STRATA_PER_CYCLE}
    validated = validate_config({"datasets": {"c": spec}})["datasets"]["c"]
    frame = draw_cohort(SyntheticSpec.from_config(validated))
    rng = np.random.default_rng([seed, cycle])
    out = {
        "SEQN": np.arange(first_id, first_id + n, dtype=np.int64),
        "RIDAGEYR": frame["age"].to_numpy(),
        "RIAGENDR": np.where(frame["sex"] == "male", 1, 2).astype(np.int8),
        "BMXBMI": frame["bmi"].to_numpy(),
        "WTMEC": frame["weight"].to_numpy(),
        "SDMVSTRA": frame["stratum"].str[1:].astype(int).to_numpy() + cycle * STRATA_PER_CYCLE,
        "SDMVPSU": frame["psu"].astype(int).to_numpy().astype(np.int8),
    }
    for condition in ("knee_oa", "bunions", "low_back_pain"):
        out[COLUMNS[condition]] = survey_codes(frame[condition], rng)
    return pa.table(out)


def write_cohort(n: int, path: Path | str, seed: int = 11) -> Path:
    """An n-row Parquet survey file, drawn cycle by cycle (memory set by a cycle, not the file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = None
    for cycle, start in enumerate(range(0, n, ROWS_PER_CYCLE)):
        table = cycle_table(min(ROWS_PER_CYCLE, n - start), cycle, seed, start + 1)
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    writer.close()
    return path


def config_for(data_path: Path | str, config_path: Path | str, name: str = "survey") -> Path:
    """The default analysis settings with this file as the one dataset."""
    config = default_config()
    config["literature"] = str(PROJECT / "config" / "literature.csv")
    config["datasets"] = {
        name: {"source": "table", "path": str(Path(data_path).resolve()), "columns": COLUMNS, "codes": CODES}
    }
    Path(config_path).write_text(yaml.safe_dump(config, sort_keys=False))
    return Path(config_path)


if __name__ == "__main__":
    written = write_cohort(int(sys.argv[1]), sys.argv[2])
    if len(sys.argv) > 3:
        config_for(written, sys.argv[3])
