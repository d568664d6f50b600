#!/usr/bin/env python3
"""Print success, failed or running for a job id of submit.py (cluster-generic's status command)."""

import os
import sys
from pathlib import Path

FOLDER = Path(".snakemake") / "local-cluster"
job_id = sys.argv[-1]
exit_file = FOLDER / f"{job_id}.exit"
if exit_file.exists():
    print("success" if exit_file.read_text().strip() == "0" else "failed")
    sys.exit(0)
try:
    os.kill(int((FOLDER / f"{job_id}.pid").read_text()), 0)
except (OSError, ValueError):
    # gone without an exit status; it may have written it just now
    print("success" if exit_file.exists() and exit_file.read_text().strip() == "0" else "failed")
else:
    print("running")
