"""The report and figures never show a suppressed proportion as a number; Table 1 reads as gtsummary's."""

from __future__ import annotations

import json
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection

from msk_cooccurrence.report import figures, presentation
from msk_cooccurrence.report.document import key_findings, standardized_comparison

SUPPRESSED_VALUE = 0.0123456


def prevalence_rows() -> pd.DataFrame:
    rows = [
        ("a", "overall", "all", 0.2, 0.18, 0.22, "ok"),
        ("b", "overall", "all", SUPPRESSED_VALUE, 0.001, 0.09, "suppress: relative CI width > 130%"),
        ("a", "sex", "female", 0.3, 0.25, 0.35, "review: df < 8"),
        ("b", "sex", "female", 0.0, np.nan, np.nan, "review: 0% or 100%"),
        ("a", "age_standardized", "all", 0.21, 0.19, 0.23, "ok"),
        ("b", "age_standardized", "all", SUPPRESSED_VALUE, 0.002, 0.08, "suppress: effective n < 30"),
    ]
    frame = pd.DataFrame(rows, columns=["condition", "group", "level", "estimate", "ci_low", "ci_high", "reliability"])
    return frame.assign(se=0.01, kg_low=frame["ci_low"], kg_high=frame["ci_high"], cases=1000.0)


def test_masked_hides_every_figure_of_a_suppressed_row_and_marks_reviewed_ones():
    shown = presentation.masked(prevalence_rows())
    suppressed = shown.iloc[1]
    assert all(suppressed[c] == "*" for c in ("estimate", "se", "ci_low", "ci_high", "kg_low", "kg_high", "cases"))
    assert shown.iloc[2]["estimate"] == "0.3 †" and shown.iloc[0]["estimate"] == "0.2"
    assert str(SUPPRESSED_VALUE)[:6] not in " ".join(shown.astype(str).to_numpy().ravel())


def test_findings_and_the_standardized_comparison_hide_suppressed_estimates():
    prevalence = prevalence_rows()
    empty = pd.DataFrame({c: pd.Series(dtype=float) for c in ["estimate", "ci_low", "ci_high"]})
    empty = empty.assign(condition_a="", condition_b="", model="", note="")
    text = " ".join(key_findings(prevalence, empty, pd.DataFrame(columns=["n_conditions", "oe_ratio", "oe_ci_low"])))
    assert "B * (suppressed)" in text and "1.2%" not in text and "A 20.0%" in text
    comparison = standardized_comparison(prevalence)
    row = comparison[comparison["Condition"] == "B"].iloc[0]
    assert row["Prevalence (%), crude"] == "*" and row["Prevalence (%), age-standardized"] == "*"


def test_the_prevalence_figure_draws_no_suppressed_point_and_marks_it():
    figure = figures.prevalence_figure(prevalence_rows(), SimpleNamespace(conditions=("a", "b")))
    drawn = [x for ax in figure.axes for line in ax.lines for x in np.atleast_1d(line.get_xdata()).astype(float)]
    drawn += [
        x
        for ax in figure.axes
        for c in ax.collections
        if isinstance(c, LineCollection)
        for s in c.get_segments()
        for x in s[:, 0]
    ]
    assert SUPPRESSED_VALUE not in drawn and 0.2 in drawn
    stars = [line for ax in figure.axes for line in ax.lines if line.get_marker() == "*"]
    assert sum(len(line.get_xdata()) for line in stars) == 2  # a star where each suppressed estimate would be
    hollow = [line for ax in figure.axes for line in ax.lines if line.get_markerfacecolor() == "white"]
    assert hollow and 0.3 in np.atleast_1d(hollow[0].get_xdata())
    assert any("suppressed" in t.get_text() for t in figure.texts)
    figures.plt.close(figure)


def test_table1_block_reads_as_gtsummary():
    common = {"condition": "knee_oa", "test": "", "statistic": np.nan, "df_num": np.nan, "df_den": np.nan}
    cells = {"se": np.nan, "ci_low": np.nan, "ci_high": np.nan, "reliability": np.nan}
    sides = lambda **kw: {f"{k}_{s}": v for s in ("without", "with") for k, v in ({**cells, **kw}).items()}  # noqa: E731
    table = pd.DataFrame(
        [
            {
                **common,
                "label": "Adults",
                "level": "",
                "row_type": "total",
                "p_value": np.nan,
                **sides(n=900, estimate=1e6),
            },
            {
                **common,
                "label": "Sex",
                "level": "",
                "row_type": "label",
                "p_value": 0.0004,
                **sides(n=np.nan, estimate=np.nan),
            },
            {
                **common,
                "label": "Female",
                "level": "female",
                "row_type": "level",
                "p_value": np.nan,
                **sides(n=30, estimate=0.456, ci_low=0.4, ci_high=0.5, reliability="ok"),
                "reliability_with": "suppress: effective n < 30",
            },
            {
                **common,
                "label": "Unknown",
                "level": "unknown",
                "row_type": "unknown",
                "p_value": np.nan,
                **sides(n=4, estimate=np.nan),
            },
        ]
    )
    ((heading, block),) = presentation.table1_blocks(table)
    assert heading == "Knee osteoarthritis"
    assert list(block.columns) == [
        "Characteristic",
        "Without knee osteoarthritis, N = 1,000,000 (n = 900)",
        "With knee osteoarthritis, N = 1,000,000 (n = 900)",
        "p-value",
    ]
    assert block.iloc[0].tolist() == ["Sex", "", "", "<0.001"]
    assert block.iloc[1, 1] == "45.6% (40.0–50.0); n = 30" and block.iloc[1, 2] == "*"  # no n: it gives the share back
    assert block.iloc[2, 0] == "\u2003Unknown" and block.iloc[2, 1] == "n = 4"
    assert [presentation.p_value_text(p) for p in (0.04567, 0.4567, np.nan)] == ["0.046", "0.46", ""]


def index_inputs(tmp_path, names) -> dict:
    """The files render_index reads, for datasets `names`, each with the same small tables."""
    datasets = {}
    for name in names:
        folder = tmp_path / name
        folder.mkdir()
        prevalence_rows().to_csv(folder / "prevalence.csv", index=False)
        odds = {"condition_a": ["a"], "condition_b": ["b"], "model": ["adjusted"], "estimate": [2.0]}
        pd.DataFrame(odds | {"ci_low": [1.5], "ci_high": [2.5]}).to_csv(folder / "odds.csv", index=False)
        validation = {"source": name, "rows_valid": 1, "rows_quarantined": 0, "design": "weights only"}
        validation |= {"conditions_analysed": ["a", "b"], "conditions_absent": []}
        (folder / "validation.json").write_text(json.dumps(validation))
        datasets[name] = {
            k: folder / f
            for k, f in [
                ("odds_ratios", "odds.csv"),
                ("prevalence", "prevalence.csv"),
                ("validation", "validation.json"),
            ]
        }
    return datasets


def test_the_index_shows_a_suppressed_prevalence_as_the_mark(tmp_path):
    from msk_cooccurrence.report.index import render_index

    html = render_index(index_inputs(tmp_path, ("one", "two")))
    assert html.count("data:image/svg+xml;base64,") == 1  # two datasets: their odds ratios side by side
    assert "0.01235" not in html and "<td>*</td>" in html
    assert presentation.FOOTNOTES[0][:40] in html and "<td>20.0</td>" in html  # a percentage, one decimal


def test_the_index_of_one_dataset_has_its_tables_and_no_comparison_figure(tmp_path):
    """Nothing to compare: no figure, and the index job loads no plotting library (seconds of start-up)."""
    inputs = index_inputs(tmp_path, ("only",))
    script = (
        "import json, sys\nfrom pathlib import Path\nfrom msk_cooccurrence.report.index import render_index\n"
        "html = render_index({k: {f: Path(p) for f, p in v.items()} for k, v in json.loads(sys.argv[1]).items()})\n"
        "print(json.dumps([html, 'matplotlib' in sys.modules]))"
    )
    paths = {k: {f: str(p) for f, p in v.items()} for k, v in inputs.items()}
    done = subprocess.run([sys.executable, "-c", script, json.dumps(paths)], capture_output=True, text=True, check=True)
    html, plotted = json.loads(done.stdout)
    assert "data:image/svg+xml" not in html and "<figure>" not in html and not plotted
    assert 'href="only/report.html"' in html and "<td>20.0</td>" in html


def test_a_complement_footnote_and_a_review_flag_both_mark_the_number():
    both = "footnote: complement relative CI width > 130%; review: df < 8"
    rows = (
        prevalence_rows()
        .iloc[:2]
        .assign(estimate=[0.96, 0.95], reliability=[both, "footnote: complement relative CI width > 130%"])
    )
    shown = presentation.masked(rows)
    assert shown["estimate"].tolist() == ["0.96 †‡", "0.95 ‡"]
    assert presentation.percent_text(0.96, 0.9, 0.99, both) == "96.0% (90.0–99.0) †‡"
    assert presentation.mark("review: df < 8; review: 0% or 100%") == presentation.REVIEWED
    assert presentation.has_marks(rows) and presentation.COMPLEMENT in presentation.FOOTNOTES[2]


def test_a_note_names_conditions_by_their_labels_and_prose_names_columns_as_code():
    odds = pd.DataFrame(
        {
            "condition_a": ["knee_oa", "hip_pain"],
            "condition_b": ["low_back_pain", "knee_oa"],
            "model": ["mutual", "crude"],
            "estimate": [np.nan, 1.5],
            "note": ["no finite estimate: (quasi-)complete separation by knee_oa, hip_pain in some rows", np.nan],
        }
    )
    shown = presentation.display_table("odds_ratios", odds, {"knee_oa": "ages 40+"})
    assert list(shown["Note"]) == [
        "no finite estimate: (quasi-)complete separation by Knee osteoarthritis, ages 40+, Hip pain in some rows",
        "",
    ]
    # a name that is no condition nor label of the run stays as written
    words = presentation.labelled_note("see max_invalid_share", {"knee_oa"})
    assert words == "see max_invalid_share"
    html = presentation.code_names("kg_low/kg_high, as `proportion_ci` chooses <b>")
    assert html == "<code>kg_low</code>/<code>kg_high</code>, as <code>proportion_ci</code> chooses &lt;b&gt;"
