"""The workflow's stages: pure steps from data to tables, and stage functions that only read, call, write.

The pure steps (`ingest`, `harmonize_and_validate`, `analysis_data`, `compute_tables`,
`draw_figures`) take and return data; the `*_stage` functions, which the Snakemake scripts call,
read their input files, call them, and write their outputs atomically. Benchmarks, tests and
notebooks call the same pure steps the workflow runs.

Each stage receives a dataset's *view* of the validated config (config.dataset_view): the analysis
settings and that dataset's entry under `dataset`.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import outputs
from .files import SOURCE_WARNINGS, atomic_path, read_json, read_literature, write_csv, write_json, write_text
from .settings import Settings

if TYPE_CHECKING:
    import pandas as pd

    from .intake.validate import Validated
    from .survey.data import AnalysisData

# The other modules a stage needs are imported in that stage: a workflow job loads only its own
# (a table job neither matplotlib nor pandera nor jinja, an imputation job not even pandas), which
# at a second or more each is most of a small job's time.
log = logging.getLogger("msk_cooccurrence")


def read_imputations(paths) -> list:
    """The draws of each imputation, from the files of impute_stage in the order given."""
    import numpy as np

    return [draws for path in ([paths] if isinstance(paths, str | Path) else paths) for draws in np.load(path)]


def read_imputation_model(path):
    """The imputation problem imputation_model_stage saved (imputation_model.ImputationProblem)."""
    from .tables.imputation_model import load_problem

    return load_problem(path)


# table inputs that are files, not tables
EXTERNAL_INPUTS = {
    "literature": read_literature,
    "validation": read_json,
    "imputations": read_imputations,
    "imputation_model": read_imputation_model,
}


def ingest(name: str, dataset: Mapping, settings: Settings):
    """A dataset's rows as its source has them (plus source_row), and what else the source tells (sources.Ingested)."""
    from .intake.sources import source_of

    return source_of(dataset).read(name, dataset, settings.obesity_bmi)


def harmonize_and_validate(name: str, dataset: Mapping, raw: pd.DataFrame, settings: Settings, source_warnings=()):
    """The harmonized table and the validation result (analysis rows, quarantine, summary): the rows as
    one chunk (chunks.py). `source_warnings`: ingest's (sources.Ingested.warnings)."""
    from .intake.chunks import Gathered, validate_chunk, verdict
    from .intake.sources import source_of

    mapping, gathered = source_of(dataset).mapping(dataset, raw.columns), Gathered()
    harmonized, analysis = validate_chunk(name, dataset, raw, settings, mapping, None, gathered)
    result = verdict(name, dataset, settings, mapping, gathered, analysis, source_warnings)
    return harmonized, replace(result, analysis=analysis)


def analysis_data(frame: pd.DataFrame, settings: Settings) -> AnalysisData:
    from .survey.data import AnalysisData

    return AnalysisData.of(frame, settings)


def load_analysis(config_path, name: str) -> tuple[AnalysisData, Settings]:
    """A dataset of a config file read, harmonized and validated in memory, as the workflow would: its
    analysis data and settings (for a notebook; the file's keys over the schema's defaults)."""
    from .config import load_config
    from .settings import dataset_view

    view = dataset_view(load_config(config_path), name)
    settings = Settings.from_dict(view)
    ingested = ingest(name, view["dataset"], settings)
    _, validated = harmonize_and_validate(name, view["dataset"], ingested.raw, settings, ingested.warnings)
    return analysis_data(validated.analysis, settings), settings


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


def ingest_stage(name: str, view: Mapping, raw_path, truth_path, provenance_path) -> None:
    """Read a dataset's rows to raw_path: a CSV or Parquet table `chunk_rows` at a time, whatever its size."""
    from .files import background_writes, parquet_writer
    from .intake.sources import source_of

    settings, dataset = Settings.from_dict(view), view["dataset"]
    source, rows, columns = source_of(dataset), 0, []
    log.info("reading dataset '%s' from %s", name, source.description or dataset["source"])
    ingested = source.read_in_chunks(name, dataset, settings.obesity_bmi, view["chunk_rows"])
    for warning in ingested.warnings:  # validation.json lists them (validate_stage reads raw.parquet's note)
        log.warning(warning)
    notes = {SOURCE_WARNINGS: json.dumps(list(ingested.warnings))}
    with parquet_writer(raw_path, notes) as raw_out, background_writes() as write:
        for raw in ingested.chunks:
            write((raw_out, raw))
            rows, columns = rows + len(raw), list(raw)
    log.info("read %s: %d rows, %d columns kept (%s)", ingested.description, rows, len(columns), ", ".join(columns))
    for reason, count in dict(ingested.scope).items():
        log.info("left out of scope: %s: %s", reason.replace("_", " "), count)
    if len(ingested.truth):
        log.info("synthetic truth: %d known population values written", len(ingested.truth))
    write_csv(ingested.truth, truth_path)
    provenance = {
        "dataset": name,
        "source": dataset["source"],
        "input": ingested.description,
        "sha256": source.checksum(dataset, raw_path),
        "rows": rows,
        "lonely_psu": settings.lonely_psu,
        "scope": dict(ingested.scope),
        "warnings": list(ingested.warnings),
    }
    write_json(provenance, provenance_path)
    log.info("wrote %s (%d rows); input SHA-256 %s", raw_path, rows, provenance["sha256"])


def validate_stage(
    name: str, view: Mapping, raw_path, harmonized_path, analysis_path, quarantine_path, validation_path
) -> Validated:
    """Harmonize and validate `chunk_rows` rows at a time; quarantine bad rows; stop when too many are bad.

    The result's `analysis` holds the analysis rows' source row, design, age, BMI and conditions only
    (the analysis file holds every column).
    """
    from .intake.chunks import validate_file_in_chunks
    from .intake.quarantine import quarantine_warning

    result = validate_file_in_chunks(name, view, raw_path, harmonized_path, analysis_path, view["chunk_rows"])
    write_csv(result.quarantine, quarantine_path)
    write_json(result.summary, validation_path)
    log_validation(result.summary, result.analysis)
    left = quarantine_warning(result.summary, quarantine_path)
    for warning in [left] * bool(left) + result.summary["warnings"]:
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
    import pandas as pd

    return {name: EXTERNAL_INPUTS.get(name, pd.read_csv)(path) for name, path in paths.items()}


def read_analysis(path) -> pd.DataFrame:
    """The analysis rows, without the source row and the id, which no estimate reads (at ten million
    rows the ids alone are a fifth of a gigabyte)."""
    import pandas as pd
    import pyarrow.parquet as pq

    from .columns import SOURCE_ROW

    columns = [c for c in pq.read_schema(path).names if c not in (SOURCE_ROW, "id")]
    return pd.read_parquet(path, columns=columns)


def tables_stage(
    view: Mapping, analysis_path, input_paths: Mapping, output_paths: Mapping, html_paths: Mapping | None = None
) -> None:
    """Tables of one dataset in one process (a family of the registry), from the analysis rows and
    the inputs the registry names; `output_paths` maps each table to its CSV, and `html_paths` to
    the table as the report shows it, on a page of its own (for Snakemake's report)."""
    settings = Settings.from_dict(view)
    data = analysis_data(read_analysis(analysis_path), settings)
    log.info(
        "analysis rows: %d; conditions: %s; design degrees of freedom: %d",
        len(data.frame),
        ", ".join(data.conditions),
        data.design.degrees_of_freedom(),
    )
    for covariate, knots in data.knots.items():  # what R's ns(x, knots = ..., Boundary.knots = ...) needs
        log.info(
            "spline of %s: knots at %s (Harrell's quantiles of the rows)", covariate, ", ".join(f"{k:g}" for k in knots)
        )
    inputs = read_table_inputs(input_paths)
    log.info("computing %s", ", ".join(f"{name} ({outputs.tables()[name].function})" for name in output_paths))
    tables = compute_tables(data, settings, inputs, list(output_paths))
    for name, path in output_paths.items():
        result = tables[name]
        notes = result["note"].astype("string").fillna("").str.len().gt(0).sum() if "note" in result else 0
        log.info("%s: %d rows, %d columns; %d rows carry a note", name, len(result), result.shape[1], notes)
        write_csv(result, path)
        if html_paths is not None:
            from .report.document import table_page

            write_text(table_page(name, result, view), html_paths[name])


def table_stage(table: str, view: Mapping, analysis_path, input_paths: Mapping, output_path, html_path=None) -> None:
    """One table of one dataset (tables_stage of one table)."""
    html = None if html_path is None else {table: html_path}
    tables_stage(view, analysis_path, input_paths, {table: output_path}, html)


def imputation_model_stage(view: Mapping, analysis_path, model_path) -> None:
    """What every imputation of a dataset starts from (imputation_model.ImputationProblem), written once."""
    from .tables.imputation_model import ImputationProblem, imputation_problem, save_problem

    try:
        problem = imputation_problem(analysis_data(read_analysis(analysis_path), Settings.from_dict(view)))
        log.info("imputation model: %d variables; %d rows with a missing value", len(problem.names), len(problem.rows))
    except ValueError as error:  # as in one process, the sensitivity table's note says why: not a traceback
        problem = ImputationProblem.failed(str(error))
        log.warning("no imputation model: %s (the sensitivity table says so)", error)
    with atomic_path(model_path) as temporary:
        save_problem(problem, temporary)


def imputation_batches(options: Mapping) -> list[range]:
    """The imputations each job draws: `imputations_per_job` at a time, in order."""
    every, size = options["imputations"], options["imputations_per_job"]
    return [range(first, min(first + size, every)) for first in range(0, every, size)]


def impute_stage(view: Mapping, model_path, batch: int, draws_path) -> None:
    """The imputations of batch `batch` of a dataset, each from its own random stream (seed, m): the
    same in any job and in any order."""
    import numpy as np

    from .tables.imputation import attempt
    from .tables.imputation_model import load_problem

    problem, options = load_problem(model_path), view["sensitivity"]
    wanted = imputation_batches(options)[int(batch)]
    log.info("drawing imputations %d to %d for %d rows", wanted[0], wanted[-1], len(problem.rows))
    # an imputation whose model cannot be fitted keeps -1 where values are missing: the sensitivity
    # job says why (imputation.why_failed)
    draws = np.stack([attempt(problem, options["seed"], m) for m in wanted])
    # level codes in the smallest signed integer type that holds them: an eighth of the memory of
    # int64 when the sensitivity job holds every imputation of ten million rows
    with atomic_path(draws_path) as temporary:
        np.save(temporary, draws.astype(np.min_scalar_type(-int(draws.max(initial=0)) - 1)))


def figure_stage(figure: str, view: Mapping, table_paths: Mapping[str, Path | str], png_path, svg_path) -> None:
    """One figure of one dataset as PNG and SVG, from its tables."""
    import pandas as pd

    from .intake.derive import universe_notes
    from .report.dataset_text import display_name, display_tables
    from .report.figures import save_figure

    # a condition measured in part of the sample only carries its universe: "bunions (ages 40+)"
    notes = universe_notes(view["dataset"])
    conditions = view["conditions"]
    settings = Settings.from_dict(view)
    read = {name: pd.read_csv(path) for name, path in table_paths.items()}
    tables = display_tables(read, notes, conditions, settings.labels)
    shown = replace(settings, conditions=tuple(display_name(c, notes, settings.labels) for c in settings.conditions))
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
    import pandas as pd

    from .report.document import render_report

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


def exports_stage(
    name: str,
    view: Mapping,
    table_paths: Mapping[str, Path | str],
    validation_path,
    provenance_path,
    analysis_path,
    export_paths: Mapping[str, Path | str],
    version: str,
) -> None:
    """The exports of the registry (outputs.exports: tables.xlsx, manuscript.docx, reproduce.R, its rows)."""
    import pandas as pd

    from .report.exports import shown_tables
    from .report.methods import methods_context, methods_html

    validation, provenance = read_json(validation_path), read_json(provenance_path)
    tables = {key: pd.read_csv(path) for key, path in table_paths.items()}
    available = {
        "dataset": name,
        "view": view,
        "settings": Settings.from_dict(view),
        "shown": shown_tables(tables, view, validation),
        "methods_html": methods_html(methods_context(view, validation, provenance, tables)),
        "frame": read_analysis(analysis_path),
        "version": version,
    }
    for key, spec in outputs.exports().items():
        made = spec.make(available)
        if isinstance(made, pd.DataFrame):
            write_csv(made, export_paths[key])
        elif isinstance(made, str):
            write_text(made, export_paths[key])
        else:
            with atomic_path(export_paths[key]) as temporary:
                temporary.write_bytes(made)
        log.info("wrote %s", export_paths[key])
