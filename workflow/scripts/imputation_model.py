"""Snakemake adapter: what every imputation of one dataset starts from."""

from msk_cooccurrence.pipeline import imputation_model_stage
from msk_cooccurrence.runner import run_stage

s = snakemake  # noqa: F821 (injected by Snakemake)
run_stage(s.log[0], lambda: imputation_model_stage(s.params.view, s.input.analysis, s.output[0]))
