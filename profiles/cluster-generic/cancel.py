#!/usr/bin/env python3
"""Stop the jobs of submit.py whose ids are given (cluster-generic's cancel command)."""

import contextlib
import os
import signal
import sys
from pathlib import Path

FOLDER = Path(".snakemake") / "local-cluster"
for job_id in sys.argv[1:]:
    with contextlib.suppress(OSError, ValueError):  # already finished
        os.killpg(int((FOLDER / f"{job_id}.pid").read_text()), signal.SIGTERM)
