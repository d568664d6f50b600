"""Log-linear model of the 2^k table of condition patterns, with design-based inference.

The model with all pairwise interactions is a Poisson GLM on the weighted cell counts; its pairwise
terms are the log odds ratios of each pair given all the other conditions. Point estimates are the
pseudo-maximum-likelihood estimates of that model; standard errors are design-based (the influence
of each row is its weight times its cell's design row, through the inverse Fisher information,
summed by the survey design as for every other estimate). Higher-order terms, up to
`loglinear: max_order` (default 4), are tested with Korn and Graubard's adjusted design-based Wald F
test: no Rao-Scott correction is needed because the variance itself already reflects the design.
Beside it is the test R's `anova(svyloglin(smaller), svyloglin(larger))` prints by default (columns
`lrt_*`): the working likelihood-ratio statistic (the deviance difference of the two Poisson models
of the weighted table scaled to its n rows) with the second-order Rao-Scott correction, as an F on
the design df of the rows modelled (raoscott.nested_loglinear_test; R on `subset()` of the design to
those rows; R's svyloglin on a design with other rows takes n as all its rows, which scales the
deviance and leaves F and p as they are). The two tests ask the same question and differ in p.
Intervals for the terms use a t quantile on the design df (PSUs minus strata), as Stata's svy
does; R's svyloglin, whose SEs these match, gives no intervals.
`se_model` is the model-based (Poisson) standard error for comparison; deff = (se / se_model)^2.

The Poisson fit is statsmodels' GLM (glm.fit), its model-based vcov statsmodels' unscaled covariance
(the inverse Fisher information, the bread of the design variance). A model is fitted only when every
marginal table of its highest-order terms has all its cells filled, which the maximum likelihood
estimate needs (an empty margin makes a term infinite), so a sparse table costs no futile fit.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from ..settings import Settings
from ..survey import glm
from ..survey.data import AnalysisData
from ..survey.design import SurveyDesign
from ..survey.estimate import Estimate
from ..survey.raoscott import nested_loglinear_test

COLUMNS = [
    "kind",
    "model",
    "term",
    "order",
    "estimate",
    "se",
    "se_model",
    "deff",
    "ci_low",
    "ci_high",
    "odds_ratio",
    "statistic",
    "df_num",
    "df_den",
    "p_value",
    "lrt_deviance",
    "lrt_f",
    "lrt_df_num",
    "lrt_df_den",
    "lrt_p",
    "note",
]
MODEL_NAMES = {2: "pairwise", 3: "three-way", 4: "four-way"}
MAX_CONDITIONS = 12  # the table has 2^k cells: 4,096 at 12 conditions


def term_subsets(k: int, order: int) -> list[tuple[int, ...]]:
    """All condition subsets of size 1..order (the model's terms), lowest order first."""
    return [s for size in range(1, order + 1) for s in itertools.combinations(range(k), size)]


def cell_design_matrix(k: int, order: int) -> np.ndarray:
    """Intercept plus one column per term, for the 2^k cells (first condition varying slowest)."""
    cells = np.array(list(itertools.product([0, 1], repeat=k)), dtype=float)
    columns = [np.ones(len(cells))] + [cells[:, list(s)].prod(axis=1) for s in term_subsets(k, order)]
    return np.column_stack(columns)


def empty_margins(counts: np.ndarray, k: int, order: int) -> list[tuple[int, ...]]:
    """The condition subsets of size `order` whose marginal table has an empty cell."""
    table = counts.reshape((2,) * k)
    empty = []
    for subset in itertools.combinations(range(k), order):
        others = tuple(i for i in range(k) if i not in subset)
        if (table.sum(axis=others) == 0).any():
            empty.append(subset)
    return empty


def weighted_table(cell: np.ndarray, design: SurveyDesign, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's weight over the mean weight of `rows` (zero elsewhere), and the 2^k cell counts of
    those weights: the weighted table scaled to its n rows (R svyloglin's coef(hatp) * n)."""
    n = design.rows(rows)
    w = np.where(rows, design.weight, 0.0)
    w = w / (w[rows].sum() / n)
    return w, np.bincount(cell[rows], weights=w[rows], minlength=2**k)


def fit_loglinear(cell: np.ndarray, design: SurveyDesign, rows: np.ndarray, k: int, order: int, names=None):
    """The model up to `order`: an Estimate (design vcov, design df), its model-based vcov and fitted counts.

    When the model cannot be estimated the Estimate carries NaNs and the reason, and the model
    vcov and fitted counts are None. `names` (the conditions) make the reason name the empty margins.
    """
    X = cell_design_matrix(k, order)
    p = X.shape[1]
    n = design.rows(rows)
    w, counts = weighted_table(cell, design, rows, k)
    empty = empty_margins(counts, k, order)
    if empty:
        return Estimate.not_estimable(p, n, _empty_note(empty, order, names)), None, None
    try:
        fit = glm.fit(glm.POISSON, X, counts)
    except (np.linalg.LinAlgError, ValueError):
        fit = None
    if fit is None or not fit.settled or np.any(np.abs(fit.coef) > 30) or not np.isfinite(fit.covariance).all():
        return Estimate.not_estimable(p, n, "no finite estimate (sparse cells)"), None, None
    influence = np.zeros((design.n, p))
    influence[rows] = (X[cell[rows]] * w[rows, None]) @ fit.covariance
    vcov = design.variance(influence, rows)
    model_se = np.sqrt(np.diag(fit.covariance))  # the reference of rounding (estimate.at_rounding_level)
    return Estimate(fit.coef, vcov, design.degrees_of_freedom(rows), n, scale=model_se), fit.covariance, fit.mu


def working_lrt(cell, design: SurveyDesign, rows, k: int, order: int, mu0, mu1, df: float) -> dict:
    """R's default anova(svyloglin) of the model up to order - 1 against the model up to `order`,
    as the `lrt_*` columns (raoscott.nested_loglinear_test), or a note why there is none."""
    if not df > 0:
        return {"note": "no design degrees of freedom for the likelihood-ratio test"}
    w, y = weighted_table(cell, design, rows, k)
    n = float(y.sum())
    X = cell_design_matrix(k, order)
    lower = 1 + len(term_subsets(k, order - 1))

    def projected_variance(A: np.ndarray) -> np.ndarray:
        """A' V A: the design covariance of A' p, p the cell proportions y / n (a domain mean's influence)."""
        influence = np.zeros((design.n, A.shape[1]))
        influence[rows] = w[rows, None] * (A[cell[rows]] - (y / n) @ A) / n
        return design.variance(influence, rows)

    try:
        test = nested_loglinear_test(y, mu0, mu1, X[:, 1:lower], X[:, lower:], projected_variance, df)
    except np.linalg.LinAlgError:
        return {"note": "the design effects of the terms are singular: no likelihood-ratio test"}
    if not np.isfinite(test["p_value"]):
        return {"note": "the design variance of the terms is zero: no likelihood-ratio test"}
    return {"lrt_p" if key == "p_value" else f"lrt_{key}": value for key, value in test.items()}


def _empty_note(empty: list[tuple[int, ...]], order: int, names) -> str:
    """Which margins are empty, in words: the terms they make infinite."""
    what = {2: "pair", 3: "triple"}.get(order, f"set of {order}")
    if names is None:
        return f"an empty cell in {len(empty)} {what} margins: a term of order {order} is not estimable"
    listed = "; ".join(" and ".join(names[i] for i in subset) for subset in empty[:3])
    more = f" and {len(empty) - 3} more" if len(empty) > 3 else ""
    return (
        f"no rows in some combination of {listed}{more}: the {MODEL_NAMES.get(order, f'{order}-way')} "
        f"term of each such {what} is infinite, so this model has no finite estimate"
    )


def modelled_conditions(data: AnalysisData) -> tuple[list[str], list[str]]:
    """The conditions the model can hold (both values seen among their known rows), and notes on the others."""
    kept, notes = [], []
    for condition in data.conditions:
        values = data.condition(condition)
        known = values[~np.isnan(values)]
        if known.size == 0:
            notes.append(f"{condition} has no known values and is left out of the model")
        elif known.min() == known.max():
            notes.append(f"{condition} is {'yes' if known[0] else 'no'} in every row and is left out of the model")
        else:
            kept.append(condition)
    return kept, notes


def loglinear_table(data: AnalysisData, settings: Settings) -> pd.DataFrame:
    """Pairwise terms, and tests of the terms of order 3 up to `loglinear: max_order`.

    The bound keeps the model's size, the sum of C(k, j) over j <= max_order, polynomial in the
    number of conditions k; the table itself has 2^k cells, so more than MAX_CONDITIONS are not modelled.
    """
    data = data.cells(keep=())  # the conditions alone
    present, left_out = modelled_conditions(data)
    design = data.design
    k = len(present)
    values = data.condition_matrix(present)
    rows = ~np.isnan(values).any(axis=1) & (design.weight > 0)
    problem = (
        "fewer than two conditions vary: no log-linear model"
        if k < 2
        else f"{k} conditions make a table of 2^{k} cells; the model is fitted for at most {MAX_CONDITIONS}"
        if k > MAX_CONDITIONS
        else "no row has every condition known"
        if not rows.any()
        else ""
    )
    if problem:
        note = "; ".join([*left_out, problem])
        return pd.DataFrame([{"kind": "coefficient", "model": "pairwise", "note": note}], columns=COLUMNS)
    cell = (np.nan_to_num(values) @ (2 ** np.arange(k - 1, -1, -1))).astype(int)
    left = "; ".join(left_out)
    pairwise, model_vcov, smaller = fit_loglinear(cell, design, rows, k, min(2, k), present)
    out = _coefficient_rows(present, pairwise.with_note(left), model_vcov)
    for order in range(3, min(k, settings.loglinear["max_order"]) + 1):
        fit, _, larger = fit_loglinear(cell, design, rows, k, order, present)
        row = _order_test(present, order, fit.with_note(left))
        if smaller is not None and larger is not None:
            lrt = working_lrt(cell, design, rows, k, order, smaller, larger, fit.df)
            row |= lrt | {"note": "; ".join(filter(None, [row.get("note"), lrt.get("note")]))}
        out.append(row)
        smaller = larger
    return pd.DataFrame(out, columns=COLUMNS)


def _coefficient_rows(present, fit: Estimate, model_vcov) -> list[dict]:
    terms = term_subsets(len(present), min(2, len(present)))
    rows = []
    for j, term in enumerate(terms, start=1):
        row = {
            "kind": "coefficient",
            "model": "pairwise",
            "term": ":".join(present[i] for i in term),
            "order": len(term),
            "note": fit.note,
        }
        if model_vcov is not None:
            numbers = fit.summary(j)
            se_model = float(np.sqrt(model_vcov[j, j]))
            row |= {
                "estimate": numbers["estimate"],
                "se": numbers["se"],
                "se_model": se_model,
                "deff": (numbers["se"] / se_model) ** 2 if se_model > 0 else np.nan,
                "ci_low": numbers["ci_low"],
                "ci_high": numbers["ci_high"],
                "statistic": numbers["estimate"] / numbers["se"] if numbers["se"] > 0 else np.nan,
                "df_den": fit.df,
                "p_value": numbers["p_value"],
                "note": numbers["note"],
            }
            if len(term) == 2:
                row["odds_ratio"] = float(np.exp(numbers["estimate"]))
        rows.append(row)
    return rows


def _order_test(present, order, fit: Estimate) -> dict:
    """Design-based adjusted Wald F test that every term of this order is zero (in the model up to it)."""
    terms = term_subsets(len(present), order)
    index = [j for j, term in enumerate(terms, start=1) if len(term) == order]
    name = MODEL_NAMES.get(order, f"{order}-way")
    row = {"kind": "test", "model": name, "order": order, "term": f"all {name} terms = 0", "df_num": len(index)}
    if not np.isfinite(fit.coef).all():
        return row | {"note": fit.note}
    statistic, _, df_den, p_value, note = fit.wald_test(index)
    if note:
        return row | {"note": "; ".join(filter(None, [fit.note, note]))}
    return row | {"statistic": statistic, "df_den": df_den, "p_value": p_value, "note": fit.note}
