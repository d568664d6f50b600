"""The forest plots of reports/index.html: each pair's odds ratio in every dataset and pooled across them.

One panel per pair of conditions, under one model (adjusted by default): a row per dataset (its odds
ratio with the 95% CI its own report gives) and the random-effects pooled odds ratio of
reports/comparison.csv as a diamond spanning its 95% CI, with tau2 and I2; the numbers are printed
beside each row. Drawn from the tables only, as figures.py's figures are.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..labels import readable
from .figures import error_bars, message_figure, odds_ratio_axis, plt, sns

DIAMOND_HALF_HEIGHT = 0.3


def ratio_text(estimate: float, low: float, high: float) -> str:
    """An odds ratio and its interval as the forest plot's column of numbers prints it."""
    if not np.isfinite(estimate):
        return "not estimated"
    return f"{estimate:.2f} ({low:.2f} to {high:.2f})"


def dataset_rows(odds_by_dataset: Mapping[str, pd.DataFrame], pair: tuple, model: str) -> pd.DataFrame:
    """The pair's odds ratio under `model` in each dataset that has the pair (NaN where not estimated)."""
    rows = []
    for name, odds in odds_by_dataset.items():
        hit = odds[(odds["condition_a"] == pair[0]) & (odds["condition_b"] == pair[1]) & (odds["model"] == model)]
        if len(hit):
            rows.append(hit.iloc[0][["estimate", "ci_low", "ci_high"]].astype(float).to_dict() | {"dataset": name})
    return pd.DataFrame(rows, columns=["dataset", "estimate", "ci_low", "ci_high"])


def draw_pair(ax, rows: pd.DataFrame, pooled: pd.Series) -> None:
    """One pair's panel: a square and its CI per dataset, the pooled diamond below them, numbers at right."""
    y = np.arange(len(rows))
    shown = rows[np.isfinite(rows["estimate"])]
    ax.errorbar(
        shown["estimate"],
        y[np.isfinite(rows["estimate"])],
        xerr=error_bars(shown),
        fmt="s",
        ms=5,
        capsize=2,
        color="#0072B2",
    )
    labels = list(rows["dataset"])
    texts = [ratio_text(*r) for r in rows[["estimate", "ci_low", "ci_high"]].itertuples(index=False)]
    bottom = len(rows)
    if np.isfinite(pooled["estimate"]):
        xs = [pooled["ci_low"], pooled["estimate"], pooled["ci_high"], pooled["estimate"]]
        ys = [bottom, bottom - DIAMOND_HALF_HEIGHT, bottom, bottom + DIAMOND_HALF_HEIGHT]
        ax.fill(xs, ys, color="#D55E00")
        labels.append(f"Pooled ({pooled['method']})")
        texts.append(ratio_text(pooled["estimate"], pooled["ci_low"], pooled["ci_high"]))
        heterogeneity = f"tau² = {pooled['tau2']:.3g}, I² = {pooled['i2']:.0f}%, Q p = {pooled['q_p_value']:.2g}"
        ax.set_title(heterogeneity, fontsize=8, loc="right")
    else:
        labels.append("Not pooled")
        texts.append(str(pooled["note"]))
    ax.axvline(1, color="grey", lw=1, ls="--")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(len(labels) - 0.4, -0.6)
    for row, text in enumerate(texts):
        ax.annotate(text, (1.02, row), xycoords=("axes fraction", "data"), va="center", fontsize=8)


def pooled_forest_figure(comparison: pd.DataFrame, odds_ratios: Mapping[str, pd.DataFrame], model: str = "adjusted"):
    """comparison: reports/comparison.csv; odds_ratios: dataset name -> its odds_ratios.csv."""
    sns.set_theme(style="whitegrid", context="paper")
    pooled = comparison[comparison["model"] == model].reset_index(drop=True)
    if not len(pooled):
        return message_figure(f"No pair of conditions has a {model} odds ratio in any dataset.")
    panels = [dataset_rows(odds_ratios, (r.condition_a, r.condition_b), model) for r in pooled.itertuples()]
    heights = [len(rows) + 1.6 for rows in panels]
    fig, axes = plt.subplots(
        len(panels),
        1,
        figsize=(7.5, 0.32 * sum(heights) + 0.6),
        gridspec_kw={"height_ratios": heights},
        sharex=True,
        squeeze=False,
    )
    everything = pd.concat([pooled[["ci_low", "ci_high"]], *[p[["ci_low", "ci_high"]] for p in panels]])
    for ax, rows, (_, row) in zip(axes[:, 0], panels, pooled.iterrows()):
        draw_pair(ax, rows, row)
        ax.set_title(f"{readable(row['condition_a'])} and {readable(row['condition_b'])}", fontsize=9, loc="left")
    odds_ratio_axis(axes[-1, 0], everything)
    axes[-1, 0].set_xlabel(f"Odds ratio, {model} (95% CI, log scale)")
    fig.tight_layout()
    return fig
