"""Run a stage for a workflow script: a log that tells what happened, plain messages for bad input.

Each rule's log (logs/{rule}/...) gets the stage's own lines (what it read, kept, dropped and
computed, with counts), a progress line every PROGRESS_SECONDS while a long step runs, and the
time and peak memory at the end. An InputError or ConfigError becomes one paragraph on the
console and in the log; anything else is a bug, whose traceback goes to the log.
"""

from __future__ import annotations

import logging
import resource
import sys
import threading
import time
import traceback
from collections.abc import Callable

from .errors import InputError

PROGRESS_SECONDS = 30.0
log = logging.getLogger("msk_cooccurrence")


def peak_memory_mb() -> float:
    """This process's peak resident memory so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Progress:
    """A line in the log every `every` seconds until stopped: a long step shows it is alive."""

    def __init__(self, what: str, every: float = PROGRESS_SECONDS):
        self.what, self.every, self.start = what, every, time.monotonic()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True)

    def _beat(self) -> None:
        while not self.stopped.wait(self.every):
            elapsed = time.monotonic() - self.start
            log.info("%s: still running after %.0f s (peak memory %.0f MB)", self.what, elapsed, peak_memory_mb())

    def __enter__(self) -> Progress:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join()


def configure_log(log_path: str) -> None:
    logging.basicConfig(
        filename=log_path, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", force=True
    )
    logging.captureWarnings(True)  # a library's warning belongs in the log, beside what caused it


def run_job(job, stage: Callable[[], None], what: str) -> None:
    """run_stage for a Snakemake job (the `snakemake` object of a workflow script): the temporaries a
    killed run of it left beside its outputs removed first, and, for a dataset's job, a failure
    recorded where the index of the datasets reads it (failures.py)."""
    from .files import remove_stale_temporaries

    configure_log(job.log[0])
    for stale in remove_stale_temporaries(job.output):
        log.info("removed %s, left by an earlier run that was killed", stale)
    run_stage(job.log[0], stage, what, getattr(job.wildcards, "dataset", None))


def run_stage(log_path: str, stage: Callable[[], None], what: str = "stage", dataset: str | None = None) -> None:
    """Call `stage`, logging its start, progress, time and memory; on bad input a plain message and exit 1.

    An unexpected error is a bug: its traceback goes to the log, a one-line pointer to the console.
    `dataset`: the dataset the stage works on, whose failure is recorded for the index (failures.py).
    """
    from . import failures

    configure_log(log_path)
    log.info("%s: started", what)
    if dataset is not None:
        failures.clear(log_path)
    start = time.monotonic()
    try:
        with Progress(what):
            stage()
    except InputError as error:  # ConfigError included
        log.error(str(error))
        print(f"\nmsk-cooccurrence: {error}\n", file=sys.stderr)
        if dataset is not None:
            failures.record(log_path, dataset, what, str(error))
        sys.exit(1)
    except Exception as error:  # a bug, not bad input: keep the details for the report of it
        log.error("unexpected error\n%s", traceback.format_exc())
        message = f"unexpected error ({type(error).__name__}: {error}); details in {log_path}"
        print(f"\nmsk-cooccurrence: {message}\n", file=sys.stderr)
        if dataset is not None:
            failures.record(log_path, dataset, what, message)
        sys.exit(1)
    elapsed = time.monotonic() - start
    log.info("%s: finished in %.1f s (peak memory %.0f MB)", what, elapsed, peak_memory_mb())
