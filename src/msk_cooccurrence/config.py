"""Configuration: validation against the JSON schema with its defaults, and the checks a schema cannot state.

Validated once, where the workflow starts (workflow/rules/common.smk); the analysis code reads
the result as `settings.Settings`.

Before anything walks the config, its size is bounded: YAML anchors and aliases let a few lines
stand for billions of values (each alias is the same object, so loading is cheap, but anything
that walks the config, the schema validator included, walks every copy). `check_size` counts the
values as a walk would see them and stops at MAX_CONFIG_VALUES, so time and memory stay bounded.
Snakemake loads `--configfile` itself (PyYAML FullLoader, in `snakemake.common.configfile`) and
merges it into config/config.yaml with `snakemake.utils.update_config` before the Snakefile
runs; that merge copies every mapping it meets, so an alias explosion made of mappings is
expanded inside Snakemake, before any code of ours can refuse it; one made of lists reaches us
unexpanded and is refused here. `load_config`, our own loader, refuses a file over
MAX_CONFIG_BYTES before parsing it.
"""

from __future__ import annotations

import codecs
import copy
import difflib
import encodings.aliases
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import jsonschema
import yaml

from . import wiring
from .columns import CYCLE, LOG_WEIGHT, SOURCE_ROW, STRATUM, builtin_variables
from .columns import NAMES as HARMONIZED_FIXED
from .errors import ConfigError
from .intake.definitions import check_auxiliary, check_definitions, check_nesting
from .intake.sources import SOURCES, source_of
from .labels import check_labels
from .resources import read_resource

SOURCE_NAMES = tuple(SOURCES)
# Python's encoding names, for the "did you mean" of an unknown one (utf-9 -> utf-8)
KNOWN_ENCODINGS = sorted({name.replace("_", "-") for name in encodings.aliases.aliases.values()} | {"utf-8", "latin-1"})


@cache
def config_schema() -> dict:
    """The JSON schema of the configuration (package data, also read by the workflow)."""
    return wiring.load_resource_yaml(read_resource("config.schema.yaml"))


def _validator_with_defaults(schema: dict):
    """A jsonschema validator that fills in `default`s, as snakemake.utils.validate does."""
    base = jsonschema.validators.validator_for(schema)
    validate_properties = base.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, subschema):
        if isinstance(instance, dict):
            for name, prop in properties.items():
                if "default" in prop:
                    instance.setdefault(name, copy.deepcopy(prop["default"]))
        yield from validate_properties(validator, properties, instance, subschema)

    return jsonschema.validators.extend(base, {"properties": set_defaults})(schema)


MAX_CONFIG_VALUES = 100_000  # the NHANES 1999-2004 example, rules and all, has about 700
MAX_CONFIG_BYTES = 1_000_000
OUTPUT_FOLDERS = ("data/interim", "data/processed", "reports", "logs")  # what the workflow writes
DELIMITER_NAMES = {"\\t": "\t", "tab": "\t", "TAB": "\t", "space": " "}  # an unquoted \t is a backslash and a t


def check_size(config) -> None:
    """Refuse a config with more than MAX_CONFIG_VALUES values once aliases are expanded, in bounded time."""
    seen, stack = 0, [config]
    while stack:
        current = stack.pop()
        seen += 1
        if seen > MAX_CONFIG_VALUES:
            raise ConfigError(
                f"The configuration holds more than {MAX_CONFIG_VALUES:,} values once YAML anchors and aliases "
                "are expanded; a real one holds a few thousand. Look for an alias (*name) used many times inside "
                "what another alias repeats, or for data pasted into the config."
            )
        if isinstance(current, Mapping):
            stack.extend(current.values())
        elif isinstance(current, list | tuple):
            stack.extend(current)


def without_removed_datasets(config: Mapping) -> dict:
    """The config without the datasets set to null: how a --configfile removes a default dataset."""
    out = dict(config)
    datasets = out.get("datasets")
    if isinstance(datasets, Mapping):
        kept = {name: entry for name, entry in datasets.items() if entry is not None}
        if datasets and not kept:
            raise ConfigError(
                "Every dataset is set to null, so there is nothing to run. Keep or add one under `datasets:`."
            )
        out["datasets"] = kept
    return out


def validate_config(config: Mapping) -> dict:
    """Validated copy of `config` with every default filled in; ConfigError on any violation."""
    schema = config_schema()
    check_size(config)
    check_nesting(config)  # before the schema recurses into the rules
    filled = copy.deepcopy(without_removed_datasets(config))
    check_mixed_sources(filled)
    errors = sorted(_validator_with_defaults(schema).iter_errors(filled), key=lambda e: list(e.path))
    if errors:
        lines = [f"  - at {'/'.join(map(str, e.path)) or '(top)'}: {e.message}{_hint(e)}" for e in errors[:10]]
        raise ConfigError("The configuration is invalid; fix these keys:\n" + "\n".join(lines))
    check_consistency(filled)
    return filled


def check_mixed_sources(config: Mapping) -> None:
    """A dataset holding another source's keys: what merging a --configfile over a default of the same name does."""
    definitions = config_schema()["$defs"]
    for name, dataset in (config.get("datasets") or {}).items():
        if not isinstance(dataset, Mapping) or dataset.get("source") not in SOURCE_NAMES:
            continue
        allowed = set(definitions[dataset["source"]]["properties"])
        extra = [key for key in dataset if key not in allowed]
        others = [
            s
            for s in SOURCE_NAMES
            if s != dataset["source"] and extra and set(extra) <= set(definitions[s]["properties"])
        ]
        if others:
            raise ConfigError(
                f"Dataset '{name}' is `source: {dataset['source']}` but also has {', '.join(extra)}, keys of a "
                f"`source: {others[0]}` dataset. Snakemake lays a --configfile over config/config.yaml key by key, so "
                f"a dataset named like one of the defaults ('{name}') inherits that one's keys. Give your dataset "
                f"another name (e.g. mystudy); to leave the default out too, add `{name}: null` under `datasets:`."
            )


def _hint(error) -> str:
    """The schema's own description of what was expected, when it has one."""
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    shown = ("pattern", "enum", "type", "oneOf")
    return f" (expected: {description})" if description and error.validator in shown else ""


def load_config(path: Path | str) -> dict:
    """A config file validated; a file over MAX_CONFIG_BYTES is refused before it is parsed."""
    size = Path(path).stat().st_size
    if size > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"The configuration file '{path}' is {size:,} bytes; a real one is a few kilobytes (at most "
            f"{MAX_CONFIG_BYTES:,}). Check that `path` names the YAML config, not a data file."
        )
    return validate_config(yaml.safe_load(Path(path).read_text()) or {})


def check_consistency(config: dict) -> None:
    """Rules a JSON schema cannot state: mapped columns must be harmonized names, and so on."""
    check_model_variables(config)
    known = set(HARMONIZED_FIXED) | set(config["conditions"]) | set(config.get("variables", {}))
    for claim in config.get("claims", []):
        for key in (claim["a"], claim["b"]):
            if key not in config["conditions"]:
                raise ConfigError(
                    f"The claim '{claim['statement']}' names '{key}', which is not in `conditions` "
                    f"({', '.join(config['conditions'])}). Add it there or fix the claim."
                )
    for name, dataset in config["datasets"].items():
        for column, code_map in dataset.get("codes", {}).items():
            words = [k for k in code_map if isinstance(k, bool)]
            if words:
                raise ConfigError(
                    f"Dataset '{name}': `codes: {column}:` has a key YAML read as {words[0]} (an unquoted yes, no, "
                    f'on, off, true or false). Quote the values as they are in your file, e.g. {{"yes": true}}.'
                )
            if None in code_map:
                raise ConfigError(
                    f"Dataset '{name}': `codes: {column}:` has a key YAML read as null (an unquoted null, Null, NULL "
                    f'or ~). Quote the value as it is in your file, e.g. {{"NULL": false}}; an empty cell is '
                    "missing without any entry."
                )
        check_unmapped(name, dataset)
        check_definitions(name, dataset, config["conditions"])
        check_auxiliary(name, dataset, known | {LOG_WEIGHT, STRATUM, CYCLE, SOURCE_ROW})
        check_dataset_variables(name, dataset, config.get("variables", {}))
        check_labels(name, dataset, known | {CYCLE, "age_band", "bmi_class"})
        source_of(dataset).check(name, dataset)
        check_reading(name, dataset)
        check_outside_outputs(name, source_of(dataset).input_files(dataset))
        # a mapping (table sources) names harmonized columns or conditions only
        for key in list(dataset.get("columns", {})) + list(dataset.get("codes", {})):
            if key not in known:
                raise ConfigError(
                    f"Dataset '{name}' maps '{key}', which is neither a harmonized column "
                    f"({', '.join(HARMONIZED_FIXED)}), one of the conditions ({', '.join(config['conditions'])}) "
                    "nor a declared variable. Add it to `conditions` or `variables:`, or fix the name."
                )
        # a generating model (synthetic sources) pairs only conditions it draws
        model = dataset.get("model", {})
        drawn = set(model.get("prevalence", {}))
        for pair in model.get("pair_odds_ratios", []):
            for key in (pair["a"], pair["b"]):
                if key not in drawn:
                    raise ConfigError(
                        f"Dataset '{name}': pair_odds_ratios names '{key}', which has no "
                        f"`prevalence` in the synthetic model ({', '.join(sorted(drawn))})."
                    )


# columns whose unknown value sends a row to quarantine whatever `unmapped:` says (columns.HARMONIZED)
NEVER_UNKNOWN = ("id", "age", "sex", "weight", "stratum", "psu")


def check_unmapped(name: str, dataset: Mapping) -> None:
    """`unmapped: {column: unknown}` names a column the dataset maps, whose value may be unknown."""
    for column, policy in dataset.get("unmapped", {}).items():
        if column not in dataset.get("columns", {}):
            raise ConfigError(
                f"Dataset '{name}': `unmapped:` names '{column}', which `columns:` does not map. Name a mapped "
                f"column ({', '.join(dataset.get('columns', {}))}), or remove it."
            )
        if policy == "unknown" and column in NEVER_UNKNOWN:
            raise ConfigError(
                f"Dataset '{name}': `unmapped: {{{column}: unknown}}`: a row's {column} cannot be unknown (the row "
                f"could not be placed in the analysis or the design), so its row is quarantined. Map the values "
                f"under `codes: {column}:`, or remove the line."
            )


def check_reading(name: str, dataset: dict) -> None:
    """The encoding must exist and the delimiter be one character; a tab written \\t or tab becomes one, in place."""
    if "encoding" in dataset:
        try:
            codecs.lookup(dataset["encoding"])
        except LookupError:
            close = difflib.get_close_matches(dataset["encoding"].lower(), KNOWN_ENCODINGS, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise ConfigError(
                f"Dataset '{name}': `encoding: {dataset['encoding']}` is not an encoding Python knows{hint}. "
                "Use the file's real encoding, for example utf-8, latin-1 or cp1252."
            ) from None
    if dataset.get("thousands") is not None and dataset["thousands"] == dataset.get("decimal", "."):
        raise ConfigError(
            f"Dataset '{name}': `thousands: \"{dataset['thousands']}\"` is also the decimal mark (`decimal:`), so "
            'a number could not be read. Give the decimal mark too, e.g. `decimal: ","` with `thousands: "."`.'
        )
    if "delimiter" in dataset:
        delimiter = DELIMITER_NAMES.get(dataset["delimiter"], dataset["delimiter"])
        if len(delimiter) != 1:
            raise ConfigError(
                f"Dataset '{name}': `delimiter: {dataset['delimiter']!r}` is not one character. Write the character "
                'in quotes, e.g. delimiter: ";" or, for a tab, delimiter: "\\t".'
            )
        dataset["delimiter"] = delimiter


def check_outside_outputs(name: str, paths) -> None:
    """An input file must not lie in the folders the workflow writes: Snakemake would try to make it."""
    here = Path.cwd().resolve()
    for path in paths:
        where = Path(path)
        try:
            relative = (where if not where.is_absolute() else where.resolve().relative_to(here)).as_posix()
        except ValueError:
            continue  # outside the working directory
        relative = os.path.normpath(relative)
        folder = next((f for f in OUTPUT_FOLDERS if relative == f or relative.startswith(f + "/")), None)
        if folder:
            raise ConfigError(
                f"Dataset '{name}': the input file '{path}' is inside {folder}/, where the workflow writes its own "
                f"outputs ({', '.join(OUTPUT_FOLDERS)}), so Snakemake would try to make it (or overwrite it). "
                "Copy it to data/raw/ and point the dataset's path there."
            )


GROUPS_ALWAYS = ("sex", "age_band", "bmi_class")  # groupings every dataset has (bmi_class where BMI is)
ADJUSTABLE = ("age", "sex", "bmi")  # harmonized columns a model may adjust for


def check_model_variables(config: Mapping) -> None:
    """Variables, covariates, groupings and subgroups name what exists, each in a role it can play."""
    variables = config.get("variables", {})
    # names the analysis gives its own columns: harmonized, conditions, groupings, model terms, imputation
    taken = set(HARMONIZED_FIXED) | set(config["conditions"]) | {"age_band", "bmi_class", "overall", "female"}
    taken |= {"age_class", "intercept", "log_weight", "source_row", "cycle", "count", "used"}
    for name, variable in variables.items():
        if name in taken:
            raise ConfigError(
                f"`variables: {name}:` is named like a harmonized column, a condition or a grouping "
                f"({', '.join(sorted(taken))}); give the variable another name."
            )
        if variable["kind"] == "number" and variable.get("low", -float("inf")) > variable.get("high", float("inf")):
            raise ConfigError(f"`variables: {name}:` has `low` ({variable['low']}) above `high` ({variable['high']}).")
        levels = variable.get("levels")
        if levels and variable["reference"] not in levels:
            raise ConfigError(
                f"`variables: {name}:` has reference '{variable['reference']}', which is not one of its levels "
                f"({', '.join(levels)}). Make the reference one of the levels."
            )
    names = [c if isinstance(c, str) else c["name"] for c in config["covariates"]]
    variables = {**variables, **check_builtin_variables(config, names)}
    categories = [n for n, v in variables.items() if v["kind"] == "category"]
    numbers = ["age", "bmi", *(n for n, v in variables.items() if v["kind"] == "number")]
    for name in names:
        if name not in (*ADJUSTABLE, *variables):
            raise ConfigError(
                f"`covariates` names '{name}', which is neither age, sex, bmi nor a declared variable "
                f"({', '.join(variables) or 'none declared'}). Declare it under `variables:` or fix the name."
            )
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ConfigError(f"`covariates` names {', '.join(repeated)} more than once; list each covariate once.")
    for covariate in config["covariates"]:
        if not isinstance(covariate, str) and covariate["name"] not in numbers:
            raise ConfigError(
                f"`covariates: {{name: {covariate['name']}, spline: {covariate['spline']}}}`: only a number takes "
                f"a spline ({', '.join(numbers)}); write the category '{covariate['name']}' alone."
            )
    for key, allowed in (("groupings", (*GROUPS_ALWAYS, *categories)), ("subgroups", ("sex", *categories))):
        for name in config.get(key, ()):
            if name not in allowed:
                raise ConfigError(
                    f"`{key}` names '{name}', which is not one of {', '.join(allowed)}: a {key[:-1]} is sex"
                    + (", age_band, bmi_class" if key == "groupings" else "")
                    + " or a declared category variable."
                )
    lowers = [g["lower"] for g in config["standard_population"]["groups"]]
    if len(set(lowers)) != len(lowers):
        raise ConfigError(
            f"`standard_population: groups:` lists a lower bound more than once ({lowers}); give each age group once."
        )
    check_obesity_cutoff(config["obesity_bmi"])
    bands = list(config["age_bands"])
    if len(set(bands)) != len(bands):
        raise ConfigError(f"`age_bands` {bands} repeats a lower bound; list each band's lower bound once.")


OBESITY_BMI_RANGE = (25, 40)  # WHO Asia-Pacific's obesity (25) up to WHO's obesity class III (40)


def check_obesity_cutoff(cutoff: float) -> None:
    """The obesity cut-off must be one in use: BMI classes below it (data.bmi_classes_below) keep their meaning."""
    low, high = OBESITY_BMI_RANGE
    if not low <= cutoff <= high:
        raise ConfigError(
            f"`obesity_bmi: {cutoff:g}` is outside {low} to {high} kg/m2, the range of obesity cut-offs in use "
            f"(WHO: 30; WHO Asia-Pacific: {low}; WHO obesity class III: {high}); BMI classes below it "
            "(underweight <18.5, normal 18.5-24.9, overweight 25 up to the cut-off) would lose their meaning. "
            "Give the cut-off in kg/m2 within that range, e.g. `obesity_bmi: 30`."
        )


def check_builtin_variables(config: Mapping, covariates) -> dict:
    """The built-in variables some dataset of the run has (`cycle`: several NHANES cycles); naming one that
    no dataset has is an error (a dataset without it, beside one with it, gets validation's warning)."""
    builtin = {n: v for d in config["datasets"].values() for n, v in builtin_variables(d).items()}
    for key, names in (
        ("covariates", covariates),
        ("groupings", config.get("groupings", ())),
        ("subgroups", config.get("subgroups", ())),
    ):
        if CYCLE in names and CYCLE not in builtin:
            raise ConfigError(
                f"`{key}` names 'cycle', the NHANES cycle, which only a dataset of several NHANES cycles has "
                "(`source: nhanes` with two or more `cycles:`), and no dataset of this run has. Remove it from "
                f"`{key}`, or add the dataset's other cycles."
            )
    return builtin


def check_dataset_variables(name: str, dataset: Mapping, variables: Mapping) -> None:
    """A dataset's ages run from min_age up to max_age; a category's reference is one of its coded levels."""
    low, high = dataset.get("min_age"), dataset.get("max_age")
    if low is not None and high is not None and low >= high:
        raise ConfigError(
            f"Dataset '{name}': `min_age: {low}` is not below `max_age: {high}`, so no age is valid. "
            "Give the youngest and the oldest valid age."
        )
    for variable in dataset.get("categories", {}):
        if (variables.get(variable) or {}).get("kind") != "category":
            raise ConfigError(
                f"Dataset '{name}': `categories:` derives '{variable}', which is not a declared category variable. "
                f"Declare it under `variables:` with `kind: category`."
            )
        reference = variables[variable]["reference"]
        if reference not in map(str, dataset["categories"][variable]):
            raise ConfigError(
                f"Dataset '{name}': the reference level '{reference}' of `variables: {variable}:` is not among the "
                f"levels `categories: {variable}:` derives ({', '.join(map(str, dataset['categories'][variable]))})."
            )
    codes = dataset.get("codes", {})
    for variable, declared in variables.items():
        if declared["kind"] != "category":
            continue
        coded = list(dict.fromkeys(str(v) for v in (codes.get(variable) or {}).values() if v is not None))
        if variable in dataset.get("columns", {}) and not coded and not declared.get("levels"):
            raise ConfigError(
                f"Dataset '{name}' maps the category '{variable}' without `codes: {variable}:`, so its levels are "
                f"not known before the data are read. Give its codes (value in your file: level, null for "
                f"unknown), even where the file holds the words, or declare `levels:` under `variables: {variable}:`."
            )
        undeclared = sorted(set(coded) - set(declared.get("levels") or coded))
        if undeclared:
            raise ConfigError(
                f"Dataset '{name}': `codes: {variable}:` gives {', '.join(undeclared)}, which is not among the "
                f"declared `levels` of '{variable}' ({', '.join(declared['levels'])})."
            )
        levels = coded
        if declared.get("levels") or not levels:
            continue
        if declared["reference"] not in levels:
            raise ConfigError(
                f"Dataset '{name}': the reference level '{declared['reference']}' of `variables: {variable}:` is not "
                f"among the values `codes: {variable}:` gives ({', '.join(levels)}). Make the reference one of them."
            )
