"""reports/index.html: every dataset of the run, and the estimates they share side by side.

It also links every other report in reports/ (`other_reports`): a dataset of another config, run in
the same folder (the examples, one after another), is listed with what its validation says, marked
as another config's, and left out of the side-by-side estimates: its settings (conditions,
covariates, definitions) are its own config's, and it is as old as that config's last run.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Mapping
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

from .. import illustrative
from ..labels import readable
from . import presentation
from .dataset_text import display_tables
from .document import html_table, svg_data_uri


def shared_estimates(tables: Mapping[str, pd.DataFrame], keys: list[str], value_columns: list[str]) -> pd.DataFrame:
    """One row per estimate that at least two datasets have, their values side by side."""
    wide = None
    for name, table in tables.items():
        part = table[keys + value_columns].rename(columns={c: f"{name}: {c}" for c in value_columns})
        wide = part if wide is None else wide.merge(part, on=keys, how="outer")
    if wide is None:
        return pd.DataFrame()
    counts = wide[[c for c in wide.columns if c.endswith(f": {value_columns[0]}")]].notna().sum(axis=1)
    return wide[counts >= min(2, len(tables))].reset_index(drop=True)


def shown(
    name: str, table: pd.DataFrame, columns: list[str], universes: Mapping[str, str], labels=None
) -> pd.DataFrame:
    """Rows of a table as each report shows them (labels, percentages, odds ratios, marks); blank is missing."""
    keep = [c for c in [*columns, "reliability"] if c in table]
    shown = presentation.display_table(name, table[keep], universes, labels)
    return shown.iloc[:, : len(columns)].replace("", np.nan)


def dataset_rows(validation: Mapping[str, Mapping]) -> dict[str, dict]:
    """Each dataset's line of the index as a reader sees it: counts with thousands separators,
    conditions by their labels (the dataset's own first)."""
    rows = {}
    for name, v in validation.items():
        labels = v.get("labels", {})
        rows[name] = {
            "title": v.get("title") or name,
            "illustrative": bool(v.get("illustrative")),
            "source": v["source"],
            "design": v["design"],
            "rows_valid": f"{v['rows_valid']:,}",
            "rows_quarantined": f"{v['rows_quarantined']:,}",
            "analysed": ", ".join(readable(c, None, labels) for c in v.get("conditions_analysed", [])),
            "absent": ", ".join(readable(c, None, labels) for c in v.get("conditions_absent", [])) or "none",
        }
    return rows


def overall_columns(tables: Mapping[str, pd.DataFrame], keys: int = 1):
    """The value columns (after the key columns) the datasets' tables share."""
    first = next(iter(tables.values()), pd.DataFrame())
    return first.columns[keys:]


def comparison_uri(odds: Mapping[str, pd.DataFrame]) -> str:
    """The odds ratios of the datasets side by side as an SVG data URI; none for a single dataset,
    which has nothing to be compared with (and its index job then loads no plotting library)."""
    if len(odds) < 2:
        return ""
    from . import figures

    figure = figures.comparison_figure(odds)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    figures.plt.close(figure)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def pooled_rows(comparison: pd.DataFrame) -> pd.DataFrame:
    """reports/comparison.csv as the index shows it: labels, odds ratios with two decimals, I2 in percent."""
    ratio = lambda v: "" if pd.isna(v) else f"{v:.2f}"  # noqa: E731
    return pd.DataFrame(
        {
            "Condition A": comparison["condition_a"].map(readable),
            "Condition B": comparison["condition_b"].map(readable),
            "Model": comparison["model"],
            "Datasets pooled": comparison["k"],
            "Pooled odds ratio": comparison["estimate"].map(ratio),
            "95% CI": [
                "" if pd.isna(low) else f"{low:.2f} to {high:.2f}"
                for low, high in zip(comparison["ci_low"], comparison["ci_high"])
            ],
            "tau²": comparison["tau2"].map(lambda v: "" if pd.isna(v) else f"{v:.3g}"),
            "I² (%)": comparison["i2"].map(lambda v: "" if pd.isna(v) else f"{v:.0f}"),
            "Q p-value": comparison["q_p_value"].map(lambda v: "" if pd.isna(v) else f"{v:.2g}"),
            "Note": comparison["note"].fillna(""),
        }
    )


def pooled_comparison(paths) -> dict:
    """The forest plots (SVG data URI), the table and the method of reports/comparison.csv; empty without it."""
    paths = [Path(p) for p in paths or ()]
    table = next((p for p in paths if p.suffix == ".csv"), None)
    figure = next((p for p in paths if p.suffix == ".svg"), None)
    if table is None or figure is None:
        return {}
    comparison = pd.read_csv(table)
    methods = sorted(set(comparison["method"].dropna()))
    return {"figure": svg_data_uri(figure), "table": html_table(pooled_rows(comparison)), "method": ", ".join(methods)}


def other_reports(names, reports_folder) -> dict[str, dict]:
    """Each dataset of another config with a report in `reports_folder`: its validation.json's summary
    (beside the reports folder, in data/processed/), or an empty one where that file is gone."""
    project = Path(reports_folder).parent
    found = {}
    for name in names:
        validation = project / "data" / "processed" / name / "validation.json"
        found[name] = json.loads(validation.read_text()) if validation.is_file() else {}
    return found


def render_index(
    datasets: Mapping[str, Mapping[str, Path]],
    unfinished: Mapping[str, Mapping] | None = None,
    comparison=(),
    others: Mapping[str, Mapping] | None = None,
) -> str:
    """datasets: name -> paths of its odds_ratios.csv, prevalence.csv, validation.json (the datasets
    compared); unfinished: name -> {state, message} of the datasets of the run without results;
    comparison: the paths of reports/comparison.csv and its forest plots' SVG, when the run pooled;
    others: name -> validation summary of each report of another config (other_reports)."""
    validation = {name: json.loads(Path(paths["validation"]).read_text()) for name, paths in datasets.items()}
    # a condition measured in part of a sample only (bunions at 40+) is not the same estimate elsewhere
    universes = {name: validation[name].get("universes", {}) for name in datasets}
    tables = {
        name: {"odds": pd.read_csv(paths["odds_ratios"]), "prevalence": pd.read_csv(paths["prevalence"])}
        for name, paths in datasets.items()
    }
    labels = {name: validation[name].get("labels", {}) for name in datasets}
    odds = {
        name: display_tables({"odds": t["odds"]}, universes[name], labels=labels[name])["odds"]
        for name, t in tables.items()
    }
    # as each report shows them: percentages with one decimal, odds ratios with two, a suppressed
    # prevalence as the mark
    prevalence_columns = ["condition", "estimate", "ci_low", "ci_high"]
    overall = {
        name: shown(
            "prevalence", t["prevalence"].query("group == 'overall'"), prevalence_columns, universes[name], labels[name]
        )
        for name, t in tables.items()
    }
    odds_columns = ["condition_a", "condition_b", "estimate", "ci_low", "ci_high"]
    adjusted = {
        name: shown("odds_ratios", t["odds"].query("model == 'adjusted'"), odds_columns, universes[name], labels[name])
        for name, t in tables.items()
    }
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("msk_cooccurrence", "resources/templates"), autoescape=True
    )
    return environment.get_template("index.html.j2").render(
        datasets=dataset_rows(validation),
        illustrative_mark=illustrative.INDEX_MARK,
        illustrative_count=sum(bool(v.get("illustrative")) for v in validation.values()),
        unfinished=dict(unfinished or {}),
        others=dict(others or {}),
        prevalence=html_table(shared_estimates(overall, ["Condition"], list(overall_columns(overall)))),
        footnote=presentation.FOOTNOTES[0]
        if any(t.eq(presentation.SUPPRESSED).any(axis=None) for t in overall.values())
        else "",
        odds=html_table(shared_estimates(adjusted, ["Condition A", "Condition B"], list(overall_columns(adjusted, 2)))),
        figure=comparison_uri(odds),
        pooled=pooled_comparison(comparison),
    )
