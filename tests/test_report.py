"""The audit workbook (redgov/report.py), opened with openpyxl as an office would open it.

Pins: Chinese sheet names (≤ 31 characters, unique), a bold frozen header with an
autofilter and fitted widths, rates as percentages, dates as dates, integers as numbers,
codes as text, lists as names, formulas neutralised, a cover with snapshot, scope,
parameters, Beijing generation time, store and the source documents by title, a summary
per question, and a chart exactly where a question has a headline rate.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook
from print_check import assert_printable
from redgov.graph.display import BEIJING, SOURCES, english_codes
from redgov.graph.snapshots import list_snapshots
from redgov.graph.stores.base import Store
from redgov.queries import catalog, get_question
from test_questions import synced_store

from redgov.cli import main
from redgov.report import sheet_names

QUESTIONS = catalog()


@pytest.fixture(scope="module")
def fx(engine: Any) -> Iterator[Store]:
    yield from synced_store(engine, "report")


def audit(fx: Store, engine: Any, *args: str) -> Result:
    env = engine.env(getattr(fx, "graph_name", ""))
    return CliRunner().invoke(main, ["audit", *args], env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def workbook(fx: Store, engine: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("report") / "report.xlsx"
    res = audit(fx, engine, "--all", "--out", str(out))
    assert res.exit_code == 0, res.output
    assert res.output.strip() == f"已将 {len(QUESTIONS)} 个审计问题写入 {out}"
    return load_workbook(out)  # not read-only: styles, filters and charts are read too


def _sheet(wb: Any, name: str) -> Any:
    return wb[sheet_names([get_question(name)])[0]]


def test_sheet_names_are_short_chinese_titles(workbook: Any) -> None:
    names = workbook.sheetnames
    assert names[:2] == ["封面", "汇总"]
    assert names[2:] == [q.title_zh for q in QUESTIONS]
    assert len(set(names)) == len(names) and all(len(n) <= 31 for n in names)
    assert all(not re.search(r"[\[\]:*?/\\]", n) for n in names)
    long = get_question("one_shoulder")
    clipped = sheet_names([long, long, long])
    assert clipped == ["书记主任“一肩挑”", "书记主任“一肩挑”(2)", "书记主任“一肩挑”(3)"]


def test_every_question_sheet_has_a_bold_frozen_filtered_header(workbook: Any) -> None:
    for q in QUESTIONS:
        ws = _sheet(workbook, q.name)
        header = [c.value for c in ws[1]][: len(q.columns)]
        assert header == [c.title_zh for c in q.columns], q.name
        assert all(c.font.bold for c in ws[1][: len(q.columns)]), q.name
        assert ws.freeze_panes == "A2", q.name
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), q.name
        last = ws.auto_filter.ref.split(":")[1]
        assert int(re.sub(r"[A-Z]", "", last)) == ws.max_row, (q.name, ws.auto_filter.ref)
        widths = [ws.column_dimensions[c.column_letter].width for c in ws[1][: len(q.columns)]]
        assert all(w and w >= 2 * len(t) for w, t in zip(widths, header, strict=True)), (
            q.name, widths)


def test_cells_are_typed_for_a_spreadsheet(workbook: Any) -> None:
    rollup = _sheet(workbook, "coverage_rollup")
    rows = [{c.value: d for c, d in zip(rollup[1], r, strict=False)} for r in rollup.iter_rows(
        min_row=2)]  # a rate of 0 reads back as the integer 0: take a row with a fraction
    row = next(r for r in rows if r["党组织覆盖率"].value not in (0, 1, None))
    rate = row["党组织覆盖率"]
    assert isinstance(rate.value, float) and rate.number_format == "0.0%", rate.value
    assert isinstance(row["小区数"].value, int) and row["层级"].value == "街道"
    assert row["单位编码"].number_format == "@" and isinstance(row["单位编码"].value, str)
    overdue = _sheet(workbook, "overdue_reelection")
    term_end = overdue["E2"]
    assert isinstance(term_end.value, datetime) and term_end.number_format == "yyyy-mm-dd"
    assert term_end.value.date().isoformat() == "2024-05-31"
    assert overdue["F2"].value == 30 and isinstance(overdue["F2"].value, int)
    posts = _sheet(workbook, "dq_posts_in_retired_orgs")
    values = {c.value for r in posts.iter_rows(min_row=2) for c in r}
    assert {"本职", "撤销", "党支部"} <= values and "SERVES_AS" not in values, values
    shoulder = _sheet(workbook, "one_shoulder")
    assert {c.value for c in shoulder["G"][1:]} <= {"是", "否"}
    branch = _sheet(workbook, "compounds_without_branch")
    assert [c.value for c in branch["C"][1:]] == ["老旧小区", "弃管小区", "安置小区", "物管小区"]
    assert [c.value for c in branch["I"][1:]] == ["工作覆盖", "未覆盖", "应建未建", "未覆盖"]


def test_lists_are_names_and_formulas_are_neutralised(workbook: Any) -> None:
    interlocks = _sheet(workbook, "interlocks")
    shared = [c.value for c in interlocks["H"][1:]]
    assert "张建国（P01）、王志强（P03）" in shared, shared
    assert not any("[" in v or '"' in v for v in shared), shared
    committee = _sheet(workbook, "branch_committee_size")
    compounds = [c.value for c in committee["C"][1:]]
    assert any("（CP" in v for v in compounds) and not any("[" in v for v in compounds)
    projects = [c.value for c in _sheet(workbook, "model_project_eligibility")["E"][1:]]
    assert "'=老街院落项目" in projects
    formulas = [c for ws in workbook.worksheets for r in ws.iter_rows() for c in r
                if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@"))]
    assert formulas == [], [(f.parent.title, f.coordinate, f.value) for f in formulas]


def test_a_chart_exactly_where_there_is_a_headline_rate(workbook: Any) -> None:
    charted = {q.name for q in QUESTIONS if q.headline}
    assert charted == {"coverage_rollup", "cross_appointment_ratio", "funding_rollup",
                       "owners_committee_party_share"}
    for q in QUESTIONS:
        charts = _sheet(workbook, q.name)._charts
        assert len(charts) == (1 if q.name in charted else 0), q.name
    chart = _sheet(workbook, "coverage_rollup")._charts[0]
    title = "".join(r.t for p in chart.title.tx.rich.p for r in (p.r or []))
    assert title == "党建引领物业治理覆盖汇总：党组织覆盖率", title
    assert chart.y_axis.number_format.formatCode == "0%"
    rows = _sheet(workbook, "coverage_rollup").max_row  # a short table: the chart is below it
    assert chart.anchor._from.row == rows + 1 and chart.anchor._from.col == 0  # 0-based: A{rows+2}


def test_every_sheet_prints_one_page_wide_with_its_header_on_every_page(
        workbook: Any) -> None:
    seen = assert_printable(workbook, cover="封面")
    wide = {p["sheet"]: p["orientation"] for p in seen}
    assert wide["封面"] == "landscape" and wide["汇总"] == "landscape", wide
    assert wide[_sheet(workbook, "coverage_rollup").title] == "landscape", wide


def test_a_charted_sheet_lists_the_worst_rows_first(workbook: Any) -> None:
    """The chart draws the sheet's first rows: they are the lowest rates, after the
    findings where the question declares findings (its header), rows with no rate last."""
    for q in QUESTIONS:
        if not q.headline:
            continue
        ws = _sheet(workbook, q.name)
        head = [c.value for c in ws[1]]
        rows = [dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
        rate = q.column(q.headline).title_zh
        assert len(rows) >= 2, (q.name, rows)
        seen = [(not _finding_cell(q, r), r[rate] is None, r[rate] or 0) for r in rows]
        assert seen == sorted(seen), (q.name, seen)
    chart = _sheet(workbook, "owners_committee_party_share")._charts[0]
    assert chart.x_axis.scaling.orientation == "maxMin"  # first row on top
    assert (chart.x_axis.delete, chart.y_axis.delete) == (False, False)  # both axes drawn


def _finding_cell(q: Any, row: dict[str, Any]) -> bool:
    """Whether a sheet row (Chinese headers and words) is a finding, as its header says."""
    f = q.finding
    if f.every_row or f.column is None:
        return f.every_row
    return row[q.column(f.column).title_zh] in f.values


def test_cover_says_when_where_and_from_what(workbook: Any, engine: Any, fx: Store) -> None:
    ws = workbook["封面"]
    assert ws["A1"].value == "党建引领“红色物业”治理审计报告" and ws["A1"].font.bold
    facts = {r[0]: r[1] for r in ws.iter_rows(min_row=3, max_row=13, values_only=True)}
    assert facts["快照日期"] == "2024-06-30" and facts["截至日期"] == "2024-06-30"
    # the snapshot the answers are for: the fixture's second (latest) sync
    assert facts["快照序号"] == 2 and facts["快照同步编号"] == list_snapshots(fx.read)[-1].run_id
    assert facts["范围"] == "全部"
    assert facts["参数"] == "截至日期：2024-06-30；范围（单位编码）：全部"
    made = datetime.strptime(facts["生成时间（北京时间）"], "%Y-%m-%d %H:%M:%S").replace(
        tzinfo=BEIJING)
    assert abs(datetime.now(BEIJING) - made) < timedelta(minutes=10), made
    if engine.name == "neo4j":  # the URL, never the password
        assert engine.neo4j.url in facts["数据库"], facts
        assert engine.neo4j.password not in facts["数据库"]
    else:
        assert facts["数据库"].startswith("内嵌 FalkorDB（"), facts
    assert facts["审计问题数"] == len(QUESTIONS)
    texts = [c for r in ws.iter_rows(values_only=True) for c in r if isinstance(c, str)]
    for source in SOURCES.values():
        assert f"《{source.title}》" in texts, source.id


def test_summary_gives_rule_and_sources_by_title(workbook: Any) -> None:
    ws = workbook["汇总"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("工作表", "问题", "规则", "规则说明", "依据文件", "每行是", "行数", "发现数",
                       "参数")
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    by_title = {r[0]: r for r in rows[1:]}
    branch = by_title["未建党组织的小区"]
    assert branch[2].startswith("R1 每个小区建有党组织"), branch
    assert branch[3] == get_question("compounds_without_branch").rule_zh
    assert branch[4] == ("《福建厦门市湖里区：党建引领小区业委会、物业协同发展路径探索》、"
                         "《xx市小区党建模式试点工作方案》、《党建引领社区物业服务管理暨四川红色物业实践》")
    assert branch[6:9] == (4, 3, "应建支部的居住正式党员数：3"), branch
    assert by_title["书记主任“一肩挑”"][7] == 1  # only the row where 一肩挑 is 否
    assert by_title["党建引领物业治理覆盖汇总"][7:9] == ("不适用", "汇总层级：街道")
    assert ws["A2"].hyperlink.location == f"'{rows[1][0]}'!A1"
    for r in rows[1:]:
        assert not re.search(r"\b\d{3}\b", r[4]), r[4]  # titles, not "003, 004"


def test_zh_workbook_holds_no_english_vocabulary_code(workbook: Any) -> None:
    codes = english_codes()
    leaks = []
    for ws in workbook.worksheets:
        if ws.title == "封面":
            continue  # the store's path and engine name are what they are
        for row in ws.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    leaks += [(ws.title, value) for w in re.findall(r"[A-Za-z_]+", value)
                              if w in codes]
    assert leaks == [], leaks[:10]


def test_one_question_scoped_and_in_english(fx: Store, engine: Any, tmp_path: Path) -> None:
    out = tmp_path / "one.xlsx"
    res = audit(fx, engine, "overdue_reelection", "--scope", "CM111", "--format", "xlsx",
                "--out", str(out))
    assert res.exit_code == 0 and "已写出 1 行" in res.output, res.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["封面", "汇总", "业委会到期未换届"]
    facts = {r[0]: r[1] for r in wb["封面"].iter_rows(min_row=3, max_row=11, values_only=True)}
    assert facts["范围"] == "禾盛社区（社区，CM111）", facts
    out_en = tmp_path / "en.xlsx"
    res = audit(fx, engine, "coverage_rollup", "--lang", "en", "--out", str(out_en))
    assert res.exit_code == 0, res.output
    wb = load_workbook(out_en)
    assert wb.sheetnames == ["Cover", "Summary", "Coverage roll-up by unit"]
    ws = wb["Coverage roll-up by unit"]
    assert [c.value for c in ws[1]][:3] == ["unit code", "unit name", "level"]
    assert ws["C2"].value == "street"


def test_all_passes_each_question_the_parameters_it_takes(
    fx: Store, engine: Any, tmp_path: Path
) -> None:
    out = tmp_path / "p.xlsx"
    res = audit(fx, engine, "--all", "--param", "min_full_members=2", "--out", str(out))
    assert res.exit_code == 0, res.output
    rows = {r[0]: r for r in load_workbook(out)["汇总"].iter_rows(values_only=True)}
    assert rows["未建党组织的小区"][8] == "应建支部的居住正式党员数：2"
    assert rows["物业企业党组织组建情况"][8] == "单独建党组织所需正式党员数：2"
    assert rows["业委会党员比例与主任身份"][8] == "党员比例下限：0.3"
    res = audit(fx, engine, "--all", "--param", "nonsense=1", "--out", str(out))
    assert res.exit_code == 2 and "nonsense" in res.output, res.output
