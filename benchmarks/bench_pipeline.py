"""Time and peak memory of each stage on a synthetic cohort (prints figures; not a test).

usage: python benchmarks/bench_pipeline.py [n_rows]   (default 1,000,000)
"""

from __future__ import annotations

import resource
import sys
import time

from msk_cooccurrence.association import association_table
from msk_cooccurrence.config import Settings, validate_config
from msk_cooccurrence.design import design_of
from msk_cooccurrence.dose_response import dose_response_table
from msk_cooccurrence.harmonize import harmonize
from msk_cooccurrence.ingest import SOURCE_ROW
from msk_cooccurrence.loglinear import loglinear_table
from msk_cooccurrence.odds_ratios import odds_ratio_table
from msk_cooccurrence.patterns import pattern_table
from msk_cooccurrence.prevalence import grouping, prevalence_table
from msk_cooccurrence.synthetic import SyntheticSpec, draw_cohort, ground_truth
from msk_cooccurrence.table1 import table1
from msk_cooccurrence.validate import validate


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, work):
    start = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - start
    print(f"{label:<40} {seconds:8.2f} s   process peak RSS so far {peak_rss_mib():7.0f} MiB")
    return result


def main(n: int) -> None:
    config = validate_config({"datasets": {"bench": {"source": "synthetic", "n": n, "seed": 1}}})
    settings = Settings.from_dict(config)
    spec = SyntheticSpec.from_config(settings.datasets["bench"], settings.obesity_bmi)
    print(f"{n:,} rows, {len(settings.conditions)} conditions")
    raw = timed("draw synthetic cohort", lambda: draw_cohort(spec))
    timed("ground truth (exact, population grid)", lambda: ground_truth(spec))
    raw.insert(0, SOURCE_ROW, range(1, len(raw) + 1))
    columns = {c: c for c in raw.columns if c != SOURCE_ROW}
    harmonized, problems = timed(
        "harmonize", lambda: harmonize(raw, columns, {}, settings.conditions, settings.obesity_bmi)
    )
    result = timed(
        "validate (pandera, lazy)",
        lambda: validate(harmonized, problems, raw, settings.conditions, 0.05, "bench", "synthetic"),
    )
    frame = result.analysis
    design = design_of(frame)
    timed(
        "prevalence (4 conditions x 13 groups)",
        lambda: prevalence_table(frame, settings.conditions, design, settings.age_bands, 30),
    )
    groups = grouping(frame, settings.age_bands, 30)
    timed(
        "Rao-Scott tests (6 pairs, 11 groupings)", lambda: association_table(frame, settings.conditions, design, groups)
    )
    timed("Table 1 (4 conditions)", lambda: table1(frame, settings.conditions, design, settings.age_bands, 30))
    timed("patterns (16)", lambda: pattern_table(frame, settings.conditions, design))
    timed(
        "odds ratios (6 pairs x 3 models)",
        lambda: odds_ratio_table(frame, settings.conditions, settings.covariates, design),
    )
    models(frame, settings, design)


def models(frame, settings, design) -> None:
    timed("log-linear model (pairwise + tests)", lambda: loglinear_table(frame, settings.conditions, design))
    timed(
        "BMI dose-response (3 conditions)",
        lambda: dose_response_table(frame, settings.conditions, settings.covariates, design),
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
