"""Snakemake adapter: a family of tables of one dataset, in one process."""

from msk_cooccurrence.pipeline import tables_stage
from msk_cooccurrence.runner import run_stage

s = snakemake  # noqa: F821 (injected by Snakemake)
inputs = {name: path for name, path in s.input.items() if name != "analysis"}
run_stage(s.log[0], lambda: tables_stage(s.params.view, s.input.analysis, inputs, dict(s.output.items())))
