"""The odds ratios tests/r/comparison.R pools: each dataset of datasets.yaml through the stages the
workflow runs (tests/helpers.run_stages), every row of its odds_ratios.csv with the dataset's name.

usage (from tests/reference): python comparison/make_inputs.py comparison/inputs.csv
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # tests/, for helpers
from helpers import LITERATURE, run_stages  # noqa: E402

from msk_cooccurrence.config import validate_config  # noqa: E402

COLUMNS = ["dataset", "condition_a", "condition_b", "model", "estimate", "se"]


def datasets() -> dict:
    return yaml.safe_load((HERE / "datasets.yaml").read_text())


def pooled_inputs(folder: Path) -> pd.DataFrame:
    config = validate_config({"datasets": datasets(), "literature": str(LITERATURE)})
    frames = []
    for name in config["datasets"]:
        paths = run_stages(config, name, folder / name)
        frames.append(pd.read_csv(paths["odds_ratios"]).assign(dataset=name))
    return pd.concat(frames, ignore_index=True)[COLUMNS]


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        pooled_inputs(Path(folder)).to_csv(sys.argv[1], index=False, float_format="%.17g")
