"""What the report and figures say about a dataset's definitions.

- Labels: every condition is shown by its label (labels.readable), and one measured in part of the
  sample only (a universe, e.g. bunions at ages 40+) as "Bunions (hallux valgus), ages 40+", in
  every table, figure and claim, by relabelling the output tables at the point of display (the
  CSV files keep the plain names other steps join on).
- Words: each rule, value made unknown, universe, weight and age top-code as a sentence for the
  report's methods and data sections; a condition whose prevalence differs across NHANES cycles as a
  warning beside the prevalence; what the multiple imputation's model holds and why.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..columns import CYCLE, view_variables
from ..intake.definitions import describe, referenced
from ..intake.derive import universe_notes
from ..intake.sources import source_of
from ..labels import in_sentence, readable, variable_labels
from .presentation import percent_text

CONDITION_COLUMNS = ("condition", "condition_a", "condition_b")
KLEENE = (
    "Rules are three-valued (yes, no, unknown) and combine by Kleene's logic: 'all of' is no if any part is no, "
    "yes if every part is yes, otherwise unknown; 'any of' is yes if any part is yes, no if every part is no, "
    "otherwise unknown; an item's code with no meaning listed stops the row (quarantine), never a guess."
)


def display_name(name, notes: Mapping[str, str], labels: Mapping[str, str] | None = None):
    """A condition's label (the run's own `labels` first) with its universe; anything that is not a
    name is left as it is."""
    return readable(name, notes, labels) if isinstance(name, str) else name


def display_tables(
    tables: Mapping[str, pd.DataFrame], notes: Mapping[str, str], conditions=(), labels: Mapping[str, str] | None = None
) -> dict[str, pd.DataFrame]:
    """Tables whose condition names read as labels with their universe: bunions -> 'Bunions (hallux
    valgus), ages 40+'; `conditions` names the per-condition columns (patterns) to relabel too;
    `labels` are the run's own (labels.variable_labels)."""

    def name_of(name, notes):
        return display_name(name, notes, labels)

    shown = {}
    for key, table in tables.items():
        table = table.rename(columns={c: name_of(c, notes) for c in [*conditions, *notes] if c in table})
        for column in CONDITION_COLUMNS:
            if column in table:
                table[column] = table[column].map(lambda v: name_of(v, notes))
        if "pattern" in table:
            table["pattern"] = table["pattern"].map(lambda p: "+".join(name_of(c, notes) for c in str(p).split("+")))
        if "term" in table:
            table["term"] = table["term"].map(lambda t: ":".join(name_of(c, notes) for c in str(t).split(":")))
        if "claim" in table:
            table["claim"] = annotated_claims(tables[key], notes, labels)
        shown[key] = table
    return shown


def annotated_claims(
    claims: pd.DataFrame, notes: Mapping[str, str], labels: Mapping[str, str] | None = None
) -> list[str]:
    """Each claim with the universes of the conditions its estimate used (all of them for 'mutual')."""
    texts = []
    for row in claims.to_dict("records"):
        used = [c for c in notes if c in (row.get("condition_a"), row.get("condition_b"))]
        if row.get("model") == "mutual":
            used = list(notes)
        texts.append(row["claim"] + "".join(f" [{readable(c, None, labels)}: {notes[c]}]" for c in used))
    return texts


def population_caption(notes: Mapping[str, str], labels: Mapping[str, str] | None = None) -> str:
    """The sentence every figure caption adds when a condition has a universe."""
    if not notes:
        return ""
    listed = "; ".join(f"{readable(c, None, labels)} only at {n}" for c, n in notes.items())
    return (
        f" Measured {listed}: every estimate involving it, and the patterns, network and mutual odds ratios "
        "(which need every condition known), are for that age range."
    )


def definition_sentences(dataset: Mapping, conditions) -> list[str]:
    """Every definition of the dataset in words, for the methods section."""
    rules = dict(dataset.get("rules", {}))
    sentences = [f"{_name(n, dataset)} = {describe(rule)}." for n, rule in rules.items() if n in conditions]
    helpers = [n for n in rules if n not in conditions]
    sentences += [f"where {in_sentence(_name(n, dataset))} = {describe(rules[n])}." for n in helpers]
    for cycle in dataset.get("cycles", []):
        for item, name in cycle.get("items", {}).items():
            sentences.append(f"In {cycle['name']}, {item} is read from {name}.")
        for n, rule in cycle.get("rules", {}).items():
            sentences.append(f"In {cycle['name']}, {_name(n, dataset)} = {describe(rule)}.")
    sentences += alternative_sentences(dataset)
    for key, rule in dataset.get("unknown_if", {}).items():
        sentences.append(f"{_name(key, dataset)} is unknown where {describe(rule)} is yes.")
    for variable, levels in dataset.get("categories", {}).items():
        words = "; ".join(f"'{level}' where {describe(rule)}" for level, rule in levels.items())
        sentences.append(
            f"{_name(variable, dataset)} is {words} (unknown where no level's rule is yes and some is unknown)."
        )
    if rules or dataset.get("categories"):
        sentences.append(KLEENE)
    return sentences + scope_sentences(dataset)


def alternative_sentences(dataset: Mapping) -> list[str]:
    """Each alternative definition (`alternatives:`) in words: for the methods, and beside definitions.csv."""
    return [
        f"{_name(condition, dataset)} by the alternative definition '{_name(definition, dataset)}' "
        f"(definitions.csv) = {describe(rule)}."
        for condition, alternatives in dataset.get("alternatives", {}).items()
        for definition, rule in alternatives.items()
    ]


def scope_sentences(dataset: Mapping) -> list[str]:
    """Universes, the NHANES analysis population, weights and age top-coding, in words."""
    sentences = []
    for condition, note in universe_notes(dataset).items():
        sentences.append(
            f"{_name(condition, dataset)} was measured only at {note}; outside that range it is unknown, so every "
            "estimate involving it, and the patterns, log-linear model, network and mutual odds ratios (which "
            f"need every condition known), are for {note}."
        )
    sentences += source_of(dataset).methods_sentences(dataset)
    if dataset.get("age_top_code") is not None:
        top = dataset["age_top_code"]
        sentences.append(
            f"Age is top-coded at {top:g}: everyone {top:g} or older is recorded as {top:g}, so the oldest age band "
            f"is {top:g}+ and age-adjusted models treat them as {top:g}."
        )
    return sentences


CYCLE_STRATA = "; NHANES numbers its strata apart in every cycle, so they carry the cycle too."


def imputation_sentences(dataset: Mapping, conditions) -> list[str]:
    """What the multiple imputation's model holds and why (imputation_model.py), for the methods."""
    stratified = "stratum" in dataset.get("columns", {})  # an NHANES dataset maps SDMVSTRA to it
    design = "the log weight in 20 quantile classes" + (" and the strata as indicators" if stratified else "")
    sentences = [
        f"The imputation model holds the conditions and covariates, and the survey design: {design}, as Reiter, "
        "Raghunathan and Kinney (Survey Methodology 2006) recommend (an imputation model without the design "
        "variables biases design-based estimates of the completed data)"
        + (
            "; NHANES numbers its strata apart in every cycle, so they carry the cycle too."
            if "cycles" in dataset
            else "."
        )
    ]
    rules = dataset.get("rules", {})
    auxiliary = (dataset.get("imputation") or {}).get("auxiliary", [])
    for condition in [c for c in conditions if c in rules]:
        parts = [name for name in auxiliary if name in rules_used(rules[condition], rules)]
        if parts:
            sentences.append(
                "Auxiliary variables (imputed where unknown, never analysed): "
                f"{_and_list(in_sentence(_name(p, dataset)) for p in parts)}, parts of the definition of "
                f"{_name(condition, dataset)}. A condition derived from parts is unknown mostly "
                "where one part is unknown and the others are known, so it is not missing at random given the other "
                "conditions; the imputation draws it given the parts that are known."
            )
    helpers = [n for n in auxiliary if not any(n in rules_used(rules[c], rules) for c in conditions if c in rules)]
    if helpers:
        sentences.append(
            "Auxiliary variables that help impute the conditions: "
            f"{_and_list(in_sentence(_name(h, dataset)) for h in helpers)}."
        )
    for condition, note in universe_notes(dataset).items():
        sentences.append(
            f"{_name(condition, dataset)} is never imputed outside {note}, where it was not measured (there it is a "
            f"level 'not measured' of its own in the other variables' models, never drawn), and every model with it, "
            f"complete cases and imputed, is fitted at {note}."
        )
    return sentences


def rules_used(rule, rules: Mapping) -> set[str]:
    """The named rules a rule uses, directly or through others."""
    found, stack = set(), referenced(rule)
    while stack:
        name = stack.pop()
        if name not in found and name in rules:
            found.add(name)
            stack += referenced(rules[name])
    return found


def data_notes(validation: Mapping, dataset: Mapping) -> list[str]:
    """Short lines for the data section: universes, values made unknown, age top-code."""
    notes, labels = [], variable_labels({"dataset": dataset})
    for condition, note in validation.get("universes", {}).items():
        outside = validation.get("outside_universe", {}).get(condition, 0)
        notes.append(
            f"{readable(condition, None, labels)}: {note} only ({outside} known values outside that range set unknown)"
        )
    for key, made in validation.get("unknown_if", {}).items():
        notes.append(
            f"{readable(key, None, labels)} set unknown where {made['rule']} is yes: {made['rows']} rows "
            "(kept, not quarantined)"
        )
    if dataset.get("age_top_code") is not None:
        notes.append(f"age top-coded at {dataset['age_top_code']:g} (everyone {dataset['age_top_code']:g}+)")
    return notes


def _name(name: str, dataset: Mapping) -> str:
    """A name by the dataset's label (`labels:`), else labels.readable's."""
    return readable(name, None, variable_labels({"dataset": dataset}))


CYCLE_DIFFERENCE_P = 0.001  # a condition that differs across cycles beyond this is warned about


def cycle_warnings(association: pd.DataFrame, prevalence: pd.DataFrame, view: Mapping, notes: Mapping[str, str]):
    """A sentence for each condition whose prevalence differs across the cycles of an NHANES dataset
    (association.csv's Rao-Scott test by `cycle`, p < CYCLE_DIFFERENCE_P), with its prevalence in each
    cycle: within a survey the cycles differ in examiners and protocols, so a pooled estimate averages
    over those as much as over time."""
    tests = association[(association["kind"] == "grouping") & (association["by"] == CYCLE)]
    adjusted = CYCLE in [c if isinstance(c, str) else c["name"] for c in view["covariates"]]
    sentences = []
    for test in tests[tests["p_value"] < CYCLE_DIFFERENCE_P].itertuples():
        rows = prevalence[(prevalence["condition"] == test.condition) & (prevalence["group"] == CYCLE)]
        each = "; ".join(
            f"{r.level} {percent_text(r.estimate, r.ci_low, r.ci_high, getattr(r, 'reliability', ''))}"
            for r in rows.itertuples()
        )
        advice = (
            "the adjusted models include `cycle` as a covariate, the crude estimates and prevalences do not"
            if adjusted
            else "consider `cycle` as a covariate (`covariates:`)"
        )
        sentences.append(
            f"{readable(test.condition, notes, variable_labels(view))}: prevalence differs across NHANES cycles "
            f"(Rao-Scott F = {test.statistic:.2f} on {test.df_num:.2f} and {test.df_den:.1f} df, "
            f"p < {CYCLE_DIFFERENCE_P:g}): "
            f"{each}. Pooled estimates average over the cycles' examiners or protocol changes as well as over "
            f"time; {advice}."
        )
    return sentences


def present_columns(quality: pd.DataFrame | None) -> set | None:
    """The columns the analysis rows have (the data-quality table lists each), or None without it."""
    return None if quality is None else set(quality.loc[quality["kind"] == "missing", "item"])


def covariate_words(config: Mapping, present: set | None = None) -> str:
    """The adjustment set in words, each covariate by its label and how it enters the models; those the
    dataset lacks (`present`: its columns) named apart, as not adjusted for."""
    variables = view_variables(config)
    labels = variable_labels(config)
    words, lacking = [], []
    for covariate in config["covariates"]:
        name = covariate if isinstance(covariate, str) else covariate["name"]
        label = readable(name, None, labels)
        if present is not None and name not in present:
            lacking.append(in_sentence(label))
            continue
        declared = variables.get(name, {})
        if name == "sex":
            words.append(f"{label} (an indicator of female)")
        elif declared.get("kind") == "category":
            words.append(f"{label} (an indicator of each level against {declared['reference']})")
        elif isinstance(covariate, str):
            words.append(f"{label} (linear)")
        else:
            words.append(f"{label} (natural cubic spline, {covariate['spline']} knots at Harrell's quantiles)")
    text = "; ".join(words) or "nothing (no covariate is in this dataset)"
    if lacking:
        text += f" (not adjusted for {', '.join(lacking)}: not in this dataset)"
    return text


def lost_to_covariates(quality: pd.DataFrame | None, odds: pd.DataFrame, config: Mapping, labels) -> str:
    """How many analysis rows each covariate lacks, and the rows the adjusted models used."""
    names = [c if isinstance(c, str) else c["name"] for c in config["covariates"]]
    if quality is None or quality.empty:
        return ""
    missing = quality[(quality["kind"] == "missing") & quality["item"].isin(names) & (quality["n"] > 0)]
    if missing.empty:
        return "No analysis row has a covariate unknown."
    listed = ", ".join(f"{readable(r.item, None, labels)} {r.n:,} ({100 * r.share:.1f}%)" for r in missing.itertuples())
    used = odds.loc[odds["model"] == "adjusted", "n"].dropna()
    span = f"; the adjusted models used {used.min():,.0f} to {used.max():,.0f} rows" if len(used) else ""
    return (
        f"Rows with a covariate unknown, of the {int(missing['rows'].iloc[0]):,} analysis rows: {listed}. Each model "
        f"uses the rows where all of its variables are known (a domain of the design){span}; each table's n and note "
        "say how many rows a model lost."
    )


def _and_list(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
