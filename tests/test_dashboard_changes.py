"""The 变化 page and the audit page's evidence, through Streamlit's AppTest, on the
hand-written three-export history of test_diff_show.py (its docstring works the figures).

Accounts: ``chief`` (admin, everything), ``wang`` (auditor, scope CM2 红星社区), ``li``
(viewer): the page is the auditor's and the admin's, like the audit page.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from redgov.graph.snapshots import list_snapshots
from redgov.loaders import sync_export
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash
from test_diff_show import HISTORY, needs_versioned_catalog

from redgov.access import accounts

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "pages" / "app.py")
PW = "correct-horse-battery"


@pytest.fixture(scope="module")
def graph(engine: Any) -> Iterator[SimpleNamespace]:
    with engine.fresh_graph("dashboard changes fixture") as name:
        store = engine.open(name)
        try:
            with pytest.MonkeyPatch.context() as mp:
                for key, value in engine.env(name).items():
                    mp.setenv(key, value)
                for export in ("s1", "s2", "s3"):
                    assert sync_export(store, HISTORY / export).status == "applied"
            accounts.create(store, "chief", PW, "admin", None)
            accounts.create(store, "wang", PW, "auditor", "CM2")
            accounts.create(store, "li", PW, "viewer", "DIST1")
            yield SimpleNamespace(store=store, env=engine.env(name),
                                  ordinals=[s.ordinal for s in list_snapshots(store.read)])
        finally:
            store.close()


@pytest.fixture(autouse=True)
def _app_env(graph: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key, value in graph.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("REDGOV_ACCESS_LOG", str(tmp_path / "access.jsonl"))


def signed_in(name: str, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.text_input(key="auth.name").input(name)
    at.text_input(key="auth.password").input(PW)
    next(b for b in at.button if b.label == "登录").click().run()
    at._page_hash = calc_hash(page)
    at.run()
    assert not at.exception, at.exception
    return at


def table(at: AppTest, *columns: str) -> list[dict[str, Any]]:
    frames = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert len(frames) == 1, [list(d.value.columns) for d in at.dataframe]
    return frames[0].to_dict("records")


def records(at: AppTest) -> set[tuple[str, str, str]]:
    return {(r["类别"], r["变化"], r["编码"]) for r in table(at, "类别", "变化", "编码")}


def test_changes_page_latest_quarter(graph: SimpleNamespace) -> None:
    at = signed_in("chief", "changes")
    assert at.header[0].value == "变化：两个快照之间"
    assert (at.selectbox(key="ch.from").value, at.selectbox(key="ch.to").value) == (2, 3)
    assert records(at) == {("单位", "退出", "CP5"), ("组织", "迁移", "CO1"),
                           ("组织", "修改", "OC3"), ("组织", "修改", "OC2"),
                           ("物业服务合同", "开始", "CO1|CP2|2024-06-01")}
    at.selectbox(key="ch.from").set_value(1).run()
    assert ("单位", "迁移", "CP3") in records(at) and ("组织", "隶属变更", "CB1") in records(at)


@needs_versioned_catalog
def test_changes_page_figure_moves(graph: SimpleNamespace) -> None:
    at = signed_in("chief", "changes")
    figures = {(r["单位编码"], r["指标"], r["之前"], r["之后"], r["变化"])
               for r in table(at, "单位编码", "指标")}
    assert figures == {("ST1", "党组织覆盖率", "50.0%", "66.7%", "+16.7个百分点"),
                       ("ST1", "业委会覆盖率", "75.0%", "66.7%", "-8.3个百分点"),
                       ("ST1", "到期未换届数", "1", "0", "-1")}, figures


def test_changes_page_keeps_to_the_account_scope(graph: SimpleNamespace) -> None:
    at = signed_in("wang", "changes")
    assert at.header[0].value == "变化：两个快照之间"
    assert at.selectbox(key="ch.scope").options == ["（全部）", "红星社区 · 社区 (CM2)"]
    at.selectbox(key="ch.from").set_value(1).run()
    at.selectbox(key="ch.to").set_value(2).run()
    assert records(at) == {("单位", "迁移", "CP3"), ("单位", "新增", "CP5")}
    shown = " ".join(str(v) for r in table(at, "类别") for v in r.values())
    assert "B2" not in shown and "翠竹苑" not in shown


def test_viewer_has_no_changes_page(graph: SimpleNamespace) -> None:
    at = signed_in("li", "changes")
    assert at.header[0].value != "变化：两个快照之间"


def test_audit_row_shows_its_evidence(graph: SimpleNamespace) -> None:
    at = signed_in("chief", "audit")
    at.selectbox(key="au.q").set_value("compounds_without_branch").run()
    rows = table(at, "小区编码", "结论")
    index = [r["小区编码"] for r in rows].index("CP3")
    at.session_state["au.table"] = {"selection": {"rows": [index], "columns": []}}
    at.run()
    assert not at.exception, at.exception
    assert any(e.label == "依据：CP3 的事实与来源" for e in at.expander), \
        [e.label for e in at.expander]
    facts = table(at, "对象", "事实", "来源")
    got = {(f["对象"], f["事实"], f["编码"]) for f in facts}
    assert {("CP3", "居住", "P5"), ("CP3", "居住", "P6"), ("OC3", "任职", "P6")} <= got, got
    assert all("快照" in f["来源"] and "表第" in f["来源"] for f in facts)
