"""Rows collapsed to cells: one per PSU and combination of the values the estimators read, weights summed.

Every design-based estimate here is, row by row, the weight times a function of the row's values
(a domain mean's influence value, a logistic model's score, a log-linear cell count), summed by
PSU and stratum. Rows of one PSU that share every value an estimator reads therefore enter it only
through their summed weight, and a cell holding them gives the same PSU totals, hence the same
estimate and design variance: the same sums, added in another order (tests/test_cells.py shows
cell and row results equal to 1e-10). Counts of rows (n, cases, design effects) come from each
cell's `count` (design.SurveyDesign.rows).

A million rows of an NHANES-like design (30 PSUs, age in whole years, sex, BMI class, four
conditions) are about 124,000 cells. Estimators that read age only in bands (prevalence, its age
standardization, the association tests, Table 1's categorical rows) keep age as its class between
the bounds of every band they read (data.age_classes, AnalysisData.banded): about 13,000 cells
with the default age bands, 19,000 with the standard population's groups as well. A value with
many distinct levels (BMI at its recorded precision, a design with each row its own PSU) leaves
about as many cells as rows; then, as when `collapse` is off, estimators run on the rows themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from .design import SurveyDesign


def group_codes(columns: Iterable) -> tuple[np.ndarray, int]:
    """A code per row shared by the rows equal in every column (missing equal to missing), and how many.

    Codes are numbered in order of first appearance, so the same rows give the same codes. The
    columns are read one at a time (a generator of columns holds one in memory at once); none
    gives one code for no rows.
    """
    codes, span = None, 1  # span: the codes so far are below it
    for column in columns:
        values, uniques = pd.factorize(column, use_na_sentinel=False)
        if codes is None:
            codes, span = values.astype(np.int64), len(uniques)
            continue
        if span * len(uniques) >= 2**62:  # renumbered (by first appearance) before the key could overflow
            codes, combined = pd.factorize(codes)
            span = len(combined)
        codes = codes * len(uniques) + values
        span *= len(uniques)
    if codes is None:
        return np.zeros(0, dtype=np.int64), 1
    codes, combined = pd.factorize(codes)  # numbered by first appearance, as the rows are
    return codes.astype(np.int64), len(combined)


def first_rows(codes: np.ndarray, size: int) -> np.ndarray:
    """The first row of each code (codes numbered by first appearance, so these are increasing)."""
    first = np.full(size, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes), dtype=np.int64))
    return first


def collapse(frame: pd.DataFrame, design: SurveyDesign, keys: Sequence[str]) -> tuple[pd.DataFrame, SurveyDesign]:
    """The cells of `frame` by PSU and the `keys` columns: their values, and the design over cells.

    The cell frame has the key columns as the rows have them and `weight`, the cell's summed
    weight; the design keeps the rows' stratum and PSU codes and counts the rows of each cell.
    """
    codes, size = group_codes([design.psu, *(frame[key] for key in keys)])
    first = first_rows(codes, size)
    cells = frame[list(keys)].iloc[first].reset_index(drop=True)
    weight = np.bincount(codes, weights=design.weight, minlength=size)
    count = np.bincount(codes, minlength=size) if design.count is None else np.bincount(codes, design.count, size)
    squares = design.weight**2 if design.weight_squared is None else design.weight_squared
    cells["weight"] = weight
    cell_design = SurveyDesign(
        weight,
        design.stratum[first],
        design.psu[first],
        design.lonely_psu,
        design.has_clusters,
        design.stratum_labels,
        count.astype(np.int64),
        np.bincount(codes, weights=squares, minlength=size),
    )
    return cells, cell_design
