"""How names read in tables and figures: knee_oa -> Knee osteoarthritis.

Conditions and groupings the project knows have a written label; any other name (a condition a
user adds, a level such as "40-59") reads with its underscores as spaces.
"""

from __future__ import annotations

LABELS = {
    "knee_oa": "Knee osteoarthritis",
    "bunions": "Bunions (hallux valgus)",
    "obesity": "Obesity",
    "low_back_pain": "Low back pain",
    "age": "Age (years)",
    "sex": "Sex",
    "age_band": "Age band (years)",
    "bmi_class": "BMI class (kg/m²)",
    "female": "Female",
    "male": "Male",
    "unknown": "Unknown",
}


def readable(name) -> str:
    """The label a reader sees for a column, condition, grouping or level name."""
    text = str(name)
    return LABELS.get(text, text.replace("_", " "))
