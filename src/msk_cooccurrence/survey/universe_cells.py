"""Groupings that say nothing about a condition: those that define it, and the age bands it was never
measured in.

- A grouping that defines a condition (obesity is BMI >= the cut-off, the top BMI class) has the
  condition at 0% or 100% in each level by definition, and a test of association p < 0.001 that
  says nothing: prevalence, Table 1 and the association tests leave it out, Table 1 with a row
  saying why.
- A condition measured in part of the sample only (a universe: NHANES's foot exam from age 40)
  has no estimate in an age band outside it. That is not a suppressed estimate (one the NCHS
  standards judge too imprecise to show) but one never measured: its verdict is NOT_MEASURED and
  the report shows it in words.
"""

from __future__ import annotations

from collections.abc import Mapping

DEFINED_BY = {"obesity": "bmi_class"}  # condition -> the grouping that defines it
NOT_MEASURED = "not measured: outside the ages the condition was measured in"
AGE_GROUPS = ("age_band",)  # the groupings made of ages, the only ones a universe (ages) can leave out whole


def defines(grouping: str, condition: str) -> bool:
    """Whether `grouping` defines `condition`, so that the condition is 0% or 100% in each level."""
    return DEFINED_BY.get(condition) == grouping


def defining_note(grouping: str, condition: str) -> str:
    return f"left out: {condition} is defined by {grouping}, so each level would be 0% or 100% by definition"


def never_measured(condition: str, grouping: str, known_rows: int, universes: Mapping) -> bool:
    """Whether a level of an age grouping lies outside the condition's universe: no row measured in it."""
    return grouping in AGE_GROUPS and condition in universes and known_rows == 0
