"""Snakemake adapter: every table of one dataset."""

from msk_cooccurrence.pipeline import TABLE_NAMES, analyse_dataset
from msk_cooccurrence.runner import run_stage

s = snakemake  # noqa: F821 (injected by Snakemake)
run_stage(
    s.log[0],
    lambda: analyse_dataset(
        s.config, s.input.analysis, s.input.literature, {name: s.output[name] for name in TABLE_NAMES}
    ),
)
