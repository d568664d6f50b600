"""prevalence.csv's population, cases, deff, Korn-Graubard interval and NCHS reliability.

Against R survey 4.1.1 (tests/r/tables.R; committed figures under tests/reference/, a live run where
R is installed): population and cases 1e-6, deff and the KG bounds 1e-4 relative, on the shared
extract and on a design whose domains trip every reliability rule. Each row's verdict is checked
against its own n_effective, interval and df by the rules written out here once more.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from conftest import needs_r
from helpers import settings_of
from r_reference import (
    REFERENCE,
    STANDARD,
    assert_close,
    domain_prevalence,
    live,
    reference,
    survey_small,
)
from scipy import stats

from msk_cooccurrence import outputs
from msk_cooccurrence.design import SurveyDesign
from msk_cooccurrence.estimate import korn_graubard_interval
from msk_cooccurrence.reliability import RELIABILITY, design_summary, kish_effective_n, nchs_reliability

KEYS = ["condition", "group", "level"]


def our_prevalence(interval="logit") -> pd.DataFrame:
    settings = settings_of(standard_population={"name": "US 2000", "groups": STANDARD}, proportion_ci=interval)
    return outputs.tables()["prevalence"].compute({"data": survey_small(), "settings": settings})


def compare_prevalence(ours: pd.DataFrame, r: pd.DataFrame, keys) -> None:
    merged = r.merge(ours, on=keys, suffixes=("_r", ""), validate="one_to_one")
    assert len(merged) == len(r)
    np.testing.assert_array_equal(merged["n"], merged["n_r"])
    np.testing.assert_array_equal(merged["df"], merged["df_r"])
    assert_close(merged, ["population", "cases", "estimate"], rtol=1e-6)
    assert_close(merged, ["se", "deff", "kg_low", "kg_high"], rtol=1e-4)


def test_prevalence_matches_committed_r_figures_on_the_reference_extract():
    r = reference("survey_small", "prevalence")
    assert {"overall", "age_standardized", "sex", "age_band", "bmi_class"} == set(r["group"])
    compare_prevalence(our_prevalence(), r, KEYS)


def test_small_domains_match_committed_r_figures():
    compare_prevalence(domain_prevalence(), reference("domains", "prevalence"), ["domain"])


@needs_r
def test_prevalence_matches_r_run_now(r_tables):
    compare_prevalence(our_prevalence(), live("survey_small", "prevalence", r_tables), KEYS)
    compare_prevalence(domain_prevalence(), live("domains", "prevalence", r_tables), ["domain"])


def test_the_small_domains_trip_every_rule_and_the_file_is_what_its_script_writes():
    sys.path.insert(0, str(REFERENCE))
    from make_small_domains import small_domains

    written = pd.read_csv(REFERENCE / "small_domains.csv")
    pd.testing.assert_frame_equal(small_domains().reset_index(drop=True), written, check_dtype=False)
    verdicts = domain_prevalence().set_index("domain")["reliability"]
    assert set(verdicts) == set(RELIABILITY)
    assert verdicts["tiny"].startswith("suppress: effective n") and verdicts["common"].startswith("review: complement")


def independent_verdict(row) -> str:
    """The NCHS standard's steps (Parker et al. 2017) as NCHS's SAS macro calculate_KornGraubard_CIs applies them."""
    width = row.kg_high - row.kg_low
    if not min(row.n_effective, row.n) >= 30:
        return "suppress: effective n < 30"
    if width >= 0.30:
        return "suppress: CI width >= 0.30"
    if width > 0.05 and row.estimate > 0 and width / row.estimate > 1.30:
        return "suppress: relative CI width > 130%"
    if row.df < 8:
        return "review: df < 8"
    if width > 0.05 and row.estimate < 1 and width / (1 - row.estimate) > 1.30:
        return "review: complement relative CI width > 130%"
    if row.estimate in (0, 1):
        return "review: 0% or 100%"
    return "ok"


@pytest.mark.parametrize("table", ["reference", "domains"])
def test_every_verdict_follows_from_the_rows_own_figures(table, tmp_path):
    rows = our_prevalence() if table == "reference" else domain_prevalence()
    rows.to_csv(tmp_path / "t.csv", index=False, float_format="%.15g")
    rows = pd.read_csv(tmp_path / "t.csv")  # as a reader of the CSV sees it
    expected = [independent_verdict(r) for r in rows.itertuples()]
    assert list(rows["reliability"]) == expected
    with_cases = rows[(rows["estimate"] > 0) & (rows["estimate"] < 1)]
    np.testing.assert_allclose(
        with_cases["n_effective"], with_cases["estimate"] * (1 - with_cases["estimate"]) / with_cases["se"] ** 2
    )


def test_zero_and_one_get_the_exact_binomial_interval_where_r_has_none():
    rows = domain_prevalence().set_index("domain")
    for domain, (low, high) in {
        "none": (0, stats.beta.ppf(0.975, 1, 60)),
        "full": (stats.beta.ppf(0.025, 50, 1), 1),
    }.items():
        assert rows.loc[domain, "n_effective"] == rows.loc[domain, "n"]
        assert rows.loc[domain, ["kg_low", "kg_high"]].tolist() == pytest.approx([low, high], rel=1e-12)
    r = reference("domains", "prevalence").set_index("domain")
    assert r.loc[["none", "full"], ["kg_low", "kg_high"]].isna().all().all()


def test_korn_graubard_is_clopper_pearson_when_the_design_is_simple_random_sampling():
    # n_eff = n when var = p(1 - p)/n, and df = n - 1 makes the t ratio 1
    n, cases = 50, 7
    p = cases / n
    low, high, _ = korn_graubard_interval(p, p * (1 - p) / n, n, n - 1)
    assert (low, high) == pytest.approx(
        (stats.beta.ppf(0.025, cases, n - cases + 1), stats.beta.ppf(0.975, cases + 1, n - cases))
    )


@pytest.mark.parametrize(
    "args, verdict",
    [
        ((0.5, 100, 29.9, 0.45, 0.55, 20), "suppress: effective n < 30"),
        ((0.5, 29, 500.0, 0.45, 0.55, 20), "suppress: effective n < 30"),  # n_eff is capped at n
        ((0.02, 500, 400.0, 0.0, 0.05, 20), "ok"),  # a width of 5 points or less is always shown
        ((0.02, 500, 400.0, 0.0, 0.0501, 20), "suppress: relative CI width > 130%"),
        ((0.5, 100, 80.0, 0.35, 0.65, 20), "suppress: CI width >= 0.30"),
        ((0.5, 100, 80.0, 0.45, 0.55, 7), "review: df < 8"),
        ((0.0, 100, 100.0, 0.0, 0.036, 20), "review: 0% or 100%"),
        ((np.nan, 0, np.nan, np.nan, np.nan, 0), "suppress: effective n < 30"),
    ],
)
def test_rule_boundaries(args, verdict):
    assert nchs_reliability(*args) == verdict


def test_the_configured_interval_fills_ci_low_and_ci_high():
    logit, kg = our_prevalence("logit"), our_prevalence("korn_graubard")
    np.testing.assert_array_equal(kg["ci_low"], kg["kg_low"])
    np.testing.assert_array_equal(kg["ci_high"], kg["kg_high"])
    np.testing.assert_array_equal(logit["kg_low"], kg["kg_low"])
    assert not np.allclose(logit["ci_low"], kg["ci_low"], equal_nan=True)


def test_kish_effective_n_and_the_design_summary():
    assert kish_effective_n(np.array([1.0, 1.0, 2.0, 2.0])) == pytest.approx(36 / 10)
    design = SurveyDesign.from_columns([1.0, 2.0, 3.0, 4.0, 5.0], ["a", "a", "a", "b", "c"], [1, 2, 2, 1, 1])
    summary = design_summary(design)
    assert (summary["strata"], summary["psus"], summary["strata_with_one_psu"]) == (3, 4, 2)
    assert summary["strata_with_one_psu_labels"] == ["b", "c"] and "grand mean" in summary["lonely_psu_handling"]
    assert summary["degrees_of_freedom"] == 1 and summary["sum_of_weights"] == 15
    assert (summary["weight_min"], summary["weight_max"]) == (1, 5)
    assert summary["kish_effective_n"] == pytest.approx(225 / 55)
