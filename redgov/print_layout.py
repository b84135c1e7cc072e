"""How every workbook redgov writes comes out of a printer: one place, used by every writer.

An office prints what it files.  Every sheet of every workbook (the audit report, the
评选汇总表, the targets workbook, the evaluation and change exports, the dashboard's
downloads) gets the same page setup from :func:`print_layout`:

- A4 paper, margins of 1.5 cm left and right and 2 cm top and bottom;
- landscape where the sheet is wide (its columns add up to more than a portrait A4 page
  holds at 100 %), portrait otherwise;
- fitted to one page wide (``fitToWidth=1``) and as many pages tall as it needs
  (``fitToHeight=0``), so no column is cut onto a page of its own;
- the header row repeated at the top of every page (print titles), so page 7 still
  says what its columns are;
- a cover fits on one page (``fitToHeight=1``) and repeats nothing;
- a footer with the sheet's name and the page number.

Writers set the column widths first (the layout reads them to decide the orientation).
Write-only worksheets (:func:`redgov.output.write_xlsx`) take the same setup.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["A4", "PORTRAIT_WIDTH", "is_wide", "print_layout"]

#: Character widths a portrait A4 page holds at 100 % between the margins below
#: (≈ 18 cm of a default 11-point font at ≈ 0.19 cm a character).
PORTRAIT_WIDTH = 95
A4 = 9  # the paper size code of A4 in the spreadsheet format
_DEFAULT_WIDTH = 8.43  # Excel's width of a column nobody sized
_MARGINS_IN = {"left": 0.6, "right": 0.6, "top": 0.8, "bottom": 0.8, "header": 0.3,
               "footer": 0.3}  # inches: 1.5 cm sides, 2 cm top and bottom
_PAGE = {"zh": "第 &P 页，共 &N 页", "en": "Page &P of &N"}


def is_wide(widths: Iterable[float]) -> bool:
    """Whether columns this wide need a landscape page.

    >>> is_wide([20, 20, 20]), is_wide([40, 40, 30])
    (False, True)
    """
    return sum(widths) > PORTRAIT_WIDTH


def _widths(ws: Any, ncols: int) -> list[float]:
    from openpyxl.utils import get_column_letter

    out = []
    for i in range(1, ncols + 1):
        dim = ws.column_dimensions.get(get_column_letter(i))
        out.append(float(dim.width) if dim is not None and dim.width else _DEFAULT_WIDTH)
    return out


def print_layout(ws: Any, lang: str = "zh", *, ncols: int | None = None,
                 cover: bool = False, header_rows: int = 1) -> None:
    """Set ``ws`` up for printing (see the module's docstring).

    ``ncols``: the sheet's columns (read from the sheet when it is not write-only);
    ``cover``: one page, nothing repeated; ``header_rows``: rows repeated on every page.
    """
    from openpyxl.worksheet.page import PageMargins

    if ncols is None:
        ncols = ws.max_column
    setup = ws.page_setup
    setup.paperSize = A4
    setup.orientation = "landscape" if is_wide(_widths(ws, ncols)) else "portrait"
    setup.fitToWidth = 1
    setup.fitToHeight = 1 if cover else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(**_MARGINS_IN)
    ws.print_options.horizontalCentered = True
    if not cover and header_rows:
        ws.print_title_rows = f"1:{header_rows}"
    ws.oddFooter.center.text = f"&A  {_PAGE['en' if lang == 'en' else 'zh']}"
