"""The 评选汇总表: the 示范创建 workbook a department hands on, and the targets workbook.

Same conventions as the audit workbook (:mod:`redgov.report`): a cover first (title, the
snapshot, scope, generation time in Beijing time, the store, the source documents by
title), then one sheet per table with a bold frozen header and an autofilter, widths that
fit, text neutralised against formulas.  Every sheet is laid out for printing by
:func:`redgov.print_layout.print_layout` (A4, landscape where wide, one page wide, the
header row repeated on every page, the cover on one page, sheet name and page number in
the footer) — what an office prints and files.

>>> import io
>>> from openpyxl import load_workbook
>>> buf = io.BytesIO()
>>> write_tables(buf, "测试表", [("快照日期", "2024-06-30")],
...              [("数据", ["编码", "比例"], [["=X", 0.5]], {1: "0.0%"})], ["004"])
>>> wb = load_workbook(buf)
>>> wb.sheetnames, wb["数据"]["A2"].value, wb["数据"].print_title_rows
(['封面', '数据'], "'=X", '$1:$1')
>>> wb["封面"].page_setup.orientation, wb["数据"].page_setup.orientation
('landscape', 'portrait')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from .graph.display import BEIJING, SOURCES, format_time
from .output import neutralise
from .print_layout import print_layout
from .queries import Question
from .report import _FORMATS, ReportContext, _fit_widths, _style_header, cover_facts, xlsx_value

__all__ = ["Sheet", "question_sheet", "write_tables"]

#: (sheet name, headers, rows, number formats by 0-based column index).
Sheet = tuple[str, Sequence[str], Sequence[Sequence[Any]], Mapping[int, str]]

_WORDS = {
    "cover": ("封面", "Cover"), "generated": ("生成时间（北京时间）", "Generated (Beijing time)"),
    "sources": ("依据文件", "Source documents"), "id": ("编号", "No."),
    "doc_title": ("标题", "Title"), "issuer": ("发布单位", "Issuer"), "date": ("日期", "Date"),
}


def question_sheet(name: str, question: Question, rows: Sequence[Mapping[str, Any]],
                   lang: str = "zh", names: Mapping[str, str] | None = None) -> Sheet:
    """A catalog answer as a sheet, typed the way the audit workbook types it (rates as
    percentages, integers as numbers, codes as text, vocabulary values in words)."""
    headers = [c.title(lang) for c in question.columns]
    cells = [[xlsx_value(c, r.get(c.name), lang, names or {}) for c in question.columns]
             for r in rows]
    formats = {i: _FORMATS[c.type] for i, c in enumerate(question.columns) if c.type in _FORMATS}
    return name, headers, cells, formats


def _w(key: str, lang: str) -> str:
    zh, en = _WORDS[key]
    return en if lang == "en" else zh


def write_tables(target: Path | IO[bytes], title: str, facts: Sequence[tuple[str, Any]],
                 sheets: Sequence[Sheet], sources: Sequence[str], lang: str = "zh",
                 generated_at: datetime | None = None,
                 ctx: ReportContext | None = None) -> None:
    """Write a cover (``title``, ``facts`` as label/value lines, the ``sources`` cited) and
    one formatted, printable sheet per table.

    ``ctx``: where the answers come from (:func:`redgov.report.report_context`); the cover
    then opens with the same lines as the audit report's (:func:`redgov.report.cover_facts`:
    snapshot date, ordinal and run id, scope by name, store, engine version …), ``facts``
    after them."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.remove(wb.active)
    ws = wb.create_sheet(title=_w("cover", lang))
    ws.append([neutralise(title)])
    ws["A1"].font = Font(bold=True, size=16)
    ws.append([])
    if ctx is not None:
        lines = [*cover_facts(ctx, lang), *facts]
    else:
        when = generated_at or datetime.now(BEIJING)
        lines = [*facts, (_w("generated", lang), format_time(when))]
    for label, value in lines:
        ws.append([neutralise(label), neutralise(value) if isinstance(value, str) else value])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    ws.append([])
    ws.append([_w("sources", lang)])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True, size=12)
    ws.append([_w(k, lang) for k in ("id", "doc_title", "issuer", "date")])
    for c in ws[ws.max_row]:
        c.font = Font(bold=True)
    for sid in sorted(set(sources)):
        s = SOURCES.get(sid)
        if s is not None:
            ws.append([s.id, f"《{s.title}》", s.issuer, s.date])
    for col, width in zip("ABCD", (24, 70, 48, 14), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=3):
        for c in row:
            c.alignment = Alignment(vertical="top", wrap_text=True)
    print_layout(ws, lang, cover=True)
    for name, headers, rows, formats in sheets:
        sheet = wb.create_sheet(title=name[:31])
        sheet.append([neutralise(h) for h in headers])
        table: list[list[Any]] = [list(headers)]
        for r in rows:
            values = [neutralise(v) for v in r]
            sheet.append(values)
            table.append(values)
        for i, fmt in formats.items():
            for (cell,) in sheet.iter_rows(min_row=2, max_row=len(rows) + 1,
                                           min_col=i + 1, max_col=i + 1):
                cell.number_format = fmt
        _style_header(sheet, len(headers), len(rows))
        _fit_widths(sheet, table)
        print_layout(sheet, lang)
    wb.properties.title = title
    wb.properties.creator = "redgov"
    wb.save(target)
