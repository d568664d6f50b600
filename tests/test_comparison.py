"""Datasets compared and pooled (issue 23, item 11): reports/comparison.csv against R metafor and closed forms.

The reference: tests/r/comparison.R runs metafor's rma(yi, sei, method = "REML") and "DL" on the
odds ratios of three datasets the project has not seen (tests/reference/comparison/datasets.yaml,
made by make_inputs.py into inputs.csv), committed as metafor.csv so that the comparison runs
without R; where Rscript and metafor are present, the R script is run again live.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import PROJECT

from msk_cooccurrence import outputs
from msk_cooccurrence.config import validate_config
from msk_cooccurrence.survey.meta_analysis import random_effects
from msk_cooccurrence.tables.comparison import comparison_table

HERE = Path(__file__).parent
REFERENCE = HERE / "reference" / "comparison"
SCRIPT = HERE / "r" / "comparison.R"
KEYS = ["condition_a", "condition_b", "model"]
COLUMNS = (
    "condition_a, condition_b, model, k, datasets, estimate, ci_low, ci_high, tau2, i2, q, q_p_value, method, note"
)


def has_metafor() -> bool:
    if shutil.which("Rscript") is None:
        return False
    return subprocess.run(["Rscript", "-e", "library(metafor)"], capture_output=True).returncode == 0


needs_metafor = pytest.mark.skipif(not has_metafor(), reason="Rscript with metafor is not installed")


def odds_by_dataset(inputs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {name: part.drop(columns="dataset") for name, part in inputs.groupby("dataset", sort=False)}


def assert_as_metafor(ours: pd.DataFrame, metafor: pd.DataFrame, method: str) -> None:
    """Every pooled row of ours against metafor's (1e-6; I2, in percent, 1e-4), and no row left out."""
    expected = metafor[metafor["method"] == method]
    merged = ours.merge(expected, on=KEYS, suffixes=("", "_r"), validate="one_to_one")
    assert len(merged) == len(expected) == ours["estimate"].notna().sum()
    assert (merged["k"] == merged["k_r"]).all() and (merged["method"] == method).all()
    for column in ["estimate", "ci_low", "ci_high", "tau2", "q", "q_p_value"]:
        np.testing.assert_allclose(merged[column], merged[f"{column}_r"], rtol=0, atol=1e-6, err_msg=column)
    np.testing.assert_allclose(merged["i2"], merged["i2_r"], rtol=0, atol=1e-4, err_msg="i2")


# closed forms


def test_equal_estimates_have_no_heterogeneity():
    for method in ("REML", "DL"):
        pooled = random_effects([0.4, 0.4, 0.4], [0.1, 0.2, 0.3], method)
        assert pooled.tau2 == 0 and pooled.q == pytest.approx(0, abs=1e-12) and pooled.i2 == 0
        assert pooled.q_p_value == pytest.approx(1)
        assert pooled.estimate == pytest.approx(0.4)
        assert pooled.se == pytest.approx((1 / 0.01 + 1 / 0.04 + 1 / 0.09) ** -0.5)


def test_dersimonian_laird_by_hand():
    y, se = np.array([0.1, 0.9, 0.5]), np.array([0.2, 0.25, 0.15])
    w = 1 / se**2
    fixed = (w * y).sum() / w.sum()
    q = (w * (y - fixed) ** 2).sum()
    tau2 = (q - 2) / (w.sum() - (w**2).sum() / w.sum())
    assert tau2 > 0
    w_star = 1 / (se**2 + tau2)
    mean = (w_star * y).sum() / w_star.sum()
    pooled = random_effects(y, se, "DL")
    assert pooled.q == pytest.approx(q, rel=1e-12) and pooled.tau2 == pytest.approx(tau2, rel=1e-12)
    assert pooled.estimate == pytest.approx(mean, rel=1e-12)
    assert pooled.ci_low == pytest.approx(mean - 1.959963984540054 / np.sqrt(w_star.sum()), rel=1e-12)
    assert pooled.i2 == pytest.approx(100 * (q - 2) / q, rel=1e-12)  # for DL, metafor's I2 is (Q - df) / Q


def test_less_heterogeneity_than_chance_is_truncated_at_zero():
    """Q below its df: the moment estimate is negative (statsmodels keeps it), metafor's tau2 is 0."""
    y, se = [0.30, 0.31, 0.29], [0.2, 0.2, 0.2]
    for method in ("REML", "DL"):
        pooled = random_effects(y, se, method)
        assert pooled.q < 2 and pooled.tau2 == 0 and pooled.i2 == 0
        assert pooled.estimate == pytest.approx(0.30) and pooled.se == pytest.approx(0.2 / np.sqrt(3))


def test_a_pair_in_fewer_than_two_datasets_gets_a_note_not_a_number():
    one = pd.DataFrame(
        {"condition_a": ["a", "a"], "condition_b": ["b", "c"], "model": "adjusted", "estimate": [2.0, 1.5]}
    ).assign(se=0.2)
    other = pd.DataFrame({"condition_a": ["a"], "condition_b": ["b"], "model": ["adjusted"], "estimate": [3.0]})
    other["se"] = [0.3]
    table = comparison_table({"one": one, "other": other.assign(estimate=[np.nan])})
    assert ", ".join(table.columns) == COLUMNS
    assert table["estimate"].isna().all() and (table["k"] == 1).all()
    assert table["note"].str.contains("estimated in one only: two datasets or more are needed").all()
    pooled = comparison_table({"one": one, "other": other})
    assert (
        pooled.loc[0, "k"] == 2 and pooled.loc[0, "datasets"] == "one; other" and np.isfinite(pooled.loc[0, "estimate"])
    )


# against metafor: committed figures, and R again where it is installed


@pytest.mark.parametrize("method", ["REML", "DL"])
def test_pooled_as_metafor_on_the_committed_odds_ratios(method):
    inputs = pd.read_csv(REFERENCE / "inputs.csv")
    ours = comparison_table(odds_by_dataset(inputs), method)
    assert_as_metafor(ours, pd.read_csv(REFERENCE / "metafor.csv"), method)
    # the weaker dataset makes the datasets disagree: some pairs carry heterogeneity, some none
    assert (ours["tau2"] > 0.01).any() and (ours["tau2"] == 0).any()


@needs_metafor
def test_metafor_again_gives_the_committed_figures(tmp_path):
    subprocess.run(["Rscript", str(SCRIPT), str(REFERENCE / "inputs.csv"), str(tmp_path / "m.csv")], check=True)
    again, committed = pd.read_csv(tmp_path / "m.csv"), pd.read_csv(REFERENCE / "metafor.csv")
    pd.testing.assert_frame_equal(again, committed, rtol=1e-12)


# the workflow: three datasets in one config


def workflow_with(where: Path, datasets: dict, **settings) -> Path:
    where.mkdir(parents=True)
    shutil.copy(PROJECT / "Snakefile", where)
    shutil.copytree(PROJECT / "workflow", where / "workflow")
    (where / "config").mkdir()
    config = {"literature": str(PROJECT / "config" / "literature.csv"), "datasets": datasets} | settings
    (where / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return where


def snakemake(where: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "snakemake", *args], cwd=where, capture_output=True, text=True)


@pytest.fixture(scope="module")
def three_datasets(tmp_path_factory):
    datasets = yaml.safe_load((REFERENCE / "datasets.yaml").read_text())
    where = workflow_with(tmp_path_factory.mktemp("pooled") / "run", datasets, comparison={"method": "REML"})
    result = snakemake(where, "--cores", "4")
    assert result.returncode == 0, result.stderr[-3000:]
    return where, list(datasets)


@pytest.mark.slow
def test_the_workflow_pools_three_datasets_as_metafor(three_datasets):
    where, names = three_datasets
    odds = {name: pd.read_csv(where / "reports" / name / "tables" / "odds_ratios.csv") for name in names}
    inputs = pd.read_csv(REFERENCE / "inputs.csv")
    for name, table in odds.items():  # the run's odds ratios are those metafor pooled
        committed = inputs[inputs["dataset"] == name].reset_index(drop=True)
        np.testing.assert_allclose(table["estimate"], committed["estimate"], rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(table["se"], committed["se"], rtol=1e-12, err_msg=name)
    comparison = pd.read_csv(where / outputs.run_outputs()["comparison"].path)
    assert ", ".join(comparison.columns) == COLUMNS
    assert (comparison["datasets"] == "; ".join(names)).all()
    assert_as_metafor(comparison, pd.read_csv(REFERENCE / "metafor.csv"), "REML")
    index = (where / "reports" / "index.html").read_text()
    assert "Pooling assumes the datasets are independent samples." in index
    assert "share respondents" in index and index.count("data:image/svg+xml;base64,") == 2
    assert (where / outputs.run_outputs()["comparison_forest"].path).read_text().count("<svg") == 1


@pytest.mark.slow
def test_changing_the_method_reruns_only_the_comparison_and_the_index(three_datasets, tmp_path):
    where, _ = three_datasets
    config = yaml.safe_load((where / "config" / "config.yaml").read_text()) | {"comparison": {"method": "DL"}}
    (tmp_path / "dl.yaml").write_text(yaml.safe_dump(config))
    dry = snakemake(where, "-n", "--cores", "1", "--configfile", str(tmp_path / "dl.yaml"))
    assert dry.returncode == 0, dry.stderr[-3000:]
    planned = {line.split()[0] for line in dry.stdout.splitlines() if line.strip().endswith(("1", "2")) and " " in line}
    assert {"comparison", "index"} <= planned and not planned & {"ingest", "validate", "tables_models", "report"}
    result = snakemake(where, "--cores", "2", "--configfile", str(tmp_path / "dl.yaml"))
    assert result.returncode == 0, result.stderr[-3000:]
    comparison = pd.read_csv(where / "reports" / "comparison.csv")
    assert_as_metafor(comparison, pd.read_csv(REFERENCE / "metafor.csv"), "DL")


@pytest.mark.slow
@needs_metafor
def test_metafor_live_on_the_run_s_own_odds_ratios(three_datasets, tmp_path):
    where, names = three_datasets
    frames = [pd.read_csv(where / "reports" / n / "tables" / "odds_ratios.csv").assign(dataset=n) for n in names]
    pd.concat(frames).to_csv(tmp_path / "in.csv", index=False, float_format="%.17g")
    subprocess.run(["Rscript", str(SCRIPT), str(tmp_path / "in.csv"), str(tmp_path / "m.csv")], check=True)
    comparison = pd.read_csv(where / "reports" / "comparison.csv")
    assert_as_metafor(comparison, pd.read_csv(tmp_path / "m.csv"), comparison["method"].iloc[0])


def test_one_dataset_has_no_comparison(tmp_path):
    where = workflow_with(tmp_path / "one", {"only": {"source": "synthetic", "n": 200, "seed": 1}})
    planned = snakemake(where, "-n", "--cores", "1")
    assert planned.returncode == 0 and "comparison" not in planned.stdout
    asked = snakemake(where, "-n", "--cores", "1", "reports/comparison.csv")
    assert asked.returncode != 0 and "pools the datasets of a run, and this config has one (only)" in asked.stderr


def test_readme_shows_the_pooled_example_as_it_runs():
    """README's config for comparing datasets is config/examples/pooled.yaml's, word for word; its
    command is run by tests/test_documentation.py (a dry run) and by CI in full (--run-examples)."""
    readme = (PROJECT / "README.md").read_text()
    section = readme.split("## Comparing and pooling datasets", 1)[1].split("\n## ", 1)[0]
    shown = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    example = PROJECT / "config" / "examples" / "pooled.yaml"
    assert shown == example.read_text().split("\n\n", 1)[1]
    assert "snakemake --cores 4 reports/index.html --configfile config/examples/pooled.yaml" in section
    defaults = yaml.safe_load((PROJECT / "config" / "config.yaml").read_text())
    given = yaml.safe_load(shown)
    merged = defaults | given | {"datasets": {**defaults["datasets"], **given["datasets"]}}
    checked = validate_config(merged)
    assert list(checked["datasets"]) == ["clinic_north", "clinic_south", "rural_survey"]
    assert checked["comparison"] == {"method": "REML"}
