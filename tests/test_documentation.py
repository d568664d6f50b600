"""Every command the documentation shows works as written (tests/documented.py finds them).

Each document's commands run in order in a fresh copy of the project's tracked files, as a new
user would type them; a Snakemake command runs as a dry run (-n: the whole DAG is built, inputs
checked, config validated) since the full runs take minutes (CI runs each example's command in
full: `python tests/documented.py --run-examples`). Commands that cannot run inside the test suite
are listed in NOT_RUN with the reason, and each must still be found in the documentation.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys

import pytest
from conftest import PROJECT, tracked_copy
from documented import all_commands, commands_in, examples, targets_after_configfile

NOT_RUN = {
    'python -m pip install -e ".[test]"': "installs the package: CI installs it from the lock first",
    "python -m pytest": "the test suite itself",
    "snakemake --report report.zip": "needs a finished run; tests/test_catalog.py builds the report",
    "snakemake --report": "needs a finished run; tests/test_catalog.py builds the report",
    "snakemake reports/mystudy/report.html --report report.zip --configfile config/examples/generic_csv.yaml": (
        "needs a finished run; tests/corpus/cases.yaml runs it after the run of that dataset"
    ),
    "snakemake --workflow-profile profiles/slurm": "needs a SLURM cluster and its executor plugin",
    "python benchmarks/bench_pipeline.py 1000000": "a benchmark of minutes (benchmarks/)",
    "python benchmarks/coverage.py 300 2000": "a simulation of minutes (benchmarks/)",
    "python benchmarks/bench_scale.py 1000000 --cores 2": "a benchmark of ten minutes, with R survey (benchmarks/)",
    'pip install "msk-cooccurrence[cluster]"': "installs the cluster executors from the package index",
    "python -m pip install -r requirements.lock": "installs the locked versions: CI does exactly this",
    "python -m pip install --no-deps -e .": "installs the package: CI does exactly this",
    "python -m pip check": "checks an installation: CI does exactly this",
    "uv pip compile pyproject.toml --extra test --generate-hashes --universal --python-version 3.11 -o "
    "requirements.lock": "rewrites the lock (needs uv and the package index); tests/test_catalog.py checks the lock",
}
if shutil.which("conda") is None:
    NOT_RUN["snakemake --cores 4 --sdm conda"] = (
        "needs conda; tests/test_catalog.py checks the env file against the lock"
    )


def as_run(command: str) -> list[str]:
    words = shlex.split(command)
    if words[0] == "python":
        words[0] = sys.executable
    if words[0] == "snakemake":
        words = [sys.executable, "-m", "snakemake", "-n", "--quiet", *words[1:]]
    return words


def test_the_documentation_shows_commands_from_every_file():
    found = all_commands()
    assert all(found[path] for path in examples()), "every example says how to run it"
    assert len([c for cs in found.values() for c in cs]) >= 15


def test_every_target_comes_before_configfile():
    """`--configfile` takes several files, so a target after it is read as a config file (issue 6)."""
    for path, commands in all_commands().items():
        for command in commands:
            assert not targets_after_configfile(command), f"{path.name}: {command}"


def test_not_run_lists_only_commands_the_documentation_shows():
    shown = {c for cs in all_commands().values() for c in cs}
    assert set(NOT_RUN) <= shown, set(NOT_RUN) - shown


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """One fresh copy for every document, and the result of each command run in it (a command the
    documents repeat runs once)."""
    return tracked_copy(tmp_path_factory.mktemp("clone")), {}


@pytest.mark.slow
@pytest.mark.parametrize("document", ["README.md", "config/README.md", "docs", "config/examples"])
def test_every_documented_command_runs_as_written(clone, document):
    where, results = clone
    paths = sorted((PROJECT / document).glob("*.*")) if (PROJECT / document).is_dir() else [PROJECT / document]
    ran = 0
    for path in paths:
        for command in commands_in(path):
            if command in NOT_RUN:
                continue
            if command not in results:
                results[command] = subprocess.run(as_run(command), cwd=where, capture_output=True, text=True)
            result = results[command]
            assert result.returncode == 0, f"{path.name}: {command}\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
            ran += 1
    assert ran > 0


@pytest.mark.slow
def test_readmes_one_report_commands_make_the_exports_the_report_links(clone):
    """A report lists tables.xlsx, manuscript.docx and reproduce.R beside it: README's command for one
    report makes them too, so no link of the report is dead."""
    where, _ = clone
    commands = [c for c in commands_in(PROJECT / "README.md") if re.search(r"reports/\w+/report\.html", c)]
    assert commands
    for command in commands[:2]:
        words = as_run(command)
        planned = subprocess.run(  # as_run's dry run, with the job counts per rule
            [*words[:4], "--quiet", "rules", *words[5:]], cwd=where, capture_output=True, text=True
        )
        assert re.search(r"^exports\s+1$", planned.stdout + planned.stderr, re.M), command
