"""What the imputation model holds besides the analysed variables, against synthetic truths (issue 20):
a condition's universe (never imputed outside it, every model fitted inside), the design's strata,
and the known parts of a derived condition as auxiliary variables."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from helpers import run_stages, settings_of

from msk_cooccurrence import pipeline
from msk_cooccurrence.config import validate_config
from msk_cooccurrence.errors import ConfigError
from msk_cooccurrence.tables.imputation import completed, impute, imputed_values
from msk_cooccurrence.tables.imputation_model import (
    NOT_MEASURED,
    STRATUM,
    ImputationProblem,
    imputation_columns,
    imputation_problem,
    load_problem,
)
from msk_cooccurrence.tables.odds_ratios import odds_ratio_table
from msk_cooccurrence.tables.sensitivity import sensitivity_table

MI = {"multiple_imputation": True, "imputations": 3, "imputations_per_job": 2}


def universe_frame(n: int = 4_000) -> pd.DataFrame:
    """Analysis rows as intake leaves them: `c` (bunions) examined from age 40, so unknown below it,
    and unknown for a tenth inside; `a` unknown for a tenth; a stratified design."""
    rng = np.random.default_rng(11)
    age = rng.integers(20, 80, n).astype(float)
    b = rng.random(n) < 0.4
    a = rng.random(n) < np.where(b, 0.6, 0.2)
    c = rng.random(n) < np.where(a, 0.5, 0.25)
    hidden_a, hidden_c = rng.random(n) < 0.1, (rng.random(n) < 0.1) | (age < 40)
    return pd.DataFrame(
        {
            "age": age,
            "sex": rng.choice(["female", "male"], n),
            "weight": rng.uniform(1, 3, n),
            "stratum": rng.integers(0, 10, n).astype(str),
            "psu": rng.integers(0, 2, n).astype(str),
            "a": pd.array(np.where(hidden_a, None, a), dtype="boolean"),
            "b": pd.array(b, dtype="boolean"),
            "c": pd.array(np.where(hidden_c, None, c), dtype="boolean"),
        }
    )


def universe_analysis(universes):
    settings = settings_of(conditions=["a", "b", "c"], covariates=["age", "sex"], sensitivity=MI)
    settings = dataclasses.replace(settings, universes=universes)
    return pipeline.analysis_data(universe_frame(), settings), settings


def test_a_condition_is_never_imputed_outside_its_universe_and_its_models_are_fitted_inside():
    data, settings = universe_analysis({"c": {"min_age": 40}})
    inside = data.frame["age"].to_numpy() >= 40
    problem = imputation_problem(data)
    assert problem.universes == ("c",)
    columns = imputation_columns(data)
    for m in range(3):
        c = completed(problem, columns, impute(problem, settings.sensitivity["seed"], m))["c"]
        assert (c[~inside] == NOT_MEASURED).all()  # every row outside: not measured, never a drawn value
        assert set(np.unique(c[inside])) == {0.0, 1.0}  # inside, every unknown drawn
    table = sensitivity_table(data, settings, odds_ratio_table(data))
    with_c = table[(table["condition_a"] == "c") | (table["condition_b"] == "c")]
    imputed = with_c[with_c["method"] == "multiple imputation"]
    assert len(imputed) == 2 and (imputed["n"] == inside.sum()).all()  # every row inside, none outside
    known_inside = inside & data.frame["c"].notna().to_numpy()
    complete = with_c[with_c["method"] == "complete cases"]
    assert len(complete) == 2 and (complete["n"] <= known_inside.sum()).all()
    # a pair without c is fitted on every row: the universe of c restricts only its own models
    ab = table[(table["condition_a"] == "a") & (table["condition_b"] == "b")]
    assert (ab.loc[ab["method"] == "multiple imputation", "n"] == len(data.frame)).all()


def test_without_its_universe_a_condition_would_be_imputed_for_every_row():
    """The same rows with no universe declared: c is drawn below 40 too, and its pairs' n is every row
    (so the test above can fail)."""
    data, settings = universe_analysis({})
    table = sensitivity_table(data, settings, odds_ratio_table(data))
    imputed = table[(table["method"] == "multiple imputation") & (table["condition_b"] == "c")]
    assert (imputed["n"] == len(data.frame)).all()


def stratified_rows(n: int = 30_000, seed: int = 4):
    """Ten strata whose prevalence of `a` runs from 0.1 to 0.8 and whose share of `a` unknown rises with
    it (0.05 to 0.6): missing at random given the stratum, not given b, age or sex (independent of
    it) nor the weight (the same distribution in every stratum)."""
    rng = np.random.default_rng(seed)
    stratum = rng.integers(0, 10, n)
    a = rng.random(n) < np.linspace(0.1, 0.8, 10)[stratum]
    hidden = rng.random(n) < np.linspace(0.05, 0.6, 10)[stratum]
    frame = pd.DataFrame(
        {
            "age": rng.integers(20, 80, n).astype(float),
            "sex": rng.choice(["female", "male"], n),
            "weight": rng.uniform(1, 3, n),
            "stratum": stratum.astype(str),
            "psu": rng.integers(0, 2, n).astype(str),
            "a": pd.array(np.where(hidden, None, a), dtype="boolean"),
            "b": pd.array(rng.random(n) < 0.3, dtype="boolean"),
        }
    )
    return frame, a, hidden


def imputed_share(problem: ImputationProblem, columns, hidden, imputations: int = 5) -> float:
    """The share of `a` among the rows whose `a` was hidden, averaged over the imputations."""
    shares = [completed(problem, columns, impute(problem, 1, m))["a"][hidden].mean() for m in range(imputations)]
    return float(np.mean(shares))


def test_the_strata_enter_the_imputation_model_and_remove_a_bias_that_depends_on_them():
    """The hidden rows hold many more of `a` than the known ones (they are in the strata where `a` is
    common): imputed with the strata as indicators, their share of `a` recovers the truth; without
    them (the design absent from the model) it stays near the known rows' share."""
    frame, a, hidden = stratified_rows()
    settings = settings_of(conditions=["a", "b"], covariates=["age", "sex"])
    data = pipeline.analysis_data(frame, settings)
    columns = imputation_columns(data)
    with_strata = imputation_problem(data)
    assert STRATUM in with_strata.names and STRATUM in with_strata.nominal
    truth = a[hidden].mean()
    # tolerance: each stratum's P(a) is estimated from >= 1,200 known rows (sd <= 0.015, about 0.006
    # averaged over the strata), the ~9,700 hidden rows' own share departs from P(a) by sd 0.005, and
    # the draws average over 5 imputations (sd 0.002): sd 0.008 in all, 0.025 is 3 sd
    assert imputed_share(with_strata, columns, hidden) == pytest.approx(truth, abs=0.025)
    without = {k: v for k, v in columns.items() if k != STRATUM}
    biased = imputed_share(ImputationProblem.from_columns(without), without, hidden)
    assert truth - biased > 0.1  # the known rows' share of a (about 0.37) against the hidden rows' (about 0.56)


def test_the_strata_are_one_stratum_apart_where_the_design_has_none():
    frame, _, _ = stratified_rows(2_000)
    settings = settings_of(conditions=["a", "b"], covariates=["age", "sex"])
    data = pipeline.analysis_data(frame.drop(columns=["stratum", "psu"]), settings)
    assert STRATUM not in imputation_problem(data).names


def arthritis_table(n: int = 6_000, seed: int = 8) -> tuple[pd.DataFrame, np.ndarray]:
    """A researcher's file in NHANES's shape: ARTH doctor-diagnosed arthritis (1 yes, 2 no), TYPE its type
    (1 osteoarthritis, 2 other, 9 don't know; blank without arthritis), KNEE knee pain (1 yes, 2 no),
    LBP low back pain. Knee OA is arthritis of the OA type with knee pain; the type is unknown for 40%
    of those with arthritis, at random among them, so knee OA is unknown only where arthritis and knee
    pain are yes. Returns the file and each row's true knee OA."""
    rng = np.random.default_rng(seed)
    arthritis = rng.random(n) < 0.3
    osteo = arthritis & (rng.random(n) < 0.5)
    knee = rng.random(n) < np.where(arthritis, 0.6, 0.2)
    unknown_type = arthritis & (rng.random(n) < 0.4)
    table = pd.DataFrame(
        {
            "ID": [f"{i:05d}" for i in range(n)],
            "AGE": rng.integers(20, 80, n),
            "SEX": rng.integers(1, 3, n),
            "ARTH": np.where(arthritis, 1, 2),
            "TYPE": np.where(~arthritis, np.nan, np.where(unknown_type, 9, np.where(osteo, 1, 2))),
            "KNEE": np.where(knee, 1, 2),
            "LBP": np.where(rng.random(n) < np.where(knee, 0.4, 0.2), 1, 2),
        }
    )
    return table, osteo & knee


ARTHRITIS_RULES = {
    "arthritis": {"item": "ARTH", "codes": {1: True, 2: False}},
    "knee_pain": {"item": "KNEE", "codes": {1: True, 2: False}},
    "knee_oa": {
        "all": [{"rule": "arthritis"}, {"item": "TYPE", "codes": {1: True, 2: False, 9: None}}, {"rule": "knee_pain"}]
    },
}


def arthritis_config(tmp_path, auxiliary) -> dict:
    table, truth = arthritis_table()
    table.to_csv(tmp_path / "study.csv", index=False)
    dataset = {
        "source": "table",
        "path": str(tmp_path / "study.csv"),
        "columns": {"id": "ID", "age": "AGE", "sex": "SEX", "low_back_pain": "LBP"},
        "codes": {"sex": {1: "male", 2: "female"}, "low_back_pain": {1: True, 2: False}},
        "rules": ARTHRITIS_RULES,
        "imputation": {"auxiliary": auxiliary},
    }
    config = {"conditions": ["knee_oa", "low_back_pain"], "covariates": ["age", "sex"], "sensitivity": MI}
    return validate_config(config | {"datasets": {"t": dataset}}), truth


def imputed_prevalence(paths) -> float:
    """Knee OA's prevalence in the completed rows (unweighted: every weight is 1), averaged over the imputations."""
    known = pd.read_parquet(paths["analysis"])["knee_oa"].astype("Float64").to_numpy(float, na_value=np.nan)
    problem = load_problem(paths["imputation_model"])
    shares = []
    for draws in pipeline.read_imputations(paths["imputations"]):
        values = known.copy()
        values[problem.rows] = imputed_values(problem, draws)["knee_oa"]
        shares.append(values.mean())
    return float(np.mean(shares))


def test_the_known_parts_of_a_derived_condition_as_auxiliary_variables_remove_the_complete_case_bias(tmp_path):
    """Knee OA is unknown only among those with arthritis and knee pain, where half have it, so the
    complete cases (0.053) understate the truth (0.085). Imputed with the parts arthritis and
    knee pain as auxiliary variables, it recovers the truth; imputed from the other condition and the
    covariates alone, the bias remains.

    Tolerance: the unknowns (393 of 6,000 rows) are imputed with P(OA | arthritis, knee pain) = 0.5
    estimated from about 650 known rows (sd 0.02), so the completed prevalence departs from the
    sample's truth by the estimate's error (sd 393 / 6,000 x 0.02 = 0.0013), the draws' (sd 0.001 over
    3 imputations) and the unknowns' own share of OA about 0.5 (sd 393 / 6,000 x 0.025 = 0.0017):
    sd 0.0023 in all; 0.008 is 3.5 sd, and a quarter of the complete-case bias (0.031)."""
    (tmp_path / "with").mkdir()
    config, truth = arthritis_config(tmp_path / "with", ["arthritis", "knee_pain"])
    paths = run_stages(config, "t", tmp_path / "with" / "out")
    analysis = pd.read_parquet(paths["analysis"])
    assert {"arthritis", "knee_pain"} <= set(analysis.columns) and analysis["arthritis"].dtype == "boolean"
    assert {"arthritis", "knee_pain"} <= set(load_problem(paths["imputation_model"]).names)
    complete_case = analysis["knee_oa"].dropna().astype(float).mean()
    assert truth.mean() - complete_case > 0.02  # the bias the imputation is to remove
    assert imputed_prevalence(paths) == pytest.approx(truth.mean(), abs=0.008)
    sensitivity = pd.read_csv(paths["sensitivity"])
    assert set(sensitivity["condition_a"]) | set(sensitivity["condition_b"]) == {"knee_oa", "low_back_pain"}

    (tmp_path / "without").mkdir()
    config, truth = arthritis_config(tmp_path / "without", [])
    paths = run_stages(config, "t", tmp_path / "without" / "out")
    assert "arthritis" not in pd.read_parquet(paths["analysis"]).columns
    assert truth.mean() - imputed_prevalence(paths) > 0.02


@pytest.mark.parametrize(
    "auxiliary, words",
    [
        (["knee_oa"], "'knee_oa', which is a condition"),
        (["bmi"], "'bmi', which is a condition, a harmonized column"),
        (["log_weight"], "a variable of the imputation model"),
        (["arthritis_typo"], "'arthritis_typo', which is not a named rule of the dataset"),
    ],
)
def test_an_auxiliary_variable_must_be_a_named_rule_that_is_nothing_else(auxiliary, words):
    dataset = {"source": "table", "path": "x.csv", "columns": {"id": "ID", "age": "AGE", "sex": "SEX"}}
    dataset |= {"rules": ARTHRITIS_RULES | {"bmi": True, "log_weight": True}, "imputation": {"auxiliary": auxiliary}}
    with pytest.raises(ConfigError, match=words):
        validate_config({"conditions": ["knee_oa", "low_back_pain"], "datasets": {"d": dataset}})
