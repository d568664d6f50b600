#!/usr/bin/env python3
"""Submit a Snakemake job script as a separate local process; print its job id (cluster-generic).

The process runs in its own session with no terminal, writes its exit status to
.snakemake/local-cluster/<id>.exit when it ends, and its output to <id>.log beside it.
"""

import subprocess
import sys
from pathlib import Path

FOLDER = Path(".snakemake") / "local-cluster"
FOLDER.mkdir(parents=True, exist_ok=True)
script = sys.argv[-1]
count = len(list(FOLDER.glob("*.log")))
job_id = f"local-{count}"
while (FOLDER / f"{job_id}.log").exists():
    count += 1
    job_id = f"local-{count}"
exit_file = FOLDER / f"{job_id}.exit"
with open(FOLDER / f"{job_id}.log", "w") as log:
    process = subprocess.Popen(
        ["bash", "-c", 'bash "$1"; echo $? > "$2.tmp" && mv "$2.tmp" "$2"', "job", script, str(exit_file)],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
(FOLDER / f"{job_id}.pid").write_text(str(process.pid))
print(job_id)
