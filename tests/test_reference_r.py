"""The pipeline's functions against R survey 4.1.1 figures committed under tests/reference/.

Estimates to 1e-6 relative, SEs and CIs to 1e-4. Where R is installed, the R scripts also run live
on the same files and must give the committed figures.
"""

from __future__ import annotations

import subprocess

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ARQ, ORACLE, PROJECT, SURVEY_SMALL, needs_r
from helpers import analysis_of, settings_of

from msk_cooccurrence import outputs
from msk_cooccurrence.config import validate_config
from msk_cooccurrence.pipeline import harmonize_and_validate, ingest
from msk_cooccurrence.settings import Settings
from msk_cooccurrence.tables.loglinear import loglinear_table

CONDITIONS = ["knee_oa", "bunions", "obesity", "low_back_pain"]
R_SCRIPTS = PROJECT / "tests" / "r"


def analysed(dataset: dict, conditions, design_columns=True):
    config = validate_config({"conditions": conditions, "datasets": {"ref": dataset}})
    settings = Settings.from_dict(config)
    dataset = config["datasets"]["ref"]
    _, result = harmonize_and_validate("ref", dataset, ingest("ref", dataset, settings).raw, settings)
    frame = result.analysis if design_columns else result.analysis.drop(columns=["stratum", "psu"])
    return result, analysis_of(frame, conditions, ["age", "sex"])


def ours(data) -> pd.DataFrame:
    """Overall prevalences and every odds ratio, in the layout of the R reference files."""
    settings = Settings.from_dict(validate_config({"datasets": {"s": {"source": "synthetic", "n": 50, "seed": 1}}}))
    prevalence = outputs.tables()["prevalence"].compute({"data": data, "settings": settings})
    prevalence = prevalence[prevalence["group"] == "overall"].assign(
        kind="prevalence", condition_a=lambda d: d["condition"]
    )
    odds = outputs.tables()["odds_ratios"].compute({"data": data}).assign(kind="odds_ratio")
    return pd.concat([prevalence, odds], ignore_index=True)


def compare(reference: pd.DataFrame, estimates: pd.DataFrame) -> None:
    keys = ["kind", "condition_a", "condition_b", "model"]
    reference = reference.fillna({"condition_b": "", "model": ""})
    estimates = estimates.fillna({"condition_b": "", "model": ""})
    merged = reference.merge(estimates, on=keys, suffixes=("_r", ""), validate="one_to_one")
    assert len(merged) == len(reference)
    np.testing.assert_allclose(merged["estimate"], merged["estimate_r"], rtol=1e-6, atol=0)
    for column in ("se", "ci_low", "ci_high"):
        np.testing.assert_allclose(merged[column], merged[f"{column}_r"], rtol=1e-4, atol=0)


def test_reference_quarantines_exactly_the_twelve_bad_rows():
    result, _ = analysed(dict(SURVEY_SMALL), CONDITIONS)
    assert result.summary["rows_in"] == 3012
    assert result.summary["rows_valid"] == 3000
    assert result.summary["rows_quarantined"] == 12
    assert set(result.quarantine["SEQN"].astype(int)) == set(range(900001, 900013))


@pytest.mark.parametrize(("reference", "design_columns"), [("design", True), ("weights_only", False)])
def test_prevalences_and_odds_ratios_match_r_survey(reference, design_columns):
    _, data = analysed(dict(SURVEY_SMALL), CONDITIONS, design_columns)
    compare(pd.read_csv(ORACLE / f"reference_{reference}.csv"), ours(data))


def test_nhanes_arq_extract_with_two_conditions_and_neck_pain_matches_r_survey():
    # the project's example config, pointed at the committed copy of the file
    example = yaml.safe_load((PROJECT / "config" / "examples" / "arq.yaml").read_text())
    conditions = example["conditions"]
    dataset = example["datasets"]["arq"] | {"path": str(ARQ / "arq.csv")}
    result, data = analysed(dataset, conditions)
    assert result.summary["rows_quarantined"] == 0
    estimates = ours(data)
    compare(pd.read_csv(ARQ / "reference_weights_only.csv"), estimates[estimates["model"].fillna("") != "mutual"])


def test_loglinear_pairwise_terms_match_r_svyloglin():
    reference = pd.read_csv(ORACLE / "loglinear.csv")
    _, data = analysed(dict(SURVEY_SMALL), CONDITIONS)
    table = loglinear_table(data, settings_of()).set_index("term").loc[reference["term"]]
    np.testing.assert_allclose(table["estimate"], reference["estimate"], rtol=1e-6)
    np.testing.assert_allclose(table["se"], reference["se"], rtol=1e-4)


def test_loglinear_tests_of_higher_order_terms_match_r_anova_svyloglin():
    # R's default print(anova(svyloglin)): working LRT deviance, Rao-Scott F on its df, p
    reference = pd.read_csv(ORACLE / "loglinear_anova.csv")
    _, data = analysed(dict(SURVEY_SMALL), CONDITIONS)
    table = loglinear_table(data, settings_of())
    tests = table[table["kind"] == "test"].set_index("model").loc[reference["model"]]
    assert list(tests["df_num"]) == list(reference["df"])
    for column in ("deviance", "f", "df_num", "df_den"):
        np.testing.assert_allclose(tests[f"lrt_{column}"], reference[column], rtol=1e-6)
    np.testing.assert_allclose(tests["lrt_p"], reference["p_value"], rtol=1e-4)


@needs_r
@pytest.mark.parametrize(
    ("script", "data", "reference", "extra"),
    [
        (ORACLE / "oracle.R", ORACLE / "survey_small.csv", ORACLE / "reference_design.csv", []),
        (ORACLE / "oracle.R", ORACLE / "survey_small.csv", ORACLE / "reference_weights_only.csv", ["weights-only"]),
        (R_SCRIPTS / "loglinear.R", ORACLE / "survey_small.csv", ORACLE / "loglinear.csv", []),
        (R_SCRIPTS / "loglinear_anova.R", ORACLE / "survey_small.csv", ORACLE / "loglinear_anova.csv", []),
        (ARQ / "oracle_arq.R", ARQ / "arq.csv", ARQ / "reference_weights_only.csv", []),
    ],
    ids=["design", "weights_only", "loglinear", "loglinear_anova", "arq"],
)
def test_r_itself_still_gives_the_committed_figures(tmp_path, script, data, reference, extra):
    out = tmp_path / "out.csv"
    subprocess.run(["Rscript", str(script), str(data), str(out), *extra], check=True, capture_output=True)
    pd.testing.assert_frame_equal(pd.read_csv(out), pd.read_csv(reference), rtol=1e-10)
