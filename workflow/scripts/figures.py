"""Snakemake adapter: figures of one dataset, from its tables."""

from pathlib import Path

from msk_cooccurrence.pipeline import draw_figures
from msk_cooccurrence.runner import run_stage

s = snakemake  # noqa: F821 (injected by Snakemake)
tables = {Path(path).stem: path for path in s.input}
run_stage(s.log[0], lambda: draw_figures(s.config, tables, Path(s.output.prevalence_png).parent, s.wildcards.dataset))
