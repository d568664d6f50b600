"""tables.xlsx: a sheet per table as the report shows it, and a glossary of every column from the registry.

Each sheet holds what the HTML report's table holds (exports.shown_table: labels, percentages with one
decimal, odds ratios with two, suppressed estimates as the mark) under its title and caption, so a
researcher pastes or formats it without retyping; the numbers at full precision are in the CSVs.
The glossary sheet lists, for every table, each CSV column, the header the report shows and its
meaning in resources/outputs.yaml.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import pandas as pd

from .. import illustrative, outputs
from ..labels import header
from .exports import ShownTable, zip_alike

GLOSSARY = "glossary"


def sheet_name(name: str) -> str:
    """A table's sheet: its CSV's name (Excel allows 31 characters)."""
    return name[:31]


def glossary() -> pd.DataFrame:
    """Every table's columns with the report's header and the registry's meaning."""
    rows = []
    for name, spec in outputs.tables().items():
        headers = spec.display.get("headers", {})
        percent = set(spec.display.get("percent", ()))
        for column, meaning in spec.columns.items():
            shown = header(column, headers) + (" (%)" if column in percent else "")
            rows.append({"Table": f"{name}.csv", "Column": column, "Header in the report": shown, "Meaning": meaning})
        if spec.condition_columns:
            rows.append(
                {"Table": f"{name}.csv", "Column": "(each condition)", "Header in the report": "the condition's label"}
                | {"Meaning": "one column per analysed condition"}
            )
    return pd.DataFrame(rows)


def _write_sheet(writer: pd.ExcelWriter, table: ShownTable, reminder: str = "") -> None:
    """Title, caption (and, for made-up data, the reminder that its numbers describe no one), then each
    block (its heading, its table), then the footnotes; bold headings."""
    from openpyxl.styles import Font

    sheet = sheet_name(table.name)

    def lines(texts, at):
        pd.DataFrame({0: list(texts)}).to_excel(writer, sheet_name=sheet, startrow=at, header=False, index=False)

    top = [table.title, table.caption, *([reminder] if reminder else [])]
    lines(top, 0)
    row, bold_rows = len(top) + 1, [1, *([3] if reminder else [])]
    for heading, block in table.blocks:
        if heading:
            lines([heading], row)
            bold_rows.append(row + 1)
            row += 1
        block.to_excel(writer, sheet_name=sheet, startrow=row, index=False)
        row += len(block) + 2
    if table.footnotes:
        lines(table.footnotes, row)
    worksheet = writer.sheets[sheet]
    for number in bold_rows:
        worksheet.cell(row=number, column=1).font = Font(bold=True)
    _fit_columns(worksheet, [block for _, block in table.blocks])


def _fit_columns(worksheet, blocks: Sequence[pd.DataFrame]) -> None:
    """Each column as wide as its header and values (at most 60 characters)."""
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for block in blocks:
        for j, column in enumerate(block.columns, start=1):
            longest = max([len(str(column)), *(len(str(v)) for v in block[column])])
            widths[j] = max(widths.get(j, 8), min(longest + 2, 60))
    for j, width in widths.items():
        worksheet.column_dimensions[get_column_letter(j)].width = width


def workbook_bytes(view: Mapping, shown: Sequence[ShownTable]) -> bytes:
    """tables.xlsx: a sheet per table, then the glossary; the same tables give the same bytes. A sheet
    of made-up data (`illustrative: true`) says so under its caption, as every page of the report does."""
    reminder = illustrative.REMINDER if illustrative.is_illustrative(view["dataset"]) else ""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for table in shown:
            _write_sheet(writer, table, reminder)
        glossary().to_excel(writer, sheet_name=GLOSSARY, index=False)
        _fit_columns(writer.sheets[GLOSSARY], [glossary()])
    return zip_alike(buffer.getvalue())
