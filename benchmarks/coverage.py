"""Coverage of the 95% confidence intervals on synthetic cohorts with known truth (prints figures).

Each replicate draws a new cohort (new PSU effects, new people) from the same model and checks
whether the design-based CIs of the overall prevalences and of the mutual odds ratios cover the
population values; the share that do should sit near 95%.

usage: python benchmarks/coverage.py [replicates] [n]   (defaults 300 and 2000)
"""

from __future__ import annotations

import sys
import time

import numpy as np

from msk_cooccurrence import pipeline
from msk_cooccurrence.config import validate_config
from msk_cooccurrence.intake.synthetic import SyntheticSpec, ground_truth
from msk_cooccurrence.settings import Settings


def replicate(settings: Settings, cohort: dict, seed: int, n: int):
    """The overall prevalences and mutual odds ratios of one new cohort, as the workflow computes them."""
    dataset = cohort | {"seed": seed, "n": n, "invalid_share": 0.0}
    raw = pipeline.ingest("cohort", dataset, settings).raw
    _, result = pipeline.harmonize_and_validate("cohort", dataset, raw, settings)
    data = pipeline.analysis_data(result.analysis, settings)
    tables = pipeline.compute_tables(data, settings, {}, ["prevalence", "odds_ratios"])
    prevalence, odds = tables["prevalence"], tables["odds_ratios"]
    return prevalence[prevalence["group"] == "overall"], odds[odds["model"] == "mutual"]


def main(replicates: int, n: int) -> None:
    config = validate_config({"datasets": {"cohort": {"source": "synthetic", "n": n, "seed": 0}}})
    settings, cohort = Settings.from_dict(config), config["datasets"]["cohort"]
    spec = SyntheticSpec.from_config(cohort, settings.obesity_bmi)
    truth = ground_truth(spec)
    true_prevalence = truth[(truth["kind"] == "prevalence") & (truth["quantity"] == "all")].set_index("condition_a")
    true_or = truth[(truth["kind"] == "odds_ratio") & (truth["quantity"] == "mutual")]
    true_or = true_or.set_index(["condition_a", "condition_b"])["value"]
    hits = {"prevalence": [], "mutual odds ratio": []}
    start = time.perf_counter()
    for seed in range(1, replicates + 1):
        prevalence, odds = replicate(settings, cohort, seed, n)
        for r in prevalence.itertuples():
            value = true_prevalence.loc[r.condition, "value"]
            hits["prevalence"].append(r.ci_low <= value <= r.ci_high)
        for r in odds.itertuples():
            hits["mutual odds ratio"].append(r.ci_low <= true_or[(r.condition_a, r.condition_b)] <= r.ci_high)
    seconds = time.perf_counter() - start
    print(
        f"{replicates} replicates of n = {n} ({spec.strata} strata x {spec.psus_per_stratum} PSUs, "
        f"psu_sd = {spec.psu_sd}), {seconds:.0f} s"
    )
    for name, found in hits.items():
        found = np.array(found)
        share = found.mean()
        mc_se = np.sqrt(share * (1 - share) / found.size)
        print(f"{name:<20} coverage of 95% CIs: {share:.3f} (Monte Carlo SE {mc_se:.3f}; {found.size} intervals)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300, int(sys.argv[2]) if len(sys.argv) > 2 else 2000)
