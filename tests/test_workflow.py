"""End to end: the Snakemake workflow on a small config in a temporary directory."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import PROJECT, tracked_copy
from helpers import CODES, COLUMNS, small_table

from msk_cooccurrence import outputs

pytestmark = pytest.mark.slow
TABLES = tuple(outputs.tables())
FIGURES = tuple(outputs.figures())


def workflow_copy(where: Path, datasets: dict) -> Path:
    where.mkdir(parents=True)
    shutil.copy(PROJECT / "Snakefile", where)
    shutil.copytree(PROJECT / "workflow", where / "workflow")
    shutil.copytree(PROJECT / "profiles", where / "profiles")
    (where / "config").mkdir()
    config = {
        "conditions": ["knee_oa", "bunions", "obesity", "low_back_pain"],
        "literature": str(PROJECT / "config" / "literature.csv"),
        "claims": [
            {
                "statement": "Obesity raises the odds of knee OA",
                "a": "obesity",
                "b": "knee_oa",
                "direction": "positive",
                "literature": ["odds_ratio:obesity->knee_oa"],
            }
        ],
        "sensitivity": {"multiple_imputation": True, "imputations": 3},
        "datasets": datasets,
    }
    (where / "config" / "config.yaml").write_text(yaml.safe_dump(config))
    return where


def snakemake(where: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "snakemake", *args], cwd=where, capture_output=True, text=True)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("e2e")
    runs = []
    for name, cores in (("first", "1"), ("second", "4")):
        where = base / name
        datasets = {
            "tiny": {"source": "synthetic", "n": 1500, "seed": 3},
            "study": {"source": "table", "path": "data/raw/study.csv", "columns": COLUMNS, "codes": CODES},
        }
        workflow_copy(where, datasets)
        (where / "data" / "raw").mkdir(parents=True)
        table = small_table(300).astype(object)
        table.loc[5, "AGE"] = 200
        table.to_csv(where / "data" / "raw" / "study.csv", index=False)
        result = snakemake(where, "--cores", cores)
        assert result.returncode == 0, result.stderr[-3000:]
        (where / "console.txt").write_text(result.stdout + result.stderr)  # what the researcher read
        runs.append(where)
    return runs


def test_every_output_is_there_with_the_contract_columns(two_runs):
    where = two_runs[0]
    for dataset in ("tiny", "study"):
        report = where / "reports" / dataset / "report.html"
        assert report.stat().st_size > 10_000
        for name in FIGURES:
            assert (where / "reports" / dataset / "figures" / f"{name}.svg").exists()
            assert (where / "reports" / dataset / "figures" / f"{name}.png").exists()
        odds = pd.read_csv(where / "reports" / dataset / "tables" / "odds_ratios.csv")
        assert {
            "condition_a",
            "condition_b",
            "model",
            "n",
            "estimate",
            "se",
            "ci_low",
            "ci_high",
            "p_value",
            "note",
        } <= set(odds.columns)
        patterns = pd.read_csv(where / "reports" / dataset / "tables" / "patterns.csv")
        assert {"pattern", "n", "estimate", "expected", "oe_ratio"} <= set(patterns.columns)
    synthetic_report = (where / "reports" / "tiny" / "report.html").read_text()
    assert "Synthetic truth beside the estimates" in synthetic_report
    assert "Pair, log odds ratio given the others" in synthetic_report
    assert "Synthetic truth" not in (where / "reports" / "study" / "report.html").read_text()
    claims = pd.read_csv(where / "reports" / "tiny" / "tables" / "claims.csv")
    assert claims.loc[0, "verdict"] in {"supported", "not supported", "opposite"}
    assert "Blagojevic" in claims.loc[0, "published_source"]
    sensitivity = pd.read_csv(where / "reports" / "tiny" / "tables" / "sensitivity.csv")
    assert set(sensitivity["method"]) == {"complete cases", "multiple imputation"}
    prevalence = pd.read_csv(where / "reports" / "tiny" / "tables" / "prevalence.csv")
    assert "age_standardized" in set(prevalence["group"])
    assert {"population", "cases", "deff", "n_effective", "kg_low", "kg_high", "reliability"} <= set(prevalence.columns)
    assert prevalence["reliability"].notna().all()
    association = pd.read_csv(where / "reports" / "tiny" / "tables" / "association.csv")
    assert (association["kind"] == "pair").sum() == 6 and association["p_value"].between(0, 1).all()
    table1 = pd.read_csv(where / "reports" / "tiny" / "tables" / "table1.csv")
    assert set(table1["condition"]) == {"knee_oa", "bunions", "obesity", "low_back_pain"}
    tiny_report = (where / "reports" / "tiny" / "report.html").read_text()
    assert "Table 1: characteristics" in tiny_report and "With knee osteoarthritis, N = " in tiny_report
    assert "Tests of association" in tiny_report and "Kish&#39;s effective sample size" in tiny_report
    study_odds = pd.read_csv(where / "reports" / "study" / "tables" / "odds_ratios.csv")
    assert set(study_odds["condition_a"]) | set(study_odds["condition_b"]) == {"knee_oa", "obesity", "low_back_pain"}


def test_index_compares_the_datasets(two_runs):
    index = (two_runs[0] / "reports" / "index.html").read_text()
    assert 'href="tiny/report.html"' in index and 'href="study/report.html"' in index
    assert "tiny: Prevalence (%)" in index and "study: Prevalence (%)" in index
    # the odds ratios side by side, and each pair's forest plot pooled across the two (reports/comparison.csv)
    assert index.count("data:image/svg+xml;base64,") == 2
    assert "Pooling assumes the datasets are independent samples." in index
    assert (two_runs[0] / "reports" / "comparison.csv").exists()


def test_validation_accounts_for_every_row(two_runs):
    summary = json.loads((two_runs[0] / "data" / "processed" / "study" / "validation.json").read_text())
    assert summary["rows_in"] == 300 and summary["rows_quarantined"] == 1
    assert summary["rows_valid"] + summary["rows_quarantined"] == summary["rows_in"]
    assert summary["conditions_absent"] == ["bunions"]
    design = summary["design_summary"]  # the study table has weights only: each row its own PSU
    assert design["clusters"] is False and design["psus"] == 299 and design["degrees_of_freedom"] == 298
    assert 0 < design["kish_effective_n"] <= 299 and design["weight_min"] <= design["weight_max"]
    quarantine = pd.read_csv(two_runs[0] / "data" / "processed" / "study" / "quarantine.csv")
    assert list(quarantine["AGE"]) == [200]


def test_same_config_gives_byte_identical_tables_and_svg_across_core_counts(two_runs):
    first, second = two_runs
    for dataset in ("tiny", "study"):
        for name in TABLES:
            path = Path("reports") / dataset / "tables" / f"{name}.csv"
            assert (first / path).read_bytes() == (second / path).read_bytes(), path
        for name in FIGURES:
            path = Path("reports") / dataset / "figures" / f"{name}.svg"
            assert (first / path).read_bytes() == (second / path).read_bytes(), path


def test_the_workflow_through_a_cluster_executor_gives_the_tables_of_a_local_run(tmp_path, two_runs):
    # profiles/cluster-generic as shipped: each job a separate local process, sharing only files
    pytest.importorskip("snakemake_executor_plugin_cluster_generic")
    where = workflow_copy(tmp_path / "cluster", {"tiny": {"source": "synthetic", "n": 1500, "seed": 3}})
    result = snakemake(where, "--workflow-profile", str(where / "profiles" / "cluster-generic"))
    assert result.returncode == 0, result.stderr[-3000:]
    submitted = list((where / ".snakemake" / "local-cluster").glob("*.exit"))
    # every job went through the executor: ingest, validate, the imputation model, each family of
    # tables, the figures and the report at least
    jobs = 5 + len(outputs.families())
    assert len(submitted) >= jobs and all(f.read_text().strip() == "0" for f in submitted)
    for name in TABLES:
        path = Path("reports") / "tiny" / "tables" / f"{name}.csv"
        assert (where / path).read_bytes() == (two_runs[0] / path).read_bytes(), path


def test_a_config_edit_reruns_the_jobs_with_a_one_line_reason(tmp_path, two_runs):
    """Each rule's parameter is its view's file, named by the view's digest: an edit reruns the jobs, and
    Snakemake says why in one line (the view as a parameter made it a dump of kilobytes)."""
    where = shutil.copytree(two_runs[0], tmp_path / "edited", symlinks=True)
    unchanged = snakemake(where, "-n", "--cores", "1")
    assert unchanged.returncode == 0 and "Nothing to be done" in unchanged.stdout + unchanged.stderr
    config = yaml.safe_load((where / "config" / "config.yaml").read_text())
    config["obesity_bmi"] = 31
    (where / "config" / "config.yaml").write_text(yaml.safe_dump(config))
    result = snakemake(where, "-n", "--cores", "1")
    assert result.returncode == 0, result.stderr[-3000:]
    reasons = [line for line in (result.stdout + result.stderr).splitlines() if "reason: Params have changed" in line]
    # the first job of each dataset; the others rerun because their inputs do
    assert len(reasons) == 2 and all(len(line) < 400 for line in reasons), reasons
    for dataset in ("tiny", "study"):
        assert any(f"'data/interim/{dataset}/views/" in line for line in reasons), reasons
        written = sorted((where / "data" / "interim" / dataset / "views").glob("*.yaml"))
        assert [yaml.safe_load(path.read_text())["obesity_bmi"] for path in written] in ([30, 31], [31, 30])


def test_the_index_links_the_reports_of_another_config_marked_as_such(tmp_path, two_runs):
    """Two configs run in one folder, as the examples are: each run's index compares its own datasets
    and links the other config's reports, marked as another config's."""
    where = shutil.copytree(two_runs[0], tmp_path / "two_configs", symlinks=True)
    datasets = {"tiny": None, "study": None, "other": {"source": "synthetic", "n": 800, "seed": 4}}
    (where / "other.yaml").write_text(yaml.safe_dump({"datasets": datasets}))
    other = snakemake(where, "--cores", "2", "--configfile", "other.yaml")
    assert other.returncode == 0, other.stderr[-3000:]
    index = (where / "reports" / "index.html").read_text()
    this_config, rest = index.split("<h2>Reports of other configs</h2>")
    linked = rest.split("<h2>Adjusted odds ratios")[0]
    assert 'href="other/report.html"' in this_config and 'href="tiny/report.html"' not in this_config
    assert 'href="tiny/report.html"' in linked and 'href="study/report.html"' in linked
    assert "another config" in linked and "tiny: Prevalence" not in index  # linked, not compared
    # the first config again: its index is drawn again (the reports of other configs are its parameter)
    again = snakemake(where, "-n", "--cores", "1")
    assert "Rules with provenance triggered jobs: index\n" in again.stdout, again.stdout[-3000:]
    assert snakemake(where, "--cores", "1").returncode == 0
    index = (where / "reports" / "index.html").read_text()
    head, rest = index.split("<h2>Reports of other configs</h2>")
    assert 'href="tiny/report.html"' in head and 'href="other/report.html"' in rest.split("<h2>Adjusted")[0]
    assert "tiny: Prevalence (%)" in index and "other: Prevalence" not in index


def test_a_mapping_mistake_stops_with_a_plain_message(tmp_path):
    columns = COLUMNS | {"knee_oa": "koa"}
    where = workflow_copy(tmp_path / "bad", {"study": {"source": "table", "path": "study.csv", "columns": columns}})
    small_table(50).to_csv(where / "study.csv", index=False)
    result = snakemake(where, "--cores", "1")
    assert result.returncode != 0
    console = result.stdout + result.stderr
    assert "no column 'koa' for knee_oa (did you mean 'KOA'?)" in console
    assert "Traceback" not in console


def test_an_interrupted_run_resumes_to_the_same_outputs(tmp_path, two_runs):
    where = workflow_copy(tmp_path / "interrupted", {"tiny": {"source": "synthetic", "n": 1500, "seed": 3}})
    process = subprocess.Popen(
        [sys.executable, "-m", "snakemake", "--cores", "1"],
        cwd=where,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while not (where / "data" / "interim" / "tiny" / "raw.parquet").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does, mid-run
    process.wait(timeout=120)
    assert not (where / "reports" / "tiny" / "report.html").exists()
    resumed = snakemake(where, "--cores", "4")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    for name in TABLES:
        path = Path("reports") / "tiny" / "tables" / f"{name}.csv"
        assert (where / path).read_bytes() == (two_runs[0] / path).read_bytes(), path


def test_a_wheel_installed_without_editable_mode_runs_the_workflow_to_the_same_tables(tmp_path, two_runs):
    # build from a clean copy of the tracked files, as a user's `pip wheel .` of a clone would
    source = tracked_copy(tmp_path / "source")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("msk_cooccurrence-*.whl"))
    target = tmp_path / "installed"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)], check=True
    )
    environment = os.environ | {"PYTHONPATH": str(target)}
    where = workflow_copy(tmp_path / "run", {"tiny": {"source": "synthetic", "n": 1500, "seed": 3}})
    location = subprocess.run(
        [sys.executable, "-c", "import msk_cooccurrence; print(msk_cooccurrence.__file__)"],
        cwd=where,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert location.stdout.startswith(str(target)), location.stdout  # the wheel's copy, not the editable one
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2"], cwd=where, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for name in TABLES:
        path = Path("reports") / "tiny" / "tables" / f"{name}.csv"
        assert (where / path).read_bytes() == (two_runs[0] / path).read_bytes(), path


@pytest.mark.parametrize(
    ("datasets", "words"),
    [
        ({"My Study": {"source": "synthetic", "n": 100, "seed": 1}}, "does not match"),
        (
            {"s": {"source": "table", "path": "x.csv", "columns": {"id": "i", "age": "a", "sex": "s", "kne_oa": "k"}}},
            "maps 'kne_oa'",
        ),
    ],
)
def test_a_bad_config_stops_with_a_plain_message(tmp_path, datasets, words):
    where = workflow_copy(tmp_path / "config", datasets)
    result = snakemake(where, "-n", "--cores", "1")
    assert result.returncode != 0
    assert words in result.stderr and "msk-cooccurrence:" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
