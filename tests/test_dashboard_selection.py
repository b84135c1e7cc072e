"""The 示范创建 page through AppTest on the phase history (tests/fixtures/phase_history):
who gets it, what a scoped account sees and downloads, and that the download is logged.

Accounts: ``zhao`` an auditor of 城厢街道 ST1, ``qian`` a viewer of the whole city (CITY1),
``chief`` an admin.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import load_workbook
from print_check import assert_printable
from redgov.graph.snapshots import list_snapshots
from redgov.loaders import sync_export
from redgov.loaders.tables import TABLES
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash
from test_dashboard_app import _capture_media, _download

from redgov.access import accounts
from redgov.access.log import read_log
from redgov.report import COVER_FIELDS, _w

pytestmark = pytest.mark.skipif(
    not {"经费", "命名"} <= set(TABLES),
    reason="the loader does not read the 经费/命名 tables yet (branch eval)")

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "pages" / "app.py")
HISTORY = Path(__file__).parent / "fixtures" / "phase_history"
PW = "correct-horse-battery"


@pytest.fixture(scope="module")
def graph(engine: Any) -> Iterator[SimpleNamespace]:
    with engine.fresh_graph("dashboard selection fixture") as name:
        store = engine.open(name)
        try:
            with pytest.MonkeyPatch.context() as mp:
                for key, value in engine.env(name).items():
                    mp.setenv(key, value)
                for export in sorted(p for p in HISTORY.iterdir() if p.is_dir()):
                    assert sync_export(store, export).status == "applied", export
            accounts.create(store, "zhao", PW, "auditor", "ST1")
            accounts.create(store, "qian", PW, "viewer", "CITY1")
            accounts.create(store, "chief", PW, "admin", None)
            yield SimpleNamespace(store=store, env=engine.env(name))
        finally:
            store.close()


@pytest.fixture(autouse=True)
def _app_env(graph: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key, value in graph.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("REDGOV_ACCESS_LOG", str(tmp_path / "access.jsonl"))


def signed_in(name: str, page: str = "selection") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.text_input(key="auth.name").input(name)
    at.text_input(key="auth.password").input(PW)
    next(b for b in at.button if b.label == "登录").click().run()
    assert not at.exception, at.exception
    at._page_hash = calc_hash(page)
    at.run()
    assert not at.exception, at.exception
    return at


def table(at: AppTest, *columns: str) -> list[dict[str, Any]]:
    frames = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert len(frames) == 1, [list(d.value.columns) for d in at.dataframe]
    return frames[0].to_dict("records")


def test_an_admin_sees_funding_and_targets_and_downloads_the_workbook(
        graph: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    stores = _capture_media(monkeypatch)
    at = signed_in("chief")
    assert at.header[0].value == "示范创建：评选、经费保障与阶段目标", at.header
    assert [t.label for t in at.tabs] == ["评选排名", "红黑榜", "经费保障", "阶段目标"]
    said = [m.value for m in at.markdown]
    # K1 and K4 were scored by nobody and named (命名) in 2021: both eligible, 0 points
    assert "名额 30；参评 2，可参评 2，名额内 2，已命名 2" in said, said
    assert "三年累计命名：2 / 100（截止 2023-09-30，滞后）" in said, said
    ranking = table(at, "名次", "党建引领好")
    assert [(r["名次"], r["对象编码"], r["总分"]) for r in ranking] == [
        ("1", "K1", "0.0"), ("2", "K4", "0.0")], ranking
    rollup = table(at, "经费保障率", "单位编码")
    assert [(r["单位编码"], r["经费保障率"], r["缺口合计（元）"]) for r in rollup] == [
        ("ST1", "50.0%", 500), ("ST2", "66.7%", 3000)], rollup
    assert "未达到保障标准的党组织：2 个，缺口合计 3500 元" in [m.value for m in at.markdown]
    goals = table(at, "目标", "判断")
    assert [g["当前值"] for g in goals][:4] == ["2", "1", "75.0%", "60.0%"], goals
    (button,) = at.get("download_button")
    wb = load_workbook(io.BytesIO(_download(stores, button)))
    assert wb.sheetnames == [
        "封面", "示范项目评选", "示范企业评选", "最美业委会评选", "最美物业人评选",
        "不得参评及依据", "命名与评选排名对照", "物业企业红黑榜", "党组织工作经费保障",
        "党组织工作经费保障汇总",
        "阶段目标", "各目标完成比例的变化（按快照）"], wb.sheetnames
    assert [r[1] for r in wb["示范项目评选"].iter_rows(min_row=2, values_only=True)] == [
        "K1", "K4"]
    assert wb["封面"]["A1"].value == "“红色物业”示范创建评选汇总表"
    assert wb["党组织工作经费保障"].page_setup.orientation == "landscape"
    assert_printable(wb, cover="封面")
    cover = {r[0]: r[1] for r in wb["封面"].iter_rows(min_row=3, max_row=14, values_only=True)}
    assert {_w(k, "zh") for k in COVER_FIELDS} | {"评选年度"} <= set(cover), cover
    latest = list_snapshots(graph.store.read)[-1]
    assert (cover["快照序号"], cover["快照同步编号"]) == (latest.ordinal, latest.run_id), cover
    assert cover["范围"] == "全部", cover
    button.click().run()
    downloads = [e for e in read_log() if e["event"] == "download"]
    assert [(e["user"], e["question"], e["format"]) for e in downloads] == [
        ("chief", "selection_summary", "xlsx")], downloads


def test_a_scoped_auditor_sees_and_downloads_only_the_street(
        graph: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    stores = _capture_media(monkeypatch)
    at = signed_in("zhao")
    assert at.header[0].value == "示范创建：评选、经费保障与阶段目标"
    said = [m.value for m in at.markdown]
    assert "名额 30；参评 1，可参评 1，名额内 1，已命名 1" in said, said
    assert [r["对象编码"] for r in table(at, "名次", "党建引领好")] == ["K1"]
    rollup = table(at, "经费保障率", "单位编码")
    assert [r["单位编码"] for r in rollup] == ["ST1"], rollup
    orgs = table(at, "党组织编码", "缺口（元）")
    assert [r["党组织编码"] for r in orgs] == ["B1", "CP1"], orgs
    goals = table(at, "目标", "判断")
    assert [g["当前值"] for g in goals][:4] == ["1", "0", "50.0%", "50.0%"], goals
    (button,) = at.get("download_button")
    wb = load_workbook(io.BytesIO(_download(stores, button)))
    codes = [row[0] for row in wb["党组织工作经费保障"].iter_rows(min_row=2, values_only=True)]
    assert codes == ["B1", "CP1"], codes
    cover = {r[0]: r[1] for r in wb["封面"].iter_rows(min_row=3, max_row=14, values_only=True)}
    assert cover["范围"].endswith("（街道，ST1）"), cover  # the viewer's scope, by name
    text = " ".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row
                    if c is not None)
    assert "GB4" not in text and "工区街道" not in text and "万达广场" not in text


def test_a_viewer_does_not_get_the_page(graph: SimpleNamespace) -> None:
    at = signed_in("qian")
    assert at.header[0].value == "总览：核心指标与目标", at.header  # the default page instead
    assert not at.get("download_button")
    assert "示范创建" not in " ".join(str(p) for p in at.session_state["_page"])
