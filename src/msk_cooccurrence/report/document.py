"""The self-contained HTML report of one dataset: findings, data, tables, figures, methods, provenance.

Everything a dataset supplies reaches the page through Jinja2 with autoescaping, so a column or
value named like markup is shown as text. Figures are embedded as data URIs: the file opens from
disk with no network.
"""

from __future__ import annotations

import base64
import functools
import html
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .. import illustrative, outputs
from ..intake.derive import universe_notes
from ..labels import header, readable, variable_labels
from . import methods, presentation
from .dataset_text import (
    alternative_sentences,
    annotated_claims,
    cycle_warnings,
    data_notes,
    imputation_sentences,
    population_caption,
)
from .exports import report_links
from .methods import methods_context

CSV_HREF = "tables/{name}.csv"  # a table's CSV beside the report (reports/{dataset}/tables/, workflow/rules/tables.smk)
SEPARATE_SECTIONS = ("claims", "table1", "definitions")  # tables the report lays out in sections of their own


def percent(value: float, digits: int = 1) -> str:
    return "n/a" if not np.isfinite(value) else f"{100 * value:.{digits}f}%"


def ratio(value: float) -> str:
    return "n/a" if not np.isfinite(value) else f"{value:.2f}"


def key_findings(
    prevalence: pd.DataFrame, odds: pd.DataFrame, patterns: pd.DataFrame, universes=None, labels=None
) -> list[str]:
    """Plain sentences for the top of the report (`labels`: the run's own, labels.variable_labels)."""

    def label(name) -> str:
        return readable(name, universes, labels)

    findings = []
    overall = prevalence[prevalence["group"] == "overall"]
    parts = [_prevalence_phrase(r, label) for r in overall.itertuples()]
    findings.append("Weighted prevalence (95% CI): " + "; ".join(parts) + ".")
    adjusted = odds[(odds["model"] == "adjusted") & np.isfinite(odds["estimate"])]
    above = adjusted[adjusted["ci_low"] > 1].sort_values("estimate", ascending=False)
    below = adjusted[adjusted["ci_high"] < 1].sort_values("estimate")
    for rows, word in ((above, "more"), (below, "less")):
        if len(rows):
            listed = "; ".join(
                f"{label(r.condition_a)} & {label(r.condition_b)} OR {ratio(r.estimate)} "
                f"({ratio(r.ci_low)} to {ratio(r.ci_high)})"
                for r in rows.itertuples()
            )
            findings.append(
                f"Pairs that occur together {word} often than chance, adjusted for the covariates: {listed}."
            )
    unclear = adjusted[(adjusted["ci_low"] <= 1) & (adjusted["ci_high"] >= 1)]
    if len(unclear):
        listed = ", ".join(f"{label(r.condition_a)} & {label(r.condition_b)}" for r in unclear.itertuples())
        findings.append(f"No clear adjusted association (95% CI includes 1): {listed}.")
    multi = patterns[(patterns["n_conditions"] >= 2) & np.isfinite(patterns["oe_ratio"].astype(float))]
    if "reliability" in multi:  # a finding only from a share the NCHS standards neither suppress nor flag for review
        clean = multi["reliability"].map(presentation.mark).isin(["", presentation.COMPLEMENT])
        if "count_reliability" in multi:  # and its number of people under the NCHS standard for counts
            clean &= multi["count_reliability"].eq("ok")
        reliable = multi[clean]
        if len(multi) and reliable.empty:
            findings.append(
                "No combination of two or more conditions has a share the NCHS presentation standards let us "
                "present without review, so none is named as over-represented (see Co-occurrence patterns)."
            )
        multi = reliable
    beyond_chance = multi[multi["oe_ci_low"].astype(float) > 1]  # over-represented: its O/E CI above 1
    if len(multi) and beyond_chance.empty:
        findings.append(
            "No combination of two or more conditions is over-represented beyond chance: every "
            "observed/expected ratio's 95% CI includes 1 or lies below it (see Co-occurrence patterns)."
        )
    if len(beyond_chance):
        top = beyond_chance.sort_values("oe_ratio", ascending=False).iloc[0]
        findings.append(
            f"The combination most over-represented relative to independence is "
            f"{' + '.join(label(c) for c in str(top.pattern).split('+'))}: "
            f"{percent(top.estimate)} of adults against {percent(top.expected)} expected "
            f"(observed/expected {ratio(top.oe_ratio)}, 95% CI {ratio(top.oe_ci_low)} to {ratio(top.oe_ci_high)})."
        )
    failed = odds[odds["note"].astype("str").fillna("").str.len() > 0]
    if len(failed):
        findings.append(f"{len(failed)} odds-ratio rows carry a note (see the table): read them before citing.")
    return findings


def _prevalence_phrase(r, label) -> str:
    """'Obesity 40.6% (37.7% to 43.5%)', with the reliability mark; a suppressed one without its number."""
    mark = presentation.mark(getattr(r, "reliability", ""))
    if mark == presentation.SUPPRESSED:
        return f"{label(r.condition)} {mark} (suppressed)"
    return f"{label(r.condition)} {percent(r.estimate)} ({percent(r.ci_low)} to {percent(r.ci_high)}) {mark}".rstrip()


def not_estimated(tables: dict[str, pd.DataFrame], validation: dict, labels=None) -> list[str]:
    """What this dataset could not support, and why: one sentence each."""
    universes = validation.get("universes", {})

    def label(name) -> str:
        return readable(name, universes, labels)

    items = []
    absent = validation.get("conditions_absent", [])
    if absent:
        items.append(
            f"Not in this dataset, so not analysed: {', '.join(map(label, absent))} (no column mapped). "
            "Every pair, pattern, claim and model involving them is left out or marked not estimable."
        )
    for name, key in (
        ("odds_ratios", ["condition_a", "condition_b", "model"]),
        ("prevalence", ["condition", "group", "level"]),
        ("loglinear", ["term"]),
        ("dose_response", ["condition"]),
        ("claims", ["claim"]),
    ):
        table = tables.get(name)
        if table is None or "note" not in table:
            continue
        notes = table[table["note"].astype("str").fillna("").str.len() > 0]
        if "estimate" in notes:  # a note beside a number (rows left out for an unknown covariate) is no limit
            notes = notes[notes["estimate"].isna()]
        if name == "claims":  # an orientation remark is no limit
            notes = notes[notes["verdict"] == "not estimable"]
        notes = notes.drop_duplicates(key[:1] + ["note"]) if name == "dose_response" else notes
        for row in notes.head(12).itertuples(index=False):
            what = " / ".join(label(getattr(row, k)) if k != "claim" else str(row.claim) for k in key)
            items.append(f"{outputs.tables()[name].title}: {what}: {row.note}")
    return items


def claim_findings(claims: pd.DataFrame) -> list[str]:
    """One sentence counting the literature's claims by verdict."""
    if claims.empty:
        return []
    counts = claims["verdict"].value_counts()
    parts = [f"{counts[v]} {v}" for v in ("supported", "not supported", "opposite", "not estimable") if v in counts]
    return [f"Claims from the literature tested here: {', '.join(parts)} (see Claims)."]


def standardized_comparison(prevalence: pd.DataFrame, universes=None, labels=None) -> pd.DataFrame:
    """Crude and age-standardized prevalence side by side (overall and by sex), as the report shows them."""
    crude = prevalence[prevalence["group"].isin(["overall", "sex"])].assign(
        level=lambda d: d["level"].where(d["group"] == "sex", "all")
    )
    standard = prevalence[prevalence["group"] == "age_standardized"]
    columns = ["condition", "level", "estimate", "ci_low", "ci_high", "reliability"]
    shown = [
        presentation.display_table("prevalence", t.reindex(columns=columns), universes, labels).iloc[:, :5]
        for t in (crude, standard)
    ]
    keys = list(shown[0].columns[:2])
    return shown[0].merge(shown[1], on=keys, suffixes=(", crude", ", age-standardized"))


def truth_comparison(
    truth: pd.DataFrame | None, prevalence: pd.DataFrame, odds: pd.DataFrame, label=readable
) -> pd.DataFrame | None:
    """For a synthetic dataset: the true population value beside each estimate and whether the CI covers it."""
    if truth is None or truth.empty:
        return None
    rows = []
    true_prev = truth[(truth["kind"] == "prevalence") & (truth["quantity"] == "all")]
    overall = prevalence[prevalence["group"] == "overall"]
    if "reliability" in overall:  # a suppressed estimate is not shown, not even beside the truth
        overall = overall[~overall["reliability"].map(presentation.mark).eq(presentation.SUPPRESSED)]
    for r in overall.itertuples():
        match = true_prev[true_prev["condition_a"] == r.condition]
        if len(match):
            rows.append(_compare("prevalence", label(r.condition), "", match["value"].iloc[0], r))
    true_or = truth[truth["kind"] == "odds_ratio"]
    for r in odds.itertuples():
        match = true_or[
            (true_or["condition_a"] == r.condition_a)
            & (true_or["condition_b"] == r.condition_b)
            & (true_or["quantity"] == r.model)
        ]
        if len(match):
            a, b = label(r.condition_a), label(r.condition_b)
            rows.append(_compare(f"odds ratio, {r.model}", a, b, match["value"].iloc[0], r))
    return pd.DataFrame(rows) if rows else None


def truth_parameters(truth: pd.DataFrame | None, label=readable) -> pd.DataFrame | None:
    """The generating model's parameters (log scale), with pairwise ones also as odds ratios, as the
    report shows them: conditions by `label`, parameters and headers by labels.py."""
    if truth is None or truth.empty:
        return None
    parameters = truth[truth["kind"] == "parameter"].drop(columns="kind").fillna({"condition_a": "", "condition_b": ""})
    odds = np.where(parameters["quantity"] == "pair_log_or", np.exp(parameters["value"].astype(float)), np.nan)
    named = {c: parameters[c].map(lambda v: label(v) if v else "") for c in ("condition_a", "condition_b")}
    shown = parameters.assign(**named, quantity=parameters["quantity"].map(readable), odds_ratio=odds)
    return shown.rename(columns=header)


def _compare(quantity, a, b, true_value, r) -> dict:
    """One line of the truth table: prevalences in percent with one decimal, odds ratios with two."""
    covered = bool(r.ci_low <= true_value <= r.ci_high) if np.isfinite(r.ci_low) else None
    shown = (lambda v: percent(v)) if quantity == "prevalence" else ratio
    return {
        "Quantity": quantity,
        "Condition": " & ".join(filter(None, [a, b])),
        "True value": shown(true_value),
        "Estimate": shown(r.estimate),
        "95% CI": f"{shown(r.ci_low)} to {shown(r.ci_high)}",
        "CI covers truth": {True: "yes", False: "no", None: "n/a"}[covered],
    }


def html_table(frame: pd.DataFrame, digits: int = 4) -> str:
    """A table as escaped HTML with rounded numbers."""
    shown = frame.copy()
    for column in shown.columns:
        if pd.api.types.is_float_dtype(shown[column]):
            shown[column] = shown[column].map(lambda v: presentation.number(v, digits))
    return shown.to_html(index=False, escape=True, na_rep="", border=0, classes="data")


def svg_data_uri(path: Path | str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def render_report(
    dataset: str,
    view: dict,
    validation: dict,
    provenance: dict,
    tables: dict[str, pd.DataFrame],
    figures: dict[str, Path],
    truth: pd.DataFrame | None = None,
) -> str:
    labels = variable_labels(view)
    environment = methods.environment(labels)
    config, dataset_config = view, view["dataset"]
    notes = validation.get("universes", {})  # "Bunions (hallux valgus), ages 40+" wherever bunions is shown
    table1 = tables.get("table1")
    alternatives = tables.get("definitions", pd.DataFrame(columns=["condition"]))
    claims = tables["claims"].assign(claim=annotated_claims(tables["claims"], notes, labels))
    shown = {
        name: presentation.display_table(name, claims if name == "claims" else table, notes, labels)
        for name, table in tables.items()
        if name != "table1"
    }
    shown_config = {k: v for k, v in view.items() if k != "dataset"} | {"datasets": {dataset: dataset_config}}
    label_with_universe = functools.partial(readable, universes=notes, labels=labels)
    comparison = truth_comparison(truth, tables["prevalence"], tables["odds_ratios"], label_with_universe)
    known = truth is not None and len(truth) > 0  # drawn from a model whose truth the report shows
    findings = key_findings(tables["prevalence"], tables["odds_ratios"], tables["patterns"], notes, labels)
    association = tables.get("association")
    by_cycle = [] if association is None else cycle_warnings(association, tables["prevalence"], view, notes)
    return environment.get_template("report.html.j2").render(
        dataset=dataset,
        findings=findings[:1]
        + by_cycle
        + presentation.definition_findings(alternatives, notes, labels)
        + findings[1:]
        + claim_findings(tables["claims"]),
        cycle_warnings=by_cycle,
        title=illustrative.title(dataset, dataset_config),
        banner=illustrative.banner(dataset_config, int((tables["claims"]["verdict"] == "supported").sum()), known),
        claims_line=illustrative.claims_line(dataset_config, known),
        reminder=illustrative.REMINDER if illustrative.is_illustrative(dataset_config) else "",
        limits=not_estimated(tables, validation, labels),
        standardized=html_table(standardized_comparison(tables["prevalence"], notes, labels)),
        imputation=bool(config["sensitivity"]["multiple_imputation"]),
        imputation_words=imputation_sentences(dataset_config, config["conditions"]),
        top_reasons=sorted(validation["checks"].items(), key=lambda kv: -kv[1])[:10],
        tables={name: html_table(frame) for name, frame in shown.items()},
        table_specs={
            name: spec for name, spec in outputs.tables().items() if name in tables and name not in SEPARATE_SECTIONS
        },
        figures={
            name: (svg_data_uri(path), outputs.figures()[name], population_caption(notes, labels))
            for name, path in figures.items()
        },
        dataset_notes=data_notes(validation, dataset_config),
        footnotes=presentation.FOOTNOTES,
        prevalence_marked=presentation.has_marks(tables["prevalence"]),
        table1=[]
        if table1 is None
        else [(h, html_table(b)) for h, b in presentation.table1_blocks(table1, notes, labels)],
        alternatives=[(h, html_table(b)) for h, b in presentation.definition_blocks(alternatives, notes, labels)],
        alternatives_spec=outputs.tables().get("definitions"),
        alternatives_words=alternative_sentences(dataset_config),
        table1_marked=table1 is not None
        and presentation.has_marks(table1, ("reliability_without", "reliability_with")),
        design_rows=presentation.design_rows(validation.get("design_summary")),
        truth=None if comparison is None else html_table(comparison),
        parameters=None if truth is None or truth.empty else html_table(truth_parameters(truth, label_with_universe)),
        config_yaml=yaml.safe_dump(shown_config, sort_keys=False),
        csv_href={name: CSV_HREF.format(name=name) for name in tables},
        quality=presentation.quality_rows(tables.get("data_quality"), labels),
        exports=report_links(dataset),
        **methods_context(view, validation, provenance, tables),
    )


def table_page(name: str, table: pd.DataFrame, view: dict) -> str:
    """One table as the report shows it, on a page of its own (Snakemake's report shows it inline)."""
    notes = universe_notes(view["dataset"])
    spec = outputs.tables()[name]
    if name in ("table1", "definitions"):
        labels = variable_labels(view)
        pieces = (
            presentation.table1_blocks(table, notes, labels)
            if name == "table1"
            else presentation.definition_blocks(table, notes, labels)
        )
        body = "".join(f"<h3>{html.escape(h)}</h3>{html_table(b)}" for h, b in pieces)
    else:
        body = html_table(presentation.display_table(name, table, notes, variable_labels(view)))
    marked = presentation.has_marks(table, ("reliability", "reliability_without", "reliability_with"))
    footnotes = "".join(f"<p class='footnotes'>{html.escape(n)}</p>" for n in presentation.FOOTNOTES) if marked else ""
    caption = presentation.code_names(spec.caption)
    if illustrative.is_illustrative(view["dataset"]):
        caption = f"<b class='illustrative'>{html.escape(illustrative.REMINDER)}</b> {caption}"
    return TABLE_PAGE.format(title=html.escape(spec.title), caption=caption, body=body + footnotes)


TABLE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body {{ font-family: system-ui, sans-serif; margin: 1em; color: #222; }}
table.data {{ border-collapse: collapse; font-size: .85em; }}
table.data th, table.data td {{ border-bottom: 1px solid #e3e3e3; padding: .2em .6em; text-align: right; }}
table.data th {{ background: #f4f4f4; }} table.data td:first-child, table.data th:first-child {{ text-align: left; }}
.footnotes {{ font-size: .85em; color: #444; }} .illustrative {{ color: #b35900; }}</style></head>
<body><h2>{title}</h2><p>{caption}</p>{body}</body></html>
"""
