"""Snakemake adapter: ingest one dataset."""

import _package  # noqa: F401 (the package: installed, or from the source tree)

from msk_cooccurrence.pipeline import ingest_stage
from msk_cooccurrence.runner import run_job
from msk_cooccurrence.wiring import read_view

s = snakemake  # noqa: F821 (injected by Snakemake)
run_job(
    s,
    lambda: ingest_stage(
        s.wildcards.dataset, read_view(s.params.view), s.output.raw, s.output.truth, s.output.provenance
    ),
    f"ingest {s.wildcards.dataset}",
)
