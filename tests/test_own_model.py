"""The researcher's own model (issue 19) against R survey on a cohort the project had not seen.

tests/reference/own_model/: a cohort confounded by race, education and income, with an association
that differs by sex (make_cohort.py), and R survey 4.1.1's figures for it (tests/r/own_model.R):
the adjusted odds ratios with race and Hispanic origin, education and the income ratio as
covariates (and with age as a natural spline), prevalence by race and Hispanic origin, each pair's
odds ratio within women and within men, and the Wald F of a x sex. Estimates to 1e-6 relative,
SEs and intervals to 1e-4, the interaction F and p to 1e-4.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import PROJECT, needs_r

from msk_cooccurrence import outputs
from msk_cooccurrence.config import validate_config
from msk_cooccurrence.pipeline import analysis_data, harmonize_and_validate, ingest
from msk_cooccurrence.settings import Settings, dataset_view

FOLDER = PROJECT / "tests" / "reference" / "own_model"
EXAMPLE = PROJECT / "config" / "examples" / "own_model.yaml"  # the mapping, variables and model: one place
COVARIATES = ["age", "sex", "race_eth", "education", "pir"]


def config_with(covariates=COVARIATES) -> dict:
    """config/examples/own_model.yaml (min_age aside: R's rows are every row of the file), the
    covariates given."""
    example = yaml.safe_load(EXAMPLE.read_text())
    example["datasets"]["ownmodel"] |= {"path": str(FOLDER / "cohort.csv")}
    example["literature"] = str(PROJECT / "config" / "literature.csv")
    assert example["covariates"] == COVARIATES and example["subgroups"] == ["sex"]
    return validate_config(example | {"covariates": covariates})


def tables_of(config: dict, names: list[str]) -> tuple[dict, object]:
    view = dataset_view(config, "ownmodel")
    settings = Settings.from_dict(view)
    _, result = harmonize_and_validate(
        "ownmodel", view["dataset"], ingest("ownmodel", view["dataset"], settings).raw, settings
    )
    assert result.summary["rows_quarantined"] == 0
    data = analysis_data(result.analysis, settings)
    specs = outputs.tables()
    return {n: specs[n].compute({"data": data, "settings": settings}) for n in names}, data


@pytest.fixture(scope="module")
def tables():
    return tables_of(config_with(), ["odds_ratios", "prevalence", "subgroups"])[0]


def close(ours: pd.DataFrame, reference: pd.DataFrame, keys: list[str], columns: dict[str, float]) -> None:
    merged = reference.merge(ours, on=keys, suffixes=("_r", ""), validate="one_to_one")
    assert len(merged) == len(reference), "rows of the R reference missing from ours"
    for column, rtol in columns.items():
        np.testing.assert_allclose(merged[column], merged[f"{column}_r"], rtol=rtol, atol=0, err_msg=column)


def test_adjusted_odds_ratios_match_r_survey(tables):
    reference = pd.read_csv(FOLDER / "odds_ratios.csv").query("model in ['crude', 'adjusted']")
    assert len(reference) == 12
    close(
        tables["odds_ratios"],
        reference,
        ["condition_a", "condition_b", "model"],
        {"estimate": 1e-6, "se": 1e-4, "ci_low": 1e-4, "ci_high": 1e-4, "p_value": 1e-4, "df": 0, "n": 0},
    )


def test_adjusted_odds_ratios_with_an_age_spline_match_r_survey():
    covariates = [{"name": "age", "spline": 4}, "sex", "race_eth", "education", "pir"]
    ours, data = tables_of(config_with(covariates), ["odds_ratios"])
    knots = pd.read_csv(FOLDER / "knots.csv")
    np.testing.assert_allclose(data.knots["age"], knots.iloc[:, -1].to_numpy(float), rtol=1e-12)
    reference = pd.read_csv(FOLDER / "odds_ratios.csv").query("model == 'adjusted_spline'").assign(model="adjusted")
    close(
        ours["odds_ratios"],
        reference,
        ["condition_a", "condition_b", "model"],
        {"estimate": 1e-6, "se": 1e-4, "ci_low": 1e-4, "ci_high": 1e-4, "df": 0, "n": 0},
    )


def test_prevalence_by_race_and_hispanic_origin_matches_r_survey(tables):
    reference = pd.read_csv(FOLDER / "prevalence.csv")
    assert set(reference["group"]) >= {"race_eth", "overall"}
    close(
        tables["prevalence"],
        reference,
        ["condition", "group", "level"],
        {"estimate": 1e-6, "se": 1e-4, "ci_low": 1e-4, "ci_high": 1e-4, "df": 0, "n": 0},
    )
    levels = tables["prevalence"].query("condition == 'knee_oa' and group == 'race_eth'")["level"].tolist()
    assert levels == [
        "Mexican American", "Other Hispanic", "Non-Hispanic White", "Non-Hispanic Black", "Other or multiracial"
    ], "levels in the order of the codes"  # fmt: skip


def test_odds_ratios_within_women_and_men_and_the_interaction_test_match_r_survey(tables):
    reference = pd.read_csv(FOLDER / "subgroups.csv")
    assert len(reference) == 12
    close(
        tables["subgroups"],
        reference,
        ["condition_a", "condition_b", "subgroup", "level"],
        {"estimate": 1e-6, "se": 1e-4, "ci_low": 1e-4, "ci_high": 1e-4, "p_value": 1e-4, "df": 0, "n": 0}
        | {"interaction_statistic": 1e-4, "interaction_p": 1e-4, "interaction_df_num": 0, "interaction_df_den": 0},
    )


def test_models_say_how_many_rows_unknown_covariates_cost(tables):
    adjusted = tables["odds_ratios"].query("model == 'adjusted'")
    crude = tables["odds_ratios"].query("model == 'crude'").set_index(["condition_a", "condition_b"])
    for row in adjusted.itertuples():
        lost = crude.loc[(row.condition_a, row.condition_b), "n"] - row.n
        assert lost > 0
        assert (
            f"{lost:,} of " in row.note and "Education " in row.note and "Family income to poverty ratio " in row.note
        )


@needs_r
def test_the_r_script_gives_the_committed_figures(tmp_path):
    subprocess.run(
        ["Rscript", str(PROJECT / "tests" / "r" / "own_model.R"), str(FOLDER / "cohort.csv"), str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for name in ("odds_ratios.csv", "prevalence.csv", "subgroups.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / name), pd.read_csv(FOLDER / name), rtol=1e-10)


def test_the_readme_notebook_example_runs_and_gives_the_table_row(tmp_path):
    """README's "From a notebook" snippet, as written: a statsmodels fit and the design-based odds ratio."""
    readme = (PROJECT / "README.md").read_text()
    section = readme[readme.index("### From a notebook") :]
    snippet = section[section.index("```python\n") + len("```python\n") : section.index("```\n", 10)]
    script = tmp_path / "notebook.py"
    report = "import json; row = fit.summary(1, report=np.exp); print('ROW', json.dumps([row['estimate'], row['n']]))"
    script.write_text(snippet + "\n" + report + "\n")
    done = subprocess.run([sys.executable, str(script)], cwd=PROJECT, capture_output=True, text=True, check=True)
    assert "Generalized Linear Model Regression Results" in done.stdout  # statsmodels' own summary
    estimate, n = json.loads(done.stdout.split("ROW ")[1])
    reference = pd.read_csv(FOLDER / "odds_ratios.csv").query(
        "condition_a == 'knee_oa' and condition_b == 'low_back_pain' and model == 'adjusted'"
    )
    assert n == reference["n"].iloc[0]
    np.testing.assert_allclose(estimate, reference["estimate"].iloc[0], rtol=1e-6)


def test_the_models_are_statsmodels_fits(tables):
    from statsmodels.genmod.generalized_linear_model import GLMResultsWrapper

    from msk_cooccurrence.survey.pairs import fit_pair

    _, data = tables_of(config_with(), [])
    fit = fit_pair(data, "knee_oa", "bunions", "adjusted")
    assert isinstance(fit.model, GLMResultsWrapper)
    kept = np.isfinite(fit.coef)
    np.testing.assert_allclose(fit.model.params, fit.coef[kept], rtol=1e-12)
    ours = tables["odds_ratios"].query("condition_a == 'knee_oa' and condition_b == 'bunions' and model == 'adjusted'")
    np.testing.assert_allclose(np.exp(fit.coef[1]), ours["estimate"].iloc[0], rtol=1e-9)


def test_the_report_names_each_covariate_by_its_label_and_shows_the_subgroups(tmp_path):
    import yaml
    from helpers import render_report, run_stages

    example = yaml.safe_load((PROJECT / "config" / "examples" / "own_model.yaml").read_text())
    example["datasets"]["ownmodel"]["path"] = str(FOLDER / "cohort.csv")
    config = validate_config(example | {"literature": str(PROJECT / "config" / "literature.csv")})
    paths = run_stages(config, "ownmodel", tmp_path, figures=True)
    html = render_report(config, "ownmodel", tmp_path, paths).read_text()
    methods = html[html.index('id="methods"') :]
    for words in (
        "Race and Hispanic origin (an indicator of each level against Non-Hispanic White)",
        "Education (an indicator of each level against College graduate)",
        "Family income to poverty ratio (linear)",
        "Sex (an indicator of female)",
        "Subgroups (effect modification)",
    ):
        assert words in methods, words
    assert "Family income to poverty ratio 448 (7.2%)" in methods  # the rows each covariate cost (448 blank)
    shown = html[: html.index('id="methods"')]
    assert ">race_eth<" not in shown and ">pir<" not in shown and "Race and Hispanic origin" in shown
    assert "Odds ratios by subgroup" in shown
