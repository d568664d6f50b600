"""The Methods of a dataset's report, generated from what ran: one text for the HTML report and the manuscript.

resources/templates/methods.html.j2 holds the words; `methods_context` fills them from the run (the
design, the definitions, the covariates, the rows the models lost, the software's versions), so the
report's Methods and manuscript.docx's methods paragraph (manuscript.py reads `methods_html` and
keeps its bold, italics, code, sub- and superscripts) are one text, never two copies.
"""

from __future__ import annotations

import importlib.metadata
import platform
from collections.abc import Mapping

import jinja2
import markupsafe
import pandas as pd

from ..labels import readable, variable_labels
from ..survey import glm
from . import presentation
from .dataset_text import covariate_words, definition_sentences, lost_to_covariates, present_columns

PACKAGES = (
    "msk-cooccurrence",
    "numpy",
    "pandas",
    "pandera",
    "statsmodels",
    "scipy",
    "matplotlib",
    "seaborn",
    "snakemake",
    "jinja2",
)
SOFTWARE = ("numpy", "pandas", "scipy", "statsmodels", "snakemake")  # named in the Software paragraph
REFERENCES = (
    "Lumley T. Analysis of complex survey samples. Journal of Statistical Software 2004;9(8):1-19.",
    "Lumley T. survey: analysis of complex survey samples. R package version 4.1.1.",
    "Seabold S, Perktold J. Statsmodels: econometric and statistical modeling with Python. Proceedings of the "
    "9th Python in Science Conference, 2010:92-96.",
    "Parker JD, Talih M, Malec DJ, et al. National Center for Health Statistics data presentation standards "
    "for proportions. Vital and Health Statistics, Series 2, no. 175. NCHS, 2017.",
    "Korn EL, Graubard BI. Confidence intervals for proportions with small expected number of positive counts "
    "estimated from survey data. Survey Methodology 1998;24(2):193-201.",
    "Rao JNK, Scott AJ. On chi-squared tests for multiway contingency tables with cell proportions estimated "
    "from survey data. Annals of Statistics 1984;12(1):46-60.",
    "Harrell FE. Regression modeling strategies, 2nd edition. Springer, 2015.",
)


def package_versions() -> dict[str, str]:
    """Python's version and each of PACKAGES' as installed ('not installed' where it is not)."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def methods_context(
    view: Mapping, validation: Mapping, provenance: Mapping, tables: Mapping[str, pd.DataFrame]
) -> dict:
    """What methods.html.j2 reads, from the run: its config view, validation.json, provenance.json and tables."""
    labels = variable_labels(view)
    return {
        "validation": validation,
        "provenance": provenance,
        "definitions": definition_sentences(view["dataset"], view["conditions"]),
        "interval": presentation.INTERVAL_WORDS[view["proportion_ci"]],
        "covariates": covariate_words(view, present_columns(tables.get("data_quality"))),
        "subgroups": "; ".join(readable(s, None, labels) for s in view.get("subgroups", ())),
        "lost": lost_to_covariates(tables.get("data_quality"), tables["odds_ratios"], view, labels),
        "standard": view["standard_population"],
        "max_order": view["loglinear"]["max_order"],
        "versions": package_versions(),
        "engine": glm.engine_words(glm.LOGISTIC),
        "poisson_engine": glm.engine_words(glm.POISSON),
        "software": SOFTWARE,
        "references": REFERENCES,
    }


def environment(labels: Mapping[str, str] | None = None) -> jinja2.Environment:
    """The report's templates, autoescaped (a dataset's words are shown as text), with its filters:
    `label` (a name as labels print it) and `code_names` (config keys and CSV names as code)."""
    made = jinja2.Environment(
        loader=jinja2.PackageLoader("msk_cooccurrence", "resources/templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    made.filters["label"] = lambda name: readable(name, None, labels)
    made.filters["code_names"] = lambda text: markupsafe.Markup(presentation.code_names(text))
    return made


def methods_html(context: Mapping) -> str:
    """The Methods as the report shows them (HTML paragraphs and lists)."""
    return environment().get_template("methods.html.j2").render(**context)
