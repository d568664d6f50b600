"""The pipeline's functions against R survey 4.1.1 figures in ../shared (estimates 1e-6, SEs and CIs 1e-4)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from conftest import ARQ, ORACLE, PROJECT, SURVEY_SMALL, needs, needs_r

from msk_cooccurrence.config import validate_config
from msk_cooccurrence.design import design_of
from msk_cooccurrence.harmonize import harmonize
from msk_cooccurrence.ingest import read_table
from msk_cooccurrence.loglinear import loglinear_table
from msk_cooccurrence.odds_ratios import odds_ratio_table
from msk_cooccurrence.prevalence import prevalence_table
from msk_cooccurrence.validate import validate

CONDITIONS = ["knee_oa", "bunions", "obesity", "low_back_pain"]


def analysed(dataset: dict, conditions, design_columns=True):
    config = validate_config({"conditions": conditions, "datasets": {"ref": dataset}})
    dataset = config["datasets"]["ref"]
    raw = read_table("ref", dataset)
    harmonized, problems = harmonize(raw, dataset["columns"], dataset["codes"], conditions, 30)
    result = validate(harmonized, problems, raw, conditions, 0.05, "ref", dataset["path"])
    frame = result.analysis if design_columns else result.analysis.drop(columns=["stratum", "psu"])
    return result, frame, design_of(frame)


def ours(frame, design, conditions) -> pd.DataFrame:
    prevalence = prevalence_table(frame, conditions, design, [18], 30)
    prevalence = prevalence[prevalence["group"] == "overall"].assign(
        kind="prevalence", condition_a=lambda d: d["condition"]
    )
    odds = odds_ratio_table(frame, conditions, ["age", "sex"], design).assign(kind="odds_ratio")
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


@needs(ORACLE)
def test_reference_quarantines_exactly_the_twelve_bad_rows():
    result, _, _ = analysed(dict(SURVEY_SMALL), CONDITIONS)
    assert result.summary["rows_in"] == 3012
    assert result.summary["rows_valid"] == 3000
    assert result.summary["rows_quarantined"] == 12
    assert set(result.quarantine["SEQN"].astype(int)) == set(range(900001, 900013))


@needs(ORACLE)
def test_full_design_matches_r_survey():
    _, frame, design = analysed(dict(SURVEY_SMALL), CONDITIONS)
    compare(pd.read_csv(ORACLE / "reference_design.csv"), ours(frame, design, CONDITIONS))


@needs(ORACLE)
def test_weights_only_design_matches_r_survey():
    _, frame, design = analysed(dict(SURVEY_SMALL), CONDITIONS, design_columns=False)
    compare(pd.read_csv(ORACLE / "reference_weights_only.csv"), ours(frame, design, CONDITIONS))


@needs(ARQ)
def test_nhanes_arq_extract_with_two_conditions_and_neck_pain_matches_r_survey():
    # the project's example config, pointed at the shared copy of the file
    example = yaml.safe_load((PROJECT / "config" / "examples" / "arq.yaml").read_text())
    conditions = example["conditions"]
    dataset = example["datasets"]["arq"] | {"path": str(ARQ / "arq.csv")}
    result, frame, design = analysed(dataset, conditions)
    assert result.summary["rows_quarantined"] == 0
    estimates = ours(frame, design, conditions)
    reference = pd.read_csv(ARQ / "reference_weights_only.csv")
    compare(reference, estimates[estimates["model"].fillna("") != "mutual"])


@needs(ORACLE)
@needs_r
def test_loglinear_pairwise_terms_match_r_svyloglin(tmp_path):
    out = tmp_path / "loglin.csv"
    script = Path(__file__).parent / "r" / "loglinear.R"
    subprocess.run(
        ["Rscript", str(script), str(ORACLE / "survey_small.csv"), str(out)], check=True, capture_output=True
    )
    reference = pd.read_csv(out)
    _, frame, design = analysed(dict(SURVEY_SMALL), CONDITIONS)
    ours = loglinear_table(frame, CONDITIONS, design).set_index("term").loc[reference["term"]]
    np.testing.assert_allclose(ours["estimate"], reference["estimate"], rtol=1e-6)
    np.testing.assert_allclose(ours["se"], reference["se"], rtol=1e-4)
