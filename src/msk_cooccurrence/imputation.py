"""Multiple imputation by chained equations that scales: models fitted on counts, draws only where values are missing.

We keep this small module instead of statsmodels' MICEData, which refits every model on every row
through formulas at each step and yields the imputations as successive states of one chain: at a
million rows it took about 20 s per 100,000 rows, and imputations could not be computed apart.
Here, as in R's mice (van Buuren, Flexible Imputation of Missing Data, 2nd ed., 2018):

- Each imputation is its own chain started from its own random stream (seed, m), so imputation m
  is the same whichever process computes it and in whatever order: each can be its own job.
- A chain starts from values drawn from each variable's observed values and runs ITERATIONS
  rounds; in a round each incomplete variable, fewest missing values first, is drawn from its
  model given the current values of all the others: a 0/1 variable by logistic regression
  (statsmodels' GLM, glm.fit) with coefficients drawn from the normal approximation to their
  posterior and the value from Bernoulli(p) (mice "logreg"; a ridge of RIDGE keeps a separated
  model finite: `_logistic_fit`), any other by predictive mean matching with DONORS donors (mice
  "pmm", type 1 matching, coefficients and residual variance drawn as mice's norm.draw); a
  category of three or more levels (`nominal`) by a sequence of logistic models, level 1 against
  the rest, then level 2 against the levels after it among the rest, and so on (the
  continuation-ratio factorization of a multinomial model; mice's "polyreg" fits the multinomial
  itself), and it enters the other variables' models as indicators of its levels, as it enters
  the analysis models.
- The variables take few distinct values (0/1 conditions, age in years, sex, the log weight in
  WEIGHT_CLASSES quantile classes each at its class mean), so the rows complete in every variable
  are counted once per distinct combination and the models are fitted on those counts plus the
  incomplete rows' current values: the same likelihood as on every row. Values are drawn only for
  the rows with a missing value.

A job that draws imputations loads numpy and, for the logistic models, statsmodels' GLM.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import glm

ITERATIONS = 10
DONORS = 5
RIDGE = 1e-4
RIDGE_ROW = 1e-3  # where the ridge's pseudo-rows hold their predictor (_logistic_fit)
WEIGHT_CLASSES = 20
DENSE_KEYS = 2**22  # up to this many combinations, rows are counted by key in one array
AUXILIARY = "log_weight"  # the variable that only helps impute the others (no analysis model reads it)


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
    sex as 1 for female, a category its level's place: data.covariate_values): what the models on
    the completed data read (through data.predictors_from), the imputation model's variables but AUXILIARY."""
    return {c: data.condition(c) for c in data.conditions} | data.covariate_values()


def nominal_variables(data) -> tuple[str, ...]:
    """The covariates that are categories of three levels or more: imputed and read as categories."""
    return tuple(
        c for c in data.covariates if data.is_category(c) and c in data.frame and len(data.category_levels(c)) > 2
    )


def imputation_columns(data) -> dict[str, np.ndarray]:
    """The imputation model's variables row by row, from a data.AnalysisData: conditions, covariates,
    log weight in classes (1/0/NaN, values).

    A column with no known value cannot be imputed (a model needs observed values) and one with a
    single value would make the imputation models singular: both are left out.
    """
    columns = analysed_variables(data)
    columns[AUXILIARY] = weight_classes(data.design.weight)
    # two or more known values: their least below their greatest (no sort; from_columns codes them)
    return {name: v for name, v in columns.items() if (~np.isnan(v)).any() and np.nanmin(v) < np.nanmax(v)}


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
    """

    names: tuple[str, ...]
    levels: tuple[np.ndarray, ...]
    complete: np.ndarray
    counts: np.ndarray
    codes: np.ndarray
    rows: np.ndarray
    failure: str = ""
    nominal: tuple[str, ...] = ()  # categories of three levels or more (nominal_variables)

    @classmethod
    def failed(cls, reason: str) -> ImputationProblem:
        """A problem with no variables that says why none could be built: no imputation draws anything
        from it, and the sensitivity table gives the reason (as when computed in one process)."""
        none = np.zeros(0, np.int64)
        return cls((), (), none, np.zeros(0), np.zeros((0, 0), np.int64), none, reason)

    @classmethod
    def from_columns(cls, columns: Mapping[str, np.ndarray], nominal=()) -> ImputationProblem:
        """From float columns of equal length, NaN = missing; `nominal` names the categories among them."""
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
        return cls(names, tuple(levels), complete, counts.astype(float), matrix, rows, nominal=nominal)

    @property
    def sizes(self) -> np.ndarray:
        return level_sizes(self.levels)

    @property
    def strides(self) -> np.ndarray:
        return mixed_radix_strides(self.levels)

    def keys(self, codes: np.ndarray) -> np.ndarray:
        """Code rows -> one integer key each."""
        return np.clip(codes, 0, None) @ self.strides

    def values(self, keys: np.ndarray) -> np.ndarray:
        """Keys -> value rows."""
        if self._every_value is not None:
            return self._every_value[keys]
        return self._values_of(keys)

    def _values_of(self, keys: np.ndarray) -> np.ndarray:
        codes = keys[:, None] // self.strides[None, :] % self.sizes[None, :]
        return np.column_stack([self.levels[v][codes[:, v]] for v in range(len(self.names))])

    @cached_property
    def _every_value(self) -> np.ndarray | None:
        """The value row of every key, where the keys are few enough to list (looked up, not recomputed, each round)."""
        space = int(np.prod(self.sizes))
        return self._values_of(np.arange(space)) if space <= DENSE_KEYS // 8 else None

    def predictors(self, variables: list[int]) -> list[tuple[int, int | None]]:
        """The model's predictors from these variables: (u, None) for a variable read as its value, and
        (u, c) for the indicator of code c of a nominal one (each code but the first)."""
        return [
            (u, c)
            for u in variables
            for c in (range(1, len(self.levels[u])) if self.names[u] in self.nominal else [None])
        ]

    def design(self, values: np.ndarray, predictors: list[tuple[int, int | None]]) -> np.ndarray:
        """The intercept and the predictors of value rows (values())."""
        columns = [values[:, u] if c is None else (values[:, u] == self.levels[u][c]) for u, c in predictors]
        return np.column_stack([np.ones(len(values)), *columns]).astype(float)

    def linear_predictor(self, codes: np.ndarray, predictors: list[tuple[int, int | None]], coef) -> np.ndarray:
        """coef[0] + sum of coef[k + 1] x predictors[k], for rows of codes (X @ coef without building X)."""
        total = np.full(len(codes), coef[0])
        for k, (u, c) in enumerate(predictors):
            total += coef[k + 1] * (self.levels[u][codes[:, u]] if c is None else codes[:, u] == c)
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
    return ImputationProblem.from_columns(imputation_columns(data), nominal_variables(data))


def impute(problem: ImputationProblem, seed: int, m: int) -> np.ndarray:
    """Imputation m: the incomplete rows' codes with every missing value drawn (one chain of ITERATIONS rounds)."""
    rng = np.random.default_rng([seed, m])
    codes = problem.codes.copy()
    if problem.failure:  # a problem that could not be built draws nothing (ImputationProblem.failed)
        return codes
    missing = codes < 0
    for v in problem.order:
        codes[missing[:, v], v] = _starting_draws(problem, v, missing[:, v].sum(), rng)
    keys = problem.keys(codes)  # kept up to date as values are drawn, not recomputed
    start: dict[int, np.ndarray] = {}  # each model's last estimate, where the next fit starts
    for _ in range(ITERATIONS):
        for v in problem.order:
            rows = missing[:, v]
            drawn = _draw_variable(problem, codes, keys, missing, v, rng, start)
            keys[rows] += (drawn - codes[rows, v]) * problem.strides[v]
            codes[rows, v] = drawn
    return codes


def imputed_values(problem: ImputationProblem, draws: np.ndarray) -> dict[str, np.ndarray]:
    """Each variable's values at the incomplete rows (problem.rows) in an imputation's draws."""
    return {name: problem.levels[v][draws[:, v]] for v, name in enumerate(problem.names)}


def completed(problem: ImputationProblem, columns: Mapping[str, np.ndarray], draws: np.ndarray) -> dict:
    """The columns with the incomplete rows' values replaced by an imputation's."""
    out = {}
    for name, imputed in imputed_values(problem, draws).items():
        values = np.array(columns[name], float)
        values[problem.rows] = imputed
        out[name] = values
    return out


def save_problem(problem: ImputationProblem, path) -> None:
    """An imputation problem as a .npz file (the workflow writes it once; each imputation job loads it)."""
    levels = {f"levels_{v}": values for v, values in enumerate(problem.levels)}
    arrays = {"complete": problem.complete, "counts": problem.counts, "codes": problem.codes, "rows": problem.rows}
    with open(path, "wb") as handle:
        names = {"names": np.array(problem.names, dtype=str), "nominal": np.array(problem.nominal, dtype=str)}
        np.savez(handle, failure=np.array(problem.failure), **names, **arrays, **levels)


def load_problem(path) -> ImputationProblem:
    with np.load(path) as saved:
        names = tuple(str(n) for n in saved["names"])
        levels = tuple(saved[f"levels_{v}"] for v in range(len(names)))
        arrays = (saved[k] for k in ("complete", "counts", "codes", "rows"))
        nominal = tuple(str(n) for n in saved["nominal"])
        return ImputationProblem(names, levels, *arrays, failure=str(saved["failure"]), nominal=nominal)


def _starting_draws(problem: ImputationProblem, v: int, size: int, rng) -> np.ndarray:
    """Codes drawn from variable v's observed values, each as often as it is observed (mice's start)."""
    complete_codes = problem.complete // problem.strides[v] % problem.sizes[v]
    frequency = np.bincount(complete_codes, weights=problem.counts, minlength=problem.sizes[v])
    observed = problem.codes[:, v][problem.codes[:, v] >= 0]
    frequency += np.bincount(observed, minlength=problem.sizes[v])
    return rng.choice(len(frequency), size=size, p=frequency / frequency.sum())


def _draw_variable(problem: ImputationProblem, codes, row_keys, missing, v: int, rng, start: dict) -> np.ndarray:
    """New codes for variable v where it is missing, from its model fitted where it is observed.

    The model is fitted on the distinct combinations of values among the rows where v is
    observed (complete rows and incomplete rows' current values, `row_keys`), each with its count.
    """
    keys, counts = problem.unit_counts(row_keys[~missing[:, v]])
    values = problem.values(keys)
    targets = codes[missing[:, v]]
    predictors = problem.predictors([u for u in range(len(problem.names)) if u != v])
    X = problem.design(values, predictors)
    y, levels = values[:, v], problem.levels[v]
    if len(levels) == 1:
        return np.zeros(len(targets), dtype=np.int64)
    unit_codes = keys // problem.strides[v] % problem.sizes[v]
    same_predictors = keys - unit_codes * problem.strides[v]
    if problem.names[v] in problem.nominal:
        return _sequential_codes(problem, X, unit_codes, same_predictors, counts, targets, predictors, (v, rng, start))
    if len(levels) == 2 and levels[0] == 0 and levels[1] == 1:
        start[v] = _logistic_fit(*_shares(X, same_predictors, y, counts), start.get(v))
        beta = start[v][0] + _normal_draw(start[v][1], rng)
        eta = problem.linear_predictor(targets, predictors, beta)
        return (rng.random(len(targets)) < 1 / (1 + np.exp(-eta))).astype(np.int64)
    return _matched_codes(
        X, unit_codes, y, counts, lambda coef: problem.linear_predictor(targets, predictors, coef), rng
    )


def _sequential_codes(problem, X, unit_codes, same_predictors, counts, targets, predictors, chain) -> np.ndarray:
    """A nominal variable's codes for the target rows: for c = 0, 1, ..., the rows not yet placed take
    code c with the probability a logistic model of (code = c) among the units of code c or above
    gives them, its coefficients drawn as mice's logreg draws them; the rest take the last code."""
    v, rng, start = chain
    drawn = np.full(len(targets), problem.sizes[v] - 1, dtype=np.int64)
    open_rows = np.ones(len(targets), bool)
    for c in range(problem.sizes[v] - 1):
        at_or_above = unit_codes >= c
        y = (unit_codes[at_or_above] == c).astype(float)
        if y.min() == y.max():  # no unit, or all, of code c among those left: nothing to model
            take = open_rows & (y.size > 0 and y.max() == 1)
        else:
            units = _shares(X[at_or_above], same_predictors[at_or_above], y, counts[at_or_above])
            start[(v, c)] = _logistic_fit(*units, start.get((v, c)))
            beta = start[(v, c)][0] + _normal_draw(start[(v, c)][1], rng)
            eta = problem.linear_predictor(targets, predictors, beta)
            take = open_rows & (rng.random(len(targets)) < 1 / (1 + np.exp(-eta)))
        drawn[take] = c
        open_rows &= ~take
    return drawn


def _shares(X: np.ndarray, predictors_key: np.ndarray, y: np.ndarray, counts: np.ndarray):
    """The units alike in every predictor (the same `predictors_key`) as one, its outcome the share of
    1s among their rows and its count theirs: the same binomial likelihood, so the same estimate and
    information, on up to half as many units (about 19,000 instead of 34,000 at a million rows)."""
    _, first, unit = np.unique(predictors_key, return_index=True, return_inverse=True)
    total = np.bincount(unit, counts)
    return X[first], np.bincount(unit, counts * y) / total, total


def _logistic_fit(X: np.ndarray, y: np.ndarray, counts: np.ndarray, start=None) -> tuple[np.ndarray, np.ndarray]:
    """Logistic regression of y (a share of 1s) on X (intercept first), on units that stand for
    `counts` rows each, with a ridge of RIDGE on the coefficients but the intercept, from `start`'s
    estimate when given: the estimate and the inverse of its (ridge-stabilized) information.

    statsmodels' GLM (glm.fit) with the counts as weights and the ridge as pseudo-rows, one per
    predictor: that predictor at c = RIDGE_ROW, the others and the intercept at 0, the outcome 1/2,
    weight 4 RIDGE / c^2. Such a row adds (4 RIDGE / c^2) log(2 cosh(c b / 2)) to the negative
    log-likelihood, RIDGE b^2 / 2 and a constant to within (c b)^2 / 12 of itself (1e-3 for a
    coefficient of 100), and 4 RIDGE mu (1 - mu) to the information, RIDGE to within (c b)^2 / 4:
    statsmodels' fit is the ridge's estimate and its covariance the inverse of the ridge's
    information, which the draw needs. statsmodels' own ridge (fit_regularized, L1_wt=0) would not
    do: it minimizes with scipy's BFGS to a gradient of 1e-5 per unit, scales the penalty by the
    number of units (here distinct combinations, not rows) and returns no covariance.
    """
    predictors = X.shape[1] - 1
    pseudo = np.zeros((predictors, X.shape[1]))
    pseudo[:, 1:] = RIDGE_ROW * np.eye(predictors)
    augmented = np.vstack([X, pseudo])
    outcome = np.concatenate([y, np.full(predictors, 0.5)])
    weights = np.concatenate([counts, np.full(predictors, 4 * RIDGE / RIDGE_ROW**2)])
    fit = glm.fit(glm.LOGISTIC, augmented, outcome, weights, start=None if start is None else start[0])
    return fit.coef, fit.covariance


def _matched_codes(X, unit_codes, y, counts, predict, rng) -> np.ndarray:
    """Predictive mean matching: each new row takes the value of one of the DONORS observed rows
    nearest in prediction, chosen at random (mice's type 1 matching).

    The observed rows come as units with counts. Rows with equal predictions are one group: the
    DONORS nearest rows are found among groups (statsmodels' window of 2 x DONORS rows around
    the wanted value), and a row of the chosen group is drawn uniformly, so equal predictions
    favour no value.
    """
    xtx = X.T @ (X * counts[:, None])
    beta = np.linalg.solve(xtx, X.T @ (counts * y))
    residual_df = max(counts.sum() - X.shape[1], 1)
    sigma2 = float((counts * (y - X @ beta) ** 2).sum()) / rng.chisquare(residual_df)
    drawn = beta + _normal_draw(sigma2 * np.linalg.inv(xtx), rng)
    wanted = predict(drawn)  # the new rows' predictions with the drawn coefficients
    predicted, group = np.unique(X @ beta, return_inverse=True)
    group_rows = np.bincount(group, weights=counts, minlength=len(predicted))
    cumulative = np.cumsum(group_rows)
    total = cumulative[-1]
    # the 2 x DONORS rows around each wanted value, the DONORS nearest of them, one at random
    start = np.searchsorted(predicted, wanted)
    first_row = np.where(start > 0, cumulative[np.maximum(start - 1, 0)], 0)
    window = first_row[:, None] + np.arange(-DONORS, DONORS)[None, :]
    outside = (window < 0) | (window >= total)
    near = np.searchsorted(cumulative, np.clip(window, 0, total - 1), side="right")
    distance = np.where(outside, np.inf, np.abs(predicted[near] - wanted[:, None]))
    nearest = np.argsort(distance, axis=1, kind="stable")[:, :DONORS]
    chosen = near[np.arange(len(wanted)), nearest[np.arange(len(wanted)), rng.integers(0, DONORS, len(wanted))]]
    # a row of the chosen group, uniformly: units sorted by group, each as often as it occurs
    by_group = np.argsort(group, kind="stable")
    unit_cumulative = np.cumsum(counts[by_group])
    row = cumulative[chosen] - group_rows[chosen] + rng.random(len(wanted)) * group_rows[chosen]
    return unit_codes[by_group[np.searchsorted(unit_cumulative, row, side="right")]]


def _normal_draw(covariance: np.ndarray, rng) -> np.ndarray:
    """A draw from N(0, covariance), by the symmetric square root (robust where Cholesky is not)."""
    values, vectors = np.linalg.eigh((covariance + covariance.T) / 2)
    return vectors @ (np.sqrt(np.clip(values, 0, None)) * rng.standard_normal(len(values)))
