"""BMI dose-response: the probability of each condition across BMI, adjusted for the covariates.

For each condition, a design-weighted logistic regression on a natural cubic spline of BMI (knots at
Harrell's quantiles) plus the covariates. At each BMI on a grid the table gives the predictive
margin: the weighted mean over the model's rows of the predicted probability with everyone's BMI
set to that value (R's svypredmeans / marginaleffects' "avg_predictions"). Its standard error
linearizes both the coefficients and the weighted mean over the sample, so it is design-based;
the CI is on the logit scale with a t quantile on the model's residual design df.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..settings import Settings
from ..survey.cells import collapse, group_codes
from ..survey.data import AnalysisData, predictor_label
from ..survey.design import SurveyDesign
from ..survey.estimate import LOGIT, Estimate
from ..survey.inference import fit_logistic
from ..survey.splines import harrell_knots, natural_spline_basis


def bmi_grid(bmi: np.ndarray, step: float) -> np.ndarray:
    """BMI values from the 5th to the 95th percentile of the data, every `step`."""
    low, high = np.nanpercentile(bmi, [5, 95])
    return np.arange(np.ceil(low / step) * step, np.floor(high / step) * step + step / 2, step)


def dose_response_table(data: AnalysisData, settings: Settings) -> pd.DataFrame:
    knots, step = settings.dose_response["knots"], settings.dose_response["step"]
    frame, design = data.frame, data.design
    rows = []
    outcomes = [c for c in data.conditions if c != "obesity"]
    problem = _bmi_problem(frame, knots)
    if problem:
        return pd.DataFrame([{"condition": c, "note": problem} for c in outcomes])
    bmi = frame["bmi"].to_numpy(float)
    knot_values = harrell_knots(bmi, knots)
    if np.any(np.diff(knot_values) <= 0):
        note = (
            f"BMI's quantiles {', '.join(f'{v:g}' for v in knot_values)} do not give {knots} distinct knots; "
            "lower `dose_response: knots:`"
        )
        return pd.DataFrame([{"condition": c, "note": note} for c in outcomes])
    spline = natural_spline_basis(np.nan_to_num(bmi, nan=knot_values[0]), knot_values)
    adjust = data.adjustment(exclude=("bmi",))
    X = np.column_stack([np.ones(len(bmi)), spline, *adjust.values()])
    known = ~np.isnan(bmi) & ~np.isnan(X).any(axis=1)
    X = np.nan_to_num(X, copy=False)  # one matrix for every outcome: at millions of rows, memory counts
    same_x, _ = group_codes([bmi, *adjust.values()])  # the spline is a function of BMI: these rows share X
    grid = bmi_grid(bmi, step)
    names = ["intercept", "bmi"] + [f"bmi spline {j}" for j in range(1, knots - 1)] + list(map(predictor_label, adjust))
    for condition in outcomes:
        y = data.condition(condition)
        complete = known & ~np.isnan(y)
        fit = fit_logistic(X, np.nan_to_num(y), design, complete, names, groups=same_x)
        fit = fit.with_note(data.lost_to_covariates(~np.isnan(bmi) & ~np.isnan(y), adjust))
        if not grid.size:
            rows.append({"condition": condition, "note": f"BMI's 5th to 95th percentile holds no multiple of {step:g}"})
        margins = MarginCells(fit, X, len(knot_values), design, complete)
        for value in grid:
            numbers = margins.at(natural_spline_basis(np.array([value]), knot_values)[0]).summary(scale=LOGIT)
            del numbers["p_value"]
            rows.append({"condition": condition, "bmi": float(value)} | numbers)
    return pd.DataFrame(rows)


def _bmi_problem(frame: pd.DataFrame, knots: int) -> str:
    """Why the spline cannot be fitted at all, or ''."""
    if "bmi" not in frame:
        return "no BMI in this dataset"
    distinct = frame["bmi"].dropna().nunique()
    if distinct == 0:
        return "BMI is unknown in every row"
    if distinct < knots:
        return f"BMI takes {distinct} distinct values, fewer than the spline's {knots} knots (`dose_response: knots:`)"
    return ""


def margin_terms(coef: np.ndarray, X_at: np.ndarray, weight: np.ndarray, rows: np.ndarray):
    """Weighted mean of the predicted probabilities at X_at over `rows`, each row's own influence
    value (its deviation from the mean), and the mean's gradient in the coefficients. An aliased
    predictor (R: NA coefficient) adds nothing to the prediction."""
    p = 1 / (1 + np.exp(-(X_at @ np.nan_to_num(coef))))
    w = np.where(rows, weight, 0.0)
    total = w.sum()
    margin = float((w * p).sum() / total)
    gradient = (X_at * (w * p * (1 - p))[:, None]).sum(axis=0) / total
    return margin, np.where(rows, w * (p - margin) / total, 0.0), gradient


def predictive_margin(
    fit: Estimate, X_at: np.ndarray, design: SurveyDesign, rows: np.ndarray
) -> tuple[float, np.ndarray]:
    """Weighted mean of the predicted probabilities at X_at over `rows`, and the PSU totals of its influence.

    The influence adds the row's own deviation from the mean to the coefficients' influence
    through the gradient, so the variance covers both sources of sampling error.
    """
    margin, own, gradient = margin_terms(fit.coef, X_at, design.weight, rows)
    return margin, design.psu_totals(own)[:, 0] + fit.totals @ gradient


class MarginCells:
    """Predictive margins of one fit across BMI, from cells of its rows alike in PSU and covariates.

    With BMI set to one value, a row's prediction depends only on its covariates, so the rows of
    a PSU alike in them enter the margin and its own influence only through their summed weight:
    the margin and the PSU totals of its influence (predictive_margin's, summed by PSU) come from
    a few thousand cells instead of every row, and the coefficients' part from the fit's PSU totals.
    """

    def __init__(self, fit: Estimate, X: np.ndarray, spline_end: int, design: SurveyDesign, rows: np.ndarray):
        self.fit, self.design, self.rows, self.spline_end = fit, design, rows, spline_end
        if fit.totals is None:
            return
        covariates = pd.DataFrame(X[:, spline_end:]).assign(used=rows)
        cells, self.cell_design = collapse(covariates, design, list(covariates))
        self.covariates = cells.drop(columns=["used", "weight"]).to_numpy(float)
        self.used = cells["used"].to_numpy(bool)

    def at(self, spline_row: np.ndarray) -> Estimate:
        """The margin with everyone's spline terms set to `spline_row`, with the fit's residual df."""
        fit = self.fit
        if fit.totals is None:
            return Estimate.not_estimable(1, fit.n, fit.note)
        n = len(self.covariates)
        X_at = np.column_stack([np.ones(n), np.tile(spline_row, (n, 1)), self.covariates])
        margin, own, gradient = margin_terms(fit.coef, X_at, self.cell_design.weight, self.used)
        totals = self.cell_design.psu_totals(own) + fit.totals @ gradient[:, None]
        variance = self.design.variance_of_totals(totals, self.rows)
        return Estimate(np.array([margin]), variance, fit.df, fit.n, fit.note)
