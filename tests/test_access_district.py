"""Scoped accounts on the district demo (湖里区, 5 streets, 510 compounds).

A street viewer (湖里街道 350206001), a district auditor (湖里区 350206) and an admin.
Every unit code a page or a download shows is checked against the graph: inside the
account's subtree, or one of its unit's own ancestors (the context rows are placed in).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redgov.graph import scope as scoping
from redgov.graph.cypher import cypher
from redgov.loaders import sync_export
from redgov.queries import catalog, run_question
from streamlit.testing.v1 import AppTest
from test_access_dashboard import goto
from test_dashboard_app import _capture_media, _download

from redgov.access import accounts

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "pages" / "app.py")
PW = "correct-horse-battery"
STREET, OTHER_STREET, DISTRICT, CITY = "350206001", "350206002", "350206", "350200"
#: Unit codes: 6 (city, district), 9 (street), 12 (community) or 15 digits (compound);
#: an 18-digit ID number or a company's credit code never matches.
UNIT_CODE = re.compile(r"(?<![0-9A-Za-z])3502\d{2}(?:\d{3}){0,3}(?![0-9])")

_SUBTREE = cypher(
    "test.access.subtree",
    """
MATCH (u:Unit)
WHERE $scope IN [u.code, u.community_code, u.street_code, u.district_code, u.city_code]
RETURN u.code AS code
""",
)


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory, district_demo: Any) -> Path:
    return district_demo(tmp_path_factory.mktemp("district-demo") / "export")


@pytest.fixture(scope="module")
def district(engine: Any, export: Path) -> Iterator[tuple[Any, str]]:
    """The demo synced once per engine for the module (a district sync is the module's cost).

    The tests only read it: each signs in as a different account (a sign-in adds that
    account's own session, which no other test here looks at).
    """
    with engine.fresh_graph("module fixture access district") as graph, \
            pytest.MonkeyPatch.context() as mp:
        mp.setenv("REDGOV_HOME", str(engine.home))
        store = engine.open(graph)
        try:
            assert sync_export(store, export).status == "applied"
            accounts.create(store, "street", PW, "viewer", STREET)
            accounts.create(store, "district", PW, "auditor", DISTRICT)
            accounts.create(store, "chief", PW, "admin", None)
            yield store, graph
        finally:
            store.close()


@pytest.fixture
def demo(engine: Any, district: tuple[Any, str], tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    store, graph = district
    for key, value in engine.env(graph).items():  # the dashboard reaches the module's graph
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("REDGOV_ACCESS_LOG", str(tmp_path / "access.jsonl"))
    yield store


def allowed(store: Any, scope: str) -> set[str]:
    unit = scoping.resolve(store, scope)
    return {r["code"] for r in store.read(_SUBTREE, {"scope": scope})} | set(unit.above)


def signed_in(name: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.text_input(key="auth.name").input(name)
    at.text_input(key="auth.password").input(PW)
    next(b for b in at.button if b.label == "登录").click().run()
    assert not at.exception, at.exception
    assert at.session_state["_viewer"].name == name
    return at


def shown_codes(at: AppTest, *, but_errors: bool = False) -> set[str]:
    """Every unit code anywhere on the page: tables, figures, charts, the network's HTML
    (``but_errors``: not counting error messages, which echo the code a link asked for)."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if but_errors and getattr(node, "type", None) == "error":
            return
        proto = getattr(node, "proto", None)
        if proto is not None:
            found.update(UNIT_CODE.findall(str(proto)))
        children = getattr(node, "children", None) or {}
        for child in children.values():
            walk(child)

    walk(at._tree)
    return found


def test_street_viewer_pages_hold_only_the_street(demo: Any) -> None:
    ok = allowed(demo, STREET)
    at = signed_in("street")
    seen = shown_codes(at)
    assert STREET in seen
    assert seen <= ok, sorted(seen - ok)
    goto(at, "hierarchy")
    assert shown_codes(at) <= ok and STREET in shown_codes(at)
    community = min(c for c in ok if len(c) == 12)
    compound = min(c for c in ok if len(c) == 15 and c.startswith(community))
    for code in (STREET, community, compound):
        at.session_state["sel_unit"] = code
        at.run()
        assert not at.exception, at.exception
        seen = shown_codes(at)
        assert code in seen and seen <= ok, (code, sorted(seen - ok))
    goto(at, "people")
    at.text_input(key="pe.q").input("陈").run()
    assert not at.exception and shown_codes(at) <= ok
    # Direct links into another street: not found, and nothing of it on the page.
    other = min(c for c in allowed(demo, OTHER_STREET) if len(c) == 15)
    for code in (OTHER_STREET, other):
        goto(at, "hierarchy", unit=code)
        assert [e.value for e in at.error] == [f"找不到单位 {code}"], at.error
        assert shown_codes(at, but_errors=True) <= ok
    # The audit page (and its downloads) and the sync page are not there for a viewer.
    for page in ("audit", "sync"):
        goto(at, page)
        assert at.header[0].value == "总览：核心指标与目标"
        assert not at.get("download_button")


def test_every_question_for_a_street_account_keeps_to_the_street(demo: Any) -> None:
    ok = allowed(demo, STREET)
    columns = set(scoping.UNIT_COLUMNS)
    for q in catalog():
        params = {"level": "compound"} if q.name == "coverage_rollup" else None
        rows = run_question(demo, q.name, params, account_scope=STREET).rows
        codes = {str(r[c]) for r in rows for c in columns if r.get(c)}
        assert codes <= ok, (q.name, sorted(codes - ok)[:5])
        text = repr(rows)
        assert set(UNIT_CODE.findall(text)) <= ok, q.name


def test_district_auditor_every_download_holds_only_the_district(
        demo: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ok = allowed(demo, DISTRICT)
    assert CITY in ok  # the city is the district's ancestor: context, never a row subject
    media = _capture_media(monkeypatch)
    at = goto(signed_in("district"), "audit")
    for q in catalog():
        at.selectbox(key="au.q").set_value(q.name).run()
        assert not at.exception, (q.name, at.exception)
        buttons = {b.proto.id.rsplit("-", 1)[-1]: b for b in at.get("download_button")}
        text = _download(media, buttons["au.csv"]).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        codes = set(UNIT_CODE.findall(text))
        assert codes <= ok, (q.name, sorted(codes - ok)[:5])
        subjects = {r.get("compound_code") or r.get("unit_code") for r in rows} - {None, ""}
        assert CITY not in subjects, q.name


def test_admin_sees_the_whole_tree_and_the_sync_history(demo: Any) -> None:
    at = goto(signed_in("chief"), "hierarchy")
    assert CITY in shown_codes(at)
    goto(at, "sync")
    assert at.header[0].value == "同步记录"
