"""reports/comparison.csv: each pair's odds ratios across the datasets of a run, pooled (random effects).

A run-level table (one per run, not per dataset): it reads every dataset's odds_ratios.csv and, for
each pair of conditions and each model (crude, adjusted, mutual) that two or more datasets estimate,
pools their log odds ratios with their design-based standard errors (meta_analysis.random_effects,
metafor's rma(yi, sei) with REML or DL). A pair that fewer than two datasets estimate gets a note and
no number. Pairs are taken as odds_ratios.csv orients them (the odds of condition_b given
condition_a); an adjusted odds ratio is not symmetric, so a pair a dataset orients the other way is
a different row. Pooling assumes the datasets are independent samples: datasets that share
respondents must not be pooled (the index says so beside the forest plots).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..survey.meta_analysis import NotConverged, random_effects
from ..wiring import registry

KEYS = ["condition_a", "condition_b", "model"]
MODELS = ("crude", "adjusted", "mutual")


def columns() -> list[str]:
    """The table's columns, from the registry of outputs (its `run:` section)."""
    return list(registry()["run"]["comparison"]["columns"])


def estimates_of(odds_by_dataset: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Every dataset's odds ratios in one long table: the keys, dataset, log odds ratio and its SE;
    only the estimates a meta-analysis can use (finite, with a positive standard error)."""
    frames = []
    for name, odds in odds_by_dataset.items():
        part = odds[KEYS].assign(dataset=name)
        part["yi"] = np.log(pd.to_numeric(odds["estimate"], errors="coerce"))
        part["sei"] = pd.to_numeric(odds["se"], errors="coerce")
        frames.append(part)
    long = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*KEYS, "dataset", "yi", "sei"])
    usable = np.isfinite(long["yi"]) & np.isfinite(long["sei"]) & (long["sei"] > 0)
    return long[usable].reset_index(drop=True)


def pair_order(odds_by_dataset: Mapping[str, pd.DataFrame]) -> list[tuple]:
    """Every (condition_a, condition_b, model) of any dataset, in the order the datasets list them,
    models in the order crude, adjusted, mutual."""
    seen = dict.fromkeys(
        tuple(row) for odds in odds_by_dataset.values() for row in odds[KEYS].itertuples(index=False, name=None)
    )
    rank = {m: i for i, m in enumerate(MODELS)}
    pairs = list(dict.fromkeys((a, b) for a, b, _ in seen))
    return sorted(seen, key=lambda key: (pairs.index(key[:2]), rank.get(key[2], len(MODELS)), key[2]))


def pooled_row(key: tuple, rows: pd.DataFrame, method: str) -> dict:
    """One row of the table: the pooled odds ratio of the pair and model, or a note why there is none."""
    names = list(rows["dataset"])
    row = dict(zip(KEYS, key)) | {"k": len(rows), "datasets": "; ".join(names), "method": method}
    if len(rows) < 2:
        where = f"in {names[0]} only" if names else "in no dataset"
        row["note"] = f"estimated {where}: two datasets or more are needed to pool"
        return row
    try:
        pooled = random_effects(rows["yi"], rows["sei"], method)
    except NotConverged as error:
        row["note"] = f"not pooled: {error} (metafor stops too)"
        return row
    return row | {
        "estimate": np.exp(pooled.estimate),
        "ci_low": np.exp(pooled.ci_low),
        "ci_high": np.exp(pooled.ci_high),
        "tau2": pooled.tau2,
        "i2": pooled.i2,
        "q": pooled.q,
        "q_p_value": pooled.q_p_value,
    }


def comparison_table(odds_by_dataset: Mapping[str, pd.DataFrame], method: str = "REML") -> pd.DataFrame:
    """odds_by_dataset: dataset name -> its odds_ratios.csv; method: REML or DL (config `comparison: method:`)."""
    estimates = estimates_of(odds_by_dataset)
    rows = [
        pooled_row(key, estimates[(estimates[KEYS] == pd.Series(key, index=KEYS)).all(axis=1)], method)
        for key in pair_order(odds_by_dataset)
    ]
    return pd.DataFrame(rows).reindex(columns=columns())
