"""Review before landing: stage a sync, look at it, then approve or reject it.

``stage_export`` copies the export as given into ``<data dir>/staged/<id>/`` (private:
0700 folders, 0600 files, like everything in the data directory), validates and diffs the
copy exactly as a sync would (the same ``open_export`` → :func:`.prepare.prepare`), and writes
``staged.json``: id, source, snapshot date, kind, the base snapshot (the latest published
ordinal and its run id when staged), counts per table, the export's fingerprint, and the
field-level before/after of every changed record (:mod:`.fielddiff`; masked personal data
only).  Nothing is written to the graph.  Staged sets are files, so they survive restarts.

``approve`` re-runs the ordinary :func:`~loaders.sync.sync_export` on the staged copy, so
it publishes exactly what a direct sync of that export would — with ``expect_base``, so it
is refused (nothing written) when another snapshot was published since staging.
``reject`` keeps the set, marked rejected with the reason, who and when.  Once a set is
decided its copy of the export (the one place raw ID numbers and phones would stay) is
removed; ``staged.json`` stays as the record of the decision.

Integrity.  A staged set is files a person could edit, so it is not trusted as written:
``staged.json`` carries ``seal``, an HMAC-SHA256 of the rest of the record, and
``content``, an HMAC of the copy's file names and bytes, both under ``review.key`` (created
0600 in the data directory on first use, like ``pii.key``).  Approve and reject refuse a set
whose record or copy no longer matches (an edited base, a copy swapped or changed), refuse
a copy that is a link or lies outside the set's own folder, and never delete anything
outside it.  Approve reads the staged copy once, into a private scratch folder, checking it
as it goes, and syncs that checked copy: what was checked is what is published.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import hashlib
import hmac
import json
import os
import secrets
import shutil
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..graph.display import REVIEW_STATUS
from ..graph.home import data_dir, open_private, pid_alive, private_dir, write_private
from ..graph.snapshots import NO_SNAPSHOT, list_snapshots
from ..graph.snapshots import latest as latest_snapshot
from ..graph.stores.base import Store
from .fielddiff import field_changes
from .limits import BadLimit
from .package import folder_entries
from .pii import Hasher, load_key, mask_pii
from .prepare import prepare
from .progress import PhaseClock
from .read import ExportUnreadable, open_export
from .report import APPLIED, REJECTED, UNCHANGED, Issue, SyncReport
from .runlog import append_log, new_run_id, now_iso
from .sync import PlanCheck, fingerprint, older_than_latest, sync_export
from .workdir import private_dir as scratch_dir

__all__ = [
    "APPROVED", "STAGED", "STAGED_REJECTED", "ReviewError", "Staged",
    "approve", "list_staged", "load_staged", "reject", "stage_export", "staged_root",
]

STAGED_DIR = "staged"
STAGED_FILE = "staged.json"
EXPORT_NAME = "export"
STAGED, APPROVED, STAGED_REJECTED = "staged", "approved", "rejected"
#: Records listed per table and kind with their fields (the counts cover all of them).
LISTED = 2000
SCHEMA = 1
REVIEW_KEY = "review.key"
#: Bytes read at a time when a copy is hashed or copied.
_CHUNK = 1 << 20


class ReviewError(Exception):
    """A review step refused (unknown id, already decided, copy altered); Chinese first."""

    def __init__(self, zh: str, en: str, code: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en, self.code = zh, en, code

    def text(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


@dataclass
class Staged:
    """The outcome of ``sync --review``: the report, and the staged set when one was made."""

    report: SyncReport
    record: dict[str, Any] | None = None

    @property
    def status(self) -> str:
        return STAGED if self.record is not None else self.report.status


def staged_root(home: Path | None = None) -> Path:
    return private_dir((home or data_dir()) / STAGED_DIR)


def _who() -> str:
    with contextlib.suppress(Exception):
        return os.environ.get("REDGOV_USER") or getpass.getuser()
    return "?"


def _new_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def _copy_export(src: Path, folder: Path) -> Path:
    """A private copy of the export as given: a folder's files, or the one file."""
    if src.is_dir():
        target = private_dir(folder / EXPORT_NAME)
        for name, path in folder_entries(src):
            if not path.is_file():
                continue  # pipes, devices: never a table, and never read
            dest = target / name
            private_dir(dest.parent)
            with open(path, "rb") as fh, open_private(dest, "wb") as out:
                shutil.copyfileobj(fh, out)
        return target
    dest = folder / f"{EXPORT_NAME}{src.suffix.lower()}"
    with open(src, "rb") as fh, open_private(dest, "wb") as out:
        shutil.copyfileobj(fh, out)
    return dest


def _review_key(home: Path | None = None) -> bytes:
    """``<data dir>/review.key``, 32 random bytes as hex, created 0600 on first use."""
    path = (home or data_dir()) / REVIEW_KEY
    with contextlib.suppress(FileExistsError), open_private(path, "x") as fh:
        fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def _seal(record: dict[str, Any], key: bytes) -> str:
    """The keyed digest of a record: every field but ``seal``, in a canonical form."""
    body = {k: v for k, v in record.items() if k != "seal"}
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, b"redgov staged record\0" + text.encode(), hashlib.sha256).hexdigest()


def _altered(sid: str, what_zh: str, what_en: str) -> ReviewError:
    return ReviewError(
        f"暂存同步 {sid} 的{what_zh}与暂存时不一致（已被改动）：拒绝处理，未写入也未删除任何数据；"
        "请删除该暂存目录后重新暂存（redgov sync 路径 --review）",
        f"the {what_en} of staged sync {sid} differs from what was staged (altered): refused, "
        "nothing written or deleted; remove the set's folder and stage the export again",
        "altered")


def _open_nofollow(path: Path) -> Any:
    """A regular file opened for reading; a link or anything else is refused."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(f"not a regular file: {path.name}")
    return os.fdopen(fd, "rb")


def _copy_files(copy: Path) -> list[tuple[str, Path]]:
    """The staged copy's files (relative name, path), refusing links and odd files."""
    if copy.is_symlink():
        raise OSError("the copy is a link")
    if copy.is_file():
        return [(copy.name, copy)]
    if not copy.is_dir():
        raise OSError("the copy is missing")
    found: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(copy, followlinks=False):
        for name in sorted([*dirnames, *filenames]):
            p = Path(dirpath) / name
            if p.is_symlink() or not (p.is_dir() or p.is_file()):
                raise OSError(f"not a plain file or folder: {name}")
        found += [((Path(dirpath) / n).relative_to(copy).as_posix(), Path(dirpath) / n)
                  for n in filenames]
    return sorted(found)


def _content(copy: Path, key: bytes, into: Path | None = None) -> str:
    """The keyed digest of the copy's names and bytes; with ``into``, each byte is also
    written there (a private folder) in the same single read."""
    mac = hmac.new(key, b"redgov staged copy\0", hashlib.sha256)
    for name, path in _copy_files(copy):
        mac.update(name.encode() + b"\0")
        out = None
        if into is not None:
            dest = into / name if copy.is_dir() else into
            private_dir(dest.parent)
            out = open_private(dest, "xb")
        with _open_nofollow(path) as fh, (out or contextlib.nullcontext()):
            while chunk := fh.read(_CHUNK):
                mac.update(chunk)
                if out is not None:
                    out.write(chunk)
        mac.update(b"\0\0")
    return mac.hexdigest()


def stage_export(store: Store, path: Path | str, home: Path | None = None,
                 check: PlanCheck | None = None) -> Staged:
    """Validate and diff ``path`` like a sync, then stage it instead of publishing it.

    A rejected export is logged like a rejected sync and staged nothing; an export that
    would change nothing stages nothing either (``unchanged``).
    """
    t0 = time.perf_counter()
    src = Path(path)
    report = SyncReport(status=REJECTED, run_id=new_run_id(), path=str(src), started_at=now_iso())
    sid = _new_id()
    root = staged_root(home)
    _remove_torn(root)
    # Hidden (and named after this process) until staged.json exists.
    folder = private_dir(root / f".{sid}.{os.getpid()}")
    try:
        record = _stage(store, src, folder, sid, report, home, check)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    report.duration_s = time.perf_counter() - t0
    report.finished_at = now_iso()
    if record is None:
        shutil.rmtree(folder, ignore_errors=True)
        if report.status == REJECTED:
            append_log(report)
        return Staged(report)
    final = root / sid
    os.replace(folder, final)
    return Staged(report, record)


def _remove_torn(root: Path) -> None:
    """Folders of stagings whose process died (killed mid-copy): they hold raw data."""
    for entry in root.iterdir():
        parts = entry.name.rsplit(".", 1)
        if (entry.name.startswith(".") and len(parts) == 2 and parts[1].isdigit()
                and entry.is_dir() and not entry.is_symlink() and not pid_alive(int(parts[1]))):
            shutil.rmtree(entry, ignore_errors=True)


def _stage(store: Store, src: Path, folder: Path, sid: str, report: SyncReport,
           home: Path | None = None,
           check: PlanCheck | None = None) -> dict[str, Any] | None:
    clock = PhaseClock(report.phases)  # reported and timed like a sync's (progress.py)
    clock.start("read")
    try:
        return _stage_timed(store, src, folder, sid, report, clock, home, check)
    finally:
        clock.stop()


def _stage_timed(store: Store, src: Path, folder: Path, sid: str, report: SyncReport,
                 clock: PhaseClock, home: Path | None = None,
                 check: PlanCheck | None = None) -> dict[str, Any] | None:
    try:
        copy = _copy_export(src, folder)
    except OSError as exc:
        report.errors = [Issue("", None, None, str(src), f"无法复制导出：{type(exc).__name__}",
                               f"cannot copy the export: {type(exc).__name__}")]
        return None
    except ExportUnreadable as exc:
        report.errors = [Issue("", None, None, str(src), exc.zh, exc.en)]
        return None
    # The base is read before the state: a sync publishing in between makes approval refuse.
    snapshots = list_snapshots(store.read)
    base = snapshots[-1].ordinal if snapshots else NO_SNAPSHOT
    base_run = snapshots[-1].run_id if snapshots else None
    with scratch_dir() as workdir:
        try:
            export = open_export(copy, workdir)
        except ExportUnreadable as exc:
            report.errors = [Issue("", None, None, str(src), exc.zh, exc.en)]
            return None
        except BadLimit as exc:
            report.errors = [Issue("", None, None, None, f"输入上限设置无效：{exc}", str(exc))]
            return None
        with export:
            key = load_key()
            report.export_digest = fingerprint(export, key)
            prepared = prepare(store, export, Hasher(key), workdir, report, check=check,
                               clock=clock, date_check=older_than_latest)
            try:
                if prepared.errors or prepared.plan is None:
                    report.errors = prepared.errors
                    return None
                plan = prepared.plan
                if plan.empty:
                    report.status = UNCHANGED
                    return None
                clock.start("stage")
                records = field_changes(store, prepared.scan, plan, LISTED)
            finally:
                prepared.close()
    record = {
        "schema": SCHEMA, "id": sid, "status": STAGED, "source": report.source,
        "snapshot_date": report.snapshot_date, "kind": report.kind,
        "exported_at": report.exported_at, "path": str(src),
        "export": copy.name, "staged_at": now_iso(), "staged_by": _who(),
        "base": {"ordinal": base, "run_id": base_run},
        "fingerprint": report.export_digest, "counts": report.changes,
        "ancestry_moves": len(plan.ancestry),
        "warnings": [w.to_json() for w in report.warnings[:200]],
        "warning_count": len(report.warnings), "records": records, "decision": None,
        "refusals": [],
    }
    key = _review_key(home)
    record["content"] = _content(copy, key)
    _save(folder, record, key)
    report.status = STAGED
    return record


def _folder(sid: str, home: Path | None = None) -> Path:
    root = staged_root(home)
    folder = root / sid
    if (not sid or sid.startswith(".") or "/" in sid or "\0" in sid or folder.parent != root
            or folder.is_symlink() or not folder.is_dir()
            or folder.resolve().parent != root.resolve()
            or (folder / STAGED_FILE).is_symlink() or not (folder / STAGED_FILE).is_file()):
        raise ReviewError(f"没有编号为 {sid} 的暂存同步（redgov review list 可查看）",
                          f"no staged sync with id {sid} (see redgov review list)", "not_found")
    return folder


def load_staged(sid: str, home: Path | None = None) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((_folder(sid, home) / STAGED_FILE).read_text("utf-8"))
    return record


def list_staged(home: Path | None = None) -> list[dict[str, Any]]:
    """Every staged set (pending, approved, rejected), newest first; a torn one skipped."""
    out: list[dict[str, Any]] = []
    root = staged_root(home)
    for entry in sorted(root.iterdir(), reverse=True):
        if entry.name.startswith(".") or not (entry / STAGED_FILE).is_file():
            continue
        with contextlib.suppress(ValueError, OSError):
            out.append(json.loads((entry / STAGED_FILE).read_text("utf-8")))
    return out


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One decision at a time per staged set (two clerks approving at once)."""
    if (folder / ".lock").is_symlink():
        raise _altered(folder.name, "锁文件", "lock file")
    with open_private(folder / ".lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def _undecided(folder: Path, sid: str, key: bytes) -> dict[str, Any]:
    """The set's record, if its seal holds, it names this set and it is not decided yet."""
    try:
        with _open_nofollow(folder / STAGED_FILE) as fh:
            record: dict[str, Any] = json.loads(fh.read(256 << 20).decode("utf-8"))
    except (OSError, ValueError):
        raise _altered(sid, "记录（staged.json）", "record (staged.json)") from None
    seal = record.get("seal")
    if (not isinstance(record, dict) or not isinstance(seal, str)
            or not hmac.compare_digest(seal, _seal(record, key)) or record.get("id") != sid):
        raise _altered(sid, "记录（staged.json）", "record (staged.json)")
    if record.get("status") != STAGED:
        zh, en = REVIEW_STATUS.get(record.get("status", ""), ("?", "?"))
        raise ReviewError(f"暂存同步 {sid} 已处理（{zh}），不能再次审核",
                          f"staged sync {sid} was already decided ({en})", "decided")
    return record


def _save(folder: Path, record: dict[str, Any], key: bytes) -> None:
    """Write the record sealed (its ``seal`` recomputed over everything else)."""
    record["seal"] = _seal(record, key)
    write_private(folder / STAGED_FILE, json.dumps(record, ensure_ascii=False, indent=1))


def _copy_of(folder: Path, record: dict[str, Any], sid: str) -> Path:
    """The set's copy of the export: a plain name inside the set's own folder, no link."""
    name = str(record.get("export") or "")
    copy = folder / name
    if (not (name == EXPORT_NAME or name.startswith(EXPORT_NAME + "."))
            or "/" in name or "\\" in name or ".." in name or copy.is_symlink()
            or copy.resolve().parent != folder.resolve()):
        raise _altered(sid, "副本位置", "copy's location")
    return copy


def _checked_content(copy: Path, record: dict[str, Any], sid: str, key: bytes,
                     into: Path | None = None) -> None:
    """Refuse unless the copy's bytes are those staged (see :func:`_content`)."""
    try:
        content = _content(copy, key, into)
    except OSError:
        raise _altered(sid, "副本", "copy") from None
    if not hmac.compare_digest(str(record.get("content") or ""), content):
        raise _altered(sid, "副本", "copy")


def _drop_copy(folder: Path, record: dict[str, Any], sid: str) -> None:
    """Once decided, the raw copy (ID numbers and phones as exported) is not kept.

    Only the set's own copy is removed (:func:`_copy_of`); ``shutil.rmtree`` does not
    follow links inside it.
    """
    copy = _copy_of(folder, record, sid)
    if copy.is_dir():
        shutil.rmtree(copy, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            copy.unlink()
    record["export_removed"] = True


def approve(store: Store, sid: str, home: Path | None = None) -> tuple[dict[str, Any], SyncReport]:
    """Publish the staged copy through the ordinary sync, if the base is still the latest.

    Raises :class:`ReviewError` (code ``conflict``) when another snapshot was published
    since staging — checked by the sync under its writer lock; nothing is written then.
    """
    folder = _folder(sid, home)
    key = _review_key(home)
    with _locked(folder), scratch_dir() as scratch:
        record = _undecided(folder, sid, key)
        copy = _copy_of(folder, record, sid)
        checked = scratch / copy.name  # read once, checked as it is copied
        _checked_content(copy, record, sid, key, checked)
        base = int(record["base"]["ordinal"])
        report = sync_export(store, checked, expect_base=base)
        from ..dashboard.warm_background import after_publish
        after_publish(store, report)  # the first page loads' answers (dashboard/warm.py)
        if report.status == REJECTED:
            now = latest_snapshot(store.read)
            if now != base:
                record.setdefault("refusals", []).append(
                    {"code": "conflict", "by": _who(), "at": now_iso(), "latest": now})
                _save(folder, record, key)
                raise ReviewError(
                    f"拒绝批准：暂存后已有新的快照发布（暂存时基于第 {base} 个快照，"
                    f"现为第 {now} 个），未写入任何数据。"
                    "请驳回该暂存同步并重新暂存（redgov sync 路径 --review）",
                    f"refused: another snapshot was published since staging (staged on "
                    f"snapshot {base}, now {now}); nothing was written — reject it and stage "
                    f"the export again", "conflict")
            if report.errors and report.errors[0].column == "快照日期":
                first = report.errors[0]
                raise ReviewError(f"拒绝批准：{first.reason_zh}", f"refused: {first.reason_en}",
                                  "older")
            raise ReviewError(
                "拒绝批准：同步未通过校验，未写入任何数据（见 redgov sync 的错误清单）",
                "refused: the sync was rejected and nothing was written", "rejected")
        if report.status not in (APPLIED, UNCHANGED):
            raise ReviewError(f"同步未完成：{report.status}", f"the sync ended {report.status}",
                              "failed")
        record["status"] = APPROVED
        record["decision"] = {"status": APPROVED, "by": _who(), "at": now_iso(),
                              "run_id": report.run_id if report.status == APPLIED else None,
                              "sync_status": report.status}
        _drop_copy(folder, record, sid)
        _save(folder, record, key)
    return record, report


def reject(sid: str, reason: str, home: Path | None = None) -> dict[str, Any]:
    """Mark the staged set rejected (kept, never applied) with the reason, who and when."""
    reason = reason.strip()
    if not reason:
        raise ReviewError("驳回须说明理由（--reason）", "a rejection needs a reason (--reason)",
                          "no_reason")
    folder = _folder(sid, home)
    key = _review_key(home)
    with _locked(folder):
        record = _undecided(folder, sid, key)
        _checked_content(_copy_of(folder, record, sid), record, sid, key)
        record["status"] = STAGED_REJECTED
        record["decision"] = {"status": STAGED_REJECTED, "by": _who(), "at": now_iso(),
                              "reason": mask_pii(reason)}  # free text: masked
        _drop_copy(folder, record, sid)
        _save(folder, record, key)
    return record
