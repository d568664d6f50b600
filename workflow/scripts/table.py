"""Snakemake adapter: one table of one dataset."""

import _package  # noqa: F401 (the package: installed, or from the source tree)

from msk_cooccurrence.pipeline import table_stage
from msk_cooccurrence.runner import run_stage

s = snakemake  # noqa: F821 (injected by Snakemake)
inputs = {name: path for name, path in s.input.items() if name != "analysis"}
run_stage(
    s.log[0],
    lambda: table_stage(s.wildcards.table, s.params.view, s.input.analysis, inputs, s.output.csv, s.output.html),
    f"table {s.wildcards.table} of {s.wildcards.dataset}",
)
