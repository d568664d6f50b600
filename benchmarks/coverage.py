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

from msk_cooccurrence.config import Settings, validate_config
from msk_cooccurrence.design import design_of
from msk_cooccurrence.harmonize import harmonize
from msk_cooccurrence.ingest import SOURCE_ROW
from msk_cooccurrence.odds_ratios import odds_ratio_table
from msk_cooccurrence.prevalence import prevalence_table
from msk_cooccurrence.synthetic import SyntheticSpec, draw_cohort, ground_truth


def replicate(settings: Settings, seed: int, n: int):
    dataset = dict(settings.datasets["cohort"]) | {"seed": seed, "n": n, "invalid_share": 0.0}
    spec = SyntheticSpec.from_config(dataset, settings.obesity_bmi)
    raw = draw_cohort(spec)
    raw.insert(0, SOURCE_ROW, range(1, len(raw) + 1))
    frame, _ = harmonize(raw, {c: c for c in raw.columns if c != SOURCE_ROW}, {}, settings.conditions, 30)
    design = design_of(frame)
    prevalence = prevalence_table(frame, settings.conditions, design, [18], 30)
    prevalence = prevalence[prevalence["group"] == "overall"]
    odds = odds_ratio_table(frame, settings.conditions, settings.covariates, design)
    return spec, prevalence, odds[odds["model"] == "mutual"]


def main(replicates: int, n: int) -> None:
    settings = Settings.from_dict(validate_config({"datasets": {"cohort": {"source": "synthetic", "n": n, "seed": 0}}}))
    spec = SyntheticSpec.from_config(settings.datasets["cohort"], settings.obesity_bmi)
    truth = ground_truth(spec)
    true_prevalence = truth[(truth["kind"] == "prevalence") & (truth["quantity"] == "all")].set_index("condition_a")
    true_or = truth[(truth["kind"] == "odds_ratio") & (truth["quantity"] == "mutual")]
    true_or = true_or.set_index(["condition_a", "condition_b"])["value"]
    hits = {"prevalence": [], "mutual odds ratio": []}
    start = time.perf_counter()
    for seed in range(1, replicates + 1):
        _, prevalence, odds = replicate(settings, seed, n)
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
