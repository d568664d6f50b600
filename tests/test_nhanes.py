"""NHANES as CDC publishes it: CDC-layout XPT fixtures (tests/nhanes_fixtures.py) through the example configs.

Every expectation is computed here from the fixture files themselves, read with pyreadstat, and from
the definitions of ../shared/reference/nhanes_1999_2004.md written out plainly: not from the pipeline.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from helpers import run_stages
from nhanes_fixtures import CYCLES, EXAMPLES, example_config, write_fixtures

from msk_cooccurrence.config import validate_config
from msk_cooccurrence.errors import ConfigError, InputError
from msk_cooccurrence.intake.nhanes import WEIGHT_COLUMN, read_nhanes

SCOPES = {"2001-2004": ["2001-2002", "2003-2004"], "1999-2004": list(CYCLES)}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    where = tmp_path_factory.mktemp("nhanes")
    write_fixtures(where)
    return where


def cdc_rows(folder, cycle: str) -> pd.DataFrame:
    """One cycle's files merged on SEQN from DEMO, every name upper case, straight from the XPT files."""
    suffix = CYCLES[cycle]["suffix"]
    merged = None
    for component in ("DEMO", "MCQ", "MPQ", "LEXPN", "BMX"):
        frame = pyreadstat.read_xport(str(folder / f"{component}{suffix}.XPT"))[0]
        frame.columns = [c.upper() for c in frame.columns]
        merged = frame if merged is None else merged.merge(frame, on="SEQN", how="left")
    return merged.assign(cycle=cycle)


def reference_definitions(rows: pd.DataFrame) -> pd.DataFrame:
    """The shared reference's definitions, one row at a time, None for unknown."""

    def yes_no(value, yes, no):
        return True if value in yes else False if value in no else None

    def kleene_and(*parts):
        return False if False in parts else True if all(p is True for p in parts) else None

    out = []
    for r in rows.to_dict("records"):
        joints_unknown = r["MPQ010"] == 1 and r["MPD050A"] in (77, 99)  # which joints refused or not known
        named = r["MPD050I"] == 18 or r["MPD050J"] == 19
        knee_pain = True if named else None if joints_unknown else False if r["MPQ010"] in (1, 2) else None
        left, right = yes_no(r["LEALBUN"], [1], [2]), yes_no(r["LEARBUN"], [1], [2])
        bunions = True if True in (left, right) else False if (left, right) == (False, False) else None
        pregnant = r["RIDEXPRG"] == 1
        out.append(
            {
                "id": str(int(r["SEQN"])),
                "low_back_pain": yes_no(r["MPQ070"], [1], [2]),
                "knee_oa": kleene_and(yes_no(r["MCQ160A"], [1], [2]), yes_no(r["MCQ190"], [2], [1, 3]), knee_pain),
                "bunions": None if r["RIDAGEYR"] < 40 else bunions,
                "obesity": None if (np.isnan(r["BMXBMI"]) or pregnant) else bool(r["BMXBMI"] >= 30),
            }
        )
    return pd.DataFrame(out).set_index("id")


def in_scope(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[(rows["RIDAGEYR"] >= 20) & (rows["WTMEC2YR"] > 0)]


def run(config: dict, where) -> tuple[pd.DataFrame, dict, dict]:
    config = validate_config(config)
    paths = run_stages(config, "nhanes", where / "out", tables=False)
    summary = json.loads(paths["validation"].read_text())
    return pd.read_parquet(paths["analysis"]).set_index("id"), summary, json.loads(paths["provenance"].read_text())


@pytest.mark.parametrize("scope", SCOPES)
def test_derived_conditions_match_the_reference_definitions_row_by_row(folder, tmp_path, scope):
    frame, summary, provenance = run(example_config(scope, folder), tmp_path)
    rows = pd.concat([cdc_rows(folder, c) for c in SCOPES[scope]], ignore_index=True)
    expected = reference_definitions(in_scope(rows))
    assert summary["rows_quarantined"] == 0 and len(frame) == len(expected)
    for condition in expected.columns:
        got = [None if pd.isna(v) else bool(v) for v in frame.loc[expected.index, condition]]
        assert got == expected[condition].tolist(), condition
        assert expected[condition].notna().any() and (expected[condition] == True).any()  # noqa: E712
    assert summary["conditions_analysed"] == ["knee_oa", "bunions", "obesity", "low_back_pain"]
    assert provenance["scope"] == {
        "rows_read": len(rows),
        "excluded_under_20": int((rows["RIDAGEYR"] < 20).sum()),
        "excluded_not_examined": int(((rows["RIDAGEYR"] >= 20) & (rows["WTMEC2YR"] == 0)).sum()),
    }
    pregnant = int((in_scope(rows)["RIDEXPRG"] == 1).sum())
    assert summary["unknown_if"]["bmi"]["rows"] == pregnant > 0
    assert summary["universes"] == {"bunions": "ages 40+"}


def test_the_trap_an_unasked_joint_question_leaves_the_knee_unknown_not_no(folder, tmp_path):
    frame, _, _ = run(example_config("2001-2004", folder), tmp_path)
    rows = in_scope(pd.concat([cdc_rows(folder, c) for c in SCOPES["2001-2004"]]))
    told_oa = (rows["MCQ160A"] == 1) & (rows["MCQ190"] == 2)
    unasked = rows[told_oa & (rows["MPQ010"].isin([7, 9]) | rows["MPQ010"].isna())]
    assert len(unasked) > 0  # blank knee items here mean "not asked", so the knee proxy is unknown
    assert frame.loc[unasked["SEQN"].astype(int).astype(str), "knee_oa"].isna().all()


def test_the_trap_joints_refused_or_not_known_leave_the_knee_unknown_not_no(folder, tmp_path):
    frame, _, _ = run(example_config("2001-2004", folder), tmp_path)
    rows = in_scope(pd.concat([cdc_rows(folder, c) for c in SCOPES["2001-2004"]]))
    told_oa = (rows["MCQ160A"] == 1) & (rows["MCQ190"] == 2)
    which_unknown = rows[told_oa & rows["MPD050A"].isin([77, 99])]
    assert len(which_unknown) > 0 and which_unknown[["MPD050I", "MPD050J"]].isna().all().all()
    assert frame.loc[which_unknown["SEQN"].astype(int).astype(str), "knee_oa"].isna().all()


@pytest.mark.parametrize("scope", SCOPES)
def test_weights_follow_the_nchs_rules(folder, scope):
    config = validate_config(example_config(scope, folder))
    raw, _, _ = read_nhanes("nhanes", config["datasets"]["nhanes"])
    demo = pd.concat([cdc_rows(folder, c) for c in SCOPES[scope]]).set_index("SEQN")
    demo = demo.loc[raw["SEQN"]]
    if scope == "2001-2004":
        expected = demo["WTMEC2YR"] / 2
    else:
        four_year = demo["cycle"].isin(["1999-2000", "2001-2002"])
        expected = np.where(four_year, demo["WTMEC4YR"] * 2 / 3, demo["WTMEC2YR"] / 3)
    np.testing.assert_allclose(raw[WEIGHT_COLUMN], expected, rtol=1e-15)


def test_the_1999_2002_files_write_lower_case_names_and_are_read_all_the_same(folder):
    names = pyreadstat.read_xport(str(folder / "MPQ_B.XPT"), metadataonly=True)[1].column_names
    assert {"MPD050i", "MPD050j"} <= set(names) and "MPD050I" not in names
    config = validate_config(example_config("2001-2004", folder))
    raw, _, _ = read_nhanes("nhanes", config["datasets"]["nhanes"])
    b = raw[raw["cycle"] == "2001-2002"]
    assert (b["MPD050I"] == 18).sum() > 0 and (b["MCQ160A"] == 1).sum() > 0


def test_a_mapped_item_a_cycle_lacks_stops_the_run_naming_cycle_files_and_item(folder):
    config = example_config("2001-2004", folder)
    config["datasets"]["nhanes"]["cycles"][1]["files"] = [
        f for f in config["datasets"]["nhanes"]["cycles"][1]["files"] if "LEXPN" not in f
    ]
    config = validate_config(config)
    with pytest.raises(InputError) as raised:
        read_nhanes("nhanes", config["datasets"]["nhanes"])
    message = str(raised.value)
    assert "cycle 2003-2004" in message and "LEALBUN, for rule bunions" in message
    assert "DEMO_C.XPT, MCQ_C.XPT, MPQ_C.XPT, BMX_C.XPT" in message and "`files:`" in message


def test_a_cycle_renames_an_item_and_replaces_a_rule_with_its_own_codes(folder, tmp_path):
    """2003-2004 rewritten as later cycles code it: MCQ195, where 1 is osteoarthritis."""
    moved = tmp_path / "files"
    moved.mkdir()
    for path in folder.iterdir():
        (moved / path.name).write_bytes(path.read_bytes())
    mcq = pyreadstat.read_xport(str(folder / "MCQ_C.XPT"))[0]
    mcq = mcq.rename(columns={"MCQ190": "MCQ195"}).assign(MCQ195=mcq["MCQ190"].replace({1: 2, 2: 1}))
    pyreadstat.write_xport(mcq, str(moved / "MCQ_C.XPT"), table_name="MCQ_C", file_format_version=5)
    config = example_config("2001-2004", moved)
    dataset = config["datasets"]["nhanes"]
    knee_oa = json.loads(json.dumps(dataset["rules"]["knee_oa"]).replace("MCQ190", "MCQ195"))
    knee_oa["all"][1]["codes"] = {1: True, 2: False, 3: False, 7: None, 9: None}
    dataset["cycles"][1]["rules"] = {"knee_oa": knee_oa}
    renamed, _, _ = run(config, tmp_path)
    dataset["cycles"][1]["rules"] = {"knee_oa": dataset["rules"]["knee_oa"]}
    dataset["cycles"][1]["items"] = {"MCQ190": "MCQ195"}  # a plain rename, codes as the dataset's: wrong
    original, _, _ = run(example_config("2001-2004", folder), tmp_path)
    assert renamed["knee_oa"].equals(original["knee_oa"])
    misread, _, _ = run(config, tmp_path)
    assert not misread["knee_oa"].equals(original["knee_oa"])


def test_a_rule_a_cycle_replaces_must_exist_and_four_year_weights_come_in_pairs(folder):
    config = example_config("1999-2004", folder)
    config["datasets"]["nhanes"]["cycles"][2]["rules"] = {"knees": True}
    with pytest.raises(ConfigError, match="cycle 2003-2004: `rules` replaces knees"):
        validate_config(config)
    config = example_config("1999-2004", folder)
    del config["datasets"]["nhanes"]["cycles"][1]["weight"]
    with pytest.raises(ConfigError, match="WTMEC4YR stands for 4 years.*1 cycle\\(s\\) use it \\(1999-2000\\)"):
        validate_config(config)


@pytest.mark.parametrize("scope", SCOPES)
def test_example_configs_document_the_download_list_and_the_command_with_targets_first(scope):
    example = f"nhanes_{scope.replace('-', '_')}.yaml"
    text = (EXAMPLES / example).read_text()
    command = f"snakemake --cores 4 reports/{example[:-5]}/report.html --configfile config/examples/{example}"
    assert command in text
    listed = [
        word for line in text.splitlines() if line.startswith("#   ") for word in line.split() if word.endswith(".XPT")
    ]
    cycles = SCOPES[scope]
    expected = [f"{c}{CYCLES[y]['suffix']}.XPT" for y in cycles for c in ("DEMO", "MCQ", "MPQ", "LEXPN", "BMX")]
    assert listed == expected
    dataset = validate_config(example_config(scope, "data/raw/nhanes"))["datasets"]["nhanes"]
    assert [p.split("/")[-1] for c in dataset["cycles"] for p in c["files"]] == expected
