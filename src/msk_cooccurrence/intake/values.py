"""The values intake shares between its steps: a cell as a code key, tallies of values that failed to
convert, and the candidate a typo meant.

They sit below `derive`, `harmonize`, `ingest` and `nhanes`, which all read them, so that none of
those imports another for them (issue 22: there was an import circle derive -> harmonize -> ingest
-> derive).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd


def canonical(value, text_as_written: bool = False) -> str | None:
    """A value as a code key: numbers without a trailing .0, text stripped; None when missing.

    With text_as_written, text that looks like a number stays as written (ids keep leading zeros).
    """
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    text = str(value).strip()
    if text == "":
        return None
    if text_as_written and isinstance(value, str):
        return text
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if number.is_integer() else repr(number)


@dataclass(frozen=True)
class Tally:
    """A column's values over some rows: how many were present, how many failed to convert, the first
    five distinct failed values and the first five failed rows. Tallies of chunks add up to the file's."""

    present: int
    failed: int
    values: tuple = ()
    rows: tuple = ()

    def __add__(self, other: Tally) -> Tally:
        values = tuple(dict.fromkeys(self.values + other.values))[:5]
        return Tally(self.present + other.present, self.failed + other.failed, values, (self.rows + other.rows)[:5])

    @property
    def none_converted(self) -> bool:
        """Not one of at least two present values converted: a mapping mistake, not bad rows."""
        return self.present >= 2 and self.failed >= self.present


def add_tallies(total: Mapping, more: Mapping) -> dict:
    """Tallies by key, summed; keys in the order first seen."""
    return {
        key: total[key] + more[key] if key in total and key in more else total.get(key, more.get(key))
        for key in dict.fromkeys([*total, *more])
    }


def close_match(name: str, candidates: list[str]) -> str | None:
    """The candidate a typo most likely meant: same letters in another case first, then similar."""
    for candidate in candidates:
        if candidate.lower() == name.lower():
            return candidate
    close = difflib.get_close_matches(name.lower(), [c.lower() for c in candidates], n=1)
    return next((c for c in candidates if close and c.lower() == close[0]), None)
