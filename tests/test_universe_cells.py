"""A grouping that defines a condition is left out with a note (obesity by BMI class), and an age band
outside a condition's universe is shown as not measured, never as suppressed."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from helpers import settings_of
from test_tables import frame_of

from msk_cooccurrence import pipeline
from msk_cooccurrence.labels import readable
from msk_cooccurrence.report import figures, presentation
from msk_cooccurrence.survey.universe_cells import NOT_MEASURED
from msk_cooccurrence.tables.association import association_table
from msk_cooccurrence.tables.prevalence import prevalence_table
from msk_cooccurrence.tables.table1 import table1_table


def analysis(universes=None, conditions=("a", "obesity", "c")):
    frame = frame_of(n=600, seed=4).rename(columns={"b": "obesity"})
    frame["obesity"] = pd.array(frame["bmi"] >= 30, dtype="boolean")  # as derived from BMI
    if universes:  # c measured from 40 only: unknown below, as restrict_to_universes leaves it
        frame["c"] = frame["c"].where(frame["age"] >= 40, pd.NA)
    settings = settings_of(conditions=list(conditions), covariates=["age"])
    settings = dataclasses.replace(settings, universes=universes or {})
    return pipeline.analysis_data(frame, settings), settings


def test_table1_of_obesity_leaves_out_bmi_class_with_a_note():
    data, settings = analysis()
    table = table1_table(data, settings)
    obesity = table[table["condition"] == "obesity"]
    by_bmi = obesity[obesity["characteristic"] == "bmi_class"]
    assert list(by_bmi["row_type"]) == ["left_out"]  # no 0% / 100% rows, no p < 0.001 by definition
    assert "obesity is defined by bmi_class" in by_bmi["note"].iloc[0]
    # other conditions keep their BMI-class rows and test
    other = table[(table["condition"] == "a") & (table["characteristic"] == "bmi_class")]
    assert (other["row_type"] == "level").sum() == 4 and other["p_value"].notna().any()
    (_, block) = next(b for b in presentation.table1_blocks(table) if b[0].lower().startswith("obes"))
    line = block[block["Characteristic"].str.startswith("BMI")].iloc[0]
    assert "left out" in line.iloc[1] and line["p-value"] == ""
    tests = association_table(data, settings)
    assert tests[(tests["condition"] == "obesity") & (tests["by"] == "bmi_class")].empty
    assert not tests[(tests["condition"] == "a") & (tests["by"] == "bmi_class")].empty


@pytest.fixture(scope="module")
def universe():
    return analysis({"c": {"min_age": 40}})


def test_an_age_band_outside_the_universe_is_not_measured_not_suppressed(universe):
    data, settings = universe
    prevalence = prevalence_table(data, settings)
    young = prevalence[(prevalence["condition"] == "c") & (prevalence["level"] == "18-39")].iloc[0]
    assert young.reliability == NOT_MEASURED and not presentation.is_suppressed(young.reliability)
    assert young.cases_reliability == NOT_MEASURED
    shown = presentation.display_table("prevalence", prevalence).loc[young.name]
    assert shown["Prevalence (%)"] == presentation.UNMEASURED and presentation.SUPPRESSED not in shown.values
    assert presentation.has_marks(prevalence)  # so the footnote that says what "not measured" means is shown
    # a band inside, and a condition without a universe, are estimated as usual
    assert prevalence[(prevalence["condition"] == "c") & (prevalence["level"] == "60+")]["estimate"].notna().all()
    a_young = prevalence[(prevalence["condition"] == "a") & (prevalence["level"] == "18-39")].iloc[0]
    assert a_young.reliability != NOT_MEASURED


def test_table1_and_the_figure_say_not_measured(universe):
    data, settings = universe
    table = table1_table(data, settings)
    young = table[(table["condition"] == "c") & (table["level"] == "18-39")].iloc[0]
    assert young.reliability_with == NOT_MEASURED == young.reliability_without
    (_, block) = next(b for b in presentation.table1_blocks(table) if b[0] == readable("c"))
    line = block[block["Characteristic"].str.strip() == "18-39"].iloc[0]
    assert line.iloc[1] == line.iloc[2] == presentation.UNMEASURED
    figure = figures.prevalence_figure(prevalence_table(data, settings), settings)
    words = [t.get_text() for ax in figure.axes for t in ax.texts]
    assert words.count("not measured") == 1 and "*" not in words
    figures.plt.close(figure)


def test_a_level_nobody_has_outside_age_is_not_called_not_measured():
    data, settings = analysis()
    prevalence = prevalence_table(data, settings)
    assert not prevalence["reliability"].eq(NOT_MEASURED).any()
    assert np.isfinite(prevalence["estimate"]).all()
