"""The corpus of bad inputs (tests/corpus/cases.yaml): every case ends in a plain message or a right answer.

A case is a file (committed, or made by tests/corpus/generate.py) with a mapping and a config; it
runs through the same stage functions the workflow calls, or through Snakemake itself, and must
end as its expectations say: an InputError or ConfigError whose words are given, or the rows
quarantined, every row accounted for, the numbers (R survey's where R computes them), the
warnings, and within its time bound. Any other exception, or a warning turned error by pytest,
fails the case: that would be a traceback for a researcher.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import PROJECT, REFERENCE, needs_r
from helpers import CODES, COLUMNS, run_stages
from nhanes_fixtures import mixed_up

from msk_cooccurrence.config import load_config, validate_config
from msk_cooccurrence.errors import ConfigError, InputError

CORPUS = Path(__file__).parent / "corpus"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text())
RUN_CASES = [c for c in CASES if "workflow" not in c]
WORKFLOW_CASES = [c for c in CASES if "workflow" in c]
sys.path.insert(0, str(CORPUS))
import generate  # noqa: E402 (tests/corpus/generate.py)


def merged(base: dict, extra: dict) -> dict:
    """`base` with `extra` laid over it, mappings merged key by key (as Snakemake merges configs)."""
    from snakemake.utils import update_config

    out = copy.deepcopy(base)
    update_config(out, copy.deepcopy(extra))
    return out


def case_file(case: dict, tmp_path: Path) -> Path:
    if "generate" in case:
        return generate.write_generated(case["generate"], tmp_path / f"{case['generate']}.csv")
    return CORPUS / case["file"]


def raw_config(case: dict, tmp_path: Path) -> dict:
    """The config of a case as a researcher would write it, before validation."""
    if "nhanes" in case:
        literature = str(PROJECT / "config" / "literature.csv")  # the case runs in tmp_path
        return mixed_up(tmp_path / "nhanes", case["nhanes"]) | {"literature": literature}
    if "config_yaml" in case:
        return yaml.load(case["config_yaml"], Loader=yaml.FullLoader)  # Snakemake's loader
    dataset = {
        "source": "table",
        "path": str(case_file(case, tmp_path)),
        "columns": COLUMNS | case.get("columns", {}),
        "codes": merged(CODES, case.get("codes", {})),
    } | case.get("dataset", {})
    config = merged(
        {
            "datasets": {case.get("dataset_name", "study"): dataset},
            "max_invalid_share": case.get("max_invalid_share", 0.05),
            "literature": str(PROJECT / "config" / "literature.csv"),
        },
        case.get("config", {}),
    )
    if case.get("overlay"):
        config = merged(yaml.safe_load((PROJECT / "config" / "config.yaml").read_text()), config)
    return config


def validated_config(case: dict, tmp_path: Path) -> dict:
    if "config_file_bytes" in case:
        big = tmp_path / "big.yaml"
        big.write_text("x: " + "a" * case["config_file_bytes"] + "\n")
        return load_config(big)
    return validate_config(raw_config(case, tmp_path))


def run_case(case: dict, tmp_path: Path) -> tuple[dict, dict]:
    config = validated_config(case, tmp_path)
    name = case.get("dataset_name", "study")
    paths = run_stages(config, name, tmp_path / "out", figures=case.get("figures", False))
    return config, paths


def table_of(name: str, config: dict, paths: dict) -> pd.DataFrame:
    if name == "config":
        return pd.DataFrame([{"datasets": list(config["datasets"])}])
    if name == "validation":
        summary = json.loads(paths["validation"].read_text())
        return pd.DataFrame([{k: json.dumps(v) for k, v in summary.items()}])
    if name == "analysis":
        return pd.read_parquet(paths["analysis"])
    return pd.read_csv(paths[name])


def check_expectation(expectation: dict, config: dict, paths: dict) -> None:
    table = table_of(expectation["table"], config, paths)
    for column, value in expectation.get("where", {}).items():
        table = table[table[column].astype(str) == str(value)]
    if expectation.get("absent"):
        assert table.empty, f"rows where none were expected: {expectation}"
        return
    assert len(table) >= 1, f"no row matches {expectation}"
    value = table[expectation["column"]].iloc[0]
    if "approx" in expectation:
        assert value == pytest.approx(expectation["approx"], rel=1e-9), expectation
    if "equals" in expectation:
        assert value == expectation["equals"], (value, expectation)
    if "contains" in expectation:
        assert expectation["contains"] in str(value), f"{expectation['contains']!r} not in {value!r}"
    if expectation.get("nan"):
        assert pd.isna(value), (value, expectation)
    if expectation.get("finite"):
        assert np.isfinite(float(value)), (value, expectation)


def compare_with_r(name: str, paths: dict) -> None:
    """Our odds ratios against R survey's (tests/r/corpus.R): equal where R has a finite estimate; where
    R's fit diverged (separation, an estimate above 1e6) ours is NaN with the reason."""
    reference = pd.read_csv(REFERENCE / "corpus" / f"{name}.csv")
    ours = pd.read_csv(paths["odds_ratios"]).set_index(["condition_a", "condition_b", "model"])
    for row in reference.itertuples(index=False):
        mine = ours.loc[(row.condition_a, row.condition_b, row.model)]
        if not row.estimate < 1e6:
            assert np.isnan(mine["estimate"]) and "separation" in mine["note"], (row, mine)
            continue
        for column in ("estimate", "se", "ci_low", "ci_high"):
            assert mine[column] == pytest.approx(getattr(row, column), rel=1e-6), (row, column, mine[column])


def assert_plain(message: str, words) -> None:
    for words_ in words:
        assert words_ in message, f"{words_!r} not in: {message}"
    assert "Traceback" not in message and message.count("\n") <= 12


@pytest.mark.parametrize("case", RUN_CASES, ids=[c["name"] for c in RUN_CASES])
def test_corpus_case(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a column named like code must not run: nothing may appear here
    started = time.perf_counter()
    if "expect_config_error" in case:
        with pytest.raises(ConfigError) as error:
            run_case(case, tmp_path)
        assert_plain(str(error.value), case["expect_config_error"])
    elif "expect_error" in case:
        with pytest.raises(InputError) as error:
            run_case(case, tmp_path)
        message = str(error.value)
        assert f"'{case.get('dataset_name', 'study')}'" in message
        assert "file" not in case or Path(case["file"]).stem in message
        assert_plain(message, case["expect_error"])
    else:
        config, paths = run_case(case, tmp_path)
        quarantine, analysis = pd.read_csv(paths["quarantine"]), pd.read_parquet(paths["analysis"])
        if "quarantined" in case:
            assert sorted(quarantine["source_row"]) == case["quarantined"]
        # no row silently lost: every row of the file (NHANES: read in scope) is analysed or quarantined
        rows = pd.read_parquet(paths["raw"]).shape[0] if "nhanes" in case else case.get("rows", 200)
        assert len(quarantine) + len(analysis) == rows
        assert not (tmp_path / "PWNED").exists()
        warnings = json.loads(paths["validation"].read_text())["warnings"]
        if "expect_warning" in case:
            assert any(all(w in warning for w in case["expect_warning"]) for warning in warnings), warnings
        else:
            assert warnings == [], warnings
        for expectation in case.get("expect", []):
            check_expectation(expectation, config, paths)
        if "reference" in case:
            compare_with_r(case["reference"], paths)
        if "same_as" in case:
            same = run_case(
                {k: v for k, v in case.items() if k not in ("dataset", "same_as")} | {"file": case["same_as"]},
                tmp_path / "same",
            )
            expected = pd.read_parquet(same[1]["analysis"])
            pd.testing.assert_frame_equal(analysis, expected)
    assert time.perf_counter() - started < case.get("seconds", 60), "took too long"


def workflow_copy(where: Path) -> Path:
    """The project's Snakefile, workflow, profiles and default config in a fresh folder."""
    where.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT / "Snakefile", where)
    for folder in ("workflow", "profiles", "config"):
        shutil.copytree(PROJECT / folder, where / folder)
    return where


def copy_into(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)
    else:
        shutil.copy(source, target)


@pytest.mark.slow
@pytest.mark.parametrize("case", WORKFLOW_CASES, ids=[c["name"] for c in WORKFLOW_CASES])
def test_corpus_case_through_snakemake(case, tmp_path):
    spec = case["workflow"]
    where = workflow_copy(tmp_path / "project")
    for path in spec.get("copy", []):  # files of the project the case reads (data/examples/...)
        copy_into(PROJECT / path, where / path)
    for path, text in spec.get("create", {}).items():  # left by an earlier run (a stale index, temporaries)
        (where / path).parent.mkdir(parents=True, exist_ok=True)
        (where / path).write_text(text)
    args, configfiles = list(spec["args"]), list(spec.get("configfiles", []))
    if "nhanes" in spec:  # fixtures in the copy, the example config on them laid over the overlay
        spec = spec | {"overlay": merged(spec.get("overlay", {}), mixed_up(where / "nhanes", spec["nhanes"]))}
    if "overlay" in spec or "overlay_yaml" in spec:
        text = spec.get("overlay_yaml") or yaml.safe_dump(spec["overlay"])
        (where / "mine.yaml").write_text(text)
        configfiles.append("mine.yaml")
    given = ["--configfile", *configfiles] if configfiles else []  # targets first: it takes several files

    def snakemake(args):
        return subprocess.run(
            [sys.executable, "-m", "snakemake", "--cores", "1", *args, *given],
            cwd=where,
            capture_output=True,
            text=True,
            env=os.environ.copy(),
            timeout=spec.get("seconds", 120),
        )

    if "before" in spec:  # the run a researcher made first, with the same config files
        earlier = snakemake(spec["before"])
        assert earlier.returncode == 0, (earlier.stdout + earlier.stderr)[-3000:]
    started = time.perf_counter()
    result = snakemake(args)
    assert time.perf_counter() - started < spec.get("seconds", 120)
    output = result.stdout + result.stderr
    # a job that stops is reported by Snakemake as a RuleException; any other exception, our runner's
    # "unexpected error" or a traceback is a bug
    plain = output.replace("RuleException:", "")
    assert not any(w in plain for w in ("Traceback", "Exception", "unexpected error")), output[-3000:]
    if "expect_stderr" in spec:
        assert result.returncode == 1, output[-3000:]
        for words in spec["expect_stderr"]:
            assert words in result.stderr, f"{words!r} not in: {result.stderr[-3000:]}"
    else:
        assert result.returncode == 0, output[-3000:]
        for words in spec.get("expect_warning", []):
            assert words in result.stderr, f"{words!r} not in: {result.stderr[-3000:]}"
        for job in spec.get("expect_jobs", []):
            assert job in output, output[-3000:]
        for job in spec.get("absent_jobs", []):
            assert job not in output, output[-3000:]
    for path, words in spec.get("expect_files", {}).items():
        text = (where / path).read_bytes().decode("utf-8", "replace")
        for word in words:
            assert word in text, f"{word!r} not in {path}"
    for path, words in spec.get("not_in_files", {}).items():
        text = (where / path).read_text()
        assert not [word for word in words if word in text], f"{words} in {path}"
    for pattern in spec.get("absent_files", []):
        assert not list(where.glob(pattern)), f"{pattern} left: {list(where.glob(pattern))}"


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


@needs_r
def test_r_itself_still_gives_the_committed_corpus_figures(tmp_path):
    data = generate.write_generated("identical_conditions", tmp_path / "identical.csv")
    out = tmp_path / "r.csv"
    mapping = ["knee_oa=KOA", "bunions=KOA", "low_back_pain=LBP"]
    subprocess.run(
        ["Rscript", str(PROJECT / "tests" / "r" / "corpus.R"), str(data), str(out), "design", *mapping], check=True
    )
    fresh, committed = pd.read_csv(out), pd.read_csv(REFERENCE / "corpus" / "identical_conditions.csv")
    pd.testing.assert_frame_equal(fresh, committed, rtol=1e-9)
