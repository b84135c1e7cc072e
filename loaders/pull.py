"""``redgov pull``: fetch what a source has that is new, check it, sync or stage it.

One pull at a time per data directory (an exclusive lock on ``<data dir>/pull/pull.lock``).
For each source that is due (or the one named): fetch into the source's private folder
(:mod:`.fetch`: complete, digest-checked, bounded), recognise an export already synced —
its SHA-256 among those taken before, or its fingerprint on a published ``SyncRun`` — and
skip it, else hand the complete file to the same entry point a person uses:
:func:`~loaders.sync.sync_export` (publish) or :func:`~loaders.staging.stage_export`
(``--review``), with the source's scope as the plan check (:mod:`.scope_guard`).  The
fetched file is removed afterwards whatever happened.

Every outcome is one line, Chinese first; a failure changes nothing (the sync's own
guarantee: a rejected or failed sync leaves the graph as it was) and is counted in the
status file ``<data dir>/pull/status.json`` — last attempt, last success, next run,
failures in a row — that ``redgov pull --status`` and the dashboard's 同步 page read.
After a failure a source is due again sooner (5 minutes, doubling, at most its schedule).
Every outcome is also appended to ``<data dir>/pull/log.jsonl`` (time, source, status,
the line), the history behind the status file.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..graph.cypher import cypher
from ..graph.home import data_dir, open_private, write_private
from ..graph.stores.base import Store
from .fetch import (
    Fetched,
    PullFailed,
    Retry,
    fetch_folder,
    fetch_http,
    ledger,
    pull_root,
    save_ledger,
    source_dir,
)
from .limits import BadLimit, Limits
from .pii import load_key, mask_pii
from .read import ExportUnreadable, open_export
from .report import APPLIED, DRY_RUN, REJECTED, UNCHANGED
from .scope_guard import scope_check
from .sources import FOLDER, Source, load_sources, read_secret
from .staging import stage_export
from .sync import fingerprint, sync_export
from .workdir import private_dir as scratch_dir

__all__ = [
    "APPLIED_",
    "FAILED",
    "NOTHING",
    "STAGED_",
    "WAITING",
    "Outcome",
    "PullBusy",
    "pull",
    "pull_lock",
    "read_status",
]

FAILED, NOTHING, WAITING, SKIPPED = "failed", "nothing-new", "waiting", "already-synced"
APPLIED_, STAGED_, UNCHANGED_ = "applied", "staged", "unchanged"
STATUS_FILE = "status.json"
LOG_FILE = "log.jsonl"
LOCK_FILE = "pull.lock"
RETRY_AFTER_S = 300

_SYNCED = cypher(
    "sync.pull.synced_digest",
    """
MATCH (r:SyncRun)
WHERE r.published = true AND r.export_digest = $digest
RETURN r.id AS id
LIMIT 1
""",
)


class PullBusy(Exception):
    """Another pull holds this data directory's lock."""

    zh = "另一次拉取正在进行（同一数据目录同时只进行一次拉取），本次未执行"
    en = "another pull is running on this data directory; this one did nothing"


@dataclass
class Outcome:
    source: str
    status: str
    zh: str
    en: str
    run_id: str | None = None
    staged_id: str | None = None
    snapshot_date: str | None = None

    @property
    def failed(self) -> bool:
        return self.status == FAILED

    def line(self, lang: str = "zh") -> str:
        return f"{self.source}：{self.zh}" if lang != "en" else f"{self.source}: {self.en}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _now_iso(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds")


@contextlib.contextmanager
def pull_lock(home: Path | None = None) -> Iterator[None]:
    """The data directory's pull lock, taken without waiting (:class:`PullBusy`)."""
    with open_private(pull_root(home) / LOCK_FILE, "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PullBusy from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def read_status(home: Path | None = None) -> dict[str, Any]:
    """The status file (``{"sources": {name: {...}}, "updated_at": …}``); empty if none."""
    path = (home or data_dir()) / "pull" / STATUS_FILE
    with contextlib.suppress(FileNotFoundError, ValueError):
        data = json.loads(path.read_text("utf-8"))
        if isinstance(data, dict):
            return data
    return {"sources": {}}


def _record(home: Path | None, source: Source, outcomes: list[Outcome], now: float) -> None:
    status = read_status(home)
    entry = status.setdefault("sources", {}).setdefault(source.name, {})
    failed = next((o for o in outcomes if o.failed), None)
    entry["last_attempt"] = _now_iso(now)
    last = failed or (outcomes[-1] if outcomes else None)
    entry["last_status"] = last.status if last else NOTHING
    entry["last_line_zh"] = last.zh if last else ""
    entry["last_line_en"] = last.en if last else ""
    if failed:
        entry["failures_in_row"] = int(entry.get("failures_in_row") or 0) + 1
        wait = min(source.schedule_s, RETRY_AFTER_S * 2 ** (entry["failures_in_row"] - 1))
    else:
        entry["failures_in_row"] = 0
        entry["last_success"] = _now_iso(now)
        wait = source.schedule_s
        published = [o for o in outcomes if o.status in (APPLIED_, STAGED_)]
        if published:
            entry["last_published"] = {"at": _now_iso(now), "status": published[-1].status,
                                       "run_id": published[-1].run_id,
                                       "staged_id": published[-1].staged_id,
                                       "snapshot_date": published[-1].snapshot_date}
    with open_private(pull_root(home) / LOG_FILE, "a") as fh:  # one line per outcome
        for o in outcomes:
            fh.write(json.dumps({"at": _now_iso(now), **o.to_json()}, ensure_ascii=False)
                     + "\n")
    entry["next_run"] = _now_iso(now + wait)
    entry["next_run_ts"] = now + wait
    status["updated_at"] = _now_iso(now)
    write_private(pull_root(home) / STATUS_FILE, json.dumps(status, ensure_ascii=False,
                                                            indent=1))


def due(source: Source, now: float, home: Path | None = None) -> bool:
    entry = read_status(home).get("sources", {}).get(source.name) or {}
    return float(entry.get("next_run_ts") or 0) <= now


def pull(store: Store, names: list[str] | None = None, *, only_due: bool = False,
         home: Path | None = None, now: Callable[[], float] = time.time,
         retry: Retry | None = None, sleep: Callable[[float], None] = time.sleep
         ) -> list[Outcome]:
    """One pass: the named sources (else all, else only the due ones), under the lock."""
    retry = retry or Retry()
    sources = load_sources(home)
    if names:
        known = {s.name for s in sources}
        missing = [n for n in names if n not in known]
        if missing:
            return [Outcome(n, FAILED, "没有这个来源（redgov source list 可查看）",
                            "no such source (see redgov source list)") for n in missing]
        sources = [s for s in sources if s.name in names]
    with pull_lock(home):
        out: list[Outcome] = []
        for source in sources:
            t = now()
            if only_due and not due(source, t, home):
                continue
            done = pull_source(store, source, home=home, retry=retry, sleep=sleep, clock=now)
            _record(home, source, done, t)
            out.extend(done)
        return out


def pull_source(store: Store, source: Source, *, home: Path | None = None,
                retry: Retry | None = None, sleep: Callable[[float], None] = time.sleep,
                clock: Callable[[], float] = time.time) -> list[Outcome]:
    """Fetch, check and sync (or stage) what ``source`` has that is new."""
    folder = source_dir(source.name, home)
    try:
        limits = Limits.from_env()
    except BadLimit as exc:
        return [Outcome(source.name, FAILED, f"输入上限设置无效：{exc}", str(exc))]
    try:
        if source.kind == FOLDER:
            fetched = fetch_folder(source, folder, limits, sleep=sleep, clock=clock)
        else:
            fetched = [fetch_http(source, read_secret(source.name, home), folder, limits,
                                  retry or Retry(sleep=sleep))]
    except PullFailed as exc:
        return [Outcome(source.name, FAILED, f"拉取失败，未写入任何数据：{exc.zh}",
                        f"pull failed, nothing written: {exc.en}")]
    except OSError as exc:
        return [Outcome(source.name, FAILED,
                        f"拉取失败，未写入任何数据：读写出错（{type(exc).__name__}）",
                        f"pull failed, nothing written: {type(exc).__name__}")]
    if not fetched:
        return [Outcome(source.name, NOTHING, "没有新的导出", "nothing new")]
    out: list[Outcome] = []
    for item in fetched:
        outcome = _take(store, source, item, folder)
        out.append(outcome)
        if outcome.failed or outcome.status == WAITING:
            break
    return out


def _remember(folder: Path, item: Fetched) -> None:
    book = ledger(folder)
    if item.sha256:
        book["done"] = [*[d for d in book.get("done") or [] if d != item.sha256], item.sha256]
    if "file" in item.validators:
        files = book.setdefault("files", {})
        files[item.validators["file"]] = json.loads(item.validators["sig"])
    elif item.validators:  # a new answer: its validators replace the old ones
        book["url"] = item.origin
        for key in ("etag", "modified"):
            if key in item.validators:
                book[key] = item.validators[key]
            else:
                book.pop(key, None)
    save_ledger(folder, book)


def _take(store: Store, source: Source, item: Fetched, folder: Path) -> Outcome:
    if item.waiting:
        return Outcome(source.name, WAITING, item.note_zh, item.note_en)
    if item.path is None:
        _remember(folder, item)
        return Outcome(source.name, NOTHING, item.note_zh, item.note_en)
    try:
        outcome = _sync(store, source, item.path)
    except Exception as exc:  # the store failed: still one line, never personal data
        outcome = Outcome(source.name, FAILED,
                          f"同步失败，未应用任何更改：{type(exc).__name__}: "
                          f"{mask_pii(str(exc))[:200]}",
                          f"the sync failed, nothing applied: {type(exc).__name__}")
    finally:
        item.path.unlink(missing_ok=True)
    if not outcome.failed:
        _remember(folder, item)
    return outcome


def _synced_before(store: Store, path: Path) -> str | None:
    """The published run that synced these very bytes (same loader and key), if any."""
    with scratch_dir() as workdir:
        try:
            with open_export(path, workdir) as export:
                digest = fingerprint(export, load_key())
        except (ExportUnreadable, BadLimit):
            return None  # the sync itself says why
    rows = store.read(_SYNCED, {"digest": digest})
    return str(rows[0]["id"]) if rows else None


def _sync(store: Store, source: Source, path: Path) -> Outcome:
    name = source.name
    run = _synced_before(store, path)
    if run is not None:
        return Outcome(name, SKIPPED, f"导出已同步过（同步编号 {run}），跳过",
                       f"export already synced (run {run}); skipped", run_id=run)
    check = scope_check(source.scope, name)
    if source.review:
        staged = stage_export(store, path, check=check)
        report = staged.report
        if staged.record is not None:
            sid = staged.record["id"]
            return Outcome(name, STAGED_, f"已暂存待审核（编号 {sid}，快照日期 "
                                          f"{report.snapshot_date}），未发布",
                           f"staged for review (id {sid}, snapshot {report.snapshot_date})",
                           staged_id=sid, snapshot_date=report.snapshot_date)
    else:
        report = sync_export(store, path, check=check)
        from ..dashboard.warm_background import after_publish
        after_publish(store, report)  # the first page loads' answers (dashboard/warm.py)
        if report.status == APPLIED:
            return Outcome(name, APPLIED_, f"已发布新快照（快照日期 {report.snapshot_date}，"
                                           f"同步编号 {report.run_id}）",
                           f"published a new snapshot ({report.snapshot_date}, run "
                           f"{report.run_id})", run_id=report.run_id,
                           snapshot_date=report.snapshot_date)
    if report.status in (UNCHANGED, DRY_RUN):
        return Outcome(name, UNCHANGED_, f"导出与图中数据一致，无需更改（快照日期 "
                                         f"{report.snapshot_date}）",
                       f"the export changes nothing ({report.snapshot_date})",
                       snapshot_date=report.snapshot_date)
    if report.status == REJECTED and report.errors:
        first = report.errors[0]
        where = "".join(f"{p}" for p in (
            first.table, f" 第 {first.row} 行" if first.row else "",
            f" {first.column}" if first.column else "",
            f"「{mask_pii(first.value)}」" if first.value else ""))
        more = f"（共 {len(report.errors)} 条错误）" if len(report.errors) > 1 else ""
        return Outcome(name, FAILED,
                       f"导出未通过校验，未写入任何数据：{where}{'：' if where else ''}"
                       f"{first.reason_zh}{more}",
                       f"the export was rejected, nothing written: {first.reason_en}",
                       snapshot_date=report.snapshot_date)
    return Outcome(name, FAILED, f"同步未完成（{report.status}），未写入任何数据",
                   f"the sync ended {report.status}; nothing written")
