"""Domains, lonely PSUs, missing values and age standardization against R survey.

The figures R gives on tests/reference/domains/input.csv are committed beside it (tests/r/domains.R
made them); where R is installed it also runs live on a freshly drawn sample.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import REFERENCE, needs_r

from msk_cooccurrence.survey.design import SurveyDesign
from msk_cooccurrence.survey.estimate import LOGIT
from msk_cooccurrence.survey.inference import fit_logistic, proportion
from msk_cooccurrence.survey.standardize import standardized_proportion

SCRIPT = Path(__file__).parent / "r" / "domains.R"
DOMAINS = REFERENCE / "domains"


def awkward_sample(seed: int = 7) -> pd.DataFrame:
    """Five strata, one with a single PSU; y unknown in the whole of one PSU and here and there."""
    rng = np.random.default_rng(seed)
    psus = [(h, p) for h in range(1, 5) for p in range(1, 3 + (h == 2))] + [(5, 1)]
    rows = []
    for h, p in psus:
        m = int(rng.integers(15, 40))
        rows.append(
            pd.DataFrame(
                {
                    "stratum": h,
                    "psu": p,
                    "weight": rng.uniform(500, 3000, m).round(2),
                    "age": rng.integers(20, 80, m),
                    "sex": rng.choice(["female", "male"], m),
                    "x": rng.integers(0, 2, m),
                }
            )
        )
    d = pd.concat(rows, ignore_index=True)
    logit = -1 + 0.8 * d["x"] + 0.02 * (d["age"] - 50) + 0.3 * (d["stratum"] == 3)
    d["y"] = (rng.random(len(d)) < 1 / (1 + np.exp(-logit))).astype(float)
    d.loc[(d["stratum"] == 1) & (d["psu"] == 2), "y"] = np.nan  # a whole PSU without the condition
    d.loc[rng.random(len(d)) < 0.05, "y"] = np.nan
    return d


def r_figures(frame: pd.DataFrame, tmp_path: Path, lonely: str, weights_only: bool) -> pd.DataFrame:
    data, out = tmp_path / "in.csv", tmp_path / "out.csv"
    frame.to_csv(data, index=False, na_rep="NA")
    command = ["Rscript", str(SCRIPT), str(data), str(out), lonely] + (["weights-only"] if weights_only else [])
    subprocess.run(command, check=True, capture_output=True)
    return pd.read_csv(out)


def python_figures(frame: pd.DataFrame, lonely: str, weights_only: bool) -> pd.DataFrame:
    design = (
        SurveyDesign.from_columns(frame["weight"], lonely_psu=lonely)
        if weights_only
        else SurveyDesign.from_columns(frame["weight"], frame["stratum"], frame["psu"], lonely)
    )
    y = frame["y"].to_numpy()
    rows = []
    for domain in ("all", "female", "male"):
        mask = np.ones(len(frame), bool) if domain == "all" else (frame["sex"] == domain).to_numpy()
        rows.append({"what": "proportion", "domain": domain} | proportion(y, design, mask).summary(scale=LOGIT))
    groups = [
        {"lower": 18, "population": 108151},
        {"lower": 45, "population": 60991},
        {"lower": 65, "population": 34710},
    ]
    standardized, _ = standardized_proportion(y, design, np.ones(len(frame), bool), frame["age"].to_numpy(), groups)
    rows.append({"what": "standardized", "domain": "all"} | standardized.summary(scale=LOGIT))
    X = np.column_stack([np.ones(len(frame)), frame["x"], frame["age"]]).astype(float)
    fit = fit_logistic(X, np.nan_to_num(y), design, ~np.isnan(y))
    rows.append({"what": "logistic_x", "domain": "all"} | fit.summary(1))
    return pd.DataFrame(rows)


def assert_agree(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    np.testing.assert_array_equal(got["df"], expected["df"])
    np.testing.assert_allclose(got["estimate"], expected["estimate"], rtol=1e-6)
    for column in ("se", "ci_low", "ci_high"):
        np.testing.assert_allclose(got[column], expected[column], rtol=1e-4)


@pytest.mark.parametrize("lonely", ["adjust", "average", "certainty", "remove"])
@pytest.mark.parametrize("weights_only", [False, True])
def test_domains_and_lonely_psu_match_committed_r_figures(lonely, weights_only):
    frame = pd.read_csv(DOMAINS / "input.csv")
    expected = pd.read_csv(DOMAINS / f"{lonely}_{'weights_only' if weights_only else 'design'}.csv")
    assert_agree(python_figures(frame, lonely, weights_only), expected)


@needs_r
@pytest.mark.parametrize("lonely", ["adjust", "average", "certainty", "remove"])
@pytest.mark.parametrize("weights_only", [False, True])
def test_domains_and_lonely_psu_match_r_live_on_another_sample(tmp_path, lonely, weights_only):
    frame = awkward_sample(seed=11)
    assert_agree(python_figures(frame, lonely, weights_only), r_figures(frame, tmp_path, lonely, weights_only))


def test_lonely_psu_fail_raises():
    frame = awkward_sample()
    design = SurveyDesign.from_columns(frame["weight"], frame["stratum"], frame["psu"], "fail")
    with pytest.raises(ValueError, match="Stratum '5' has a single PSU"):
        proportion(frame["y"].to_numpy(), design, np.ones(len(frame), bool))
