"""Rendering rows for people and spreadsheets: table, JSON, CSV, XLSX.

:func:`render` prints rows as they are (``redgov cypher``, and every ``--format json``,
whose codes and snake_case keys are the stable machine values); :func:`render_cells`
prints rows already put into words by :mod:`queries.present` (the human formats).  The
formatted audit workbook is :mod:`redgov.report`.

Spreadsheet programs execute a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and
some read a leading tab or carriage return the same way), so CSV and XLSX output prefix
such text with an apostrophe.  Numbers stay numbers: only strings are neutralised.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

__all__ = ["display_width", "neutralise", "render", "render_cells", "to_json", "write_xlsx"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets an apostrophe; numbers stay numbers.

    >>> neutralise("=HYPERLINK(1)"), neutralise(-3), neutralise("ok")
    ("'=HYPERLINK(1)", -3, 'ok')
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, set | tuple):
        return list(value)
    return str(value)


def to_json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=_default)


def display_width(text: str) -> int:
    """Display width: CJK characters (and full-width punctuation) take two columns.

    >>> display_width("ab"), display_width("小区"), display_width("（A）")
    (2, 4, 5)
    """
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _table(columns: Sequence[str], cells: Sequence[Sequence[str]]) -> str:
    widths = [max([display_width(c)] + [display_width(row[i]) for row in cells])
              for i, c in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (w - display_width(v))
                         for v, w in zip(values, widths, strict=True))

    out = [line(columns), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    return "\n".join(s.rstrip() for s in out)


def _csv(columns: Sequence[str], cells: Sequence[Sequence[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([neutralise(c) for c in columns])
    for row in cells:
        writer.writerow([neutralise(v) for v in row])
    return buf.getvalue()


def render_cells(headers: Sequence[str], cells: Sequence[Sequence[Any]], fmt: str) -> str:
    """Rows already in words (see :mod:`queries.present`) as ``table`` or ``csv``."""
    if fmt == "csv":
        return _csv(headers, cells)
    return _table(headers, [["" if v is None else str(v) for v in row] for row in cells])


def render(columns: Sequence[str], rows: Sequence[Mapping[str, Any]], fmt: str) -> str:
    """Rows as ``table``, ``json`` (a list of objects) or ``csv`` (neutralised)."""
    if fmt == "json":
        return to_json([{c: r.get(c) for c in columns} for r in rows])
    if fmt == "csv":
        return _csv(columns, [[_cell(r.get(c)) for c in columns] for r in rows])
    return _table(columns, [["" if r.get(c) is None else str(_cell(r.get(c))) for c in columns]
                            for r in rows])


_MAX_WIDTH = 60


def _widths(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[float]:
    """Column widths that fit the text (CJK counted double), capped at ``_MAX_WIDTH``."""
    table = [list(header), *rows]
    ncols = max((len(r) for r in table), default=0)
    return [min(max(display_width("" if i >= len(r) or r[i] is None else str(_cell(r[i])))
                    for r in table) + 2, _MAX_WIDTH) for i in range(ncols)]


def write_xlsx(
    path: Path, sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]],
    lang: str = "zh", cover_first: bool = False,
) -> None:
    """Write (sheet name, header, rows) triples to one workbook, neutralising text cells.

    Widths fit the text and every sheet is laid out for printing
    (:func:`redgov.print_layout.print_layout`); ``cover_first``: the first sheet is a cover
    (one page, nothing repeated).
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from .print_layout import print_layout

    wb = Workbook(write_only=True)
    for i, (name, header, rows) in enumerate(sheets):
        ws = wb.create_sheet(title=name[:31])
        widths = _widths(header, rows)  # write-only: sized before the first row
        for col, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(col)].width = width
        print_layout(ws, lang, ncols=len(widths), cover=cover_first and i == 0)
        ws.append([neutralise(h) for h in header])
        for row in rows:
            ws.append([neutralise(_cell(v)) for v in row])
    wb.save(path)
