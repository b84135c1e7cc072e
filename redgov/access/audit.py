"""Account changes are audited first or not at all.

A change to an account (created, password set, disabled, enabled, removed, role or scope
changed) must never happen unrecorded: :func:`audited` appends the access-log entry
*before* the change runs, and when that entry cannot be written (a full disk, a read-only
or vanished data directory) the change does not run and the caller gets one Chinese line
saying so (:class:`AuditUnwritable`).  If the change itself then fails, a follow-up entry
``<event>_failed`` is written when it can be, so the log never claims a change silently.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from typing import Any

from .log import log_path, record

__all__ = ["AuditUnwritable", "audited"]


class AuditUnwritable(RuntimeError):
    """The audit entry could not be written, so the account was left unchanged."""


def _reason(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "磁盘已满"
    if exc.errno == errno.EROFS:
        return "文件系统只读"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "没有写权限"
    return os.strerror(exc.errno) if exc.errno else type(exc).__name__


@contextlib.contextmanager
def audited(event: str, actor: str | None, **fields: Any) -> Iterator[None]:
    """Write the audit entry, then run the block (the change); no entry, no change."""
    try:
        record(event, actor, **fields)
    except OSError as exc:
        raise AuditUnwritable(
            f"审计日志无法写入（{_reason(exc)}：{log_path()}），账户未改动；"
            "请先腾出空间或修复该文件再重试。"
            f" (the audit entry could not be written: {os.strerror(exc.errno or 0) or exc}; "
            "the account was not changed)"
        ) from None
    try:
        yield
    except BaseException:
        with contextlib.suppress(OSError):
            record(f"{event}_failed", actor, **fields)
        raise
