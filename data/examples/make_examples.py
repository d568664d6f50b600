"""Write the small sample files the example configs read (python data/examples/make_examples.py).

Each is drawn from a known model, not from people: the generic CSV and the Stata file from the
package's synthetic cohort (written as a researcher's export would be: their own column names and
codes), the NHANES files by tests/nhanes_fixtures.py in CDC's layout. The same seeds give the same
values. The ARQ example reads the real public extract in tests/reference/arq/.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from nhanes_fixtures import write_fixtures  # noqa: E402

from msk_cooccurrence.config import validate_config  # noqa: E402
from msk_cooccurrence.intake.synthetic import SyntheticSpec, draw_cohort  # noqa: E402

CONDITIONS = ("knee_oa", "bunions", "low_back_pain")


def cohort(n: int, seed: int) -> pd.DataFrame:
    """Rows of the default synthetic model (harmonized names and values)."""
    config = validate_config({"datasets": {"sample": {"source": "synthetic", "n": n, "seed": seed}}})
    return draw_cohort(SyntheticSpec.from_config(config["datasets"]["sample"], config["obesity_bmi"]))


def generic_csv(path: Path) -> None:
    """A semicolon-separated latin-1 export with word codes (config/examples/generic_csv.yaml)."""
    rows = cohort(2000, 11)
    words = {True: "yes", False: "no"}
    table = pd.DataFrame(
        {
            "patient_id": [f"P{i:05d}" for i in range(1, len(rows) + 1)],
            "site": np.where(np.arange(len(rows)) % 2 == 0, "Malmö", "Zürich"),  # latin-1 text
            "age_years": rows["age"].round().astype(int),
            "gender": rows["sex"].map({"female": "F", "male": "M"}),
            "bmi": rows["bmi"],
            "knee_oa_dx": rows["knee_oa"].map(words).fillna("unknown"),
            "hallux_valgus": rows["bunions"].map(words).fillna("unknown"),
            "lbp_3m": rows["low_back_pain"].map(words).fillna("unknown"),
            "sample_weight": rows["weight"].round(3),
        }
    )
    table.to_csv(path, sep=";", index=False, encoding="latin-1")


def stata_file(path: Path) -> None:
    """A Stata .dta file with numeric codes and the survey design (config/examples/stata.yaml)."""
    rows = cohort(2000, 12)
    codes = {True: 1, False: 2}
    table = pd.DataFrame(
        {
            "pid": np.arange(1, len(rows) + 1, dtype=float),
            "age": rows["age"].astype(float),
            "female": rows["sex"].map({"female": 1, "male": 0}).astype(float),
            "bmi": rows["bmi"].astype(float),
            **{f"{c}_q": rows[c].map(codes).astype("Float64").fillna(9).astype(float) for c in CONDITIONS},
            "wt": rows["weight"].astype(float),
            "strat": rows["stratum"].str.lstrip("S").astype(int).astype(float),
            "cluster": rows["psu"].astype(int).astype(float),
        }
    )
    pyreadstat.write_dta(table, str(path))


if __name__ == "__main__":
    generic_csv(HERE / "mystudy.csv")
    stata_file(HERE / "mystudy.dta")
    write_fixtures(HERE / "nhanes")
