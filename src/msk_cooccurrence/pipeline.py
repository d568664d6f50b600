"""The workflow's stages: pure steps from data to tables, and stage functions that only read, call, write.

The pure steps (`ingest`, `harmonize_and_validate`, `analysis_data`, `compute_tables`,
`draw_figures`) take and return data; the `*_stage` functions, which the Snakemake scripts call,
read their input files, call them, and write their outputs atomically. Benchmarks, tests and
notebooks call the same pure steps the workflow runs.

Each stage receives a dataset's *view* of the validated config (config.dataset_view): the analysis
settings and that dataset's entry under `dataset`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

import pandas as pd

from . import outputs
from .config import check_consistency
from .data import AnalysisData
from .dataset_text import display_name, display_tables
from .derive import definition_summary, prepare, restrict_to_universes, universe_notes
from .design import design_of
from .figures import save_figure
from .files import atomic_path, read_json, read_literature, write_csv, write_json, write_parquet, write_text
from .harmonize import Reading, check_columns_convert, conversion_fix, harmonize
from .index import render_index
from .reliability import design_summary
from .report import render_report, table_page
from .settings import Settings
from .sources import Ingested, source_of
from .validate import Validated, data_warnings, validate

EXTERNAL_INPUTS = {"literature": read_literature, "validation": read_json}  # table inputs that are files
log = logging.getLogger("msk_cooccurrence")


def ingest(name: str, dataset: Mapping, settings: Settings) -> Ingested:
    """A dataset's rows as its source has them (plus source_row), and what else the source tells."""
    return source_of(dataset).read(name, dataset, settings.obesity_bmi)


def harmonize_and_validate(name: str, dataset: Mapping, raw: pd.DataFrame, settings: Settings):
    """The harmonized table and the validation result (analysis rows, quarantine, summary)."""
    mapping = source_of(dataset).mapping(dataset, raw.columns)
    # the dataset's definitions (derive.py): conditions from rules, unknown_if, universes
    prepared = prepare(name, mapping.label, raw, dataset, mapping.columns, settings.conditions)
    reading = Reading.of(dataset)
    harmonized, problems = harmonize(
        prepared.frame, prepared.columns, mapping.codes, settings.conditions, settings.obesity_bmi, reading
    )
    check_columns_convert(name, mapping.label, raw, mapping.columns, mapping.codes, problems, reading)
    harmonized, outside = restrict_to_universes(harmonized, dataset)
    problems = pd.concat([problems, prepared.problems], ignore_index=True)

    def fix(column: str, values: list[str]) -> str:
        return conversion_fix(column, values, mapping.codes.get(column) or {}, reading)

    result = validate(
        harmonized, problems, raw, settings.conditions, settings.max_invalid_share, name, mapping.label, fix
    )
    result.summary.update(definition_summary(dataset, prepared, outside))
    result.summary["design_summary"] = design_summary(design_of(result.analysis, settings.lonely_psu))
    result.summary["warnings"] = data_warnings(result.analysis, mapping.columns, settings)
    return harmonized, result


def analysis_data(frame: pd.DataFrame, settings: Settings) -> AnalysisData:
    return AnalysisData.from_frame(frame, settings.conditions, settings.covariates, settings.lonely_psu)


def compute_tables(
    data: AnalysisData, settings: Settings, external: Mapping[str, object], names: Iterable[str] | None = None
) -> dict[str, pd.DataFrame]:
    """The named tables (all of the registry by default), each after the tables it needs."""
    specs = outputs.tables()
    done: dict[str, pd.DataFrame] = {}

    def make(name: str) -> None:
        for needed in specs[name].inputs:
            if needed in specs and needed not in done and needed not in external:
                make(needed)
        done[name] = specs[name].compute({"data": data, "settings": settings, **external, **done})

    for name in specs if names is None else names:
        if name not in done:
            make(name)
    return {name: done[name] for name in (specs if names is None else names)}


def draw_figures(tables: Mapping[str, pd.DataFrame], settings: Settings, names: Iterable[str] | None = None) -> dict:
    """The named figures (all of the registry by default), drawn from the tables only, never from rows."""
    specs = outputs.figures()
    return {name: specs[name].draw({"settings": settings, **tables}) for name in (specs if names is None else names)}


def check_view(name: str, view: Mapping) -> None:
    """The config checks a schema cannot state, on one dataset's view: where the workflow was parsed
    without the package (the catalog's --sdm conda route) they run here, in the dataset's first job."""
    check_consistency({k: v for k, v in view.items() if k != "dataset"} | {"datasets": {name: view["dataset"]}})


def ingest_stage(name: str, view: Mapping, raw_path, truth_path, provenance_path) -> None:
    check_view(name, view)
    settings, dataset = Settings.from_dict(view), view["dataset"]
    log.info("reading dataset '%s' from %s", name, source_of(dataset).description or dataset["source"])
    ingested = ingest(name, dataset, settings)
    raw = ingested.raw
    log.info("read %s: %d rows, %d columns kept (%s)", ingested.description, len(raw), raw.shape[1], ", ".join(raw))
    for reason, count in dict(ingested.scope).items():
        log.info("left out of scope: %s: %s", reason.replace("_", " "), count)
    if len(ingested.truth):
        log.info("synthetic truth: %d known population values written", len(ingested.truth))
    write_parquet(ingested.raw, raw_path)
    write_csv(ingested.truth, truth_path)
    provenance = {
        "dataset": name,
        "source": dataset["source"],
        "input": ingested.description,
        "sha256": source_of(dataset).checksum(dataset, raw_path),
        "rows": len(ingested.raw),
        "lonely_psu": settings.lonely_psu,
        "scope": dict(ingested.scope),
    }
    write_json(provenance, provenance_path)
    log.info("wrote %s (%d rows); input SHA-256 %s", raw_path, len(raw), provenance["sha256"])


def validate_stage(
    name: str, view: Mapping, raw_path, harmonized_path, analysis_path, quarantine_path, validation_path
) -> Validated:
    """Harmonize and validate; quarantine bad rows; stop when too many are bad."""
    raw = pd.read_parquet(raw_path)
    log.info("read %s: %d rows", raw_path, len(raw))
    harmonized, result = harmonize_and_validate(name, view["dataset"], raw, Settings.from_dict(view))
    write_parquet(harmonized, harmonized_path)
    write_parquet(result.analysis, analysis_path)
    write_csv(result.quarantine, quarantine_path)
    write_json(result.summary, validation_path)
    log_validation(result.summary, result.analysis)
    for warning in result.summary["warnings"]:
        log.warning(warning)
        print(f"msk-cooccurrence: warning, dataset '{name}': {warning}", file=sys.stderr)
    return result


def log_validation(summary: Mapping, analysis: pd.DataFrame) -> None:
    """What validation kept and dropped, and why, with counts."""
    log.info(
        "kept %d of %d rows; quarantined %d (limit %.1f%%)",
        summary["rows_valid"],
        summary["rows_in"],
        summary["rows_quarantined"],
        100 * summary["max_invalid_share"],
    )
    for check, count in sorted(summary["checks"].items(), key=lambda kv: -kv[1]):
        log.info("quarantine reason: %s: %d rows", check, count)
    for condition in summary["conditions_analysed"]:
        known = analysis[condition].notna()
        cases = int(analysis.loc[known, condition].astype(bool).sum())
        log.info(
            "%s: %d known (%d with, %d without), %d unknown",
            condition,
            known.sum(),
            cases,
            known.sum() - cases,
            (~known).sum(),
        )
    if summary["conditions_absent"]:
        log.info("not in this dataset: %s", ", ".join(summary["conditions_absent"]))
    design = summary.get("design_summary") or {}
    if design:
        log.info(
            "design: %s; %s strata, %s PSUs, %s df; Kish's effective n %.0f",
            summary["design"],
            design["strata"],
            design["psus"],
            design["degrees_of_freedom"],
            design["kish_effective_n"],
        )


def read_table_inputs(paths: Mapping[str, Path | str]) -> dict[str, object]:
    """A table's inputs by name: other tables as DataFrames, external files by their reader."""
    return {name: EXTERNAL_INPUTS.get(name, pd.read_csv)(path) for name, path in paths.items()}


def table_stage(
    table: str, view: Mapping, analysis_path, input_paths: Mapping[str, Path | str], output_path, html_path=None
) -> None:
    """One table of one dataset, from the analysis rows and the inputs the registry names; and, with
    `html_path`, the table as the report shows it, on a page of its own (for Snakemake's report)."""
    settings = Settings.from_dict(view)
    data = analysis_data(pd.read_parquet(analysis_path), settings)
    log.info(
        "analysis rows: %d; conditions: %s; design degrees of freedom: %d",
        len(data.frame),
        ", ".join(data.conditions),
        data.design.degrees_of_freedom(),
    )
    inputs = read_table_inputs(input_paths)
    log.info("computing %s (%s)", table, outputs.tables()[table].function)
    tables = compute_tables(data, settings, inputs, [table])
    result = tables[table]
    notes = result["note"].astype("string").fillna("").str.len().gt(0).sum() if "note" in result else 0
    log.info("%s: %d rows, %d columns; %d rows carry a note", table, len(result), result.shape[1], notes)
    write_csv(result, output_path)
    if html_path is not None:
        write_text(table_page(table, result, view), html_path)


def figure_stage(figure: str, view: Mapping, table_paths: Mapping[str, Path | str], png_path, svg_path) -> None:
    """One figure of one dataset as PNG and SVG, from its tables."""
    # a condition measured in part of the sample only carries its universe: "bunions (ages 40+)"
    notes = universe_notes(view["dataset"])
    conditions = view["conditions"]
    tables = display_tables({name: pd.read_csv(path) for name, path in table_paths.items()}, notes, conditions)
    settings = Settings.from_dict(view)
    shown = replace(settings, conditions=tuple(display_name(c, notes) for c in settings.conditions))
    log.info("drawing %s from %s", figure, ", ".join(f"{n} ({len(t)} rows)" for n, t in tables.items()))
    drawn = draw_figures(tables, shown, [figure])[figure]
    with atomic_path(svg_path) as svg, atomic_path(png_path) as png:
        save_figure(drawn, png, svg)
    log.info("wrote %s and %s", png_path, svg_path)


def report_stage(
    name: str,
    view: Mapping,
    table_paths: Mapping[str, Path | str],
    figure_dir,
    validation_path,
    provenance_path,
    truth_path,
    report_path,
) -> None:
    truth = pd.read_csv(truth_path)
    html = render_report(
        dataset=name,
        view=view,
        validation=read_json(validation_path),
        provenance=read_json(provenance_path),
        tables={key: pd.read_csv(path) for key, path in table_paths.items()},
        figures={key: Path(figure_dir) / f"{key}.svg" for key in outputs.figures()},
        truth=truth if len(truth) else None,
    )
    write_text(html, report_path)
    log.info(
        "wrote %s (%.0f kB, %d tables, %d figures)",
        report_path,
        len(html) / 1e3,
        len(table_paths),
        len(outputs.figures()),
    )


def index_stage(names, odds_paths, prevalence_paths, validation_paths, index_path) -> None:
    """reports/index.html over every dataset of the run."""
    datasets = {
        name: {"odds_ratios": odds, "prevalence": prevalence, "validation": validation}
        for name, odds, prevalence, validation in zip(names, odds_paths, prevalence_paths, validation_paths)
    }
    html = render_index(datasets)
    write_text(html, index_path)
    log.info("wrote %s comparing %d datasets (%.0f kB)", index_path, len(datasets), len(html) / 1e3)
