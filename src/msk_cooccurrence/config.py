"""Configuration: validation against the JSON schema, defaults, and a frozen view for the code."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import jsonschema
import yaml

from .definitions import check_nesting
from .derive import check_definitions
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
        if dataset["source"] in ("table", "nhanes"):
            check_definitions(name, dataset, config["conditions"])
            for key in list(dataset["columns"]) + list(dataset.get("codes", {})):
                if key not in known:
                    raise ConfigError(
                        f"Dataset '{name}' maps '{key}', which is neither a harmonized column "
                        f"({', '.join(HARMONIZED_FIXED)}) nor one of the conditions "
                        f"({', '.join(config['conditions'])}). Add it to `conditions` or fix the name."
                    )
        if dataset["source"] == "nhanes":
            check_nhanes_cycles(name, dataset)
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


def check_nhanes_cycles(name: str, dataset: dict) -> None:
    """Cycle names unique; a multi-cycle weight (WTMEC4YR) used by as many cycles as it spans."""
    names = [cycle["name"] for cycle in dataset["cycles"]]
    if len(set(names)) < len(names):
        raise ConfigError(f"Dataset '{name}': two cycles share a name ({', '.join(names)}); name each cycle once.")
    by_weight: dict = {}
    for cycle in dataset["cycles"]:
        weight = cycle.get("weight", dataset["weight"])
        by_weight.setdefault((weight["column"].upper(), weight["years"]), []).append(cycle["name"])
    for (column, years), cycles in by_weight.items():
        if len(cycles) % (years // 2):
            raise ConfigError(
                f"Dataset '{name}': {column} stands for {years} years, i.e. {years // 2} cycles, but "
                f"{len(cycles)} cycle(s) use it ({', '.join(cycles)}). NCHS: WTMEC4YR serves 1999-2000 and "
                "2001-2002 together; use it for both or for neither."
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
    text = json.dumps(_text_keys(relevant), sort_keys=True, default=str) + version
    return hashlib.sha256(text.encode()).hexdigest()


def _text_keys(data):
    """Mapping keys as text, so that codes such as {18: yes, blank: no} sort (depth is bounded by check_nesting)."""
    if isinstance(data, Mapping):
        return {str(k): _text_keys(v) for k, v in data.items()}
    return [_text_keys(v) for v in data] if isinstance(data, list) else data
