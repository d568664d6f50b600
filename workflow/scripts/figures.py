"""Snakemake adapter: every figure of one dataset, from its tables, in one process."""

from pathlib import Path

import _package  # noqa: F401 (the package: installed, or from the source tree)

from msk_cooccurrence.outputs import figures
from msk_cooccurrence.pipeline import figure_stage
from msk_cooccurrence.runner import run_job
from msk_cooccurrence.wiring import read_view

s = snakemake  # noqa: F821 (injected by Snakemake)
tables = {Path(path).stem: path for path in s.input}
view = read_view(s.params.view)


def draw_all():
    for name, spec in figures().items():
        needed = {table: tables[table] for table in spec.tables}
        figure_stage(name, view, needed, s.output[f"{name}_png"], s.output[f"{name}_svg"])


run_job(s, draw_all, f"figures of {s.wildcards.dataset}")
