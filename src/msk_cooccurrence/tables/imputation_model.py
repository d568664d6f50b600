"""The imputation model's variables: what multiple imputation completes, what only helps it, and what is never drawn.

The variables (imputation_columns), each a float column, NaN where missing:
- the conditions and covariates the analysis models read (analysed_variables), a category of three
  levels or more as its level's place (`nominal`: it enters the other models as indicators);
- the survey design, as Reiter, Raghunathan and Kinney (Survey Methodology 32(2), 2006, 143-149)
  recommend, since an imputation model that leaves out the design variables on which the outcome
  depends biases the design-based estimates of the completed data: the log weight (LOG_WEIGHT, in
  WEIGHT_CLASSES quantile classes, each at its class mean) and the strata (STRATUM, entered as an
  indicator of each stratum but the first: the strata's fixed effects that paper finds enough). In
  NHANES the strata are numbered apart in every cycle (SDMVSTRA 1-13 in 1999-2000, 14-28 in
  2001-2002, 29-43 in 2003-2004), so the cycle is implied by them and enters with them. The PSUs
  are not entered: two per stratum, their indicators would double the predictors for little;
- the dataset's auxiliary rules (config `imputation: auxiliary:`, e.g. NHANES's `arthritis` and
  `knee_pain` for knee OA), 0/1 and imputed where unknown, never analysed: a condition derived from
  parts (knee OA = arthritis of the OA type with knee pain) is unknown mostly where a part is known
  (arthritis yes, type unknown), so it is not missing at random given the other conditions, but it
  is, far more nearly, given its known parts. We enter the parts as auxiliary variables rather than
  impute the items and derive the condition again: the rules are the dataset's (any form, per
  cycle), and the parts entered once serve every rule that uses them.
- A condition measured in part of the sample (a universe: bunions by the exam of ages 40+) is not
  missing outside its universe but undefined: there it takes the fixed value NOT_MEASURED, never
  drawn, so no imputation fills it and the estimand stays the universe's. Its own model is fitted
  on the rows inside, and in the other variables' models it enters as indicators of its levels
  against 'not measured' (as a category): the rows outside still inform the other variables'
  models, with their own intercept shift, instead of being dropped or given an invented value.

A variable with no known value, or one alone, cannot be modelled and is left out. The variables take
few distinct values, so the rows complete in every variable are counted once per distinct
combination (ImputationProblem), and each model is fitted on the combinations of its predictors
(imputation._shares): what a fit costs grows with their number times the square of the predictors'.
The strata multiply the combinations (a million rows: about 25,000 without them, 166,000 with 15
strata, with 21 predictors instead of 7, and the impute stage took 208 s of CPU instead of 12 s), so:
- a variable read as its value (not an indicator) with more than PREDICTOR_CLASSES distinct values
  (age in whole years: 68) enters the OTHER variables' models as the mean of its class among
  PREDICTOR_CLASSES classes of about equal counts (`predictor_values`); its own model, its draws and
  the completed data keep its values. A value replaced by its class mean is a Berkson error: the
  mean is E[value | class], so a linear predictor's coefficient stays unbiased, and a logistic one's
  is attenuated by about the within-class share of the variance times its squared coefficient;
  with 10 classes that share is about 1% (age in the benchmark's cohort: 1.1%; a normal variable:
  under 2%), far below the imputation model's own sampling error. The log weight is made in as many
  classes (WEIGHT_CLASSES). With both, a model's units at a million rows are about 15,000 instead
  of 107,000-132,000.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..columns import LOG_WEIGHT, STRATUM  # the log weight in classes (weight_classes), the stratum's code

PREDICTOR_CLASSES = 10  # classes of a many-valued predictor (the module's docstring)
WEIGHT_CLASSES = PREDICTOR_CLASSES
DENSE_KEYS = 2**22  # up to this many combinations, rows are counted by key in one array
DESIGN_VARIABLES = (LOG_WEIGHT, STRATUM)  # what the design adds to the variables: never analysed
NOT_MEASURED = -1.0  # a condition's value outside its universe: known to be undefined, never drawn


def weight_classes(weight: np.ndarray, classes: int = WEIGHT_CLASSES) -> np.ndarray:
    """The log weight grouped into equal-count classes by rank, each row at its class's mean log weight."""
    log_weight = np.log(np.asarray(weight, float))
    order = np.argsort(log_weight, kind="stable")
    group = np.empty(len(order), dtype=np.int64)
    group[order] = np.arange(len(order)) * classes // max(len(order), 1)
    sizes = np.maximum(np.bincount(group, minlength=classes), 1)
    return (np.bincount(group, weights=log_weight, minlength=classes) / sizes)[group]


def analysed_variables(data) -> dict[str, np.ndarray]:
    """The conditions and covariates row by row, from a data.AnalysisData (1/0/NaN; a covariate's value,
    sex as 1 for female, a category its level's place: data.covariate_values), a condition NOT_MEASURED
    outside its universe: what the models on the completed data read (through data.predictors_from)."""
    conditions = {c: np.where(data.outside_universe(c), NOT_MEASURED, data.condition(c)) for c in data.conditions}
    return conditions | data.covariate_values()


def with_universe(data) -> tuple[str, ...]:
    """The conditions that have a universe some rows are outside of (their value there NOT_MEASURED)."""
    return tuple(c for c in data.conditions if data.outside_universe(c).any())


def nominal_variables(data) -> tuple[str, ...]:
    """The covariates that are categories of three levels or more, and the strata: entered as indicators."""
    categories = (
        c for c in data.covariates if data.is_category(c) and c in data.frame and len(data.category_levels(c)) > 2
    )
    return (*categories, STRATUM)


def design_variables(data) -> dict[str, np.ndarray]:
    """The log weight in classes and, where the design has strata, each row's stratum (its code)."""
    design = data.design
    strata = {STRATUM: design.stratum.astype(float)} if design.has_clusters else {}
    return {LOG_WEIGHT: weight_classes(design.weight)} | strata


def auxiliary_variables(data) -> dict[str, np.ndarray]:
    """The dataset's auxiliary rules present in the rows, 1/0/NaN."""
    return {name: data.condition(name) for name in data.auxiliary if name in data.frame}


def imputation_columns(data) -> dict[str, np.ndarray]:
    """The imputation model's variables row by row, from a data.AnalysisData: the analysed variables,
    the design's, the auxiliary rules (1/0/NaN, values).

    A column with no known value cannot be imputed (a model needs observed values) and one with a
    single value would make the imputation models singular: both are left out (a condition with a
    universe by its values inside it).
    """
    columns = analysed_variables(data) | design_variables(data) | auxiliary_variables(data)
    inside = with_universe(data)

    def modelled(name: str, values: np.ndarray) -> bool:
        known = values[~np.isnan(values) & ((values != NOT_MEASURED) | (name not in inside))]
        return len(known) > 0 and known.min() < known.max()

    return {name: v for name, v in columns.items() if modelled(name, v)}


def level_sizes(levels) -> np.ndarray:
    """How many codes each variable takes (at least one)."""
    return np.array([max(len(v), 1) for v in levels], dtype=np.int64)


def mixed_radix_strides(levels) -> np.ndarray:
    """What a variable's code is multiplied by in a combination's key."""
    sizes = level_sizes(levels)
    return np.cumprod(np.concatenate([[1], sizes[:-1]])).astype(np.int64)


def level_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A float column's distinct values (sorted) and each row's index among them, -1 where NaN:
    np.unique's answer, found by hashing (pandas) and sorting only the distinct values, not the rows."""
    import pandas as pd  # the imputation model's job reads the rows with pandas anyway

    found, distinct = pd.factorize(values, use_na_sentinel=True)
    order = np.argsort(distinct, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return distinct[order], np.where(found >= 0, rank[found], -1)


@dataclass(frozen=True, eq=False)
class ImputationProblem:
    """The variables as level codes: the complete rows counted once per combination, the incomplete ones row by row.

    `levels[v]` are variable v's distinct observed values (sorted); a combination of codes is
    one integer key (mixed radix, `sizes`); `complete` holds the distinct keys of the rows
    complete in every variable and `counts` how many rows each stands for; `codes` the
    incomplete rows' codes (-1 where missing) and `rows` their positions. `failure`: why the
    problem could not be built (`failed`), which the model file carries to the sensitivity table.
    `universes`: the variables whose first level is NOT_MEASURED (a value never drawn).
    """

    names: tuple[str, ...]
    levels: tuple[np.ndarray, ...]
    complete: np.ndarray
    counts: np.ndarray
    codes: np.ndarray
    rows: np.ndarray
    failure: str = ""
    nominal: tuple[str, ...] = ()  # categories of three levels or more, the strata (nominal_variables)
    universes: tuple[str, ...] = ()

    @classmethod
    def failed(cls, reason: str) -> ImputationProblem:
        """A problem with no variables that says why none could be built: no imputation draws anything
        from it, and the sensitivity table gives the reason (as when computed in one process)."""
        none = np.zeros(0, np.int64)
        return cls((), (), none, np.zeros(0), np.zeros((0, 0), np.int64), none, reason)

    @classmethod
    def from_columns(cls, columns: Mapping[str, np.ndarray], nominal=(), universes=()) -> ImputationProblem:
        """From float columns of equal length, NaN = missing; `nominal` names the categories among them,
        `universes` the conditions whose value NOT_MEASURED means outside their universe."""
        names = tuple(columns)
        levels, codes = [], []
        for name in names:
            distinct, code = level_codes(np.asarray(columns[name], float))
            levels.append(distinct)
            codes.append(code)
        if np.prod([float(len(v)) for v in levels]) >= 2**62:
            raise ValueError("too many distinct combinations of values for the imputation model")
        strides = mixed_radix_strides(levels)
        # the key and completeness of every row built a column at a time: no rows x variables matrix
        n = len(codes[0]) if codes else 0
        key, incomplete = np.zeros(n, np.int64), np.zeros(n, bool)
        for code, stride in zip(codes, strides):
            incomplete |= code < 0
            key += np.maximum(code, 0) * stride
        rows = np.flatnonzero(incomplete)
        complete, counts = np.unique(key[~incomplete], return_counts=True)
        matrix = np.column_stack([code[rows] for code in codes]) if codes else np.zeros((0, 0), np.int64)
        nominal = tuple(n for n in nominal if n in names)
        universes = tuple(n for n, v in zip(names, levels) if n in universes and len(v) and v[0] == NOT_MEASURED)
        return cls(names, tuple(levels), complete, counts.astype(float), matrix, rows, "", nominal, universes)

    @property
    def sizes(self) -> np.ndarray:
        return level_sizes(self.levels)

    @property
    def strides(self) -> np.ndarray:
        return mixed_radix_strides(self.levels)

    def first_measured(self, v: int) -> int:
        """Variable v's first code that is a value (1 after NOT_MEASURED for a condition with a universe)."""
        return int(self.names[v] in self.universes)

    def keys(self, codes: np.ndarray) -> np.ndarray:
        """Code rows -> one integer key each."""
        return np.clip(codes, 0, None) @ self.strides

    @cached_property
    def frequencies(self) -> tuple[np.ndarray, ...]:
        """How many rows hold each code of each variable, among the rows where it is known."""
        out = []
        for v in range(len(self.names)):
            complete_codes = self.complete // self.strides[v] % self.sizes[v]
            frequency = np.bincount(complete_codes, weights=self.counts, minlength=self.sizes[v])
            observed = self.codes[:, v][self.codes[:, v] >= 0]
            out.append(frequency + np.bincount(observed, minlength=self.sizes[v]))
        return tuple(out)

    def _indicators(self, u: int) -> bool:
        return self.names[u] in self.nominal or self.names[u] in self.universes

    @cached_property
    def predictor_classes(self) -> tuple[np.ndarray, ...]:
        """Each code's class as a predictor: the code itself, except for a variable read as its value
        with more than PREDICTOR_CLASSES values, whose codes fall into PREDICTOR_CLASSES classes of
        about equal counts (a code's class by the middle of its rows in the cumulative count)."""
        out = []
        for u, frequency in enumerate(self.frequencies):
            if self._indicators(u) or len(frequency) <= PREDICTOR_CLASSES:
                out.append(np.arange(len(frequency)))
                continue
            middle = np.cumsum(frequency) - frequency / 2
            group = np.floor(PREDICTOR_CLASSES * middle / frequency.sum()).astype(np.int64)
            out.append(np.unique(group, return_inverse=True)[1])
        return tuple(out)

    @cached_property
    def predictor_values(self) -> tuple[np.ndarray, ...]:
        """Each code's value as a predictor of the other variables: its value, or its class's mean."""
        out = []
        for levels, frequency, group in zip(self.levels, self.frequencies, self.predictor_classes):
            rows = np.bincount(group, weights=frequency)
            means = np.bincount(group, weights=frequency * levels) / np.where(rows > 0, rows, 1)
            out.append(levels if len(rows) == len(levels) else means[group])
        return tuple(out)

    def predictor_key(self, keys: np.ndarray, v: int) -> np.ndarray:
        """One integer per unit, equal for units alike in every predictor of variable v's model
        (the other variables, each by its predictor class)."""
        out, stride = np.zeros(len(keys), np.int64), 1
        for u, group in enumerate(self.predictor_classes):
            if u != v:
                out += group[keys // self.strides[u] % self.sizes[u]] * stride
                stride *= int(group.max(initial=0)) + 1
        return out

    def predictors(self, variables: list[int]) -> list[tuple[int, int | None]]:
        """The model's predictors from these variables: (u, None) for a variable read as its value, and
        (u, c) for the indicator of code c of a nominal one, or of one with a universe (each code but
        the first: against 'not measured')."""
        return [(u, c) for u in variables for c in (range(1, len(self.levels[u])) if self._indicators(u) else [None])]

    def design(self, keys: np.ndarray, predictors: list[tuple[int, int | None]]) -> np.ndarray:
        """The intercept and the predictors of units given by their keys (a value by `predictor_values`)."""
        codes = {u: keys // self.strides[u] % self.sizes[u] for u in dict.fromkeys(u for u, _ in predictors)}
        columns = [self.predictor_values[u][codes[u]] if c is None else codes[u] == c for u, c in predictors]
        return np.column_stack([np.ones(len(keys)), *columns]).astype(float)

    def linear_predictor(self, codes: np.ndarray, predictors: list[tuple[int, int | None]], coef) -> np.ndarray:
        """coef[0] + sum of coef[k + 1] x predictors[k], for rows of codes (X @ coef without building X)."""
        total = np.full(len(codes), coef[0])
        for k, (u, c) in enumerate(predictors):
            total += coef[k + 1] * (self.predictor_values[u][codes[:, u]] if c is None else codes[:, u] == c)
        return total

    @cached_property
    def _dense_counts(self) -> np.ndarray | None:
        """The complete rows' count of every key, where the keys are few enough to list."""
        space = int(np.prod(self.sizes))
        return np.bincount(self.complete, weights=self.counts, minlength=space) if space <= DENSE_KEYS else None

    def unit_counts(self, extra: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The distinct keys among the complete rows and these rows' keys, and how many rows hold each."""
        if self._dense_counts is not None:
            total = self._dense_counts + np.bincount(extra, minlength=self._dense_counts.size)
            keys = np.flatnonzero(total)
            return keys, total[keys]
        keys, where = np.unique(np.concatenate([self.complete, extra]), return_inverse=True)
        weights = np.concatenate([self.counts, np.ones(len(extra))])
        return keys, np.bincount(where, weights=weights, minlength=len(keys))

    @property
    def order(self) -> list[int]:
        """The variables with missing values, fewest first (ties in column order), as MICEData and mice."""
        missing = (self.codes < 0).sum(axis=0)
        return [int(v) for v in np.argsort(missing, kind="stable") if missing[v] > 0]


def imputation_problem(data) -> ImputationProblem:
    """The imputation problem of a data.AnalysisData's rows (the workflow builds it once and saves it: save_problem)."""
    return ImputationProblem.from_columns(imputation_columns(data), nominal_variables(data), with_universe(data))


def save_problem(problem: ImputationProblem, path) -> None:
    """An imputation problem as a .npz file (the workflow writes it once; each imputation job loads it)."""
    levels = {f"levels_{v}": values for v, values in enumerate(problem.levels)}
    arrays = {"complete": problem.complete, "counts": problem.counts, "codes": problem.codes, "rows": problem.rows}
    names = {k: np.array(getattr(problem, k), dtype=str) for k in ("names", "nominal", "universes")}
    with open(path, "wb") as handle:
        np.savez(handle, failure=np.array(problem.failure), **names, **arrays, **levels)


def load_problem(path) -> ImputationProblem:
    with np.load(path) as saved:
        names, nominal, universes = (tuple(str(n) for n in saved[k]) for k in ("names", "nominal", "universes"))
        levels = tuple(saved[f"levels_{v}"] for v in range(len(names)))
        arrays = (saved[k] for k in ("complete", "counts", "codes", "rows"))
        return ImputationProblem(names, levels, *arrays, str(saved["failure"]), nominal, universes)
