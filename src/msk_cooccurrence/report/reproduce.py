"""reproduce.R: R survey code that recomputes a dataset's prevalences and odds ratios from its analysis rows.

A reviewer with R alone can check the two tables a paper cites, so the script is written from the
run's validated settings (the design, the conditions, the covariates as the models enter them: a
number linearly or as a natural spline with knots at the same quantiles, sex as the female
indicator, a category against its reference) and reads the analysis rows from a CSV beside the
other row-level files: Debian ships no R arrow package, so the Parquet file is not portable, and
row-level data stays out of reports/, the folder a researcher shares. Every value of the config
reaches the script as an R string or number literal (`r_literal`), never as code.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import jinja2
import pandas as pd

from ..settings import Settings
from ..survey.data import DEFINED_BY
from ..survey.splines import KNOT_QUANTILES
from .dataset_text import covariate_words

DESIGN_COLUMNS = ("weight", "stratum", "psu")


def rows_path(dataset: str) -> str:
    """Where the workflow writes the CSV of the analysis rows the script reads."""
    return f"data/processed/{dataset}/analysis.csv"


def script_columns(frame: pd.DataFrame, settings: Settings) -> list[str]:
    """The columns of the analysis rows the script reads: the design, the conditions, the covariates."""
    wanted = [*DESIGN_COLUMNS, *settings.conditions, *settings.covariates]
    return [c for c in dict.fromkeys(wanted) if c in frame]


def analysis_rows(frame: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The analysis rows as the script reads them: the columns it needs, conditions as 1/0, unknown empty."""
    rows = frame[script_columns(frame, settings)].copy()
    for condition in (c for c in settings.conditions if c in rows):
        rows[condition] = rows[condition].astype("Float64").astype("Int64")
    return rows


def r_literal(value) -> str:
    """A Python value as an R literal: a string quoted and escaped, a number, a logical, a vector or a named list."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        return f'"{escaped}"'
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError(f"no R literal for {value}")
        return repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, Mapping):
        items = ", ".join(f"{r_literal(str(k))} = {r_literal(v)}" for k, v in value.items())
        return f"list({items})"
    if isinstance(value, Sequence):
        items = list(value)
        if not items:
            return "character(0)"
        return f"c({', '.join(r_literal(v) for v in items)})"
    raise TypeError(f"no R literal for {type(value).__name__}")


def covariate_forms(frame: pd.DataFrame, settings: Settings) -> dict[str, object]:
    """The covariates present in the rows by how the models enter them (data.AnalysisData.predictors_from)."""
    present = [c for c in settings.covariates if c in frame]
    variables = settings.variables
    categories = {}
    for name in present:
        if name != "sex" and (variables.get(name) or {}).get("kind") == "category":
            levels = list(settings.levels.get(name) or sorted(str(v) for v in frame[name].dropna().unique()))
            reference = variables[name]["reference"]
            categories[name] = [reference, *(level for level in levels if level != reference)]
    splines = {c: list(KNOT_QUANTILES[k]) for c, k in settings.splines.items() if c in present}
    numbers = [c for c in present if c != "sex" and c not in categories and c not in splines]
    return {
        "covariate_order": present,
        "has_sex": "sex" in present,
        "categories": categories,
        "splines": splines,
        "numbers": numbers,
    }


def reproduce_script(dataset: str, view: Mapping, frame: pd.DataFrame, version: str) -> str:
    """reproduce.R for a dataset: its view (the validated config's slice) and its analysis rows."""
    settings = Settings.from_dict(view)
    forms = covariate_forms(frame, settings)
    clusters = "stratum" in frame and "psu" in frame
    weighted = "weight" in frame and not frame["weight"].eq(1.0).all()
    design = (
        "strata, PSUs and weights"
        if clusters
        else ("weights only, each row its own PSU" if weighted else "none (every weight 1, each row its own PSU)")
    )
    conditions = [c for c in settings.conditions if c in frame]
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("msk_cooccurrence", "resources/templates"),
        autoescape=False,  # R code: every value of the config enters through r_literal
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    literals = {key: r_literal(value) for key, value in forms.items()}
    return environment.get_template("reproduce.R.j2").render(
        dataset=dataset,
        version=version,
        rows_path=rows_path(dataset),
        ci_method={"logit": "logit", "korn_graubard": "beta"}[settings.proportion_ci],
        design_words=design,
        clusters=clusters,
        lonely_psu=settings.lonely_psu,
        covariate_words=" ".join(covariate_words(view).split()) or "none",
        conditions=r_literal(conditions),
        defined_by=r_literal({c: v for c, v in DEFINED_BY.items() if c in conditions}),
        **literals,
    )
