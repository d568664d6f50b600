"""The package for a job: the installed one, or else the source tree this workflow sits in.

The second is the catalog's route (`snakemake --sdm conda`, workflow/envs/msk-cooccurrence.yaml):
there the job's environment holds the package's pinned dependencies and the code is read from
src/ beside this workflow, so it is always the code of the workflow being run.
"""

import sys
from pathlib import Path

try:
    import msk_cooccurrence  # noqa: F401
except ImportError:
    sys.path.append(str(Path(__file__).resolve().parents[2] / "src"))
