"""A dataset's name on its pages, and the words that say its numbers describe no one.

A dataset's `title:` names it in its report and the index (its key where there is none). A
dataset whose rows are made up says `illustrative: true` (the schema makes the synthetic source
always so; a source with a known truth gets the words about that truth): its
report carries a banner at the top and a reminder in every section and table page that shows
numbers, and its index entry says so too, because such a report still cites real papers beside
"supported". Every one of those words comes from here, the synthetic source's included.
"""

from __future__ import annotations

from collections.abc import Mapping

REMINDER = "Illustrative data: made-up rows, so the numbers describe no one."
INDEX_MARK = "illustrative: made-up data, the numbers describe no one"


def title(name: str, dataset: Mapping) -> str:
    """The dataset's title, or its key."""
    return str(dataset.get("title") or name)


def is_illustrative(dataset: Mapping) -> bool:
    """Whether the dataset's rows are made up: `illustrative: true` (the synthetic source's default)."""
    return bool(dataset.get("illustrative"))


def identity(name: str, dataset: Mapping) -> dict:
    """What validation.json records for the index: the title, and whether the data are made up."""
    return {"title": title(name, dataset), "illustrative": is_illustrative(dataset)}


def banner(dataset: Mapping, claims_supported: int, known_truth: bool = False) -> dict | None:
    """The top banner of an illustrative dataset's report: {heading, text, truth} (truth: a link to
    the synthetic truth section follows), or None for real data. `known_truth`: the rows were drawn
    from a model whose population values the report shows."""
    if not is_illustrative(dataset):
        return None
    if known_truth:
        verdicts = (
            f'the {claims_supported} claims found "supported" below are supported'
            if claims_supported
            else "every verdict below follows"
        )
        text = (
            f"This dataset was drawn from a known model built to have the associations the claims state, so "
            f"{verdicts} by construction: they are not evidence about people, and the numbers describe no one. "
            "What this report shows is whether the pipeline recovers the truth:"
        )
        return {"heading": "Synthetic data.", "text": text, "truth": True}
    supported = (
        f' The {claims_supported} claims found "supported" below are not evidence about people;'
        if claims_supported
        else " No verdict below is evidence about people;"
    )
    text = (
        "The rows of this dataset are made up (drawn from a model or invented to show the workflow), so the "
        f"numbers describe no one.{supported} the published figures cited beside them are real. Replace the "
        "data with your own (and drop `illustrative: true` from the dataset's config) before citing anything."
    )
    return {"heading": "Illustrative data.", "text": text, "truth": False}


def claims_line(dataset: Mapping, known_truth: bool = False) -> str:
    """The line the claims section opens with for made-up data ('' for real data)."""
    if not is_illustrative(dataset):
        return ""
    if known_truth:
        return "On synthetic data every verdict follows from the model the cohort was drawn from."
    return "On illustrative data no verdict is evidence about people."
