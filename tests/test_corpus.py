"""The corpus of bad inputs (tests/corpus/cases.yaml): every case ends in a plain message or a quarantine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import PROJECT
from helpers import CODES, COLUMNS, run_stages

from msk_cooccurrence.config import validate_config
from msk_cooccurrence.errors import InputError

CORPUS = Path(__file__).parent / "corpus"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text())


def run_case(case: dict, tmp_path: Path):
    dataset = {
        "source": "table",
        "path": str(CORPUS / case["file"]),
        "columns": COLUMNS | case.get("columns", {}),
        "codes": CODES,
    }
    config = validate_config(
        {
            "datasets": {"study": dataset},
            "max_invalid_share": case.get("max_invalid_share", 0.05),
            "literature": str(PROJECT / "config" / "literature.csv"),
        }
    )
    paths = run_stages(config, "study", tmp_path / "out")
    return pd.read_csv(paths["quarantine"]), pd.read_parquet(paths["analysis"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_corpus_case(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a column named like code must not run: nothing may appear here
    if "expect_error" in case:
        with pytest.raises(InputError) as error:
            run_case(case, tmp_path)
        message = str(error.value)
        assert "'study'" in message and case["file"].split(".")[0] in message
        for words in case["expect_error"]:
            assert words in message, f"{words!r} not in: {message}"
        assert "\n" not in message.strip() or message.count("\n") <= 12
        return
    quarantine, analysis = run_case(case, tmp_path)
    assert sorted(quarantine["source_row"]) == case["quarantined"]
    assert len(quarantine) + len(analysis) == 200
    assert not (tmp_path / "PWNED").exists()


def test_an_input_error_reaches_the_console_as_one_message_without_traceback(tmp_path):
    code = (
        "from msk_cooccurrence.runner import run_stage\n"
        "from msk_cooccurrence.errors import InputError\n"
        "def stage():\n    raise InputError(\"Dataset 'study': the file 'x.csv' is empty. Point `path:` at a file.\")\n"
        f"run_stage({str(tmp_path / 'log.txt')!r}, stage)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy())
    assert result.returncode == 1
    assert "Dataset 'study': the file 'x.csv' is empty" in result.stderr
    assert "Traceback" not in result.stderr
    assert "is empty" in (tmp_path / "log.txt").read_text()
