"""Issue 21: ``redgov source``, ``redgov pull`` and ``redgov service install`` as a person
types them: credentials kept 0600 and never shown, one line per source, the status table,
one pull at a time per data directory, and systemd units that verify."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pull_registry import zip_export
from redgov.loaders.pull import pull_lock

from redgov.cli import main

HISTORY = Path(__file__).parent / "fixtures" / "history"
E1 = zip_export(sorted(p for p in HISTORY.iterdir() if p.is_dir())[0])


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(main, list(args), input=input, env=env, catch_exceptions=False)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REDGOV_HOME", str(tmp_path))
    return tmp_path


def test_source_credentials_are_kept_apart_and_never_shown(home: Path) -> None:
    res = run("source", "add", "reg", "--url", "https://registry.example/export.zip",
              "--scope", "DIST1", "--auth", "bearer", "--review", "--schedule", "30m",
              input="tok-123456\n")
    assert res.exit_code == 0 and "不会显示" in res.output, res.output
    secrets = home / "source-secrets.json"
    assert oct(secrets.stat().st_mode & 0o777) == "0o600"
    assert oct((home / "sources.json").stat().st_mode & 0o777) == "0o600"
    assert "tok-123456" not in (home / "sources.json").read_text()
    listed = run("source", "list")
    assert "已设置" in listed.output and "暂存待审核" in listed.output and "30m" in listed.output
    as_json = run("source", "list", "--format", "json")
    assert "tok-123456" not in listed.output + as_json.output
    assert json.loads(as_json.output)[0]["secret_set"] is True
    bad = run("source", "add", "x", "--url", "https://u:p@registry.example/e.zip",
              "--scope", "DIST1")
    assert bad.exit_code == 1 and "用户名或密码" in bad.output, bad.output
    twice = run("source", "add", "reg", "--folder", str(home), "--scope", "DIST1")
    assert twice.exit_code == 1 and "已有名为 reg 的来源" in twice.output, twice.output
    assert run("source", "remove", "reg").exit_code == 0
    assert "tok-123456" not in secrets.read_text()
    assert "尚未添加来源" in run("source", "list").output
    (home / "sources.json").write_text("{torn")
    for args in (("source", "list"), ("pull", "--status"), ("pull", "--once")):
        res = run(*args)
        assert res.exit_code == 1 and "sources.json 已损坏" in res.output, (args, res.output)


def test_source_test_reports_reachability(home: Path, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "a.zip").write_bytes(E1)
    (drop / "b.zip.part").write_bytes(E1)
    run("source", "add", "share", "--folder", str(drop), "--scope", "CITY1")
    res = run("source", "test", "share")
    assert res.exit_code == 0 and "1 个导出文件" in res.output, res.output
    run("source", "add", "down", "--url", "http://127.0.0.1:9/export.zip", "--scope", "CITY1")
    res = run("source", "test", "down")
    assert res.exit_code == 1 and "无法连接注册系统" in res.output, res.output


def test_service_install_writes_units_that_verify(home: Path, tmp_path: Path) -> None:
    target = tmp_path / "units"
    exe = shutil.which("redgov") or "/usr/local/bin/redgov"
    res = run("service", "install", "--dir", str(target), "--every", "15m",
              "--user", "redgov", "--redgov", exe)
    assert res.exit_code == 0 and "systemctl enable --now redgov-pull.timer" in res.output
    service = (target / "redgov-pull.service").read_text()
    timer = (target / "redgov-pull.timer").read_text()
    for line in ("Type=oneshot", "User=redgov", f"Environment=REDGOV_HOME={home}",
                 f"ExecStart={Path(exe).resolve()} pull", "UMask=0077",
                 f"ReadWritePaths={home}", "ProtectSystem=strict"):
        assert line in service.splitlines(), (line, service)
    for line in ("OnUnitInactiveSec=15min", "Unit=redgov-pull.service",
                 "WantedBy=timers.target"):
        assert line in timer.splitlines(), (line, timer)
    analyze = shutil.which("systemd-analyze")
    if analyze and shutil.which("redgov"):
        res = subprocess.run([analyze, "verify", str(target / "redgov-pull.service"),
                              str(target / "redgov-pull.timer")],
                             capture_output=True, text=True, timeout=60)
        assert res.returncode == 0, res.stdout + res.stderr
        assert "redgov-pull" not in res.stdout + res.stderr, res.stdout + res.stderr


def _share_source(tmp_path: Path) -> Path:
    """A drop folder holding one settled export, registered as the source ``share``."""
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "e1.zip").write_bytes(E1)
    t = os.stat(drop / "e1.zip").st_mtime - 60
    os.utime(drop / "e1.zip", (t, t))
    assert run("source", "add", "share", "--folder", str(drop), "--scope", "CITY1",
               "--settle", "1s").exit_code == 0
    return drop


def test_pull_cli_lines_status_and_lock(redgov_env: dict[str, str], tmp_path: Path) -> None:
    _share_source(tmp_path)
    run("source", "add", "gone", "--folder", str(tmp_path / "nowhere"), "--scope", "CITY1")
    res = run("pull", "--once")
    assert res.exit_code == 1, res.output
    lines = res.output.strip().splitlines()
    assert lines[0].startswith("share：已发布新快照（快照日期 2024-06-30"), lines
    assert lines[1].startswith("gone：拉取失败，未写入任何数据：找不到投放文件夹"), lines
    status = run("pull", "--status")
    assert "连续失败" in status.output and "下次运行" in status.output, status.output
    data = json.loads(run("pull", "--status", "--format", "json").output)
    assert data["sources"]["gone"]["failures_in_row"] == 1
    assert data["sources"]["share"]["failures_in_row"] == 0
    assert run("pull", "share").output.strip() == "share：没有新的导出"
    log = (Path(redgov_env["REDGOV_HOME"]) / "pull" / "log.jsonl").read_text().splitlines()
    assert [(e["source"], e["status"]) for e in map(json.loads, log)] == [
        ("share", "applied"), ("gone", "failed"), ("share", "nothing-new")], log
    with pull_lock():
        res = run("pull", "--once")
    assert res.exit_code == 1 and "另一次拉取正在进行" in res.output, res.output
    assert "failures in a row" in run("pull", "--status", "--lang", "en").output


@pytest.fixture
def redgov_env(redgov_env: dict[str, str]) -> Any:
    """The engine's environment; the sources and pull state written into the session's
    data directory are removed afterwards (other tests share that directory)."""
    home = Path(redgov_env["REDGOV_HOME"])
    yield redgov_env
    for name in ("sources.json", "source-secrets.json"):
        (home / name).unlink(missing_ok=True)
    shutil.rmtree(home / "pull", ignore_errors=True)


def test_pull_every_keeps_pulling_until_stopped(redgov_env: dict[str, str],
                                                tmp_path: Path) -> None:
    """``redgov pull --every 1s`` in its own process: it takes the export dropped while it
    runs, keeps the status file current, and a second pull meanwhile either waits its
    turn (the lock) or finds nothing new — never a second sync at once."""
    import signal
    import sys
    import time

    drop = tmp_path / "drop"
    drop.mkdir()
    assert run("source", "add", "share", "--folder", str(drop), "--scope", "CITY1",
               "--settle", "1s", "--schedule", "1s").exit_code == 0
    proc = subprocess.Popen([sys.executable, "-m", "redgov", "pull", "--every", "1s"],
                            env=redgov_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        status_file = Path(redgov_env["REDGOV_HOME"]) / "pull" / "status.json"
        deadline = time.time() + 90
        while not status_file.exists() and time.time() < deadline:
            time.sleep(0.2)
        (drop / "e1.zip").write_bytes(E1)
        published = None
        while time.time() < deadline:
            entry = json.loads(status_file.read_text())["sources"]["share"]
            if entry.get("last_published"):
                published = entry["last_published"]
                break
            time.sleep(0.3)
        assert published and published["snapshot_date"] == "2024-06-30", published
        other = run("pull", "--once")
        assert ("另一次拉取正在进行" in other.output
                or other.output.strip() == "share：没有新的导出"), other.output
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert "share：已发布新快照（快照日期 2024-06-30" in out, (out, err[-2000:])
    assert "Traceback" not in err, err[-2000:]


def test_a_pull_that_publishes_returns_before_its_warm_step(
        redgov_env: dict[str, str], store: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``redgov pull`` publishes through loaders/pull.py: the warm step runs detached
    (dashboard/warm_background.py) — still to come when the command returned (the test
    holds the store's warm lock), then the new snapshot's answers kept."""
    from redgov.dashboard import warm_background as wb
    from redgov.graph.stores import resolve_store_spec

    kinds = "MATCH (s:SnapshotSummary) RETURN DISTINCT s.kind AS kind ORDER BY kind"
    monkeypatch.setenv("REDGOV_WARM", "on")
    _share_source(tmp_path)
    spec = resolve_store_spec(None)
    with wb._store_lock(spec):
        res = run("pull", "--once")
        assert res.exit_code == 0 and "已发布新快照" in res.output, res.output
        assert wb.pending(spec), "no background warm pending"
        assert store.read_meta(kinds) == [], store.read_meta(kinds)
    assert wb.wait(spec, timeout=600), wb.pending(spec)
    found = [r["kind"] for r in store.read_meta(kinds)]
    assert "question.coverage_rollup" in found, found
