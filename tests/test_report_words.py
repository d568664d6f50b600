"""The words a report shows: labels from labels.py or the dataset's own (`labels:`, validated and
escaped), never a snake_case name of a condition or column outside <code>, numbers as a reader
writes them, the log-linear statistic headed as what it is, and Methods naming the engine that ran."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pytest
import yaml
from conftest import PROJECT
from helpers import render_report, run_stages, settings_of

from msk_cooccurrence import outputs
from msk_cooccurrence.config import validate_config
from msk_cooccurrence.errors import ConfigError
from msk_cooccurrence.labels import in_sentence, readable
from msk_cooccurrence.report.presentation import SNAKE_CASE, display_table, number
from msk_cooccurrence.survey import glm

OWN_LABEL = "Knee OA <proxy> & pain"  # markup-like on purpose: it must reach the page as text


class VisibleText(HTMLParser):
    """The text a reader sees, without what is shown as code (<code>, <pre>) and what is not shown."""

    HIDDEN = {"code", "pre", "style", "script", "title"}

    def __init__(self):
        super().__init__()
        self.depth, self.parts = 0, []

    def handle_starttag(self, tag, attrs):
        self.depth += tag in self.HIDDEN

    def handle_endtag(self, tag):
        self.depth -= tag in self.HIDDEN

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("words")
    config = yaml.safe_load((PROJECT / "config" / "config.yaml").read_text())
    dataset = {"source": "synthetic", "n": 1500, "seed": 4, "labels": {"knee_oa": OWN_LABEL}}
    config["datasets"] = {"synthetic": dataset}
    config["sensitivity"] = {"multiple_imputation": False}
    config["literature"] = str(PROJECT / "config" / "literature.csv")
    config = validate_config(config)
    paths = run_stages(config, "synthetic", folder, tables=True, figures=True)
    return config, render_report(config, "synthetic", folder, paths).read_text()


def names_a_reader_must_not_see(config) -> set[str]:
    """The snake_case names of the run's conditions, groupings and the tables' CSV columns."""
    columns = {c for spec in outputs.tables().values() for c in spec.columns}
    names = set(config["conditions"]) | columns | {"age_band", "bmi_class", "age_standardized"}
    return {n for n in names if SNAKE_CASE.fullmatch(n)}


def test_no_snake_case_name_of_a_condition_or_column_outside_code(report):
    config, html = report
    text = visible_text(html)
    assert "knee_oa" in html  # shown as code somewhere (the configuration), so the test reads something
    raw = set(SNAKE_CASE.findall(text)) & names_a_reader_must_not_see(config)
    assert raw == set()


def test_the_datasets_own_label_is_used_everywhere_and_escaped(report):
    config, html = report
    text = visible_text(html)
    for claim in config["claims"]:  # the config's own words ("Knee osteoarthritis and low back pain ...")
        text = text.replace(claim["statement"], "")
    assert "Knee OA &lt;proxy&gt; &amp; pain" in html and "<proxy>" not in html
    assert text.count(OWN_LABEL) > 10  # findings, tables, claims
    assert "Knee osteoarthritis" not in text  # the project's label gives way to the dataset's


def test_numbers_read_as_a_reader_writes_them(report):
    _, html = report
    text = visible_text(html)
    assert re.findall(r"\d\.?\d*e[+-]\d+", text) == []  # no 8.4e+03
    assert re.findall(r"(?<![\d.,\w])\d{5,}(?![\d.,])", text) == []  # no 19982 without its separator
    assert number(8404.2, 3) == "8,404" and number(0.4512, 3) == "0.451" and number(1.2345e-5, 3) == "1.23 × 10⁻⁵"
    assert number(999.6, 3) == "1,000"  # not 1e+03


def test_the_log_linear_statistic_is_headed_t_or_f():
    import pandas as pd

    table = pd.DataFrame(
        {"kind": ["coefficient", "test"], "model": ["pairwise", "3"], "term": ["knee_oa:obesity", "order 3"]}
        | {"statistic": [-5.2, 2.1], "p_value": [0.001, 0.2]}
    )
    headers = list(display_table("loglinear", table).columns)
    assert "F" not in headers and "t (coefficient) or F (test)" in headers
    association = pd.DataFrame({"kind": ["pair"], "statistic": [3.0]})
    assert "Rao-Scott F" in display_table("association", association).columns


def test_the_methods_name_the_engine_that_fits_the_models(report):
    _, html = report
    fit = glm.fit(glm.LOGISTIC, np.column_stack([np.ones(6), [0, 0, 1, 1, 0, 1]]), np.array([0, 1, 0, 1, 1, 1.0]))
    model = type(fit.results.model)
    assert f"{model.__module__}.{model.__name__}" == glm.ENGINE[1]  # the class the text names is the one used
    assert "<code>statsmodels.genmod.generalized_linear_model.GLM</code>" in html
    import importlib.metadata

    assert f"statsmodels {importlib.metadata.version('statsmodels')}" in html


def test_labels_read_with_a_capital_and_in_sentences_keep_acronyms():
    assert readable("neck_pain") == "Neck pain" and readable("40-59") == "40-59"
    assert in_sentence("Knee OA (proxy)") == "knee OA (proxy)" and in_sentence("BMI class") == "BMI class"
    assert settings_of().label("knee_oa") == "Knee osteoarthritis"


def test_a_label_for_a_name_the_run_lacks_stops_with_the_fix():
    config = {"datasets": {"s": {"source": "synthetic", "n": 100, "seed": 1, "labels": {"knee_o": "Knee"}}}}
    with pytest.raises(ConfigError, match=r"Dataset 's': `labels:` gives a label to 'knee_o'.*Fix the name"):
        validate_config(config | {"literature": str(PROJECT / "config" / "literature.csv")})
    config["datasets"]["s"]["labels"] = {"knee_oa": "x" * 121}
    with pytest.raises(ConfigError):
        validate_config(config | {"literature": str(PROJECT / "config" / "literature.csv")})
