"""Natural cubic splines (splines.py) against patsy's natural cubic regression spline and closed forms."""

from __future__ import annotations

import numpy as np
import patsy
import pytest

from msk_cooccurrence.survey.splines import harrell_knots, natural_spline_basis


@pytest.mark.parametrize("knots", [3, 4, 5, 7])
def test_the_basis_spans_patsy_s_natural_cubic_spline_with_the_same_knots(knots):
    """With the intercept, our basis and patsy's cr() with the same knots span the same functions,
    so a model fits the same with either: each patsy column is a combination of ours, and back."""
    x = np.random.default_rng(knots).gamma(4, 7, 800) + 18
    k = harrell_knots(x, knots)
    ours = np.column_stack([np.ones_like(x), natural_spline_basis(x, k)])
    theirs = patsy.dmatrix(
        "cr(x, knots=inner, lower_bound=low, upper_bound=high) - 1",
        {"x": x, "inner": k[1:-1], "low": k[0], "high": k[-1]},
    )
    assert ours.shape[1] == np.asarray(theirs).shape[1] == knots
    for a, b in ((ours, np.asarray(theirs)), (np.asarray(theirs), ours)):
        coef, *_ = np.linalg.lstsq(b, a, rcond=None)
        np.testing.assert_allclose(b @ coef, a, atol=1e-8 * np.abs(a).max())


def test_the_basis_is_linear_beyond_the_outer_knots():
    k = np.array([20.0, 35.0, 50.0, 70.0])
    x = np.array([0.0, 5.0, 10.0, 80.0, 90.0, 100.0])
    basis = natural_spline_basis(x, k)
    for part in (basis[:3], basis[3:]):  # second differences of equally spaced points vanish
        np.testing.assert_allclose(np.diff(part, 2, axis=0), 0, atol=1e-9)


def test_harrell_knots_are_r_s_type_7_quantiles_at_harrell_s_probabilities():
    x = np.arange(1.0, 101.0)
    np.testing.assert_allclose(
        harrell_knots(x, 4), [5.95, 35.65, 65.35, 95.05]
    )  # R: quantile(1:100, c(.05,.35,.65,.95))
    assert np.isnan(harrell_knots(np.array([np.nan, 1.0, 2.0, 3.0]), 3)).sum() == 0  # unknown values left out
