"""Snakemake adapter: a dataset's exports (tables.xlsx, manuscript.docx, reproduce.R and the rows it reads)."""

from pathlib import Path

import _package  # noqa: F401 (the package: installed, or from the source tree)

from msk_cooccurrence.pipeline import exports_stage
from msk_cooccurrence.runner import run_job
from msk_cooccurrence.wiring import read_view

s = snakemake  # noqa: F821 (injected by Snakemake)
run_job(
    s,
    lambda: exports_stage(
        s.wildcards.dataset,
        read_view(s.params.view),
        {Path(path).stem: path for path in s.input.tables},
        s.input.validation,
        s.input.provenance,
        s.input.analysis,
        {key: s.output[key] for key in s.params.exports},
        s.params.version,
    ),
    f"exports of {s.wildcards.dataset}",
)
