"""The analysis data every estimator takes: the validated rows, their survey design, what is present.

One object instead of (frame, conditions, covariates, design) passed side by side, so an estimator
asks for a condition's values, the adjustment set or a grouping here rather than from another
estimator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd

from ..columns import outside_universe
from ..errors import InputError
from ..labels import label_of
from .cells import collapse
from .design import SurveyDesign, design_of
from .splines import harrell_knots, natural_spline_basis

BMI_CLASS = "bmi_class"  # the column of cells that keep BMI as its class
AGE_CLASS = "age_class"  # the column of cells that keep age as its class: the class's lower bound
# a condition defined from a covariate is never adjusted for it: BMI would predict obesity perfectly
DEFINED_BY = {"obesity": "bmi"}
# WHO's classes below obesity, by their lower bounds; obesity starts at `obesity_bmi` (25 to 40, the config's
# range), so a class that starts at or above it is absent and the one below it ends where obesity starts
BMI_CLASSES = ((0.0, "underweight"), (18.5, "normal"), (25.0, "overweight"))
LEVEL = ": "  # a category's indicator is named "<variable>: <level>"
SPLINE = " spline "  # a spline's cubic terms are named "<variable> spline <j>"
GROUPS_OF_ROWS = ("sex", "age_band", "bmi_class")  # the groupings every dataset has (BMI class where BMI is)


def predictor_label(name: str) -> str:
    """A predictor of `adjustment()` as the notes name it: the female indicator is the covariate sex;
    a category's indicator is "<variable>: <level>"."""
    return "sex" if name == "female" else name


def covariate_of(predictor: str) -> str:
    """The covariate a predictor of `adjustment()` belongs to: sex for `female`, the variable of an
    indicator or of a spline term."""
    return predictor_label(predictor).split(LEVEL)[0].split(SPLINE)[0]


def spline_knots(name: str, values: np.ndarray, knots: int) -> tuple[float, ...]:
    """The knots of a covariate's spline at Harrell's quantiles of the rows; a plain error where they tie."""
    found = harrell_knots(values, knots)
    if not np.all(np.diff(found) > 0):
        shown = ", ".join(f"{v:g}" for v in found)
        raise InputError(
            f"The spline of the covariate '{name}' needs {knots} distinct knots, but Harrell's quantiles of its "
            f"values are {shown}: too many rows share a value (a top-code?). Give it fewer knots "
            f"(`{{name: {name}, spline: {knots - 1}}}`) or enter it linearly (`{name}`) in `covariates`."
        )
    return tuple(found)


def age_band_labels(age: pd.Series, lower_bounds) -> pd.Series:
    """Each age's band; ages below the first bound are the band 'under <first bound>', never left out."""
    bounds = sorted(lower_bounds)
    labels = [f"{lo}-{hi - 1}" for lo, hi in zip(bounds, bounds[1:])] + [f"{bounds[-1]}+"]
    if (age < bounds[0]).any():
        bounds, labels = [-np.inf, *bounds], [f"under {bounds[0]}", *labels]
    return pd.cut(age, bins=[*bounds, np.inf], right=False, labels=labels)


def age_classes(age: pd.Series, lower_bounds) -> pd.Series:
    """Each age as the lower bound of its class between `lower_bounds` (-inf below the first, NaN unknown).

    Bands whose bounds are all among these hold each class whole, so the class's lower bound falls
    in the band of every age in it (age_band_labels and standardize.standard_groups read it as they
    read the age): cells that keep the class instead of the age give the same banded sums.
    """
    bounds = np.array(sorted(set(lower_bounds)), float)
    values = age.to_numpy(float)
    classes = np.concatenate([[-np.inf], bounds])[np.searchsorted(bounds, values, side="right")]
    return pd.Series(np.where(np.isnan(values), np.nan, classes), index=age.index)


def bmi_classes_below(obesity_bmi: float) -> list[tuple[float, str]]:
    """(lower bound, label) of the BMI classes below the obesity cut-off: with the cut-off at 30,
    underweight (<18.5), normal (18.5-24.9), overweight (25-29.9); at 25 (WHO Asia-Pacific) there is
    no overweight class; at 27.5 it is 25-27.4 (BMI is given to one decimal)."""
    kept = [(lower, name) for lower, name in BMI_CLASSES if lower < obesity_bmi]
    uppers = [lower for lower, _ in kept[1:]] + [obesity_bmi]
    return [
        (lower, f"{name} (<{upper:g})" if lower == 0 else f"{name} ({lower:g}-{round(upper - 0.1, 4):g})")
        for (lower, name), upper in zip(kept, uppers)
    ]


def bmi_class_labels(bmi: pd.Series, obesity_bmi: float) -> pd.Series:
    """Each BMI's class, ordered (bmi_classes_below, then obese from `obesity_bmi`), 'unknown' where BMI is."""
    below = bmi_classes_below(obesity_bmi)
    edges = [lower for lower, _ in below] + [obesity_bmi]
    labels = [label for _, label in below] + [f"obese ({obesity_bmi:g}+)"]
    classes = pd.cut(bmi, bins=[*edges, np.inf], right=False, labels=labels)
    return classes.cat.add_categories("unknown").fillna("unknown")


def ordered_levels(levels: pd.Series) -> list[str]:
    """Levels present, in their natural order: bands and classes ascending, otherwise sorted."""
    if isinstance(levels.dtype, pd.CategoricalDtype):
        return [str(c) for c in levels.cat.categories if (levels == c).any()]
    return sorted(levels.dropna().unique())


@dataclass(frozen=True, eq=False)
class AnalysisData:
    """Validated rows and their design; `conditions` are those of the config present in the rows.

    The units may be cells of rows (`cells()`): then `frame` has a row per cell with its summed
    weight, the design counts the rows of each, and `kept` names the columns kept besides the
    conditions (BMI as `bmi_class`, by `obesity_bmi`; age as `age_class`, the classes between
    `age_bounds`). `collapse` says whether `cells()` collapses: always (True), never (False), or
    when the cells halve the units (None).
    """

    frame: pd.DataFrame
    design: SurveyDesign
    conditions: tuple[str, ...]
    covariates: tuple[str, ...] = ()
    absent: tuple[str, ...] = field(default=())
    obesity_bmi: float = 30.0
    collapse: bool | None = None
    kept: tuple[str, ...] | None = None  # the columns besides the conditions that cells keep; None: rows
    age_bounds: tuple[float, ...] = ()  # with `age_class` kept, the lower bounds of its classes
    variables: Mapping = field(default_factory=dict)  # declared variables: name -> declaration (config)
    levels: Mapping = field(default_factory=dict)  # a category's levels in order, where codes give them
    knots: Mapping = field(default_factory=dict)  # a spline covariate -> its knots, from the rows
    grouped_by: tuple[str, ...] = GROUPS_OF_ROWS  # the groupings of prevalence, Table 1, the tests
    universes: Mapping = field(default_factory=dict)  # condition -> the ages it was measured in (config)
    auxiliary: tuple[str, ...] = ()  # columns that only help multiple imputation (config `imputation:`)

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        conditions: Sequence[str],
        covariates: Sequence[str] = (),
        lonely_psu="adjust",
        obesity_bmi: float = 30.0,
        collapse: bool | None = None,
        variables: Mapping = {},
        levels: Mapping = {},
        splines: Mapping = {},
        groupings: Sequence[str] = GROUPS_OF_ROWS,
        universes: Mapping = {},
        auxiliary: Sequence[str] = (),
    ) -> AnalysisData:
        """`splines`: covariate -> knots of its natural spline, placed at Harrell's quantiles of the rows
        (the cells keep the knots of their rows)."""
        present = tuple(c for c in conditions if c in frame)
        absent = tuple(c for c in conditions if c not in frame)
        design = design_of(frame, lonely_psu)
        knots = {c: spline_knots(c, frame[c].to_numpy(float), k) for c, k in splines.items() if c in frame}
        return cls(
            frame,
            design,
            present,
            tuple(covariates),
            absent,
            float(obesity_bmi),
            collapse,
            variables=dict(variables),
            levels={n: tuple(v) for n, v in levels.items()},
            knots=knots,
            grouped_by=tuple(groupings),
            universes={c: dict(u) for c, u in universes.items()},
            auxiliary=tuple(auxiliary),
        )

    @classmethod
    def of(cls, frame: pd.DataFrame, settings, collapse: bool | None = None) -> AnalysisData:
        """The analysis data of these rows under a dataset's settings (settings.Settings)."""
        return cls.from_frame(
            frame,
            settings.conditions,
            settings.covariates,
            settings.lonely_psu,
            settings.obesity_bmi,
            collapse,
            settings.variables,
            settings.levels,
            settings.splines,
            settings.groupings,
            settings.universes,
            settings.auxiliary,
        )

    @property
    def n(self) -> int:
        """Units: rows, or cells."""
        return len(self.frame)

    @property
    def rows(self) -> int:
        """Rows of data the units stand for."""
        return self.design.rows()

    @cached_property
    def _condition_cache(self) -> dict[str, np.ndarray]:
        return {}

    @cached_property
    def _cells_cache(self) -> dict:
        return {}

    def cells(self, keep: Sequence[str] | None = None, age_bounds: Sequence[float] = ()) -> AnalysisData:
        """The same data as cells (cells.py): rows alike in PSU, the conditions and the columns in `keep`.

        By default `keep` is every column the estimators read: age, sex, the covariates, and BMI
        as its class by `obesity_bmi` (its value only when a covariate); `keep=()` keeps the
        conditions alone; `AGE_CLASS` keeps age as its class between `age_bounds` (age_classes).
        Estimates on the cells equal those on the rows; the units themselves come back when
        collapsing is off or would not halve them.
        """
        keep = self.model_columns() if keep is None else tuple(keep)
        key = (keep, tuple(sorted(set(map(float, age_bounds)))) if AGE_CLASS in keep else ())
        if self.collapse is False or key == (self.kept, self.age_bounds):
            return self
        if key not in self._cells_cache:
            # the model's cells hold fewer units to collapse, where they keep every column asked for
            from_model_cells = self.kept is None and keep != self.model_columns() and self._in_model_cells(keep)
            source = self.cells() if from_model_cells else self
            self._cells_cache[key] = source._collapsed(*key)
        return self._cells_cache[key]

    def _in_model_cells(self, keep: Sequence[str]) -> bool:
        """Whether the model's cells (cells()) hold every column of `keep`, or what it is made from."""
        held = set(self.model_columns())
        made_from = {AGE_CLASS: "age", BMI_CLASS: "bmi"}
        return all(c in held or made_from.get(c) in held or (c == BMI_CLASS and BMI_CLASS in held) for c in keep)

    def banded(self, *bands: Sequence[float]) -> AnalysisData:
        """The cells of an estimator that reads age only in bands (each of `bands` their lower bounds),
        sex, and BMI as its class: rows alike in PSU, the conditions, sex, BMI class and the age class
        between every band's bounds. Far fewer than `cells()`, which keep age in whole years."""
        read_from = {"sex": "sex", AGE_CLASS: "age", BMI_CLASS: "bmi"}
        keep = [column for column, source in read_from.items() if source in self.frame or column in self.frame]
        keep += [c for c in self.grouped_by if c in self.variables and c in self.frame]
        return self.cells(keep, [bound for band in bands for bound in band])

    def model_columns(self) -> tuple[str, ...]:
        """Every column besides the conditions that estimators read, BMI as its class unless a covariate."""
        columns = dict.fromkeys(c for c in ("age", "sex", *self.covariates) if c in self.frame)
        if "bmi" not in columns and ("bmi" in self.frame or BMI_CLASS in self.frame):
            columns[BMI_CLASS] = None
        return tuple(columns)

    def _collapsed(self, keep: tuple[str, ...], age_bounds: tuple[float, ...]) -> AnalysisData:
        frame = self.frame
        if BMI_CLASS in keep and BMI_CLASS not in frame:
            frame = frame.assign(**{BMI_CLASS: bmi_class_labels(frame["bmi"], self.obesity_bmi)})
        if AGE_CLASS in keep:
            frame = frame.assign(**{AGE_CLASS: age_classes(frame["age"], age_bounds)})
        cell_frame, cell_design = collapse(frame, self.design, [*self.conditions, *keep])
        if self.collapse is None and len(cell_frame) > self.n / 2:
            return self  # cells would not halve the work: these units are as quick
        return replace(self, frame=cell_frame, design=cell_design, kept=keep, age_bounds=age_bounds)

    def condition(self, name: str) -> np.ndarray:
        """A condition as floats: 1, 0, NaN for unknown."""
        if name not in self._condition_cache:
            values = self.frame[name].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            self._condition_cache[name] = values
        return self._condition_cache[name]

    def outside_universe(self, name: str) -> np.ndarray:
        """The units outside a condition's universe, where it was never measured (none without one)."""
        if name not in self.universes or "age" not in self.frame:
            return np.zeros(self.n, bool)
        return outside_universe(self.frame["age"], self.universes[name])

    def condition_matrix(self, names: Sequence[str] | None = None) -> np.ndarray:
        """Rows x conditions (all analysed ones by default), 1/0/NaN."""
        names = self.conditions if names is None else names
        return np.column_stack([self.condition(c) for c in names]) if names else np.empty((self.n, 0))

    def adjustment(self, exclude: Sequence[str] = ()) -> dict[str, np.ndarray]:
        """The adjustment set's predictors present in the rows: a number linear, or as its natural spline
        (the number, then `<name> spline <j>`); sex as a female indicator; a category as an indicator
        of each level but its reference (`<name>: <level>`), as R's treatment contrasts.

        Values are float arrays with NaN = unknown.
        """
        return self.predictors_from(self.covariate_values(exclude))

    def covariate_values(self, exclude: Sequence[str] = ()) -> dict[str, np.ndarray]:
        """Each covariate present in the rows as one float array, NaN = unknown: a number its value, sex
        1 for female, a category its level's place among category_levels (what multiple imputation
        completes; predictors_from turns them into the models' predictors)."""
        out = {}
        for name in self.covariates:
            if name not in self.frame or name in exclude:
                continue
            values = self.frame[name]
            if name == "sex":
                out[name] = np.where(values.isna(), np.nan, (values == "female").astype(float))
            elif self.is_category(name):
                codes = pd.Categorical(values, categories=self.category_levels(name)).codes
                out[name] = np.where(codes < 0, np.nan, codes.astype(float))
            else:
                out[name] = values.to_numpy(dtype=float)
        return out

    def predictors_from(self, values: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The models' predictors from covariate values (covariate_values: the rows', or completed ones)."""
        out = {}
        for name, value in values.items():
            if name == "sex":
                out["female"] = value
            elif self.is_category(name):
                reference = self.category_levels(name).index(self.variables[name]["reference"])
                for code, level in enumerate(self.category_levels(name)):
                    if code != reference:
                        out[f"{name}{LEVEL}{level}"] = np.where(np.isnan(value), np.nan, (value == code).astype(float))
            elif name in self.knots:
                knots = np.asarray(self.knots[name])
                basis = natural_spline_basis(np.nan_to_num(value, nan=knots[0]), knots)
                basis[np.isnan(value)] = np.nan
                out |= {name: basis[:, 0]} | {f"{name}{SPLINE}{j}": basis[:, j] for j in range(1, basis.shape[1])}
            else:
                out[name] = value
        return out

    def is_category(self, name: str) -> bool:
        return (self.variables.get(name) or {}).get("kind") == "category"

    def lost_to_covariates(self, rows: np.ndarray, predictors: Mapping[str, np.ndarray]) -> str:
        """How many of `rows` (known outcome and exposure) a model loses to an unknown covariate among its
        predictors, in words with the count for each covariate ('' when none is lost)."""
        by_covariate: dict[str, np.ndarray] = {}
        for name, values in predictors.items():
            covariate = covariate_of(name)
            if covariate in self.covariates:  # every term of a covariate (a spline's, a category's)
                by_covariate[covariate] = by_covariate.get(covariate, np.zeros(self.n, bool)) | (
                    rows & np.isnan(values)
                )
        unknown_any = np.logical_or.reduce([*by_covariate.values(), np.zeros(self.n, bool)])
        lost = self.design.rows(unknown_any)
        if not lost:
            return ""
        counts = ", ".join(
            f"{self.label(name)} {self.design.rows(unknown):,}"
            for name, unknown in by_covariate.items()
            if unknown.any()
        )
        return f"{lost:,} of {self.design.rows(rows):,} rows left out for an unknown covariate ({counts})"

    def label(self, name: str) -> str:
        """A declared variable's label, else labels.readable's (as settings.Settings.label)."""
        return label_of(name, self.variables)

    def adjustment_of(self, covariate: str) -> dict[str, np.ndarray]:
        """The predictors of one covariate, as adjustment() makes them, whether or not it is one."""
        return replace(self, covariates=(covariate,)).adjustment()

    def category_levels(self, name: str) -> list[str]:
        """A category's levels: those its codes give, in their order, else the values present, sorted."""
        if name in self.levels:
            return list(self.levels[name])
        return sorted(str(v) for v in self.frame[name].dropna().unique())

    def bmi_classes(self, obesity_bmi: float) -> pd.Series | None:
        """Each unit's BMI class ('unknown' where BMI is), or None without BMI."""
        if "bmi" in self.frame:
            return bmi_class_labels(self.frame["bmi"], obesity_bmi)
        if BMI_CLASS not in self.frame:
            return None
        if self.obesity_bmi != obesity_bmi:
            raise ValueError(f"these cells class BMI at {self.obesity_bmi:g}, not {obesity_bmi:g}")
        return self.frame[BMI_CLASS]

    def age_for_bands(self, lower_bounds) -> np.ndarray:
        """Each unit's age as floats, to be banded by `lower_bounds`: on cells that keep the age class,
        the class's lower bound, which lies in the band of its ages when every bound is a class's."""
        if AGE_CLASS not in self.frame:
            return self.frame["age"].to_numpy(float)
        splits = sorted(set(map(float, lower_bounds)) - set(self.age_bounds))
        if splits:
            raise ValueError(f"these cells keep age in classes from {list(self.age_bounds)}, not split at {splits}")
        return self.frame[AGE_CLASS].to_numpy(float)

    def age_bands(self, lower_bounds) -> pd.Series:
        """Each unit's age band by `lower_bounds` (age_band_labels), from its age or its age class."""
        return age_band_labels(pd.Series(self.age_for_bands(lower_bounds), index=self.frame.index), lower_bounds)

    def adjustment_for(self, conditions: Sequence[str]) -> dict[str, np.ndarray]:
        """The adjustment set of a model of these conditions: without a covariate that defines one of them."""
        return self.adjustment(exclude=tuple(DEFINED_BY[c] for c in conditions if c in DEFINED_BY))

    def groupings(self, age_bands, obesity_bmi: float) -> dict[str, pd.Series]:
        """Group name -> the level of each row: overall first, then each of `grouped_by` the rows have
        (sex, age band, BMI class, a category variable: its levels in their order, unknown apart)."""
        groups = {"overall": pd.Series("all", index=self.frame.index)}
        for name in self.grouped_by:
            if name == "age_band":
                groups[name] = self.age_bands(age_bands)
            elif name == "bmi_class":
                classes = self.bmi_classes(obesity_bmi)
                if classes is not None:
                    groups[name] = classes
            elif name in self.frame:
                groups[name] = self.category(name)
        return groups

    def category(self, name: str) -> pd.Series:
        """A category's values as an ordered categorical (sex, or a declared variable), unknown as NaN."""
        levels = ["female", "male"] if name == "sex" else self.category_levels(name)
        values = self.frame[name]
        others = sorted(set(values.dropna().astype(str)) - set(levels))  # rows not validated (a notebook's)
        return pd.Series(pd.Categorical(values, categories=[*levels, *others]), index=values.index)
