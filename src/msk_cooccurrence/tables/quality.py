"""Data quality of a dataset: how many values each analysed column lacks, and why rows were quarantined.

The table behind the report's data-quality figure: the share of the analysis rows with each column
unknown (an estimate uses the rows where its columns are known, so this is what each estimate
loses), and the quarantine's reasons counted from validation.json (a row may have several).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..columns import NAMES
from ..survey.data import AnalysisData

COLUMNS = ["kind", "item", "n", "rows", "share"]


def data_quality_table(data: AnalysisData, validation: Mapping | None = None) -> pd.DataFrame:
    """Missing values per column among the analysis rows, then quarantine reasons among the rows read."""
    frame = data.frame
    analysed = [c for c in dict.fromkeys((*NAMES, *data.covariates, *data.grouped_by, *data.conditions)) if c in frame]
    rows = len(frame)
    missing = [("missing", column, int(frame[column].isna().sum()), rows) for column in analysed]
    read = int(validation["rows_in"]) if validation else rows
    checks = sorted((validation or {}).get("checks", {}).items(), key=lambda kv: (-kv[1], kv[0]))
    quarantined = [("quarantined", reason, int(count), read) for reason, count in checks]
    table = pd.DataFrame(missing + quarantined, columns=COLUMNS[:-1])
    table["share"] = table["n"] / table["rows"].where(table["rows"] > 0)
    return table[COLUMNS]
