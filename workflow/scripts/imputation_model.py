"""Snakemake adapter: what every imputation of one dataset starts from."""

import _package  # noqa: F401 (the package: installed, or from the source tree)

from msk_cooccurrence.pipeline import imputation_model_stage
from msk_cooccurrence.runner import run_job
from msk_cooccurrence.wiring import read_view

s = snakemake  # noqa: F821 (injected by Snakemake)
run_job(
    s,
    lambda: imputation_model_stage(read_view(s.params.view), s.input.analysis, s.output[0]),
    f"imputation model of {s.wildcards.dataset}",
)
