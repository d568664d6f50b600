"""Run a stage for a workflow script: log to the rule's log, turn input errors into a plain message."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable

from .errors import InputError


def run_stage(log_path: str, stage: Callable[[], None]) -> None:
    """Call `stage`; on an InputError print its message (no traceback) and exit with status 1.

    An unexpected error is a bug: its traceback goes to the log, a one-line pointer to the console.
    """
    logging.basicConfig(filename=log_path, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        stage()
    except InputError as error:
        logging.error(str(error))
        print(f"\nmsk-cooccurrence: {error}\n", file=sys.stderr)
        sys.exit(1)
    except Exception as error:  # a bug, not bad input: keep the details for the report of it
        logging.error("unexpected error\n%s", traceback.format_exc())
        print(
            f"\nmsk-cooccurrence: unexpected error ({type(error).__name__}: {error}); details in {log_path}\n",
            file=sys.stderr,
        )
        sys.exit(1)
    logging.info("done")
