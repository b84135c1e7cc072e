"""A sync's private scratch folder: ``<data dir>/tmp/sync-<pid>-<random>``, mode 0700.

The spool (normalised records between scan and apply) and a workbook taken out of a zip
hold names and masked personal data; they live inside the data directory, never in the
shared ``/tmp``, in a folder only the owner can enter, and are removed on every path out
of a sync.  A sync killed outright (SIGKILL, power loss) cannot clean up after itself, so
each sync first removes the folders of syncs whose process no longer exists (and the
hour-old ``/tmp/redgov-sync-*`` folders older versions left).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from ..graph.home import data_dir, pid_alive

__all__ = ["private_dir", "remove_stale", "scratch_root"]

PREFIX = "sync-"


def scratch_root(home: Path | None = None) -> Path:
    """``<data dir>/tmp``, created 0700 (and made 0700 if it was not)."""
    if home is None:
        home = data_dir()
    root = home / "tmp"
    root.mkdir(mode=0o700, exist_ok=True)
    os.chmod(root, 0o700)
    return root


def remove_stale(root: Path) -> list[Path]:
    """Remove the folders of syncs whose process is gone; returns what was removed."""
    removed: list[Path] = []
    for entry in root.iterdir():
        if not entry.name.startswith(PREFIX) or not entry.is_dir() or entry.is_symlink():
            continue
        try:
            pid = int(entry.name[len(PREFIX):].split("-", 1)[0])
        except ValueError:
            continue
        if pid != os.getpid() and not pid_alive(pid):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


#: Older versions spooled to the shared temp folder; their leftovers are swept too.
LEGACY_PREFIX = "redgov-sync-"
LEGACY_AGE_S = 3600


def remove_legacy(tmp: Path | None = None) -> list[Path]:
    """``/tmp/redgov-sync-*`` folders of this user older than an hour (no version writes
    them any more: an hour-old one is a crashed sync's, holding names)."""
    base = Path(tmp or tempfile.gettempdir())
    removed: list[Path] = []
    now = time.time()
    for entry in base.glob(f"{LEGACY_PREFIX}*"):
        try:
            st = entry.lstat()
        except OSError:
            continue
        if (stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid()
                and now - st.st_mtime > LEGACY_AGE_S):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def new_private_dir(home: Path | None = None) -> Path:
    root = scratch_root(home)
    remove_stale(root)
    remove_legacy()
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=root))  # 0700


@contextlib.contextmanager
def private_dir(home: Path | None = None) -> Iterator[Path]:
    """A fresh 0700 folder for one sync, removed when the block ends however it ends."""
    path = new_private_dir(home)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
