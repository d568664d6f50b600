"""reports/index.html: every dataset of the run, and the estimates they share side by side."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Mapping
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

from . import illustrative, presentation
from .dataset_text import display_tables
from .report import html_table


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


def shown(name: str, table: pd.DataFrame, columns: list[str], universes: Mapping[str, str]) -> pd.DataFrame:
    """Rows of a table as each report shows them (labels, percentages, odds ratios, marks); blank is missing."""
    keep = [c for c in [*columns, "reliability"] if c in table]
    return presentation.display_table(name, table[keep], universes).iloc[:, : len(columns)].replace("", np.nan)


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


def render_index(datasets: Mapping[str, Mapping[str, Path]], unfinished: Mapping[str, Mapping] | None = None) -> str:
    """datasets: name -> paths of its odds_ratios.csv, prevalence.csv, validation.json (the datasets
    compared); unfinished: name -> {state, message} of the datasets of the run without results."""
    validation = {name: json.loads(Path(paths["validation"]).read_text()) for name, paths in datasets.items()}
    # a condition measured in part of a sample only (bunions at 40+) is not the same estimate elsewhere
    universes = {name: validation[name].get("universes", {}) for name in datasets}
    tables = {
        name: {"odds": pd.read_csv(paths["odds_ratios"]), "prevalence": pd.read_csv(paths["prevalence"])}
        for name, paths in datasets.items()
    }
    odds = {name: display_tables({"odds": t["odds"]}, universes[name])["odds"] for name, t in tables.items()}
    # as each report shows them: percentages with one decimal, odds ratios with two, a suppressed
    # prevalence as the mark
    prevalence_columns = ["condition", "estimate", "ci_low", "ci_high"]
    overall = {
        name: shown("prevalence", t["prevalence"].query("group == 'overall'"), prevalence_columns, universes[name])
        for name, t in tables.items()
    }
    odds_columns = ["condition_a", "condition_b", "estimate", "ci_low", "ci_high"]
    adjusted = {
        name: shown("odds_ratios", t["odds"].query("model == 'adjusted'"), odds_columns, universes[name])
        for name, t in tables.items()
    }
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("msk_cooccurrence", "resources/templates"), autoescape=True
    )
    return environment.get_template("index.html.j2").render(
        datasets=validation,
        illustrative_mark=illustrative.INDEX_MARK,
        illustrative_count=sum(bool(v.get("illustrative")) for v in validation.values()),
        unfinished=dict(unfinished or {}),
        prevalence=html_table(shared_estimates(overall, ["Condition"], list(overall_columns(overall)))),
        footnote=presentation.FOOTNOTES[0]
        if any(t.eq(presentation.SUPPRESSED).any(axis=None) for t in overall.values())
        else "",
        odds=html_table(shared_estimates(adjusted, ["Condition A", "Condition B"], list(overall_columns(adjusted, 2)))),
        figure=comparison_uri(odds),
    )
