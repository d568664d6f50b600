"""The HTML report: self-contained, and everything a dataset supplies is escaped."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from conftest import PROJECT
from test_tables import frame_of

from msk_cooccurrence import outputs, pipeline
from msk_cooccurrence.config import validate_config
from msk_cooccurrence.files import atomic_path, write_csv
from msk_cooccurrence.report import key_findings
from msk_cooccurrence.settings import dataset_view

SCRIPT = "<script>alert(1)</script>"


def test_report_escapes_dataset_values_and_needs_no_network(tmp_path):
    frame = frame_of()
    frame["sex"] = np.where(frame["sex"] == "female", "female", SCRIPT)
    config = validate_config(
        {
            "conditions": ["a", "b", "c"],
            "covariates": ["age"],
            "literature": str(PROJECT / "config" / "literature.csv"),
            "datasets": {
                "study": {"source": "table", "path": "x.csv", "columns": {"id": "i", "age": "a", "sex": SCRIPT}}
            },
        }
    )
    view = dataset_view(config, "study")
    settings = pipeline.Settings.from_dict(view)
    computed = pipeline.compute_tables(
        pipeline.analysis_data(frame, settings),
        settings,
        {"literature": pipeline.read_literature(config["literature"])},
    )
    tables = {name: tmp_path / f"{name}.csv" for name in computed}
    for name, table in computed.items():
        write_csv(table, tables[name])
    for name, spec in outputs.figures().items():
        png, svg = tmp_path / "figures" / f"{name}.png", tmp_path / "figures" / f"{name}.svg"
        pipeline.figure_stage(name, view, {t: tables[t] for t in spec.tables}, png, svg)
    validation = {
        "source": SCRIPT,
        "rows_in": 400,
        "rows_valid": 400,
        "rows_quarantined": 0,
        "max_invalid_share": 0.05,
        "design": "weights only",
        "conditions_analysed": ["a", "b", "c"],
        "conditions_absent": [],
        "checks": {f"id: {SCRIPT}": 1},
    }
    (tmp_path / "validation.json").write_text(json.dumps(validation))
    provenance = {"input": SCRIPT, "sha256": "0", "lonely_psu": "adjust"}
    (tmp_path / "provenance.json").write_text(json.dumps(provenance))
    (tmp_path / "truth.csv").write_text("kind,condition_a,condition_b,quantity,value\n")
    pipeline.report_stage(
        "study",
        view,
        tables,
        tmp_path / "figures",
        tmp_path / "validation.json",
        tmp_path / "provenance.json",
        tmp_path / "truth.csv",
        tmp_path / "report.html",
    )
    html = (tmp_path / "report.html").read_text()
    assert SCRIPT not in html and "&lt;script&gt;" in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    assert html.count("data:image/svg+xml;base64,") == len(outputs.figures())


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
