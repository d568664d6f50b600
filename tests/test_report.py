"""The HTML report: self-contained, and everything a dataset supplies is escaped."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import yaml
from conftest import PROJECT
from helpers import render_report, run_stages
from test_tables import frame_of

from msk_cooccurrence import outputs, pipeline
from msk_cooccurrence.config import validate_config
from msk_cooccurrence.files import atomic_path, write_csv
from msk_cooccurrence.report.document import key_findings
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
    patterns = pd.DataFrame(columns=["n_conditions", "oe_ratio", "oe_ci_low"])
    text = " ".join(key_findings(prevalence, odds, patterns))
    assert "A 20.0%" in text and "more often" in text and "less often" in text


def test_atomic_path_leaves_nothing_behind_on_failure(tmp_path):
    target = tmp_path / "out.csv"
    try:
        with atomic_path(target) as temporary:
            temporary.write_text("half")
            raise RuntimeError("interrupted")
    except RuntimeError:
        pass
    assert not target.exists() and list(tmp_path.iterdir()) == []


def visible_text(page: str) -> str:
    """The report's text as a reader sees it: no markup, and nothing inside <code>, <pre> (the config
    YAML), <script> or <style>."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        hidden, depth, parts = {"code", "pre", "script", "style"}, 0, []

        def handle_starttag(self, tag, attrs):
            self.depth += tag in self.hidden

        def handle_endtag(self, tag):
            self.depth -= tag in self.hidden

        def handle_data(self, data):
            if not self.depth:
                self.parts.append(data)

    reader = Reader()
    reader.parts = []
    reader.feed(page)
    return " ".join(reader.parts)


def test_the_report_shows_every_name_by_its_label(tmp_path):
    # the default config's synthetic run (truth table, claims estimated the other way round) with a
    # condition of two words the dataset lacks, named by a claim
    config = yaml.safe_load((PROJECT / "config" / "config.yaml").read_text())
    config["literature"] = str(PROJECT / "config" / "literature.csv")
    config["datasets"] = {"synthetic": {"source": "synthetic", "n": 2000, "seed": 5}}
    config["conditions"] = [*config["conditions"], "hip_pain"]
    config["claims"] = [
        *config["claims"],
        {"statement": "Hip pain goes with knee OA", "a": "hip_pain", "b": "knee_oa", "direction": "positive"},
    ]
    config["subgroups"] = ["sex"]
    config["sensitivity"]["multiple_imputation"] = False  # its words are tested where it is
    config = validate_config(config)
    paths = run_stages(config, "synthetic", tmp_path, figures=True)
    report = render_report(config, "synthetic", tmp_path, paths)
    text = visible_text(report.read_text())
    assert "Pair, log odds ratio given the others" in text and "estimated as Bunions (hallux valgus) given" in text
    assert "Hip pain or Knee osteoarthritis is not in this dataset" in text
    raw = sorted(set(re.findall(r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b", text)))
    assert raw == [], raw
