"""prevalence.csv's population, cases, deff, Korn-Graubard interval and NCHS reliability.

Against R survey 4.1.1 (tests/r/tables.R; committed figures under tests/reference/, a live run where
R is installed): population and cases 1e-6, deff and the KG bounds 1e-4 relative, on the shared
extract and on a design whose domains trip every reliability rule. The verdicts against CDC's own
code: surveytable's NCHS mode as tests/r/nchs_reliability.R transcribes it (effective n, interval,
flags and the deciding rule), on domains where its capped, df-adjusted effective n decides.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import needs_r
from helpers import settings_of
from r_reference import (
    REFERENCE,
    STANDARD,
    analysis_of,
    assert_close,
    domain_prevalence,
    live,
    reference,
    small_domains,
    survey_small,
)
from scipy import stats

from msk_cooccurrence import outputs
from msk_cooccurrence.survey.design import SurveyDesign, design_summary, kish_effective_n
from msk_cooccurrence.survey.estimate import korn_graubard_interval
from msk_cooccurrence.survey.inference import proportion
from msk_cooccurrence.survey.reliability import (
    RELIABILITY,
    SEPARATOR,
    nchs_effective_n,
    nchs_reliability,
    nchs_width,
    proportion_reliability,
    standardized_srs_variance,
)
from msk_cooccurrence.survey.standardize import standard_groups, standardized_proportion

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


def test_the_domains_trip_every_rule_and_the_file_is_what_its_script_writes():
    sys.path.insert(0, str(REFERENCE))
    from make_small_domains import small_domains as made

    written = pd.read_csv(REFERENCE / "small_domains.csv")
    pd.testing.assert_frame_equal(made().reset_index(drop=True), written, check_dtype=False)
    verdicts = domain_prevalence().set_index("domain")["reliability"]
    every = [*verdicts, *ours_as_surveytable(nchs_domains())["verdict"]]
    assert {part for v in every for part in v.split(SEPARATOR)} == set(RELIABILITY)
    assert verdicts["tiny"].startswith("suppress: effective n") and verdicts["common"].startswith(
        "footnote: complement"
    )


NCHS = REFERENCE.parent / "nchs"
FLAGS = {"suppress": "Px", "footnote": "Pc", "review: df": "Pdf", "review: 0%": "P0"}
RULES = {  # surveytable's rule that suppressed (z_lpe.R 102-108) -> our reason
    "effective sample size < 30": "suppress: effective n < 30",
    "width >= 0.30": "suppress: CI width >= 0.30",
    "relative width > 130%": "suppress: relative CI width > 130%",
}


def surveytable_flags(verdict: str) -> str:
    """Our verdict in surveytable's flags: Px (suppress), Pc (complement), Pdf (df < 8), P0 (0% or 100%)."""
    parts = [] if verdict == "ok" else verdict.split(SEPARATOR)
    return " ".join(next(flag for start, flag in FLAGS.items() if part.startswith(start)) for part in parts)


def nchs_domains():
    frame = pd.read_csv(NCHS / "nchs_domains.csv")
    return analysis_of(frame.assign(stratum=frame["stratum"].astype(str), psu=frame["psu"].astype(str)), ["y"])


def ours_as_surveytable(data) -> pd.DataFrame:
    """Each domain's proportion (and all rows', and the standardized ones of nchs_reliability.R), our NCHS figures."""
    frame, design = data.frame, data.design
    y = frame["y"].to_numpy(float)
    domains = frame["domain"].to_numpy()
    rows = []
    for name in ["all", *dict.fromkeys(domains)]:
        mask = np.ones(len(frame), bool) if name == "all" else domains == name
        rows.append({"domain": name, **_nchs_figures(proportion(y, design, mask))})
        if "age" in frame and name in ("all", "stratified", "ok"):
            estimate, used = standardized_proportion(y, design, mask, frame["age"].to_numpy(float), STANDARD)
            group = standard_groups(frame["age"].to_numpy(float), [g["lower"] for g in STANDARD])
            srs = standardized_srs_variance(y, design.weight, used, group, [g["population"] for g in STANDARD])
            rows.append({"domain": f"standardized:{name}", **_nchs_figures(estimate, srs)})
    return pd.DataFrame(rows)


def _nchs_figures(estimate, srs=None) -> dict:
    p, variance = estimate.value(), float(estimate.vcov[0, 0])
    n_nchs = nchs_effective_n(p, variance, estimate.n, estimate.df, srs)
    verdict = proportion_reliability(estimate, srs)["reliability"]
    return {"n": estimate.n, "estimate": p, "df": estimate.df, "n_effective_nchs": n_nchs, "verdict": verdict}


@pytest.mark.parametrize("case", ["nchs_domains", "small_domains"])
def test_verdicts_are_surveytables(case):
    """Effective n, interval width, flags and the suppressing rule equal CDC's surveytable's (NCHS mode)."""
    data = nchs_domains() if case == "nchs_domains" else small_domains()
    ours = ours_as_surveytable(data)
    r = pd.read_csv(NCHS / f"{case}_surveytable.csv", keep_default_na=False)
    merged = r.merge(ours, on="domain", suffixes=("_r", ""), validate="one_to_one")
    assert len(merged) == len(r) == len(ours)
    np.testing.assert_array_equal(merged["n"], merged["n_r"])
    np.testing.assert_array_equal(merged["df"], merged["df_r"])
    assert_close(merged, ["estimate", "n_effective_nchs"], rtol=1e-6)
    widths = [nchs_width(row.estimate, row.se**2, row.n_effective_nchs) for row in merged.itertuples()]
    np.testing.assert_allclose(widths, merged["nchs_width"], rtol=1e-6, atol=1e-12)
    assert list(merged["verdict"].map(surveytable_flags)) == list(merged["flags"])
    suppressed = merged["flags"] == "Px"
    assert list(merged.loc[suppressed, "verdict"]) == list(merged.loc[suppressed, "rule"].map(RULES))


def test_the_nchs_domains_hit_each_choice_of_surveytable():
    """The committed CDC figures: where the cap, the df factor and the flags decide against R's interval."""
    sys.path.insert(0, str(NCHS))
    from make_nchs_domains import nchs_domains as made

    written = pd.read_csv(NCHS / "nchs_domains.csv")
    pd.testing.assert_frame_equal(made().reset_index(drop=True), written, check_dtype=False)
    r = pd.read_csv(NCHS / "nchs_domains_surveytable.csv", keep_default_na=False).set_index("domain")
    ours = ours_as_surveytable(nchs_domains()).set_index("domain")
    kg = domain_figures(nchs_domains())
    # capped: R's effective n is far above n, its KG interval narrow; surveytable's is capped at n
    assert kg.loc["capped", "n_effective"] > 10 * r.loc["capped", "n"] and kg.loc["capped", "kg_width"] < 0.05
    assert r.loc["capped", ["n_effective_nchs", "rule", "flags"]].tolist() == [44, "width >= 0.30", "Px"]
    # boundary: min(p(1-p)/var, n) >= 30 (NCHS's SAS macro would not suppress on it), the df-adjusted one < 30
    assert min(kg.loc["boundary", "n_effective"], r.loc["boundary", "n"]) >= 30
    assert r.loc["boundary", "n_effective_nchs"] < 30 and r.loc["boundary", "rule"] == "effective sample size < 30"
    assert r.loc["complement_fewdf", "flags"] == "Pc Pdf" and r.loc["zero_fewdf", "flags"] == "Pdf P0"
    assert r.loc["zero_small", "flags"] == "Px" and r.loc["standardized:ok", "n_effective_nchs"] < 900
    assert ours.loc["complement_fewdf", "verdict"] == "footnote: complement relative CI width > 130%; review: df < 8"


def domain_figures(data) -> pd.DataFrame:
    frame, y = data.frame, data.frame["y"].to_numpy(float)
    rows = []
    for name in dict.fromkeys(frame["domain"]):
        estimate = proportion(y, data.design, (frame["domain"] == name).to_numpy())
        figures = proportion_reliability(estimate)
        rows.append(
            {"domain": name, "n_effective": figures["n_effective"], "kg_width": figures["kg_high"] - figures["kg_low"]}
        )
    return pd.DataFrame(rows).set_index("domain")


@needs_r
@pytest.mark.parametrize("case", ["nchs_domains", "small_domains"])
def test_the_committed_surveytable_figures_are_what_the_r_script_writes(case, tmp_path):
    source = NCHS / "nchs_domains.csv" if case == "nchs_domains" else REFERENCE / "small_domains.csv"
    out = tmp_path / "out.csv"
    subprocess.run(["Rscript", str(NCHS.parent.parent / "r" / "nchs_reliability.R"), str(source), str(out)], check=True)
    committed = pd.read_csv(NCHS / f"{case}_surveytable.csv", keep_default_na=False)
    pd.testing.assert_frame_equal(pd.read_csv(out, keep_default_na=False), committed, rtol=1e-9)


def test_every_n_effective_is_p_q_over_the_variance(tmp_path):
    rows = domain_prevalence()
    rows.to_csv(tmp_path / "t.csv", index=False, float_format="%.15g")
    rows = pd.read_csv(tmp_path / "t.csv")  # as a reader of the CSV sees it
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
        ((0.5, 100, 29.9, 0.10, 20), "suppress: effective n < 30"),
        ((0.5, 29, 500.0, 0.10, 20), "suppress: effective n < 30"),  # n_eff is capped at n
        ((0.02, 500, 400.0, 0.05, 20), "ok"),  # a width of 5 points or less is always shown
        ((0.02, 500, 400.0, 0.0501, 20), "suppress: relative CI width > 130%"),
        ((0.5, 100, 80.0, 0.30, 20), "suppress: CI width >= 0.30"),
        ((0.5, 100, 80.0, 0.10, 7), "review: df < 8"),
        ((0.96, 100, 80.0, 0.06, 7), "footnote: complement relative CI width > 130%; review: df < 8"),
        ((0.0, 100, 3.0, 0.2, 20), "review: 0% or 100%"),  # at 0% n_eff is n and the width 0
        ((1.0, 100, 100.0, 0.0, 5), "review: df < 8; review: 0% or 100%"),
        ((np.nan, 0, np.nan, np.nan, 0), "suppress: effective n < 30"),
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
