"""The forest plot of odds ratios by subgroup (subgroups.csv): beside figures.py, which holds the
figures of the other tables and the helpers this one shares."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .figures import MIN_FONT, error_bars, label, message_figure, odds_ratio_axis, pair_label, plt, sns
from .presentation import p_value_text


def subgroup_figure(subgroups: pd.DataFrame, settings=None):
    """Each pair's adjusted odds ratio in each level of each subgroup variable (95% CI, log scale),
    one row per level under its pair, with the interaction test's p-value in the pair's label."""
    rows = subgroups[np.isfinite(subgroups["estimate"].astype(float))] if len(subgroups) else subgroups
    if rows.empty:
        return message_figure("No subgroup odds ratios: list variables under `subgroups:` in the config.")
    sns.set_theme(style="whitegrid", context="paper")
    blocks = list(dict.fromkeys(zip(rows["condition_a"], rows["condition_b"], rows["subgroup"])))
    levels = list(dict.fromkeys(rows["level"]))
    palette = dict(zip(levels, sns.color_palette("colorblind", len(levels))))
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(rows) + 0.5 * len(blocks) + 1.2))
    y, ticks, names = 0.0, [], []
    for a, b, subgroup in blocks:
        block = rows[(rows["condition_a"] == a) & (rows["condition_b"] == b) & (rows["subgroup"] == subgroup)]
        p = p_value_text(block["interaction_p"].iloc[0]) or "not computed"
        ticks.append(y)
        names.append(f"{pair_label(a, b)}\nby {label(subgroup, settings)}: interaction p {p}")
        for level, row in zip(block["level"], block.itertuples()):
            y += 1
            ax.errorbar(
                [row.estimate],
                [y],
                xerr=error_bars(block[block["level"] == level]),
                fmt="s",
                ms=4,
                capsize=2,
                color=palette[level],
                label=label(level),
            )
        y += 1
    ax.axvline(1, color="grey", lw=1, ls="--")
    odds_ratio_axis(ax, rows)
    ax.set_yticks(ticks, names, fontsize=MIN_FONT)
    ax.invert_yaxis()
    ax.set_xlabel("Adjusted odds ratio within the level (95% CI, log scale)")
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    ax.legend(unique.values(), unique.keys(), frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    return fig
