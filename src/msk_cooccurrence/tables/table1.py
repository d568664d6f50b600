"""Table 1: characteristics of adults without and with each condition, as gtsummary lays it out.

`gtsummary::tbl_svysummary(design, by = condition) |> add_p()` has one column per level of the
condition (without, then with), a row per characteristic and, for a categorical one, a row per
level, with the p-value on the characteristic's first row. Here every cell holds numbers: the
unweighted count n, and the weighted percentage (a domain proportion, R svymean / svyciprop) or,
for age, the weighted mean with its design SE; rows whose condition status is unknown are in
neither column, and percentages are among rows with the characteristic known.

Tests: categorical rows use the Rao-Scott F test (association.rao_scott_test, R svychisq
statistic = "F", which is gtsummary's "svy.chisq.test"); age uses the design-based t test of the
difference in means, R svyttest(age ~ condition, design): t = (mean_with - mean_without) / SE on
the design df of the rows used minus 1 (gtsummary's default for continuous rows would be the
design-based Wilcoxon test; we report means, so the t test matches them). Where that SE is
rounding, as for a number with one value (estimate.at_rounding_level), the row has a note and
no test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..labels import readable
from ..settings import Settings
from ..survey.data import AnalysisData
from ..survey.design import SurveyDesign, domain_mean_influence
from ..survey.estimate import NO_VARIANCE, Estimate
from ..survey.inference import cases, proportion
from ..survey.raoscott import categories, category_codes, rao_scott_test
from ..survey.reliability import proportion_reliability
from ..survey.universe_cells import NOT_MEASURED, defines, defining_note, never_measured

SIDES = ("without", "with")
CELL = ("n", "estimate", "se", "ci_low", "ci_high", "reliability")
RAO_SCOTT = "Rao-Scott F (R svychisq)"
T_TEST = "design-based t (R svyttest)"


def table1_table(data: AnalysisData, settings: Settings) -> pd.DataFrame:
    """Table 1 for every condition present, one block after the other.

    Its characteristics: age and each number among the covariates (mean, SE), each grouping
    (sex, age band, BMI class, a category variable) and each category among the covariates
    (percentage of each level), then the other conditions. Numbers and categories that are not
    groupings are read on the cells that keep every value; the groupings on the far fewer cells
    that keep age as its band (AnalysisData.banded).
    """
    every, data = data.cells(), data.banded(settings.age_bands)
    grouped = {n: v for n, v in data.groupings(settings.age_bands, settings.obesity_bmi).items() if n != "overall"}
    numbers = [n for n in ("age", *every.covariates) if _is_number(every, n)]
    categories = [n for n in every.covariates if every.is_category(n) and n in every.frame and n not in grouped]
    design, present, interval = data.design, data.conditions, settings.proportion_ci
    rows = []
    for condition in present:
        status = data.condition(condition)
        sides = [status == 0, status == 1]
        rows.append(_total_row(condition, sides, design))
        for name in dict.fromkeys(numbers):
            values, status_of_cells = every.frame[name].to_numpy(float), every.condition(condition)
            rows.append(_mean_row(condition, name, settings.label(name), values, status_of_cells, every.design))
            rows += _unknown_row(condition, name, np.isnan(values), status_of_cells, every.design)
        for name, levels in grouped.items():
            if defines(name, condition):  # a row saying why instead of 0% and 100% by definition
                note = defining_note(name, condition)
                rows.append(_row(condition, name, settings.label(name), "", "left_out", note=note))
                continue
            block = _categorical_rows(
                condition, name, levels, status, sides, design, interval, label=settings.label(name)
            )
            rows += [_not_measured(r, data.universes) for r in block]
        every_status = every.condition(condition)
        for name in categories:
            every_sides = [every_status == 0, every_status == 1]
            rows += _categorical_rows(
                condition,
                name,
                every.category(name),
                every_status,
                every_sides,
                every.design,
                interval,
                label=settings.label(name),
            )
        for other in (c for c in present if c != condition):
            values = pd.Series(data.condition(other)).map({1.0: "yes", 0.0: "no"})
            rows += _categorical_rows(
                condition, other, values, status, sides, design, interval, only="yes", label=settings.label(other)
            )
    return pd.DataFrame(rows)


def _not_measured(row: dict, universes) -> dict:
    """A level row of an age band outside the condition's universe: no one in either column was measured."""
    known = row.get("n_without", 1) + row.get("n_with", 1) if row["row_type"] == "level" else 1
    if never_measured(row["condition"], row["characteristic"], known, universes):
        return row | {f"reliability_{side}": NOT_MEASURED for side in SIDES} | {"note": NOT_MEASURED}
    return row


def _is_number(data: AnalysisData, name: str) -> bool:
    """A covariate Table 1 summarizes by its mean: age, BMI or a declared number."""
    declared = (data.variables.get(name) or {}).get("kind")
    return name in data.frame and (declared == "number" or (declared is None and name in ("age", "bmi")))


def _row(condition, characteristic, label, level, row_type, **fields) -> dict:
    return {
        "condition": condition,
        "characteristic": characteristic,
        "label": label,
        "level": level,
        "row_type": row_type,
        **fields,
    }


def _total_row(condition, sides, design) -> dict:
    """Adults in each column: unweighted n, and the estimated population (sum of weights) as the estimate."""
    cells = {}
    for side, rows in zip(SIDES, sides):
        cells |= {f"n_{side}": design.rows(rows), f"estimate_{side}": float(design.weight[rows].sum())}
    return _row(condition, "adults", "Adults, n and estimated population", "", "total", **cells)


def _mean_row(condition, name, label, age, status, design) -> dict:
    """A number's weighted mean (design SE, t interval) per column, and svyttest's t test of the difference."""
    cells, influences = {}, []
    for side, rows in zip(SIDES, [status == 0, status == 1]):
        rows = rows & ~np.isnan(age)
        if design.weight[rows].sum() <= 0:
            cells[f"n_{side}"] = design.rows(rows)
            influences.append(None)
            continue
        mean, influence = domain_mean_influence(np.nan_to_num(age), design.weight, rows)
        estimate = Estimate(np.array([mean]), design.variance(influence, rows), design.degrees_of_freedom(rows))
        low, high, _ = estimate.interval()
        cells |= {
            f"n_{side}": design.rows(rows),
            f"estimate_{side}": mean,
            f"se_{side}": float(estimate.se[0]),
            f"ci_low_{side}": low,
            f"ci_high_{side}": high,
        }
        influences.append((mean, influence))
    test = _difference_t_test(influences, ~np.isnan(status) & ~np.isnan(age), design)
    label = readable(name) if label == name else label
    return _row(condition, name, f"{label}, mean (SE)", "", "continuous", **cells, **test)


def _difference_t_test(influences, used, design) -> dict:
    """R svyttest(age ~ condition): the difference of the two domain means over its design SE, t on df - 1."""
    if any(part is None for part in influences):
        return {"test": T_TEST, "note": "a column has no rows"}
    (mean_0, influence_0), (mean_1, influence_1) = influences
    variance = design.variance(influence_1 - influence_0, used)
    difference = Estimate(
        np.array([mean_1 - mean_0]),
        variance,
        design.degrees_of_freedom(used) - 1,
        scale=np.array([max(abs(mean_0), abs(mean_1))]),  # the SE of two means of a constant is rounding
    )
    se = float(difference.se[0])
    if difference.df <= 0:
        return {"test": T_TEST, "note": "no design degrees of freedom for the test"}
    if not se > 0 or difference.no_variance(0):
        return {"test": T_TEST, "note": NO_VARIANCE}
    return {
        "test": T_TEST,
        "statistic": difference.value() / se,
        "df_den": difference.df,
        "p_value": difference.p_value(),
    }


def _categorical_rows(condition, name, levels, status, sides, design, interval, only=None, label=None) -> list[dict]:
    """A label row with the Rao-Scott test, a row per level (or the one level `only`), and unknowns."""
    label = readable(name) if label in (None, name) else label
    codes, present = categories(levels)
    known = codes >= 0
    test = {"test": RAO_SCOTT, **rao_scott_test(category_codes(status), codes, design)}
    test.pop("n")
    rows = [] if only else [_row(condition, name, label, "", "label", **test)]
    for level in [only] if only else [str(v) for v in present]:
        cells = {}
        indicator = (codes == present.get(level, -2)).astype(float)
        for side, side_rows in zip(SIDES, sides):
            cells |= _percent_cell(side, np.where(known, indicator, np.nan), design, side_rows, interval)
        extra = test if only else {}
        shown = label if only else readable(level)
        rows.append(_row(condition, name, shown, level, "dichotomous" if only else "level", **cells, **extra))
    return rows + _unknown_row(condition, name, ~known, status, design)


def _unknown_row(condition, name, unknown, status, design) -> list[dict]:
    """The rows of each column whose characteristic is unknown, where there are any."""
    counts = [design.rows((status == side) & unknown) for side in (0, 1)]
    if not any(counts):
        return []
    return [_row(condition, name, "Unknown", "unknown", "unknown", **dict(zip(("n_without", "n_with"), counts)))]


def _percent_cell(side: str, y: np.ndarray, design: SurveyDesign, rows: np.ndarray, interval: str) -> dict:
    """A weighted percentage (as a proportion) with its SE, chosen CI, NCHS verdict and the unweighted count."""
    result = proportion(y, design, rows)
    low, high, _ = result.proportion_interval(interval)
    return {
        f"n_{side}": cases(y, design, rows & ~np.isnan(y)),
        f"estimate_{side}": result.value(),
        f"se_{side}": float(result.se[0]),
        f"ci_low_{side}": low,
        f"ci_high_{side}": high,
        f"reliability_{side}": proportion_reliability(result)["reliability"],
    }
