"""Snakemake adapter: one table of one dataset."""

from msk_cooccurrence.pipeline import table_stage
from msk_cooccurrence.runner import run_stage

s = snakemake  # noqa: F821 (injected by Snakemake)
inputs = {name: path for name, path in s.input.items() if name != "analysis"}
run_stage(s.log[0], lambda: table_stage(s.wildcards.table, s.params.view, s.input.analysis, inputs, s.output[0]))
