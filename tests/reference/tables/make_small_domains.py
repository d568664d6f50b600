"""Write small_domains.csv: a stratified cluster design whose domains trip every NCHS reliability rule.

Run from the project root: python tests/reference/tables/make_small_domains.py. Twenty strata of two
PSUs and one stratum with a single PSU; each domain's size and number of cases is chosen so that
one rule applies (see DOMAINS); `band` is a three-level variable with a few unknowns, for the
Rao-Scott tests. The test suite checks that this script still writes the committed file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
# domain -> (rows, cases, strata it is drawn from); the rule each is meant to trip
DOMAINS = {
    "tiny": (20, 6, range(1, 21)),  # effective n < 30
    "wide": (45, 22, range(1, 21)),  # CI width >= 0.30
    "rare": (120, 4, range(1, 21)),  # relative CI width > 130%
    "fewstrata": (400, 160, range(1, 4)),  # df < 8
    "common": (150, 145, range(1, 21)),  # complement relative CI width > 130%
    "none": (60, 0, range(1, 21)),  # 0%
    "full": (50, 50, range(1, 22)),  # 100%
    "ok": (800, 200, range(1, 22)),  # ok
}


def small_domains(seed: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for name, (rows, cases, strata) in DOMAINS.items():
        stratum = rng.choice(list(strata), rows)
        psu = np.where(stratum == 21, 1, rng.integers(1, 3, rows))
        y = np.zeros(rows)
        y[rng.choice(rows, cases, replace=False)] = 1
        parts.append(pd.DataFrame({"domain": name, "stratum": stratum, "psu": psu, "y": y}))
    frame = pd.concat(parts, ignore_index=True)
    frame["weight"] = rng.uniform(500, 3000, len(frame)).round(2)
    frame["band"] = rng.choice(["a", "b", "c"], len(frame), p=[0.5, 0.3, 0.2])
    frame.loc[rng.random(len(frame)) < 0.03, "band"] = None
    # a few unknown outcomes outside the domains whose counts matter
    unknown = (frame["domain"] == "ok") & (rng.random(len(frame)) < 0.05)
    frame.loc[unknown, "y"] = np.nan
    return frame[["domain", "stratum", "psu", "weight", "band", "y"]]


if __name__ == "__main__":
    small_domains().to_csv(HERE / "small_domains.csv", index=False, na_rep="NA", lineterminator="\n")
