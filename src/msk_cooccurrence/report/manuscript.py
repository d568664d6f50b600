"""manuscript.docx: Table 1, the odds-ratio table and the Methods, ready to paste into a manuscript.

The tables are those of the report (exports.shown_table); the Methods are the report's own text
(methods.methods_html, generated from what ran, with the software's versions and the references),
carried into Word with its bold, italics, code, sub- and superscripts by a small HTML reader, so
the report and the manuscript never hold two copies of the words.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from html.parser import HTMLParser

import pandas as pd

from .. import illustrative
from .exports import ShownTable, zip_alike

MANUSCRIPT_TABLES = ("table1", "odds_ratios")  # the tables a manuscript takes, in its order
CODE_FONT = "Courier New"
INLINE = {"b": "bold", "strong": "bold", "em": "italic", "i": "italic", "code": "code", "sub": "sub", "sup": "sup"}
LIST_STYLES = {"ol": "List Number", "ul": "List Bullet"}


class MethodsReader(HTMLParser):
    """The Methods' HTML as paragraphs: (style, [(text, set of formats)]), whitespace as a browser reads it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[tuple[str | None, list[tuple[str, frozenset]]]] = []
        self.formats: list[str] = []
        self.lists: list[str] = []
        self.current: list[tuple[str, frozenset]] | None = None

    def handle_starttag(self, tag, attrs) -> None:
        if tag in LIST_STYLES:
            self.lists.append(LIST_STYLES[tag])
        elif tag in ("p", "li"):
            self.current = []
            self.paragraphs.append((self.lists[-1] if tag == "li" and self.lists else None, self.current))
        elif tag in INLINE:
            self.formats.append(INLINE[tag])

    def handle_endtag(self, tag) -> None:
        if tag in LIST_STYLES and self.lists:
            self.lists.pop()
        elif tag in ("p", "li"):
            self.current = None
        elif tag in INLINE and INLINE[tag] in self.formats:
            self.formats.remove(INLINE[tag])

    def handle_data(self, data) -> None:
        if self.current is None:
            return
        text = re.sub(r"\s+", " ", data)
        if not self.current:
            text = text.lstrip()
        if text:
            self.current.append((text, frozenset(self.formats)))


def methods_paragraphs(html: str) -> list[tuple[str | None, list[tuple[str, frozenset]]]]:
    """The paragraphs of the Methods' HTML, each (list style or None, runs), empty ones left out."""
    reader = MethodsReader()
    reader.feed(html)
    reader.close()
    return [(style, runs) for style, runs in reader.paragraphs if "".join(t for t, _ in runs).strip()]


def _add_runs(paragraph, runs) -> None:
    for text, formats in runs:
        run = paragraph.add_run(text)
        run.bold = "bold" in formats or None
        run.italic = "italic" in formats or None
        run.font.subscript = "sub" in formats or None
        run.font.superscript = "sup" in formats or None
        if "code" in formats:
            run.font.name = CODE_FONT


def _add_table(document, frame: pd.DataFrame) -> None:
    """A table of text with a bold header row, in Word's plain grid style."""
    table = document.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    for cell, column in zip(table.rows[0].cells, frame.columns):
        cell.text = ""
        cell.paragraphs[0].add_run(str(column)).bold = True
    for values in frame.itertuples(index=False):
        cells = table.add_row().cells
        for cell, value in zip(cells, values):
            cell.text = "" if pd.isna(value) else str(value)


def _add_shown(document, number: int, table: ShownTable) -> None:
    """Table <number>: its title, caption, blocks under their headings, footnotes."""
    title = table.title if table.title.lower().startswith("table") else f"Table {number}. {table.title}"
    document.add_heading(title, level=2)
    document.add_paragraph(table.caption)
    for heading, block in table.blocks:
        if heading:
            document.add_heading(heading, level=3)
        _add_table(document, block)
    for note in table.footnotes:
        document.add_paragraph(note)


def manuscript_bytes(dataset: str, view: Mapping, shown: Sequence[ShownTable], methods_html: str) -> bytes:
    """manuscript.docx: the manuscript's tables (MANUSCRIPT_TABLES) and the Methods; the same input, the same
    bytes. Made-up data (`illustrative: true`) says so at the top and above every table."""
    import docx

    name = illustrative.title(dataset, view["dataset"])
    reminder = illustrative.REMINDER if illustrative.is_illustrative(view["dataset"]) else ""
    document = docx.Document()
    document.core_properties.title = f"{name}: tables and methods"
    document.add_heading(f"{name}: tables and methods (msk-cooccurrence)", level=1)
    by_name = {t.name: t for t in shown}
    for number, table in enumerate((by_name[n] for n in MANUSCRIPT_TABLES if n in by_name), start=1):
        if reminder:
            document.add_paragraph().add_run(reminder).bold = True
        _add_shown(document, number, table)
    document.add_heading("Methods", level=2)
    for style, runs in methods_paragraphs(methods_html):
        _add_runs(document.add_paragraph(style=style), runs)
    buffer = io.BytesIO()
    document.save(buffer)
    return zip_alike(buffer.getvalue())
