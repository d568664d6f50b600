"""The harmonized columns every dataset is brought to: the one definition harmonize, validation,
the config checks and the documentation read. Conditions are added per run, as nullable booleans.
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCE_ROW = "source_row"  # 1-based data row in the input, carried to the quarantine


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text, number or sex
    required: bool
    meaning: str
    low: float | None = None  # inclusive bounds of a number
    high: float | None = None
    above: float | None = None  # exclusive lower bound of a number
    nullable: bool = False
    unique: bool = False


HARMONIZED = (
    Column("id", "text", True, "a respondent identifier, unique in the file", unique=True),
    Column("age", "number", True, "age in years, 18 to 120", low=18, high=120),
    Column("sex", "sex", True, "female or male"),
    Column("bmi", "number", False, "body mass index, kg/m2, 10 to 100", low=10, high=100, nullable=True),
    Column("weight", "number", False, "survey weight > 0 (1 for every row when absent)", above=0),
    Column("stratum", "text", False, "design stratum (with psu)"),
    Column("psu", "text", False, "primary sampling unit within its stratum (with stratum)"),
)
BY_NAME = {column.name: column for column in HARMONIZED}
NAMES = tuple(BY_NAME)
NUMERIC = tuple(c.name for c in HARMONIZED if c.kind == "number")
TEXT = tuple(c.name for c in HARMONIZED if c.kind == "text")
