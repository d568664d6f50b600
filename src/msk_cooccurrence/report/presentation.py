"""Tables as the report shows them: unreliable proportions marked, Table 1 laid out, the design described.

A proportion the NCHS standards suppress is never shown as a number: its figures become the mark
SUPPRESSED and a footnote says why; one flagged for review keeps its number with the mark
REVIEWED, one whose complement is unreliable (surveytable's footnote 'Pc') with COMPLEMENT.
Table 1 follows gtsummary's tbl_svysummary layout, percentages written as percentages.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .. import outputs
from ..labels import LABELS, in_sentence, readable
from ..labels import header as column_header
from ..survey.reliability import has_complement_footnote, is_reviewed, is_suppressed
from ..survey.universe_cells import NOT_MEASURED

SUPPRESSED = "*"
REVIEWED = "†"
COMPLEMENT = "‡"
FOOTNOTES = (
    f"{SUPPRESSED} Suppressed: the estimate does not meet the NCHS Data Presentation Standards for Proportions "
    "(Parker et al. 2017, as CDC's surveytable applies them; effective sample size under 30, Korn-Graubard CI "
    "too wide in absolute or relative terms); the reason is in the reliability column of the CSV. The counts "
    "that would give it back (its cases, a pattern's n and observed/expected) are suppressed with it, as is a "
    "count that fails the NCHS standard for counts (sample size under 10, or a CI wider than 160% of it).",
    f"{REVIEWED} Flagged for statistical review by the same standards (design df under 8, or an estimate of "
    "0% or 100%): read with care.",
    f"{COMPLEMENT} The complement (100% minus this percentage) would not meet the same standards: its CI is "
    "wider than 130% of it.",
    "Not measured: the condition was measured in part of the sample only (its universe, e.g. the foot exam from "
    "age 40), and this group lies outside it. There is nothing to estimate; that is not suppression.",
)
UNMEASURED = "not measured"  # the words that stand for an estimate outside the condition's universe
INTERVAL_WORDS = {
    "logit": 'logit scale, t quantile on the design degrees of freedom, R svyciprop(method = "logit")',
    "korn_graubard": "Korn-Graubard, Clopper-Pearson on the df-adjusted effective sample size, "
    'R svyciprop(method = "beta")',
}
ESTIMATE_COLUMNS = ("estimate", "se", "ci_low", "ci_high", "kg_low", "kg_high", "cases")


def mark(reliability) -> str:
    """SUPPRESSED, or REVIEWED and COMPLEMENT as they apply (surveytable's flags Pdf/P0 and Pc), or ''."""
    if is_suppressed(reliability):
        return SUPPRESSED
    return (REVIEWED if is_reviewed(reliability) else "") + (COMPLEMENT if has_complement_footnote(reliability) else "")


def with_mark(text: pd.Series, marks: pd.Series) -> pd.Series:
    """The text with its mark after it, where the mark is a flag (not suppression, which replaces it)."""
    flagged = marks.ne("") & marks.ne(SUPPRESSED)
    return text.where(~flagged, text.astype(str) + " " + marks)


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def number(value, digits: int = 4) -> str:
    """A number as a reader expects it: `digits` significant digits, whole numbers from 1,000 up with
    thousands separators (8,404, never 8.4e+03), and a tiny one as 1.2 × 10⁻⁵."""
    if pd.isna(value):
        return ""
    value = float(value)
    if not np.isfinite(value):
        return "n/a"
    if abs(value) >= 999.5:
        return f"{value:,.0f}"
    if value != 0 and abs(value) < 1e-4:
        mantissa, exponent = f"{value:.{max(digits - 1, 0)}e}".split("e")
        return f"{mantissa} × 10{str(int(exponent)).translate(SUPERSCRIPT)}"
    return f"{value:.{digits}g}"


def masked(table: pd.DataFrame, columns=ESTIMATE_COLUMNS, reliability: str = "reliability", digits=4) -> pd.DataFrame:
    """The table with its estimate columns as text: the mark alone where suppressed, number + mark where reviewed."""
    shown = table.copy()
    marks = table[reliability].map(mark) if reliability in table else pd.Series("", index=table.index)
    for column in (c for c in columns if c in table):
        text = table[column].map(lambda v: number(v, digits))
        shown[column] = text.where(marks != SUPPRESSED, SUPPRESSED)
    first = next((c for c in columns if c in table), None)
    if first:
        shown[first] = with_mark(shown[first], marks)
    return shown


def percent_text(estimate: float, low: float, high: float, reliability) -> str:
    """45.2% (42.1-48.3), or the mark where suppressed."""
    if is_suppressed(reliability):
        return SUPPRESSED
    if reliability == NOT_MEASURED:
        return UNMEASURED
    if pd.isna(estimate):
        return "n/a"
    interval = "" if pd.isna(low) else f" ({100 * low:.1f}–{100 * high:.1f})"
    flag = mark(reliability)
    return f"{100 * estimate:.1f}%{interval}" + (f" {flag}" if flag else "")


def ratio_text(estimate: float, low: float, high: float) -> str:
    """1.52 (1.10-2.10), an odds ratio with two decimals."""
    if pd.isna(estimate):
        return "n/a"
    return f"{estimate:.2f}" + ("" if pd.isna(low) else f" ({low:.2f}–{high:.2f})")


NCHS_NOTE = "NCHS standard: "  # how definitions.csv notes a verdict other than ok


def definition_blocks(
    table: pd.DataFrame, universes: Mapping[str, str] | None = None, labels: Mapping[str, str] | None = None
) -> list[tuple[str, pd.DataFrame]]:
    """definitions.csv side by side: for each condition, a block with a column per definition (the
    primary first) and a row per estimate: prevalence, rows known and unknown, each adjusted OR."""
    blocks = []
    for condition, rows in table.groupby("condition", sort=False):
        columns = {}
        for definition, own in rows.groupby("definition", sort=False):
            name = readable(definition, None, labels)
            name = name[:1].upper() + name[1:] + (" (primary)" if definition == condition else "")
            columns[name] = _definition_column(own, universes, labels)
        shown = pd.DataFrame(columns)
        shown.index.name = "Estimate"
        blocks.append((readable(condition, universes, labels), shown.reset_index()))
    return blocks


def definition_findings(
    table: pd.DataFrame, universes: Mapping[str, str] | None = None, labels: Mapping[str, str] | None = None
) -> list[str]:
    """A key finding per condition defined in more than one way: its prevalence under each definition."""
    findings = []
    prevalence = table[table["kind"] == "prevalence"] if "kind" in table else table.iloc[0:0]
    for condition, rows in prevalence.groupby("condition", sort=False):
        parts = [
            f"{percent_text(r.estimate, r.ci_low, r.ci_high, _verdict(r.note))} "
            + (
                "by its primary definition"
                if r.definition == condition
                else f"as {in_sentence(readable(r.definition, None, labels))}"
            )
            for r in rows.itertuples()
        ]
        findings.append(
            f"Prevalence of {readable(condition, universes, labels)} by definition: {'; '.join(parts)} (see How "
            "the definition changes the answer)."
        )
    return findings


def _verdict(note) -> str:
    """The NCHS verdict a definitions.csv note carries ('' when ok)."""
    return next((p[len(NCHS_NOTE) :] for p in str(note).split("; ") if p.startswith(NCHS_NOTE)), "")


def _definition_column(rows: pd.DataFrame, universes, labels) -> dict:
    out = {}
    for r in rows.itertuples():
        if r.kind == "prevalence":
            out["Prevalence, % (95% CI)"] = percent_text(r.estimate, r.ci_low, r.ci_high, _verdict(r.note))
            out["Rows with the condition known / unknown"] = f"{r.n:,.0f} / {r.n_unknown:,.0f}"
        else:
            other = readable(r.condition_b, universes, labels)
            out[f"Adjusted odds ratio with {other} (95% CI)"] = ratio_text(r.estimate, r.ci_low, r.ci_high)
    return out


def p_value_text(p: float) -> str:
    """gtsummary's style_pvalue: <0.001, three decimals below 0.1, two above."""
    if pd.isna(p):
        return ""
    if p < 0.001:
        return "<0.001"
    return f"{p:.3f}" if p < 0.1 else f"{p:.2f}"


def table1_blocks(
    table: pd.DataFrame, universes: Mapping[str, str] | None = None, labels: Mapping[str, str] | None = None
) -> list[tuple[str, pd.DataFrame]]:
    """One gtsummary-style table per condition: (heading, table of text)."""
    blocks = []
    for condition, block in table.groupby("condition", sort=False):
        total = block[block["row_type"] == "total"].iloc[0]
        name = readable(condition, universes, labels)
        headers = [
            f"{word} {in_sentence(name)}, N = {total[f'estimate_{side}']:,.0f} (n = {int(total[f'n_{side}']):,})"
            for word, side in (("Without", "without"), ("With", "with"))
        ]
        rows = [_table1_line(r, headers) for r in block[block["row_type"] != "total"].itertuples()]
        blocks.append((name, pd.DataFrame(rows, columns=["Characteristic", *headers, "p-value"])))
    return blocks


def _table1_line(r, headers) -> dict:
    indent = "\u2003" if r.row_type in ("level", "unknown") else ""
    line = {"Characteristic": indent + str(r.label), "p-value": p_value_text(r.p_value)}
    for side, header in zip(("without", "with"), headers):
        n = getattr(r, f"n_{side}")
        if r.row_type == "continuous":
            cell = f"{getattr(r, f'estimate_{side}'):.1f} (SE {getattr(r, f'se_{side}'):.2f})"
        elif r.row_type in ("level", "dichotomous"):
            values = [getattr(r, f"{f}_{side}") for f in ("estimate", "ci_low", "ci_high", "reliability")]
            text = percent_text(*values)  # a suppressed one without its n, which over the column's n gives it back
            cell = text if text in (SUPPRESSED, UNMEASURED) else f"{text}; n = {int(n):,}"
        elif r.row_type == "left_out":
            cell = "left out: it defines the condition"
        elif r.row_type == "unknown":
            cell = f"n = {int(n):,}"
        else:
            cell = ""
        line[header] = cell
    return line


def design_rows(summary: dict | None) -> list[tuple[str, str]]:
    """The design summary of validation.json as (what, value) lines for the report."""
    if not summary:
        return []
    lonely = summary["strata_with_one_psu"]
    handling = f": {summary['lonely_psu_handling']}" if lonely else ""
    return [
        (
            "strata, PSUs",
            f"{summary['strata']:,}, {summary['psus']:,}" if summary["clusters"] else "none (weights only)",
        ),
        ("strata with one PSU", f"{lonely}{handling}"),
        ("design degrees of freedom", f"{summary['degrees_of_freedom']:,} (PSUs minus strata)"),
        ("sum of weights (population represented)", f"{summary['sum_of_weights']:,.0f}"),
        ("weights, smallest to largest", f"{summary['weight_min']:,.2f} to {summary['weight_max']:,.2f}"),
        (
            "Kish's effective sample size from unequal weights",
            f"{summary['kish_effective_n']:,.0f} of {summary['rows']:,} rows "
            f"(weighting design effect {summary['kish_design_effect']:.2f})",
        ),
    ]


def has_marks(table: pd.DataFrame, columns=("reliability",)) -> bool:
    """Whether any row of the table carries a mark (so the footnotes are needed)."""
    present = [table[c].dropna() for c in columns if c in table]
    if not present:
        return False
    verdicts = pd.concat(present)
    return bool(verdicts.map(mark).ne("").any() or verdicts.eq(NOT_MEASURED).any())


CONDITION_VALUES = ("condition", "condition_a", "condition_b", "by")  # columns whose values are names
NAME_VALUES = ("group", "level", "model", "kind", "method", "item", "subgroup")
WHOLE_NUMBERS = ("n", "n_cases", "df", "population", "cases", "rows", "imputations", "n_conditions", "order")
WHOLE_NUMBERS += ("interaction_df_num", "interaction_df_den")


SNAKE_CASE = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b")  # knee_oa, ci_low, max_order
QUOTED_OR_NAME = re.compile(r"`([^`]+)`|" + SNAKE_CASE.pattern)


def code_names(text) -> str:
    """Prose of the outputs registry (captions, column meanings) as HTML: its `quoted` spans and
    snake_case names (a CSV's columns and levels, a config's keys) as code, the rest escaped."""
    return QUOTED_OR_NAME.sub(lambda m: f"<code>{m[1] or m[0]}</code>", html.escape(str(text)))


def labelled_note(text: str, names, universes=None, labels=None) -> str:
    """A note with the snake_case names it holds that are `names` (conditions, groupings, declared
    variables) written as their labels: "estimated as bunions given knee_oa" reads "... given Knee
    osteoarthritis"."""
    return SNAKE_CASE.sub(lambda m: readable(m[0], universes, labels) if m[0] in names else m[0], str(text))


def _names_in(table: pd.DataFrame, spec, universes, labels) -> set[str]:
    """The names a table's notes may hold: the values of its name columns, its condition columns, the
    names labels.py knows and the run's own (universes, declared variables)."""
    columns = [c for c in (*CONDITION_VALUES, *NAME_VALUES) if c in table]
    values = {str(v) for c in columns for v in table[c].dropna().unique()}
    conditions = {c for c in table.columns if spec.condition_columns and c not in spec.columns}
    return values | conditions | set(LABELS) | set(universes or ()) | set(labels or ())


def display_table(
    name: str, table: pd.DataFrame, universes: Mapping[str, str] | None = None, labels: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """A registered table as a reader sees it: labels for names (`labels`: the run's own, labels.variable_labels),
    percentages with one decimal, odds ratios with two, p-values as gtsummary writes them, human headers;
    suppressed estimates as the mark."""
    spec = outputs.tables()[name]
    percent, ratio = set(spec.display.get("percent", ())), set(spec.display.get("ratio", ()))
    marks = table["reliability"].map(mark) if "reliability" in table else pd.Series("", index=table.index)
    shown = pd.DataFrame(index=table.index)
    for column in table.columns:
        values = table[column]
        if column in percent or column in ratio:
            digits, scale = (1, 100) if column in percent else (2, 1)
            text = values.map(lambda v, d=digits, k=scale: "" if pd.isna(v) else f"{k * v:.{d}f}")
            if column in ESTIMATE_COLUMNS:
                text = text.where(marks != SUPPRESSED, SUPPRESSED)
        elif column in CONDITION_VALUES or column in NAME_VALUES:
            text = values.map(lambda v: "" if pd.isna(v) else readable(v, universes, labels))
        elif column == "pattern":
            text = values.map(lambda v: " + ".join(readable(c, universes, labels) for c in str(v).split("+")))
        elif column == "term":
            text = values.map(lambda v: " × ".join(readable(c, universes, labels) for c in str(v).split(":")))
        elif column in ("p_value", "interaction_p"):
            text = values.map(p_value_text)
        elif column == "note":
            known = _names_in(table, spec, universes, labels)
            text = values.map(lambda v, k=known: "" if pd.isna(v) else labelled_note(v, k, universes, labels))
        elif column in WHOLE_NUMBERS and pd.api.types.is_numeric_dtype(values):
            text = values.map(lambda v: "" if pd.isna(v) else f"{v:,.0f}")
        elif pd.api.types.is_bool_dtype(values) or (spec.condition_columns and column not in spec.columns):
            text = values.map(lambda v: "yes" if v is True or v == 1 else "")
        elif pd.api.types.is_float_dtype(values):
            text = values.map(lambda v: number(v, 3))
        else:
            text = values.fillna("").astype(str)
        shown[column] = text.astype(object)
    shown = _counts_masked(shown, table, spec.display, marks)
    if "reliability" in table:  # outside the condition's universe: every number of the row in words
        unmeasured = table["reliability"].eq(NOT_MEASURED)
        for column in (c for c in (*ESTIMATE_COLUMNS, *_count_columns(spec.display)) if c in shown):
            shown[column] = shown[column].where(~unmeasured, UNMEASURED)
    if "estimate" in shown:
        shown["estimate"] = with_mark(shown["estimate"], marks)
    headers = spec.display.get("headers", {})
    names = {c: column_header(c, headers) + (" (%)" if c in percent else "") for c in table.columns}
    names |= {
        c: readable(c, universes, labels) for c in table.columns if spec.condition_columns and c not in spec.columns
    }
    return shown.rename(columns=names)


def _count_columns(display: Mapping) -> tuple[str, ...]:
    return (*display.get("with_estimate", ()), *display.get("counts", {}))


def _counts_masked(shown: pd.DataFrame, table: pd.DataFrame, display: Mapping, marks: pd.Series) -> pd.DataFrame:
    """The mark for the columns that would give a suppressed estimate back (display `with_estimate`)
    and for a count its own verdict suppresses (display `counts`: column -> its verdict's column)."""
    for column in (c for c in display.get("with_estimate", ()) if c in shown):
        shown[column] = shown[column].where(marks != SUPPRESSED, SUPPRESSED)
    for column, verdicts in display.get("counts", {}).items():
        if column in shown and verdicts in table:
            shown[column] = shown[column].where(~table[verdicts].map(is_suppressed).astype(bool), SUPPRESSED)
    return shown


def quality_rows(quality: pd.DataFrame | None, labels: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """The data-quality table's missing values as (column, 'n of rows (share)') lines for the data section."""
    if quality is None:
        return []
    missing = quality[quality["kind"] == "missing"]
    return [
        (readable(r.item, None, labels), f"{r.n:,} of {r.rows:,} ({100 * r.share:.1f}%)") for r in missing.itertuples()
    ]
