"""The dashboard with accounts, through AppTest on the hand-made fixture.

Accounts: ``li`` a viewer of street S1 (东风街道), ``wang`` an auditor of district D1 (东区),
``chief`` an admin.  See test_access_scope.py for what S1 holds; outside it are D2, S2, M2,
X3, the organisations W3, OC3, B3 and the people P4 and P5.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from redgov.dashboard import auth, figures
from redgov.dashboard.pages import overview
from redgov.queries import get_question, run_question
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash
from test_dashboard_app import _capture_media, _download, _table
from test_dashboard_fixture import fixture_graph

from redgov.access import accounts, sessions, throttle
from redgov.access.log import read_log

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "pages" / "app.py")
PW = "correct-horse-battery"
#: Everything of 西区 (D2): units, organisations, people and their names.
OUTSIDE_S1 = ("D2", "S2", "M2", "X3", "W3", "OC3", "B3", "P4", "P5", "西区", "西湖街道",
              "幸福社区", "新苑小区", "赵六", "钱七")


@pytest.fixture(scope="module")
def graph(engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    with fixture_graph(engine, tmp_path_factory.mktemp("access-dash")) as g:
        accounts.create(g.store, "li", PW, "viewer", "S1")
        accounts.create(g.store, "wang", PW, "auditor", "D1")
        accounts.create(g.store, "chief", PW, "admin", None)
        yield g


@pytest.fixture(autouse=True)
def _app_env(graph: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """conftest clears the store variables for every test: point the app at this graph."""
    for key, value in graph.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("REDGOV_ACCESS_LOG", str(tmp_path / "access.jsonl"))
    throttle.clear(graph.store, "li")


def fresh(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    return at


def submit(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="auth.name").input(name)
    at.text_input(key="auth.password").input(password)
    next(b for b in at.button if b.label == "登录").click().run()
    assert not at.exception, at.exception
    return at


def signed_in(name: str, page: str | None = None, **query: str) -> AppTest:
    at = submit(fresh(**query), name, PW)
    assert data_viewer(at).name == name
    if page is not None:
        goto(at, page)
    return at


def goto(at: AppTest, page: str, **query: str) -> AppTest:
    """Open ``page`` (its url path), as a link with ``?key=value`` would."""
    at.query_params.update(query)
    at._page_hash = calc_hash(page)
    at.run()
    assert not at.exception, at.exception
    return at


def data_viewer(at: AppTest) -> Any:
    return at.session_state["_viewer"]


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def events(path: Path | None = None) -> list[tuple[str, str | None]]:
    return [(e["event"], e.get("user")) for e in read_log(path)]


# --- the gate ---------------------------------------------------------------------------

def test_login_required_before_any_page(graph: SimpleNamespace) -> None:
    at = fresh()
    assert [t.value for t in at.title] == ["请登录"]
    assert not at.metric and not at.dataframe and not at.header  # no page ran
    at = fresh(unit="X1")
    assert not at.subheader and not at.dataframe


def test_wrong_password_then_throttle_then_lock(graph: SimpleNamespace) -> None:
    at = submit(fresh(), "li", "not-the-password")
    assert errors(at) == ["账户或密码错误。"]
    assert "_viewer" not in at.session_state
    # Four more failures recorded through the store (another host, say): locked.
    for _ in range(throttle.LOCK_AFTER - 1):
        throttle.record_failure(graph.store, "li")
    at = submit(fresh(), "li", PW)  # the right password no longer opens it
    assert errors(at) and "已暂时锁定" in errors(at)[0], errors(at)
    assert "_viewer" not in at.session_state
    assert events() == [("login_failed", "li"), ("login_refused", "li")]
    assert all(PW not in str(e) and "not-the-password" not in str(e) for e in read_log())


def test_growing_delay_is_shown(graph: SimpleNamespace) -> None:
    for _ in range(3):
        throttle.record_failure(graph.store, "li")  # next try in 4 s
    at = submit(fresh(), "li", PW)
    assert errors(at) and errors(at)[0].startswith("尝试过于频繁"), errors(at)


def test_idle_session_expires(graph: SimpleNamespace) -> None:
    at = signed_in("li")
    at.session_state["_auth_seen"] = time.time() - sessions.idle_s() - 5
    at.run()
    assert [t.value for t in at.title] == ["请登录"]
    assert [i.value for i in at.info] == ["闲置超时，会话已结束，请重新登录。"]
    assert "_viewer" not in at.session_state
    assert events()[-1] == ("expired", "li")


def test_logout_and_disabling_end_the_session(graph: SimpleNamespace) -> None:
    at = signed_in("li")
    at.button(key="auth.logout").click().run()
    assert [t.value for t in at.title] == ["请登录"] and "_viewer" not in at.session_state
    at = signed_in("li")
    accounts.set_disabled(graph.store, "li", True)
    try:
        at.run()
        assert [i.value for i in at.info] == [auth.text("login.ended")]
        at = submit(fresh(), "li", PW)
        assert errors(at) == ["账户或密码错误。"]
    finally:
        accounts.set_disabled(graph.store, "li", False)


def test_demotion_reaches_an_open_session(graph: SimpleNamespace) -> None:
    """``user set`` (a new role and scope) ends a signed-in session at its next run."""
    at = signed_in("wang", "audit")
    assert data_viewer(at).role == "auditor"
    accounts.set_role_scope(graph.store, "wang", "viewer", "S1")
    try:
        at.run()
        assert [t.value for t in at.title] == ["请登录"], [t.value for t in at.title]
        assert [i.value for i in at.info] == [auth.text("login.ended")]
        assert "_viewer" not in at.session_state
        at = signed_in("wang")
        assert (data_viewer(at).role, data_viewer(at).scope) == ("viewer", "S1")
    finally:
        accounts.set_role_scope(graph.store, "wang", "auditor", "D1")


def test_removed_and_added_again_never_matches_an_old_session(graph: SimpleNamespace) -> None:
    """Before: a new account started at the same epoch, so the old session lived on with
    the old role and scope; now the session is bound to a random id never drawn twice."""
    at = signed_in("wang", "audit")
    old_sid = accounts.get(graph.store, "wang").sid
    accounts.remove(graph.store, "wang")
    again = accounts.create(graph.store, "wang", PW, "viewer", "S1")
    assert again.epoch == 1 and again.sid and again.sid != old_sid
    at.run()
    assert [t.value for t in at.title] == ["请登录"], [t.value for t in at.title]
    assert "_viewer" not in at.session_state
    accounts.set_role_scope(graph.store, "wang", "auditor", "D1")


@pytest.mark.parametrize("name", ["", "   ", "\t", "li ", "x" * 65, "li\x00"])
def test_blank_or_hostile_names_are_refused_before_the_store(
        graph: SimpleNamespace, name: str) -> None:
    at = submit(fresh(), name, PW)
    assert errors(at) == [auth.text("login.invalid")] or (
        name.strip() == "li" and not errors(at)), (name, errors(at))
    assert graph.store.read_meta("MATCH (t:LoginThrottle) WHERE t.name <> 'li' "
                                 "RETURN t.name AS n") == []


# --- roles ------------------------------------------------------------------------------

@pytest.mark.parametrize("page", ["audit", "sync", "accounts"])
def test_a_viewer_cannot_reach_audit_sync_or_accounts(graph: SimpleNamespace, page: str) -> None:
    at = signed_in("li", page)
    assert at.header[0].value == "总览：核心指标与目标", at.header  # the default page instead
    assert not at.get("download_button")


def test_an_auditor_has_the_audit_page_not_sync(graph: SimpleNamespace) -> None:
    at = signed_in("wang", "audit")
    assert at.header[0].value == "审计目录"
    assert len(at.get("download_button")) == 2
    goto(at, "sync")
    assert at.header[0].value == "总览：核心指标与目标"


def test_an_admin_has_everything(graph: SimpleNamespace) -> None:
    at = signed_in("chief", "sync")
    assert at.header[0].value == "同步记录"
    goto(at, "accounts")
    names = [r["账户"] for r in _table(at, "账户", "角色")]
    assert names == ["chief", "li", "wang"], names
    assert {u["编码"] for u in _table(goto(at, "hierarchy"), "覆盖", "层级")} == {"C"}


# --- scope ------------------------------------------------------------------------------

def test_street_viewer_sees_only_the_street(graph: SimpleNamespace) -> None:
    at = signed_in("li")
    shown = {m.label.split(" · ")[0]: m.value for m in at.metric}
    answers = {n: run_question(graph.store, n, {"level": "district"}
                               if n == "coverage_rollup" else None, account_scope="S1").rows
               for n in figures.FIGURE_QUESTIONS}
    want = {overview.ui.t("fig." + f.key): overview._fmt(f) for f in figures.headline(answers)}
    assert shown == want, shown
    assert shown["小区党组织覆盖率"] == "50.0%", shown  # X1 yes, X2 no; X3 not counted
    under = [m.value for m in at.markdown]
    assert any(m.startswith("1/2 个小区") for m in under), under
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert "当前用户：li（查看员）" in sidebar and "东风街道 (S1)" in sidebar, sidebar
    goto(at, "hierarchy")
    assert [r["编码"] for r in _table(at, "覆盖", "层级")] == ["S1"]


def test_links_outside_the_scope_are_not_found(graph: SimpleNamespace) -> None:
    at = goto(signed_in("li"), "hierarchy", unit="X3")
    assert errors(at) == ["找不到单位 X3"], errors(at)
    assert at.session_state["sel_unit"] is None and "unit" not in at.query_params
    goto(at, "hierarchy", unit="X1")
    assert errors(at) == [] and "阳光小区 · 小区 · X1" in [s.value for s in at.subheader]
    goto(at, "people", person="P4")
    assert errors(at) == ["找不到人员 P4"]
    goto(at, "people", person="P6")
    posts = [r["组织编码"] for r in _table(at, "组织编码", "在任")]
    assert posts == ["MP1"], posts  # P6's post in W3 (S2) is not shown
    at.text_input(key="pe.q").input("赵").run()
    assert any(m.value.startswith("共匹配 0 人") for m in at.markdown), at.markdown
    log = read_log()
    assert ("not_found", "X3") in [(e["event"], e.get("unit")) for e in log]
    assert ("not_found", "P4") in [(e["event"], e.get("person")) for e in log]


def test_district_auditor_downloads_hold_only_the_district(
        graph: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    stores = _capture_media(monkeypatch)
    at = signed_in("wang", "audit")
    at.selectbox(key="au.q").set_value("compounds_without_branch").run()
    options = at.selectbox(key="au.p.compounds_without_branch.scope").options
    assert not {"D2", "S2", "M2"} & {o.split("(")[-1].rstrip(")") for o in options}, options
    buttons = {b.proto.id.rsplit("-", 1)[-1]: b for b in at.get("download_button")}
    rows = list(csv.DictReader(io.StringIO(
        _download(stores, buttons["au.csv"]).decode("utf-8-sig"))))
    q = get_question("compounds_without_branch")  # the download is the CLI's Chinese CSV
    compound, district = (q.column(c).title("zh") for c in ("compound_code", "district_code"))
    assert [(r[compound], r[district]) for r in rows] == [("X2", "D1")], rows
    buttons["au.csv"].click().run()
    at.selectbox(key="au.q").set_value("coverage_rollup").run()
    at.selectbox(key="au.p.coverage_rollup.level").set_value("city").run()
    rollup = _table(at, "单位编码")
    assert [r["单位编码"] for r in rollup] == ["D1"], rollup  # the city row is D1's own
    log = read_log()
    downloads = [e for e in log if e["event"] == "download"]
    assert [(e["question"], e["format"], e["rows"], e["applied_scope"]) for e in downloads] == [
        ("compounds_without_branch", "csv", 1, "D1")], downloads
    queries = [(e["question"], e.get("applied_scope")) for e in log if e["event"] == "query"]
    assert ("coverage_rollup", "D1") in queries, queries


def test_the_log_holds_each_action(graph: SimpleNamespace) -> None:
    at = signed_in("li")
    goto(at, "hierarchy")
    at.session_state["sel_unit"] = "X1"
    at.run()
    at.button(key="auth.logout").click().run()
    log = read_log()
    kinds = [e["event"] for e in log]
    assert kinds[0] == "login" and kinds[-1] == "logout", kinds
    views = [(e.get("page"), e.get("unit")) for e in log if e["event"] == "view"]
    assert ("overview", None) in views and ("hierarchy", "X1") in views, views
    queries = [e for e in log if e["event"] == "query"]
    assert queries and all(e["user"] == "li" and e["scope"] == "S1" for e in queries)
    assert all(e.get("applied_scope") in ("S1", "M1", "X1") for e in queries), queries
    assert all(isinstance(e.get("rows"), int) for e in queries)
    assert log[0].get("client") is None or log[0]["client"].endswith("*")


#: A random id as a quoted value: an account's sid (token_urlsafe(18), 24 characters) or a
#: browser session's id (token_urlsafe(32), 43).
_TOKEN = re.compile(r"'(?:[A-Za-z0-9_-]{24}|[A-Za-z0-9_-]{43})'")


def _leaks(at: AppTest) -> list[str]:
    state: Any = object.__getattribute__(at._session_state, "_state")  # the SessionState
    held = repr(state.filtered_state) + repr(state._old_state) + repr(
        state._new_session_state) + repr(state._new_widget_state)
    # The account's sid held by the session (24 random characters) contains "S2", "P4" …
    # by chance in about one session in twenty: that is not data from 西区.
    held = _TOKEN.sub("'<token>'", held)
    assert "S1" in held  # the check sees what is there
    return [x for x in OUTSIDE_S1 if x in held]


def test_nothing_outside_reaches_the_session_state(graph: SimpleNamespace) -> None:
    """A street viewer goes everywhere a viewer can, and follows links to 西区: nothing of
    西区 — no code, no name — is ever held in the session, checked after every step."""
    at = signed_in("li")
    steps = [
        lambda: goto(at, "hierarchy", unit="X3"),
        *[(lambda c=c: (at.session_state.__setitem__("sel_unit", c), at.run()))
          for c in ("S1", "M1", "X1", "X2")],
        lambda: goto(at, "hierarchy", unit="S2"),
        lambda: goto(at, "people", person="P4"),
        lambda: at.text_input(key="pe.q").input("孙").run(),  # P6, who also serves in W3
        lambda: at.text_input(key="pe.q").input("赵").run(),  # P4 lives in X3
        lambda: goto(at, "overview"),
        lambda: at.radio(key="ov.level").set_value("district").run(),
        lambda: goto(at, "audit"),
        lambda: goto(at, "sync"),
    ]
    for i, step in enumerate(steps):
        step()
        assert not at.exception, (i, at.exception)
        assert _leaks(at) == [], (i, _leaks(at))


def test_admin_disables_and_enables_an_account_on_the_accounts_page(
        graph: SimpleNamespace) -> None:
    wang_tab, _ = sessions.open_session(graph.store, accounts.get(graph.store, "wang"),
                                        "password")  # wang is signed in elsewhere
    at = goto(signed_in("chief"), "accounts")
    at.selectbox(key="ac.pick").set_value("wang").run()
    at.button(key="ac.disable").click().run()
    assert not at.exception, at.exception
    try:
        assert accounts.get(graph.store, "wang").disabled
        assert sessions.check(graph.store, wang_tab).reason == "revoked"
        assert [(e["user"], e["actor"], e["sessions"]) for e in read_log()
                if e["event"] == "revoked"] == [("wang", "chief", 1)]
        states = {r["账户"]: r["状态"] for r in _table(at, "账户", "角色")}
        assert states["wang"] == "停用", states
        at.selectbox(key="ac.pick").set_value("wang").run()
        at.button(key="ac.enable").click().run()
        assert not accounts.get(graph.store, "wang").disabled
    finally:
        accounts.set_disabled(graph.store, "wang", False)
    changes = [(e["event"], e["user"], e.get("account")) for e in read_log()
               if e["event"].startswith("user_")]
    assert changes == [("user_disable", "chief", "wang"), ("user_enable", "chief", "wang")]
    log_table = _table(at, "时间", "事件")
    assert any(r["事件"] == "登录" and r["用户"] == "chief" for r in log_table), log_table
