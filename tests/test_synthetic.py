"""The synthetic cohort: reproducible, calibrated, and its ground truth is right."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from msk_cooccurrence.config import validate_config
from msk_cooccurrence.intake.synthetic import (
    SyntheticSpec,
    draw_cohort,
    ground_truth,
    population_prevalence,
    solve_intercepts,
)
from msk_cooccurrence.survey.design import design_of
from msk_cooccurrence.survey.inference import proportion


def spec(**overrides) -> SyntheticSpec:
    dataset = {"source": "synthetic", "n": 2000, "seed": 11} | overrides
    return SyntheticSpec.from_config(validate_config({"datasets": {"s": dataset}})["datasets"]["s"])


def test_same_seed_same_rows_and_another_seed_other_rows():
    first, again, other = draw_cohort(spec()), draw_cohort(spec()), draw_cohort(spec(seed=12))
    pd.testing.assert_frame_equal(first, again)
    assert not first["age"].equals(other["age"])


def test_cohort_has_an_nhanes_like_design():
    cohort = draw_cohort(spec(n=5000, invalid_share=0.0))
    assert cohort.groupby("stratum")["psu"].nunique().min() >= 2
    assert cohort["weight"].std() / cohort["weight"].mean() > 0.2  # unequal weights
    assert 0.005 < cohort["knee_oa"].isna().mean() < 0.05  # a little item non-response
    assert cohort["id"].is_unique
    # older adults are oversampled, so their weights are smaller
    assert cohort.loc[cohort["age"] >= 60, "weight"].mean() < cohort.loc[cohort["age"] < 60, "weight"].mean()


def test_intercepts_reproduce_the_target_prevalences():
    s = spec()
    np.testing.assert_allclose(population_prevalence(s, solve_intercepts(s)), s.prevalence, rtol=1e-9)


def test_mutual_odds_ratio_truth_is_the_interaction_without_cluster_effect():
    # with no PSU effect, the log-linear model makes b | a, others, age, sex exactly logistic: OR = exp(lambda)
    s = spec(psu_sd=0.0)
    truth = ground_truth(s)
    mutual = truth[(truth["kind"] == "odds_ratio") & (truth["quantity"] == "mutual")]
    index = {c: i for i, c in enumerate(s.conditions)}
    for row in mutual.itertuples():
        assert row.value == pytest.approx(
            np.exp(s.pair_log_or[index[row.condition_a], index[row.condition_b]]), rel=1e-8
        )


def test_weighted_estimates_recover_the_population_prevalence():
    s = spec(n=60000, seed=5, invalid_share=0.0, psu_sd=0.0)
    cohort = draw_cohort(s)
    truth = ground_truth(s).query("kind == 'prevalence' and quantity == 'all'").set_index("condition_a")["value"]
    design = design_of(cohort)
    for condition in ("knee_oa", "bunions", "low_back_pain"):
        y = cohort[condition].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        estimate = proportion(y, design, np.ones(len(cohort), bool))
        assert abs(estimate.value() - truth[condition]) < 4 * estimate.se[0]
    # unweighted means are biased by the oversampling of older adults; weighting removes that
    knee = cohort["knee_oa"].astype(float)
    assert knee.mean() - truth["knee_oa"] > 0.01


def test_bmi_agrees_with_obesity_status_at_the_cut_off():
    s = spec(n=3000, invalid_share=0.0, missing_share=0.0)
    cohort = draw_cohort(s)
    share = (cohort["bmi"] >= s.obesity_bmi).mean()
    assert 0.3 < share < 0.6
    assert cohort["bmi"].between(15, 80).all()
