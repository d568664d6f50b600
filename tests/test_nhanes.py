"""NHANES as CDC publishes it: small XPT files with NHANES names and codes, written by the test."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from conftest import PROJECT
from helpers import run_stages

from msk_cooccurrence.config import validate_config
from msk_cooccurrence.errors import InputError
from msk_cooccurrence.nhanes import read_nhanes

CONDITIONS = ["knee_oa", "bunions", "obesity", "low_back_pain"]


def write_cycle(folder, suffix: str, first_seqn: int, n: int = 12) -> list[str]:
    """DEMO, MCQ, MPQ and BMX files of one cycle, every code case covered in the first rows."""
    seqn = np.arange(first_seqn, first_seqn + n, dtype=float)
    demo = pd.DataFrame(
        {
            "SEQN": seqn,
            "RIDAGEYR": [45, 60, 30, 70, 12, 50, 40, 55, 65, 35, 80, 25][:n],
            "RIAGENDR": [1, 2] * (n // 2),
            "WTMEC2YR": [1000.0] * 5 + [0.0] + [2000.0] * (n - 6),
            "SDMVSTRA": [1, 1, 2, 2, 1, 2] * (n // 6),
            "SDMVPSU": [1, 2] * (n // 2),
        }
    )
    mcq = pd.DataFrame(
        {
            "SEQN": seqn,
            "MCQ160A": [1, 1, 1, 2, 2, 2, 9, 1, 1, 2, 1, 2][:n],
            "MCQ190": [2, 2, 1, np.nan, np.nan, np.nan, np.nan, 9, 2, np.nan, 2, np.nan][:n],
        }
    )
    mpq = pd.DataFrame(
        {
            "SEQN": seqn,
            "MPQ070": [1, 2, 1, 7, 2, 1, 2, 9, 1, 2, 1, 2][:n],
            "MPD050I": [1, np.nan, 1, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan][:n],
            "MPD050J": [np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, 1, np.nan][:n],
        }
    )
    bmx = pd.DataFrame(
        {"SEQN": seqn, "BMXBMI": [31.0, 24.0, np.nan, 35.2, 18.0, 28.0, 30.0, 22.5, 27.0, 33.3, 26.0, 21.0][:n]}
    )
    paths = []
    for name, frame in (("DEMO", demo), ("MCQ", mcq), ("MPQ", mpq), ("BMX", bmx)):
        path = folder / f"{name}_{suffix}.XPT"
        pyreadstat.write_xport(frame, str(path), table_name=f"{name}_{suffix}", file_format_version=5)
        paths.append(str(path))
    return paths


def nhanes_dataset(folder) -> dict:
    return {
        "source": "nhanes",
        "cycles": [
            {"name": "2003-2004", "files": write_cycle(folder, "C", 21005)},
            {"name": "2005-2006", "files": write_cycle(folder, "D", 31127)},
        ],
    }


def test_cycles_merge_on_seqn_with_nchs_weights_and_scope(tmp_path):
    config = validate_config({"datasets": {"nh": nhanes_dataset(tmp_path)}})
    raw, scope = read_nhanes("nh", config["datasets"]["nh"])
    # the 12-year-old and the unexamined respondent (MEC weight 0) of each cycle are out of scope
    assert scope == {"rows_read": 24, "excluded_under_18": 2, "excluded_not_examined": 2}
    assert len(raw) == 20 and raw["SEQN"].is_unique
    assert (raw["WEIGHT_COMBINED"] == raw["WTMEC2YR"] / 2).all()  # two cycles: weight / 2


def test_knee_proxy_codes_and_cdc_missing_codes(tmp_path):
    config = validate_config({"datasets": {"nh": nhanes_dataset(tmp_path)}})
    dataset = config["datasets"]["nh"]
    paths = run_stages(config, "nh", tmp_path / "out")
    frame = pd.read_parquet(paths["analysis"]).set_index("id")
    first = frame.loc[["21005", "21006", "21007", "21008", "21011", "21012", "21013", "21015"]]
    # OA with right knee pain; OA without knee pain; rheumatoid; no arthritis; arthritis refused (9);
    # OA type don't know (9); OA with no knee item; OA with left knee pain
    expected_knee = [True, False, False, False, None, None, False, True]
    assert [None if pd.isna(v) else bool(v) for v in first["knee_oa"]] == expected_knee
    assert [None if pd.isna(v) else bool(v) for v in first["low_back_pain"]][:4] == [True, False, True, None]
    assert "bunions" not in frame
    assert frame.loc["21005", "obesity"] and not frame.loc["21006", "obesity"]
    summary = json.loads(paths["validation"].read_text())
    assert summary["rows_in"] == 20 and summary["rows_quarantined"] == 0
    assert summary["conditions_absent"] == ["bunions"]
    assert json.loads(paths["provenance"].read_text())["scope"]["excluded_not_examined"] == 2
    assert dataset["weight"] == "WTMEC2YR"


def test_a_missing_demo_file_is_a_plain_message(tmp_path):
    dataset = nhanes_dataset(tmp_path)
    dataset["cycles"][0]["files"] = dataset["cycles"][0]["files"][1:]
    config = validate_config({"datasets": {"nh": dataset}})
    with pytest.raises(InputError, match="RIDAGEYR"):
        read_nhanes("nh", config["datasets"]["nh"])


def test_example_nhanes_config_is_valid():
    config = validate_config(
        __import__("yaml").safe_load((PROJECT / "config" / "examples" / "nhanes.yaml").read_text())
    )
    assert config["datasets"]["nhanes"]["source"] == "nhanes"
