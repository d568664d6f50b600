"""Claims from the clinical literature, each held against this dataset's odds ratio.

A verdict is "supported" when the 95% CI excludes 1 on the claimed side, "opposite" when it
excludes 1 on the other side, "not supported" when it includes 1, and "not estimable" when the
dataset lacks a condition or the model could not be fitted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..settings import Settings


def verdict(direction: str, low: float, high: float) -> str:
    if not (np.isfinite(low) and np.isfinite(high)):
        return "not estimable"
    above, below = low > 1, high < 1
    if (direction == "positive" and above) or (direction == "negative" and below):
        return "supported"
    if above or below:
        return "opposite"
    return "not supported"


def published_figures(literature: pd.DataFrame, keys) -> tuple[str, str]:
    """The published values named by `keys`, in words, and their citations."""
    rows = literature[literature["quantity"].isin(list(keys))]
    words = []
    for r in rows.itertuples():
        kind = r.quantity.split(":")[0].replace("_", " ")
        interval = f" (95% CI {r.ci_low:g} to {r.ci_high:g})" if pd.notna(r.ci_low) and pd.notna(r.ci_high) else ""
        words.append(f"{kind} {r.value:g}{interval}, {r.population}")
    return " | ".join(words), " | ".join(dict.fromkeys(rows["source"]))


def claims_table(settings: Settings, odds_ratios: pd.DataFrame, literature: pd.DataFrame) -> pd.DataFrame:
    odds = odds_ratios
    rows = []
    for claim in settings.claims:
        a, b, model = claim["a"], claim["b"], claim.get("model", "adjusted")
        published, source = published_figures(literature, claim.get("literature", []))
        row = {
            "claim": claim["statement"],
            "condition_a": a,
            "condition_b": b,
            "direction": claim["direction"],
            "model": model,
            "published": published,
            "published_source": source,
        }
        match = _odds_row(odds, a, b, model)
        if match is None:
            missing = f"{settings.label(a)} or {settings.label(b)} is not in this dataset"
            rows.append(row | {"verdict": "not estimable", "note": missing})
            continue
        note = match["note"] if isinstance(match["note"], str) else ""
        if (match["condition_a"], match["condition_b"]) != (a, b):
            given = f"estimated as {settings.label(match['condition_b'])} given {settings.label(match['condition_a'])}"
            note = "; ".join(filter(None, [note, given]))
        rows.append(
            row
            | {k: match[k] for k in ("estimate", "ci_low", "ci_high", "p_value")}
            | {"verdict": verdict(claim["direction"], match["ci_low"], match["ci_high"]), "note": note}
        )
    return pd.DataFrame(rows)


def _odds_row(odds: pd.DataFrame, a: str, b: str, model: str):
    for first, second in ((a, b), (b, a)):
        hit = odds[(odds["condition_a"] == first) & (odds["condition_b"] == second) & (odds["model"] == model)]
        if len(hit):
            return hit.iloc[0]
    return None
