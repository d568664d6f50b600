"""Snakemake adapter: prevalence, patterns and odds ratios of one dataset."""

from msk_cooccurrence.pipeline import analyse_dataset
from msk_cooccurrence.runner import run_stage

s = snakemake  # noqa: F821 (injected by Snakemake)
run_stage(
    s.log[0],
    lambda: analyse_dataset(s.config, s.input.analysis, s.output.prevalence, s.output.odds_ratios, s.output.patterns),
)
