"""The quarantine in words: its commonest reasons, each with its rows, example values and the fix.

A quarantined row leaves every estimate, even those that never read the column that failed, so a
run that quarantines rows says so wherever the researcher looks: validation.json holds these
reasons (`quarantine_reasons`), the validate job prints `quarantine_warning` on the console, and the
end of the run repeats them per dataset (run_summary.py). The fix of a value that did not convert
is harmonize.conversion_fix (with `unmapped: unknown` as the other way out); the other checks have
theirs below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd

from ..columns import SOURCE_ROW
from ..run_summary import reason_lines
from .validate import CONVERSION_CHECKS

TOP_REASONS = 3  # the commonest reasons validation.json and the console give; quarantine.csv has every row


def other_fix(column: str, check: str) -> str:
    """The fix of a failed check other than a conversion, in words."""
    if check.startswith(("below", "above")) and column == "age":
        return "If these ages are right, set the dataset's `min_age:` / `max_age:`; otherwise fix the age column"
    if check == "duplicated":
        return f"Check that `columns: {column}:` names a column that is unique per row"
    if check == "fewer fields than the header":
        return "The file's lines are cut short: export the file again"
    return f"Check the values of {column} in quarantine.csv against the file's codebook"


def quarantine_reasons(failures: pd.DataFrame, fix: Callable[[str, list[str]], str]) -> list[dict]:
    """The TOP_REASONS commonest (column, check) failures: rows, first rows, example values, the fix.

    `fix(column, values)`: how to make a column's unconverted values convert (harmonize.conversion_fix),
    to which `unmapped: {column: unknown}` is added as the other way: unknown in that column only."""
    if failures.empty:
        return []
    grouped = failures.groupby(["column", "check"], sort=True).agg(
        rows=(SOURCE_ROW, "nunique"), first=(SOURCE_ROW, "min"), values=("value", lambda v: list(dict.fromkeys(v))[:3])
    )
    grouped = grouped.sort_values("rows", ascending=False, kind="stable").head(TOP_REASONS)
    reasons = []
    for (column, check), row in grouped.iterrows():
        values = [str(v) for v in row["values"]]
        if check in CONVERSION_CHECKS:
            unknown = f"`unmapped: {{{column}: unknown}}`"
            words = f"{fix(column, values)}; or, to make them unknown in {column} only, {unknown}"
        else:
            words = other_fix(column, check)
        reasons.append(
            {
                "reason": f"{column}: {check}",
                "rows": int(row["rows"]),
                "first_row": int(row["first"]),
                "values": values,
                "fix": words,
            }
        )
    return reasons


def quarantine_warning(summary: Mapping, quarantine_path) -> str:
    """The console's warning of a run that quarantined rows, also under max_invalid_share; empty if none."""
    left = summary["rows_quarantined"]
    if not left:
        return ""
    share = left / summary["rows_in"]
    return (
        f"{left:,} of {summary['rows_in']:,} rows ({share:.1%}; the run stops above max_invalid_share, "
        f"{summary['max_invalid_share']:.1%}) are quarantined and left out of every estimate. "
        + " ".join(reason_lines(summary.get("quarantine_reasons", [])))
        + f" Every row with its reasons: {quarantine_path}."
    )
