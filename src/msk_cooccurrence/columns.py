"""The harmonized columns every dataset is brought to: the one definition harmonize, validation,
the config checks and the documentation read. Conditions are added per run, as nullable booleans;
the researcher's own analysis variables (config `variables:`), per run too, by `analysis_columns`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

SOURCE_ROW = "source_row"  # 1-based data row in the input, carried to the quarantine
SHORT_LINE = "source_short_line"  # a CSV's raw column: "line 1,201 has 7 of 10 fields" where a line is cut short
CYCLE = "cycle"  # an NHANES row's cycle: the raw column nhanes.py writes, a built-in category (builtin_variables)
MIN_AGE, MAX_AGE = 18, 120  # the default bounds of a valid age (a dataset's min_age / max_age)
CYCLE = "cycle"  # the raw column that names an NHANES row's cycle
# what the design adds to the multiple-imputation model (imputation_model.py): never analysed
LOG_WEIGHT, STRATUM = "log_weight", "design stratum"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text, number, sex or category
    required: bool
    meaning: str
    low: float | None = None  # inclusive bounds of a number
    high: float | None = None
    above: float | None = None  # exclusive lower bound of a number
    nullable: bool = False
    unique: bool = False
    levels: tuple[str, ...] | None = None  # a category's levels, when known before the data are read


HARMONIZED = (
    Column("id", "text", True, "a respondent identifier, unique in the file", unique=True),
    Column("age", "number", True, "age in years, 18 to 120 (a dataset's min_age to max_age)", low=18, high=120),
    Column("sex", "sex", True, "female or male"),
    Column("bmi", "number", False, "body mass index, kg/m2, 10 to 100", low=10, high=100, nullable=True),
    Column("weight", "number", False, "survey weight > 0 (1 for every row when absent)", above=0),
    Column("stratum", "text", False, "design stratum (with psu)"),
    Column("psu", "text", False, "primary sampling unit within its stratum (with stratum)"),
)
BY_NAME = {column.name: column for column in HARMONIZED}
NAMES = tuple(BY_NAME)
NUMERIC = tuple(c.name for c in HARMONIZED if c.kind == "number")
TEXT = tuple(c.name for c in HARMONIZED if c.kind == "text")


def variable_column(name: str, variable: Mapping, levels: tuple[str, ...] | None = None) -> Column:
    """A declared analysis variable as a harmonized column: a category (text, its levels when known)
    or a number within its bounds; never required, unknown allowed."""
    meaning = variable.get("label") or name
    if variable["kind"] == "number":
        return Column(name, "number", False, meaning, variable.get("low"), variable.get("high"), nullable=True)
    return Column(name, "category", False, meaning, nullable=True, levels=levels)


def analysis_columns(
    variables: Mapping[str, Mapping] = {},
    min_age: float = MIN_AGE,
    max_age: float = MAX_AGE,
    levels: Mapping[str, tuple[str, ...]] = {},
) -> tuple[Column, ...]:
    """The harmonized columns of one dataset: HARMONIZED with its age bounds, then the declared variables
    (`levels`: a category's levels where the dataset's codes give them)."""
    age = replace(BY_NAME["age"], low=min_age, high=max_age)
    fixed = tuple(age if c.name == "age" else c for c in HARMONIZED)
    return fixed + tuple(variable_column(n, v, levels.get(n)) for n, v in variables.items())


def alternative_column(condition: str, definition: str) -> str:
    """The column that holds a condition under an alternative definition (config `alternatives:`;
    no identifier has a colon, so it never meets a column of the config)."""
    return f"{condition}:{definition}"


def builtin_variables(dataset: Mapping) -> dict[str, dict]:
    """The variables a dataset has without declaring them: for a dataset of several NHANES cycles, `cycle`,
    a category whose levels are the cycles' names in config order, the first the reference. A survey's
    cycles differ in examiners and protocols as well as in time, so an estimate pooled over them is
    compared across them (prevalence by cycle, the Rao-Scott test) and may be adjusted for them."""
    names = [str(cycle["name"]) for cycle in dataset.get("cycles") or ()]
    if len(names) < 2:
        return {}
    return {CYCLE: {"kind": "category", "levels": names, "reference": names[0]}}  # labels.LABELS names it


def view_variables(view: Mapping) -> dict[str, Mapping]:
    """The variables of a dataset's view (wiring.dataset_view): the declared ones, then its built-in ones."""
    return dict(view.get("variables") or {}) | builtin_variables(view.get("dataset") or {})


def outside_universe(age, universe: Mapping):
    """Rows whose age is outside a condition's universe (`min_age`, `max_age`: the ages it was measured
    in), where the condition was never measured; an unknown age is not outside."""
    import numpy as np

    age = np.asarray(age, float)
    return (age < universe.get("min_age", -np.inf)) | (age > universe.get("max_age", np.inf))


def numeric_names(columns: tuple[Column, ...] = HARMONIZED) -> tuple[str, ...]:
    return tuple(c.name for c in columns if c.kind == "number")


def category_levels(
    variables: Mapping[str, Mapping], codes: Mapping[str, Mapping], categories: Mapping[str, Mapping] = {}
) -> dict[str, tuple[str, ...]]:
    """Each category variable's levels where they are known before the data: its declared `levels`, the
    levels the dataset's `categories:` rules derive, or the values of its codes map for it, in their
    order (codes mapped to null are unknown)."""
    out = {}
    for name, variable in variables.items():
        if variable["kind"] != "category":
            continue
        if variable.get("levels"):
            out[name] = tuple(variable["levels"])
        elif categories.get(name):
            out[name] = tuple(map(str, categories[name]))
        elif codes.get(name):
            out[name] = tuple(dict.fromkeys(str(v) for v in codes[name].values() if v is not None))
    return out
