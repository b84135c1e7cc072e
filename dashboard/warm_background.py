"""The post-publish warm step run after the command returned: a detached ``redgov warm``.

The warm step (dashboard/warm.py) took 60 s after a province sync and 16–19 s after a city
one, and a publishing command (``redgov sync``, ``redgov pull``, ``redgov review approve``)
used to return only after it.  Nothing a reader sees depends on it — readers compute what
is not kept yet, and every kept answer is keyed by its snapshot's run id and ordinal
(graph/summaries.py ``summary_key``), so it can never be served under another snapshot —
so the command now starts it in a process of its own (:func:`after_publish`) and returns:

- the child is ``python -m redgov warm --snapshot N --run-id R`` in a new session
  (the terminal closing does not end it), with the parent's environment plus
  ``REDGOV_STORE`` set to the store the command opened: a password in a ``--store`` URL
  reaches it through its environment (readable only by its user), never its command line;
  an embedded FalkorDB server outlives the command that started it, so it is still there;
- one warm at a time per store: the child holds ``warm/<store key>.lock`` (``flock``) while
  it warms; a child that waited for it, and finds that its snapshot is no longer the latest
  (another sync published meanwhile), does nothing, and a running warm stops between its
  parts when a newer snapshot appears — only the latest snapshot is worth warming;
- its output goes nowhere (never to the terminal the command has returned to): one masked
  line per warm goes to ``warm.log`` in the data directory (``mask_pii``, as the CLI's errors);
- a pending marker (``warm/<store key>.<token>.pending``) exists from before the child
  starts until it ends, so :func:`wait` (``redgov warm --wait``) can tell a warm is still
  to come even before the child took the lock.

``REDGOV_WARM=off`` starts nothing; ``REDGOV_WARM_WAIT=1`` makes the command warm before it
returns, as it used to (what a benchmark measuring ``warm_s`` wants).  A store opened
outside the CLI (no spec to reopen it with) is warmed in-process, as before.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..graph.home import data_dir, open_private, pid_alive, private_dir
from ..graph.stores.base import Store

__all__ = ["SPEC_ATTR", "after_publish", "pending", "run", "store_key", "wait"]

#: The attribute ``opened_store`` sets on a store it opened: the spec that reopens it.
SPEC_ATTR = "redgov_spec"
#: What :func:`after_publish` returns (the sync command's JSON ``warm`` field).
STARTED, DONE, FAILED, OFF = "started", "done", "failed", "off"


def store_key(spec: str) -> str:
    """Which store a warm is for, without its secrets: the spec with any password cut off,
    the graph (``REDGOV_GRAPH``) and the Neo4j database, hashed (a file name).

    >>> store_key("falkordb://u:secret@h:1/g") == store_key("falkordb://u:other@h:1/g")
    True
    """
    scheme, sep, rest = spec.partition("://")
    shown = f"{scheme}{sep}{rest.rpartition('@')[2]}"
    text = "|".join((shown, os.environ.get("REDGOV_GRAPH", "redgov"),
                     os.environ.get("NEO4J_DATABASE", "")))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _dir() -> Path:
    return private_dir(data_dir() / "warm")


def _log(line: str) -> None:
    """One masked line in ``warm.log`` (never the terminal): the background warm's record."""
    from ..loaders.pii import mask_pii

    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with contextlib.suppress(OSError), open_private(data_dir() / "warm.log", "a") as fh:
        fh.write(f"{stamp} {mask_pii(line)[:500]}\n")


def after_publish(store: Store, report: Any) -> str:
    """What the publishing commands call after a sync that published: start the warm step
    in the background and return at once (see the module docstring).

    Returns ``off`` (not applied, or not :func:`warm.wanted`), ``started``, or — warmed
    in-process (``REDGOV_WARM_WAIT``, or a store not opened by the CLI) — ``done`` /
    ``failed``."""
    from . import warm

    if getattr(report, "status", None) != "applied":
        return OFF
    if not warm.wanted((getattr(report, "facts", None) or {}).get("compounds")):
        return OFF
    spec = getattr(store, SPEC_ATTR, None)
    in_process = (os.environ.get("REDGOV_WARM_WAIT") or "").strip().lower() in (
        "1", "on", "true", "yes")
    if spec is None or in_process:
        warm.after_sync(store, report)
        failed = any(k == "warm_failed" or k.endswith("_failed_s") for k in report.split)
        return FAILED if failed else DONE
    from ..graph.snapshots import list_snapshots

    try:
        found = list_snapshots(store.read)
        if not found:
            return OFF
        start(spec, found[-1].ordinal, found[-1].run_id)
    except Exception as exc:  # published all the same: readers compute what is not kept
        _log(f"not started: {type(exc).__name__}")
        return FAILED
    return STARTED


def start(spec: str, ordinal: int, run_id: str | None) -> None:
    """Start the detached ``redgov warm`` of snapshot ``ordinal`` (its pending marker first)."""
    token = uuid.uuid4().hex[:12]
    marker = _dir() / f"{store_key(spec)}.{token}.pending"
    with open_private(marker, "w") as fh:
        fh.write(f"{ordinal}\n")
    argv = [sys.executable, "-m", "redgov", "warm", "--snapshot", str(ordinal),
            "--marker", token, *(["--run-id", run_id] if run_id else [])]
    env = {**os.environ, "REDGOV_STORE": spec}
    try:
        subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
    except OSError:
        marker.unlink(missing_ok=True)
        raise


def pending(spec: str) -> list[Path]:
    """The warms of this store not finished yet: markers whose process still runs (or has
    not said its pid yet, for a minute); a marker left by a process that died is removed."""
    alive = []
    for marker in sorted(_dir().glob(f"{store_key(spec)}.*.pending")):
        with contextlib.suppress(OSError):
            lines = marker.read_text().split()
            pid = int(lines[1]) if len(lines) > 1 and lines[1].isdigit() else None
            if pid is not None and not pid_alive(pid):
                marker.unlink(missing_ok=True)
                continue
            if pid is None and time.time() - marker.stat().st_mtime > 60:
                marker.unlink(missing_ok=True)
                continue
            alive.append(marker)
    return alive


def wait(spec: str, timeout: float = 3600.0) -> bool:
    """Wait until no warm of this store is pending; False when ``timeout`` passed first."""
    deadline = time.monotonic() + timeout
    while pending(spec):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


@contextlib.contextmanager
def _store_lock(spec: str) -> Iterator[None]:
    """One warm at a time per store (blocking ``flock``; released when the process ends)."""
    fd = os.open(_dir() / f"{store_key(spec)}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def run(store: Store, spec: str, ordinal: int | None, run_id: str | None = None,
        marker: str | None = None) -> tuple[str, str]:
    """Warm snapshot ``ordinal`` (default: the latest) of ``store`` under the store's lock,
    unless a newer snapshot was published meanwhile; returns the outcome (``warmed``,
    ``stopped``, ``skipped``, ``failed``) and the (masked, English) line it logged."""
    from ..graph.snapshots import list_snapshots
    from . import warm

    path = _dir() / f"{store_key(spec)}.{marker}.pending" if marker else None
    if path is not None:
        with contextlib.suppress(OSError), open(path, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\n")
    try:
        with _store_lock(spec):
            found = list_snapshots(store.read)
            latest = found[-1] if found else None
            snap = latest if ordinal is None else next(
                (s for s in found if s.ordinal == ordinal), None)
            if snap is None or latest is None or snap.ordinal != latest.ordinal or (
                    run_id and snap.run_id != run_id):
                outcome, line = "skipped", f"snapshot {ordinal}: skipped (not the latest snapshot)"
            else:
                def superseded() -> bool:
                    now = list_snapshots(store.read)
                    return bool(now) and now[-1].ordinal != snap.ordinal

                t0 = time.perf_counter()
                seconds = warm.warm(store, snap, stop=superseded)
                failed = sorted(k.removesuffix("_failed") for k in seconds if k.endswith("_failed"))
                stopped = " stopped (a newer snapshot)" if seconds.get("stopped") else ""
                outcome = "failed" if failed else "stopped" if stopped else "warmed"
                line = (f"snapshot {snap.ordinal}: warmed in {time.perf_counter() - t0:.1f} s"
                        f"{stopped}{'; failed: ' + ', '.join(failed) if failed else ''}")
    except Exception as exc:  # logged (masked), never raised: the snapshot stays published
        outcome, line = "failed", f"snapshot {ordinal}: failed: {type(exc).__name__}: {exc}"
    finally:
        if path is not None:
            path.unlink(missing_ok=True)
    from ..loaders.pii import mask_pii

    line = mask_pii(line)[:500]
    _log(line)
    return outcome, line
