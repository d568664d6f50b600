"""Snakemake adapter: ingest one dataset."""

import _package  # noqa: F401 (the package: installed, or from the source tree)

from msk_cooccurrence.pipeline import ingest_stage
from msk_cooccurrence.runner import run_job

s = snakemake  # noqa: F821 (injected by Snakemake)
run_job(
    s,
    lambda: ingest_stage(s.wildcards.dataset, s.params.view, s.output.raw, s.output.truth, s.output.provenance),
    f"ingest {s.wildcards.dataset}",
)
