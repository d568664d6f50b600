"""The NHANES cycle as a built-in category (issue 20, item 6) against R survey.

A dataset of several NHANES cycles carries `cycle` from its files to the analysis rows (a category
whose levels are the cycles' names, the first the reference); prevalence has rows by cycle,
association.csv the Rao-Scott test of each condition across cycles, and the report warns where a
condition differs across them (p < 0.001). tests/reference/cycles/nhanes_cycles.csv was made by
tests/r/nhanes_cycles.R on the fixtures with examiners' drift in the bunions of the foot exam:
    python tests/nhanes_fixtures.py --drift /tmp/fx && Rscript tests/r/nhanes_cycles.R /tmp/fx OUT.csv
(prevalence by cycle from svyby of svyciprop, svychisq(~condition + cycle, statistic = "F"), and the
odds ratios of bunions adjusted for age, sex and cycle from svyglm). Estimates and F to 1e-6
relative, SEs, intervals and p to 1e-4.
"""

from __future__ import annotations

import html
import subprocess

import numpy as np
import pandas as pd
import pytest
from conftest import PROJECT, REFERENCE, needs_r
from helpers import render_report, run_stages
from nhanes_fixtures import DRIFT, example_config, write_fixtures

from msk_cooccurrence.config import validate_config
from msk_cooccurrence.errors import ConfigError
from msk_cooccurrence.pipeline import analysis_data, compute_tables, harmonize_and_validate, ingest
from msk_cooccurrence.settings import Settings, dataset_view

SCRIPT = PROJECT / "tests" / "r" / "nhanes_cycles.R"
COMMITTED = REFERENCE / "cycles" / "nhanes_cycles.csv"
CYCLES = ["1999-2000", "2001-2002", "2003-2004"]
COMPARED = ["bunions", "obesity", "low_back_pain"]  # the conditions R defines (knee OA's rules are the example's)


@pytest.fixture(scope="module")
def drift_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("drift")
    write_fixtures(folder, quirks=DRIFT)
    return folder


@pytest.fixture(scope="module")
def steady_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("steady")
    write_fixtures(folder)
    return folder


def cycle_config(folder, covariates=("age", "sex", "cycle")) -> dict:
    """The NHANES 1999-2004 example on these files, adjusted for age, sex and the cycle."""
    return validate_config(example_config("1999-2004", folder) | {"covariates": list(covariates)})


def tables_of(config: dict, names) -> dict[str, pd.DataFrame]:
    view = dataset_view(config, "nhanes")
    settings = Settings.from_dict(view)
    _, result = harmonize_and_validate(
        "nhanes", view["dataset"], ingest("nhanes", view["dataset"], settings).raw, settings
    )
    return compute_tables(analysis_data(result.analysis, settings), settings, {}, names)


@pytest.fixture(scope="module")
def drift_tables(drift_files):
    return tables_of(cycle_config(drift_files), ["prevalence", "association", "odds_ratios"])


def ours_as_reference(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Our prevalence by cycle, tests across cycles and adjusted odds ratios of bunions, in R's layout."""
    prevalence = tables["prevalence"].query("group == 'cycle'").assign(kind="prevalence", by="cycle", model="")
    tests = (
        tables["association"]
        .query("by == 'cycle'")
        .assign(kind="test", level="", model="", estimate=lambda d: d["statistic"])
    )
    odds = tables["odds_ratios"].query("model == 'adjusted' and condition_a == 'bunions'")
    odds = odds.assign(kind="odds_ratio", condition="bunions", by=odds["condition_b"], level="")
    return pd.concat([prevalence, tests, odds], ignore_index=True).fillna({"level": "", "model": ""})


def assert_matches_r(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    keys = ["kind", "condition", "by", "level", "model"]
    theirs = theirs.fillna({"level": "", "model": ""}).astype({"level": str})
    merged = theirs.merge(ours, on=keys, suffixes=("_r", ""), validate="one_to_one")
    assert len(merged) == len(theirs) == 3 * 4 + 2  # 3 conditions x (3 cycles + the test), 2 odds ratios
    assert (merged["n"] == merged["n_r"]).all()
    np.testing.assert_allclose(merged["estimate"], merged["estimate_r"], rtol=1e-6, atol=0)
    for column in ("se", "ci_low", "ci_high", "p_value"):
        np.testing.assert_allclose(merged[column], merged[f"{column}_r"], rtol=1e-4, atol=0, equal_nan=True)
    for column in ("df_num", "df_den"):
        np.testing.assert_allclose(merged[column], merged[f"{column}_r"], rtol=1e-6, atol=0, equal_nan=True)


def test_prevalence_by_cycle_the_rao_scott_test_across_cycles_and_cycle_adjusted_odds_ratios_match_r(drift_tables):
    ours = ours_as_reference(drift_tables)
    assert_matches_r(ours[ours["condition"].isin(COMPARED)], pd.read_csv(COMMITTED))
    bunions = drift_tables["prevalence"].query("condition == 'bunions' and group == 'cycle'")
    assert list(bunions["level"]) == CYCLES  # the cycles in config order, within the universe (40+)
    test = drift_tables["association"].query("condition == 'bunions' and by == 'cycle'")
    assert test["p_value"].iloc[0] < 0.001


@needs_r
def test_r_itself_on_freshly_written_files_gives_the_committed_figures(drift_files, drift_tables, tmp_path):
    out = tmp_path / "r.csv"
    subprocess.run(["Rscript", str(SCRIPT), str(drift_files), str(out)], check=True, capture_output=True)
    live, committed = pd.read_csv(out), pd.read_csv(COMMITTED)
    numbers = ["estimate", "se", "ci_low", "ci_high", "df_num", "df_den", "p_value"]
    np.testing.assert_allclose(live[numbers], committed[numbers], rtol=1e-12)
    ours = ours_as_reference(drift_tables)
    assert_matches_r(ours[ours["condition"].isin(COMPARED)], live)


def test_cycle_is_a_category_of_the_analysis_rows_its_levels_the_cycles_in_order(drift_files):
    settings = Settings.from_dict(dataset_view(cycle_config(drift_files, ("age", "sex")), "nhanes"))
    assert settings.variables["cycle"] == {
        "kind": "category",
        "levels": CYCLES,
        "reference": "1999-2000",
    }
    assert settings.groupings[-1] == "cycle" and "cycle" not in settings.covariates  # grouped by, not adjusted for
    assert settings.label("cycle") == "NHANES cycle"


def test_a_row_whose_cycle_is_not_one_of_the_datasets_is_quarantined(drift_files):
    view = dataset_view(cycle_config(drift_files), "nhanes")
    settings = Settings.from_dict(view)
    raw = ingest("nhanes", view["dataset"], settings).raw
    raw.loc[raw.index[:3], "cycle"] = "2005-2006"
    harmonized, result = harmonize_and_validate("nhanes", view["dataset"], raw, settings)
    assert set(harmonized["cycle"].dropna()) == {*CYCLES, "2005-2006"}
    assert result.summary["checks"] == {"cycle: not one of 1999-2000, 2001-2002, 2003-2004": 3}
    assert set(result.analysis["cycle"]) == set(CYCLES)


def test_cycle_where_no_dataset_has_several_cycles_is_a_plain_config_error(drift_files):
    single = example_config("1999-2004", drift_files)
    single["datasets"]["nhanes"]["cycles"] = single["datasets"]["nhanes"]["cycles"][2:]
    for key in ("covariates", "groupings", "subgroups"):
        with pytest.raises(ConfigError, match=f"`{key}` names 'cycle', the NHANES cycle, which only a dataset of sev"):
            validate_config(single | {key: [*single.get(key, ["age", "sex"] if key == "covariates" else []), "cycle"]})
    assert "cycle" not in Settings.from_dict(dataset_view(validate_config(single), "nhanes")).variables


def test_a_dataset_without_cycles_beside_one_with_them_is_warned_that_it_lacks_the_cycle(drift_files, tmp_path):
    config = example_config("1999-2004", drift_files) | {"covariates": ["age", "sex", "cycle"]}
    config["datasets"]["cohort"] = {"source": "synthetic", "n": 3000, "seed": 3}
    config = validate_config(config)
    paths = run_stages(config, "cohort", tmp_path, tables=False)
    warnings = pd.read_json(paths["validation"], typ="series")["warnings"]
    assert any("`covariates` names NHANES cycle (cycle), which this dataset does not have" in w for w in warnings)
    assert any("Only a dataset of several NHANES cycles has the cycle." in w for w in warnings)


def report_of(config: dict, folder) -> str:
    paths = run_stages(config, "nhanes", folder, figures=True)
    return html.unescape(
        render_report(config, "nhanes", folder, paths).read_text()
    )  # the page's text as a reader sees it


@pytest.mark.slow
def test_the_report_warns_beside_the_prevalence_where_a_condition_differs_across_cycles(drift_files, tmp_path):
    page = report_of(cycle_config(drift_files, ("age", "sex")), tmp_path)
    r = pd.read_csv(COMMITTED).query("condition == 'bunions'").set_index("kind")  # R's figures, as printed
    test, first = r.loc["test"], r.loc["prevalence"].iloc[0]
    sentence = (
        f"Bunions (hallux valgus), ages 40+: prevalence differs across NHANES cycles (Rao-Scott F = "
        f"{test.estimate:.2f} on {test.df_num:.2f} and {test.df_den:.1f} df, p < 0.001)"
    )
    cycle = f"1999-2000 {100 * first.estimate:.1f}% ({100 * first.ci_low:.1f}–{100 * first.ci_high:.1f})"
    findings = page[page.index('id="findings"') : page.index('id="claims"')]
    assert test.p_value < 0.001 and sentence in findings and cycle in findings
    assert "consider `cycle` as a covariate" in findings
    prevalence = page[page.index('id="table-prevalence"') :]
    assert prevalence.index(sentence) < prevalence.index("<table")  # above the table, not below it
    assert "Obesity: prevalence differs" not in page  # p = 0.31


@pytest.mark.slow
def test_the_report_says_nothing_of_cycles_where_no_condition_differs_across_them(steady_files, tmp_path):
    page = report_of(cycle_config(steady_files), tmp_path)
    assert "differs across NHANES cycles" not in page.lower()
    assert "NHANES cycle (an indicator of each level against 1999-2000)" in page  # the covariate, in the methods


def test_the_warning_says_the_adjusted_models_allow_for_the_cycle_where_it_is_a_covariate(drift_tables):
    from msk_cooccurrence.report.dataset_text import cycle_warnings

    for covariates, words in (
        (["age", "sex", "cycle"], "the adjusted models include `cycle` as a covariate, the crude estimates and"),
        (["age", "sex"], "consider `cycle` as a covariate"),
    ):
        found = cycle_warnings(drift_tables["association"], drift_tables["prevalence"], {"covariates": covariates}, {})
        assert (
            len(found) == 1 and found[0].startswith("Bunions (hallux valgus): prevalence differs") and words in found[0]
        )
