"""What a reader reads in the figures, read back from the SVG files and the drawn figures: no text
under figures.MIN_FONT, no figure wider than the report's column (so none is shrunk), the forest
plot's numbers equal odds_ratios.csv's, the heatmap's colour bar in odds ratios, network labels
inside their circles and clear of each other, suppression stars apart."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import PROJECT
from helpers import run_stages, settings_of

from msk_cooccurrence import outputs
from msk_cooccurrence.config import validate_config
from msk_cooccurrence.report import figures
from msk_cooccurrence.report.network_figure import network_figure
from msk_cooccurrence.report.presentation import ratio_text

REPORT_COLUMN_PT = 800  # the report's body: 1,100 px less its padding, at 96 px to 72 pt
# matplotlib writes each line of text (svg.fonttype "path") as a comment with the line, then a group
# of glyphs scaled by the font size / 100
SVG_TEXT = re.compile(r"<!-- (.*?) -->\s*<g [^>]*transform=\"[^\"]*scale\(([0-9.]+) -[0-9.]+\)\"", re.DOTALL)


def svg_texts(path) -> list[tuple[str, float]]:
    """(line of text, font size in points) of every text an SVG figure holds."""
    return [(text, 100 * float(scale)) for text, scale in SVG_TEXT.findall(path.read_text())]


def svg_width_pt(path) -> float:
    return float(re.search(r'<svg [^>]*width="([0-9.]+)pt"', path.read_text()).group(1))


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A synthetic dataset's tables and every figure, as the workflow's stages make them, with a long label."""
    folder = tmp_path_factory.mktemp("figures")
    config = yaml.safe_load((PROJECT / "config" / "config.yaml").read_text())
    # the longest label a shipped example gives (with a colon, which the network's terms hold too)
    labels = {"knee_oa": "Knee OA (proxy: doctor-told osteoarthritis with knee pain)"}
    config["datasets"] = {"synthetic": {"source": "synthetic", "n": 1500, "seed": 4, "labels": labels}}
    config["sensitivity"] = {"multiple_imputation": False}
    config["literature"] = str(PROJECT / "config" / "literature.csv")
    config["subgroups"] = ["sex"]
    run_stages(validate_config(config), "synthetic", folder, tables=True, figures=True)
    return folder


def test_svg_reading_finds_the_texts(run):
    texts = dict(svg_texts(run / "figures" / "forest.svg"))
    assert texts["OR (95% CI)"] == pytest.approx(figures.MIN_FONT + 1)


@pytest.mark.parametrize("name", list(outputs.figures()))
def test_no_text_is_smaller_than_the_minimum_and_no_figure_is_shrunk(run, name):
    path = run / "figures" / f"{name}.svg"
    texts = svg_texts(path)
    assert texts, f"{name}: no text found"
    small = [(text, size) for text, size in texts if size < figures.MIN_FONT - 1e-9]
    assert small == []
    assert svg_width_pt(path) <= REPORT_COLUMN_PT


def test_the_forest_plots_numbers_are_the_csvs(run):
    odds = pd.read_csv(run / "odds_ratios.csv")
    expected = [
        ratio_text(r.estimate, r.ci_low, r.ci_high)
        for model in figures.MODEL_MARKERS
        for r in odds[odds["model"] == model].itertuples()
    ]
    drawn = [text for text, _ in svg_texts(run / "figures" / "forest.svg") if re.fullmatch(r"\d+\.\d\d \(.*\)", text)]
    assert sorted(drawn) == sorted(expected) and len(drawn) == len(odds)


def test_the_heatmaps_colour_bar_reads_in_odds_ratios(run):
    settings = settings_of()
    odds = pd.read_csv(run / "odds_ratios.csv")
    fig = figures.heatmap_figure(odds, settings)
    bar = fig.axes[0].collections[0].colorbar
    labels = [float(t.get_text()) for t in bar.ax.get_yticklabels()]
    positions = bar.get_ticks()
    assert 1.0 in labels and len(labels) >= 3
    np.testing.assert_allclose(np.exp(positions), labels)  # each tick's label is the OR its colour stands for
    assert "Odds ratio" in bar.ax.get_ylabel()
    figures.plt.close(fig)
    svg = [text for text, _ in svg_texts(run / "figures" / "heatmap.svg")]
    assert {"0.5", "1", "2"} <= set(svg)


LONG = {"bunions": "ages 40+"}  # the longest label the project writes: "Bunions (hallux valgus), ages 40+"


@pytest.mark.parametrize("k", [3, 4, 5, 6])
def test_network_labels_stay_in_their_circles_and_clear_of_every_other(k):
    from test_figures import CONDITIONS, pairwise_terms

    from msk_cooccurrence.report.dataset_text import display_name

    conditions = CONDITIONS[:k]
    settings = settings_of(conditions=conditions)
    shown = settings.__class__(**{**settings.__dict__, "conditions": tuple(display_name(c, LONG) for c in conditions)})
    terms = pairwise_terms(conditions).assign(
        term=lambda d: d["term"].map(lambda t: ":".join(display_name(c, LONG) for c in t.split(":")))
    )
    fig = network_figure(terms, shown)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    circles = list(ax.patches)
    nodes = [t for t in ax.texts if t.get_bbox_patch() is None]
    edges = [t for t in ax.texts if t.get_bbox_patch() is not None]
    assert len(circles) == len(nodes) == k and len(edges) == k * (k - 1) // 2
    for text, circle in zip(nodes, circles):
        centre = ax.transData.transform(circle.center)
        radius = ax.transData.transform((circle.radius, 0))[0] - ax.transData.transform((0, 0))[0]
        box = text.get_window_extent(renderer)
        corners = np.array([(box.x0, box.y0), (box.x0, box.y1), (box.x1, box.y0), (box.x1, box.y1)])
        assert np.hypot(*(corners - centre).T).max() <= radius, text.get_text()
    boxes = [c.get_window_extent(renderer) for c in circles] + [
        e.get_bbox_patch().get_window_extent(renderer) for e in edges
    ]
    overlapping = [(i, j) for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2) if a.overlaps(b)]
    circle_pairs = [(i, j) for i, j in overlapping if i < k and j < k]
    assert circle_pairs == [] and overlapping == []
    assert min(t.get_fontsize() for t in ax.texts) >= figures.MIN_FONT
    figures.plt.close(fig)


def test_suppression_stars_never_stack():
    settings = settings_of()
    rows = [
        {"condition": c, "group": "overall", "level": "all", "estimate": 0.01, "ci_low": 0.0, "ci_high": 0.2}
        | {"reliability": "suppress: effective n under 30"}
        for c in settings.conditions
    ]
    fig = figures.prevalence_figure(pd.DataFrame(rows), settings)
    fig.canvas.draw()
    ax = fig.axes[0]
    stars = [line for line in ax.get_lines() if line.get_marker() == "*"]
    assert len(stars) == len(settings.conditions)
    centres = np.vstack([line.get_transform().transform(line.get_xydata()) for line in stars])
    size = figures.STAR_SIZE * fig.dpi / 72  # a star's width in pixels
    distances = [np.hypot(*(a - b)) for a, b in itertools.combinations(centres, 2)]
    assert min(distances) >= size
    figures.plt.close(fig)
