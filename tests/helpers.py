"""Small tables for the tests, written the way researchers' files come."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

CONDITIONS = ["knee_oa", "bunions", "obesity", "low_back_pain"]
COLUMNS = {
    "id": "ID",
    "age": "AGE",
    "sex": "SEX",
    "bmi": "BMI",
    "knee_oa": "KOA",
    "low_back_pain": "LBP",
    "weight": "WT",
}
CODES = {
    "sex": {1: "male", 2: "female"},
    "knee_oa": {1: True, 2: False, 9: None},
    "low_back_pain": {1: True, 2: False, 9: None},
}


def small_table(n: int = 40) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ID": [f"{i:04d}" for i in range(n)],
            "AGE": [20 + (i * 7) % 60 for i in range(n)],
            "SEX": [1 + i % 2 for i in range(n)],
            "BMI": [22.0 + (i * 3) % 15 for i in range(n)],
            "KOA": [1 if i % 5 == 0 else 2 for i in range(n)],
            "LBP": [1 if i % 3 == 0 else (9 if i % 11 == 0 else 2) for i in range(n)],
            "WT": [1000.0 + 10 * i for i in range(n)],
        }
    )


def table_dataset(path: Path, **extra) -> dict:
    return {"source": "table", "path": str(path), "columns": dict(COLUMNS), "codes": dict(CODES)} | extra
