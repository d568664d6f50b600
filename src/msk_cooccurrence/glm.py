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
HALVINGS = 30


@dataclass(frozen=True)
class Family:
    """A canonical-link family: its link, the mean of a linear predictor, the variance of a mean, and
    the deviance of each unit from y and the linear predictor."""

    link: Callable[[np.ndarray], np.ndarray]
    mean: Callable[[np.ndarray], np.ndarray]
    variance: Callable[[np.ndarray], np.ndarray]
    deviance: Callable[[np.ndarray, np.ndarray], np.ndarray]


def _logistic_mean(eta: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -eta))  # 1 / (1 + e^-eta) without overflow


def _logistic_deviance(y: np.ndarray, eta: np.ndarray) -> np.ndarray:
    # -2 log-likelihood from eta directly (log mu = -log(1 + e^-eta): exact near 0 and 1), less the
    # saturated model's (zero for outcomes of 0 or 1)
    saturated = _p_log_p(y) + _p_log_p(1 - y)
    return 2 * (y * np.logaddexp(0.0, -eta) + (1 - y) * np.logaddexp(0.0, eta) + saturated)


def _p_log_p(p: np.ndarray) -> np.ndarray:
    return np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)


def _poisson_deviance(y: np.ndarray, eta: np.ndarray) -> np.ndarray:
    return 2 * (_p_log_p(y) - y * eta - (y - np.exp(eta)))


LOGISTIC = Family(lambda mu: np.log(mu / (1 - mu)), _logistic_mean, lambda mu: mu * (1 - mu), _logistic_deviance)
POISSON = Family(np.log, np.exp, lambda mu: mu, _poisson_deviance)


@dataclass(frozen=True)
class Fit:
    """A fit's coefficients and fitted means, its deviance at each iteration, and whether it settled
    (the relative deviance change fell below SETTLED, then one more Newton step was taken)."""

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
    changes by less than SETTLED of itself; then one more step, which Newton's quadratic
    convergence takes to machine precision (a deviance near zero settles while the coefficients
    are still about 1e-8 from the optimum). Means that reach 0 or 1 to machine precision (separation)
    leave the information singular: the fit stops there, not settled.
    """
    X, y = np.asarray(X, float), np.asarray(y, float)
    w = np.ones(len(y)) if w is None else np.asarray(w, float)
    beta = _starting_point(family, X, y, w) if start is None else np.asarray(start, float).copy()
    deviance = _deviance(family, X, y, w, beta)
    # a step may raise the deviance by its rounding (about 1e-16 of the weighted total) and still be
    # taken; near the maximum a stricter test would halve every step to nothing
    slack = 1e-12 * (abs(deviance) + float((w * (1 + y)).sum()))
    deviances, settled = [deviance], False
    for _ in range(MAX_ITERATIONS):
        mu = family.mean(X @ beta)
        information = X.T @ (X * (w * family.variance(mu))[:, None])
        try:
            step = np.linalg.solve(information, X.T @ (w * (y - mu)))
        except np.linalg.LinAlgError:
            break  # means of 0 or 1 to machine precision (separation): nothing to gain, not settled
        for _ in range(HALVINGS):
            new_deviance = _deviance(family, X, y, w, beta + step)
            if np.isfinite(new_deviance) and new_deviance <= deviance + slack:
                break
            step = step / 2
        beta = beta + step
        if settled:
            break
        settled = abs(new_deviance - deviance) / (abs(new_deviance) + 0.1) < SETTLED
        deviance = new_deviance
        deviances.append(deviance)
    return Fit(beta, family.mean(X @ beta), tuple(deviances), settled)


def _starting_point(family: Family, X: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    beta = np.zeros(X.shape[1])
    beta[0] = family.link(np.array((w * y).sum() / w.sum()))
    return beta


def _deviance(family: Family, X: np.ndarray, y: np.ndarray, w: np.ndarray, beta: np.ndarray) -> float:
    with np.errstate(over="ignore", invalid="ignore"):
        return float((w * family.deviance(y, X @ beta)).sum())
