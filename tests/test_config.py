"""Configuration: defaults from the schema, safe names, mappings that name real columns."""

from __future__ import annotations

import pytest
from conftest import PROJECT

from msk_cooccurrence.config import load_config, validate_config
from msk_cooccurrence.errors import ConfigError
from msk_cooccurrence.settings import Settings


def test_the_default_config_is_valid_and_every_default_is_filled():
    config = load_config(PROJECT / "config" / "config.yaml")
    settings = Settings.from_dict(config)
    assert settings.conditions == ("knee_oa", "bunions", "obesity", "low_back_pain")
    assert settings.lonely_psu == "adjust" and settings.max_invalid_share == 0.05
    minimal = validate_config({"datasets": {"s": {"source": "synthetic", "n": 100, "seed": 1}}})
    assert minimal["datasets"]["s"]["model"]["prevalence"]["obesity"] == 0.424
    assert "format" not in minimal["datasets"]["s"]  # only the synthetic source's defaults


@pytest.mark.parametrize("name", ["My Study", "__import__('os')", "a;rm -rf", "<script>", "../outside", "/etc"])
def test_unsafe_dataset_and_condition_names_are_rejected(name):
    with pytest.raises(ConfigError):
        validate_config({"datasets": {name: {"source": "synthetic", "n": 100, "seed": 1}}})
    with pytest.raises(ConfigError):
        validate_config(
            {"conditions": ["knee_oa", name], "datasets": {"s": {"source": "synthetic", "n": 100, "seed": 1}}}
        )


def test_mapping_an_unknown_harmonized_name_is_a_config_error():
    dataset = {"source": "table", "path": "x.csv", "columns": {"id": "ID", "age": "AGE", "sex": "SEX", "kne_oa": "K"}}
    with pytest.raises(ConfigError, match="kne_oa"):
        validate_config({"datasets": {"study": dataset}})


def test_a_claim_about_an_unknown_condition_is_a_config_error():
    claim = {"statement": "x", "a": "knee_oa", "b": "neck_pain", "direction": "positive"}
    with pytest.raises(ConfigError, match="neck_pain"):
        validate_config({"claims": [claim], "datasets": {"s": {"source": "synthetic", "n": 100, "seed": 1}}})


@pytest.mark.parametrize("example", sorted((PROJECT / "config" / "examples").glob("*.yaml")))
def test_every_example_config_is_valid_on_top_of_the_default(example):
    import yaml

    default = yaml.safe_load((PROJECT / "config" / "config.yaml").read_text())
    overlay = yaml.safe_load(example.read_text())
    merged = {**default, **{k: v for k, v in overlay.items() if k != "datasets"}}
    merged["datasets"] = default["datasets"] | overlay["datasets"]
    validate_config(merged)


def test_unquoted_yes_no_codes_are_explained():
    import yaml

    codes = yaml.safe_load("knee_oa: {yes: true, no: false}")
    dataset = {"source": "table", "path": "x.csv", "columns": {"id": "i", "age": "a", "sex": "s"}, "codes": codes}
    with pytest.raises(ConfigError, match="Quote"):
        validate_config({"datasets": {"study": dataset}})
