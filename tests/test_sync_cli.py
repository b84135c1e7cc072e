"""``redgov sync`` end to end: exit codes, output formats, ``--errors-out``, atomicity by kill.

The atomicity tests run the real CLI in a subprocess and make it SIGKILL itself at
several points of the write (``REDGOV_TEST_KILL_AFTER_BATCHES``, see loaders/apply.py):
the graph must then be exactly as before, property for property, and the next sync must
go through (the dead writer's lock and staging copy are cleaned up).
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from redgov.loaders import sync_export
from test_sync_support import (
    BASIC,
    RAW_PII,
    copy_export,
    counts,
    drop_rows,
    dump,
    set_cell,
    set_manifest,
)

from redgov.cli import main


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["sync", *args], catch_exceptions=False)


def test_json_output_and_exit_codes(store, redgov_env: dict) -> None:
    first = invoke(str(BASIC), "--format", "json")
    assert first.exit_code == 0, first.output
    got = json.loads(first.output)
    assert (got["status"], got["snapshot_date"], got["changes"]["人员"]) == (
        "applied", "2024-03-01", {"added": 4, "changed": 0, "retired": 0, "unchanged": 0})
    assert got["errors"] == [] and got["warnings"] == []
    assert isinstance(got["duration_s"], float)
    second = invoke(str(BASIC), "--format", "json")
    assert (second.exit_code, json.loads(second.output)["status"]) == (0, "unchanged")
    dry = invoke(str(BASIC), "--dry-run", "--format", "json")
    assert (dry.exit_code, json.loads(dry.output)["status"]) == (0, "dry-run")
    assert counts(store)["SyncRun"] == 1


def test_table_output(store, redgov_env: dict) -> None:
    result = invoke(str(BASIC))
    assert result.exit_code == 0
    assert result.output.startswith("同步已应用 — 快照日期 "), result.output
    assert "全量" in result.output
    lines = result.output.splitlines()
    assert lines[1].split() == ["表", "新增", "修改", "退出", "无变化"], lines[:3]
    assert "任职" in result.output
    for code in ("applied", "added", "full", "unchanged"):
        assert code not in result.output, (code, result.output)
    again = invoke(str(BASIC), "--lang", "en")
    assert again.output.startswith("sync unchanged — snapshot "), again.output
    assert "added" in again.output


def test_help_names_the_tables_and_the_guide() -> None:
    from click.testing import CliRunner

    from redgov.cli import main

    text = " ".join(CliRunner().invoke(main, ["sync", "--help"]).output.split())
    for table in ("清单", "单位", "组织", "人员", "任职", "监管", "物业服务", "走访", "评价"):
        assert table in text, table
    assert "docs/使用说明.md" in text


def test_rejected_export_lists_every_error_and_writes_csv(
    store, redgov_env: dict, tmp_path: Path
) -> None:
    export = copy_export(tmp_path)
    set_cell(export, "单位", 6, "户数", "=1+1")
    set_cell(export, "任职", 3, "组织编码", "O_XX")
    out = tmp_path / "errors.csv"
    result = invoke(str(export), "--errors-out", str(out), "--format", "json")
    assert result.exit_code == 1
    got = json.loads(result.output)
    assert got["status"] == "rejected"
    assert [(e["table"], e["row"], e["column"], e["value"]) for e in got["errors"]] == [
        ("单位", 6, "户数", "=1+1"), ("任职", 3, "组织编码", "O_XX")]
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese as UTF-8
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["表", "行号", "列", "值", "原因", "reason"]
    assert [r[:4] for r in rows[1:]] == [
        ["单位", "6", "户数", "'=1+1"], ["任职", "3", "组织编码", "O_XX"]]
    assert rows[1][4] == "应为整数" and rows[1][5] == "expected an integer"
    assert counts(store) == {}
    table = invoke(str(export))
    assert table.exit_code == 1
    assert "错误 2 条" in table.output and "O_XX" in table.output, table.output
    assert "应为整数" in table.output and "expected an integer" not in table.output
    english = invoke(str(export), "--lang", "en")
    assert "errors: 2" in english.output and "expected an integer" in english.output


def test_usage_errors_exit_2(store, redgov_env: dict, tmp_path: Path) -> None:
    assert invoke(str(tmp_path / "missing")).exit_code == 2
    note = tmp_path / "notes.txt"
    note.write_text("x")
    assert invoke(str(note)).exit_code == 2
    assert invoke(str(BASIC), "--format", "yaml").exit_code == 2


def _cli(path: Path, env: dict, kill_after: int | None = None) -> subprocess.CompletedProcess:
    env = dict(env)
    env.pop("REDGOV_TEST_KILL_AFTER_BATCHES", None)
    if kill_after is not None:
        env["REDGOV_TEST_KILL_AFTER_BATCHES"] = str(kill_after)
    return subprocess.run(
        [sys.executable, "-m", "redgov", "sync", str(path), "--format", "json"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.mark.parametrize("first_sync", [True, False], ids=["into-empty", "over-existing"])
def test_kill_at_any_point_leaves_the_graph_as_it_was(
    store, redgov_env: dict, tmp_path: Path, first_sync: bool
) -> None:
    export = copy_export(tmp_path)
    if not first_sync:
        assert sync_export(store, export).status == "applied"
        set_manifest(export, "快照日期", "2024-04-01")
        drop_rows(export, "人员", lambda r: r["人员编码"] != "P3")
        drop_rows(export, "任职", lambda r: r["人员编码"] != "P3")
        set_cell(export, "单位", 4, "名称", "湖里街道办")
    before = dump(store)
    for point in (0, 1, 3, 5, -1):
        proc = _cli(export, redgov_env, kill_after=point)
        assert proc.returncode == -signal.SIGKILL, (point, proc.stdout, proc.stderr)
        assert dump(store) == before, point
    done = _cli(export, redgov_env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "applied"
    after = dump(store)
    assert after != before
    assert _cli(export, redgov_env).returncode == 0  # and again: unchanged
    assert dump(store) == after


def test_a_second_sync_waits_for_the_first(store, engine, graph_name: str, monkeypatch,
                                           tmp_path_factory) -> None:
    home = tmp_path_factory.getbasetemp() / "sync-home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("REDGOV_HOME", str(home))
    other = engine.open(graph_name)  # a second writer on the same graph
    released: list[float] = []

    def hold() -> None:
        with other.transaction():
            time.sleep(1.0)
            released.append(time.monotonic())

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.2)
    report = sync_export(store, BASIC)
    finished = time.monotonic()
    holder.join()
    other.close()
    assert finished > released[0]  # it waited for the first writer's commit
    assert report.status == "applied"
    assert counts(store)["Unit"] == 6


def test_the_cli_never_prints_personal_data(store, redgov_env: dict, tmp_path: Path) -> None:
    export = copy_export(tmp_path)
    set_cell(export, "人员", 2, "居住单位编码", "K9")
    result = invoke(str(export), "--format", "json")
    assert result.exit_code == 1
    for raw in RAW_PII:
        assert raw not in result.output
    log = Path(os.environ["REDGOV_HOME"]) / "sync-runs.jsonl"
    for raw in RAW_PII:
        assert raw not in log.read_text(encoding="utf-8")
