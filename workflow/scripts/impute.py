"""Snakemake adapter: one batch of imputations of one dataset."""

import _package  # noqa: F401 (the package: installed, or from the source tree)

from msk_cooccurrence.pipeline import impute_stage
from msk_cooccurrence.runner import run_job
from msk_cooccurrence.wiring import read_view

s = snakemake  # noqa: F821 (injected by Snakemake)
run_job(
    s,
    lambda: impute_stage(read_view(s.params.view), s.input[0], s.wildcards.batch, s.output[0]),
    f"imputations batch {s.wildcards.batch} of {s.wildcards.dataset}",
)
