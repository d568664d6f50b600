"""Figures drawn from the output tables only (never from row-level data), saved as PNG and SVG."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from ..labels import readable  # noqa: E402
from ..survey.reliability import is_reviewed, is_suppressed  # noqa: E402
from ..survey.universe_cells import NOT_MEASURED  # noqa: E402
from .presentation import ratio_text  # noqa: E402

# fixed ids and no timestamps: the same tables give byte-identical SVG files
matplotlib.rcParams["svg.hashsalt"] = "msk-cooccurrence"
matplotlib.rcParams["svg.fonttype"] = "path"
GROUP_TITLES = {
    "overall": "Overall",
    "age_standardized": "Age-standardized",
    "sex": "Sex",
    "age_band": "Age band",
    "bmi_class": "BMI class",
}
MODEL_MARKERS = {"crude": "o", "adjusted": "s", "mutual": "D"}
MAX_PATTERNS = 40  # bars of the UpSet plot
STAR_LEFT, STAR_STEP, STAR_SIZE = 0.015, 0.025, 7  # a suppressed prevalence's star: axes x, columns apart, points
LINE = 40  # characters a line of a row's or a legend's label holds before it wraps
MIN_FONT = 8  # points: no text of a figure is smaller (the report shows figures at their size, 8 pt = 10.7 px)
PERCENT = matplotlib.ticker.PercentFormatter(1.0, decimals=0)  # proportions read as percentages
# Okabe and Ito's colour-blind-safe palette (yellow last: it is faint on white); a condition keeps its
# colour, by its place in `conditions`, in every figure of every dataset of a run
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000", "#F0E442")


def condition_colours(conditions) -> dict[str, str]:
    """The colour of each condition of the config, the same in every figure."""
    return {c: OKABE_ITO[i % len(OKABE_ITO)] for i, c in enumerate(conditions)}


def odds_ratio_axis(ax, odds: pd.DataFrame | None = None) -> None:
    """A log-scale x axis with plain numbers (0.5, 1, 2); with the odds ratios drawn, ticks within
    the range their intervals span."""
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    if odds is not None:
        ax.set_xticks([t for t in (0.25, 0.5, 1, 2, 4, 8, 16) if _within(odds, t)])


def error_bars(rows: pd.DataFrame) -> np.ndarray:
    """Distances from each estimate to its CI bounds, for errorbar(): 0 where a bound is missing or
    rounding puts it a hair on the wrong side of the estimate."""
    err = np.vstack([rows["estimate"] - rows["ci_low"], rows["ci_high"] - rows["estimate"]]).astype(float)
    return np.clip(np.nan_to_num(err), 0, None)


def label(name: str, settings=None) -> str:
    """A column name as a reader sees it: knee_oa -> Knee osteoarthritis; a declared variable by the
    label the settings give it."""
    return settings.label(name) if hasattr(settings, "label") else readable(name)


def pair_label(a: str, b: str) -> str:
    """A pair as a row of a figure names it, in lines of at most LINE characters: a long label
    (a dataset's own) wraps instead of widening the figure beyond the report's column."""
    return textwrap.fill(f"{label(a)} & {label(b)}", LINE)


def message_figure(message: str):
    """A figure that says why there is nothing to draw (an empty table), instead of failing."""
    fig, ax = plt.subplots(figsize=(6, 1.5))
    ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True, fontsize=10)
    ax.axis("off")
    return fig


def save_figure(fig, png: Path | str, svg: Path | str) -> None:
    """Write the figure as PNG and SVG without timestamps, cropped to what is drawn, then close it.

    The crop (bbox_inches="tight" with its 0.1 inch pad) is found once and given to both files:
    "tight" draws the figure an extra time for each file, most of the time saving takes.
    """
    crop = fig.get_tightbbox(fig.canvas.get_renderer()).padded(matplotlib.rcParams["savefig.pad_inches"])
    fig.savefig(png, format="png", dpi=150, bbox_inches=crop, metadata={"Software": None})
    fig.savefig(svg, format="svg", bbox_inches=crop, metadata={"Date": None, "Creator": None})
    plt.close(fig)


def prevalence_figure(prevalence: pd.DataFrame, settings):
    """Point estimates with 95% CIs, one panel per grouping, one colour per condition.

    An estimate the NCHS standards suppress is not drawn: a * stands at the left edge of its row;
    one flagged for review is drawn with an open marker.
    """
    sns.set_theme(style="whitegrid", context="paper")
    table = prevalence
    verdicts = table["reliability"] if "reliability" in table else pd.Series("", index=table.index)
    suppressed = verdicts.map(is_suppressed).astype(bool)
    unmeasured = verdicts.eq(NOT_MEASURED)  # outside the condition's universe: said in words, not a *
    # an estimate without an interval (0 or 1 on the logit scale) is not drawn
    table = table[np.isfinite(table["ci_low"]) | suppressed | unmeasured].assign(
        suppressed=suppressed, reviewed=verdicts.map(is_reviewed).astype(bool), unmeasured=unmeasured
    )
    present = [g for g in dict.fromkeys(table["group"]) if isinstance(g, str)]
    order = ("overall", "age_standardized", *getattr(settings, "groupings", ()), *present)
    groups = [g for g in dict.fromkeys(order) if g in present]
    if not groups:
        return message_figure("No prevalence could be estimated (see the notes in prevalence.csv).")
    conditions = list(dict.fromkeys(table["condition"]))
    palette = condition_colours(settings.conditions)
    heights = [max(1, table.loc[table["group"] == g, "level"].nunique()) for g in groups]
    fig, axes = plt.subplots(
        len(groups),
        1,
        figsize=(7, 1.2 + 0.55 * sum(heights)),
        sharex=True,
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
    )
    offsets = np.linspace(-0.25, 0.25, len(conditions)) if len(conditions) > 1 else [0.0]
    for ax, group in zip(axes[:, 0], groups):
        part = table[table["group"] == group]
        levels = list(dict.fromkeys(part["level"]))
        for offset, condition in zip(offsets, conditions):
            chosen = part[part["condition"] == condition]
            for rows, face in (
                (chosen[~chosen.suppressed & ~chosen.reviewed], None),
                (chosen[chosen.reviewed], "white"),
            ):
                if rows.empty:
                    continue
                y = np.array([levels.index(v) for v in rows["level"]]) + offset
                ax.errorbar(
                    rows["estimate"],
                    y,
                    xerr=error_bars(rows),
                    fmt="o",
                    ms=4,
                    capsize=2,
                    color=palette[condition],
                    mfc=face or palette[condition],
                )
            x = STAR_LEFT + STAR_STEP * conditions.index(condition)  # each condition's column of marks
            for level in chosen.loc[chosen.unmeasured, "level"]:  # outside the universe: not measured, not hidden
                ax.text(
                    x,
                    levels.index(level) + offset,
                    "not measured",
                    transform=ax.get_yaxis_transform(),
                    color=palette[condition],
                    va="center",
                    fontsize=MIN_FONT,
                    gid="not_measured",
                )
            hidden = [levels.index(level) + offset for level in chosen.loc[chosen.suppressed, "level"]]
            if hidden:  # a star per condition, each condition in a column of its own: stars never stack
                ax.plot(
                    np.full(len(hidden), x),
                    hidden,
                    ls="none",
                    marker="*",
                    ms=STAR_SIZE,
                    color=palette[condition],
                    transform=ax.get_yaxis_transform(),
                    gid="suppressed",
                )
        ax.set_yticks(range(len(levels)), [label(v) for v in levels])
        ax.set_ylim(len(levels) - 0.5, -0.5)  # top to bottom, with room for every condition's offset
        ax.set_ylabel(GROUP_TITLES.get(group) or label(group, settings))
    axes[-1, 0].set_xlabel("Weighted prevalence (95% CI)")
    axes[-1, 0].xaxis.set_major_formatter(PERCENT)
    # a long label (a dataset's own: "Knee OA (proxy: ...)") wraps, so the figure fits the report's column
    legend = [
        Line2D([], [], marker="o", ms=4, color=palette[c], label=textwrap.fill(label(c), LINE)) for c in conditions
    ]
    axes[0, 0].legend(handles=legend, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    if table["suppressed"].any() or table["reviewed"].any():
        fig.text(
            0.01,
            0.0,
            "star at the left, in the condition's colour: suppressed (NCHS standards for proportions); "
            "open marker: flagged for review",
            fontsize=MIN_FONT,
            va="top",
        )
    return fig


def upset_figure(patterns: pd.DataFrame, settings):
    """UpSet plot: the weighted share of each pattern (with CI) above the pattern's membership.

    At most MAX_PATTERNS bars, the commonest, so that many conditions still make a readable figure.
    """
    sns.set_theme(style="whitegrid", context="paper")
    present = [c for c in settings.conditions if c in patterns]
    data = patterns[np.isfinite(patterns["estimate"].astype(float))].reset_index(drop=True)
    if data.empty or not present:
        return message_figure("No co-occurrence pattern could be estimated (see the notes in patterns.csv).")
    if len(data) > MAX_PATTERNS:
        kept = data["estimate"].astype(float).nlargest(MAX_PATTERNS, keep="first").index
        data = data.loc[sorted(kept)].reset_index(drop=True)
    x = np.arange(len(data))
    fig, (top, bottom) = plt.subplots(
        2,
        1,
        figsize=(max(6, 0.45 * len(data) + 2), 5.5),
        sharex=True,
        gridspec_kw={"height_ratios": [3, 0.35 * len(present) + 0.3]},
    )
    # a share the NCHS standards suppress is not drawn (its bar over the expected tick would give it back)
    hidden = data["reliability"].map(is_suppressed).to_numpy(bool) if "reliability" in data else np.zeros(len(x), bool)
    drawn = data.assign(**{c: data[c].where(~hidden) for c in ("estimate", "ci_low", "ci_high")})
    top.bar(x, drawn["estimate"].fillna(0.0), color="#4c72b0", width=0.7)
    top.errorbar(x, drawn["estimate"], yerr=error_bars(drawn), fmt="none", ecolor="black", capsize=2, lw=0.8)
    for i in x[hidden]:
        top.text(i, 0, "*", ha="center", va="bottom", fontsize=12)
    if hidden.any():
        top.annotate(
            "* suppressed (NCHS standards for proportions)", (0, -0.02), xycoords="axes fraction", fontsize=7, va="top"
        )
    top.scatter(x, data["expected"], marker="_", s=180, color="#dd8452", zorder=3, label="expected if independent")
    top.set_ylabel("Weighted share of adults (95% CI)")
    top.yaxis.set_major_formatter(PERCENT)
    top.legend(frameon=False)
    colours = condition_colours(settings.conditions)
    for j, condition in enumerate(present):
        member = data[condition].astype(bool).to_numpy()
        bottom.scatter(x, np.full(len(x), j), s=40, color=np.where(member, colours[condition], "#d0d0d0"))
    for i in x:
        rows = [j for j, c in enumerate(present) if bool(data.loc[i, c])]
        if len(rows) > 1:
            bottom.plot([i, i], [min(rows), max(rows)], color="black", lw=1.5)
    bottom.set_yticks(range(len(present)), [label(c) for c in present])
    bottom.set_ylim(len(present) - 0.5, -0.5)
    bottom.set_xticks([])
    bottom.grid(False)
    if len(data) < len(patterns):
        top.set_title(f"The {len(data)} commonest of {len(patterns)} patterns", fontsize=9)
    return fig


def forest_figure(odds_ratios: pd.DataFrame):
    """Odds ratios with 95% CIs per pair and model, on a log scale, with each row's OR (95% CI) as
    text in a column at the right (as the odds-ratio table writes it, presentation.ratio_text)."""
    sns.set_theme(style="whitegrid", context="paper")
    odds = odds_ratios
    pairs = list(dict.fromkeys(zip(odds["condition_a"], odds["condition_b"])))
    fig, ax = plt.subplots(figsize=(7, 0.9 * len(pairs) + 1.2))
    palette = dict(zip(MODEL_MARKERS, sns.color_palette("colorblind", 3)))
    for k, (model, marker) in enumerate(MODEL_MARKERS.items()):
        chosen = odds[odds["model"] == model]
        rows = chosen[np.isfinite(chosen["estimate"])]
        y = np.array([pairs.index(p) for p in zip(rows["condition_a"], rows["condition_b"])]) + (k - 1) * 0.22
        ax.errorbar(
            rows["estimate"],
            y,
            xerr=error_bars(rows),
            fmt=marker,
            ms=4,
            capsize=2,
            color=palette[model],
            label=label(model),
        )
        for r in chosen.itertuples():
            words = ratio_text(r.estimate, r.ci_low, r.ci_high).replace("n/a", "not estimable")
            row_y = pairs.index((r.condition_a, r.condition_b)) + (k - 1) * 0.22
            ax.text(
                1.03,
                row_y,
                words,
                transform=ax.get_yaxis_transform(),
                va="center",
                fontsize=MIN_FONT,
                color=palette[model],
                gid="forest-number",
            )
    ax.text(
        1.03,
        -0.6,
        "OR (95% CI)",
        transform=ax.get_yaxis_transform(),
        va="bottom",
        fontsize=MIN_FONT + 1,
        fontweight="bold",
    )
    ax.axvline(1, color="grey", lw=1, ls="--")
    odds_ratio_axis(ax, odds)
    ax.set_yticks(range(len(pairs)), [pair_label(a, b) for a, b in pairs])
    ax.set_ylim(len(pairs) - 0.5, -0.5)  # top to bottom
    ax.set_xlabel("Odds ratio (95% CI, log scale)")
    ax.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3)
    return fig


def _within(odds: pd.DataFrame, tick: float) -> bool:
    """Whether a tick falls inside the range the intervals span (keeps the axis readable)."""
    low = np.nanmin(odds["ci_low"].to_numpy(float), initial=1.0)
    high = np.nanmax(odds["ci_high"].to_numpy(float), initial=1.0)
    return low / 1.5 <= tick <= high * 1.5


def odds_ratio_colour_bar(colour_bar, limit: float) -> None:
    """A colour bar of log odds ratios (-limit to limit) labelled in odds ratios at powers of two
    (0.25, 0.5, 1, 2, 4): a reader of the cells' odds ratios reads the bar in the same units."""
    powers = np.arange(-np.floor(limit / np.log(2)), np.floor(limit / np.log(2)) + 1)
    ticks = np.log(2.0**powers)
    colour_bar.set_ticks(ticks, labels=[f"{2.0**p:g}" for p in powers])
    colour_bar.ax.minorticks_off()


def heatmap_figure(odds_ratios: pd.DataFrame, settings, model: str = "adjusted"):
    """Adjusted odds ratio of every pair, coloured on the log scale (blue below 1, red above); the
    colour bar reads in odds ratios, as the cells do, at log-spaced ticks."""
    sns.set_theme(style="white", context="paper")
    odds = odds_ratios
    present = [c for c in settings.conditions if c in set(odds["condition_a"]) | set(odds["condition_b"])]
    if len(present) < 2:
        return message_figure("Fewer than two conditions: no odds ratios to show.")
    matrix = pd.DataFrame(np.nan, index=present, columns=present)
    for row in odds[odds["model"] == model].itertuples():
        matrix.loc[row.condition_a, row.condition_b] = matrix.loc[row.condition_b, row.condition_a] = row.estimate
    log_or = np.log(matrix.astype(float))
    limit = max(np.log(2), float(np.nanmax(np.abs(log_or.to_numpy()))) if np.isfinite(log_or.to_numpy()).any() else 1)
    fig, ax = plt.subplots(figsize=(1.3 * len(present) + 1.5, 1.1 * len(present) + 0.8))
    annotations = matrix.map(lambda v: "" if np.isnan(v) else f"{v:.2f}")
    sns.heatmap(
        log_or,
        ax=ax,
        cmap="RdBu_r",
        vmin=-limit,
        vmax=limit,
        annot=annotations,
        fmt="",
        cbar_kws={"label": f"Odds ratio, {model} (log scale)"},
        square=True,
        linewidths=0.5,
    )
    odds_ratio_colour_bar(ax.collections[0].colorbar, limit)
    ticks = [label(c) for c in present]
    ax.set_xticks(np.arange(len(present)) + 0.5, ticks, rotation=30, ha="right")
    ax.set_yticks(np.arange(len(present)) + 0.5, ticks, rotation=0)
    return fig


def data_quality_figure(data_quality: pd.DataFrame, settings=None):
    """Missing values per column (share of the analysis rows) beside the quarantine's reasons (rows)."""
    sns.set_theme(style="whitegrid", context="paper")
    missing = data_quality[data_quality["kind"] == "missing"]
    quarantined = data_quality[data_quality["kind"] == "quarantined"].head(12)
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(10, 0.32 * max(len(missing), len(quarantined), 4) + 1.6), gridspec_kw={"width_ratios": [1, 1.3]}
    )
    y = np.arange(len(missing))
    left.barh(y, 100 * missing["share"].astype(float), color="#0072B2")
    for yi, (n, share) in enumerate(zip(missing["n"], missing["share"])):
        left.text(100 * float(share), yi, f" {100 * float(share):.1f}% ({int(n):,})", va="center", fontsize=MIN_FONT)
    left.set_yticks(y, [label(c, settings) for c in missing["item"]])
    left.set_ylim(len(missing) - 0.5, -0.5)
    rows = int(missing["rows"].iloc[0]) if len(missing) else 0
    left.set_xlabel(f"Unknown among the {rows:,} rows analysed (%)")
    left.set_xlim(0, max(10.0, 100 * float(missing["share"].max() or 0) * 1.35) if len(missing) else 10)
    left.set_title("Missing values", loc="left", fontsize=10)
    if len(quarantined):
        y = np.arange(len(quarantined))
        right.barh(y, quarantined["n"].astype(float), color="#D55E00")
        right.set_yticks(y, list(quarantined["item"]))
        right.set_ylim(len(quarantined) - 0.5, -0.5)
        read = int(quarantined["rows"].iloc[0])
        right.set_xlabel(f"Rows quarantined, of {read:,} read (a row may fail several checks)")
        right.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    else:
        right.text(0.5, 0.5, "No row failed validation", ha="center", va="center", transform=right.transAxes)
        right.set_xticks([])
        right.set_yticks([])
    right.set_title("Quarantine reasons", loc="left", fontsize=10)
    fig.tight_layout()
    return fig


def dose_response_figure(dose_response: pd.DataFrame, settings):
    """Adjusted probability of each condition across BMI with its 95% confidence band."""
    sns.set_theme(style="whitegrid", context="paper")
    dose = dose_response[np.isfinite(dose_response["estimate"].astype(float))]
    conditions = list(dict.fromkeys(dose["condition"]))
    palette = condition_colours(settings.conditions)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for condition in conditions:
        part = dose[dose["condition"] == condition]
        ax.plot(part["bmi"], part["estimate"], color=palette[condition], label=label(condition))
        ax.fill_between(part["bmi"], part["ci_low"], part["ci_high"], color=palette[condition], alpha=0.2, lw=0)
    ax.set_xlabel("BMI (kg/m²)")
    ax.set_ylabel("Adjusted probability (predictive margin, 95% CI)")
    ax.yaxis.set_major_formatter(PERCENT)
    if conditions:
        ax.legend(frameon=False)
    return fig


def comparison_figure(odds_by_dataset: dict[str, pd.DataFrame], model: str = "adjusted"):
    """The same odds ratios across datasets: one row per pair, one colour per dataset."""
    sns.set_theme(style="whitegrid", context="paper")
    frames = [t[t["model"] == model].assign(dataset=name) for name, t in odds_by_dataset.items()]
    odds = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    odds = odds[np.isfinite(odds["estimate"].astype(float))] if len(odds) else odds
    pairs = list(dict.fromkeys(zip(odds["condition_a"], odds["condition_b"]))) if len(odds) else []
    names = list(odds_by_dataset)
    palette = dict(zip(names, sns.color_palette("colorblind", max(len(names), 1))))
    fig, ax = plt.subplots(figsize=(7, 0.6 * max(len(pairs), 1) * max(1, len(names) / 2) + 1.5))
    offsets = np.linspace(-0.3, 0.3, len(names)) if len(names) > 1 else [0.0]
    for offset, name in zip(offsets, names):
        rows = odds[odds["dataset"] == name] if len(odds) else odds
        if not len(rows):
            continue
        y = np.array([pairs.index(p) for p in zip(rows["condition_a"], rows["condition_b"])]) + offset
        ax.errorbar(
            rows["estimate"], y, xerr=error_bars(rows), fmt="o", ms=4, capsize=2, color=palette[name], label=name
        )
    ax.axvline(1, color="grey", lw=1, ls="--")
    odds_ratio_axis(ax)
    ax.set_yticks(range(len(pairs)), [pair_label(a, b) for a, b in pairs])
    ax.invert_yaxis()
    ax.set_xlabel(f"Odds ratio, {model} (95% CI, log scale)")
    if names:
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1), title="dataset")
    return fig
