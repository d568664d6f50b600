"""Write nchs_domains.csv: domains where CDC's surveytable and R's svyciprop disagree on the NCHS rules.

Run from the project root: python tests/reference/nchs/make_nchs_domains.py. Twenty strata of two
PSUs; each domain is built so that one of surveytable's choices decides its verdict (see DOMAINS);
`age` gives the age-standardized rows. The test suite checks that this script still writes the
committed file; tests/r/nchs_reliability.R computes surveytable's figures on it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
# domain -> (rows, strata it is drawn from, chance of the outcome in each stratum)
DOMAINS = {
    # the outcome follows the strata, so the design effect is far below 1 and the effective size,
    # capped at n by surveytable, is far above it in R: R's interval is narrow, surveytable's not
    "capped": (44, range(1, 12), lambda s: np.where(s <= 5, 1.0, 0.0)),
    "stratified": (120, range(1, 21), lambda s: np.where(s <= 6, 0.97, 0.01)),
    "complement_fewdf": (200, range(1, 5), lambda s: np.full(s.shape, 0.96)),  # footnote and df < 8
    "zero_fewdf": (50, range(1, 4), lambda s: np.zeros(s.shape)),  # 0% and df < 8
    "zero_small": (25, range(1, 21), lambda s: np.zeros(s.shape)),  # 0% on fewer than 30 rows
    "boundary": (40, range(1, 5), lambda s: np.full(s.shape, 0.3)),  # effective n near 30, few df
    "ok": (900, range(1, 21), lambda s: np.full(s.shape, 0.3)),
}


def nchs_domains(seed: int = 2017) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for name, (rows, strata, chance) in DOMAINS.items():
        stratum = np.resize(np.asarray(list(strata)), rows)
        psu = (np.arange(rows) // len(strata)) % 2 + 1  # both PSUs of a stratum once it has two rows
        y = (rng.random(rows) < chance(stratum)).astype(float)
        age = rng.integers(18, 86, rows)
        parts.append(pd.DataFrame({"domain": name, "stratum": stratum, "psu": psu, "age": age, "y": y}))
    frame = pd.concat(parts, ignore_index=True)
    frame["weight"] = rng.uniform(800, 1200, len(frame)).round(2)
    return frame[["domain", "stratum", "psu", "weight", "age", "y"]]


if __name__ == "__main__":
    nchs_domains().to_csv(HERE / "nchs_domains.csv", index=False, lineterminator="\n")
