"""The jobs of a run that stopped, recorded so that the index of the datasets can name them.

A dataset's job that stops (runner.run_stage: bad input, or a bug) writes one small JSON file under
logs/failed/ with its dataset, its stage and its message; a job removes its own record when it
starts again, and the workflow removes them all when a run starts (the Snakefile's `onstart`), so
the records are those of the run. When a run ends with a job that stopped, the workflow writes
reports/index.html from the datasets that finished and these records (pipeline.index_of_run):
every dataset of the config with its state, the failed ones with their message.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path

FAILURES = Path("logs/failed")  # relative to the run's working directory, like every output


def record_path(log_path: Path | str) -> Path:
    """The record of the job whose log is `log_path` (one log per job, so one record per job)."""
    return FAILURES / (Path(log_path).as_posix().strip("/").replace("/", "__") + ".json")


def record(log_path: Path | str, dataset: str, stage: str, message: str) -> None:
    path = record_path(log_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"dataset": dataset, "stage": stage, "message": message, "log": str(log_path)}))


def clear(log_path: Path | str) -> None:
    record_path(log_path).unlink(missing_ok=True)


def clear_all() -> None:
    shutil.rmtree(FAILURES, ignore_errors=True)


def of_datasets(names: Iterable[str]) -> dict[str, list[dict]]:
    """dataset -> the records of its jobs that stopped in this run (in the order of their logs)."""
    found = {name: [] for name in names}
    for path in sorted(FAILURES.glob("*.json")) if FAILURES.is_dir() else []:
        try:
            entry = json.loads(path.read_text())
        except (OSError, ValueError):  # a record cut short by a kill: the job is failed, the words lost
            continue
        if entry.get("dataset") in found:
            found[entry["dataset"]].append(entry)
    return found
