"""NHANES fixtures through the example configs against R survey (estimates 1e-6, SEs and CIs 1e-4).

tests/reference/nhanes_<scope>.csv were made by tests/r/nhanes_reference.R, which reads the same XPT
files with haven and applies the shared reference's definitions in plain R; its adjusted and mutual
models take the example configs' covariates (age, sex, RIDRETH1, DMDEDUC2, INDFMPIR):
    python tests/nhanes_fixtures.py /tmp/fx && Rscript tests/r/nhanes_reference.R /tmp/fx 2001-2004 OUT.csv
The live-R test remakes them (skips without R); the workflow test runs the documented command.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import PROJECT, REFERENCE, needs_r
from helpers import run_stages
from nhanes_fixtures import EXAMPLES, example_config, write_fixtures

from msk_cooccurrence.config import validate_config
from msk_cooccurrence.pipeline import analysis_data
from msk_cooccurrence.settings import Settings, dataset_view
from msk_cooccurrence.tables.odds_ratios import odds_ratio_table
from msk_cooccurrence.tables.prevalence import prevalence_table

SCRIPT = Path(__file__).parent / "r" / "nhanes_reference.R"
CONDITIONS = ["knee_oa", "bunions", "obesity", "low_back_pain"]
KEYS = ["kind", "condition_a", "condition_b", "model"]
SCOPES = ("2001-2004", "1999-2004")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    where = tmp_path_factory.mktemp("nhanes_files")
    write_fixtures(where)
    return where


def reference(scope: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "nhanes" / f"nhanes_{scope.replace('-', '_')}.csv").fillna(
        {"condition_b": "", "model": ""}
    )


def estimates(prevalence: pd.DataFrame, odds: pd.DataFrame) -> pd.DataFrame:
    """Our tables in the reference's layout: overall prevalences and every odds ratio."""
    overall = prevalence[prevalence["group"] == "overall"].assign(
        kind="prevalence", condition_a=lambda d: d["condition"]
    )
    table = pd.concat([overall, odds.assign(kind="odds_ratio")], ignore_index=True)
    return table.fillna({"condition_b": "", "model": ""})


def pipeline_estimates(scope: str, folder: Path, where: Path) -> tuple[pd.DataFrame, int]:
    config = validate_config(example_config(scope, folder))
    paths = run_stages(config, "nhanes", where / scope, tables=False)
    frame = pd.read_parquet(paths["analysis"])
    settings = Settings.from_dict(dataset_view(config, "nhanes"))
    data = analysis_data(frame, settings)
    prevalence = prevalence_table(data, settings)
    return estimates(prevalence, odds_ratio_table(data)), len(frame)


def assert_matches(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    merged = theirs.merge(ours, on=KEYS, suffixes=("_r", ""), validate="one_to_one")
    assert len(merged) == len(theirs) == 22  # 4 prevalences, 6 pairs x 3 models
    assert (merged["n"] == merged["n_r"]).all()
    np.testing.assert_allclose(merged["estimate"], merged["estimate_r"], rtol=1e-6, atol=0)
    for column in ("se", "ci_low", "ci_high"):
        np.testing.assert_allclose(merged[column], merged[f"{column}_r"], rtol=1e-4, atol=0)


@pytest.mark.parametrize("scope", SCOPES)
def test_prevalences_and_crude_adjusted_mutual_odds_ratios_match_r_survey(folder, tmp_path, scope):
    ours, rows = pipeline_estimates(scope, folder, tmp_path)
    theirs = reference(scope)
    assert rows == theirs["rows_analysed"].iloc[0]
    assert_matches(ours, theirs)


@needs_r
@pytest.mark.parametrize("scope", SCOPES)
def test_r_itself_on_freshly_written_files_gives_the_committed_figures(folder, tmp_path, scope):
    out = tmp_path / "r.csv"
    subprocess.run(["Rscript", str(SCRIPT), str(folder), scope, str(out)], check=True, capture_output=True)
    live = pd.read_csv(out).fillna({"condition_b": "", "model": ""})
    committed = reference(scope)
    np.testing.assert_allclose(
        live[["estimate", "se", "ci_low", "ci_high"]], committed[["estimate", "se", "ci_low", "ci_high"]], rtol=1e-12
    )
    assert_matches(pipeline_estimates(scope, folder, tmp_path)[0], live)


def documented_command(example: str) -> list[str]:
    """The command an example config's header documents, as written."""
    line = next(line for line in (EXAMPLES / example).read_text().splitlines() if "snakemake --cores" in line)
    return shlex.split(line.lstrip("# "))


@pytest.mark.slow
def test_the_documented_command_runs_on_cdc_layout_files_and_the_report_says_ages_40_plus(folder, tmp_path):
    where = tmp_path / "project"
    where.mkdir()
    shutil.copy(PROJECT / "Snakefile", where)
    for name in ("workflow", "profiles", "config"):
        shutil.copytree(PROJECT / name, where / name)
    shutil.copytree(folder, where / "data" / "examples" / "nhanes")  # where the example's files are
    command = documented_command("nhanes_2001_2004.yaml")
    target = "reports/nhanes_2001_2004/report.html"
    assert command[:2] == ["snakemake", "--cores"] and command.index(target) < command.index("--configfile")
    result = subprocess.run([sys.executable, "-m", *command], cwd=where, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    tables = where / "reports" / "nhanes_2001_2004" / "tables"
    ours = estimates(pd.read_csv(tables / "prevalence.csv"), pd.read_csv(tables / "odds_ratios.csv"))
    assert_matches(ours, reference("2001-2004"))
    report = (where / "reports" / "nhanes_2001_2004" / "report.html").read_text()
    assert report.count("Bunions (hallux valgus), ages 40+") >= 10  # findings, tables, claims
    assert "Age is top-coded at 85" in report and "WTMEC2YR x 1/2" in report
    # the definition in words, knee OA by the example's label (a proxy)
    assert "Knee OA (proxy: doctor-told osteoarthritis with knee pain) = all of [arthritis; MCQ190 is 2" in report
    assert "where arthritis = MCQ160A is 1" in report
    for figure in ("prevalence", "forest", "heatmap", "upset", "network", "dose_response"):
        assert "ages 40+" in (where / "reports" / "nhanes_2001_2004" / "figures" / f"{figure}.svg").read_text(), figure
