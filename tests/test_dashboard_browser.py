"""End to end: `redgov dashboard` as a real server, loaded in headless Chromium.

Streamlit sends its content over a websocket after the page loads, so the test drives
the browser (Playwright for Python on Debian's /usr/bin/chromium, no browser download)
and waits for the content rather than taking a timed snapshot (docs/engine-notes.md).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from test_dashboard_fixture import fixture_graph

CHROMIUM = "/usr/bin/chromium"
QUIET_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium(p: Any, profile: Path) -> Any:
    """Debian's Chromium, headless and quiet, in a fresh profile at ``profile``: the one
    way every browser test here opens its window (no browser download)."""
    return p.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=QUIET_FLAGS,
        viewport={"width": 1400, "height": 1000},
    )

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} is missing (Debian package `chromium`)"),
]


#: Each served dashboard's printed link (single-user mode: it carries the start-up token).
TOKENED: dict[str, str] = {}


def with_token(page, server_url: str) -> None:
    """Open the printed link once: the server trades its token for a cookie, so the
    test's later links and reloads work without it."""
    page.goto(TOKENED[server_url], wait_until="domcontentloaded")
    assert "token=" not in page.url, page.url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def graph(falkor_engine, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[SimpleNamespace]:
    """FalkorDB only: the app's data reads run on both engines in test_dashboard_app.py."""
    with fixture_graph(falkor_engine, tmp_path_factory.mktemp("dash-browser")) as g:
        yield g


@pytest.fixture
def server_url(graph: SimpleNamespace, server, monkeypatch: pytest.MonkeyPatch
               ) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "REDGOV_HOME": str(server.home), "REDGOV_GRAPH": graph.name}
    env.pop("REDGOV_STORE", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "redgov", "dashboard", "--port", str(port), "--no-browser"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        first = proc.stdout.readline() if proc.stdout else ""
        assert first.startswith(f"redgov 看板已启动： {url}?token="), first
        TOKENED[url] = first.split()[2]  # single-user mode: the printed link with its token
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the dashboard did not start: {proc.poll()}") from None
                time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # redgov and the streamlit child it started
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_overview_figures_and_network_canvas_in_chromium(server_url: str, tmp_path: Path
                                                        ) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = chromium(p, tmp_path / "profile")
        try:
            page = browser.new_page()
            with_token(page, server_url)
            page.goto(server_url, wait_until="domcontentloaded")
            metrics = page.locator('[data-testid="stMetric"]')
            metrics.first.wait_for(timeout=60_000)
            page.get_by_text("2/3 个小区").first.wait_for(timeout=30_000)
            text = page.locator('[data-testid="stMain"]').inner_text()
            for want in ("小区党组织覆盖率", "66.7%", "2/3 个小区", "“一肩挑”比例", "100.0%",
                         "+33.3 个百分点", "业委会到期未换届", "未达标", "达标"):
                assert want in text, (want, text[:2000])
            assert metrics.count() == 10
            # Each card's title is whole: it wraps inside its card, nothing cut or hidden.
            cut = page.evaluate("""() => [...document.querySelectorAll(
                '[data-testid="stMain"] [data-testid="stMarkdownContainer"] strong')]
                .filter(e => e.textContent.includes(' · R'))
                .map(e => [e.textContent, e.closest('p').scrollWidth - e.closest('p').clientWidth,
                           e.getBoundingClientRect().height])""")
            assert len(cut) == 10 and all(over <= 1 for _, over, _ in cut), cut
            assert "业委会或自治组织覆盖率 · R4, R5" in [t for t, _, _ in cut], cut

            page.goto(server_url + "hierarchy?unit=X1", wait_until="domcontentloaded")
            page.get_by_text("阳光小区 · 小区 · X1").wait_for(timeout=60_000)
            frame = page.frame_locator("iframe").first
            canvas = frame.locator("canvas")
            canvas.wait_for(timeout=60_000)
            box = canvas.bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 300, box
            assert frame.locator("#legend").inner_text().count("党支部") == 1
            legend = frame.locator("#legend").bounding_box()
            assert legend is not None and legend["x"] + legend["width"] <= box["x"] + 1, \
                (legend, box)  # beside the canvas, not over it
        finally:
            browser.close()


def _network_codes(page) -> str:
    """The open compound's network page (the iframe's HTML, which names every node)."""
    page.frame_locator("iframe").first.locator("canvas").wait_for(timeout=60_000)
    return page.locator("iframe").first.get_attribute("srcdoc") or ""


def test_the_snapshot_picker_and_its_link(server_url: str, graph: SimpleNamespace,
                                          tmp_path: Path) -> None:
    """A ``?snapshot=`` link opens that snapshot (the sidebar says which, the page answers
    for it); choosing another in the sidebar's picker answers for that one and puts it in
    the address bar."""
    from playwright.sync_api import sync_playwright

    first, second = graph.runs
    with sync_playwright() as p:
        browser = chromium(p, tmp_path / "profile")
        try:
            page = browser.new_page()
            with_token(page, server_url)
            page.goto(server_url + f"hierarchy?unit=X3&snapshot={first}",
                      wait_until="domcontentloaded")
            page.get_by_text("新苑小区 · 小区 · X3").wait_for(timeout=60_000)
            sidebar = page.locator('[data-testid="stSidebar"]')
            picker = sidebar.get_by_role("combobox", name="快照")
            assert picker.input_value() == "2025-06-30 · 全量 · 第 1 次"
            sidebar.get_by_text("截至日期：2025-06-30").wait_for(timeout=60_000)
            html = _network_codes(page)
            assert '"id": "OC3"' in html and '"id": "B3"' not in html  # B3: the second
            assert f"snapshot={first}" in page.url, page.url
            picker.click()
            page.get_by_role("option", name="2025-12-31 · 全量 · 第 2 次（最新）").click()
            sidebar.get_by_text("截至日期：2025-12-31").wait_for(timeout=60_000)
            page.wait_for_function(f"() => location.search.includes('snapshot={second}')",
                                   timeout=60_000)
            page.get_by_text("新苑小区 · 小区 · X3").wait_for(timeout=60_000)
            page.wait_for_function(
                "() => (document.querySelector('iframe') || {}).srcdoc"
                " && document.querySelector('iframe').srcdoc.includes('\"id\": \"B3\"')",
                timeout=60_000)
        finally:
            browser.close()


#: Every page and what shows it has arrived (all its content, not just the shell).
PAGES = [
    ("", '[data-testid="stMetric"]', "小区党组织覆盖率"),
    ("hierarchy", '[data-testid="stDataFrame"]', "下级单位"),
    ("hierarchy?unit=S1", "iframe", "东风街道 · 街道 · S1"),
    ("hierarchy?unit=M2", "iframe", "![t](http://host/x.png) · 社区 · M2"),
    ("hierarchy?unit=X3", "iframe", "新苑小区 · 小区 · X3"),
    ("audit", '[data-testid="stDataFrame"]', "共 1 行，其中审计发现 1 行"),
    ("people?person=P1", '[data-testid="stVegaLiteChart"]', "张三 · P1 · 中共党员"),
    ("sync", '[data-testid="stDataFrame"]', "时间均为北京时间。"),
    ("hierarchy?unit=%21%5Bx%5D%28http%3A%2F%2Fhost%2Fy.png%29", '[data-testid="stAlert"]',
     "找不到单位 ![x](http://host/y.png)"),
]


def test_every_page_loads_with_nothing_leaving_the_machine(server_url: str, tmp_path: Path
                                                          ) -> None:
    """Every request is recorded; any that leaves 127.0.0.1 is refused and fails the test
    (Streamlit's bundle used to point the favicon at fonts.gstatic.com).  The pages still
    load completely, and registry names written as Markdown or HTML show as typed."""
    from playwright.sync_api import sync_playwright

    seen: list[str] = []

    def gate(route) -> None:
        url = route.request.url
        seen.append(url)
        local = url.split("/")[2].split(":")[0] == "127.0.0.1" if "://" in url else True
        if local:
            route.continue_()
        else:
            route.abort()

    with sync_playwright() as p:
        browser = chromium(p, tmp_path / "profile")
        try:
            browser.route("**/*", gate)
            page = browser.new_page()
            with_token(page, server_url)
            page.on("websocket", lambda ws: seen.append(ws.url))
            for path, element, text in PAGES:
                page.goto(server_url + path, wait_until="domcontentloaded")
                page.locator(element).first.wait_for(timeout=60_000)
                page.get_by_text(text, exact=False).first.wait_for(timeout=60_000)
                if element == "iframe":
                    page.frame_locator("iframe").first.locator("canvas").wait_for(
                        timeout=60_000)
                page.wait_for_timeout(800)  # late requests (favicon, fonts, images)
            # The HTML-named body is in the compound's table as text, never as an image.
            page.goto(server_url + "hierarchy?unit=X3", wait_until="domcontentloaded")
            page.get_by_text("新苑小区 · 小区 · X3").wait_for(timeout=60_000)
            assert page.locator('img[src*="host"]').count() == 0
        finally:
            browser.close()
    outside = sorted({u for u in seen if "://" in u and u.split("/")[2].split(":")[0]
                      != "127.0.0.1"})
    assert outside == [], outside
    assert any(u.endswith("/_stcore/stream") for u in seen), seen[:20]


def test_a_table_row_click_opens_the_unit(server_url: str, tmp_path: Path) -> None:
    """Drill-down by clicking a row of the sub-units table (not only select + 进入)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = chromium(p, tmp_path / "profile")
        try:
            page = browser.new_page()
            with_token(page, server_url)
            page.goto(server_url + "hierarchy?unit=D1", wait_until="domcontentloaded")
            page.get_by_text("东区 · 区 · D1").wait_for(timeout=60_000)
            grid = page.locator('[data-testid="stDataFrame"]').first
            grid.wait_for(timeout=60_000)
            box = grid.bounding_box()
            assert box is not None
            # The first data row's selection cell (header ~35 px, rows ~35 px).
            page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
            page.get_by_text("东风街道 · 街道 · S1").wait_for(timeout=60_000)
            assert "unit=S1" in page.url, page.url
            # People: every match is listed; a click on a row opens that person.
            page.goto(server_url + "people", wait_until="domcontentloaded")
            box = page.get_by_label("按姓名或编码搜索")
            box.fill("P")
            box.press("Enter")
            page.get_by_text("共匹配").wait_for(timeout=60_000)
            grid = page.locator('[data-testid="stDataFrame"]').first
            grid.wait_for(timeout=60_000)
            box2 = grid.bounding_box()
            assert box2 is not None
            page.mouse.click(box2["x"] + 18, box2["y"] + 35 + 35 + 17)  # the second row
            page.get_by_text("李四 · P2").wait_for(timeout=60_000)
        finally:
            browser.close()


#: In a network's frame: the zoom, the smallest label as drawn (font size × zoom, in CSS
#: pixels), the graph's bounding box on screen and the canvas and page sizes.
MEASURE = """() => {
  const s = network.getScale();
  let least = Infinity, who = null, l = Infinity, r = -Infinity, t = Infinity, b = -Infinity;
  for (const id of network.body.nodeIndices) {
    const n = network.body.nodes[id];
    if (n.options.label) {
      const px = n.labelModule.fontOptions.size * s;
      if (px < least) { least = px; who = id; }
    }
    const bb = n.shape.boundingBox;
    const a = network.canvasToDOM({x: bb.left, y: bb.top});
    const c = network.canvasToDOM({x: bb.right, y: bb.bottom});
    l = Math.min(l, a.x); t = Math.min(t, a.y); r = Math.max(r, c.x); b = Math.max(b, c.y);
  }
  const el = document.getElementById("mynetwork"), de = document.documentElement;
  return {scale: s, least: least, who: who, nodes: network.body.nodeIndices.length,
          box: [l, t, r, b], canvas: [el.clientWidth, el.clientHeight],
          page: [de.scrollWidth, de.scrollHeight, window.innerWidth, window.innerHeight]};
}"""

#: Every network level of the fixture: city, district, street, community, compound, and a
#: person's bridges (P1: B1's secretary and OC1's chair).
LEVELS = [("hierarchy?unit=C", "示范市 · 市 · C"), ("hierarchy?unit=D1", "东区 · 区 · D1"),
          ("hierarchy?unit=S1", "东风街道 · 街道 · S1"),
          ("hierarchy?unit=M1", "和平社区 · 社区 · M1"),
          ("hierarchy?unit=X1", "阳光小区 · 小区 · X1"), ("people?person=P1", "张三 · P1")]


def test_every_network_level_is_legible_and_inside_its_frame(server_url: str, tmp_path: Path
                                                              ) -> None:
    """One browser for every level: once the view has settled, no label is drawn below
    12 px, the whole graph lies inside the canvas, the frame's page has no overflow, and
    zooming out past the fit is refused (issue 19 §6)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = chromium(p, tmp_path / "profile")
        try:
            page = browser.new_page()
            with_token(page, server_url)
            for path, heading in LEVELS:
                page.goto(server_url + path, wait_until="domcontentloaded")
                page.get_by_text(heading).first.wait_for(timeout=60_000)
                frame = page.locator("iframe").first.element_handle().content_frame()
                frame.wait_for_function("() => window.readable", timeout=60_000)
                m = frame.evaluate(MEASURE)
                assert m["least"] >= 12, (path, m)
                left, top, right, bottom = m["box"]
                width, height = m["canvas"]
                assert min(left, top) >= 0 and right <= width and bottom <= height, (path, m)
                assert m["page"][0] <= m["page"][2] and m["page"][1] <= m["page"][3], (path, m)
                if path == "hierarchy?unit=X1":  # wheel out over the canvas: refused
                    canvas = page.frame_locator("iframe").first.locator("canvas")
                    canvas.hover()
                    for _ in range(5):
                        page.mouse.wheel(0, 400)
                    page.wait_for_timeout(300)
                    after = frame.evaluate(MEASURE)
                    assert after["least"] >= 12 and after["scale"] >= m["scale"] * 0.999, \
                        (m, after)
        finally:
            browser.close()
