"""Time and peak memory of each stage on a synthetic cohort (prints figures; not a test).

It calls the same pure steps the workflow's stages run (msk_cooccurrence.pipeline), table by
table from the registry of outputs.

usage: python benchmarks/bench_pipeline.py [n_rows]   (default 1,000,000)
"""

from __future__ import annotations

import resource
import sys
import time

from msk_cooccurrence import outputs, pipeline
from msk_cooccurrence.config import validate_config
from msk_cooccurrence.files import read_literature
from msk_cooccurrence.settings import Settings
from msk_cooccurrence.synthetic import SyntheticSpec, ground_truth


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, work):
    start = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - start
    print(f"{label:<40} {seconds:8.2f} s   process peak RSS so far {peak_rss_mib():7.0f} MiB")
    return result


def main(n: int) -> None:
    config = validate_config({"datasets": {"bench": {"source": "synthetic", "n": n, "seed": 1}}})
    settings, dataset = Settings.from_dict(config), config["datasets"]["bench"]
    print(f"{n:,} rows, {len(settings.conditions)} conditions")
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


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
