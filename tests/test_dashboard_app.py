"""Every dashboard page through Streamlit's AppTest, on the fixture export synced twice.

The graph is built once per module through the real loader (test_dashboard_fixture.py
holds the export and the figures worked out by hand); the app finds it through the same
environment variables the CLI uses (REDGOV_HOME, REDGOV_GRAPH).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
from print_check import assert_printable
from redgov.dashboard import figures
from redgov.dashboard.pages import overview
from redgov.queries import run_question
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module
from streamlit.util import calc_hash
from test_dashboard_fixture import FIRST_SNAPSHOT, SECOND_SNAPSHOT, fixture_graph

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "pages" / "app.py")


@pytest.fixture(scope="module")
def graph(engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    with fixture_graph(engine, tmp_path_factory.mktemp("dash-export")) as g:
        yield g


@pytest.fixture(autouse=True)
def _app_env(graph: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    """conftest clears the store variables for every test: point the app at this graph."""
    for key, value in graph.env.items():
        monkeypatch.setenv(key, value)


def open_app(page: str | None = None, **state: Any) -> AppTest:
    """Run the app, then (if given) switch to ``page`` — a url path of st.navigation.

    AppTest.switch_page only knows file pages; a function page is addressed by the hash
    of its url path, which is what st.navigation itself uses.
    """
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if page is not None:  # the first run drew the default page: judge only the last run
        at._page_hash = calc_hash(page)
        at.run()
    assert not at.exception, at.exception
    return at


def _table(at: AppTest, *columns: str, without: str = "\0") -> list[dict[str, Any]]:
    """The one table on the page with all these column headers (AppTest drops table keys)."""
    frames = [d.value for d in at.dataframe
              if set(columns) <= set(d.value.columns) and without not in d.value.columns]
    assert len(frames) == 1, [list(d.value.columns) for d in at.dataframe]
    return frames[0].to_dict("records")


def _texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


# --- overview ------------------------------------------------------------------------

def test_overview_figures_equal_the_catalog_answers(graph: SimpleNamespace) -> None:
    at = open_app()
    shown = {m.label.split(" · ")[0]: (m.value, m.delta) for m in at.metric}
    answers = {n: run_question(graph.store, n, {"level": "district"} if n == "coverage_rollup"
                               else None).rows for n in figures.FIGURE_QUESTIONS}
    want = {overview.ui.t("fig." + f.key): overview._fmt(f) for f in figures.headline(answers)}
    assert {k: v for k, (v, _) in shown.items()} == want, shown
    # And by hand (see test_dashboard_fixture.py).
    by_hand = {
        "小区党组织覆盖率": "66.7%", "小区党的工作覆盖率": "66.7%", "具备条件未建党组织的小区": "0",
        "有党组织的物业企业": "0.0%", "物业企业应建尽建率": "—", "未覆盖的物业企业": "1",
        "业委会或自治组织覆盖率": "100.0%", "“一肩挑”比例": "100.0%", "交叉任职比例": "100.0%",
        "业委会到期未换届": "1",
    }
    assert {k: v for k, (v, _) in shown.items()} == by_hand, shown
    # Under each card: what it is out of, and whether its target is met.
    under = [m for m in _texts(at) if "目标" in m]
    for want in ("2/3 个小区 · :red-badge[未达标] 目标 100.0%",
                 "3/3 个小区 · :green-badge[达标] 目标 100.0%",
                 "2/2 个有党组织和业委会的小区 · :gray-badge[无统一目标]",
                 "共 1 家企业；无党组织也无指导员 · :red-badge[未达标] 目标 0",
                 "0/1 家企业 · :gray-badge[无统一目标]", ":green-badge[达标] 目标 0"):
        assert want in under, (want, under)
    # Change since the previous snapshot (its graph, its date): B3 is new in the second.
    assert shown["小区党组织覆盖率"][1] == "+33.3 个百分点", shown
    # No change reads 持平, grey, with no arrow (a "+0.0" drew a green arrow up).
    assert shown["“一肩挑”比例"][1] == "持平", shown
    cards = {m.label.split(" · ")[0]: m.proto for m in at.metric}
    flat, up = cards["“一肩挑”比例"], cards["小区党组织覆盖率"]
    assert (flat.direction, flat.color) == (flat.NONE, flat.GRAY), flat
    assert up.direction == up.UP, up


def test_overview_card_titles_are_whole(graph: SimpleNamespace) -> None:
    """A metric's own label is cut to one line at a quarter of the page: each card's
    full title (figure and rules) is a heading that wraps, the metric's label hidden."""
    at = open_app()
    texts = _texts(at)
    for m in at.metric:
        assert m.proto.label_visibility.value == m.proto.label_visibility.COLLAPSED, m.label
        assert f"**{overview.ui.plain(m.label)}**" in texts, (m.label, texts)
    assert "**业委会或自治组织覆盖率 · R4, R5**" in texts, texts  # the longest title


def test_overview_chart_by_district_and_street(graph: SimpleNamespace) -> None:
    import json

    at = open_app()
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1 + len(figures.RATE_METRICS)  # by unit, one trend panel per rate
    spec = json.loads(charts[0].proto.spec)
    layers = spec["layer"]
    # The worst first: D1 (50 %) on top of D2 (100 %), whatever their codes.
    assert layers[0]["encoding"]["y"]["sort"] == ["东区", "西区"], layers[0]["encoding"]["y"]
    # Bars, their labels, the target line and its label; the axis zoomed to the data.
    assert [layer["mark"]["type"] for layer in layers] == ["bar", "text", "rule", "text"]
    # D1 50 %, D2 100 %: the axis starts a step under the lowest bar.
    assert layers[0]["encoding"]["x"]["scale"]["domain"] == [0.45, 1.0], layers[0]
    assert layers[1]["encoding"]["text"]["field"] == "label"
    assert "横轴从 45.0% 到 100.0%（按数据缩放）；虚线为目标。" in [c.value for c in at.caption]
    at.radio(key="ov.level").set_value("street").run()
    assert not at.exception, at.exception
    at.selectbox(key="ov.metric").set_value("cross").run()
    assert not at.exception, at.exception
    assert at.subheader[0].value == "各街道交叉任职比例", at.subheader[0].value


def test_overview_trend_gives_each_rate_its_own_panel(graph: SimpleNamespace) -> None:
    import json

    at = open_app()
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df as frame

    charts = at.get("vega_lite_chart")[1:]
    panels = [json.loads(c.proto.spec) for c in charts]
    titles = [f"**{overview.ui.t('fig.' + k)}**" for k in figures.RATE_METRICS]
    assert sorted(t for t in _texts(at) if t in titles) == sorted(titles)  # one over each
    for chart, spec in zip(charts, panels, strict=True):
        x, y = spec["encoding"]["x"], spec["encoding"]["y"]
        assert x["type"] == "temporal" and x["axis"]["format"] == "%Y年%-m月%-d日", x
        assert x["axis"]["labelOverlap"] == "greedy" and x["axis"]["labelAngle"] == 0, x
        assert [(v["year"], v["month"], v["date"]) for v in x["axis"]["values"]] == [
            (int(d[:4]), int(d[5:7]), int(d[8:])) for d in (FIRST_SNAPSHOT, SECOND_SNAPSHOT)]
        values = list(frame(chart.proto.datasets[0].data.data)["value"])
        low, high = y["scale"]["domain"]  # its own scale, around its own values
        spread = max(values) - min(values)
        assert 0 <= low <= min(values) and max(values) <= high <= 1, (y, values)
        assert high - low <= 1.5 * spread + 0.02 + 1e-9, (y, values)


def test_english_switch(graph: SimpleNamespace) -> None:
    at = open_app()
    at.radio(key="lang").set_value("en").run()
    assert at.header[0].value == "Overview: headline figures against targets"
    assert any(m.label.startswith("Compounds with a party organisation") for m in at.metric)


# --- hierarchy -----------------------------------------------------------------------

def _open_child(at: AppTest, code: str) -> None:
    box = next(s for s in at.selectbox if s.key.startswith("hi.child."))
    box.set_value(code)
    at.button(key="hi.open").click().run()
    assert not at.exception, at.exception


def test_hierarchy_drill_down_to_a_compound(graph: SimpleNamespace) -> None:
    at = open_app("hierarchy")
    top = _table(at, "覆盖", "覆盖率")
    assert [r["编码"] for r in top] == ["C"], top
    assert top[0]["覆盖"] == "覆盖不足" and top[0]["覆盖率"] == 66.7, top
    for code in ("C", "D1", "S1", "M1"):
        _open_child(at, code)
        assert at.session_state["sel_unit"] == code
    rows = {r["编码"]: r for r in _table(at, "覆盖", "覆盖率")}
    assert {c: r["覆盖"] for c, r in rows.items()} == {"X1": "已覆盖", "X2": "未覆盖"}, rows
    _open_child(at, "X1")
    crumbs = [b.label for b in at.button if b.key.startswith("hi.crumb.")]
    assert crumbs == ["全部", "› 示范市", "› 东区", "› 东风街道", "› 和平社区", "› 阳光小区"]
    assert at.subheader[0].value == "阳光小区 · 小区 · X1", at.subheader[0].value
    orgs = sorted(r["编码"] for r in _table(at, "所在单位", "状态"))
    assert orgs == ["B1", "CO1", "OC1"], orgs
    leaders = sorted((r["人员编码"], r["职务"]) for r in _table(at, "人员编码", "任职类型"))
    assert leaders == [("P1", "主任"), ("P1", "书记"), ("P3", "项目经理")], leaders
    contracts = [(r["编码"], r["小区"]) for r in _table(at, "物业企业")]
    assert contracts == [("CO1", "阳光小区")], contracts
    # Gaps: OC1 is overdue for re-election; the network draws it in red.
    # Only questions with findings here, counting only finding rows (the header says which).
    gap_titles = [e.label for e in at.expander if " — 发现 " in e.label]
    assert "业委会到期未换届 · R13 — 发现 1 条" in gap_titles, gap_titles
    assert not any(t.startswith("书记主任“一肩挑”") for t in gap_titles), gap_titles  # 一肩挑 holds
    frames = at.get("iframe")
    assert len(frames) == 1
    page = frames[0].proto.srcdoc
    assert "new vis.Network" in page and "https://cdn" not in page
    assert '"id": "OC1"' in page and "#d62728" in page
    # Back up through a breadcrumb.
    at.button(key="hi.crumb.S1").click().run()
    assert at.session_state["sel_unit"] == "S1"


# --- audit ---------------------------------------------------------------------------

def _capture_media(monkeypatch: pytest.MonkeyPatch) -> list:
    """Keep AppTest's in-memory media storage so a download's bytes can be read back."""
    stores: list = []
    original = app_test_module.MemoryMediaFileStorage

    def keep(*args: Any, **kwargs: Any):
        storage = original(*args, **kwargs)
        stores.append(storage)
        return storage

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", keep)
    return stores


def _download(stores: list, button: Any) -> bytes:
    name = button.proto.url.rsplit("/", 1)[1]
    return stores[-1].get_file(name).content


def test_audit_parameters_reach_the_query(graph: SimpleNamespace) -> None:
    at = open_app("audit")
    at.selectbox(key="au.q").set_value("overdue_reelection").run()
    assert "共 1 行，其中审计发现 1 行" in _texts(at), _texts(at)
    as_of = at.date_input(key="au.p.overdue_reelection.as_of")
    assert str(as_of.value) == SECOND_SNAPSHOT
    as_of.set_value("2024-12-31").run()  # OC1's term ends 2025-01-01: not yet overdue
    assert "共 0 行，其中审计发现 0 行" in _texts(at), _texts(at)
    at.selectbox(key="au.q").set_value("compounds_without_branch").run()
    scope = at.selectbox(key="au.p.compounds_without_branch.scope")
    scope.set_value("D2").run()
    assert any(t.startswith("共 0 行") for t in _texts(at)), _texts(at)
    at.selectbox(key="au.p.compounds_without_branch.scope").set_value("D1").run()
    rows = _table(at, "小区编码")
    assert [r["小区编码"] for r in rows] == ["X2"], rows
    want = run_question(graph.store, "compounds_without_branch", {"scope": "D1"}).rows
    assert [r["compound_code"] for r in want] == ["X2"]


def test_audit_downloads_contain_the_rows(graph: SimpleNamespace,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    stores = _capture_media(monkeypatch)
    at = open_app("audit")
    at.selectbox(key="au.q").set_value("overdue_reelection").run()
    want = run_question(graph.store, "overdue_reelection").rows
    assert [r["committee_code"] for r in want] == ["OC1"]
    buttons = {b.proto.id.rsplit("-", 1)[-1]: b for b in at.get("download_button")}
    text = _download(stores, buttons["au.csv"]).decode("utf-8-sig")
    got = list(csv.DictReader(io.StringIO(text)))
    assert [r["业委会编码"] for r in got] == ["OC1"], got  # as the CLI writes it
    book = openpyxl.load_workbook(io.BytesIO(_download(stores, buttons["au.xlsx"])))
    sheet = next(ws for ws in book.worksheets if ws["A1"].value == "业委会编码")
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert len(values) == 1 and "OC1" in values[0], values
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold, sheet.freeze_panes
    assert_printable(book, cover="封面")


def _cover(book: Any) -> dict[str, Any]:
    """The cover's label → value lines (rows 3… up to the first blank row)."""
    lines = {}
    for label, value, *_ in book["封面"].iter_rows(min_row=3, values_only=True):
        if label is None:
            break
        lines[label] = value
    return lines


def test_dashboard_workbook_cover_says_what_the_cli_cover_says(
        graph: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from click.testing import CliRunner
    from redgov.graph.snapshots import list_snapshots

    from redgov.cli import main
    from redgov.report import COVER_FIELDS, _w

    stores = _capture_media(monkeypatch)
    at = open_app("audit")
    at.selectbox(key="au.q").set_value("compounds_without_branch").run()
    at.selectbox(key="au.p.compounds_without_branch.scope").set_value("D1").run()
    buttons = {b.proto.id.rsplit("-", 1)[-1]: b for b in at.get("download_button")}
    dashboard = _cover(openpyxl.load_workbook(io.BytesIO(_download(stores, buttons["au.xlsx"]))))
    out = tmp_path / "cli.xlsx"
    res = CliRunner().invoke(main, ["audit", "compounds_without_branch", "--scope", "D1",
                                    "--out", str(out)], env=graph.env, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    cli = _cover(openpyxl.load_workbook(out))
    assert list(dashboard) == list(cli), (dashboard, cli)  # the same lines, in one order
    assert {_w(k, "zh") for k in COVER_FIELDS} <= set(cli), cli
    made = _w("generated", "zh")  # written a moment apart
    assert {k: v for k, v in dashboard.items() if k != made} == {
        k: v for k, v in cli.items() if k != made}, (dashboard, cli)
    latest = list_snapshots(graph.store.read)[-1]
    assert (dashboard["快照序号"], dashboard["快照同步编号"]) == (latest.ordinal, latest.run_id)
    assert dashboard["范围"] == "东区（区，D1）" and dashboard["引擎版本"] not in ("", "—"), \
        dashboard


def test_audit_row_opens_in_the_explorer(graph: SimpleNamespace) -> None:
    at = open_app("audit")
    at.selectbox(key="au.q").set_value("compounds_without_branch").run()
    at.selectbox(key="au.goto").set_value("unit:X2").run()
    at.button(key="au.go").click().run()
    assert not at.exception, at.exception
    assert at.session_state["sel_unit"] == "X2"
    assert at.header[0].value == "层级浏览"
    assert "老街小区 · 小区 · X2" in [s.value for s in at.subheader], at.subheader


# --- people and sync -----------------------------------------------------------------

def test_people_search_posts_and_bridges(graph: SimpleNamespace) -> None:
    at = open_app("people")
    at.text_input(key="pe.q").input("张").run()
    assert not at.exception, at.exception
    assert at.session_state["sel_person"] == "P1"
    assert any(s.value == "张三 · P1 · 中共党员" for s in at.subheader)
    posts = sorted((r["组织编码"], r["任职类型"], r["在任"])
                   for r in _table(at, "组织编码", "在任"))
    assert posts == [("B1", "本职", "在任"), ("OC1", "兼任", "在任")], posts
    assert len(at.get("iframe")) == 1  # B1 and OC1 bridged by P1
    text = " ".join(str(e.proto) for e in at.get("iframe"))
    assert "350203" not in text and "138" not in text.replace("13800", "")  # nothing personal


def test_sync_page_lists_runs_and_changes(graph: SimpleNamespace) -> None:
    at = open_app("sync")
    runs = _table(at, "同步编号", "警告数", without="导出目录")
    assert [r["同步编号"] for r in runs] == graph.runs[::-1], runs
    assert [r["快照日期"] for r in runs] == [SECOND_SNAPSHOT, FIRST_SNAPSHOT]
    assert (runs[0]["新增"], runs[1]["新增"]) == (2, 36), runs
    log_ids = [r["同步编号"] for r in _table(at, "同步编号", "导出目录")]
    assert set(graph.runs) <= set(log_ids), log_ids
    changes = {r["表"]: r["新增"] for r in _table(at, "表", "新增")}
    assert changes == {"单位": 0, "组织": 1, "人员": 0, "任职": 1, "监管": 0, "物业服务": 0}, \
        changes


def test_sync_page_shows_each_runs_phase_timings(graph: SimpleNamespace) -> None:
    """Issue 23: the 同步 page says where each snapshot's sync spent its time — per run a
    column, and for the chosen run (the newest) a table equal to its SyncRun record."""
    from redgov.graph.introspection import sync_runs
    from redgov.loaders.progress import timings_of

    recorded = {r["id"]: timings_of(r.get("phases_json")) for r in sync_runs(graph.store)}
    assert set(recorded) == set(graph.runs), recorded
    for run, timings in recorded.items():
        assert list(timings) == ["read", "validate", "diff", "write", "publish"], (run, timings)
    at = open_app("sync")
    runs = _table(at, "同步编号", "各阶段用时", without="导出目录")
    for row in runs:
        text = row["各阶段用时"]
        assert text.startswith("读取 ") and "校验" in text and "写入" in text \
            and text.endswith(" 秒"), row
        assert f"校验 {recorded[row['同步编号']]['validate']:.1f} 秒" in text, (row, recorded)
    phases = _table(at, "阶段", "用时(秒)")
    newest = recorded[graph.runs[-1]]
    assert [r["阶段"] for r in phases] == ["读取", "校验", "比对", "写入", "发布"], phases
    assert [r["用时(秒)"] for r in phases] == [round(v, 2) for v in newest.values()], \
        (phases, newest)


def test_overview_says_what_it_computes_when_answers_are_slow(
    graph: SimpleNamespace, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With nothing cached and no patience (SHOW_AFTER_S = 0) the overview goes through
    its progress display (the questions still running, done of total) and then shows
    the same figures as ever, the display gone."""
    import streamlit as st
    from redgov.dashboard import data

    monkeypatch.setattr(data, "SHOW_AFTER_S", 0.0)
    shown: list[tuple[float, str]] = []
    real = data.st.delta_generator.DeltaGenerator.progress

    def progress(self: Any, value: Any, text: str | None = None, **kw: Any) -> Any:
        shown.append((value, text or ""))
        return real(self, value, text=text, **kw)

    monkeypatch.setattr(data.st.delta_generator.DeltaGenerator, "progress", progress)
    st.cache_data.clear()
    at = open_app()
    assert shown, "no progress shown"
    assert all(t.startswith("正在计算（已完成 ") and f"/{len(figures.FIGURE_QUESTIONS)}）" in t
               for _, t in shown), shown
    assert any("小区" in t or "业委会" in t or "物业" in t for _, t in shown), shown
    assert not at.get("progress"), "the progress bar stayed on the page"
    assert len(at.metric) == 10, [m.label for m in at.metric]


@pytest.mark.parametrize(("page", "header"), [
    ("hierarchy", "Hierarchy explorer"), ("audit", "Audit catalog"), ("people", "People"),
    ("sync", "Sync runs"),
])
def test_every_page_in_english(graph: SimpleNamespace, page: str, header: str) -> None:
    at = open_app(page, lang="en", sel_unit="X1", sel_person="P1")
    assert at.header[0].value == header, at.header
    labels = " ".join(t.label for t in at.tabs) + " ".join(s.value for s in at.subheader)
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in labels.replace("阳光小区", "")
                   .replace("张三", "")), labels


def test_hierarchy_tree_shows_coverage_two_levels_down(graph: SimpleNamespace) -> None:
    at = open_app("hierarchy", sel_unit="C")
    rows = {r["编码"]: r for r in _table(at, "说明")}
    # 东区 holds X1 (branch) and X2 (none); 西区 holds X3 (branch B3).
    assert (rows["D1"]["名称"], rows["D1"]["覆盖"], rows["D1"]["说明"]) == \
        ("东区", "覆盖不足", "党组织覆盖 50.0%（1/2 个小区）"), rows["D1"]
    assert (rows["D2"]["覆盖"], rows["D2"]["说明"]) == ("全覆盖", "党组织覆盖 100.0%（1/1 个小区）")
    assert (rows["S1"]["名称"], rows["S1"]["覆盖"]) == ("\u3000\u3000└ 东风街道", "覆盖不足")
    assert list(rows) == ["D1", "S1", "D2", "S2"], list(rows)  # each district then its streets


def test_overview_trend_over_sync_runs(graph: SimpleNamespace) -> None:
    """One point per snapshot, the roll-up asked at it (see the fixture's notes)."""
    import pyarrow as pa

    at = open_app()
    panels = [c.proto for c in at.get("vega_lite_chart")[1:]]  # one panel per rate
    table = [r for trend in panels
             for r in pa.ipc.open_stream(trend.datasets[0].data.data).read_all().to_pylist()]
    got = {(r["snapshot"], r["figure"]): round(r["value"], 4) for r in table}
    assert got == {
        (FIRST_SNAPSHOT, "小区党组织覆盖率"): 0.3333, (SECOND_SNAPSHOT, "小区党组织覆盖率"): 0.6667,
        (FIRST_SNAPSHOT, "业委会或自治组织覆盖率"): 1.0,
        (SECOND_SNAPSHOT, "业委会或自治组织覆盖率"): 1.0,
        (FIRST_SNAPSHOT, "“一肩挑”比例"): 1.0, (SECOND_SNAPSHOT, "“一肩挑”比例"): 1.0,
        (FIRST_SNAPSHOT, "交叉任职比例"): 1.0, (SECOND_SNAPSHOT, "交叉任职比例"): 1.0,
    }, got
