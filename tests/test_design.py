"""Linearized variance against closed-form formulas."""

from __future__ import annotations

import numpy as np
import pytest

from msk_cooccurrence.survey.design import SurveyDesign, design_of, domain_mean_influence


def test_weights_only_variance_of_a_mean_is_the_textbook_formula():
    rng = np.random.default_rng(1)
    y, w = rng.integers(0, 2, 50).astype(float), rng.uniform(1, 5, 50)
    design = SurveyDesign.from_columns(w)
    mean, influence = domain_mean_influence(y, w, np.ones(50, bool))
    z = w * (y - mean) / w.sum()
    expected = 50 / 49 * np.sum((z - z.mean()) ** 2)
    assert mean == pytest.approx(np.average(y, weights=w), rel=1e-12)
    assert design.variance(influence)[0, 0] == pytest.approx(expected, rel=1e-12)
    assert design.degrees_of_freedom() == 49


def test_stratified_cluster_variance_centres_psu_totals_within_strata():
    # two strata; stratum A has PSUs with totals 1, 3, 5 and stratum B has 2, -2
    psu = np.array([0, 0, 1, 2, 3, 4])
    stratum = np.array(["A", "A", "A", "A", "B", "B"])
    x = np.array([0.5, 0.5, 3.0, 5.0, 2.0, -2.0])
    design = SurveyDesign.from_columns(np.ones(6), stratum, psu)
    # A: mean 3, squares 4+0+4 = 8, times 3/2 = 12; B: mean 0, squares 4+4 = 8, times 2/1 = 16
    assert design.variance(x)[0, 0] == pytest.approx(28.0)
    assert design.degrees_of_freedom() == 5 - 2


def test_psu_labels_are_nested_within_strata():
    # PSU "1" of stratum A and PSU "1" of stratum B are different clusters (nest = TRUE)
    design = SurveyDesign.from_columns(np.ones(4), ["A", "A", "B", "B"], ["1", "2", "1", "2"])
    assert len(np.unique(design.psu)) == 4


def test_a_domain_keeps_the_full_design_psu_count():
    # PSU 2 of stratum A has no domain rows: n_h stays 2 and its total counts as zero
    design = SurveyDesign.from_columns(np.ones(4), ["A", "A", "A", "A"], ["1", "1", "2", "2"])
    x = np.array([1.0, 1.0, 0.0, 0.0])
    domain = np.array([True, True, False, False])
    assert design.variance(x, domain)[0, 0] == pytest.approx(2 * ((2 - 1) ** 2 + (0 - 1) ** 2))
    assert design.degrees_of_freedom(domain) == 0  # R's degf(): one PSU, one stratum in the domain


@pytest.mark.parametrize(
    ("option", "expected"), [("adjust", 4 + 9), ("certainty", 4), ("remove", 4), ("average", 4 * 2)]
)
def test_lonely_psu_options(option, expected):
    # stratum A: totals 1, 3 -> (1 + 1) * 2/1 = 4; stratum B: one PSU with total 3, which "adjust"
    # centres at the grand mean (0), "average" replaces by the mean of the other strata (x 2/1)
    design = SurveyDesign.from_columns(np.ones(3), ["A", "A", "B"], ["1", "2", "1"], option)
    assert design.variance(np.array([1.0, 3.0, 3.0]))[0, 0] == pytest.approx(expected)


def test_design_of_uses_clusters_only_when_both_columns_are_there():
    import pandas as pd

    frame = pd.DataFrame({"weight": [1.0, 2.0, 3.0], "stratum": ["a", "a", "b"], "psu": ["1", "2", "1"]})
    assert design_of(frame).has_clusters
    assert not design_of(frame.drop(columns=["stratum", "psu"])).has_clusters
    with pytest.raises(ValueError, match="lonely_psu"):
        SurveyDesign.from_columns([1.0], lonely_psu="ignore")
