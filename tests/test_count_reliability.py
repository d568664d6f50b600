"""Counts under the NCHS standard for counts (as CDCgov/surveytable applies it), and no suppressed
estimate given back by the counts or ratios beside it: prevalence, patterns, Table 1, the UpSet
plot and the key findings, on hand-built data where it would otherwise be recoverable."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import all_tables
from scipy import stats

from msk_cooccurrence.labels import readable
from msk_cooccurrence.report import presentation
from msk_cooccurrence.report.document import key_findings
from msk_cooccurrence.survey.count_reliability import (
    SUPPRESS,
    count_interval,
    count_sample_size,
    kish_design_effect,
    nchs_count_reliability,
)


def test_kish_design_effect_is_surveytables_deffK():
    w = np.array([1.0, 2.0, 2.0, 5.0, 10.0])
    deff_k = 1 + np.mean((w - w.mean()) ** 2) / w.mean() ** 2  # R/z_deffK.R, on the weights
    assert kish_design_effect(len(w), w.sum(), (w**2).sum()) == pytest.approx(deff_k, rel=1e-12)
    assert count_sample_size(12, 1.5) == 8 and count_sample_size(12, 0.9) == 12  # capped at n


def test_the_count_rules_at_their_thresholds():
    # the log Student's t interval of NCHS Series 2 no. 200, equation 24, by hand
    x, se, size = 1000.0, 300.0, 15.0
    k = stats.t.ppf(0.975, size - 1) * se / x
    assert count_interval(x, se, size) == pytest.approx((x * np.exp(-k), x * np.exp(k)), rel=1e-12)
    assert nchs_count_reliability(x, se, size, df=20) == "ok"  # width 2 sinh(k) = 1.31 <= 1.60
    assert nchs_count_reliability(x, se, 9.99, df=20) == SUPPRESS[0]
    # relative width 2 sinh(k) <= 1.60 where k <= asinh(0.8) = 0.7327
    assert nchs_count_reliability(x, 0.73 * x / stats.t.ppf(0.975, size - 1), size, df=20) == "ok"
    assert nchs_count_reliability(x, 0.74 * x / stats.t.ppf(0.975, size - 1), size, df=20) == SUPPRESS[1]
    assert nchs_count_reliability(x, se, size, df=7) == "review: df < 8"
    assert nchs_count_reliability(0.0, 0.0, size, df=20) == SUPPRESS[1]


def rare_frame(n=400, seed=3, rare_every=7) -> pd.DataFrame:
    """Three conditions; 'a' rare among the underweight, and a+b+c a rare pattern, weights unequal."""
    rng = np.random.default_rng(seed)
    bmi = np.where(np.arange(n) < 40, 17.0, rng.uniform(19, 40, n))
    a = np.where(bmi < 18.5, np.arange(n) % 20 == 0, rng.random(n) < 0.3)  # 2 of 40 underweight
    b = rng.random(n) < 0.3
    c = np.where(a & b, np.arange(n) % rare_every == 0, rng.random(n) < 0.4)
    return pd.DataFrame(
        {
            "age": rng.integers(18, 90, n).astype(float),
            "sex": rng.choice(["female", "male"], n),
            "bmi": bmi,
            "weight": rng.uniform(500, 3000, n),
            "a": pd.array(a, dtype="boolean"),
            "b": pd.array(b, dtype="boolean"),
            "c": pd.array(c, dtype="boolean"),
        }
    )


@pytest.fixture(scope="module")
def tables():
    return all_tables(rare_frame(), conditions=["a", "b", "c"], covariates=["age"])


def test_a_suppressed_prevalence_takes_its_cases_down_with_it(tables):
    prevalence = tables["prevalence"]
    row = prevalence[(prevalence["condition"] == "a") & (prevalence["level"] == "underweight (<18.5)")].iloc[0]
    assert presentation.mark(row.reliability) == presentation.SUPPRESSED
    # without the mask, the counts beside it give it back exactly (cases / population) or nearly
    assert row.cases / row.population == pytest.approx(row.estimate, rel=1e-12)
    assert row.cases_reliability == SUPPRESS[2]
    shown = presentation.display_table("prevalence", prevalence)
    cells = shown.loc[row.name]
    assert cells["Prevalence (%)"] == presentation.SUPPRESSED
    for column in ("n_cases", "cases"):
        header = presentation.column_header(column, {})
        assert cells[header] == presentation.SUPPRESSED, column
    assert f"{row.estimate:.3g}" not in " ".join(map(str, cells.values))
    # a presented prevalence keeps its counts
    fine = prevalence[prevalence["reliability"] == "ok"].index[0]
    assert shown.loc[fine, presentation.column_header("cases", {})] != presentation.SUPPRESSED


def test_cells_give_the_count_verdicts_of_the_rows():
    frame = rare_frame()
    by_rows = all_tables(frame, collapse=False, conditions=["a", "b", "c"], covariates=["age"])["prevalence"]
    by_cells = all_tables(frame, collapse=True, conditions=["a", "b", "c"], covariates=["age"])["prevalence"]
    columns = ["cases_reliability", "population_reliability", "reliability"]
    assert by_rows[columns].equals(by_cells[columns])


def test_a_suppressed_pattern_shows_neither_its_n_nor_observed_over_expected():
    patterns = all_tables(rare_frame(n=80, seed=5, rare_every=4), conditions=["a", "b", "c"])["patterns"]
    rare = patterns[patterns["pattern"] == "a+b+c"].iloc[0]
    assert presentation.mark(rare.reliability) == presentation.SUPPRESSED
    assert rare.expected * rare.oe_ratio == pytest.approx(rare.estimate, rel=1e-9)  # what the mask stops
    shown = presentation.display_table("patterns", patterns).loc[rare.name]
    headers = [presentation.column_header(c, {}) for c in ("n", "oe_ratio", "oe_ci_low", "oe_ci_high")]
    assert all(shown[h] == presentation.SUPPRESSED for h in headers)
    assert shown["Share (%)"] == presentation.SUPPRESSED


def test_a_pattern_of_few_respondents_passes_the_proportion_rules_and_fails_the_count_rule(tables):
    rare = tables["patterns"].set_index("pattern").loc["a+b+c"]
    assert rare.n < 10 and rare.reliability == "ok" and rare.count_reliability == SUPPRESS[0]
    assert "a + b + c:" not in " ".join(key_findings(tables["prevalence"], tables["odds_ratios"], tables["patterns"]))


def test_a_key_finding_never_rests_on_a_suppressed_or_reviewed_share(tables):
    patterns = tables["patterns"].copy()
    top = patterns[patterns["n_conditions"] >= 2]["oe_ratio"].idxmax()
    patterns.loc[top, "reliability"] = SUPPRESS[0].replace("sample size", "effective n").replace("10", "30")
    text = " ".join(key_findings(tables["prevalence"], tables["odds_ratios"], patterns))
    name = " + ".join(str(patterns.loc[top, "pattern"]).split("+"))
    assert f"over-represented relative to independence is {name}:" not in text
    patterns["reliability"] = "review: df < 8"
    text = " ".join(key_findings(tables["prevalence"], tables["odds_ratios"], patterns))
    assert "over-represented relative to independence is" not in text and "none is named" in text


def test_a_suppressed_table1_cell_has_no_n():
    table = pd.DataFrame(
        [
            {"condition": "a", "row_type": "total", "n_without": 90, "estimate_without": 9e5, "n_with": 10},
            {"condition": "a", "label": "x", "row_type": "level", "n_without": 88, "n_with": 2},
        ]
    ).assign(estimate_with=[1e5, 0.2], ci_low_without=0.1, ci_high_without=0.3, ci_low_with=0.05, ci_high_with=0.5)
    table = table.assign(estimate_without=[9e5, 0.9], reliability_without="ok", reliability_with="ok", p_value=np.nan)
    table.loc[1, "reliability_with"] = "suppress: effective n < 30"
    ((_, block),) = presentation.table1_blocks(table)
    with_column = block.columns[2]
    assert block.loc[0, with_column] == presentation.SUPPRESSED
    assert block.loc[0, block.columns[1]].endswith("n = 88")


def test_the_upset_plot_draws_no_suppressed_share():
    from helpers import settings_of

    from msk_cooccurrence.report import figures

    patterns = all_tables(rare_frame(n=80, seed=5, rare_every=4), conditions=["a", "b", "c"])["patterns"]
    figure = figures.upset_figure(patterns, settings_of(conditions=["a", "b", "c"]))
    heights = [bar.get_height() for bar in figure.axes[0].patches]
    suppressed = patterns["reliability"].map(presentation.mark).eq(presentation.SUPPRESSED).to_numpy()
    assert suppressed.any() and not suppressed.all()
    assert np.allclose(np.array(heights)[suppressed], 0) and (np.array(heights)[~suppressed] > 0).all()
    stars = [t for t in figure.axes[0].texts if t.get_text() == "*"]
    assert len(stars) == suppressed.sum()
    figures.plt.close(figure)


def test_a_combination_is_named_over_represented_only_where_its_observed_expected_ci_is_above_1(tables):
    patterns = tables["patterns"].copy()
    patterns["reliability"], patterns["count_reliability"] = "ok", "ok"
    multi = patterns["n_conditions"] >= 2
    patterns.loc[multi, ["oe_ratio", "oe_ci_low", "oe_ci_high"]] = [1.19, 0.86, 1.64]  # CI includes 1
    text = " ".join(key_findings(tables["prevalence"], tables["odds_ratios"], patterns))
    assert "over-represented relative to independence is" not in text and "beyond chance" in text
    first = patterns.index[multi][0]
    patterns.loc[first, ["oe_ratio", "oe_ci_low", "oe_ci_high"]] = [1.5, 1.1, 2.0]
    text = " ".join(key_findings(tables["prevalence"], tables["odds_ratios"], patterns))
    name = " + ".join(readable(c) for c in str(patterns.loc[first, "pattern"]).split("+"))
    assert f"over-represented relative to independence is {name}:" in text
