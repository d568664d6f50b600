"""Snakemake adapter: reports/comparison.csv and its forest plots, across the datasets of the run."""

import _package  # noqa: F401 (the package: installed, or from the source tree)

from msk_cooccurrence.run_stages import comparison_stage
from msk_cooccurrence.runner import run_job

s = snakemake  # noqa: F821 (injected by Snakemake)
run_job(
    s,
    lambda: comparison_stage(
        s.params.datasets, s.input.odds_ratios, s.params.comparison["method"], s.output.table, s.output.figure
    ),
    "comparison of the datasets",
)
