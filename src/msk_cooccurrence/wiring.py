"""What the workflow needs while Snakemake parses it: the outputs registry, each dataset's view and files.

Standard library and PyYAML only (both come with Snakemake), so the Snakefile can import this
module from the source tree where the package's dependencies are not installed: the catalog's
route (`snakemake --sdm conda`, or the workflow used as a `module`), where only the jobs'
environments hold pandas and the rest. The package reads the same functions, so the workflow and
the package never disagree on what a dataset's view or input files are.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import yaml

from . import __version__

RESOURCES = Path(__file__).resolve().parent / "resources"
SCHEMA = RESOURCES / "config.schema.yaml"
VERSION = __version__
# settings of the run as a whole, in no dataset's view: the datasets, and how they are pooled
RUN_SETTINGS = ("datasets", "comparison")


def load_resource_yaml(text: str):
    """One of the package's own YAML files (the registry, the config schema): with libyaml's parser
    where PyYAML has it, ten times faster than the pure-Python one (every job and parse reads them).
    A user's config is read by Snakemake, or with yaml.safe_load, whose messages name the line."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@cache
def registry() -> dict:
    """The registry of tables and figures (resources/outputs.yaml) as plain data."""
    return load_resource_yaml((RESOURCES / "outputs.yaml").read_text(encoding="utf-8"))


def dataset_view(config: Mapping, dataset: str) -> dict:
    """What one dataset's outputs depend on: the analysis settings and that dataset's entry.

    Each rule receives this (and nothing of the other datasets), so editing one dataset reruns
    only its jobs.
    """
    return {k: v for k, v in config.items() if k not in RUN_SETTINGS} | {"dataset": config["datasets"][dataset]}


# Where each dataset's view is written for its jobs: one file per distinct view, named by its digest
# (view_file), so a file once written never changes and a job reads exactly the view it was planned with.
VIEWS = "data/interim/{dataset}/views/{digest}.yaml"


def view_text(view: Mapping) -> str:
    """A view as YAML, in its own key order (conditions and codes keep their order; integer code keys stay
    integers, which JSON would make strings)."""
    return yaml.safe_dump(dict(view), sort_keys=False, allow_unicode=True, default_flow_style=False)


def view_file(config: Mapping, dataset: str) -> str:
    """The path of the file holding a dataset's view, written if it does not exist yet.

    Each rule gets this path as its only parameter of the config: the digest in its name changes
    exactly when the view does, so Snakemake reruns the dataset's jobs on an edit that touches it and
    names the reason in one line (the view itself as a parameter made that reason a dump of kilobytes).
    """
    text = view_text(dataset_view(config, dataset))
    path = Path(VIEWS.format(dataset=dataset, digest=hashlib.sha256(text.encode()).hexdigest()[:16]))
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)  # atomic: a job of a parallel parse never reads half a view
    return str(path)


def read_view(path) -> dict:
    """A view written by view_file, as the stages take it."""
    return load_resource_yaml(Path(path).read_text(encoding="utf-8"))


def input_files(dataset: Mapping) -> list[str]:
    """The files a dataset reads, in order: the config schema names each `path` or, per cycle, `files`."""
    files = [dataset["path"]] if "path" in dataset else []
    return files + [path for cycle in dataset.get("cycles", []) for path in cycle["files"]]


def missing_input(name: str, dataset: Mapping) -> str | None:
    """The plain message for the first input file of a dataset that is a folder or does not exist, else None.

    The workflow asks before it plans the jobs (so a researcher reads this, not Snakemake's
    MissingInputException), and the readers ask again before they open a file.
    """
    for cycle in dataset.get("cycles", []):
        for path in map(Path, cycle["files"]):
            if not path.is_file():
                return (
                    f"Dataset '{name}', cycle {cycle['name']}: the NHANES file '{path}' does not exist. Download it "
                    "from the NHANES website into that folder under the name CDC gives it, or fix `files:`."
                )
    if "path" not in dataset:
        return None
    path = Path(dataset["path"])
    if path.is_dir():
        return f"Dataset '{name}': '{path}' is a folder, not a file. Point `path:` at the data file in it."
    if not path.is_file():
        return (
            f"Dataset '{name}': the file '{path}' does not exist. Check `path:` in the config "
            "(relative paths are read from the directory you run snakemake in)."
        )
    return None
