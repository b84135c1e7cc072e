"""Account changes on a full disk (issue 17 §2): every command that changes an account
writes its audit entry first or not at all, and says so in one Chinese line.

Before: ``redgov user add`` on a full data directory created the account, lost its audit
entry and printed a traceback (exit 1).  The disk here is real: a 64 KiB tmpfs mounted for
the test (root only; the test is skipped, saying why, where mount is impossible), filled
until the kernel answers ENOSPC, holding the access log.  The store lives elsewhere, so
what is tested is the audit ordering, on both engines.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from redgov.access import accounts

PW = "correct-horse-battery"


@contextlib.contextmanager
def _small_disk(where: Path) -> Iterator[Path]:
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs",
                           str(where)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip() or 'not root'}); "
                    "the full-disk case needs a real full filesystem")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(disk: Path) -> None:
    """Write until the filesystem is full (ENOSPC), as a disk filled by anything else."""
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 512)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC, exc
    finally:
        os.close(fd)


def _redgov(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "redgov", *args], input=stdin,
                          capture_output=True, text=True, env=env, timeout=120, check=False)


def _entries(log: Path) -> list[dict]:
    if not log.exists():
        return []
    return [json.loads(x) for x in log.read_text().splitlines() if x.strip()]


def _one_chinese_line(done: subprocess.CompletedProcess) -> str:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and "审计日志无法写入" in lines[0], lines
    assert "磁盘已满" in lines[0] and "账户未改动" in lines[0], lines
    return lines[0]


def test_account_changes_on_a_full_disk(store, redgov_env: dict[str, str],  # type: ignore[no-untyped-def]
                                        tmp_path: Path) -> None:
    with _small_disk(tmp_path / "disk") as disk:
        log = disk / "access-log.jsonl"
        env = {**redgov_env, "REDGOV_ACCESS_LOG": str(log)}
        accounts.create(store, "chief", PW, "admin", None)  # set up beside the test's log
        _fill(disk)
        before = _entries(log)
        # Full: no entry, no change, one Chinese line, for every changing command.
        _one_chinese_line(_redgov(env, "user", "add", "li", "--role", "admin", stdin=PW + "\n"))
        assert accounts.get(store, "li") is None
        old_hash = store.read_meta("MATCH (a:Account {name: 'chief'}) RETURN a.hash AS h")
        _one_chinese_line(_redgov(env, "user", "passwd", "chief", stdin="another-long-secret\n"))
        assert store.read_meta("MATCH (a:Account {name: 'chief'}) RETURN a.hash AS h") == old_hash
        _one_chinese_line(_redgov(env, "user", "disable", "chief"))
        chief = accounts.get(store, "chief")
        assert chief is not None and not chief.disabled, chief
        _one_chinese_line(_redgov(env, "user", "remove", "chief"))
        assert accounts.get(store, "chief") is not None
        assert _entries(log) == before  # nothing half-written either

        # Room again: the same command works, its entry written.
        (disk / "filler").unlink()
        again = _redgov(env, "user", "add", "li", "--role", "admin", stdin=PW + "\n")
        assert again.returncode == 0, again.stderr
        assert accounts.get(store, "li") is not None
        assert [e["event"] for e in _entries(log)] == ["user_add"], _entries(log)
        assert os.stat(log).st_mode & 0o777 == 0o600
