"""Maximum likelihood of the canonical-link GLMs the estimators fit: logistic and Poisson.

Newton-Raphson here rather than statsmodels' GLM, which tests/test_glm.py checks these fits
against (and the R references check them against R's glm through every odds ratio):
- statsmodels' genmod loads scipy.stats, about 1.3 s: most of a model job at a million rows,
  and paid by each job that fits a model;
- a statsmodels fit costs milliseconds of set-up and results objects before any arithmetic, and
  the sensitivity analysis makes sixty fits on cells of a few hundred units;
- its IRLS takes a pseudo-inverse of the whole model matrix at every iteration: 17 s for the
  four-way log-linear model of 12 conditions, well under a second here;
- its convergence flag compares the deviance change with an absolute tolerance, which rounding
  in a large deviance can keep from being met although the fit is finished.
With the canonical link, Newton's method is Fisher scoring, the iteration of R's glm, so the
estimate is R's at its optimum (R stops earlier: identifiability.DEVIANCE_EPSILON).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .identifiability import deviance_converged

MAX_ITERATIONS = 100  # R glm.control(maxit = 25) stops sooner; separation is judged on what this reaches
SETTLED = 1e-12  # a relative deviance change this small: R's criterion, ten thousand times tighter
# a full Newton step this small against the coefficients: where the deviance is rounding alone (a
# saturated model of a million rows: 1e-9 either way of zero), its change cannot tell
STEP_SETTLED = 1e-10
HALVINGS = 30


@dataclass(frozen=True)
class Family:
    """A canonical-link family: its link and mean, the variance of a mean, and each unit's negative
    log-likelihood from y and the linear predictor (`loss`) up to a term in y alone, with that loss
    at the saturated model's mean, mu = y (`saturated`): the deviance is 2 w (loss - saturated)."""

    link: Callable[[np.ndarray], np.ndarray]
    mean: Callable[[np.ndarray], np.ndarray]
    variance: Callable[[np.ndarray], np.ndarray]
    loss: Callable[[np.ndarray, np.ndarray], np.ndarray]
    saturated: Callable[[np.ndarray], np.ndarray]


def _logistic_mean(eta: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):  # e^-eta = inf gives a mean of 0, as it should
        return 1 / (1 + np.exp(-eta))


def _p_log_p(p: np.ndarray) -> np.ndarray:
    return np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)


LOGISTIC = Family(
    link=lambda mu: np.log(mu / (1 - mu)),
    mean=_logistic_mean,
    variance=lambda mu: mu * (1 - mu),
    loss=lambda y, eta: np.logaddexp(0.0, eta) - y * eta,  # -(y log mu + (1 - y) log(1 - mu))
    saturated=lambda y: -(_p_log_p(y) + _p_log_p(1 - y)),
)
POISSON = Family(
    link=np.log,
    mean=np.exp,
    variance=lambda mu: mu,
    loss=lambda y, eta: np.exp(eta) - y * eta,  # mu - y log mu
    saturated=lambda y: y - _p_log_p(y),
)


@dataclass(frozen=True)
class Fit:
    """A fit's coefficients and fitted means, its deviance at each iteration, and whether it settled
    (newton_fit's criteria were met, then one more Newton step was taken)."""

    coef: np.ndarray
    mu: np.ndarray
    deviances: tuple[float, ...]
    settled: bool

    @property
    def converged(self) -> bool:
        """Settled, or finished by R's glm criterion (identifiability.deviance_converged)."""
        return self.settled or deviance_converged(self.deviances)


def newton_fit(family: Family, X: np.ndarray, y: np.ndarray, w: np.ndarray | None = None, start=None) -> Fit:
    """Maximum likelihood of y on X with prior weights w (ones when None), by Newton-Raphson.

    From `start`, or the intercept alone at the weighted mean of y (X's first column must be the
    intercept then). A step that would raise the deviance is halved. Settled when the deviance
    changes by less than SETTLED of itself, or a full step moves no coefficient by more than
    STEP_SETTLED (under separation steps stay large: coefficients grow without end); then one more
    step, which Newton's quadratic convergence takes to machine precision. Means that reach 0 or 1
    to machine precision (separation) leave the information singular: the fit stops there, not
    settled.
    """
    X, y = np.asarray(X, float), np.asarray(y, float)
    w = np.ones(len(y)) if w is None else np.asarray(w, float)
    beta = _starting_point(family, X, y, w) if start is None else np.asarray(start, float).copy()
    saturated = float((w * family.saturated(y)).sum())  # once: it does not change with beta

    def deviance_at(beta: np.ndarray) -> tuple[float, np.ndarray]:
        """The deviance at beta, and the linear predictor (kept: the next iteration starts from it)."""
        eta = X @ beta
        with np.errstate(over="ignore", invalid="ignore"):
            return 2 * (float((w * family.loss(y, eta)).sum()) - saturated), eta

    deviance, eta = deviance_at(beta)
    # a step may raise the deviance by its rounding (about 1e-16 of the weighted total) and still be
    # taken; near the maximum a stricter test would halve every step to nothing
    slack = 1e-12 * (abs(deviance) + float((w * (1 + y)).sum()))
    deviances, settled = [deviance], False
    for _ in range(MAX_ITERATIONS):
        mu = family.mean(eta)
        information = X.T @ (X * (w * family.variance(mu))[:, None])
        try:
            step = np.linalg.solve(information, X.T @ (w * (y - mu)))
        except np.linalg.LinAlgError:
            break  # means of 0 or 1 to machine precision (separation): nothing to gain, not settled
        step, new_deviance, eta, whole = _bounded_step(deviance_at, beta, step, deviance + slack)
        beta = beta + step
        if settled:
            break
        tiny_step = whole and np.max(np.abs(step)) <= STEP_SETTLED * (1 + np.max(np.abs(beta)))
        settled = tiny_step or abs(new_deviance - deviance) / (abs(new_deviance) + 0.1) < SETTLED
        deviance = new_deviance
        deviances.append(deviance)
    return Fit(beta, family.mean(eta), tuple(deviances), settled)


def _bounded_step(deviance_at, beta: np.ndarray, step: np.ndarray, bound: float):
    """The step, halved until the deviance it reaches is finite and at most `bound` (HALVINGS times at
    most); that deviance, the linear predictor there, and whether the step is whole."""
    for halving in range(HALVINGS):
        reached, eta = deviance_at(beta + step)
        if np.isfinite(reached) and reached <= bound:
            return step, reached, eta, halving == 0
        step = step / 2
    return step, reached, deviance_at(beta + step)[1], False


def _starting_point(family: Family, X: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    beta = np.zeros(X.shape[1])
    beta[0] = family.link(np.array((w * y).sum() / w.sum()))
    return beta
