"""Snakemake adapter: the HTML report of one dataset."""

from pathlib import Path

from msk_cooccurrence.pipeline import write_report
from msk_cooccurrence.runner import run_stage

s = snakemake  # noqa: F821 (injected by Snakemake)
run_stage(
    s.log[0],
    lambda: write_report(
        s.wildcards.dataset,
        s.config,
        {Path(path).stem: path for path in s.input.tables},
        Path(s.input.figures[0]).parent,
        s.input.validation,
        s.input.provenance,
        s.input.truth,
        s.output.html,
    ),
)
