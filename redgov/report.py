"""The audit workbook an office can hand on: a cover, a summary and one sheet per question.

``redgov audit NAME --format xlsx`` and ``redgov audit --all --out report.xlsx`` (and the
dashboard's XLSX downloads) write through :func:`write_report`:

- 封面 (cover): title, the snapshot the answers are for (its date, ordinal and run id),
  as-of date, scope, parameters, generation time in Beijing time, the store, and the
  source documents by title, declared once (:data:`graph.display.SOURCES`);
- 汇总 (summary): one row per question — sheet, title, rules, the rule in plain words,
  source documents by title, what one row is, rows, findings, parameters;
- one sheet per question, named by its short Chinese title (≤ 31 characters, unique): a
  bold frozen header with an autofilter, column widths that fit, rates as percentages,
  dates as dates, integers as numbers, codes as text, vocabulary values and lists of
  codes as readable names, text neutralised against formulas; a bar chart where the
  question has a headline rate, its sheet listing the worst rows first
  (:func:`redgov.queries.worst.worst_first`) so the chart's bars are the worst ones;
- every sheet laid out for printing (:func:`redgov.print_layout.print_layout`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from .graph.cypher import cypher
from .graph.display import (
    BEIJING,
    SOURCES,
    display,
    format_date,
    format_time,
    rule_text,
    source_title,
)
from .graph.introspection import last_sync_run
from .graph.snapshots import Snapshot
from .graph.stores import StoreError
from .graph.stores.base import Store
from .loaders import progress
from .output import display_width, neutralise
from .present.messages import lookup
from .present.stores import store_text  # re-exported: the cover and the dashboard use it
from .print_layout import print_layout
from .queries import ParamError, QueryResult, Question, get_question, run_question
from .queries.present import cell, lookup_names
from .queries.runner import choose_snapshot, ordinal
from .queries.worst import worst_first

__all__ = ["COVER_FIELDS", "Answer", "ReportContext", "collect", "cover_facts", "param_text",
           "report_context", "scope_text", "sheet_names", "write_report"]

TITLE = {"zh": "党建引领“红色物业”治理审计报告", "en": "Red property governance audit report"}
_CHART_ROWS = 40  # bars a chart can show legibly
_BELOW_ROWS = 60  # a chart goes below a table this short, else beside it
_MAX_WIDTH = 60
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_UNIT = cypher(
    "report.unit",
    "MATCH (u:Unit {code: $code}) WHERE @live(u) "
    "RETURN u.code AS code, u.name AS name, u.level AS level",
)

_L = {  # the workbook's own words
    "cover": ("封面", "Cover"), "summary": ("汇总", "Summary"),
    "snapshot": ("快照日期", "Snapshot date"),
    "snapshot_ordinal": ("快照序号", "Snapshot number"),
    "snapshot_run": ("快照同步编号", "Snapshot run id"), "as_of": ("截至日期", "As of"),
    "scope": ("范围", "Scope"), "all": ("全部", "everything"),
    "params": ("参数", "Parameters"),
    "generated": ("生成时间（北京时间）", "Generated (Beijing time)"),
    "store": ("数据库", "Store"), "engine": ("引擎版本", "Engine"),
    "sync": ("最近同步（北京时间）", "Last sync (Beijing time)"),
    "questions": ("审计问题数", "Questions"),
    "sources": ("依据文件", "Source documents"), "id": ("编号", "No."),
    "doc_title": ("标题", "Title"), "issuer": ("发布单位", "Issuer"), "date": ("日期", "Date"),
    "sheet": ("工作表", "Sheet"), "question": ("问题", "Question"), "rules": ("规则", "Rules"),
    "rule": ("规则说明", "Rule"), "row_is": ("每行是", "One row per"), "rows": ("行数", "Rows"),
    "findings": ("发现数", "Findings"), "no_findings": ("不适用", "n/a"),
    "chart": ("{title}：{column}", "{title}: {column}"),
    "chart_first": ("（最差的{n}行）", " (the worst {n} rows)"),
    "note": ("比例以百分数显示，保留一位小数；编码列为文本；列表列为“名称（编码）”。",
             "Rates are percentages with one decimal; codes are text; lists show "
             "“name (code)”."),
}


def _w(key: str, lang: str) -> str:
    return lookup(_L, key, lang)


@dataclass
class Answer:
    """One question's result with the names of the codes its list columns hold."""

    question: Question
    result: QueryResult
    names: dict[str, str] = field(default_factory=dict)

    @property
    def findings(self) -> int | None:
        """Finding rows, or None when the question reports no findings."""
        if not self.question.finding.declared:
            return None
        return len(self.question.finding_rows(self.result.rows))


@dataclass
class ReportContext:
    """What the cover says about where and when the answers come from."""

    store: str
    engine_version: str = ""
    snapshot_date: str | None = None
    snapshot_ordinal: int | None = None
    snapshot_run: str | None = None
    last_sync: str | None = None
    as_of: str | None = None
    scope: str | None = None
    scope_name: str | None = None
    scope_level: str | None = None
    generated_at: datetime = field(default_factory=lambda: datetime.now(BEIJING))


def collect(store: Store, names: Sequence[str], params: Mapping[str, Any],
            snapshot: Snapshot | str | None = None) -> tuple[list[Answer], ReportContext]:
    """Run the questions at one snapshot and gather what the cover needs.

    Each question gets the parameters it declares (``--all --param min_full_members=5``
    reaches the two questions that take it); a parameter no question takes is an error.
    ``snapshot``: a resolved snapshot, a date, a run id or None (the latest); resolved
    once, so every sheet answers for the same snapshot.
    """
    chosen = choose_snapshot(store, snapshot)
    questions = [get_question(n) for n in names]
    declared = {p.name for q in questions for p in q.params}
    unknown = sorted(set(params) - declared)
    if unknown:
        raise ParamError(f"no question takes the parameter {', '.join(unknown)}")
    answers = []
    for i, question in enumerate(questions, 1):
        # Progress (a display only on a terminal): which question, i of n, its rows.
        progress.table(f"{i}/{len(questions)} {question.title()}", None)
        own = {p.name for p in question.params}
        result = run_question(store, question.name,
                              {k: v for k, v in params.items() if k in own}, snapshot=chosen)
        answer = Answer(question, result)
        answer.names = lookup_names(store, answer.question, result.rows, ordinal(chosen))
        answers.append(answer)
        progress.advance(result.count)
    first = answers[0].result.params if answers else {}
    return answers, report_context(store, chosen, first.get("as_of"), first.get("scope"))


def report_context(store: Store, chosen: Snapshot | None, as_of: str | None = None,
                   scope: str | None = None) -> ReportContext:
    """What a cover says about where the answers come from, read the same way for every
    workbook (the CLI's and the dashboard's): the snapshot (date, ordinal, run id), the
    store and its engine version, the last sync, the as-of date and the scope's name."""
    run = last_sync_run(store) or {}
    ctx = ReportContext(store=store.description, engine_version=_version(store),
                        last_sync=run.get("started_at"), as_of=as_of, scope=scope)
    if chosen is not None:
        ctx.snapshot_date = chosen.date
        ctx.snapshot_ordinal, ctx.snapshot_run = chosen.ordinal, chosen.run_id
    if scope:
        unit = store.read(_UNIT, {"code": scope, "snapshot": ordinal(chosen)})
        if unit:
            ctx.scope_name, ctx.scope_level = unit[0]["name"], unit[0]["level"]
    return ctx


def _version(store: Store) -> str:
    try:
        return store.version()
    except StoreError:  # the cover is informative; an engine that hides its version is fine
        return str(getattr(store, "engine", ""))


def sheet_names(questions: Sequence[Question], lang: str = "zh") -> list[str]:
    """Short titles made safe and unique for Excel (≤ 31 characters, no []:*?/\\).

    >>> from redgov.queries import get_question
    >>> sheet_names([get_question("one_shoulder"), get_question("one_shoulder")])
    ['书记主任“一肩挑”', '书记主任“一肩挑”(2)']
    """
    taken = {_w("cover", lang), _w("summary", lang)}
    out = []
    for q in questions:
        base = _BAD_SHEET_CHARS.sub("", q.title(lang)).strip()[:31] or q.name[:31]
        name, n = base, 1
        while name in taken:
            n += 1
            suffix = f"({n})"
            name = base[: 31 - len(suffix)] + suffix
        taken.add(name)
        out.append(name)
    return out


# --- cells ---------------------------------------------------------------------------
def _as_date(value: Any) -> date | Any:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)


def xlsx_value(column: Any, value: Any, lang: str, names: Mapping[str, str]) -> Any:
    """A typed cell: numbers stay numbers, dates become dates, everything else readable text."""
    if value is None:
        return None
    t = column.type
    if t == "rate":
        return float(value)
    if t == "date":
        return _as_date(value)
    if t in ("int", "float") and isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if t == "code":
        return neutralise(str(value))
    shown = cell(column, value, lang, names)
    return neutralise(shown) if isinstance(shown, str) else shown


_FORMATS = {"rate": "0.0%", "date": "yyyy-mm-dd", "int": "0", "code": "@", "float": "0.####"}


def _style_header(ws: Any, ncols: int, nrows: int) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="F2DCDB")
    for col in range(1, ncols + 1):
        c = ws.cell(row=1, column=col)
        c.font, c.fill = bold, fill
        c.alignment = Alignment(vertical="center", wrap_text=False)
    ws.freeze_panes = "A2"
    if ncols:
        ws.auto_filter.ref = f"A1:{get_column_letter(ncols)}{max(nrows + 1, 1)}"


def _fit_widths(ws: Any, table: Sequence[Sequence[Any]]) -> None:
    from openpyxl.utils import get_column_letter

    if not table:
        return
    for i in range(len(table[0])):
        widest = max(display_width(_shown(row[i])) for row in table)
        ws.column_dimensions[get_column_letter(i + 1)].width = min(widest + 2, _MAX_WIDTH)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _question_sheet(wb: Any, title: str, answer: Answer, lang: str) -> None:
    q, rows = answer.question, answer.result.rows
    if q.headline:  # its chart shows the first rows: those are the worst
        rows = worst_first(q, rows)
    ws = wb.create_sheet(title=title)
    header = [c.title(lang) for c in q.columns]
    ws.append(header)
    table: list[list[Any]] = [header]
    for r in rows:
        values = [xlsx_value(c, r.get(c.name), lang, answer.names) for c in q.columns]
        ws.append(values)
        table.append(values)
    for i, c in enumerate(q.columns, start=1):
        fmt = _FORMATS.get(c.type)
        if fmt and rows:
            for (cell_,) in ws.iter_rows(min_row=2, max_row=len(rows) + 1, min_col=i, max_col=i):
                cell_.number_format = fmt
    _style_header(ws, len(header), len(rows))
    _fit_widths(ws, table)
    print_layout(ws, lang)
    if q.headline and rows:
        _chart(ws, answer, title, lang)


def _label_column(q: Question) -> int:
    """The column naming each bar: the first name column, else the first column."""
    for i, c in enumerate(q.columns, start=1):
        if c.name.endswith("_name"):
            return i
    return 1


def _chart(ws: Any, answer: Answer, title: str, lang: str) -> None:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.utils import get_column_letter

    q = answer.question
    assert q.headline is not None
    n = min(len(answer.result.rows), _CHART_ROWS)
    col = q.column_names.index(q.headline) + 1
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    column = q.column(q.headline)
    chart.title = _w("chart", lang).format(title=q.title(lang), column=column.title(lang)) + (
        _w("chart_first", lang).format(n=n) if len(answer.result.rows) > n else "")
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.legend = None
    chart.x_axis.scaling.orientation = "maxMin"  # the first (worst) row's bar on top
    chart.y_axis.crosses = "max"  # and the rate axis stays below the bars
    # openpyxl 3.1 writes no <c:delete> for an axis, and Excel then hides the axis (no
    # names beside the bars, no percentages under them): say "not deleted" outright.
    chart.x_axis.delete = chart.y_axis.delete = False
    data = Reference(ws, min_col=col, min_row=1, max_row=n + 1)
    cats = Reference(ws, min_col=_label_column(q), min_row=2, max_row=n + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    chart.height = max(7.5, 0.5 * n + 2)
    chart.width = 18
    # Below a short table, where a reader scrolling down meets it; beside a long one.
    rows = len(answer.result.rows)
    anchor = f"A{rows + 3}" if rows <= _BELOW_ROWS else f"{get_column_letter(len(q.columns) + 2)}2"
    ws.add_chart(chart, anchor)


def param_text(question: Question, values: Mapping[str, Any], lang: str = "zh",
               common: bool = False) -> str:
    """Parameters as ``标签：值`` (the common ones only when ``common``), never bare names.

    >>> from redgov.queries import get_question
    >>> param_text(get_question("coverage_rollup"), {"level": "street"})
    '汇总层级：街道'
    >>> param_text(get_question("instructor_visits"), {"month": None, "min_visits": 2}, "en")
    'month: default; min visits: 2'
    """
    parts = []
    for p in question.params:
        if (p.name in ("as_of", "scope")) != common:
            continue
        value = values.get(p.name)
        if value is None:
            shown = ("default" if lang == "en" else "默认") if not common else _w("all", lang)
        elif isinstance(value, bool) or p.type == "level":
            shown = display(value, lang)
        else:
            shown = str(value)
        parts.append(f"{p.label(lang)}: {shown}" if lang == "en" else f"{p.label(lang)}：{shown}")
    return ("; " if lang == "en" else "；").join(parts)


def say_none(lang: str) -> str:
    return "none" if lang == "en" else "无"


def scope_text(ctx: ReportContext, lang: str = "zh") -> str:
    """The scope by name, level and code (``老街街道（街道，ST1）``), or 全部."""
    if not ctx.scope:
        return _w("all", lang)
    level = display(ctx.scope_level, lang, "level") if ctx.scope_level else ""
    if lang == "en":
        return f"{ctx.scope_name or ''} ({level}, {ctx.scope})"
    return f"{ctx.scope_name or ''}（{level}，{ctx.scope}）"


#: What every cover says, in this order (:func:`cover_facts`).
COVER_FIELDS = ("snapshot", "snapshot_ordinal", "snapshot_run", "as_of", "scope", "generated",
                "store", "engine", "sync")


def cover_facts(ctx: ReportContext, lang: str = "zh",
                params: str | None = None) -> list[tuple[str, Any]]:
    """The cover's label/value lines, one builder for every workbook's cover (the audit
    report's, the 评选汇总表's, the targets workbook's; from the CLI and the dashboard):
    :data:`COVER_FIELDS`, with the common parameters after the scope when given."""
    values: dict[str, Any] = {
        "snapshot": format_date(ctx.snapshot_date) or "—",
        "snapshot_ordinal": ctx.snapshot_ordinal if ctx.snapshot_ordinal is not None else "—",
        "snapshot_run": ctx.snapshot_run or "—",
        "as_of": format_date(ctx.as_of) or "—",
        "scope": scope_text(ctx, lang),
        "generated": format_time(ctx.generated_at),
        "store": store_text(ctx.store, lang),
        "engine": ctx.engine_version or "—",
        "sync": format_time(ctx.last_sync) if ctx.last_sync else "—",
    }
    out = []
    for key in COVER_FIELDS:
        out.append((_w(key, lang), values[key]))
        if key == "scope" and params is not None:
            out.append((_w("params", lang), params))
    return out


def _cover(wb: Any, answers: Sequence[Answer], ctx: ReportContext, lang: str) -> None:
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(title=_w("cover", lang))
    ws.append([TITLE[lang]])
    ws["A1"].font = Font(bold=True, size=16)
    ws.append([])
    common = param_text(answers[0].question, answers[0].result.params, lang,
                        common=True) if answers else ""
    facts = [*cover_facts(ctx, lang, common), (_w("questions", lang), len(answers))]
    for label, value in facts:
        ws.append([label, neutralise(value) if isinstance(value, str) else value])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    ws.append([])
    ws.append([_w("note", lang)])
    ws.append([])
    ws.append([_w("sources", lang)])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True, size=12)
    head = ws.max_row + 1
    ws.append([_w(k, lang) for k in ("id", "doc_title", "issuer", "date")])
    for c in ws[head]:
        c.font = Font(bold=True)
    used = sorted({s for a in answers for s in a.question.sources})
    for sid in used:
        s = SOURCES.get(sid)
        if s is not None:
            ws.append([s.id, f"《{s.title}》", s.issuer, s.date])
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 70
    ws.column_dimensions["C"].width = 48
    ws.column_dimensions["D"].width = 14
    for row in ws.iter_rows(min_row=3):
        for c in row:
            c.alignment = Alignment(vertical="top", wrap_text=True)
    print_layout(ws, lang, cover=True)


def _summary(wb: Any, answers: Sequence[Answer], titles: Sequence[str], lang: str) -> None:
    from openpyxl.worksheet.hyperlink import Hyperlink

    ws = wb.create_sheet(title=_w("summary", lang))
    keys = ("sheet", "question", "rules", "rule", "sources", "row_is", "rows", "findings",
            "params")
    header = [_w(k, lang) for k in keys]
    ws.append(header)
    table: list[list[Any]] = [header]
    for title, a in zip(titles, answers, strict=True):
        q = a.question
        rules = "；".join(f"{r} {rule_text(r, lang)}" for r in q.rules) if lang != "en" else (
            "; ".join(f"{r} {rule_text(r, lang)}" for r in q.rules))
        row = [title, neutralise(q.title(lang)), rules, neutralise(q.rule(lang)),
               "、".join(source_title(s) for s in q.sources), neutralise(q.row_is(lang)),
               a.result.count,
               a.findings if a.findings is not None else _w("no_findings", lang),
               neutralise(param_text(q, a.result.params, lang) or say_none(lang))]
        ws.append(row)
        table.append(row)
        link = ws.cell(row=ws.max_row, column=1)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{title}'!A1")
        link.style = "Hyperlink"
    _style_header(ws, len(header), len(answers))
    _fit_widths(ws, [[_shown(v)[:40] for v in r] for r in table])
    from openpyxl.styles import Alignment

    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.alignment = Alignment(vertical="top", wrap_text=True)
    print_layout(ws, lang)


def write_report(target: Path | IO[bytes], answers: Sequence[Answer], ctx: ReportContext,
                 lang: str = "zh") -> list[str]:
    """Write the workbook; returns the question sheets' names in order."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    titles = sheet_names([a.question for a in answers], lang)
    _cover(wb, answers, ctx, lang)
    _summary(wb, answers, titles, lang)
    for title, answer in zip(titles, answers, strict=True):
        _question_sheet(wb, title, answer, lang)
    wb.properties.title = TITLE[lang]
    wb.properties.creator = "redgov"
    wb.save(target)
    return titles
