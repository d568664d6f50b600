"""The registry of outputs (resources/outputs.yaml): every table and figure, and how each is made.

One place names each output, its columns and their meaning, its title and caption, and the
function that computes it; the pipeline, the report, the Snakemake rules and the tests read it
from here, so adding a table is one estimator module plus one registry entry.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from . import wiring

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class TableSpec:
    name: str
    title: str
    caption: str
    function: str
    columns: Mapping[str, str]
    family: str
    inputs: tuple[str, ...] = ()
    condition_columns: bool = False
    display: Mapping = field(default_factory=dict)  # how the report shows it: percent, ratio, headers

    def compute(self, available: Mapping[str, object]) -> pd.DataFrame:
        """The table from what its function asks for, in the registry's column order."""
        table = call_with(resolve(self.function), available)
        columns = [*self.columns, *(available["data"].conditions if self.condition_columns else ())]
        unregistered = [c for c in table.columns if c not in columns]
        if unregistered:  # a bug: the registry is the contract, so an estimator may not add columns silently
            raise ValueError(f"{self.function} returned columns the registry does not list: {unregistered}")
        return table.reindex(columns=columns)


@dataclass(frozen=True)
class FigureSpec:
    name: str
    title: str
    caption: str
    function: str
    tables: tuple[str, ...]

    def draw(self, available: Mapping[str, object]):
        return call_with(resolve(self.function), available)


@dataclass(frozen=True)
class RunOutputSpec:
    """An output of the run across its datasets (reports/comparison.csv), made when it has two or more."""

    name: str
    title: str
    path: str
    caption: str
    function: str
    tables: tuple[str, ...]
    columns: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ExportSpec:
    """A file made for a dataset from its tables (tables.xlsx, manuscript.docx, reproduce.R)."""

    name: str
    path: str  # with {dataset}
    title: str
    caption: str
    function: str

    def make(self, available: Mapping[str, object]):
        """Its bytes, text or rows, from what its function asks for."""
        return call_with(resolve(self.function), available)


def registry() -> dict:
    return wiring.registry()


@cache
def tables() -> dict[str, TableSpec]:
    """Every table, in report order."""
    return {
        name: TableSpec(name=name, **{**entry, "inputs": tuple(entry.get("inputs", ()))})
        for name, entry in registry()["tables"].items()
    }


def families() -> dict[str, list[str]]:
    """Each family of tables (computed in one workflow job) and its tables, in report order."""
    out: dict[str, list[str]] = {}
    for name, spec in tables().items():
        out.setdefault(spec.family, []).append(name)
    return out


@cache
def figures() -> dict[str, FigureSpec]:
    """Every figure, in report order."""
    return {
        name: FigureSpec(name=name, **{**entry, "tables": tuple(entry["tables"])})
        for name, entry in registry()["figures"].items()
    }


@cache
def run_outputs() -> dict[str, RunOutputSpec]:
    """The outputs of a run of two or more datasets (the registry's `run:`)."""
    return {
        name: RunOutputSpec(name=name, **{**entry, "tables": tuple(entry["tables"])})
        for name, entry in registry()["run"].items()
    }


def exports() -> dict[str, ExportSpec]:
    """Every export of a dataset (tables.xlsx, manuscript.docx, reproduce.R and the rows it reads)."""
    return {name: ExportSpec(name=name, **entry) for name, entry in registry().get("exports", {}).items()}


def resolve(function: str) -> Callable:
    """A function of this package named `module.function` (the registry never names anything else)."""
    module, _, name = function.rpartition(".")
    return getattr(importlib.import_module(f"{__package__}.{module}"), name)


def call_with(function: Callable, available: Mapping[str, object]):
    """Call `function` with the keyword arguments it names, taken from `available`."""
    names = inspect.signature(function).parameters
    return function(**{name: available[name] for name in names if name in available})


def markdown_table() -> str:
    """README's rows for a dataset's tables, figures and exports (python -m msk_cooccurrence.outputs)."""
    lines = []
    for name, spec in tables().items():
        columns = ", ".join(f"`{c}`" for c in spec.columns) + (
            ", one column per condition" if spec.condition_columns else ""
        )
        lines.append(f"| `reports/{{dataset}}/tables/{name}.csv`, `.html` | {spec.title}: {columns} |")
    for name, spec in figures().items():
        lines.append(
            f"| `reports/{{dataset}}/figures/{name}.png`, `.svg` | {spec.title} (from {', '.join(spec.tables)}) |"
        )
    for spec in run_outputs().values():
        what = f"{spec.title}: " + ", ".join(f"`{c}`" for c in spec.columns) if spec.columns else spec.title
        lines.append(f"| `{spec.path}` | once per run, with two datasets or more: {what} |")
    for spec in exports().values():
        lines.append(f"| `{spec.path}` | {spec.title}: {' '.join(spec.caption.split())} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
