"""Configuration: validation against the JSON schema, defaults, and a frozen view for the code."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import jsonschema
import yaml

from .errors import ConfigError

# The schema lives with the workflow; an editable (src-layout) install finds it from here.
DEFAULT_SCHEMA = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"
HARMONIZED_FIXED = ("id", "age", "sex", "bmi", "weight", "stratum", "psu")


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


def validate_config(config: Mapping, schema_path: Path | str = DEFAULT_SCHEMA) -> dict:
    """Validated copy of `config` with every default filled in; ConfigError on any violation."""
    schema = yaml.safe_load(Path(schema_path).read_text())
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
    return f" (expected: {description})" if description and error.validator in ("pattern", "enum", "type") else ""


def load_config(path: Path | str, schema_path: Path | str = DEFAULT_SCHEMA) -> dict:
    return validate_config(yaml.safe_load(Path(path).read_text()) or {}, schema_path)


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
        if dataset["source"] == "table":
            for key in list(dataset["columns"]) + list(dataset.get("codes", {})):
                if key not in known:
                    raise ConfigError(
                        f"Dataset '{name}' maps '{key}', which is neither a harmonized column "
                        f"({', '.join(HARMONIZED_FIXED)}) nor one of the conditions "
                        f"({', '.join(config['conditions'])}). Add it to `conditions` or fix the name."
                    )
        if dataset["source"] == "synthetic":
            model = dataset["model"]
            drawn = set(model["prevalence"])
            for pair in model["pair_odds_ratios"]:
                for key in (pair["a"], pair["b"]):
                    if key not in drawn:
                        raise ConfigError(
                            f"Dataset '{name}': pair_odds_ratios names '{key}', which has no "
                            f"`prevalence` in the synthetic model ({', '.join(sorted(drawn))})."
                        )


@dataclass(frozen=True)
class Settings:
    """The validated configuration the analysis code reads."""

    conditions: tuple[str, ...]
    covariates: tuple[str, ...]
    obesity_bmi: float
    age_bands: tuple[int, ...]
    max_invalid_share: float
    lonely_psu: str
    datasets: Mapping[str, Mapping]
    standard_population: Mapping
    claims: tuple[Mapping, ...]
    literature: str
    dose_response: Mapping
    sensitivity: Mapping
    proportion_ci: str = "logit"

    @classmethod
    def from_dict(cls, config: Mapping) -> Settings:
        return cls(
            conditions=tuple(config["conditions"]),
            covariates=tuple(config["covariates"]),
            obesity_bmi=float(config["obesity_bmi"]),
            age_bands=tuple(sorted(config["age_bands"])),
            max_invalid_share=float(config["max_invalid_share"]),
            lonely_psu=config["lonely_psu"],
            datasets=MappingProxyType(copy.deepcopy(dict(config["datasets"]))),
            standard_population=MappingProxyType(copy.deepcopy(dict(config["standard_population"]))),
            claims=tuple(copy.deepcopy(list(config["claims"]))),
            literature=str(config["literature"]),
            dose_response=MappingProxyType(dict(config["dose_response"])),
            sensitivity=MappingProxyType(dict(config["sensitivity"])),
            proportion_ci=config.get("proportion_ci", "logit"),
        )


def settings_digest(config: Mapping, dataset: str) -> str:
    """SHA-256 of everything in the config that one dataset's outputs depend on, and the package version."""
    import hashlib
    import importlib.metadata
    import json

    relevant = {k: v for k, v in config.items() if k != "datasets"} | {"dataset": config["datasets"][dataset]}
    try:
        version = importlib.metadata.version("msk-cooccurrence")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    text = json.dumps(relevant, sort_keys=True, default=str) + version
    return hashlib.sha256(text.encode()).hexdigest()
