"""Chinese first on every page and in every download (issue 13), and registry text as text.

Walks every page (the explorer at each level, every audit question with both downloads,
People, Sync) in Chinese and fails on any English code of the display vocabulary
(``graph.display.english_codes``: ``managed``, ``general_branch``, ``SERVES_AS``, ``ok`` …)
in what a person reads.  Also pins the company figures (defined once, the same on the
overview, the audit page and the CLI), the paged people search, Beijing time on the sync
page and registry names shown literally.
"""

from __future__ import annotations

import csv
import io
import re
from types import SimpleNamespace

import openpyxl
import pytest
from click.testing import CliRunner
from redgov.dashboard import figures
from redgov.dashboard.reads import count_people
from redgov.graph.display import english_codes, format_time
from redgov.queries import run_question
from streamlit.testing.v1 import AppTest
from test_dashboard_app import _app_env, _capture_media, _download, _table, graph, open_app
from test_dashboard_fixture import HTML_NAME, MARKDOWN_NAME

__all__ = ["_app_env", "graph"]  # fixtures used by this module's tests

_WORD = re.compile(r"[A-Za-z][A-Za-z_-]*")


def _strings(at: AppTest) -> list[str]:
    """Everything a person reads on the page (network iframes aside: the vis library)."""
    out: list[str] = []
    for kind in ("markdown", "caption", "subheader", "header", "title", "info", "success",
                 "warning", "error", "text"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [f"{m.label} {m.value} {m.delta or ''}" for m in at.metric]
    out += [e.label for e in at.expander] + [t.label for t in at.tabs]
    out += [b.label for b in at.button]
    for widget in (*at.selectbox, *at.radio):
        if widget.key == "lang":
            continue
        out += [widget.label, *map(str, widget.options)]
    for d in at.dataframe:
        out += [str(c) for c in d.value.columns]
        out += [str(v) for v in d.value.to_numpy().ravel().tolist()]
    return out


#: A file's path (the sync page shows where each export came from): the user's words,
#: not a code, even when a folder is named ``…_full``.
_PATH = re.compile(r"(?<![\w.])/[^\s，。、；：（）()]+")


def _codes_in(texts: list[str]) -> set[str]:
    codes = english_codes()
    return {w for text in texts for w in _WORD.findall(_PATH.sub(" ", text)) if w in codes}


def _assert_chinese(where: str, texts: list[str]) -> None:
    found = _codes_in(texts)
    assert not found, (where, found, [t for t in texts if _codes_in([t])][:5])


def test_every_page_and_download_in_chinese_has_no_english_code(
        graph: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    for code in ("C", "D1", "S1", "M1", "X1", "X2", "M2"):
        at = open_app("hierarchy", sel_unit=code)
        _assert_chinese(f"hierarchy {code}", _strings(at))
    for page, state in (("overview", {}), ("people", {"sel_person": "P1"}), ("sync", {})):
        _assert_chinese(page, _strings(open_app(page, **state)))
    stores = _capture_media(monkeypatch)
    at = open_app("audit")
    questions = _question_names()
    assert questions, "the catalog is empty"
    for name in questions:
        at.selectbox(key="au.q").set_value(name).run()
        assert not at.exception, (name, at.exception)
        _assert_chinese(f"audit {name}", _strings(at))
        buttons = {b.proto.id.rsplit("-", 1)[-1]: b for b in at.get("download_button")}
        text = _download(stores, buttons["au.csv"]).decode("utf-8-sig")
        _assert_chinese(f"{name}.csv", [text])
        book = openpyxl.load_workbook(io.BytesIO(_download(stores, buttons["au.xlsx"])))
        cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows()
                 for c in row if c.value is not None]
        _assert_chinese(f"{name}.xlsx", cells)


def _question_names() -> list[str]:
    from redgov.queries import catalog

    return [q.name for q in catalog()]


def test_the_check_finds_an_english_code() -> None:
    """The walk above can fail: a code among Chinese words is found."""
    assert _codes_in(["小区类型 managed", "结论：ok", "党总支"]) == {"managed", "ok"}
    assert _codes_in(["embedded FalkorDB (/tmp/x)", "95.5%"]) == set()


def test_english_switch_shows_english_values(graph: SimpleNamespace) -> None:
    at = open_app("hierarchy", lang="en", sel_unit="X1")
    kinds = {r["kind"] for r in _table(at, "kind", "status")}
    assert kinds == {"party branch", "owners committee", "property company"}, kinds
    at = open_app("audit", lang="en")
    assert any(t.startswith("1 rows") or "rows" in t for t in
               [m.value for m in at.markdown]), [m.value for m in at.markdown]


def test_company_figures_agree_on_overview_and_audit_page(graph: SimpleNamespace) -> None:
    rows = run_question(graph.store, "company_party_org_status").rows
    co = figures.company_figures(rows)
    assert (co.companies, co.with_party_org, co.qualified, co.uncovered) == (1, 0, 0, 1), co
    shown = {m.label.split(" · ")[0]: m.value for m in open_app().metric}
    assert shown["有党组织的物业企业"] == "0.0%" and shown["未覆盖的物业企业"] == "1"
    assert "0/1 家企业 · :gray-badge[无统一目标]" in [m.value for m in open_app().markdown]
    at = open_app("audit")
    at.selectbox(key="au.q").set_value("company_party_org_status").run()
    info = [i.value for i in at.info]
    assert info == ["物业企业共 1 家：有党组织 0 家（0.0%）；正式党员 3 名以上的 0 家，"
                    "其中已单独建 0 家（应建尽建率 —），应建未建 0 家；"
                    "无党组织且无党建指导员（未覆盖）1 家。"], info


def test_company_figures_from_the_cli_csv(graph: SimpleNamespace) -> None:
    """The CLI's rows give the same three counts (what an office recounts by hand)."""
    from redgov.cli import main

    result = CliRunner().invoke(main, ["audit", "company_party_org_status", "--format", "csv"],
                                env=graph.env)
    assert result.exit_code == 0, result.output
    got = list(csv.DictReader(io.StringIO(result.output.lstrip("\ufeff"))))
    co = figures.company_figures(run_question(graph.store, "company_party_org_status").rows)
    assert len(got) == co.companies
    assert sum(1 for r in got if r["党组织编码"]) == co.with_party_org
    assert sum(1 for r in got if r["结论"] == "未覆盖") == co.uncovered


def test_people_search_counts_every_match_and_pages(graph: SimpleNamespace,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from redgov.dashboard.pages import people

    monkeypatch.setattr(people, "PER_PAGE", 2)
    at = open_app("people")
    at.text_input(key="pe.q").input("P").run()
    texts = [m.value for m in at.markdown]
    total = count_people(graph.store, "P")
    assert total >= 5, total
    assert f"共匹配 {total} 人，本页显示第 1–2 人（点击一行查看）" in texts, texts
    pages = at.number_input[0]
    assert pages.label == f"页码（共 {-(-total // 2)} 页）", pages.label
    pages.set_value(2).run()
    shown = [r["编码"] for r in _table(at, "编码", "政治面貌")]
    assert shown == ["P3", "P4"], shown


def test_sync_times_are_beijing_time(graph: SimpleNamespace) -> None:
    at = open_app("sync")
    runs = _table(at, "同步编号", "开始时间", without="导出目录")
    for r in runs:
        assert r["开始时间"] == format_time(r["同步编号"]), r
        assert "T" not in r["开始时间"] and "Z" not in r["开始时间"], r
    assert "时间均为北京时间。" in [c.value for c in at.caption]


def test_registry_text_is_shown_as_text(graph: SimpleNamespace) -> None:
    """A unit named like a Markdown image shows as typed; Streamlit gets it escaped."""
    at = open_app("hierarchy", sel_unit="M2")
    escaped = r"\!\[t\]\(http\://host/x\.png\)"
    titles = [s.value for s in at.subheader]
    assert f"{escaped} · 社区 · M2" in titles, titles
    crumbs = [b.label for b in at.button if b.key.startswith("hi.crumb.")]
    assert f"› {escaped}" in crumbs, crumbs
    # Tables are text already: the name is there verbatim.
    at = open_app("hierarchy", sel_unit="S2")
    assert MARKDOWN_NAME in [r["名称"] for r in _table(at, "覆盖", "覆盖率")]
    at = open_app("hierarchy", sel_unit="X3")
    assert HTML_NAME in [r["名称"] for r in _table(at, "所在单位", "状态")]


def test_a_unit_code_from_the_address_bar_is_shown_as_text(graph: SimpleNamespace) -> None:
    """``?unit=…`` is typed by whoever sends the link: it is echoed escaped, never drawn."""
    at = open_app("hierarchy", sel_unit="![x](http://host/y.png)")
    assert [e.value for e in at.error] == [r"找不到单位 \!\[x\]\(http\://host/y\.png\)"]
