"""Every model the estimators fit is statsmodels' GLM: logistic and Poisson, canonical links, IRLS.

The odds ratios' and dose-response's logistic regressions, the log-linear Poisson model and the
imputation models are `statsmodels.genmod.generalized_linear_model.GLM` fitted by its iteratively
reweighted least squares. As R's `svyglm` wraps `glm`, the package's own code adds only the
design-based variance (inference.py, loglinear.py with design.py): from the fit it reads the
coefficients, the fitted means (the scores' residuals) and the model's unscaled covariance, the
inverse Fisher information (statsmodels' `normalized_cov_params`, R's `cov.unscaled`), which is the
bread of the sandwich. `fit` chooses the settings and keeps the statsmodels results (`Fit.results`,
for a notebook user: summary(), llf, ...).

Settings, and why:
- `var_weights=w`: the prior weights (the survey weights over their mean, or a cell's summed
  weights; the imputation models' counts). With a dispersion of 1 they enter the likelihood as R's
  glm `weights` do, so a cell of alike rows with their summed weight gives the rows' likelihood
  (inference.fit_units). For these two families frequency weights would give the same estimate
  and information; they differ only in the residual df, which no estimate here reads.
- `tol_criterion="params"`, `rtol=atol=STEP_SETTLED` (1e-10): the fit stops when an iteration moves
  every coefficient by less than 1e-10 of its size (or 1e-10). With a canonical link IRLS is Newton's
  method, which converges quadratically, so the estimate is then at machine precision, and the
  weights of the last iteration, from which statsmodels computes the covariance, are those of the
  optimum. A deviance criterion can promise neither: the deviance changes by the square of the
  step (a relative change of 1e-12 can leave a last step of 1e-6, and the covariance at the
  coefficients before it: R's own difference from the optimum, README), and where the deviance is
  rounding alone (the saturated log-linear model of a million rows: about 1e-9 either way of zero)
  its relative change never gets small. statsmodels' default, an absolute deviance change of 1e-8,
  depends on the deviance's size (a million at a million rows). Under separation the coefficients
  grow until statsmodels' means reach its bounds (machine epsilon from 0 or 1); the fit stops
  there or runs MAX_ITERATIONS, its means at 0 or 1 either way, and identifiability.py judges it.
  An imputation model asks for less (`tolerance`, imputation._logistic_fit): its estimate only
  centres a posterior draw.
- `wls_method="lstsq"` (statsmodels' default): each iteration's weighted least squares by LAPACK's
  SVD-based solver, and after the last statsmodels' pseudo-inverse (the covariance). Singular
  values below machine precision of the largest count as zero, which only a numerically singular
  model matrix has; aliased predictors are dropped before the fit by R's rule
  (identifiability.aliased_columns), so the answer is the full-rank problem's. `qr` gives the same
  fits to rounding (the R references pass with either) but forms Q explicitly, and after the last
  iteration statsmodels adds to it a pseudo-inverse: on the tall, narrow matrices fitted here it
  took as long with one BLAS thread at 20,000 units, half as long again at 80,000, and three times
  as long with OpenBLAS's threads on a busy machine.
- `maxiter=MAX_ITERATIONS` (100): R's glm.control(maxit = 25) stops sooner; separation is judged on
  what this reaches.
- the start: statsmodels' (family.starting_mu: for the binomial (y + 1/2) / 2, R's mustart at
  weight 1), or `start` (an imputation chain starts each model at its last estimate). IRLS takes
  whole steps (statsmodels does not halve them), which from a start far from the estimate can
  diverge: a fit from `start` that does not settle is made again from statsmodels' start.
statsmodels' warnings (PerfectSeparationWarning, ConvergenceWarning, DomainWarning, ...) and numpy's
floating-point warnings stay in here: identifiability.py judges aliasing, separation and
convergence and says what it found.

Costs (benchmarks/bench_pipeline.py prints them; a million rows, one BLAS thread as a workflow job
has): importing statsmodels' GLM loads scipy.stats, 0.6 to 0.7 s of each job that fits a model.
Each fit builds statsmodels' model and results objects (about a millisecond), and besides a
least-squares solve per iteration takes the rank of the model matrix and, after the last
iteration, its pseudo-inverse (and four more ranks where no column is constant, as with the
imputation models' pseudo-rows; two with `intercept=True`): the 18 odds-ratio models on a few
thousand cells take 0.03 s, the three dose-response models on up to 80,000 cells 0.15 s, and an
imputation chain's 40 logistic models with the design's strata (21 predictors, about 15,000 units)
2.4 s (imputation.py); without the strata (7 predictors, about 20,000 units) they took 0.7 s, so
that the chain took 0.9 s where it took 0.3 s with the
Newton steps these fits replaced. Multithreaded BLAS (OpenBLAS) makes the decompositions of such tall,
narrow matrices several times slower on a machine whose cores are busy; Snakemake runs each job
with the threads its rule declares (one).
"""

from __future__ import annotations

import gc
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .identifiability import deviance_converged

LOGISTIC = "logistic"  # statsmodels' Binomial family with its canonical (logit) link
POISSON = "poisson"  # statsmodels' Poisson family with its canonical (log) link
MAX_ITERATIONS = 100  # R glm.control(maxit = 25) stops sooner; separation is judged on what this reaches
STEP_SETTLED = 1e-10  # an iteration moving no coefficient by more than this of its size (or this) ends the fit
WLS_METHOD = "lstsq"
ENGINE = ("statsmodels", "statsmodels.genmod.generalized_linear_model.GLM")  # the package and class fit() uses


def engine_words(family: str = LOGISTIC) -> str:
    """What fits the models, as the report's methods say it: the package and version installed (read
    from its metadata, so the report job imports no statsmodels), the class (`quoted`: code) and the
    settings above."""
    import importlib.metadata

    package, model = ENGINE
    version = importlib.metadata.version(package)
    kind = "Binomial family, logit link" if family == LOGISTIC else "Poisson family, log link"
    exponent = f"{np.log10(STEP_SETTLED):.0f}".translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return (
        f"{package} {version} `{model}`, {kind}, by iteratively reweighted least squares until no "
        f"coefficient moves by more than 10{exponent} of its size"
    )


@dataclass(frozen=True)
class Fit:
    """A fit's coefficients, fitted means and unscaled covariance (the inverse Fisher information at
    the estimate), its deviance at the start and after each iteration, whether it settled (met the
    STEP_SETTLED criterion), and statsmodels' results object (None only in tests' stand-ins)."""

    coef: np.ndarray
    mu: np.ndarray
    covariance: np.ndarray
    deviances: tuple[float, ...]
    settled: bool
    results: Any = None

    @property
    def converged(self) -> bool:
        """Settled, or finished by R's glm criterion (identifiability.deviance_converged)."""
        return self.settled or deviance_converged(self.deviances)


def fit(
    family: str,
    X: np.ndarray,
    y: np.ndarray,
    w: np.ndarray | None = None,
    start=None,
    *,
    tolerance: float = STEP_SETTLED,
    intercept: bool = False,
) -> Fit:
    """Maximum likelihood of y on X with prior weights w (none when None): statsmodels' GLM of the
    family (LOGISTIC or POISSON) with its canonical link, by IRLS with this module's settings.

    `tolerance`: the step that ends the fit (STEP_SETTLED unless the caller needs less: an
    imputation's posterior draw, imputation._logistic_fit). `intercept`: the model has an intercept
    even where no column of X is constant (statsmodels' hasconst; the imputation models' ridge rows
    hold a 0 in it), which spares statsmodels two ranks of X looking for an implicit one.

    From `start` when given; IRLS has no step halving and can diverge from a start far from the
    estimate, so a fit from `start` that does not settle is made again from statsmodels' start.
    Raises what statsmodels raises for a fit it cannot make: numpy's LinAlgError (a singular least
    squares problem) or ValueError (a deviance or working response that is not finite).
    """
    settings = {"tolerance": tolerance, "intercept": intercept}
    if start is not None:
        try:
            found = _statsmodels_fit(family, X, y, w, np.asarray(start, float), **settings)
            if found.settled:
                return found
        except (np.linalg.LinAlgError, ValueError):
            pass
    return _statsmodels_fit(family, X, y, w, None, **settings)


def _statsmodels_fit(family: str, X, y, w, start, tolerance: float, intercept: bool) -> Fit:
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    chosen = {LOGISTIC: families.Binomial, POISSON: families.Poisson}[family]()
    weights = None if w is None else np.asarray(w, float)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # identifiability.py says what a warning would
        model = GLM(
            np.asarray(y, float), np.asarray(X, float), family=chosen, var_weights=weights, hasconst=intercept or None
        )
        results = model.fit(
            start_params=start,
            maxiter=MAX_ITERATIONS,
            tol_criterion="params",
            tol=tolerance,
            atol=tolerance,
            rtol=tolerance,
            wls_method=WLS_METHOD,
        )
        found = Fit(
            coef=np.asarray(results.params, float),
            mu=np.asarray(results.mu, float),
            covariance=np.asarray(results.normalized_cov_params, float),
            deviances=tuple(float(d) for d in results.fit_history["deviance"][1:]),  # [0] is statsmodels' inf
            settled=bool(results.converged),
            results=results,
        )
    # each IRLS iteration leaves its least squares in a reference cycle (statsmodels' Bunch refers to
    # itself) holding a weighted copy of the model matrix: collected while young (a fraction of a
    # millisecond), not left to the rare collections of the oldest generation (a full one costs tens of
    # milliseconds with pandas and scipy loaded): an imputation job's fits left 600 MiB behind
    gc.collect(1)
    return found
