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

from . import figures as fig
from . import presentation
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


def svg_uri(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    fig.plt.close(figure)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def render_index(datasets: Mapping[str, Mapping[str, Path]]) -> str:
    """datasets: name -> paths of its odds_ratios.csv, prevalence.csv, validation.json."""
    validation = {name: json.loads(Path(paths["validation"]).read_text()) for name, paths in datasets.items()}
    # a condition measured in part of a sample only (bunions at 40+) is not the same estimate elsewhere
    shown = {
        name: display_tables(
            {"odds": pd.read_csv(paths["odds_ratios"]), "prevalence": pd.read_csv(paths["prevalence"])},
            validation[name].get("universes", {}),
        )
        for name, paths in datasets.items()
    }
    odds = {name: tables["odds"] for name, tables in shown.items()}
    prevalence = {name: tables["prevalence"] for name, tables in shown.items()}
    # a suppressed prevalence is shown as the mark, here as in each report
    overall = {
        n: presentation.masked(t[t["group"] == "overall"], ("estimate", "ci_low", "ci_high")).replace("", np.nan)
        for n, t in prevalence.items()
    }
    adjusted = {n: t[t["model"] == "adjusted"] for n, t in odds.items()}
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("msk_cooccurrence", "resources/templates"), autoescape=True
    )
    return environment.get_template("index.html.j2").render(
        datasets=validation,
        prevalence=html_table(shared_estimates(overall, ["condition"], ["estimate", "ci_low", "ci_high"])),
        footnote=presentation.FOOTNOTES[0] if any(presentation.has_marks(t) for t in overall.values()) else "",
        odds=html_table(shared_estimates(adjusted, ["condition_a", "condition_b"], ["estimate", "ci_low", "ci_high"])),
        figure=svg_uri(fig.comparison_figure(odds)),
    )
