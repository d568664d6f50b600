"""Alternative definitions of a condition (issue 20, item 2): derived by rules like the primary one,
given the condition's universe, and estimated in definitions.csv exactly as the primary is in
prevalence.csv and odds_ratios.csv. The R reference of an alternative on CDC-layout files is in
tests/test_nhanes_unseen.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import CODES, COLUMNS, run_stages, small_table

from msk_cooccurrence.columns import alternative_column
from msk_cooccurrence.config import validate_config
from msk_cooccurrence.errors import ConfigError
from msk_cooccurrence.pipeline import analysis_data
from msk_cooccurrence.report.presentation import definition_blocks, definition_findings
from msk_cooccurrence.settings import Settings, dataset_view
from msk_cooccurrence.tables.alternative_definitions import definitions_table
from msk_cooccurrence.tables.odds_ratios import odds_ratio_table
from msk_cooccurrence.tables.prevalence import prevalence_table

# knee OA from three items: diagnosed arthritis (ARTH), its type (TYPE: 2 osteoarthritis, 9 don't
# know) and knee pain (KNEE); the alternative drops the type
ARTHRITIS = {"item": "ARTH", "codes": {1: True, 2: False, 9: None}}
RULES = {
    "arthritis": ARTHRITIS,
    "knee_pain": {"item": "KNEE", "codes": {1: True, 2: False}},
    "knee_oa": {
        "all": [
            {"rule": "arthritis"},
            {"item": "TYPE", "codes": {2: True, 1: False, 9: None, "blank": None}},
            {"rule": "knee_pain"},
        ]
    },
}
ALTERNATIVES = {"knee_oa": {"arthritis_knee_pain": {"all": [{"rule": "arthritis"}, {"rule": "knee_pain"}]}}}


def cohort(n: int = 600, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = small_table(n).drop(columns="KOA")
    frame["AGE"] = rng.integers(20, 80, n)
    frame["WT"] = np.round(rng.uniform(500, 3000, n), 1)
    frame["LBP"] = np.where(rng.random(n) < 0.35, 1, 2)
    arthritis = rng.random(n) < 0.3
    frame["ARTH"] = np.where(rng.random(n) < 0.02, 9, np.where(arthritis, 1, 2))
    frame["TYPE"] = np.where(arthritis, np.where(rng.random(n) < 0.35, 9, np.where(rng.random(n) < 0.6, 2, 1)), np.nan)
    frame["KNEE"] = np.where(rng.random(n) < 0.4 + 0.3 * arthritis, 1, 2)
    return frame


def config_of(tmp_path, frame: pd.DataFrame, **dataset) -> dict:
    path = tmp_path / "study.csv"
    frame.to_csv(path, index=False)
    columns = {k: v for k, v in COLUMNS.items() if k != "knee_oa"}
    codes = {k: v for k, v in CODES.items() if k != "knee_oa"}
    study = {"source": "table", "path": str(path), "columns": columns, "codes": codes, "rules": RULES}
    return validate_config({"datasets": {"study": study | {"alternatives": ALTERNATIVES} | dataset}})


def kleene_and(*parts):
    return False if False in parts else True if all(p is True for p in parts) else None


def three_valued(value, yes, no):
    return True if value in yes else False if value in no else None


def test_an_alternative_is_derived_row_by_row_by_its_rule_with_the_conditions_universe(tmp_path):
    frame = cohort()
    config = config_of(tmp_path, frame, universes={"knee_oa": {"min_age": 30}})
    analysis = pd.read_parquet(run_stages(config, "study", tmp_path, tables=False)["analysis"]).set_index("id")
    column = alternative_column("knee_oa", "arthritis_knee_pain")
    for r in frame.itertuples():
        arthritis, knee = three_valued(r.ARTH, [1], [2]), three_valued(r.KNEE, [1], [2])
        oa_type = three_valued(r.TYPE, [2], [1])
        inside = r.AGE >= 30
        expected = {"knee_oa": kleene_and(arthritis, oa_type, knee), column: kleene_and(arthritis, knee)}
        for name, value in expected.items():
            got = analysis.loc[r.ID, name]
            assert (None if pd.isna(got) else bool(got)) == (value if inside else None), (r.ID, name)


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    where = tmp_path_factory.mktemp("alternatives")
    config = config_of(where, cohort())
    settings = Settings.from_dict(dataset_view(config, "study"))
    frame = pd.read_parquet(run_stages(config, "study", where, tables=False)["analysis"])
    data = analysis_data(frame, settings)
    alternative = analysis_data(
        frame.assign(knee_oa=frame[alternative_column("knee_oa", "arthritis_knee_pain")]), settings
    )
    return {
        "definitions": definitions_table(data, settings),
        "prevalence": prevalence_table(data, settings),
        "odds": odds_ratio_table(data),
        "prevalence_alternative": prevalence_table(alternative, settings),
        "odds_alternative": odds_ratio_table(alternative),
        "frame": frame,
    }


NUMBERS = ["n", "estimate", "se", "ci_low", "ci_high"]


@pytest.mark.parametrize(("definition", "suffix"), [("knee_oa", ""), ("arthritis_knee_pain", "_alternative")])
def test_each_definition_is_estimated_as_prevalence_and_odds_ratios_estimate_the_condition(tables, definition, suffix):
    table = tables["definitions"]
    mine = table[table["definition"] == definition]
    prevalence = tables["prevalence" + suffix].query("condition == 'knee_oa' and group == 'overall'")
    row = mine[mine["kind"] == "prevalence"]
    np.testing.assert_allclose(row[NUMBERS].to_numpy(float), prevalence[NUMBERS].to_numpy(float), rtol=1e-12)
    odds = tables["odds" + suffix].query("condition_a == 'knee_oa' and model == 'adjusted'")
    ratios = mine[mine["kind"] == "odds_ratio"]
    assert ratios["condition_b"].tolist() == odds["condition_b"].tolist() == ["obesity", "low_back_pain"]
    np.testing.assert_allclose(ratios[NUMBERS].to_numpy(float), odds[NUMBERS].to_numpy(float), rtol=1e-12)


def test_the_primary_comes_first_and_an_alternative_counts_its_own_unknowns(tables):
    table, frame = tables["definitions"], tables["frame"]
    assert table["definition"].drop_duplicates().tolist() == ["knee_oa", "arthritis_knee_pain"]
    assert list(table.columns) == [
        "condition", "definition", "kind", "condition_b", "model", "n", "n_unknown",
        "estimate", "se", "ci_low", "ci_high", "note",
    ]  # fmt: skip
    unknown = table.drop_duplicates("definition").set_index("definition")["n_unknown"]
    assert unknown["knee_oa"] == frame["knee_oa"].isna().sum()
    assert unknown["arthritis_knee_pain"] == frame[alternative_column("knee_oa", "arthritis_knee_pain")].isna().sum()
    assert unknown["arthritis_knee_pain"] < unknown["knee_oa"]  # the type's "don't know" no longer counts
    weight = frame["weight"].where(frame["knee_oa"].notna())
    closed_form = (weight * frame["knee_oa"].astype(float)).sum() / weight.sum()
    assert table.iloc[0]["estimate"] == pytest.approx(closed_form, rel=1e-12)


def test_the_report_shows_the_definitions_side_by_side(tables):
    [finding] = definition_findings(tables["definitions"])
    assert (
        finding.startswith("Prevalence of Knee osteoarthritis by definition: ") and "as arthritis knee pain" in finding
    )
    assert definition_findings(pd.DataFrame(columns=["condition"])) == []
    [(heading, block)] = definition_blocks(tables["definitions"])
    assert heading == "Knee osteoarthritis"
    assert list(block.columns) == ["Estimate", "Knee osteoarthritis (primary)", "Arthritis knee pain"]
    assert block.iloc[0, 0] == "Prevalence, % (95% CI)" and block.iloc[0, 1].endswith(")")
    assert "Adjusted odds ratio with Low back pain (95% CI)" in block["Estimate"].tolist()


def test_without_alternatives_the_table_is_empty_with_its_columns(tmp_path):
    config = config_of(tmp_path, cohort(100), alternatives={})
    settings = Settings.from_dict(dataset_view(config, "study"))
    frame = pd.read_parquet(run_stages(config, "study", tmp_path, tables=False)["analysis"])
    table = definitions_table(analysis_data(frame, settings), settings)
    assert table.empty and "n_unknown" in table.columns


@pytest.mark.parametrize(
    ("alternatives", "words"),
    [
        ({"obesityy": {"x": True}}, "`alternatives` names 'obesityy', which is not in `conditions`"),
        ({"knee_oa": {"knee_oa": True}}, "the name of the primary definition"),
        ({"knee_oa": {"other": {"rule": "no_such_rule"}}}, "no_such_rule"),
    ],
)
def test_alternatives_are_checked_with_a_plain_message(tmp_path, alternatives, words):
    with pytest.raises(ConfigError) as error:
        config_of(tmp_path, cohort(20), alternatives=alternatives)
    assert words in str(error.value)


def test_the_methods_say_which_auxiliary_variables_the_imputation_reads_and_why():
    from nhanes_fixtures import EXAMPLES

    from msk_cooccurrence.config import load_config
    from msk_cooccurrence.report.dataset_text import imputation_sentences

    config = load_config(EXAMPLES / "nhanes_2001_2004.yaml")
    words = " ".join(imputation_sentences(config["datasets"]["nhanes_2001_2004"], config["conditions"]))
    # knee OA by the example's own label: a proxy
    assert "arthritis and knee pain, parts of the definition of Knee OA (proxy" in words
    assert "strata as indicators" in words and "apart in every cycle" in words
    table = {"columns": {"id": "ID"}, "rules": RULES, "imputation": {"auxiliary": ["knee_pain"]}}
    words = " ".join(imputation_sentences(table, ["knee_oa"]))
    assert "knee pain, parts of the definition" in words and "strata" not in words


def test_an_alternative_of_a_condition_the_dataset_lacks_is_a_warning(tmp_path):
    import json

    config = config_of(
        tmp_path, cohort(100), alternatives=ALTERNATIVES | {"bunions": {"any_hv": {"rule": "knee_pain"}}}
    )
    summary = json.loads(run_stages(config, "study", tmp_path, tables=False)["validation"].read_text())
    [warning] = [w for w in summary["warnings"] if w.startswith("`alternatives`")]
    assert (
        "Bunions (hallux valgus) (bunions) otherwise (any_hv)" in warning and "definitions.csv leaves it out" in warning
    )
