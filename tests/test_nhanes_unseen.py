"""Issue 20's check: NHANES 2001-2004 files the project has not seen, through the example config, against R.

`nhanes_fixtures.write_unseen` writes CDC-layout files with a seed of their own, the foot examiners'
drift between cycles (a bunion on a foot in about 21% of the 2001-2002 exams and 28% of 2003-2004),
MCQ190 "don't know" at the codebooks' shares and MPD050A 77 / 99 (which joints refused / not known).
They go through config/examples/nhanes_2001_2004.yaml with the README's path edit (and multiple
imputation on), and the tables are held against tests/reference/nhanes/unseen_2001_2004.csv, made
by R survey (tests/r/nhanes_unseen.R, the definitions in tests/r/nhanes_definitions.R):
    python tests/nhanes_fixtures.py --unseen /tmp/fxu && Rscript tests/r/nhanes_unseen.R /tmp/fxu OUT.csv
Estimates and F to 1e-6, SEs, CIs, dfs and p-values to 1e-4 (relative); counts exactly.

What each table must hold (the features of issue 20 items 1-6):
- prevalence.csv, condition knee_oa, group overall: n and the prevalence with MPD050A 77/99 unknown;
- definitions.csv, condition knee_oa: definition `knee_oa` (the primary, first) and
  `arthritis_knee_pain`, kind prevalence (n, n_unknown, estimate, se, ci_low, ci_high) and kind
  odds_ratio (condition_b, model adjusted at least; n, estimate, se, ci_low, ci_high);
- prevalence.csv, condition bunions, group cycle, level 2001-2002 / 2003-2004: n, estimate, se, CI, df;
- association.csv, condition bunions, by cycle: one row, n, statistic, df_num, df_den, p_value;
- sensitivity.csv, method "multiple imputation", bunions on either side: n <= the adults 40+.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from conftest import PROJECT, REFERENCE, needs_r
from helpers import run_stages
from nhanes_fixtures import CYCLES, UNSEEN, example_config, write_fixtures, write_unseen

from msk_cooccurrence.config import validate_config

SCRIPT = Path(__file__).parent / "r" / "nhanes_unseen.R"
COMMITTED = REFERENCE / "nhanes" / "unseen_2001_2004.csv"
PRIMARY, ALTERNATIVE = "knee_oa", "arthritis_knee_pain"  # knee OA's definitions, by name
DEFINITION_COLUMNS = [
    "condition", "definition", "kind", "condition_b", "model", "n", "n_unknown",
    "estimate", "se", "ci_low", "ci_high", "note",
]  # fmt: skip
CYCLE_NAMES = ["2001-2002", "2003-2004"]
TEXT = ["kind", "condition", "definition", "condition_b", "model", "group", "level"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    where = tmp_path_factory.mktemp("unseen")
    write_unseen(where)
    return where


@pytest.fixture(scope="module")
def tables(files, tmp_path_factory) -> dict[str, pd.DataFrame]:
    """Every table of the example config on the unseen files, multiple imputation on (2 imputations)."""
    config = example_config("2001-2004", files)
    config["sensitivity"] = {**config.get("sensitivity", {}), "multiple_imputation": True, "imputations": 2}
    config = validate_config(config)
    paths = run_stages(config, "nhanes", tmp_path_factory.mktemp("unseen_tables"))
    found = {name: pd.read_csv(path) for name, path in paths.items() if str(path).endswith(".csv") and path.exists()}
    found["analysis"] = pd.read_parquet(paths["analysis"])
    found["proportion_ci"] = config["proportion_ci"]
    return found


def reference(path: Path = COMMITTED) -> pd.DataFrame:
    return pd.read_csv(path, dtype={c: str for c in TEXT}).fillna({c: "" for c in TEXT})


def r_row(r: pd.DataFrame, **where) -> pd.Series:
    rows = r[np.logical_and.reduce([r[k] == v for k, v in where.items()])]
    assert len(rows) == 1, where
    return rows.iloc[0]


def count(r: pd.DataFrame, what: str) -> int:
    return int(r_row(r, kind="count", condition=what)["n"])


def assert_close(ours, theirs, interval: tuple[str, str] = ("ci_low", "ci_high"), what: str = "") -> None:
    """Counts exactly, the estimate to 1e-6, the SE and the CI (`interval`, R's columns) to 1e-4."""
    assert int(ours["n"]) == int(theirs["n"]), what
    np.testing.assert_allclose(ours["estimate"], theirs["estimate"], rtol=1e-6, atol=0, err_msg=what)
    np.testing.assert_allclose(ours["se"], theirs["se"], rtol=1e-4, atol=0, err_msg=what)
    for column, r_column in zip(("ci_low", "ci_high"), interval, strict=True):
        np.testing.assert_allclose(ours[column], theirs[r_column], rtol=1e-4, atol=0, err_msg=f"{what} {column}")


def interval_of(tables) -> tuple[str, str]:
    """R's columns for ci_low / ci_high: logit (svyciprop "logit") or Korn-Graubard ("beta")."""
    return ("ci_low", "ci_high") if tables["proportion_ci"] == "logit" else ("kg_low", "kg_high")


# --- the files ----------------------------------------------------------------------------------

STAMP = re.compile(rb"\d\d[A-Z]{3}\d\d:\d\d:\d\d:\d\d")  # the XPT headers' creation and modification times


def test_the_default_fixtures_are_still_the_example_files_byte_for_byte(tmp_path):
    write_fixtures(tmp_path)
    examples = PROJECT / "data" / "examples" / "nhanes"
    names = sorted(p.name for p in examples.glob("*.XPT"))
    assert names == sorted(p.name for p in tmp_path.glob("*.XPT")) and len(names) == 15
    for name in names:
        ours, theirs = (STAMP.sub(b"-" * 16, (folder / name).read_bytes()) for folder in (tmp_path, examples))
        assert ours == theirs, name


def shares(files: Path, cycle: str) -> dict[str, float]:
    suffix = CYCLES[cycle]["suffix"]
    read = {c: pyreadstat.read_xport(str(files / f"{c}{suffix}.XPT"))[0] for c in ("LEXPN", "MCQ", "MPQ")}
    for frame in read.values():
        frame.columns = [c.upper() for c in frame.columns]
    exam, mcq, mpq = read["LEXPN"], read["MCQ"], read["MPQ"]
    done = exam["LEALBUN"].notna()
    return {
        "left": (exam.loc[done, "LEALBUN"] == 1).mean(),
        "right": (exam.loc[done, "LEARBUN"] == 1).mean(),
        "type_unknown": (mcq.loc[mcq["MCQ160A"] == 1, "MCQ190"] == 9).mean(),
        "dont_know": int((mpq["MPD050A"] == 99).sum()),
        "refused": int((mpq["MPD050A"] == 77).sum()),
    }


@pytest.mark.parametrize("cycle", CYCLE_NAMES)
def test_the_unseen_files_drift_by_cycle_and_hold_the_codebooks_unknowns(files, cycle):
    got = shares(files, cycle)
    for foot in ("left", "right"):
        assert abs(got[foot] - UNSEEN.bunion_share[cycle]) < 0.03, foot
    assert abs(got["type_unknown"] - UNSEEN.type_unknown[cycle]) < 0.05
    assert got["dont_know"] > got["refused"] > 0


# --- the tables against R -----------------------------------------------------------------------


def test_knee_oa_counts_mpd050a_77_and_99_as_unknown(tables):
    r = reference()
    prevalence = tables["prevalence"]
    ours = prevalence[(prevalence["condition"] == "knee_oa") & (prevalence["group"] == "overall")]
    assert len(ours) == 1
    theirs = r_row(r, kind="prevalence", condition="knee_oa", definition=PRIMARY)
    assert_close(ours.iloc[0], theirs, interval_of(tables), "knee_oa")
    assert len(tables["analysis"]) == count(r, "rows_analysed")


def definitions_of_knee_oa(tables) -> pd.DataFrame:
    if "definitions" not in tables:
        pytest.fail("definitions.csv is not among the tables the workflow writes (issue 20, item 2)")
    table = tables["definitions"]
    assert set(DEFINITION_COLUMNS) <= set(table.columns), sorted(set(DEFINITION_COLUMNS) - set(table.columns))
    return table[table["condition"] == "knee_oa"].fillna({"condition_b": "", "model": ""}).reset_index(drop=True)


def test_definitions_give_knee_oa_under_both_definitions_primary_first(tables):
    rows = definitions_of_knee_oa(tables)
    assert list(dict.fromkeys(rows["definition"])) == [PRIMARY, ALTERNATIVE]
    assert set(rows["kind"]) == {"prevalence", "odds_ratio"}


@pytest.mark.parametrize("definition", [PRIMARY, ALTERNATIVE])
def test_definitions_prevalence_of_knee_oa_matches_r(tables, definition):
    rows = definitions_of_knee_oa(tables)
    ours = rows[(rows["definition"] == definition) & (rows["kind"] == "prevalence")]
    assert len(ours) == 1
    theirs = r_row(reference(), kind="prevalence", condition="knee_oa", definition=definition)
    assert_close(ours.iloc[0], theirs, interval_of(tables), definition)
    assert int(ours.iloc[0]["n_unknown"]) == int(theirs["n_unknown"])


@pytest.mark.parametrize("definition", [PRIMARY, ALTERNATIVE])
def test_definitions_odds_ratios_of_knee_oa_match_r(tables, definition):
    rows = definitions_of_knee_oa(tables)
    ours = rows[(rows["definition"] == definition) & (rows["kind"] == "odds_ratio")]
    r = reference()
    for other in ("bunions", "obesity", "low_back_pain"):
        assert "adjusted" in set(ours.loc[ours["condition_b"] == other, "model"]), other
    for _, row in ours.iterrows():  # every model given (adjusted, and crude or mutual if there)
        theirs = r_row(r, kind="odds_ratio", definition=definition, condition_b=row["condition_b"], model=row["model"])
        assert_close(row, theirs, what=f"{definition} {row['condition_b']} {row['model']}")


def test_bunions_prevalence_by_cycle_matches_r(tables):
    prevalence = tables["prevalence"]
    ours = prevalence[(prevalence["condition"] == "bunions") & (prevalence["group"] == "cycle")]
    assert sorted(ours["level"].astype(str)) == CYCLE_NAMES
    r = reference()
    for _, row in ours.iterrows():
        theirs = r_row(r, kind="prevalence", condition="bunions", group="cycle", level=str(row["level"]))
        assert_close(row, theirs, interval_of(tables), str(row["level"]))
        assert int(row["df"]) == int(theirs["df"])
    assert ours["estimate"].iloc[1] - ours["estimate"].iloc[0] > 0.08  # the examiners' drift shows


def test_bunions_differ_across_cycles_by_the_rao_scott_f_of_r(tables):
    association = tables["association"]
    ours = association[(association["condition"] == "bunions") & (association["by"] == "cycle")]
    assert len(ours) == 1
    ours, theirs = ours.iloc[0], r_row(reference(), kind="rao_scott", condition="bunions", condition_b="cycle")
    assert int(ours["n"]) == int(theirs["n"])
    np.testing.assert_allclose(ours["statistic"], theirs["statistic"], rtol=1e-6, atol=0)
    for column in ("df_num", "df_den", "p_value"):
        np.testing.assert_allclose(ours[column], theirs[column], rtol=1e-4, atol=0, err_msg=column)


def test_no_model_of_bunions_uses_more_rows_than_the_adults_40_plus(tables):
    sensitivity = tables["sensitivity"]
    bunions = sensitivity[(sensitivity["condition_a"] == "bunions") | (sensitivity["condition_b"] == "bunions")]
    imputed = bunions[bunions["method"] == "multiple imputation"]
    assert len(imputed) == 3 and len(bunions) == 6  # three pairs, complete cases and imputed
    adults_40 = count(reference(), "adults_40_plus")
    assert int((tables["analysis"]["age"] >= 40).sum()) == adults_40
    assert (bunions["n"] <= adults_40).all(), bunions[["condition_a", "condition_b", "method", "n"]].to_string()


# --- R itself -----------------------------------------------------------------------------------


@needs_r
def test_r_on_freshly_written_unseen_files_gives_the_committed_figures(files, tmp_path):
    out = tmp_path / "unseen.csv"
    subprocess.run(["Rscript", str(SCRIPT), str(files), str(out)], check=True, capture_output=True)
    live, committed = reference(out), reference()
    assert live[TEXT].equals(committed[TEXT])
    np.testing.assert_array_equal(live[["n", "n_unknown", "df"]], committed[["n", "n_unknown", "df"]])
    numbers = ["estimate", "se", "ci_low", "ci_high", "kg_low", "kg_high", "statistic", "df_num", "df_den", "p_value"]
    np.testing.assert_allclose(live[numbers], committed[numbers], rtol=1e-12)
