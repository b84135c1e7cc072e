"""The print layout of a written workbook, read back from the file (redgov/print_layout.py).

Every writer's test opens what it wrote and calls :func:`assert_printable`: the check reads
the page setup openpyxl found in the file, not the helper that set it.
"""

from __future__ import annotations

from typing import Any

from openpyxl.utils import get_column_letter

A4 = 9  # the paper size code of A4 in the file format
PORTRAIT_COLUMNS = 95  # character widths a portrait A4 page holds (redgov.print_layout)


def page(ws: Any) -> dict[str, Any]:
    """What a printer reads from a sheet, as one dict (shown when an assert fails)."""
    ps = ws.page_setup
    widths = [ws.column_dimensions[get_column_letter(i)].width or 8.43
              for i in range(1, ws.max_column + 1)]
    m = ws.page_margins
    return {"sheet": ws.title, "paper": ps.paperSize, "orientation": ps.orientation,
            "fit": ws.sheet_properties.pageSetUpPr.fitToPage,
            "wide": int(ps.fitToWidth) if ps.fitToWidth is not None else None,
            "tall": int(ps.fitToHeight) if ps.fitToHeight is not None else None,
            "titles": ws.print_title_rows, "width": sum(widths),
            "margins": (m.left, m.right, m.top, m.bottom), "footer": ws.oddFooter.center.text}


def assert_printable(wb: Any, cover: str | None) -> list[dict[str, Any]]:
    """Every sheet: A4, one page wide, landscape exactly where the columns are wider than a
    portrait page, sensible margins, a page-numbered footer; the header row repeated on
    every page, except on the ``cover`` sheet, which fits on one page."""
    seen = [page(ws) for ws in wb.worksheets]
    for p in seen:
        assert p["paper"] == A4 and p["fit"] and p["wide"] == 1, p
        assert p["orientation"] == ("landscape" if p["width"] > PORTRAIT_COLUMNS
                                    else "portrait"), p
        assert all(0.25 <= x <= 1.0 for x in p["margins"]), p
        assert p["footer"] and "&P" in p["footer"], p
        if p["sheet"] == cover:
            assert p["tall"] == 1 and p["titles"] is None, p
        else:
            assert p["tall"] == 0 and p["titles"] == "$1:$1", p
    return seen
