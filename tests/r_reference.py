"""The R survey figures of tests/r/tables.R: committed under tests/reference/, or made afresh by R.

`reference(mode, name)` reads the committed CSV; `live(mode, name, tmp)` runs R (callers skip
without it). `ours_*` compute the same quantities with the package, for the comparisons.
"""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from conftest import SURVEY_SMALL
from helpers import analysis_of
from test_reference_r import analysed

from msk_cooccurrence.survey.data import AnalysisData
from msk_cooccurrence.survey.estimate import LOGIT
from msk_cooccurrence.survey.inference import proportion
from msk_cooccurrence.survey.reliability import proportion_details

HERE = Path(__file__).parent
REFERENCE = HERE / "reference" / "tables"
SCRIPT = HERE / "r" / "tables.R"
CONDITIONS = ["knee_oa", "bunions", "obesity", "low_back_pain"]
INPUTS = {
    "survey_small": REFERENCE.parent / "survey_small" / "survey_small.csv",
    "domains": REFERENCE / "small_domains.csv",
}
STANDARD = [
    {"lower": 18, "population": 108151},
    {"lower": 45, "population": 60991},
    {"lower": 65, "population": 34710},
]


def reference(mode: str, name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE / f"{mode}_{name}.csv", keep_default_na=True)


@cache
def _run_r(mode: str, folder: str) -> None:
    subprocess.run(["Rscript", str(SCRIPT), mode, str(INPUTS[mode]), folder], check=True, capture_output=True)


def live(mode: str, name: str, folder: Path) -> pd.DataFrame:
    _run_r(mode, str(folder))
    return pd.read_csv(folder / f"{mode}_{name}.csv")


def survey_small() -> AnalysisData:
    """The committed copy of the shared extract, through the pipeline's harmonize and validate."""
    _, data = analysed(SURVEY_SMALL | {"path": str(INPUTS["survey_small"])}, CONDITIONS)
    return data


def small_domains() -> AnalysisData:
    frame = pd.read_csv(INPUTS["domains"])
    return analysis_of(frame.assign(stratum=frame["stratum"].astype(str), psu=frame["psu"].astype(str)), ["y"])


def domain_prevalence(interval: str = "logit") -> pd.DataFrame:
    """Each domain's proportion of y (and 'all') with the columns prevalence.csv adds."""
    data = small_domains()
    frame, design = data.frame, data.design
    y = frame["y"].to_numpy(float)
    rows = []
    for domain in ["all", *frame["domain"].unique()]:
        mask = np.ones(len(frame), bool) if domain == "all" else (frame["domain"] == domain).to_numpy()
        estimate = proportion(y, design, mask)
        numbers = estimate.summary(scale=LOGIT)
        details = proportion_details(y, design.weight, mask & ~np.isnan(y), numbers, estimate, interval)
        rows.append({"domain": domain} | numbers | details)
    return pd.DataFrame(rows)


def assert_close(merged: pd.DataFrame, columns, rtol: float, suffix: str = "_r") -> None:
    """Ours and R's agree to rtol wherever R has a number; where R has none, so do we (except 0%/100% KG)."""
    for column in columns:
        expected = merged[f"{column}{suffix}"].to_numpy(float)
        got = merged[column].to_numpy(float)
        finite = np.isfinite(expected)
        assert finite.any(), column
        np.testing.assert_allclose(got[finite], expected[finite], rtol=rtol, atol=0, err_msg=column)
