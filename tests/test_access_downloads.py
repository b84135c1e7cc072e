"""Downloads go through redgov only: no table offers Streamlit's own CSV export, redgov's
own buttons are offered to auditors and admins and logged; the log records the client.

AppTest on the hand-made fixture (both engines) for the roles and the log; headless
Chromium on the district demo (FalkorDB) for what a browser really gets: the table
toolbar without its download button, and the client address 127.0.0.1 (masked 127.0.0.*).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import streamlit as st
from redgov.dashboard import data, ui
from test_access_browser import CHROMIUM, _sign_in, chromium, demo_env, served
from test_access_dashboard import goto, graph, signed_in

from redgov.access.log import read_log
from redgov.commands.dashboard import streamlit_command

__all__ = ["demo_env", "graph", "served"]  # fixtures shared with the other access tests

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard"


def test_no_page_draws_a_table_but_through_ui_table() -> None:
    calls = {p.relative_to(DASHBOARD).as_posix(): len(re.findall(r"\bst\.dataframe\(",
                                                                 p.read_text("utf-8")))
             for p in DASHBOARD.rglob("*.py")}
    assert {k: v for k, v in calls.items() if v} == {"ui.py": 1}, calls
    command = streamlit_command(8501)
    assert command[command.index("--client.disableDataExport") + 1] == "true", command


@pytest.fixture
def app_env(graph: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key, value in graph.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("REDGOV_ACCESS_LOG", str(tmp_path / "access.jsonl"))


def test_downloads_only_for_roles_with_the_right(app_env: None) -> None:
    st.set_option(ui.NO_EXPORT, False)  # as a server started without redgov's flag
    viewer = goto(signed_in("li"), "audit")  # not registered for a viewer: the overview
    assert not viewer.get("download_button"), viewer.get("download_button")
    for page in ("overview", "hierarchy", "people"):
        goto(viewer, page)
        assert not viewer.get("download_button"), (page, viewer.get("download_button"))
    assert st.get_option(ui.NO_EXPORT) is True  # set by the app before any table
    auditor = goto(signed_in("wang"), "audit")
    buttons = {b.proto.id.rsplit("-", 1)[-1]: b for b in auditor.get("download_button")}
    assert set(buttons) == {"au.csv", "au.xlsx"}, buttons
    buttons["au.xlsx"].click().run()
    downloads = [(e["user"], e["event"], e["format"]) for e in read_log()
                 if e["event"] == "download"]
    assert downloads == [("wang", "download", "xlsx")], downloads
    assert data.may_download(data.Viewer("x", "auditor", None))
    assert not data.may_download(data.Viewer("x", "viewer", None))


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing")
def test_a_viewer_gets_no_table_download_and_the_client_is_logged(
        served: str, demo_env: dict, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = chromium(p, tmp_path / "profile")
        try:
            page = browser.new_page()
            page.goto(served + "hierarchy", wait_until="domcontentloaded")
            _sign_in(page)
            table = page.locator('[data-testid="stDataFrame"]').first
            table.wait_for(timeout=90_000)
            time.sleep(1.0)
            table.hover()
            # No toolbar at all (dashboard/ui.py TOOLBAR_HIDDEN: its tooltips are English):
            # it is in the page, hidden even under the pointer, and holds no download.
            toolbar = page.locator('[data-testid="stDataFrame"] '
                                   '[data-testid="stElementToolbar"]').first
            toolbar.wait_for(state="attached", timeout=30_000)
            assert not toolbar.is_visible()
            labels: list[Any] = [b.get_attribute("aria-label")
                                 for b in toolbar.locator("button").all()]
            assert "Download as CSV" not in labels, labels
            assert page.get_by_role("button", name="Download as CSV").count() == 0
        finally:
            browser.close()
    entries = [json.loads(line) for line in
               Path(demo_env["REDGOV_ACCESS_LOG"]).read_text("utf-8").splitlines()]
    clients = {(e["event"], e.get("client")) for e in entries}
    assert ("login", "127.0.0.*") in clients, clients
    assert all(e.get("client") == "127.0.0.*" for e in entries if e.get("user")), entries
