"""Snakemake adapter: reports/index.html across the datasets of the run."""

import _package  # noqa: F401 (the package: installed, or from the source tree)

from msk_cooccurrence.run_stages import index_stage
from msk_cooccurrence.runner import run_job

s = snakemake  # noqa: F821 (injected by Snakemake)
run_job(
    s,
    lambda: index_stage(
        s.params.datasets,
        s.input.odds_ratios,
        s.input.prevalence,
        s.input.validation,
        s.output.html,
        s.input.comparison,
        s.params.others,
    ),
    "index of the datasets",
)
