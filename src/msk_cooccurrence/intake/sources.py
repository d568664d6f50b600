"""The registry of sources: where a dataset's rows come from, and how they map to harmonized columns.

A dataset's `source:` names one entry of SOURCES; nothing else in the package branches on it. Each
source says how it reads its files (which are `wiring.input_files`, the workflow's inputs too, so
that editing one reruns the pipeline: rows as the source has them, plus `source_row`), what its
columns and codes mean, how its input is checksummed, and how it is described in the report. A
new kind of source is one class here (and its `$defs` entry in the config schema).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..columns import SOURCE_ROW
from ..errors import InputError
from ..wiring import input_files

if TYPE_CHECKING:
    import pandas as pd

# The readers (ingest, nhanes, synthetic) are imported where a source reads: the workflow checks a
# config at parse time with this registry, without loading pandas.
TRUTH_COLUMNS = ["kind", "condition_a", "condition_b", "quantity", "value"]


def no_truth() -> pd.DataFrame:
    """The truth table of a source that has none (only the synthetic cohort knows its truth)."""
    import pandas as pd

    return pd.DataFrame(columns=TRUTH_COLUMNS)


@dataclass(frozen=True)
class Ingested:
    """What ingest keeps: the rows, the synthetic truth (empty otherwise), the rows left out of scope, and
    warnings about the input files (validation.json lists them first)."""

    raw: pd.DataFrame
    description: str
    truth: pd.DataFrame = field(default_factory=no_truth)
    scope: Mapping[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class IngestedChunks:
    """Ingested with the rows as an iterator of chunks (TableSource reads CSV and Parquet chunk by chunk)."""

    chunks: Iterator[pd.DataFrame]
    description: str
    truth: pd.DataFrame = field(default_factory=no_truth)
    scope: Mapping[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ColumnMap:
    """How the raw columns become harmonized ones: `columns` (harmonized -> raw), `codes`, and a label."""

    columns: dict
    codes: dict
    label: str


class Source:
    """The default behaviour: no input files, checksum of the rows as read, nothing more to check or say."""

    description = ""

    def input_files(self, dataset: Mapping) -> list[str]:
        return input_files(dataset)

    def check(self, name: str, dataset: Mapping) -> None:
        """ConfigError for what the schema cannot judge about this kind of dataset."""

    def methods_sentences(self, dataset: Mapping) -> list[str]:
        """What the report's methods section says about how this source was read."""
        return []

    def read(self, name: str, dataset: Mapping, obesity_bmi: float) -> Ingested:
        raise NotImplementedError

    def read_in_chunks(self, name: str, dataset: Mapping, obesity_bmi: float, chunk_rows: int) -> IngestedChunks:
        """read(), the rows in chunks of about `chunk_rows` (by default all in one)."""
        ingested = self.read(name, dataset, obesity_bmi)
        return IngestedChunks(
            iter([ingested.raw]), ingested.description, ingested.truth, ingested.scope, ingested.warnings
        )

    def mapping(self, dataset: Mapping, raw_columns) -> ColumnMap:
        raise NotImplementedError

    def checksum(self, dataset: Mapping, raw_path: Path | str) -> str:
        """SHA-256 of the input files in order (one file: its own checksum), or of the rows read."""
        from .ingest import file_sha256

        files = self.input_files(dataset)
        if not files:
            return file_sha256(raw_path)
        if len(files) == 1:
            return file_sha256(files[0])
        digest = hashlib.sha256()
        for path in files:
            digest.update(file_sha256(path).encode())
        return digest.hexdigest()


class SyntheticSource(Source):
    description = "a built-in synthetic cohort with known ground truth"

    def read(self, name: str, dataset: Mapping, obesity_bmi: float) -> Ingested:
        # imported here: statsmodels (which draws the cohort) takes seconds to import, and every
        # workflow parse and job imports this registry
        from .synthetic import SyntheticSpec, draw_cohort, ground_truth

        spec = SyntheticSpec.from_config(dataset, obesity_bmi)
        raw = draw_cohort(spec)
        raw.insert(0, SOURCE_ROW, range(1, len(raw) + 1))
        return Ingested(raw, f"synthetic cohort (n = {spec.n}, seed = {spec.seed})", ground_truth(spec))

    def mapping(self, dataset: Mapping, raw_columns) -> ColumnMap:
        # the cohort is drawn with harmonized names and values
        return ColumnMap({c: c for c in raw_columns if c != SOURCE_ROW}, {}, "synthetic cohort")


class TableSource(Source):
    description = "a researcher's own table (CSV, Parquet, SAS, Stata or SPSS)"

    def read(self, name: str, dataset: Mapping, obesity_bmi: float) -> Ingested:
        from .ingest import read_table

        return Ingested(read_table(name, dataset), str(dataset["path"]))

    def read_in_chunks(self, name: str, dataset: Mapping, obesity_bmi: float, chunk_rows: int) -> IngestedChunks:
        from .ingest import table_chunks

        return IngestedChunks(table_chunks(name, dataset, chunk_rows), str(dataset["path"]))

    def mapping(self, dataset: Mapping, raw_columns) -> ColumnMap:
        return ColumnMap(dict(dataset["columns"]), dict(dataset.get("codes", {})), str(dataset["path"]))


class NhanesSource(Source):
    description = "NHANES XPT files as CDC publishes them, cycles combined"

    def check(self, name: str, dataset: Mapping) -> None:
        from . import nhanes

        nhanes.check_cycles(name, dataset)

    def methods_sentences(self, dataset: Mapping) -> list[str]:
        from . import nhanes

        return nhanes.methods_sentences(dataset)

    def read(self, name: str, dataset: Mapping, obesity_bmi: float) -> Ingested:
        from . import nhanes

        raw, scope, warnings = nhanes.read_nhanes(name, dataset)
        if raw.empty:
            raise InputError(empty_population_message(name, dataset, scope))
        described = "NHANES " + "; ".join(
            f"{c.get('name', 'cycle')}: {', '.join(Path(f).name for f in c['files'])}" for c in dataset["cycles"]
        )
        return Ingested(raw, described, scope=scope, warnings=tuple(warnings))

    def mapping(self, dataset: Mapping, raw_columns) -> ColumnMap:
        from . import nhanes

        columns, codes = nhanes.nhanes_mapping(dataset, raw_columns)
        return ColumnMap(columns, codes, "NHANES files")


def empty_population_message(name: str, dataset: Mapping, scope: Mapping[str, int]) -> str:
    """Why no row is left once the rows out of scope are left out: the counts of the scope, the keys to change."""
    counts = [f"{scope.get('rows_read', 0):,} read"] + [
        f"{count:,} {reason.removeprefix('excluded_').replace('_', ' ')}"
        for reason, count in scope.items()
        if reason != "rows_read" and count
    ]
    keys = []
    if any(reason.startswith("excluded_under") and count for reason, count in scope.items()):
        keys.append(f"lower `min_age` (now {dataset['min_age']:g}: is it the age you meant?)")
    if scope.get("excluded_not_examined"):
        keys.append(f"check `examined: {dataset['examined']}` (it is 0 or blank for everyone else)")
    fix = " and ".join(keys) or "check the dataset's `cycles:` files"
    return (
        f"Dataset '{name}': no respondent is in the analysis population ({', '.join(counts)}), so there is "
        f"nothing to analyse. To keep respondents, {fix}."
    )


SOURCES: dict[str, Source] = {"synthetic": SyntheticSource(), "table": TableSource(), "nhanes": NhanesSource()}


def source_of(dataset: Mapping) -> Source:
    return SOURCES[dataset["source"]]
