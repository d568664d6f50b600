"""Time and peak memory of each stage on a synthetic cohort (prints figures; not a test).

It calls the same pure steps the workflow's stages run (msk_cooccurrence.pipeline), table by
table from the registry of outputs, then one imputation chain. Beside each table, what the model
engine cost: the statsmodels GLM fits (glm.py) it made, their seconds and the most units one fit
had; and first, what importing statsmodels' GLM adds to a fresh job that has loaded the package.

It runs with one thread in the BLAS libraries, as a workflow job of `threads: 1` does (Snakemake
sets OPENBLAS_NUM_THREADS and the like to a job's threads); set OPENBLAS_NUM_THREADS to run it with
more (on a busy machine OpenBLAS's threads make statsmodels' decompositions of tall, narrow
matrices several times slower).

usage: python benchmarks/bench_pipeline.py [n_rows]   (default 1,000,000)
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time

from msk_cooccurrence import outputs, pipeline
from msk_cooccurrence.config import validate_config
from msk_cooccurrence.files import read_literature
from msk_cooccurrence.intake.synthetic import SyntheticSpec, ground_truth
from msk_cooccurrence.settings import Settings
from msk_cooccurrence.survey import glm
from msk_cooccurrence.tables.imputation import impute
from msk_cooccurrence.tables.imputation_model import imputation_problem


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# the BLAS libraries' threads as Snakemake sets them for a job of `threads: 1` (snakemake/shell.py)
JOB_THREADS = {name: "1" for name in ("OMP_NUM_THREADS", "GOTO_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
# what importing statsmodels' GLM adds to a job that has already loaded the package (and pandas)
IMPORT_COST = """
import time
import msk_cooccurrence.survey.inference, msk_cooccurrence.pipeline
start = time.perf_counter()
import statsmodels.genmod.generalized_linear_model
print(time.perf_counter() - start)
"""


class GlmClock:
    """Counts the statsmodels fits glm.fit makes, their seconds and the most units one had."""

    def __init__(self):
        self.calls, self.seconds, self.largest = 0, 0.0, 0
        self.real = glm._statsmodels_fit
        glm._statsmodels_fit = self.timed

    def timed(self, family, X, y, w, start):
        began = time.perf_counter()
        try:
            return self.real(family, X, y, w, start)
        finally:
            self.calls += 1
            self.seconds += time.perf_counter() - began
            self.largest = max(self.largest, len(y))

    def reading(self) -> str:
        """What was fitted since the last reading (nothing when no fit was made)."""
        text = f"   GLM: {self.calls:3d} fits {self.seconds:6.2f} s, largest {self.largest:,} units"
        text = text if self.calls else ""
        self.calls, self.seconds, self.largest = 0, 0.0, 0
        return text


CLOCK = GlmClock()


def timed(label: str, work):
    start = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - start
    print(f"{label:<40} {seconds:8.2f} s   process peak RSS so far {peak_rss_mib():7.0f} MiB{CLOCK.reading()}")
    return result


def import_cost() -> float:
    """Median of three fresh processes."""
    times = [
        float(subprocess.run([sys.executable, "-c", IMPORT_COST], capture_output=True, text=True, check=True).stdout)
        for _ in range(3)
    ]
    return statistics.median(times)


def main(n: int) -> None:
    config = validate_config({"datasets": {"bench": {"source": "synthetic", "n": n, "seed": 1}}})
    settings, dataset = Settings.from_dict(config), config["datasets"]["bench"]
    print(f"{n:,} rows, {len(settings.conditions)} conditions, BLAS threads {os.environ['OPENBLAS_NUM_THREADS']}")
    print(f"{'import statsmodels GLM (a fresh job)':<40} {import_cost():8.2f} s   (scipy.stats and statsmodels)")
    raw = timed("ingest (draw synthetic cohort)", lambda: pipeline.ingest("bench", dataset, settings).raw)
    spec = SyntheticSpec.from_config(dataset, settings.obesity_bmi)
    timed("ground truth (exact, population grid)", lambda: ground_truth(spec))
    _, result = timed(
        "harmonize + validate (pandera, lazy)", lambda: pipeline.harmonize_and_validate("bench", dataset, raw, settings)
    )
    data = pipeline.analysis_data(result.analysis, settings)
    done = {"literature": read_literature(settings.literature)}
    for name in outputs.tables():
        table = timed(
            f"table {name}", lambda name=name, done=done: pipeline.compute_tables(data, settings, done, [name])
        )
        done |= table
    problem = timed("imputation model (counts)", lambda: imputation_problem(data))
    timed("one imputation (a chain of 10 rounds)", lambda: impute(problem, 1, 0))


if __name__ == "__main__":
    if "OPENBLAS_NUM_THREADS" not in os.environ:  # read when numpy loads: start again with them set
        os.execve(sys.executable, [sys.executable, *sys.argv], os.environ | JOB_THREADS)
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
