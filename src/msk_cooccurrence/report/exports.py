"""What the exports share: every table as the report shows it, and Office files written byte for byte alike.

tables.xlsx (workbook.py) and manuscript.docx (manuscript.py) show the tables the HTML report shows,
from the same functions (presentation.py: labels, percentages, marks for unreliable estimates,
Table 1's and definitions.csv's blocks), so a number reads the same in all three. An Office file is
a zip whose entries, and its core properties, carry the time it was written: `zip_alike` rewrites
them with one fixed time, so the same tables give the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from .. import outputs
from ..labels import variable_labels
from . import presentation
from .dataset_text import annotated_claims

FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the zip format's earliest time: no clock in the file
CORE_PROPERTIES = "docProps/core.xml"  # an Office file's created/modified times (the writers set the clock's)
OFFICE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
MARKED = ("reliability", "reliability_without", "reliability_with")


@dataclass(frozen=True)
class ShownTable:
    """A table as the report shows it: its registry title and caption, its blocks (a heading, '' for
    none, and the text of the table) and the footnotes its marks need."""

    name: str
    title: str
    caption: str
    blocks: tuple[tuple[str, pd.DataFrame], ...]
    footnotes: tuple[str, ...]


def shown_table(name: str, table: pd.DataFrame, view: Mapping, validation: Mapping) -> ShownTable:
    """One registered table as report.render_report shows it."""
    universes = validation.get("universes", {})
    labels = variable_labels(view)
    if name == "table1":
        blocks = presentation.table1_blocks(table, universes)
    elif name == "definitions":
        blocks = presentation.definition_blocks(table, universes, labels)
    else:
        if name == "claims":
            table = table.assign(claim=annotated_claims(table, universes))
        blocks = [("", presentation.display_table(name, table, universes, labels))]
    spec = outputs.tables()[name]
    footnotes = presentation.FOOTNOTES if presentation.has_marks(table, MARKED) else ()
    return ShownTable(name, spec.title, " ".join(spec.caption.split()), tuple(blocks), tuple(footnotes))


def shown_tables(tables: Mapping[str, pd.DataFrame], view: Mapping, validation: Mapping) -> list[ShownTable]:
    """Every table of the run as the report shows it, in the registry's order."""
    return [shown_table(name, tables[name], view, validation) for name in outputs.tables() if name in tables]


def zip_alike(data: bytes) -> bytes:
    """An Office file (a zip) with every entry at FIXED_TIME, in its order: the same content, the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            content = source.read(entry.filename)
            if entry.filename == CORE_PROPERTIES:
                content = OFFICE_TIMES.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
            target.writestr(fixed, content)
    return out.getvalue()


def report_links(dataset: str) -> list[tuple[str, str, str]]:
    """The exports beside a dataset's report, as (link relative to the report, title, caption)."""
    folder = f"reports/{dataset}/"
    return [
        (path[len(folder) :], spec.title, " ".join(spec.caption.split()))
        for spec in outputs.exports().values()
        if (path := spec.path.format(dataset=dataset)).startswith(folder)
    ]
