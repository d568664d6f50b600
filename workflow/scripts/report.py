"""Snakemake adapter: the HTML report of one dataset."""

from pathlib import Path

import _package  # noqa: F401 (the package: installed, or from the source tree)

from msk_cooccurrence.pipeline import report_stage
from msk_cooccurrence.runner import run_job
from msk_cooccurrence.wiring import read_view

s = snakemake  # noqa: F821 (injected by Snakemake)
run_job(
    s,
    lambda: report_stage(
        s.wildcards.dataset,
        read_view(s.params.view),
        {Path(path).stem: path for path in s.input.tables},
        Path(s.input.figures[0]).parent,
        s.input.validation,
        s.input.provenance,
        s.input.truth,
        s.output.html,
    ),
    f"report of {s.wildcards.dataset}",
)
