"""Snakemake adapter: harmonize and validate one dataset."""

import _package  # noqa: F401 (the package: installed, or from the source tree)

from msk_cooccurrence.pipeline import validate_stage
from msk_cooccurrence.runner import run_job
from msk_cooccurrence.wiring import read_view

s = snakemake  # noqa: F821 (injected by Snakemake)
run_job(
    s,
    lambda: validate_stage(
        s.wildcards.dataset,
        read_view(s.params.view),
        s.input.raw,
        s.output.harmonized,
        s.output.analysis,
        s.output.quarantine,
        s.output.validation,
    ),
    f"validate {s.wildcards.dataset}",
)
