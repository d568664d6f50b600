"""Snakemake adapter: harmonize and validate one dataset."""

from msk_cooccurrence.pipeline import validate_dataset
from msk_cooccurrence.runner import run_stage

s = snakemake  # noqa: F821 (injected by Snakemake)
run_stage(
    s.log[0],
    lambda: validate_dataset(
        s.wildcards.dataset,
        s.config,
        s.input.raw,
        s.output.harmonized,
        s.output.analysis,
        s.output.quarantine,
        s.output.validation,
    ),
)
