"""The validated analysis settings estimators read, and the per-dataset view each workflow rule receives."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .columns import MAX_AGE, MIN_AGE, alternative_column, builtin_variables, category_levels, view_variables
from .labels import readable, variable_labels
from .wiring import dataset_view  # noqa: F401 (each rule's slice of the config; defined where the workflow reads it)

DEFAULT_GROUPINGS = ("sex", "age_band", "bmi_class")


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
    variables: Mapping = field(default_factory=lambda: MappingProxyType({}))  # name -> its declaration
    levels: Mapping = field(default_factory=lambda: MappingProxyType({}))  # a category's levels, where known
    splines: Mapping = field(default_factory=lambda: MappingProxyType({}))  # covariate -> knots of its spline
    groupings: tuple[str, ...] = DEFAULT_GROUPINGS
    subgroups: tuple[str, ...] = ()
    min_age: float = MIN_AGE  # the dataset's valid ages (the view's dataset; the defaults without one)
    max_age: float = MAX_AGE
    alternatives: Mapping = field(default_factory=lambda: MappingProxyType({}))  # condition -> its other definitions
    universes: Mapping = field(default_factory=lambda: MappingProxyType({}))  # condition -> {min_age, max_age}
    auxiliary: tuple[str, ...] = ()  # the dataset's rules that only help the imputation (`imputation: auxiliary:`)
    labels: Mapping = field(default_factory=lambda: MappingProxyType({}))  # the run's own (labels.variable_labels)

    @classmethod
    def from_dict(cls, config: Mapping) -> Settings:
        """From a validated config, or a dataset's view (config.dataset_view: its `dataset` gives the ages).

        The age bands follow the dataset's range: they start at its youngest valid age. A dataset's
        built-in variables (columns.builtin_variables: `cycle` of several NHANES cycles) join the declared
        ones and the groupings.
        """
        dataset = config.get("dataset") or {}
        min_age, max_age = dataset.get("min_age", MIN_AGE), dataset.get("max_age", MAX_AGE)
        covariates = [c if isinstance(c, str) else c["name"] for c in config["covariates"]]
        variables = view_variables(config)
        groupings = (*config.get("groupings", DEFAULT_GROUPINGS), *builtin_variables(dataset))
        return cls(
            conditions=tuple(config["conditions"]),
            covariates=tuple(covariates),
            obesity_bmi=float(config["obesity_bmi"]),
            age_bands=bands_within(config["age_bands"], min_age, max_age),
            max_invalid_share=float(config["max_invalid_share"]),
            lonely_psu=config["lonely_psu"],
            standard_population=MappingProxyType(copy.deepcopy(dict(config["standard_population"]))),
            claims=tuple(copy.deepcopy(list(config["claims"]))),
            literature=str(config["literature"]),
            dose_response=MappingProxyType(dict(config["dose_response"])),
            sensitivity=MappingProxyType(dict(config["sensitivity"])),
            proportion_ci=config["proportion_ci"],
            loglinear=MappingProxyType(dict(config["loglinear"])),
            variables=MappingProxyType(copy.deepcopy(variables)),
            levels=MappingProxyType(
                category_levels(variables, dataset.get("codes") or {}, dataset.get("categories") or {})
            ),
            splines=MappingProxyType({c["name"]: c["spline"] for c in config["covariates"] if not isinstance(c, str)}),
            groupings=tuple(dict.fromkeys(groupings)),
            subgroups=tuple(config.get("subgroups", ())),
            min_age=min_age,
            max_age=max_age,
            alternatives=MappingProxyType(
                {c: tuple(d) for c, d in (dataset.get("alternatives") or {}).items() if c in config["conditions"]}
            ),
            universes=MappingProxyType(copy.deepcopy(dict(dataset.get("universes") or {}))),
            auxiliary=tuple((dataset.get("imputation") or {}).get("auxiliary", ())),
            labels=MappingProxyType(variable_labels({"variables": variables, "dataset": dataset})),
        )

    @property
    def alternative_columns(self) -> tuple[str, ...]:
        """The columns of the conditions' alternative definitions (definitions.alternative_column)."""
        return tuple(alternative_column(c, d) for c, names in self.alternatives.items() for d in names)

    @property
    def standard_groups(self) -> list:
        """The standard population's age groups that the dataset's valid ages reach, youngest first
        (a group from above `max_age` would hold no row and blank every standardized estimate)."""
        groups = sorted(self.standard_population.get("groups") or [], key=lambda g: g["lower"])
        return [g for g in groups if g["lower"] <= self.max_age]

    def label(self, name: str) -> str:
        """How tables and the report name a column: the dataset's or a declared variable's label, else
        labels.readable's."""
        return readable(name, None, self.labels)


def bands_within(lower_bounds, min_age: float, max_age: float) -> tuple:
    """The age bands' lower bounds within the valid ages, the first at the youngest: bands [18, 40, 60]
    for ages 12-19 are 12-17 and 18+; for ages 20+, 20-39, 40-59 and 60+."""
    inside = [b for b in sorted(set(lower_bounds)) if min_age < b <= max_age]
    return tuple(_whole([min_age, *inside]))


def _whole(bounds):
    return [int(b) if float(b).is_integer() else b for b in bounds]
