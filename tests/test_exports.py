"""The exports of a dataset (issue 23 item 10): tables.xlsx, manuscript.docx and reproduce.R.

reproduce.R is checked against the pipeline where R and its survey package are present: the script
the run writes, run by Rscript on the rows the run writes, must give the pipeline's prevalences and
odds ratios to 1e-6 (relative; p-values also 1e-12 absolute), for a design with strata and PSUs
and the default covariates, for the researcher's own model (categories, a number, age as a natural
spline; tests/reference/own_model), and for a weights-only and an unweighted table.
"""

from __future__ import annotations

import html
import re
import subprocess

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import PROJECT, SURVEY_SMALL, needs_r
from helpers import run_stages
from test_own_model import config_with

from msk_cooccurrence import illustrative, outputs, pipeline
from msk_cooccurrence.config import validate_config
from msk_cooccurrence.report import reproduce
from msk_cooccurrence.settings import Settings, dataset_view

KEYS = {"prevalence": ["condition", "group", "level"], "odds_ratios": ["condition_a", "condition_b", "model"]}
COMPARED = {
    "prevalence": ["n", "estimate", "se", "ci_low", "ci_high", "df", "population"],
    "odds_ratios": ["n", "estimate", "se", "ci_low", "ci_high", "p_value", "df"],
}


def default_config(**changes) -> dict:
    config = yaml.safe_load((PROJECT / "config" / "config.yaml").read_text())
    config["literature"] = str(PROJECT / "config" / "literature.csv")
    config["datasets"] = {"synthetic": {"source": "synthetic", "n": 2000, "seed": 5}}
    config["sensitivity"]["multiple_imputation"] = False
    return validate_config(config | changes)


def run_exports(config: dict, name: str, folder) -> dict:
    """The dataset through the workflow's stages, then exports_stage: the paths of everything."""
    paths = run_stages(config, name, folder)
    exported = {key: folder / "out" / spec.path.format(dataset=name) for key, spec in outputs.exports().items()}
    pipeline.exports_stage(
        name,
        dataset_view(config, name),
        {t: paths[t] for t in outputs.tables()},
        paths["validation"],
        paths["provenance"],
        paths["analysis"],
        exported,
        "test",
    )
    return paths | exported


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    return run_exports(default_config(), "synthetic", tmp_path_factory.mktemp("exports"))


def test_the_workbook_has_a_sheet_per_table_as_the_report_shows_it_and_a_glossary(synthetic):
    sheets = pd.read_excel(synthetic["workbook"], sheet_name=None, header=None, dtype=str)
    assert list(sheets) == [*outputs.tables(), "glossary"]
    odds = sheets["odds_ratios"]
    assert odds.iloc[0, 0] == outputs.tables()["odds_ratios"].title
    assert all(sheet.iloc[2, 0] == illustrative.REMINDER for sheet in list(sheets.values())[:-1])  # made-up data
    header = odds.index[odds[0] == "Condition A"][0]
    shown = odds.iloc[header + 1 :].dropna(how="all")
    shown.columns = odds.iloc[header]
    csv = pd.read_csv(synthetic["odds_ratios"])
    assert len(shown) == len(csv)
    first = csv.iloc[0]
    assert shown.iloc[0]["Condition A"] == "Knee osteoarthritis" and shown.iloc[0]["Model"] == "Crude"
    assert shown.iloc[0]["Odds ratio"] == f"{first.estimate:.2f}"  # as the report, not the CSV's digits
    assert shown.iloc[0]["95% CI low"] == f"{first.ci_low:.2f}"
    prevalence = sheets["prevalence"]
    assert prevalence.isin(["Prevalence (%)"]).any().any()
    glossary = sheets["glossary"]
    registered = sum(len(spec.columns) + spec.condition_columns for spec in outputs.tables().values())
    assert len(glossary) == registered + 1  # and its header row
    meaning = glossary[(glossary[0] == "odds_ratios.csv") & (glossary[1] == "p_value")][3].iloc[0]
    assert meaning == outputs.tables()["odds_ratios"].columns["p_value"]


def visible(text: str) -> str:
    """HTML as words: tags dropped, entities read, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())


def test_the_manuscript_has_table_1_the_odds_ratios_and_the_reports_methods(synthetic, tmp_path):
    import docx

    document = docx.Document(synthetic["manuscript"])
    odds = pd.read_csv(synthetic["odds_ratios"])
    conditions = pd.read_csv(synthetic["table1"])["condition"].nunique()
    assert len(document.tables) == conditions + 1  # Table 1's block per condition, the odds ratios
    last = document.tables[-1]
    assert [c.text for c in last.rows[0].cells][:5] == ["Condition A", "Condition B", "Model", "n", "Odds ratio"]
    assert len(last.rows) == len(odds) + 1 and last.rows[1].cells[4].text == f"{odds.estimate[0]:.2f}"
    assert document.tables[0].rows[0].cells[1].text.startswith("Without knee osteoarthritis, N = ")
    texts = [p.text for p in document.paragraphs]
    # the synthetic cohort is made up: the document says so at the top and above each table
    assert texts.count(illustrative.REMINDER) == 2
    start = texts.index("Methods")
    methods = texts[start + 1 :]
    assert methods[0].startswith("Design. Stratified cluster sample")  # a sentence, capitalised
    software = next(t for t in methods if t.startswith("Software."))
    assert re.search(r"statsmodels \d+\.\d+", software) and "Lumley 2004" in software
    assert any(t.startswith("Lumley T. Analysis of complex survey samples") for t in methods)
    bold = [r.text for p in document.paragraphs[start:] for r in p.runs if r.bold]
    assert "Odds ratios." in bold
    # the report's Methods, word for word: one text, not two copies
    config = default_config()
    view = dataset_view(config, "synthetic")
    tables = {name: synthetic[name] for name in outputs.tables()}
    figures = tmp_path / "figures"
    for figure, spec in outputs.figures().items():
        pipeline.figure_stage(
            figure, view, {t: synthetic[t] for t in spec.tables}, figures / f"{figure}.png", figures / f"{figure}.svg"
        )
    report = tmp_path / "report.html"
    pipeline.report_stage(
        "synthetic", view, tables, figures, synthetic["validation"], synthetic["provenance"], synthetic["truth"], report
    )
    page = report.read_text()
    section = visible(page[page.index('<h2 id="methods">') : page.index('<h2 id="provenance">')])
    for paragraph in methods:
        assert paragraph in section, paragraph
    for link in ("tables.xlsx", "manuscript.docx", "reproduce.R"):
        assert f'href="{link}"' in page


def test_the_same_run_gives_the_same_bytes(synthetic, tmp_path):
    again = run_exports(default_config(), "synthetic", tmp_path)
    for key in outputs.exports():
        assert again[key].read_bytes() == synthetic[key].read_bytes(), key


def test_r_literals_are_strings_never_code():
    assert reproduce.r_literal('a"); system("x') == '"a\\"); system(\\"x"'
    assert reproduce.r_literal("back\\slash\n") == '"back\\\\slash\\n"'
    assert reproduce.r_literal({"obesity": "bmi"}) == 'list("obesity" = "bmi")'
    assert reproduce.r_literal([0.05, 0.5]) == "c(0.05, 0.5)" and reproduce.r_literal([]) == "character(0)"
    with pytest.raises(ValueError):
        reproduce.r_literal(float("nan"))


def r_figures(script, rows, folder) -> dict[str, pd.DataFrame]:
    folder.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["Rscript", str(script), str(rows), str(folder)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "colClasses" not in result.stderr  # the rows are read as written, without a warning
    return {name: pd.read_csv(folder / f"{name}.csv") for name in KEYS}


def assert_same_figures(ours: dict[str, pd.DataFrame], theirs: dict[str, pd.DataFrame]) -> None:
    """R's figures equal the pipeline's to 1e-6 wherever the pipeline has a number; where it has none (a model
    it finds not estimable: separation), its note says why (the script's header says R may print one)."""
    for name, keys in KEYS.items():
        table = ours[name]
        if name == "prevalence":
            table = table[table["group"] == "overall"]
        merged = theirs[name].merge(table, on=keys, suffixes=("_r", ""), validate="one_to_one")
        assert len(merged) == len(theirs[name]) == len(table), name
        estimable = np.isfinite(merged["estimate"])
        assert estimable.sum() >= len(merged) / 2 and merged.loc[~estimable, "note"].fillna("").ne("").all(), name
        merged = merged[estimable]
        for column in COMPARED[name]:
            atol = 1e-12 if column == "p_value" else 0
            np.testing.assert_allclose(
                merged[column], merged[f"{column}_r"], rtol=1e-6, atol=atol, err_msg=f"{name}.{column}"
            )


def script_and_rows(config: dict, name: str, folder, tables=None) -> dict[str, pd.DataFrame]:
    """The pipeline's two tables of a dataset, and R's from the script and rows the exports write."""
    view = dataset_view(config, name)
    settings = Settings.from_dict(view)
    ingested = pipeline.ingest(name, view["dataset"], settings)
    _, validated = pipeline.harmonize_and_validate(name, view["dataset"], ingested.raw, settings)
    data = pipeline.analysis_data(validated.analysis, settings)
    ours = tables or pipeline.compute_tables(data, settings, {}, names=list(KEYS))
    script, rows = folder / "reproduce.R", folder / "analysis.csv"
    script.write_text(reproduce.reproduce_script(name, view, validated.analysis, "test"))
    reproduce.analysis_rows(validated.analysis, settings).to_csv(rows, index=False, float_format="%.15g")
    return ours, r_figures(script, rows, folder / "r")


@needs_r
def test_reproduce_r_gives_the_pipelines_figures_under_strata_and_psus(synthetic, tmp_path):
    ours = {name: pd.read_csv(synthetic[name]) for name in KEYS}
    assert "svydesign(ids = ~psu, strata = ~stratum" in synthetic["reproduce"].read_text()
    assert_same_figures(ours, r_figures(synthetic["reproduce"], synthetic["analysis_rows"], tmp_path))


@needs_r
def test_reproduce_r_gives_the_pipelines_figures_with_categories_and_a_spline(tmp_path):
    covariates = [{"name": "age", "spline": 4}, "sex", "race_eth", "education", "pir"]
    ours, theirs = script_and_rows(config_with(covariates), "ownmodel", tmp_path)
    script = (tmp_path / "reproduce.R").read_text()
    assert 'spline_quantiles <- list("age" = c(0.05, 0.35, 0.65, 0.95))' in script
    assert '"race_eth" = c("Non-Hispanic White"' in script
    assert_same_figures(ours, theirs)


@needs_r
@pytest.mark.parametrize("design", ["weights only", "none"])
def test_reproduce_r_gives_the_pipelines_figures_without_strata(tmp_path, design):
    dropped = ("stratum", "psu") if design == "weights only" else ("stratum", "psu", "weight")
    columns = {k: v for k, v in SURVEY_SMALL["columns"].items() if k not in dropped}
    config = validate_config(
        {
            "conditions": ["knee_oa", "bunions", "obesity", "low_back_pain"],
            "literature": str(PROJECT / "config" / "literature.csv"),
            "claims": [],
            "sensitivity": {"multiple_imputation": False},
            "datasets": {"study": SURVEY_SMALL | {"columns": columns}},
        }
    )
    ours, theirs = script_and_rows(config, "study", tmp_path)
    assert "svydesign(ids = ~1, weights = ~weight" in (tmp_path / "reproduce.R").read_text()
    assert_same_figures(ours, theirs)
