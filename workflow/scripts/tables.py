"""Snakemake adapter: a family of tables of one dataset, in one process."""

import _package  # noqa: F401 (the package: installed, or from the source tree)

from msk_cooccurrence.pipeline import tables_stage
from msk_cooccurrence.runner import run_job
from msk_cooccurrence.wiring import read_view

s = snakemake  # noqa: F821 (injected by Snakemake)
inputs = {name: path for name, path in s.input.items() if name != "analysis"}
csv = {name: s.output[name] for name in s.params.tables}
html = {name: s.output[f"{name}_html"] for name in s.params.tables}
run_job(
    s,
    lambda: tables_stage(read_view(s.params.view), s.input.analysis, inputs, csv, html),
    f"tables {', '.join(s.params.tables)} of {s.wildcards.dataset}",
)
