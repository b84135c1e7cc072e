"""Issue 21: the dashboard's 同步 page (admins only) shows each pull source's status and a
failure streak, from the same status file ``redgov pull --status`` reads."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from redgov.loaders.sources import FOLDER, Source, add_source
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash
from test_dashboard_fixture import fixture_graph

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "pages" / "app.py")


@pytest.fixture(scope="module")
def graph(engine: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    with fixture_graph(engine, tmp_path_factory.mktemp("pull-dash")) as g:
        yield g


@pytest.fixture
def pulls(graph: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
          ) -> Iterator[Path]:
    """Two sources in the data directory the app reads, one failing for the third time."""
    for key, value in graph.env.items():
        monkeypatch.setenv(key, value)
    home = Path(graph.env["REDGOV_HOME"])
    for name in ("区台账", "共享目录"):
        add_source(Source(name=name, kind=FOLDER, location=str(tmp_path), scope="CITY1"))
    status = {"sources": {
        "区台账": {"last_attempt": "2026-01-02T03:00:00+00:00",
                  "last_success": "2026-01-01T23:00:00+00:00",
                  "next_run": "2026-01-02T03:20:00+00:00", "failures_in_row": 3,
                  "last_status": "failed",
                  "last_line_zh": "拉取失败，未写入任何数据：连接注册系统超时",
                  "last_line_en": "pull failed, nothing written: the registry timed out"},
        "共享目录": {"last_attempt": "2026-01-02T03:00:00+00:00",
                 "last_success": "2026-01-02T03:00:00+00:00",
                 "next_run": "2026-01-02T04:00:00+00:00", "failures_in_row": 0,
                 "last_status": "nothing-new", "last_line_zh": "没有新的导出",
                 "last_line_en": "nothing new"}}}
    (home / "pull").mkdir(mode=0o700, exist_ok=True)
    (home / "pull" / "status.json").write_text(json.dumps(status, ensure_ascii=False))
    yield home
    for name in ("sources.json", "source-secrets.json"):
        (home / name).unlink(missing_ok=True)
    shutil.rmtree(home / "pull", ignore_errors=True)


def test_sync_page_shows_pull_status_and_the_failure_streak(pulls: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at._page_hash = calc_hash("sync")
    at.run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert errors == ["来源 区台账 已连续 3 次拉取失败："
                      "拉取失败，未写入任何数据：连接注册系统超时"], errors
    frames = [d.value for d in at.dataframe if "连续失败" in d.value.columns]
    assert len(frames) == 1, [list(d.value.columns) for d in at.dataframe]
    rows = frames[0].to_dict("records")
    assert [(r["来源"], r["连续失败"]) for r in rows] == [("区台账", 3), ("共享目录", 0)], rows
    assert rows[0]["上次尝试"].startswith("2026-01-02 11:00"), rows[0]  # Beijing time
