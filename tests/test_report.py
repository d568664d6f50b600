"""The HTML report: self-contained, and everything a dataset supplies is escaped."""

from __future__ import annotations

import numpy as np
import pandas as pd
from test_tables import frame_of

from msk_cooccurrence import figures
from msk_cooccurrence.design import SurveyDesign
from msk_cooccurrence.odds_ratios import odds_ratio_table
from msk_cooccurrence.patterns import pattern_table
from msk_cooccurrence.pipeline import atomic_path
from msk_cooccurrence.prevalence import prevalence_table
from msk_cooccurrence.report import key_findings, render_report

SCRIPT = "<script>alert(1)</script>"


def test_report_escapes_dataset_values_and_needs_no_network(tmp_path):
    frame = frame_of()
    frame["sex"] = np.where(frame["sex"] == "female", "female", SCRIPT)
    design = SurveyDesign.from_columns(frame["weight"])
    tables = {
        "prevalence": prevalence_table(frame, ["a", "b"], design, [18], 30),
        "odds_ratios": odds_ratio_table(frame, ["a", "b"], ["age"], design),
        "patterns": pattern_table(frame, ["a", "b"], design),
    }
    paths = {}
    for name, fig in {
        "prevalence": figures.prevalence_figure(tables["prevalence"]),
        "upset": figures.upset_figure(tables["patterns"], ["a", "b"]),
        "forest": figures.forest_figure(tables["odds_ratios"]),
        "heatmap": figures.heatmap_figure(tables["odds_ratios"], ["a", "b"]),
    }.items():
        paths[name] = tmp_path / f"{name}.svg"
        figures.save_to(fig, tmp_path / f"{name}.png", paths[name])
    config = {
        "conditions": ["a", "b"],
        "covariates": ["age"],
        "datasets": {SCRIPT: {"source": "table", "path": SCRIPT}},
    }
    validation = {
        "source": SCRIPT,
        "rows_in": 400,
        "rows_valid": 400,
        "rows_quarantined": 0,
        "max_invalid_share": 0.05,
        "design": "weights only",
        "conditions_analysed": ["a", "b"],
        "conditions_absent": [],
        "checks": {f"id: {SCRIPT}": 1},
    }
    html = render_report(
        SCRIPT, config, validation, {"input": SCRIPT, "sha256": "0", "lonely_psu": "adjust"}, tables, paths
    )
    assert SCRIPT not in html and "&lt;script&gt;" in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    assert html.count("data:image/svg+xml;base64,") == 4


def test_key_findings_name_clear_associations():
    prevalence = pd.DataFrame(
        {"condition": ["a"], "group": ["overall"], "estimate": [0.2], "ci_low": [0.1], "ci_high": [0.3]}
    )
    odds = pd.DataFrame(
        {
            "condition_a": ["a", "a"],
            "condition_b": ["b", "c"],
            "model": ["adjusted"] * 2,
            "estimate": [2.0, 0.5],
            "ci_low": [1.5, 0.3],
            "ci_high": [2.5, 0.8],
            "note": ["", ""],
        }
    )
    patterns = pd.DataFrame(columns=["n_conditions", "oe_ratio"])
    text = " ".join(key_findings(prevalence, odds, patterns))
    assert "a 20.0%" in text and "more often" in text and "less often" in text


def test_atomic_path_leaves_nothing_behind_on_failure(tmp_path):
    target = tmp_path / "out.csv"
    try:
        with atomic_path(target) as temporary:
            temporary.write_text("half")
            raise RuntimeError("interrupted")
    except RuntimeError:
        pass
    assert not target.exists() and list(tmp_path.iterdir()) == []
