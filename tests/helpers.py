"""Small tables for the tests, written the way researchers' files come."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

LITERATURE = Path(__file__).resolve().parents[1] / "config" / "literature.csv"
CONDITIONS = ["knee_oa", "bunions", "obesity", "low_back_pain"]
COLUMNS = {
    "id": "ID",
    "age": "AGE",
    "sex": "SEX",
    "bmi": "BMI",
    "knee_oa": "KOA",
    "low_back_pain": "LBP",
    "weight": "WT",
}
CODES = {
    "sex": {1: "male", 2: "female"},
    "knee_oa": {1: True, 2: False, 9: None},
    "low_back_pain": {1: True, 2: False, 9: None},
}


def small_table(n: int = 40) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ID": [f"{i:04d}" for i in range(n)],
            "AGE": [20 + (i * 7) % 60 for i in range(n)],
            "SEX": [1 + i % 2 for i in range(n)],
            "BMI": [22.0 + (i * 3) % 15 for i in range(n)],
            "KOA": [1 if i % 5 == 0 else 2 for i in range(n)],
            "LBP": [1 if i % 3 == 0 else (9 if i % 11 == 0 else 2) for i in range(n)],
            "WT": [1000.0 + 10 * i for i in range(n)],
        }
    )


def table_dataset(path: Path, **extra) -> dict:
    return {"source": "table", "path": str(path), "columns": dict(COLUMNS), "codes": dict(CODES)} | extra


def settings_of(**config):
    """Validated analysis settings: the schema's defaults with `config` laid over them."""
    from msk_cooccurrence.config import validate_config
    from msk_cooccurrence.settings import Settings

    base = {"datasets": {"s": {"source": "synthetic", "n": 100, "seed": 1}}, "literature": str(LITERATURE)}
    return Settings.from_dict(validate_config(base | config))


def analysis_of(frame: pd.DataFrame, conditions, covariates=(), lonely_psu: str = "adjust", collapse=None):
    """The AnalysisData of a frame, as the pipeline builds it (`collapse`: cells always, never, or as it decides)."""
    from msk_cooccurrence.survey.data import AnalysisData

    return AnalysisData.from_frame(frame, conditions, covariates, lonely_psu, collapse=collapse)


def all_tables(frame: pd.DataFrame, collapse=None, **config) -> dict[str, pd.DataFrame]:
    """Every table of the registry for a validated frame, as the workflow computes them."""
    from dataclasses import replace

    from msk_cooccurrence.files import read_literature
    from msk_cooccurrence.pipeline import analysis_data, compute_tables

    settings = settings_of(**config)
    literature = read_literature(settings.literature)
    data = replace(analysis_data(frame, settings), collapse=collapse)
    return compute_tables(data, settings, {"literature": literature})


def run_stages(config: dict, name: str, folder: Path, tables: bool = True, figures: bool = False) -> dict[str, Path]:
    """A dataset through the stage functions the workflow's scripts call, files in `folder`."""
    from msk_cooccurrence import outputs, pipeline
    from msk_cooccurrence.settings import dataset_view

    view = dataset_view(config, name)
    paths = {k: folder / f for k, f in (("raw", "raw.parquet"), ("truth", "truth.csv"), ("provenance", "prov.json"))}
    paths |= {k: folder / f for k, f in (("harmonized", "h.parquet"), ("analysis", "a.parquet"))}
    paths |= {"quarantine": folder / "quarantine.csv", "validation": folder / "validation.json"}
    folder.mkdir(parents=True, exist_ok=True)
    pipeline.ingest_stage(name, view, paths["raw"], paths["truth"], paths["provenance"])
    pipeline.validate_stage(
        name, view, paths["raw"], paths["harmonized"], paths["analysis"], paths["quarantine"], paths["validation"]
    )
    options = view["sensitivity"]
    if tables and options["multiple_imputation"]:  # the model once, then each imputation, as the workflow
        paths["imputation_model"] = folder / "model.npz"
        pipeline.imputation_model_stage(view, paths["analysis"], paths["imputation_model"])
        batches = pipeline.imputation_batches(options)
        paths["imputations"] = [folder / f"imputations_{b}.npy" for b in range(len(batches))]
        for b, path in enumerate(paths["imputations"]):
            pipeline.impute_stage(view, paths["imputation_model"], b, path)
    for names in outputs.families().values() if tables else ():
        outside = {n for name in names for n in outputs.tables()[name].inputs if n not in names}
        files = paths | {"literature": config["literature"]}
        inputs = {n: files[n] for n in outside if n in files}
        for name in names:
            paths[name] = folder / f"{name}.csv"
        pipeline.tables_stage(view, paths["analysis"], inputs, {name: paths[name] for name in names})
    for figure, spec in outputs.figures().items() if figures else ():
        tables = {t: paths[t] for t in spec.tables}
        paths[f"{figure}.svg"] = folder / "figures" / f"{figure}.svg"
        pipeline.figure_stage(figure, view, tables, folder / "figures" / f"{figure}.png", paths[f"{figure}.svg"])
    return paths


def render_report(config: dict, name: str, folder: Path, paths: dict, view=None, html: Path | None = None) -> Path:
    """A dataset's report from what run_stages(..., figures=True) wrote in `folder`, as the workflow's
    report job makes it (`view`: the dataset's view, by default the config's)."""
    from msk_cooccurrence import outputs, pipeline
    from msk_cooccurrence.settings import dataset_view

    html = html or folder / "report.html"
    pipeline.report_stage(
        name,
        dataset_view(config, name) if view is None else view,
        {table: paths[table] for table in outputs.tables()},
        folder / "figures",
        paths["validation"],
        paths["provenance"],
        paths["truth"],
        html,
    )
    return html
