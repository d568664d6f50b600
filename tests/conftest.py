"""Shared fixtures: where the project and its committed R reference figures are."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
REFERENCE = PROJECT / "tests" / "reference"  # R survey figures, committed (tests/reference/README.md)
ORACLE = REFERENCE / "survey_small"
ARQ = REFERENCE / "arq"


def tracked_copy(where: Path) -> Path:
    """The files git tracks, copied to `where`: the project as a fresh clone has it (no outputs)."""
    tracked = subprocess.run(["git", "ls-files"], cwd=PROJECT, capture_output=True, text=True, check=True).stdout
    for name in tracked.splitlines():
        if (PROJECT / name).is_file():
            (where / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT / name, where / name)
    return where


# the mapping of the shared NHANES-style reference extract (its README gives the coding)
YES_NO = {1: True, 2: False, 7: None, 9: None}
SURVEY_SMALL = {
    "source": "table",
    "path": str(ORACLE / "survey_small.csv"),
    "columns": {
        "id": "SEQN",
        "age": "RIDAGEYR",
        "sex": "RIAGENDR",
        "bmi": "BMXBMI",
        "knee_oa": "KNEE_OA",
        "bunions": "BUNION",
        "low_back_pain": "LOWBACK",
        "weight": "WTMEC",
        "stratum": "SDMVSTRA",
        "psu": "SDMVPSU",
    },
    "codes": {"sex": {1: "male", 2: "female"}, "knee_oa": YES_NO, "bunions": YES_NO, "low_back_pain": YES_NO},
}


def r_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    probe = subprocess.run(["Rscript", "-e", "library(survey)"], capture_output=True)
    return probe.returncode == 0


needs_r = pytest.mark.skipif(not r_available(), reason="R with the survey package is not installed")


@pytest.fixture(scope="session")
def r_tables(tmp_path_factory):
    """A folder for tests/r/tables.R's output, shared by the tests that run it (it runs once per mode)."""
    return tmp_path_factory.mktemp("r_tables")
