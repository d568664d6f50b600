"""How names read in tables, figures and reports: the one place a label is written.

knee_oa -> "Knee osteoarthritis"; with a universe (a condition measured in part of the sample
only) -> "Bunions (hallux valgus), ages 40+". Conditions and groupings the project knows have a
written label; any other name (a condition a user adds, a level such as "40-59") reads with its
underscores as spaces and its first letter capital ("neck_pain" -> "Neck pain"). A run's own labels
come first: a declared variable's `label`, and a dataset's `labels: {condition: text}` (the NHANES
examples' knee OA is a proxy from arthritis and knee-pain items, and says so): variable_labels.
HEADERS are the column headers the report's tables show instead of the CSV's column names.
"""

from __future__ import annotations

from collections.abc import Mapping

from .errors import ConfigError

LABELS = {
    "knee_oa": "Knee osteoarthritis",
    "bunions": "Bunions (hallux valgus)",
    "obesity": "Obesity",
    "low_back_pain": "Low back pain",
    "age": "Age (years)",
    "sex": "Sex",
    "bmi": "BMI (kg/m²)",
    "weight": "Survey weight",
    "stratum": "Stratum",
    "psu": "PSU",
    "id": "Identifier",
    "age_band": "Age band (years)",
    "bmi_class": "BMI class (kg/m²)",
    "cycle": "NHANES cycle",  # the built-in category of a dataset of several cycles (columns.builtin_variables)
    "age_standardized": "Age-standardized",
    "overall": "Overall",
    "all": "All",
    "female": "Female",
    "male": "Male",
    "unknown": "Unknown",
    "none": "None",
    # the synthetic model's parameters (truth.csv's quantity), as the report's truth table names them
    "intercept": "Intercept (log odds)",
    "age_log_or_per_decade": "Age, log odds ratio per 10 years",
    "female_log_or": "Female, log odds ratio",
    "pair_log_or": "Pair, log odds ratio given the others",
    "psu_sd": "SD of the PSU random effect",
}
HEADERS = {
    "condition": "Condition",
    "condition_a": "Condition A",
    "condition_b": "Condition B",
    "group": "Group",
    "level": "Level",
    "n": "n",
    "n_cases": "n with",
    "estimate": "Estimate",
    "se": "SE",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "df": "Design df",
    "population": "Population",
    "cases": "Cases (weighted)",
    "deff": "Design effect",
    "n_effective": "Effective n",
    "kg_low": "Korn-Graubard low",
    "kg_high": "Korn-Graubard high",
    "reliability": "NCHS reliability",
    "note": "Note",
    "model": "Model",
    "p_value": "p-value",
    "kind": "Kind",
    "by": "By",
    "statistic": "Test statistic",  # a table's own header names it (outputs.yaml display: headers)
    "df_num": "df (num.)",
    "df_den": "df (den.)",
    "pattern": "Pattern",
    "n_conditions": "Conditions",
    "expected": "Expected if independent",
    "oe_ratio": "Observed / expected",
    "oe_ci_low": "O/E 95% CI low",
    "oe_ci_high": "O/E 95% CI high",
    "term": "Term",
    "order": "Order",
    "se_model": "Model SE",
    "odds_ratio": "Odds ratio",
    "bmi": "BMI (kg/m²)",
    "claim": "Claim",
    "direction": "Claimed direction",
    "verdict": "Verdict",
    "published": "Published",
    "published_source": "Published source",
    "method": "Method",
    "imputations": "Imputations",
    "item": "Column or check",
    "rows": "Out of",
    "share": "Share",
    "subgroup": "Subgroup",
    "interaction_statistic": "Interaction F",
    "interaction_df_num": "Interaction df (num.)",
    "interaction_df_den": "Interaction df (den.)",
    "interaction_p": "Interaction p",
    "quantity": "Quantity",
    "value": "Value",
    "definition": "Definition",
    "n_unknown": "n unknown",
    "lrt_deviance": "LR deviance",
    "lrt_f": "LR Rao-Scott F",
    "lrt_df_num": "LR df (num.)",
    "lrt_df_den": "LR df (den.)",
    "lrt_p": "LR p-value",
}
LABEL_LENGTH = 120  # the longest label a dataset may give (a table's cell, a figure's axis)


def readable(name, universes: Mapping[str, str] | None = None, labels: Mapping[str, str] | None = None) -> str:
    """The label a reader sees for a column, condition, grouping or level name, with its universe;
    `labels` are a run's own (a declared variable's `label`: variable_labels)."""
    text = str(name)
    shown = (labels or {}).get(text) or LABELS.get(text) or _capitalized(text.replace("_", " "))
    if universes and text in universes:
        shown = f"{shown}, {universes[text]}"
    return shown


def header(column: str, overrides: Mapping[str, str] | None = None) -> str:
    """The header a report table shows for a CSV column (a condition column reads as its label)."""
    return (overrides or {}).get(column) or HEADERS.get(column) or readable(column)


def label_of(name, variables: Mapping) -> str:
    """A column's label given the declared `variables` (their `label`), else readable's."""
    return readable(name, None, variable_labels({"variables": variables}))


def _capitalized(text: str) -> str:
    """The first letter upper case, the rest as written ("neck pain" -> "Neck pain", "40-59" kept)."""
    return text[:1].upper() + text[1:]


def in_sentence(label: str) -> str:
    """A label inside a sentence: its first letter lower case unless it starts an acronym ("Knee
    OA" -> "knee OA", "BMI class" kept); the rest as written (lower() would give "knee oa")."""
    first = label.split(" ", 1)[0]
    return label if first[1:2].isupper() or first[:1].islower() else label[:1].lower() + label[1:]


def variable_labels(config: Mapping) -> dict[str, str]:
    """The labels a config gives its declared variables (`variables: name: label:`) and, in a
    dataset's view, the dataset's own (`labels: {name: text}`), which come first."""
    declared = {name: v["label"] for name, v in (config.get("variables") or {}).items() if v.get("label")}
    return declared | dict((config.get("dataset") or {}).get("labels") or {})


def check_labels(name: str, dataset: Mapping, known) -> None:
    """A dataset's `labels:` name conditions, variables or alternative definitions of the run, each
    with one line of text."""
    known = set(known) | {d for names in (dataset.get("alternatives") or {}).values() for d in names}
    for key, text in (dataset.get("labels") or {}).items():
        if key not in known:
            raise ConfigError(
                f"Dataset '{name}': `labels:` gives a label to '{key}', which is neither a condition nor a "
                f"column or declared variable of this run ({', '.join(sorted(known))}). Fix the name or remove it."
            )
        if not str(text).strip() or "\n" in str(text) or len(str(text)) > LABEL_LENGTH:
            raise ConfigError(
                f"Dataset '{name}': `labels: {key}:` must be one line of 1 to {LABEL_LENGTH} characters "
                f"(it is {len(str(text))}). Shorten it; the definition itself belongs in the dataset's rules."
            )
