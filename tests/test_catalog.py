"""The Snakemake world's ways: catalog layout, lint, conda envs pinned to the lock, module use, report.

The catalog's route runs the workflow where only Snakemake is installed (the jobs get their own
environments): here that is simulated by hiding the package's dependencies from the parse.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import PROJECT, tracked_copy

from msk_cooccurrence import outputs

WORKFLOW = PROJECT / "workflow"
ENV = WORKFLOW / "envs" / "msk-cooccurrence.yaml"
RULE_DIRECTIVES = ("log:", "benchmark:", "conda:", "threads:", "resources:")
# what a Snakemake-only environment lacks: the package's own dependencies
HIDDEN = ("pandas", "numpy", "scipy", "statsmodels", "pandera", "matplotlib", "seaborn", "pyarrow", "pyreadstat")
BLOCKER = f"""
import importlib.abc, sys

class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {HIDDEN!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}} (hidden by the test)")
        return None

sys.meta_path.insert(0, Hide())
"""


def snakemake(where: Path, *args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", *args], cwd=where, capture_output=True, text=True, env=env
    )


def lock_versions() -> set[tuple[str, str]]:
    """(name, version) of every entry of the lock (a package may have one version per Python)."""
    text = (PROJECT / "requirements.lock").read_text()
    return {(m[0].lower(), m[1]) for m in re.findall(r"^([A-Za-z0-9_.-]+)==([^ \\;]+)", text, flags=re.MULTILINE)}


def test_the_catalog_finds_what_it_requires():
    catalog = yaml.safe_load((PROJECT / ".snakemake-workflow-catalog.yml").read_text())
    assert catalog["usage"]["software-stack-deployment"]["conda"] is True and catalog["usage"]["report"] is True
    for required in ("workflow/Snakefile", "config/README.md", "config/config.yaml", "LICENSE"):
        assert (PROJECT / required).is_file(), required


def test_snakemake_lint_is_clean():
    result = snakemake(PROJECT, "--lint")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Congratulations" in result.stdout + result.stderr


def test_every_rule_declares_log_benchmark_conda_threads_and_resources():
    rules = 0
    for path in (WORKFLOW / "rules").glob("*.smk"):
        for block in [b for b in re.split(r"\n(?=rule )", path.read_text()) if b.startswith("rule ")]:
            rules += 1
            missing = [d for d in RULE_DIRECTIVES if f"\n    {d}" not in block]
            assert not missing, f"{path.name}: {block.splitlines()[0]} lacks {missing}"
            assert '"../envs/msk-cooccurrence.yaml"' in block
    assert rules >= 6


def test_the_jobs_environment_pins_the_locks_versions():
    env = yaml.safe_load(ENV.read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    locked = lock_versions()
    pins = {}
    for line in pip:
        name, version = re.match(r"([A-Za-z0-9_.-]+)==([^ ;]+)", line).groups()
        pins[name.lower()] = version
        assert (name.lower(), version) in locked, f"{name}=={version} is not in requirements.lock"
    runtime = ("numpy", "scipy", "pandas", "pyarrow", "pyreadstat", "pandera", "statsmodels", "matplotlib")
    assert set(runtime) <= set(pins)
    assert "pytest" not in pins  # the jobs need no test tools
    assert "python=3.11" in env["dependencies"]


def test_the_lock_pins_everything_with_hashes_and_names_no_local_index():
    text = (PROJECT / "requirements.lock").read_text()
    assert not re.search(r"file:|/opt/|index-url|find-links|localhost|127\.0\.0\.1", text)
    entries = re.findall(r"^([A-Za-z0-9_.-]+)==\S+", text, flags=re.MULTILINE)
    assert len(entries) > 50 and text.count("--hash=sha256:") >= len(entries)
    names = {name for name, _ in lock_versions()}
    assert {"snakemake", "pandas", "statsmodels", "pytest", "ruff", "snakefmt", "pygments"} <= names


def test_the_workflow_parses_where_only_snakemake_is_installed(tmp_path):
    (tmp_path / "hide").mkdir()
    (tmp_path / "hide" / "sitecustomize.py").write_text(BLOCKER)
    env = {"PYTHONPATH": str(tmp_path / "hide"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    probe = subprocess.run([sys.executable, "-c", "import pandas"], env=env, capture_output=True, text=True)
    assert "hidden by the test" in probe.stderr  # the blocker works
    # a fresh copy: where a run has left outputs, Snakemake asks importlib whether pandas exists,
    # which the blocker answers with an error where a real Snakemake-only environment says no
    fresh = tracked_copy(tmp_path / "fresh")
    result = snakemake(fresh, "-n", "--quiet", "--cores", "1", env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    # the package's own check runs there too (it is plain Python): every problem listed, in its words
    bad = tmp_path / "bad.yaml"
    bad.write_text("datasets: {synthetic: {source: synthetic, n: 10, seed: 1}}\n")
    result = snakemake(fresh, "-n", "--cores", "1", "--configfile", str(bad), env=env)
    assert result.returncode != 0
    assert "msk-cooccurrence: The configuration is invalid" in result.stderr
    assert "datasets/synthetic/n: 10 is less than the minimum of 30" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.slow
def test_the_workflow_runs_as_a_module_from_another_directory_and_reports(tmp_path):
    where = tmp_path / "study"
    where.mkdir()
    config = {
        "datasets": {"mine": {"source": "synthetic", "n": 600, "seed": 5}},
        "sensitivity": {"multiple_imputation": False},
    }
    (where / "config.yaml").write_text(yaml.safe_dump(config))
    (where / "Snakefile").write_text(
        f"""configfile: "config.yaml"


module msk:
    snakefile:
        "{WORKFLOW / "Snakefile"}"
    config:
        config


use rule * from msk as msk_*


rule all:
    default_target: True
    input:
        rules.msk_all.input,
"""
    )
    result = snakemake(where, "--cores", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (where / "reports" / "mine" / "report.html").stat().st_size > 10_000
    assert (where / "reports" / "index.html").exists()
    for name in outputs.tables():
        assert (where / "reports" / "mine" / "tables" / f"{name}.html").exists(), name
    # the benchmark and the log of each job are there, and the log tells what the job did
    assert (where / "logs" / "benchmarks" / "ingest" / "mine.tsv").exists()
    log = (where / "logs" / "validate" / "mine.log").read_text()
    assert re.search(r"kept \d+ of 600 rows; quarantined \d+", log) and "finished in" in log
    # Snakemake's own report: the description, every table and figure with the registry's caption
    report = snakemake(where, "--report", "report.zip")
    assert report.returncode == 0, report.stderr[-3000:]
    with zipfile.ZipFile(where / "report.zip") as archive:
        names = archive.namelist()
        main = archive.read("report/report.html").decode("utf-8")
        pages = "".join(archive.read(n).decode("utf-8") for n in names if n.endswith(".html") and "/raw/" in n)
    for name in outputs.tables():
        assert any(n.endswith(f"/{name}.html") for n in names), name
    assert any(n.endswith("/network.png") for n in names)
    assert "Bunions (hallux valgus)" in pages  # the table pages' labels
    for spec in [*outputs.tables().values(), *outputs.figures().values()]:
        assert spec.caption.split(";")[0][:40] in main, spec.name  # the registry's captions
    assert "How <strong>knee osteoarthritis" in main and "Datasets of this run: mine" in main
