"""The rule language: Kleene's three-valued logic, item codes, the conditional, checks, words."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest
from helpers import CODES, COLUMNS, run_stages, small_table

from msk_cooccurrence.config import validate_config
from msk_cooccurrence.errors import ConfigError, InputError
from msk_cooccurrence.intake.definitions import MAX_CHAIN, MAX_DEPTH, describe
from msk_cooccurrence.intake.derive import Evaluation
from msk_cooccurrence.report.dataset_text import display_tables

YES, NO, UNKNOWN = True, False, None
STATES = (YES, NO, UNKNOWN)
TO_CODE = {YES: 1, NO: 2, UNKNOWN: 9}
ITEM = {1: True, 2: False, 9: None}


def truth(values) -> list:
    return [None if pd.isna(v) else bool(v) for v in values]


def every_pair() -> tuple[pd.DataFrame, list[tuple]]:
    """Nine rows: every combination of two three-valued items A and B, coded 1 / 2 / 9."""
    pairs = list(itertools.product(STATES, STATES))
    return pd.DataFrame({"A": [TO_CODE[a] for a, _ in pairs], "B": [TO_CODE[b] for _, b in pairs]}), pairs


def evaluated(rule, frame: pd.DataFrame, rules=None) -> list:
    return truth(Evaluation(frame, rules or {}).value(rule))


A = {"item": "A", "codes": ITEM}
B = {"item": "B", "codes": ITEM}


def kleene_and(a, b):  # Kleene's strong AND, by its definition
    if a is NO or b is NO:
        return NO
    return YES if (a is YES and b is YES) else UNKNOWN


def kleene_or(a, b):
    if a is YES or b is YES:
        return YES
    return NO if (a is NO and b is NO) else UNKNOWN


def test_all_any_not_follow_kleenes_truth_tables():
    frame, pairs = every_pair()
    assert evaluated({"all": [A, B]}, frame) == [kleene_and(a, b) for a, b in pairs]
    assert evaluated({"any": [A, B]}, frame) == [kleene_or(a, b) for a, b in pairs]
    assert evaluated({"not": A}, frame) == [{YES: NO, NO: YES, UNKNOWN: UNKNOWN}[a] for a, _ in pairs]
    assert evaluated(True, frame) == [YES] * 9 and evaluated(False, frame) == [NO] * 9


def test_the_conditional_is_unknown_where_its_condition_is():
    frame, pairs = every_pair()
    got = evaluated({"if": A, "then": B}, frame)
    assert got == [b if a is YES else NO if a is NO else UNKNOWN for a, b in pairs]
    got = evaluated({"if": A, "then": B, "else": {"not": B}}, frame)
    flipped = {YES: NO, NO: YES, UNKNOWN: UNKNOWN}
    assert got == [b if a is YES else flipped[b] if a is NO else UNKNOWN for a, b in pairs]


def test_rules_are_monotone_learning_an_unknown_never_flips_a_known_result():
    frame, pairs = every_pair()
    rule = {"if": A, "then": {"any": [B, {"not": A}]}, "else": {"all": [B, True]}}
    results = dict(zip(pairs, evaluated(rule, frame)))
    for (a, b), value in results.items():
        for a2, b2 in pairs:
            refines = a in (UNKNOWN, a2) and b in (UNKNOWN, b2)
            if refines and value is not UNKNOWN:
                assert results[(a2, b2)] == value


def test_blank_is_unknown_unless_mapped_and_codes_match_as_numbers_or_text():
    frame = pd.DataFrame({"K": [18.0, np.nan, "18", " 18 ", ""]})
    assert evaluated({"item": "K", "codes": {18: True}}, frame) == [YES, UNKNOWN, YES, YES, UNKNOWN]
    assert evaluated({"item": "K", "codes": {18: True, "blank": False}}, frame) == [YES, NO, YES, YES, NO]


def test_a_value_the_codes_do_not_list_is_a_problem_and_unknown_never_a_guess():
    frame = pd.DataFrame({"A": [1, 2, 5, 9, np.nan]})
    evaluation = Evaluation(frame, {})
    assert truth(evaluation.value(A)) == [YES, NO, UNKNOWN, UNKNOWN, UNKNOWN]
    (check,) = evaluation.checks.values()
    assert check.bad.tolist() == [False, False, True, False, False] and check.present == 4


def test_items_are_matched_without_regard_to_case_and_named_rules_are_shared():
    frame = pd.DataFrame({"mpq010": [1, 2, 1], "MPD050i": [18, np.nan, np.nan]})
    rules = {
        "pain": {"item": "MPQ010", "codes": {1: True, 2: False}},
        "knee": {"if": {"rule": "pain"}, "then": {"item": "MPD050I", "codes": {18: True, "blank": False}}},
    }
    assert truth(Evaluation(frame, rules).named("knee")) == [YES, NO, NO]


def test_rules_read_in_plain_words():
    rule = {
        "all": [
            {"item": "MCQ190", "codes": {2: True, 1: False, 3: False, 7: None, 9: None}},
            {"not": {"rule": "knee_pain"}},
            {"if": {"item": "X", "codes": {1: True}}, "then": True, "else": False},
        ]
    }
    assert describe(rule) == (
        "all of [MCQ190 is 2 (no if 1 or 3; unknown if 7, 9 or blank); not [knee pain]; "
        "if [X is 1 (unknown if blank)] then [yes], else no (unknown where the 'if' is)]"
    )


def config_with_rules(rules: dict, **extra) -> dict:
    dataset = {"source": "table", "path": "x.csv", "columns": {"id": "ID", "age": "AGE", "sex": "SEX"}}
    return {"datasets": {"d": dataset | {"rules": rules} | extra}}


@pytest.mark.parametrize(
    "rule, message",
    [
        ({"item": "A"}, "not valid under any"),  # codes missing
        ({"item": "A", "codes": {1: "yes"}}, "not valid under any"),  # a word, not yes/no/null
        ("A == 1", "not valid under any"),  # an expression string is not a rule
        ({"all": []}, "not valid under any"),
        ({"if": {"item": "A", "codes": {1: True}}}, "not valid under any"),  # then missing
        ({"rule": "nowhere"}, "not defined"),
        ({"item": "A", "codes": {True: True}}, "YAML read as True"),
    ],
)
def test_malformed_rules_are_refused_with_the_key_named(rule, message):
    with pytest.raises(ConfigError, match=message):
        validate_config(config_with_rules({"knee_oa": rule}))


def test_rules_that_use_each_other_in_a_loop_or_nest_too_deep_are_refused():
    with pytest.raises(ConfigError, match="loop .*a -> b -> a"):
        validate_config(config_with_rules({"a": {"rule": "b"}, "b": {"not": {"rule": "a"}}}))
    deep = True
    for _ in range(MAX_DEPTH):
        deep = {"not": deep}
    with pytest.raises(ConfigError, match="nests 9 levels deep"):
        validate_config(config_with_rules({"knee_oa": deep}))
    for _ in range(200):  # far too deep to walk: refused before the schema recurses
        deep = {"not": deep}
    with pytest.raises(ConfigError, match="nests more than 64 levels"):
        validate_config(config_with_rules({"knee_oa": deep}))


def chain(length: int) -> dict:
    """knee_oa -> r1 -> ... -> r<length - 1> -> the item A: `length` named rules, each using the next."""
    names = ["knee_oa", *(f"r{i}" for i in range(1, length))]
    return {a: {"rule": b} for a, b in zip(names, names[1:])} | {names[-1]: A}


@pytest.mark.parametrize("length", [MAX_CHAIN + 1, 900, 3000])
def test_a_chain_of_named_rules_longer_than_the_bound_is_refused_with_its_length(length):
    """Named rules restart the nesting count, so their chain has a bound of its own (and no recursion)."""
    with pytest.raises(ConfigError, match=f"'knee_oa' uses named rules {length:,} deep .*more than {MAX_CHAIN}"):
        validate_config(config_with_rules(chain(length)))


def test_a_chain_within_the_bound_is_accepted_and_a_long_one_evaluates_without_recursion():
    validate_config(config_with_rules(chain(MAX_CHAIN)))
    frame, pairs = every_pair()
    # Evaluation computes the rules a named rule uses first: a chain far past Python's recursion limit
    assert truth(Evaluation(frame, chain(5000)).named("knee_oa")) == [a for a, _ in pairs]


def test_a_condition_cannot_be_both_mapped_and_derived():
    config = config_with_rules({"knee_oa": True})
    config["datasets"]["d"]["columns"]["knee_oa"] = "KOA"
    with pytest.raises(ConfigError, match="both mapped"):
        validate_config(config)


def run_table(tmp_path, dataset: dict, conditions=("knee_oa", "bunions", "obesity", "low_back_pain")):
    config = validate_config({"conditions": list(conditions), "datasets": {"t": dataset}})
    paths = run_stages(config, "t", tmp_path / "out", tables=False)
    validation = json.loads(paths["validation"].read_text())
    return pd.read_parquet(paths["analysis"]), validation, pd.read_csv(paths["quarantine"])


def test_a_table_source_derives_a_condition_from_several_columns(tmp_path):
    """Radiographic knee OA in a researcher's file: Kellgren-Lawrence grade >= 2 in either knee."""
    table = small_table(60)
    table["KL_R"] = [i % 5 for i in range(60)]
    table["kl_l"] = [(i * 3) % 5 if i % 7 else np.nan for i in range(60)]
    table["PREG"] = [1 if i == 4 else 2 for i in range(60)]
    table.loc[11, "KL_R"] = 6  # not a grade: quarantined with the item named
    table.to_csv(tmp_path / "study.csv", index=False)
    grade = {0: False, 1: False, 2: True, 3: True, 4: True}
    columns = {k: v for k, v in COLUMNS.items() if k != "knee_oa"}
    dataset = {
        "source": "table",
        "path": str(tmp_path / "study.csv"),
        "columns": columns,
        "codes": {k: v for k, v in CODES.items() if k != "knee_oa"},
        "rules": {"knee_oa": {"any": [{"item": "KL_R", "codes": grade}, {"item": "KL_L", "codes": grade}]}},
        "unknown_if": {"bmi": {"item": "PREG", "codes": {1: True, 2: False}}},
        "universes": {"knee_oa": {"min_age": 30}},
    }
    frame, summary, quarantine = run_table(tmp_path, dataset)
    rows = table.drop(index=11).set_index("ID")
    right, left = rows["KL_R"] >= 2, rows["kl_l"] >= 2
    expected = np.where(right | left, True, np.where(rows["kl_l"].isna(), None, False))
    expected = np.where(rows["AGE"] < 30, None, expected)
    assert truth(frame.set_index("id").loc[rows.index, "knee_oa"]) == [None if v is None else bool(v) for v in expected]
    assert quarantine["reasons"].tolist() == ["knee_oa: KL_R value has no entry in the rule's codes (6)"]
    assert np.isnan(frame.set_index("id").loc["0004", "bmi"]) and summary["unknown_if"]["bmi"]["rows"] == 1
    assert summary["universes"] == {"knee_oa": "ages 30+"}


def test_a_rule_item_the_file_lacks_is_named_with_a_suggestion(tmp_path):
    small_table(20).assign(KL_R=1).to_csv(tmp_path / "s.csv", index=False)
    dataset = {
        "source": "table",
        "path": str(tmp_path / "s.csv"),
        "columns": {k: v for k, v in COLUMNS.items() if k != "knee_oa"},
        "codes": {k: v for k, v in CODES.items() if k != "knee_oa"},
        "rules": {"knee_oa": {"item": "KL_RIGHT", "codes": {1: True}}},
    }
    with pytest.raises(InputError, match="no column KL_RIGHT \\(rule knee_oa, did you mean 'KL_R'"):
        run_table(tmp_path, dataset)


def test_codes_written_unlike_the_file_stop_the_run_with_the_values(tmp_path):
    small_table(20).assign(KOA=["Y", "N"] * 10).to_csv(tmp_path / "s.csv", index=False)
    dataset = {
        "source": "table",
        "path": str(tmp_path / "s.csv"),
        "columns": {k: v for k, v in COLUMNS.items() if k != "knee_oa"},
        "codes": {k: v for k, v in CODES.items() if k != "knee_oa"},
        "rules": {"knee_oa": {"item": "KOA", "codes": {"y": True, "n": False}}},
    }
    with pytest.raises(InputError, match="not one value of item KOA .*'Y' looks like 'y'"):
        run_table(tmp_path, dataset)


def test_labels_name_the_universe_wherever_the_condition_or_a_complete_case_estimate_is_shown():
    notes = {"bunions": "ages 40+"}
    tables = {
        "patterns": pd.DataFrame({"pattern": ["knee_oa+bunions", "none"], "knee_oa": [1, 0], "bunions": [1, 0]}),
        "loglinear": pd.DataFrame({"term": ["knee_oa:bunions", "knee_oa:obesity"]}),
        "claims": pd.DataFrame(
            {
                "claim": ["Bunions go with knee OA", "Obesity raises knee OA", "Obesity raises knee OA"],
                "condition_a": ["bunions", "obesity", "obesity"],
                "condition_b": ["knee_oa", "knee_oa", "knee_oa"],
                "model": ["adjusted", "adjusted", "mutual"],
            }
        ),
    }
    shown = display_tables(tables, notes)
    bunions = "Bunions (hallux valgus), ages 40+"  # labels.readable, with the universe
    assert shown["patterns"]["pattern"].tolist() == [f"Knee osteoarthritis+{bunions}", "None"]
    assert bunions in shown["patterns"].columns
    assert shown["loglinear"]["term"].tolist() == [f"Knee osteoarthritis:{bunions}", "Knee osteoarthritis:Obesity"]
    assert shown["claims"]["condition_a"].tolist()[0] == bunions
    assert shown["claims"]["claim"].tolist() == [
        "Bunions go with knee OA [Bunions (hallux valgus): ages 40+]",
        "Obesity raises knee OA",
        "Obesity raises knee OA [Bunions (hallux valgus): ages 40+]",  # the mutual model adjusts for bunions
    ]
    assert tables["claims"]["condition_a"].tolist()[0] == "bunions"  # the tables themselves are untouched
