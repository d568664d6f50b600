"""One function per workflow stage, from input paths to output paths (the scripts call these).

Each writes its outputs atomically (a temporary file renamed into place), so an interrupted run
never leaves a half-written file that looks complete.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from . import figures as fig
from .association import association_table
from .claims import claims_table, read_literature
from .config import Settings
from .design import design_of
from .dose_response import dose_response_table
from .harmonize import check_columns_convert, harmonize
from .index import render_index
from .ingest import SOURCE_ROW, file_sha256, read_table
from .loglinear import loglinear_table
from .nhanes import files_sha256, nhanes_mapping, read_nhanes
from .odds_ratios import odds_ratio_table
from .patterns import pattern_table
from .prevalence import grouping, prevalence_table
from .reliability import design_summary
from .report import render_report
from .sensitivity import sensitivity_table
from .synthetic import SyntheticSpec, draw_cohort, ground_truth
from .table1 import table1
from .validate import validate

FLOAT_FORMAT = "%.15g"  # full precision that prints the same on every run
TRUTH_COLUMNS = ["kind", "condition_a", "condition_b", "quantity", "value"]
FIGURE_NAMES = ("prevalence", "upset", "forest", "heatmap", "network", "dose_response")
TABLE_NAMES = ("prevalence", "odds_ratios", "patterns", "loglinear", "dose_response", "claims", "sensitivity")
TABLE_NAMES += ("association", "table1")  # issue 12


@contextmanager
def atomic_path(path: Path | str):
    """Yield a temporary path beside `path`; rename it into place only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(handle)
    os.chmod(temporary, 0o644)  # mkstemp makes files private; outputs are meant to be shared
    try:
        yield Path(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def write_csv(frame: pd.DataFrame, path) -> None:
    with atomic_path(path) as temporary:
        frame.to_csv(temporary, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


def write_parquet(frame: pd.DataFrame, path) -> None:
    with atomic_path(path) as temporary:
        frame.to_parquet(temporary, index=False)


def write_json(data, path) -> None:
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")


def write_text(text: str, path) -> None:
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def ingest_dataset(name: str, config: Mapping, raw_path, truth_path, provenance_path) -> None:
    """Rows as the source has them (+ source_row), the synthetic truth if any, and provenance."""
    settings = Settings.from_dict(config)
    dataset = settings.datasets[name]
    truth = pd.DataFrame(columns=TRUTH_COLUMNS)
    scope = {}
    if dataset["source"] == "nhanes":
        raw, scope = read_nhanes(name, dataset)
        described = "NHANES " + "; ".join(
            f"{c.get('name', 'cycle')}: {', '.join(Path(f).name for f in c['files'])}" for c in dataset["cycles"]
        )
    elif dataset["source"] == "synthetic":
        spec = SyntheticSpec.from_config(dataset, settings.obesity_bmi)
        raw = draw_cohort(spec)
        raw.insert(0, SOURCE_ROW, range(1, len(raw) + 1))
        truth = ground_truth(spec)
        described = f"synthetic cohort (n = {spec.n}, seed = {spec.seed})"
    else:
        raw = read_table(name, dataset)
        described = str(dataset["path"])
    write_parquet(raw, raw_path)
    write_csv(truth, truth_path)
    checksum = {
        "table": lambda: file_sha256(dataset["path"]),
        "nhanes": lambda: files_sha256(dataset),
        "synthetic": lambda: file_sha256(raw_path),
    }[dataset["source"]]()
    write_json(
        {
            "dataset": name,
            "source": dataset["source"],
            "input": described,
            "sha256": checksum,
            "rows": len(raw),
            "lonely_psu": settings.lonely_psu,
            "scope": scope,
        },
        provenance_path,
    )


def validate_dataset(
    name: str, config: Mapping, raw_path, harmonized_path, analysis_path, quarantine_path, validation_path
) -> None:
    """Harmonize and validate; quarantine bad rows; stop when too many are bad."""
    settings = Settings.from_dict(config)
    dataset = settings.datasets[name]
    raw = pd.read_parquet(raw_path)
    if dataset["source"] == "synthetic":
        columns = {c: c for c in raw.columns if c != SOURCE_ROW}
        codes, source = {}, "synthetic cohort"
    elif dataset["source"] == "nhanes":
        columns, codes = nhanes_mapping(dataset, raw.columns)
        source = "NHANES files"
    else:
        columns, codes, source = dict(dataset["columns"]), dict(dataset.get("codes", {})), str(dataset["path"])
    harmonized, problems = harmonize(raw, columns, codes, settings.conditions, settings.obesity_bmi)
    check_columns_convert(name, source, raw, columns, codes, problems)
    result = validate(harmonized, problems, raw, settings.conditions, settings.max_invalid_share, name, source)
    write_parquet(harmonized, harmonized_path)
    write_parquet(result.analysis, analysis_path)
    write_csv(result.quarantine, quarantine_path)
    summary = result.summary | {"design_summary": design_summary(design_of(result.analysis, settings.lonely_psu))}
    write_json(summary, validation_path)


def analyse_dataset(config: Mapping, analysis_path, literature_path, outputs: Mapping[str, Path]) -> None:
    """Every table of one dataset; `outputs` maps table names (TABLE_NAMES) to paths."""
    settings = Settings.from_dict(config)
    frame = pd.read_parquet(analysis_path)
    design = design_of(frame, settings.lonely_psu)
    conditions, covariates = settings.conditions, settings.covariates
    groups = settings.standard_population["groups"]
    odds = odds_ratio_table(frame, conditions, covariates, design)
    bands, obesity_bmi, interval = settings.age_bands, settings.obesity_bmi, settings.proportion_ci
    tables = {
        "prevalence": prevalence_table(frame, conditions, design, bands, obesity_bmi, groups, interval),
        "odds_ratios": odds,
        "patterns": pattern_table(frame, conditions, design),
        "loglinear": loglinear_table(frame, conditions, design),
        "dose_response": dose_response_table(frame, conditions, covariates, design, **settings.dose_response),
        "claims": claims_table(settings.claims, odds, read_literature(literature_path)),
        "sensitivity": sensitivity_table(frame, conditions, covariates, design, odds, settings.sensitivity),
        "association": association_table(frame, conditions, design, grouping(frame, bands, obesity_bmi)),
        "table1": table1(frame, conditions, design, bands, obesity_bmi, interval),
    }
    for name, table in tables.items():
        write_csv(table, outputs[name])


def draw_figures(config: Mapping, tables: Mapping[str, Path], figure_dir) -> None:
    """Every figure of one dataset, from its tables only."""
    conditions = Settings.from_dict(config).conditions
    read = {name: pd.read_csv(path) for name, path in tables.items()}
    drawn = {
        "prevalence": fig.prevalence_figure(read["prevalence"]),
        "upset": fig.upset_figure(read["patterns"], conditions),
        "forest": fig.forest_figure(read["odds_ratios"]),
        "heatmap": fig.heatmap_figure(read["odds_ratios"], conditions),
        "network": fig.network_figure(read["loglinear"], conditions),
        "dose_response": fig.dose_response_figure(read["dose_response"]),
    }
    for name, figure in drawn.items():
        with atomic_path(Path(figure_dir) / f"{name}.svg") as svg, atomic_path(Path(figure_dir) / f"{name}.png") as png:
            fig.save_to(figure, png, svg)


def write_report(
    name: str,
    config: Mapping,
    tables: Mapping[str, Path],
    figure_dir,
    validation_path,
    provenance_path,
    truth_path,
    report_path,
) -> None:
    truth = pd.read_csv(truth_path)
    html = render_report(
        dataset=name,
        config=dict(config),
        validation=json.loads(Path(validation_path).read_text()),
        provenance=json.loads(Path(provenance_path).read_text()),
        tables={key: pd.read_csv(path) for key, path in tables.items()},
        figures={key: Path(figure_dir) / f"{key}.svg" for key in FIGURE_NAMES},
        truth=truth if len(truth) else None,
    )
    write_text(html, report_path)


def write_index(names, odds_paths, prevalence_paths, validation_paths, index_path) -> None:
    """reports/index.html over every dataset of the run."""
    datasets = {
        name: {"odds_ratios": odds, "prevalence": prevalence, "validation": validation}
        for name, odds, prevalence, validation in zip(names, odds_paths, prevalence_paths, validation_paths)
    }
    write_text(render_index(datasets), index_path)
