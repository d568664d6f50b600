"""How names read in tables, figures and reports: the one place a label is written.

knee_oa -> "Knee osteoarthritis"; with a universe (a condition measured in part of the sample
only) -> "Bunions (hallux valgus), ages 40+". Conditions and groupings the project knows have a
written label; any other name (a condition a user adds, a level such as "40-59") reads with its
underscores as spaces. HEADERS are the column headers the report's tables show instead of the CSV's column names.
"""

from __future__ import annotations

from collections.abc import Mapping

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
    "statistic": "F",
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
}


def readable(name, universes: Mapping[str, str] | None = None, labels: Mapping[str, str] | None = None) -> str:
    """The label a reader sees for a column, condition, grouping or level name, with its universe;
    `labels` are a run's own (a declared variable's `label`: variable_labels)."""
    text = str(name)
    shown = (labels or {}).get(text) or LABELS.get(text, text.replace("_", " "))
    if universes and text in universes:
        shown = f"{shown}, {universes[text]}"
    return shown


def header(column: str, overrides: Mapping[str, str] | None = None) -> str:
    """The header a report table shows for a CSV column (a condition column reads as its label)."""
    return (overrides or {}).get(column) or HEADERS.get(column) or readable(column)


def label_of(name, variables: Mapping) -> str:
    """A column's label given the declared `variables` (their `label`), else readable's."""
    return readable(name, None, variable_labels({"variables": variables}))


def variable_labels(config: Mapping) -> dict[str, str]:
    """The labels a config gives its declared variables (`variables: name: label:`)."""
    return {name: v["label"] for name, v in (config.get("variables") or {}).items() if v.get("label")}
