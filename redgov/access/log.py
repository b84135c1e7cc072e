"""The access log: one JSON line per action, appended to ``access-log.jsonl``.

Who (account name), when (UTC), what (``event``: a page view, a catalog question with its
parameters, a download, a login or failed login, an account change), where (``page``),
the scope applied, the rows returned and the client's address.  Nothing personal beyond
masked forms: search terms typed into the people page are kept as their first character
and asterisks, client addresses with their last part replaced, and every text of an
entry (a link's ``?unit=``/``?person=`` value, the account name typed into the login
form, a question's parameters) has its ID-number- and phone-shaped runs masked
(:func:`mask_entry`).  The file is created 0600 in the data directory
(``$REDGOV_ACCESS_LOG`` names another file), written with ``O_APPEND`` under an
exclusive lock, and never rewritten by redgov.

Bounds, so that no visitor can grow the log at will (README "Limits and data
protection"; each changed by its environment variable):

====================================  =======  ============================================
variable                              default  what it bounds
====================================  =======  ============================================
REDGOV_ACCESS_LOG_FIELD_CHARS         200      characters of one text value in an entry
REDGOV_ACCESS_LOG_ENTRY_BYTES         4096     bytes of one entry (else only its core kept)
REDGOV_ACCESS_LOG_SESSION_ENTRIES     300      entries one dashboard session writes a minute
====================================  =======  ============================================

Past its budget a session's entries are not written one by one: the first one over writes
a ``limited`` entry, and the next entry after the minute ends is preceded by a
``summary`` entry counting what was held back, per event.  ``redgov access-log`` reads
the file as a stream, one bounded line at a time (:func:`iter_log`).

>>> mask_text("张三丰"), mask_ip("192.168.10.23"), mask_ip("2001:db8:85a3::8a2e:370:7334")
('张**', '192.168.10.*', '2001:db8:85a3:*')
>>> mask_value("unit=U1 身份证 11010119900307777X 电话 138-1234-5678")
'unit=U1 身份证 1101**********777X 电话 138****5678'
"""

from __future__ import annotations

import collections
import fcntl
import json
import os
import re
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..graph.home import data_dir
from ..graph.settings import Setting, whole
from ..loaders.normalise import mask_id, mask_phone
from ..loaders.pii import mask_pii

__all__ = [
    "EVENT_ZH", "LOG_FILE", "Bounds", "iter_log", "log_path", "mask_entry", "mask_ip",
    "mask_text", "mask_value", "read_log", "record", "tail_log",
]

LOG_FILE = "access-log.jsonl"
#: Event → its Chinese name (the ``redgov access-log`` table).
EVENT_ZH: dict[str, str] = {
    "login": "登录", "login_failed": "登录失败", "login_refused": "登录受限",
    "logout": "退出", "expired": "会话过期", "revoked": "会话撤销", "view": "浏览", "query": "查询",
    "download": "下载", "not_found": "未找到", "denied": "无权访问",
    "user_add": "新增账户", "user_passwd": "修改密码", "user_disable": "停用账户",
    "user_enable": "启用账户", "user_remove": "删除账户", "user_set": "修改角色或范围",
    "limited": "记录超限", "summary": "超限汇总",
}
#: Keys kept when an entry is too big even after each value was cut to size.
CORE = ("time", "event", "user", "page", "question", "scope", "applied_scope", "rows",
        "format", "client", "reason", "role", "account", "unit", "person", "limit")
#: Items kept of one list or map inside an entry (a question's parameters).
MAX_ITEMS = 32
#: Characters of one physical line :func:`iter_log` reads; a longer line is skipped.
MAX_LINE_CHARS = 1 << 16
WINDOW_S = 60.0
_ENV = {"field_chars": "REDGOV_ACCESS_LOG_FIELD_CHARS",
        "entry_bytes": "REDGOV_ACCESS_LOG_ENTRY_BYTES",
        "session_entries": "REDGOV_ACCESS_LOG_SESSION_ENTRIES"}


@dataclass(frozen=True)
class Bounds:
    """What one entry may hold and one session may write (see the module docstring)."""

    field_chars: int = 200
    entry_bytes: int = 4096
    session_entries: int = 300

    @classmethod
    def from_env(cls) -> Bounds:
        # graph/settings.py: a whole number from 1 to a million, else the default.
        return cls(**{name: whole(Setting(var, getattr(cls, name), 1, 1_000_000, name))
                      for name, var in _ENV.items()})


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


# A run of digits with single separators between them (``110101 19900307 777X``,
# ``138.1234.5678``): what the shape-aware masking of loaders.pii does not read as one number.
_SPACED_RUN = re.compile(r"[0-9](?:[ .\-_/]?[0-9])*(?:[ .\-_/]?[Xx])?")
_DIGITS_AT_LEAST = 11
#: Eleven digits (ASCII or full-width) in a row, single separators allowed: a line
#: without one holds nothing :func:`mask_value` would change.
_DIGIT_RUN = re.compile(r"[0-9０-９](?:[ .\-_/]?[0-9０-９]){10}")


def _mask_run(match: re.Match[str]) -> str:
    """A run masked when its digits have a person's length: a mobile (11, ``1[3-9]…``), an
    old (15) or new (18, or 17 and ``X``) ID number.  A 12-digit unit code stays."""
    run = match.group()
    digits = re.sub(r"[^0-9Xx]", "", run).upper()
    if len(digits) == 11 and digits.isdigit() and digits[1] in "3456789" and digits[0] == "1":
        return mask_phone(digits)
    if (len(digits) == 15 and digits.isdigit()) or (len(digits) == 18 and digits[:17].isdigit()):
        return mask_id(digits)
    return run


def mask_value(text: str) -> str:
    """Every ID-number- and phone-shaped run in ``text`` masked, whatever glues it.

    Broader than :func:`loaders.pii.mask_pii` on purpose: it also takes ID- and
    phone-length runs glued to letters (``11010119900307777Xabc``) or split by spaces,
    dots, dashes, slashes or underscores, and full-width digits (folded first), whatever
    their check digit.  A log entry loses such a number's middle rather than risk keeping
    a person's; other long codes (a 12-digit unit code) are kept as typed.
    """
    if sum(c.isdigit() for c in text) < _DIGITS_AT_LEAST:
        return text
    folded = mask_pii(unicodedata.normalize("NFKC", text))
    return _SPACED_RUN.sub(_mask_run, folded)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _bounded(value: Any, bounds: Bounds, depth: int = 0) -> Any:
    """A value as an entry may hold it: texts masked and cut, lists and maps trimmed."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value if abs(value) < 10 ** 10 else mask_value(str(value))
    if isinstance(value, dict) and depth < 3:
        items = list(value.items())
        out = {_cut(mask_value(str(k)), 64): _bounded(v, bounds, depth + 1)
               for k, v in items[:MAX_ITEMS]}
        if len(items) > MAX_ITEMS:
            out["…"] = len(items) - MAX_ITEMS
        return out
    if isinstance(value, list | tuple) and depth < 3:
        kept = [_bounded(v, bounds, depth + 1) for v in list(value)[:MAX_ITEMS]]
        return kept + ([f"…+{len(value) - MAX_ITEMS}"] if len(value) > MAX_ITEMS else [])
    # Cut before masking too: masking a megabyte of text is work a visitor should not buy.
    return _cut(mask_value(str(value)[:bounds.field_chars * 4]), bounds.field_chars)


def mask_entry(entry: dict[str, Any], bounds: Bounds | None = None) -> dict[str, Any]:
    """The entry as written: every value masked and bounded; past ``entry_bytes`` only the
    :data:`CORE` keys are kept, with ``truncated: true``."""
    bounds = bounds or Bounds.from_env()
    out: dict[str, Any] = _bounded(entry, bounds)
    if len(_line(out).encode()) > bounds.entry_bytes:
        out = {k: out[k] for k in CORE if k in out} | {"truncated": True}
    return out


def _line(entry: dict[str, Any]) -> str:
    return json.dumps(entry, ensure_ascii=False, default=str)


def _append(target: Path, entries: list[dict[str, Any]]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.write("".join(_line(e) + "\n" for e in entries))
    if target.stat().st_mode & 0o077:
        os.chmod(target, 0o600)


@dataclass
class _Budget:
    """One session's entries in the current minute, and what was held back."""

    start: float
    written: int = 0
    held: collections.Counter[str] = field(default_factory=collections.Counter)
    held_since: str | None = None


_BUDGETS: collections.OrderedDict[str, _Budget] = collections.OrderedDict()
_BUDGETS_KEPT = 4096
_LOCK = threading.Lock()
_clock = time.monotonic  # a test moves it to end a minute


def _admit(key: str, event: str, user: str | None, bounds: Bounds
           ) -> tuple[bool, list[dict[str, Any]]]:
    """Whether ``key``'s session may write one more entry now, and the bookkeeping
    entries (``summary``, ``limited``) to write with it or in its place."""
    now = _clock()
    extra: list[dict[str, Any]] = []
    with _LOCK:
        budget = _BUDGETS.pop(key, None) or _Budget(now)
        _BUDGETS[key] = budget  # most recently used last
        while len(_BUDGETS) > _BUDGETS_KEPT:
            _BUDGETS.popitem(last=False)
        if now - budget.start >= WINDOW_S:
            if budget.held:
                extra.append({"time": now_iso(), "event": "summary", "user": user,
                              "since": budget.held_since, "held": sum(budget.held.values()),
                              "events": dict(budget.held)})
            budget.start, budget.written, budget.held, budget.held_since = (
                now, 0, collections.Counter(), None)
        if budget.written < bounds.session_entries:
            budget.written += 1
            return True, extra
        if not budget.held:
            budget.held_since = now_iso()
            extra.append({"time": budget.held_since, "event": "limited", "user": user,
                          "limit": bounds.session_entries})
        budget.held[event] += 1
        return False, extra


def record(event: str, user: str | None = None, path: Path | None = None, *,
           session: str | None = None, **fields: Any) -> None:
    """Append one entry, masked and bounded (:func:`mask_entry`).

    ``session`` (the dashboard passes one per browser session) counts the entry against
    that session's budget; the CLI's own entries (account changes) pass none.  Raises
    OSError when the log cannot be written: callers that serve data must not go on
    unlogged.
    """
    bounds = Bounds.from_env()
    entry = mask_entry({"time": now_iso(), "event": event, "user": user,
                        **{k: v for k, v in fields.items() if v is not None}}, bounds)
    entries = [entry]
    if session is not None:
        admitted, extra = _admit(session, event, entry.get("user"), bounds)
        entries = [*extra, *([entry] if admitted else [])]
        if not entries:
            return
    _append(path or log_path(), entries)


def iter_log(path: Path | None = None, *, user: str | None = None,
             since: str | None = None) -> Iterator[dict[str, Any]]:
    """Entries in the order written, filtered by account name and by time (an ISO date or
    date-time, compared in UTC: ``2026-12-01`` means from its midnight UTC).

    A stream: one line is read at a time, at most :data:`MAX_LINE_CHARS` of it (a longer,
    foreign or torn line is skipped), so memory stays bounded whatever the file's size.
    Each entry is masked and bounded again as it is read (:func:`mask_entry`): a log
    written by an older version, or edited by hand, never shows a raw number either.
    """
    bounds = Bounds.from_env()
    try:
        fh = (path or log_path()).open(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return
    with fh:
        while True:
            line = fh.readline(MAX_LINE_CHARS)
            if not line:
                return
            if not line.endswith("\n") and len(line) >= MAX_LINE_CHARS:
                while (rest := fh.readline(MAX_LINE_CHARS)) and not rest.endswith("\n"):
                    pass  # the rest of an over-long line: skipped, never held
                continue
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if not isinstance(item, dict):
                continue
            if user is not None and item.get("user") != user:
                continue
            if since is not None and str(item.get("time", "")) < since:
                continue
            if len(line) > bounds.entry_bytes or _DIGIT_RUN.search(line):
                item = mask_entry(item, bounds)  # else nothing in it could need it
            yield item


def read_log(path: Path | None = None, *, user: str | None = None,
             since: str | None = None) -> list[dict[str, Any]]:
    """:func:`iter_log` as a list (tests, small logs); commands use the stream."""
    return list(iter_log(path, user=user, since=since))


def tail_log(limit: int, path: Path | None = None, *, user: str | None = None,
             since: str | None = None) -> tuple[list[dict[str, Any]], int]:
    """The newest ``limit`` matching entries (oldest first) and how many matched."""
    kept: collections.deque[dict[str, Any]] = collections.deque(maxlen=max(limit, 0))
    total = 0
    for item in iter_log(path, user=user, since=since):
        kept.append(item)
        total += 1
    return list(kept), total
