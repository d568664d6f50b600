"""The self-contained HTML report of one dataset: findings, data, tables, figures, methods, provenance.

Everything a dataset supplies reaches the page through Jinja2 with autoescaping, so a column or
value named like markup is shown as text. Figures are embedded as data URIs: the file opens from
disk with no network.
"""

from __future__ import annotations

import base64
import importlib.metadata
import platform
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd
import yaml

from . import outputs, presentation
from .dataset_text import data_notes, definition_sentences, display_tables, population_caption
from .figures import label

SEPARATE_SECTIONS = ("claims", "table1")  # tables the report lays out in sections of their own
PACKAGES = (
    "msk-cooccurrence",
    "numpy",
    "pandas",
    "pandera",
    "statsmodels",
    "scipy",
    "matplotlib",
    "seaborn",
    "snakemake",
    "jinja2",
)


def percent(value: float, digits: int = 1) -> str:
    return "n/a" if not np.isfinite(value) else f"{100 * value:.{digits}f}%"


def ratio(value: float) -> str:
    return "n/a" if not np.isfinite(value) else f"{value:.2f}"


def key_findings(prevalence: pd.DataFrame, odds: pd.DataFrame, patterns: pd.DataFrame) -> list[str]:
    """Plain sentences for the top of the report."""
    findings = []
    overall = prevalence[prevalence["group"] == "overall"]
    parts = [_prevalence_phrase(r) for r in overall.itertuples()]
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
    if len(multi):
        top = multi.sort_values("oe_ratio", ascending=False).iloc[0]
        findings.append(
            f"The combination most over-represented relative to independence is {label(top.pattern)}: "
            f"{percent(top.estimate)} of adults against {percent(top.expected)} expected "
            f"(observed/expected {ratio(top.oe_ratio)}, 95% CI {ratio(top.oe_ci_low)} to {ratio(top.oe_ci_high)})."
        )
    failed = odds[odds["note"].astype("str").fillna("").str.len() > 0]
    if len(failed):
        findings.append(f"{len(failed)} odds-ratio rows carry a note (see the table): read them before citing.")
    return findings


def _prevalence_phrase(r) -> str:
    """'Obesity 40.6% (37.7% to 43.5%)', with the reliability mark; a suppressed one without its number."""
    mark = presentation.mark(getattr(r, "reliability", ""))
    if mark == presentation.SUPPRESSED:
        return f"{label(r.condition)} {mark} (suppressed)"
    return f"{label(r.condition)} {percent(r.estimate)} ({percent(r.ci_low)} to {percent(r.ci_high)}) {mark}".rstrip()


def not_estimated(tables: dict[str, pd.DataFrame], validation: dict) -> list[str]:
    """What this dataset could not support, and why: one sentence each."""
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
        if name == "claims":  # an orientation remark is no limit
            notes = notes[notes["verdict"] == "not estimable"]
        notes = notes.drop_duplicates(key[:1] + ["note"]) if name == "dose_response" else notes
        for row in notes.head(12).itertuples(index=False):
            what = " / ".join(str(getattr(row, k)) for k in key)
            items.append(f"{name.replace('_', ' ')}: {what}: {row.note}")
    return items


def claim_findings(claims: pd.DataFrame) -> list[str]:
    """One sentence counting the literature's claims by verdict."""
    if claims.empty:
        return []
    counts = claims["verdict"].value_counts()
    parts = [f"{counts[v]} {v}" for v in ("supported", "not supported", "opposite", "not estimable") if v in counts]
    return [f"Claims from the literature tested here: {', '.join(parts)} (see Claims)."]


def standardized_comparison(prevalence: pd.DataFrame) -> pd.DataFrame:
    """Crude and age-standardized prevalence side by side (overall and by sex)."""
    crude = prevalence[prevalence["group"].isin(["overall", "sex"])].assign(
        level=lambda d: d["level"].where(d["group"] == "sex", "all")
    )
    standard = prevalence[prevalence["group"] == "age_standardized"]
    columns = ["condition", "level", "estimate", "ci_low", "ci_high"]
    shown = [presentation.masked(t.reindex(columns=[*columns, "reliability"]))[columns] for t in (crude, standard)]
    return shown[0].merge(shown[1], on=["condition", "level"], suffixes=("_crude", "_standardized"))


def truth_comparison(truth: pd.DataFrame | None, prevalence: pd.DataFrame, odds: pd.DataFrame) -> pd.DataFrame | None:
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
            rows.append(_compare("prevalence", r.condition, "", match["value"].iloc[0], r))
    true_or = truth[truth["kind"] == "odds_ratio"]
    for r in odds.itertuples():
        match = true_or[
            (true_or["condition_a"] == r.condition_a)
            & (true_or["condition_b"] == r.condition_b)
            & (true_or["quantity"] == r.model)
        ]
        if len(match):
            rows.append(_compare(f"odds ratio, {r.model}", r.condition_a, r.condition_b, match["value"].iloc[0], r))
    return pd.DataFrame(rows) if rows else None


def truth_parameters(truth: pd.DataFrame | None) -> pd.DataFrame | None:
    """The generating model's parameters (log scale), with pairwise ones also as odds ratios."""
    if truth is None or truth.empty:
        return None
    parameters = truth[truth["kind"] == "parameter"].drop(columns="kind").fillna({"condition_a": "", "condition_b": ""})
    odds = np.where(parameters["quantity"] == "pair_log_or", np.exp(parameters["value"].astype(float)), np.nan)
    return parameters.assign(odds_ratio=odds)


def _compare(quantity, a, b, true_value, r) -> dict:
    covered = bool(r.ci_low <= true_value <= r.ci_high) if np.isfinite(r.ci_low) else None
    return {
        "quantity": quantity,
        "condition": " & ".join(filter(None, [label(a), label(b)])),
        "true": true_value,
        "estimate": r.estimate,
        "ci_low": r.ci_low,
        "ci_high": r.ci_high,
        "CI covers truth": {True: "yes", False: "no", None: "n/a"}[covered],
    }


def html_table(frame: pd.DataFrame, digits: int = 4) -> str:
    """A table as escaped HTML with rounded numbers."""
    shown = frame.copy()
    for column in shown.columns:
        if pd.api.types.is_float_dtype(shown[column]):
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.{digits}g}")
    return shown.to_html(index=False, escape=True, na_rep="", border=0, classes="data")


def svg_data_uri(path: Path | str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def render_report(
    dataset: str,
    view: dict,
    validation: dict,
    provenance: dict,
    tables: dict[str, pd.DataFrame],
    figures: dict[str, Path],
    truth: pd.DataFrame | None = None,
) -> str:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("msk_cooccurrence", "resources/templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    config, dataset_config = view, view["dataset"]
    notes = validation.get("universes", {})
    interval = view["proportion_ci"]
    table1 = tables.get("table1")
    shown = dict(tables) | {"prevalence": presentation.masked(tables["prevalence"])}
    shown = display_tables(shown, notes)  # "bunions (ages 40+)" wherever bunions is shown
    tables = display_tables(tables, notes)
    shown_config = {k: v for k, v in view.items() if k != "dataset"} | {"datasets": {dataset: dataset_config}}
    comparison = truth_comparison(truth, tables["prevalence"], tables["odds_ratios"])
    return environment.get_template("report.html.j2").render(
        dataset=dataset,
        findings=key_findings(tables["prevalence"], tables["odds_ratios"], tables["patterns"])
        + claim_findings(tables["claims"]),
        standard=config["standard_population"],
        limits=not_estimated(tables, validation),
        standardized=html_table(standardized_comparison(tables["prevalence"])),
        imputation=bool(config["sensitivity"]["multiple_imputation"]),
        validation=validation,
        top_reasons=sorted(validation["checks"].items(), key=lambda kv: -kv[1])[:10],
        provenance=provenance,
        tables={name: html_table(frame) for name, frame in shown.items()},
        table_specs={
            name: spec for name, spec in outputs.tables().items() if name in tables and name not in SEPARATE_SECTIONS
        },
        figures={
            name: (svg_data_uri(path), outputs.figures()[name], population_caption(notes))
            for name, path in figures.items()
        },
        definitions=definition_sentences(dataset_config, config["conditions"]),
        dataset_notes=data_notes(validation, dataset_config),
        interval=presentation.INTERVAL_WORDS[interval],
        footnotes=presentation.FOOTNOTES,
        prevalence_marked=presentation.has_marks(tables["prevalence"]),
        table1=[] if table1 is None else [(h, html_table(b)) for h, b in presentation.table1_blocks(table1)],
        table1_marked=table1 is not None
        and presentation.has_marks(table1, ("reliability_without", "reliability_with")),
        design_rows=presentation.design_rows(validation.get("design_summary")),
        truth=None if comparison is None else html_table(comparison),
        parameters=None if truth is None else html_table(truth_parameters(truth)),
        config_yaml=yaml.safe_dump(shown_config, sort_keys=False),
        versions=package_versions(),
        covariates=", ".join(config["covariates"]),
        max_order=config["loglinear"]["max_order"],
    )
