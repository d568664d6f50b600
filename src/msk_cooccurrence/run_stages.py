"""The stages over every dataset of a run: reports/comparison.csv (each pair's odds ratios pooled
across the datasets) and reports/index.html, after a run and after a run that stopped (the
workflow's `onerror`). Like pipeline.py's stages, each reads its input files, calls, and writes
atomically; the modules a stage needs are imported in it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

from .files import atomic_path, write_csv, write_text

log = logging.getLogger("msk_cooccurrence")


def index_stage(
    names, odds_paths, prevalence_paths, validation_paths, index_path, comparison_paths=(), others=()
) -> None:
    """reports/index.html over every dataset of the run; comparison_paths: reports/comparison.csv and
    its forest plots' SVG, with two datasets or more; `others`: the names of the datasets of another
    config with a report in reports/ (index.other_reports), linked."""
    datasets = {
        name: {"odds_ratios": odds, "prevalence": prevalence, "validation": validation}
        for name, odds, prevalence, validation in zip(names, odds_paths, prevalence_paths, validation_paths)
    }
    write_index(datasets, {}, index_path, comparison_paths, others)


def comparison_stage(names, odds_paths, method: str, table_path, figure_path) -> None:
    """reports/comparison.csv (each pair's odds ratios pooled across the datasets of the run) and its
    forest plots, as an SVG for the index."""
    import pandas as pd

    from .report.comparison_figures import pooled_forest_figure
    from .report.figures import plt
    from .tables.comparison import comparison_table

    odds = {name: pd.read_csv(path) for name, path in zip(names, odds_paths)}
    table = comparison_table(odds, method)
    write_csv(table, table_path)
    log.info(
        "pooled %d of %d pairs and models across %d datasets (%s); wrote %s",
        int(table["estimate"].notna().sum()),
        len(table),
        len(odds),
        method,
        table_path,
    )
    figure = pooled_forest_figure(pd.read_csv(table_path), odds)
    with atomic_path(figure_path) as svg:
        figure.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(figure)
    log.info("wrote %s", figure_path)


def index_of_run(inputs: Mapping[str, Mapping[str, str]], index_path, comparison_paths=(), others=()) -> None:
    """reports/index.html after a run in which a job stopped (the workflow's `onerror`): the datasets whose
    files the index reads exist compared, every other dataset named with its state, a failed one with
    the message of each job that stopped (failures.py). `inputs`: each dataset of the config -> the
    paths of its odds_ratios, prevalence and validation files. The file gets the time of the oldest
    file it read, less a second, so that the next run's index job draws it again."""

    from . import failures

    stopped = failures.of_datasets(inputs)
    done, unfinished = {}, {}
    for name, paths in inputs.items():
        if stopped[name]:
            message = " ".join(f"{entry['stage']}: {entry['message']}" for entry in stopped[name])
            unfinished[name] = {"state": "failed", "message": message}
        elif all(Path(path).exists() for path in paths.values()):
            done[name] = paths
        else:
            message = "the run stopped before this dataset's results, at another dataset's failure"
            unfinished[name] = {"state": "not finished", "message": message}
    write_index(done, unfinished, index_path, current_comparison(done, unfinished, comparison_paths), others)
    read = [Path(path).stat().st_mtime for paths in done.values() for path in paths.values()]
    if read:
        os.utime(index_path, (min(read) - 1, min(read) - 1))


def current_comparison(done: Mapping, unfinished: Mapping, comparison_paths) -> list:
    """The comparison's files for the index of a failed run: only when every dataset finished and
    each file was made after the odds ratios it pools (else none: an earlier run's would mislead)."""
    paths = [Path(path) for path in comparison_paths]
    if unfinished or not paths or not all(path.exists() for path in paths):
        return []
    read = [Path(path).stat().st_mtime for files in done.values() for path in files.values()]
    return paths if min(path.stat().st_mtime for path in paths) >= max(read, default=0) else []


def write_index(datasets: Mapping, unfinished: Mapping, index_path, comparison_paths=(), others=()) -> None:
    from .report.index import other_reports, render_index

    html = render_index(datasets, unfinished, comparison_paths, other_reports(others, Path(index_path).parent))
    write_text(html, index_path)
    log.info(
        "wrote %s comparing %d datasets, %d without results (%.0f kB)",
        index_path,
        len(datasets),
        len(unfinished),
        len(html) / 1e3,
    )
