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
- The variables (imputation_model.py: the conditions and covariates, the design's strata and log
  weight, the dataset's auxiliary rules) take few distinct values, so the rows complete in every
  variable are counted once per distinct combination and the models are fitted on those counts
  plus the incomplete rows' current values: the same likelihood as on every row; a logistic model
  on the combinations of its predictors (`_shares`, a many-valued predictor such as age in classes:
  ImputationProblem.predictor_values). Values are drawn only for the rows with a missing value.
- Costs (a million rows, benchmarks/bench_scale.py, 15 strata: 21 predictors): an imputation
  takes about 2.4 s of CPU, 40 logistic fits on about 15,000 units each; it took 20 s with age in
  whole years, the log weight in 20 classes and statsmodels' default settling (107,000-132,000
  units, 3 iterations, two more ranks per fit).
- A condition with a universe is NOT_MEASURED outside it: not missing, so never drawn; its own
  model is fitted on the units inside (`_measured_units`) and draws only its measured values.

A job that draws imputations loads numpy and, for the logistic models, statsmodels' GLM.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..survey import glm
from .imputation_model import ImputationProblem

ITERATIONS = 10
DONORS = 5
RIDGE = 1e-4
RIDGE_ROW = 1e-3  # where the ridge's pseudo-rows hold their predictor (_logistic_fit)
TOLERANCE = 1e-4  # the IRLS step that ends a logistic imputation model's fit (_logistic_fit)


def attempt(problem: ImputationProblem, seed: int, m: int) -> np.ndarray:
    """Imputation m (impute), or where one of its models cannot be fitted the incomplete rows' codes
    with nothing drawn (-1 where missing): `why_failed` then says why."""
    try:
        return impute(problem, seed, m)
    except ImputationFailed:
        return problem.codes.copy()


def why_failed(problem: ImputationProblem, seed: int, m: int, draws: np.ndarray) -> str:
    """Why imputation m drew nothing ("" where it drew every missing value): its chain run again, to the
    same failure, since an imputation depends on (problem, seed, m) alone; so the draws files of the
    workflow's jobs need carry no message."""
    if not (draws < 0).any() or problem.failure:
        return ""
    try:
        impute(problem, seed, m)
    except ImputationFailed as error:
        return str(error)
    return "its draws file holds values never drawn"


def impute(problem: ImputationProblem, seed: int, m: int) -> np.ndarray:
    """Imputation m: the incomplete rows' codes with every missing value drawn (one chain of ITERATIONS
    rounds). Raises ImputationFailed where a model cannot be fitted."""
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
            try:
                drawn = _draw_variable(problem, codes, keys, missing, v, rng, start)
            except (np.linalg.LinAlgError, ValueError) as error:
                if isinstance(error, ImputationFailed):
                    raise
                reason = f"the imputation model of {problem.names[v]} could not be fitted ({error})"
                raise ImputationFailed(reason) from error
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


def _starting_draws(problem: ImputationProblem, v: int, size: int, rng) -> np.ndarray:
    """Codes drawn from variable v's observed values, each as often as it is observed (mice's start)."""
    frequency = problem.frequencies[v].copy()
    frequency[: problem.first_measured(v)] = 0  # never NOT_MEASURED
    return rng.choice(len(frequency), size=size, p=frequency / frequency.sum())


def _draw_variable(problem: ImputationProblem, codes, row_keys, missing, v: int, rng, start: dict) -> np.ndarray:
    """New codes for variable v where it is missing, from its model fitted where it is observed.

    The model is fitted on the distinct combinations of values among the rows where v is
    observed (complete rows and incomplete rows' current values, `row_keys`), each with its count.
    """
    keys, counts = _measured_units(problem, v, *problem.unit_counts(row_keys[~missing[:, v]]))
    targets = codes[missing[:, v]]
    every = problem.predictors([u for u in range(len(problem.names)) if u != v])
    predictors = _identified_predictors(problem, v, keys, targets, every)
    first = problem.first_measured(v)
    levels = problem.levels[v][first:]
    if len(levels) == 1:
        return np.full(len(targets), first, dtype=np.int64)
    unit_codes = keys // problem.strides[v] % problem.sizes[v]
    y = problem.levels[v][unit_codes]
    same_predictors = problem.predictor_key(keys, v)
    if problem.names[v] in problem.nominal:
        units = (keys, unit_codes, same_predictors, counts)
        return _sequential_codes(problem, units, targets, predictors, (v, rng, start))
    if len(levels) == 2 and levels[0] == 0 and levels[1] == 1:
        alike, share, total = _shares(same_predictors, y, counts)
        start[v] = _logistic_fit(problem.design(keys[alike], predictors), share, total, start.get(v))
        beta = start[v][0] + _normal_draw(start[v][1], rng)
        eta = problem.linear_predictor(targets, predictors, beta)
        return first + (rng.random(len(targets)) < 1 / (1 + np.exp(-eta))).astype(np.int64)
    X = problem.design(keys, predictors)
    return _matched_codes(
        X, unit_codes, y, counts, lambda coef: problem.linear_predictor(targets, predictors, coef), rng
    )


class ImputationFailed(ValueError):
    """An imputation model that cannot be fitted: the imputation draws nothing, and the sensitivity
    rows say why (sensitivity.imputed_odds_ratios)."""


def _identified_predictors(problem: ImputationProblem, v: int, keys: np.ndarray, targets: np.ndarray, predictors):
    """The predictors of variable v's model that vary among the units where v is known (`keys`).

    One that takes a single value there is aliased with the intercept: left out where the rows to
    draw hold that value too (it says nothing about them), and otherwise the model cannot be
    fitted, since the rows known never show what the predictor's other value does to v (BMI unknown
    in every case of knee OA: nothing tells the BMI of a case). A ridge or a dropped predictor
    would then invent that effect (a coefficient drawn from the ridge's prior alone, or none), so
    the imputation fails with the reason (ImputationFailed).
    """
    kept, seen = [], {}
    for u, c in predictors:
        if u not in seen:  # a category's levels are predictors of their own: its codes counted once
            seen[u] = (
                _codes_present(keys // problem.strides[u] % problem.sizes[u], problem.sizes[u]),
                _codes_present(targets[:, u], problem.sizes[u]),
            )
        known, drawn = seen[u]
        if c is None:
            values = problem.predictor_values[u]
            if np.unique(values[known]).size > 1:
                kept.append((u, c))
            elif np.any(values[drawn] != values[known[0]]):
                raise ImputationFailed(_unseen(problem, v, u, known))
        elif 0 < np.isin(known, c).sum() < known.size:
            kept.append((u, c))
        elif np.any((drawn == c) != (known[0] == c)):
            raise ImputationFailed(_unseen(problem, v, u, known))
    return kept


def _codes_present(codes: np.ndarray, size: int) -> np.ndarray:
    """The codes (0 to size - 1) that occur, in order: np.unique's answer by counting, not hashing."""
    return np.flatnonzero(np.bincount(np.asarray(codes, np.int64), minlength=size))


def _unseen(problem: ImputationProblem, v: int, u: int, known: np.ndarray) -> str:
    shown = ", ".join(f"{value:g}" for value in problem.levels[u][known])
    return (
        f"the imputation model of {problem.names[v]} cannot be fitted: where {problem.names[v]} is known, "
        f"{problem.names[u]} is always {shown}, but some rows to impute have another {problem.names[u]}, "
        f"so nothing shows what it does to {problem.names[v]}"
    )


def _measured_units(problem: ImputationProblem, v: int, keys: np.ndarray, counts: np.ndarray):
    """The units where variable v is a value, not NOT_MEASURED (all of them without a universe)."""
    inside = keys // problem.strides[v] % problem.sizes[v] >= problem.first_measured(v)
    return keys[inside], counts[inside]


def _sequential_codes(problem, units, targets, predictors, chain) -> np.ndarray:
    """A nominal variable's codes for the target rows: for c = 0, 1, ..., the rows not yet placed take
    code c with the probability a logistic model of (code = c) among the units of code c or above
    gives them, its coefficients drawn as mice's logreg draws them; the rest take the last code."""
    (keys, unit_codes, same_predictors, counts), (v, rng, start) = units, chain
    drawn = np.full(len(targets), problem.sizes[v] - 1, dtype=np.int64)
    open_rows = np.ones(len(targets), bool)
    for c in range(problem.sizes[v] - 1):
        at_or_above = unit_codes >= c
        y = (unit_codes[at_or_above] == c).astype(float)
        if y.min() == y.max():  # no unit, or all, of code c among those left: nothing to model
            take = open_rows & (y.size > 0 and y.max() == 1)
        else:
            alike, share, total = _shares(same_predictors[at_or_above], y, counts[at_or_above])
            X = problem.design(keys[at_or_above][alike], predictors)
            start[(v, c)] = _logistic_fit(X, share, total, start.get((v, c)))
            beta = start[(v, c)][0] + _normal_draw(start[(v, c)][1], rng)
            eta = problem.linear_predictor(targets, predictors, beta)
            take = open_rows & (rng.random(len(targets)) < 1 / (1 + np.exp(-eta)))
        drawn[take] = c
        open_rows &= ~take
    return drawn


def _shares(predictors_key: np.ndarray, y: np.ndarray, counts: np.ndarray):
    """The units alike in every predictor (the same `predictors_key`) as one: the index of the first of
    each group, its outcome the share of 1s among their rows and its count theirs. The same binomial
    likelihood, so the same estimate and information, on fewer units (at a million rows about 15,000
    instead of 170,000 combinations, with a many-valued predictor in classes: imputation_model.py);
    the model matrix is built for those units only."""
    _, first, unit = np.unique(predictors_key, return_index=True, return_inverse=True)
    total = np.bincount(unit, counts)
    return first, np.bincount(unit, counts * y) / total, total


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

    The fit stops at a step under TOLERANCE (1e-4 of a coefficient's size, or 1e-4), not the
    estimators' 1e-10 (glm.STEP_SETTLED): the estimate only centres a draw whose own noise is one
    standard error. IRLS is Newton's method here, so after a step s the estimate is within about
    s^2 of the optimum (the tests: within a thousandth of an SE), and the covariance, which
    statsmodels takes at the weights before that step, within about a thousandth of the inverse
    information. From the chain's previous estimate that is 2 iterations instead of 3, and statsmodels
    is told the model has an intercept (the pseudo-rows hold 0 in it), sparing two ranks of X.
    """
    predictors = X.shape[1] - 1
    pseudo = np.zeros((predictors, X.shape[1]))
    pseudo[:, 1:] = RIDGE_ROW * np.eye(predictors)
    augmented = np.vstack([X, pseudo])
    outcome = np.concatenate([y, np.full(predictors, 0.5)])
    weights = np.concatenate([counts, np.full(predictors, 4 * RIDGE / RIDGE_ROW**2)])
    begin = None if start is None or len(start[0]) != X.shape[1] else start[0]  # not if predictors changed
    fit = glm.fit(glm.LOGISTIC, augmented, outcome, weights, begin, tolerance=TOLERANCE, intercept=True)
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
