"""Configuration: validation against the JSON schema with its defaults, and the checks a schema cannot state.

Validated once, where the workflow starts (workflow/rules/common.smk); the analysis code reads
the result as `settings.Settings`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import jsonschema
import yaml

from .columns import NAMES as HARMONIZED_FIXED
from .definitions import check_nesting
from .derive import check_definitions
from .errors import ConfigError
from .resources import read_resource
from .sources import source_of


@cache
def config_schema() -> dict:
    """The JSON schema of the configuration (package data, also read by the workflow)."""
    return yaml.safe_load(read_resource("config.schema.yaml"))


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


def validate_config(config: Mapping) -> dict:
    """Validated copy of `config` with every default filled in; ConfigError on any violation."""
    schema = config_schema()
    check_nesting(config)  # before the schema recurses into the rules
    filled = copy.deepcopy(dict(config))
    errors = sorted(_validator_with_defaults(schema).iter_errors(filled), key=lambda e: list(e.path))
    if errors:
        lines = [f"  - at {'/'.join(map(str, e.path)) or '(top)'}: {e.message}{_hint(e)}" for e in errors[:10]]
        raise ConfigError("The configuration is invalid; fix these keys:\n" + "\n".join(lines))
    check_consistency(filled)
    return filled


def _hint(error) -> str:
    """The schema's own description of what was expected, when it has one."""
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    shown = ("pattern", "enum", "type", "oneOf")
    return f" (expected: {description})" if description and error.validator in shown else ""


def load_config(path: Path | str) -> dict:
    return validate_config(yaml.safe_load(Path(path).read_text()) or {})


def check_consistency(config: dict) -> None:
    """Rules a JSON schema cannot state: mapped columns must be harmonized names, and so on."""
    known = set(HARMONIZED_FIXED) | set(config["conditions"])
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
        check_definitions(name, dataset, config["conditions"])
        source_of(dataset).check(name, dataset)
        # a mapping (table sources) names harmonized columns or conditions only
        for key in list(dataset.get("columns", {})) + list(dataset.get("codes", {})):
            if key not in known:
                raise ConfigError(
                    f"Dataset '{name}' maps '{key}', which is neither a harmonized column "
                    f"({', '.join(HARMONIZED_FIXED)}) nor one of the conditions "
                    f"({', '.join(config['conditions'])}). Add it to `conditions` or fix the name."
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
