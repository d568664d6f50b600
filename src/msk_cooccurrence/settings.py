"""The validated analysis settings estimators read, and the per-dataset view each workflow rule receives."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .wiring import dataset_view  # noqa: F401 (each rule's slice of the config; defined where the workflow reads it)


@dataclass(frozen=True)
class Settings:
    """The validated analysis settings (everything but the datasets) that estimators read."""

    conditions: tuple[str, ...]
    covariates: tuple[str, ...]
    obesity_bmi: float
    age_bands: tuple[int, ...]
    max_invalid_share: float
    lonely_psu: str
    standard_population: Mapping
    claims: tuple[Mapping, ...]
    literature: str
    dose_response: Mapping
    sensitivity: Mapping
    proportion_ci: str = "logit"  # the interval of ci_low/ci_high for proportions: logit or korn_graubard
    loglinear: Mapping = field(default_factory=lambda: MappingProxyType({"max_order": 4}))  # highest order tested

    @classmethod
    def from_dict(cls, config: Mapping) -> Settings:
        """From a validated config (its `datasets`, if any, are ignored)."""
        return cls(
            conditions=tuple(config["conditions"]),
            covariates=tuple(config["covariates"]),
            obesity_bmi=float(config["obesity_bmi"]),
            age_bands=tuple(sorted(config["age_bands"])),
            max_invalid_share=float(config["max_invalid_share"]),
            lonely_psu=config["lonely_psu"],
            standard_population=MappingProxyType(copy.deepcopy(dict(config["standard_population"]))),
            claims=tuple(copy.deepcopy(list(config["claims"]))),
            literature=str(config["literature"]),
            dose_response=MappingProxyType(dict(config["dose_response"])),
            sensitivity=MappingProxyType(dict(config["sensitivity"])),
            proportion_ci=config["proportion_ci"],
            loglinear=MappingProxyType(dict(config["loglinear"])),
        )
