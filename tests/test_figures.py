"""Figures a reader keeps: one colour per condition everywhere, network labels that never overlap,
the data-quality figure, and labels from the one place (labels.readable)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from helpers import settings_of

from msk_cooccurrence.labels import readable
from msk_cooccurrence.report import figures
from msk_cooccurrence.report.network_figure import network_figure
from msk_cooccurrence.report.presentation import display_table
from msk_cooccurrence.tables.quality import data_quality_table

CONDITIONS = ["knee_oa", "bunions", "obesity", "low_back_pain", "neck_pain", "gout"]


def pairwise_terms(conditions, seed=1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for a, b in itertools.combinations(conditions, 2):
        estimate = rng.normal(0.4, 0.5)
        rows.append(
            {"kind": "coefficient", "term": f"{a}:{b}", "order": 2, "estimate": estimate}
            | {"ci_low": estimate - 0.3, "ci_high": estimate + 0.3}
        )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("k", [3, 4, 5, 6])
def test_network_labels_never_overlap(k):
    settings = settings_of(conditions=CONDITIONS[:k])
    fig = network_figure(pairwise_terms(CONDITIONS[:k]), settings)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [t for t in fig.axes[0].texts if t.get_text()]
    assert len(texts) == k + k * (k - 1) // 2  # every node and every edge labelled
    boxes = [t.get_window_extent(renderer) for t in texts]
    overlapping = [
        (a.get_text(), b.get_text()) for (a, x), (b, y) in itertools.combinations(zip(texts, boxes), 2) if x.overlaps(y)
    ]
    assert overlapping == []
    figures.plt.close(fig)


def test_a_condition_has_one_colour_in_every_figure():
    settings = settings_of()
    colours = figures.condition_colours(settings.conditions)
    assert len(set(colours.values())) == len(settings.conditions)
    # dose-response leaves obesity out; the other conditions keep their prevalence colours
    prevalence = pd.DataFrame(
        {"condition": settings.conditions, "group": "overall", "level": "all", "estimate": 0.2}
        | {"ci_low": 0.1, "ci_high": 0.3, "reliability": "ok"}
    )
    fig = figures.prevalence_figure(prevalence, settings)
    drawn = {line.get_label(): line.get_color() for line in fig.axes[0].get_legend().get_lines()}
    assert drawn == {readable(c): colours[c] for c in settings.conditions}
    dose = pd.DataFrame(
        [
            {"condition": c, "bmi": b, "estimate": 0.2, "ci_low": 0.1, "ci_high": 0.3}
            for c in ("knee_oa", "low_back_pain")
            for b in (20, 30)
        ]
    )
    fig = figures.dose_response_figure(dose, settings)
    lines = {line.get_label(): line.get_color() for line in fig.axes[0].get_lines()}
    assert lines == {readable("knee_oa"): colours["knee_oa"], readable("low_back_pain"): colours["low_back_pain"]}


def test_the_palette_is_okabe_ito():
    # Okabe and Ito, Color Universal Design (2008): distinguishable under the common colour-vision deficiencies
    assert set(figures.OKABE_ITO) == {
        "#E69F00",
        "#56B4E9",
        "#009E73",
        "#F0E442",
        "#0072B2",
        "#D55E00",
        "#CC79A7",
        "#000000",
    }


def test_data_quality_counts_missing_values_and_quarantine_reasons():
    from helpers import analysis_of

    frame = pd.DataFrame(
        {
            "id": ["1", "2", "3", "4"],
            "age": [30.0, 40, 50, 60],
            "sex": ["female", "male", "female", "male"],
            "bmi": [20.0, np.nan, 30, np.nan],
            "weight": 1.0,
            "knee_oa": pd.array([True, None, False, False], "boolean"),
        }
    )
    validation = {"rows_in": 6, "checks": {"age: above 120": 2, "sex: not one of female, male": 1}}
    table = data_quality_table(analysis_of(frame, ["knee_oa"]), validation)
    missing = table[table["kind"] == "missing"].set_index("item")
    assert missing.loc["bmi", "n"] == 2 and missing.loc["bmi", "share"] == 0.5
    assert missing.loc["knee_oa", "n"] == 1 and missing.loc["age", "n"] == 0
    quarantined = table[table["kind"] == "quarantined"]
    assert list(quarantined["item"]) == ["age: above 120", "sex: not one of female, male"]
    assert quarantined["share"].tolist() == [2 / 6, 1 / 6]
    fig = figures.data_quality_figure(table)
    assert [t.get_text() for t in fig.axes[1].get_yticklabels()] == list(quarantined["item"])
    figures.plt.close(fig)


def test_a_table_reads_as_the_report_shows_it():
    prevalence = pd.DataFrame(
        {"condition": ["knee_oa", "bunions"], "group": "overall", "level": "all", "n": [1234, 900]}
        | {"estimate": [0.05252, 0.2], "se": [0.004, 0.01], "ci_low": [0.045, 0.18], "ci_high": [0.061, 0.22]}
        | {"reliability": ["ok", "suppress: effective n under 30"], "note": ""}
    )
    shown = display_table("prevalence", prevalence, {"bunions": "ages 40+"})
    assert list(shown.columns[:6]) == ["Condition", "Group", "Level", "n", "Prevalence (%)", "SE (%)"]
    assert shown.iloc[0].tolist()[:7] == ["Knee osteoarthritis", "Overall", "All", "1,234", "5.3", "0.4", "4.5"]
    assert shown.iloc[1]["Condition"] == "Bunions (hallux valgus), ages 40+"
    assert shown.iloc[1]["Prevalence (%)"] == "*"  # suppressed: the mark, never the number
