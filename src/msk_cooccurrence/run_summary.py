"""What a run did to each dataset, printed at its end: rows read, analysed, quarantined and changed.

The Snakefile's `onsuccess` and `onerror` (workflow/rules/report.smk) print it from each dataset's
validation.json, so the last lines a researcher reads say which rows left the analysis and why, with
the fix, which values were made unknown (`unmapped: unknown`), and where the report is. Plain Python
(JSON only), like wiring.py: it runs in Snakemake's own process, where pandas may be absent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path


def reason_lines(reasons: list[Mapping]) -> list[str]:
    """Each of validation.json's `quarantine_reasons` in one line: what failed, in how many rows, an
    example, the fix."""
    return [
        f"{r['reason']} in {r['rows']:,} row{'s' * (r['rows'] != 1)} (first at row {r['first_row']}; "
        f"values {', '.join(repr(v) for v in r['values'])}). Fix: {r['fix']}."
        for r in reasons
    ]


def dataset_lines(name: str, summary: Mapping, quarantine_path, report_path) -> list[str]:
    """One dataset's lines: its counts, then each quarantine reason and each column made unknown."""
    rows_in, left = summary["rows_in"], summary["rows_quarantined"]
    lines = [f"{name}: {rows_in:,} rows read, {summary['rows_valid']:,} analysed, {left:,} quarantined"]
    if left:
        lines[0] += (
            f" ({left / rows_in:.1%}; the run stops above max_invalid_share, {summary['max_invalid_share']:.1%}), "
            "left out of every estimate"
        )
        lines += [f"  {line}" for line in reason_lines(summary.get("quarantine_reasons", []))]
        lines.append(f"  every quarantined row with its reasons: {quarantine_path}")
    for key, made in summary.get("unmapped_unknown", {}).items():
        lines.append(
            f"  {made['rows']:,} rows: a value of '{made['file_column']}' with no mapping made unknown in {key} only "
            f"(`unmapped: {{{key}: unknown}}`)"
        )
    lines.append(f"  report: {report_path}" if Path(report_path).is_file() else "  no report yet")
    return lines


def run_summary(datasets: Mapping[str, Mapping[str, str]]) -> str:
    """The summary of the datasets of a run. `datasets`: name -> paths of its validation (validation.json),
    quarantine (quarantine.csv) and report (report.html); a dataset not yet validated is said so."""
    lines = ["msk-cooccurrence: what this run's datasets hold"]
    for name, paths in datasets.items():
        path = Path(paths["validation"])
        if not path.is_file():
            lines.append(f"{name}: not validated (the run stopped before, or it was not a target)")
            continue
        lines += dataset_lines(name, json.loads(path.read_text()), paths["quarantine"], paths["report"])
    return "\n".join(lines)
