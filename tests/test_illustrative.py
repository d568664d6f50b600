"""Made-up data says so: the CSV example's report, table pages and index entry carry the banner; a
dataset without `illustrative:` carries none; `title:` names the dataset."""

from __future__ import annotations

import copy
import json

import pandas as pd
import pytest
import yaml
from conftest import PROJECT
from helpers import render_report, run_stages
from test_report import visible_text

from msk_cooccurrence import illustrative
from msk_cooccurrence.config import ConfigError, validate_config
from msk_cooccurrence.report.document import table_page
from msk_cooccurrence.report.index import render_index
from msk_cooccurrence.settings import dataset_view


def example_config() -> dict:
    """config/examples/generic_csv.yaml laid over config/config.yaml as Snakemake does, without imputation."""
    config = yaml.safe_load((PROJECT / "config" / "config.yaml").read_text())
    example = yaml.safe_load((PROJECT / "config" / "examples" / "generic_csv.yaml").read_text())
    config["datasets"] = example["datasets"]
    config["datasets"]["mystudy"]["path"] = str(PROJECT / config["datasets"]["mystudy"]["path"])
    config["literature"] = str(PROJECT / config["literature"])
    config["sensitivity"]["multiple_imputation"] = False
    return config


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The CSV example through every stage, its report rendered as shipped and without the key."""
    folder = tmp_path_factory.mktemp("csv_example")
    config = validate_config(example_config())
    paths = run_stages(config, "mystudy", folder, figures=True)
    pages = {}
    for case, keep in (("shipped", True), ("real", False)):
        view = copy.deepcopy(dataset_view(config, "mystudy"))
        if not keep:
            view["dataset"].pop("illustrative")
            view["dataset"].pop("title")
        report = render_report(config, "mystudy", folder, paths, view, folder / f"{case}.html")
        pages[case] = (visible_text(report.read_text()), view)
    return pages, paths


def test_the_csv_example_is_labelled_illustrative_at_the_top_and_in_every_section(rendered):
    pages, _ = rendered
    text, _ = pages["shipped"]
    top = text[: text.index("Key findings", text.index("Key findings") + 1)]  # the nav, then the banner
    assert "Illustrative data." in top and "describe no one" in top
    assert "`" not in top  # the config key it names is shown as code, not as raw backticks
    assert "My study (sample CSV)" in text[:200]  # the title names the report
    for section in ("Data and validation", "Tables", "Figures"):  # the reminder right under each heading
        heading = text.index(section, text.index("Illustrative data."))
        assert text[heading + len(section) : heading + len(section) + 200].strip().startswith(illustrative.REMINDER)
    assert "On illustrative data no verdict is evidence about people." in text


def test_a_dataset_without_the_key_has_no_banner(rendered):
    pages, _ = rendered
    text, view = pages["real"]
    assert "Illustrative data" not in text and "describe no one" not in text
    assert "Co-occurrence of musculoskeletal conditions: mystudy" in text  # no title: the dataset's key
    page = table_page("prevalence", pd.read_csv(rendered[1]["prevalence"]), view)
    assert illustrative.REMINDER not in page


def test_table_pages_and_the_index_entry_say_so(rendered):
    pages, paths = rendered
    _, view = pages["shipped"]

    page = table_page("prevalence", pd.read_csv(paths["prevalence"]), view)
    assert illustrative.REMINDER in page
    validation = json.loads(paths["validation"].read_text())
    assert validation["title"] == "My study (sample CSV)" and validation["illustrative"] is True
    real = paths["validation"].parent / "real.json"
    real.write_text(json.dumps(validation | {"title": "Real study", "illustrative": False}))
    files = {"odds_ratios": paths["odds_ratios"], "prevalence": paths["prevalence"]}
    index = visible_text(
        render_index({"mystudy": files | {"validation": paths["validation"]}, "real": files | {"validation": real}})
    )
    assert index.count(illustrative.INDEX_MARK) == 1 and "1 of the 2 datasets" in index
    entry = index[index.index("My study (sample CSV)") :]
    assert entry.index(illustrative.INDEX_MARK) < entry.index("Real study")


def test_every_shipped_example_with_made_up_rows_says_so():
    shipped = {
        "config/config.yaml": {"synthetic": True},
        "config/examples/generic_csv.yaml": {"mystudy": True},
        "config/examples/stata.yaml": {"stata_study": True},
        "config/examples/own_model.yaml": {"ownmodel": True},
        "config/examples/nhanes_1999_2004.yaml": {"nhanes_1999_2004": True},
        "config/examples/nhanes_2001_2004.yaml": {"nhanes_2001_2004": True},
        "config/examples/arq.yaml": {"arq": False},  # real NHANES 2009-2010 data
        ".test/config/config.yaml": {"synthetic": True, "mystudy": True, "arq": False},
    }
    for path, expected in shipped.items():
        datasets = yaml.safe_load((PROJECT / path).read_text())["datasets"]
        assert {name: bool(datasets[name].get("illustrative")) for name in expected} == expected, path
        assert all(datasets[name].get("title") for name in expected), path


def test_the_synthetic_source_is_always_illustrative_and_its_words_come_from_the_same_place():
    config = example_config() | {"datasets": {"synthetic": {"source": "synthetic", "n": 100, "seed": 1}}}
    assert validate_config(copy.deepcopy(config))["datasets"]["synthetic"]["illustrative"] is True
    config["datasets"]["synthetic"]["illustrative"] = False
    with pytest.raises(ConfigError, match="illustrative"):
        validate_config(config)
    words = illustrative.banner({"source": "synthetic", "illustrative": True}, 3, known_truth=True)
    assert words["heading"] == "Synthetic data." and "3 claims" in words["text"] and "describe no one" in words["text"]
