"""Snakemake adapter: one figure of one dataset, from its tables."""

from pathlib import Path

import _package  # noqa: F401 (the package: installed, or from the source tree)

from msk_cooccurrence.pipeline import figure_stage
from msk_cooccurrence.runner import run_stage

s = snakemake  # noqa: F821 (injected by Snakemake)
tables = {Path(path).stem: path for path in s.input}
run_stage(
    s.log[0],
    lambda: figure_stage(s.wildcards.figure, s.params.view, tables, s.output.png, s.output.svg),
    f"figure {s.wildcards.figure} of {s.wildcards.dataset}",
)
