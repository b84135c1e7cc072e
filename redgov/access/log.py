"""The access log: one JSON line per action, appended to ``access-log.jsonl``.

Who (account name), when (UTC), what (``event``: a page view, a catalog question with its
parameters, a download, a login or failed login, an account change), where (``page``),
the scope applied and the rows returned.  Nothing personal beyond masked forms: search
terms typed into the people page are kept as their first character and asterisks,
client addresses with their last part replaced.  The file is created 0600 in the data
directory (``$REDGOV_ACCESS_LOG`` names another file), written with ``O_APPEND`` under an
exclusive lock, and never rewritten by redgov.

>>> mask_text("张三丰"), mask_ip("192.168.10.23"), mask_ip("2001:db8:85a3::8a2e:370:7334")
('张**', '192.168.10.*', '2001:db8:85a3:*')
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..graph.home import data_dir, read_jsonl

__all__ = ["EVENT_ZH", "LOG_FILE", "log_path", "mask_ip", "mask_text", "read_log", "record"]

LOG_FILE = "access-log.jsonl"
#: Event → its Chinese name (the ``redgov access-log`` table).
EVENT_ZH: dict[str, str] = {
    "login": "登录", "login_failed": "登录失败", "login_refused": "登录受限",
    "logout": "退出", "expired": "会话过期", "revoked": "会话撤销", "view": "浏览", "query": "查询",
    "download": "下载", "not_found": "未找到", "denied": "无权访问",
    "user_add": "新增账户", "user_passwd": "修改密码", "user_disable": "停用账户",
    "user_enable": "启用账户", "user_remove": "删除账户", "user_set": "修改角色或范围",
}


def log_path() -> Path:
    env = os.environ.get("REDGOV_ACCESS_LOG")
    if env:
        return Path(env).expanduser()
    return data_dir() / LOG_FILE


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def mask_text(text: str | None) -> str | None:
    """Keep the first character of typed text (a name, perhaps) and hide the rest."""
    if not text:
        return text
    return text[0] + "*" * (len(text) - 1)


def mask_ip(address: str | None) -> str | None:
    if not address:
        return None
    if ":" in address:
        return ":".join(address.split(":")[:3]) + ":*"
    parts = address.split(".")
    return ".".join([*parts[:3], "*"]) if len(parts) == 4 else "*"


def record(event: str, user: str | None = None, path: Path | None = None,
           **fields: Any) -> None:
    """Append one entry.  Raises OSError when the log cannot be written: callers that
    serve data must not go on unlogged."""
    entry = {"time": now_iso(), "event": event, "user": user,
             **{k: v for k, v in fields.items() if v is not None}}
    target = path or log_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
    if target.stat().st_mode & 0o077:
        os.chmod(target, 0o600)


def _entries(path: Path) -> Iterator[dict[str, Any]]:
    return read_jsonl(path)


def read_log(path: Path | None = None, *, user: str | None = None,
             since: str | None = None) -> list[dict[str, Any]]:
    """Entries in the order written, filtered by account name and by time (an ISO date or
    date-time, compared in UTC: ``2026-12-01`` means from its midnight UTC)."""
    out = []
    for item in _entries(path or log_path()):
        if user is not None and item.get("user") != user:
            continue
        if since is not None and str(item.get("time", "")) < since:
            continue
        out.append(item)
    return out
