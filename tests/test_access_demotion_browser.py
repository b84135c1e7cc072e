"""A role or scope change reaches an open browser tab (issue 17), in Chromium.

Before: a signed-in session kept its old role and scope after the account was removed
and added again (the only way to change them).  Now ``redgov user set`` draws a new
session id and the tab's next interaction shows the login form with the reason.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_access_browser import OTHER_STREET, PW, STREET, demo_env, served  # noqa: F401
from test_dashboard_browser import CHROMIUM, chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} is missing (Debian package `chromium`)"),
]


def _sign_in(page: Any) -> None:
    page.get_by_label("账户").fill("street", timeout=60_000)
    page.get_by_label("密码").fill(PW)
    page.get_by_role("button", name="登录", exact=True).click()


def test_user_set_ends_the_open_tab_at_its_next_interaction(
        served: str, demo_env: dict, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = chromium(p, tmp_path / "profile")
        try:
            page = browser.new_page()
            page.goto(served, wait_until="domcontentloaded")
            _sign_in(page)
            sidebar = page.locator('[data-testid="stSidebar"]')
            sidebar.get_by_text(f"({STREET})", exact=False).first.wait_for(timeout=90_000)

            done = subprocess.run(
                [sys.executable, "-m", "redgov", "user", "set", "street", "--scope",
                 OTHER_STREET], env=demo_env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stdout + done.stderr

            # The same tab, its next interaction: a page link in the sidebar.
            sidebar.get_by_role("link", name="层级").click()
            page.get_by_text("请重新登录", exact=False).first.wait_for(timeout=60_000)
            page.get_by_role("button", name="登录", exact=True).wait_for(timeout=30_000)
            _sign_in(page)
            sidebar.get_by_text(f"({OTHER_STREET})", exact=False).first.wait_for(
                timeout=90_000)
        finally:
            browser.close()
