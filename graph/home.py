"""The data directory: where the embedded server, the PII key and the sync log live.

Everything in it may carry personal data (the AOF holds every person's name, the sync
log masked rows, ``pii.key`` the key that makes ID-number hashes unguessable), so the
directory is private to its owner: 0700, every file in it 0600, every folder 0700.
Every writer in the package goes through :func:`open_private` / :func:`write_private`
(created 0600 from the first byte, never chmod-ed after a window of 0644), and the
server runs under a 0077 umask (:data:`PRIVATE_UMASK`), so its AOF, log, pid file and
graph-copy dumps are born private too.  :func:`secure_tree` tightens a directory left
by an older version.

It has a home of its own (not the embedded server's module) because the loaders and the
dashboard need it without caring which engine is in use.

>>> import tempfile
>>> home = Path(tempfile.mkdtemp())
>>> with open_private(home / "x.txt", "w") as fh:
...     _ = fh.write("secret")
>>> oct((home / "x.txt").stat().st_mode & 0o777)
'0o600'
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import platformdirs

__all__ = [
    "PRIVATE_UMASK",
    "data_dir",
    "open_private",
    "pid_alive",
    "private_dir",
    "read_jsonl",
    "secure_tree",
    "write_private",
]

#: The umask of every process redgov starts in the data directory (the server).
PRIVATE_UMASK = 0o077
_FILE, _DIR = 0o600, 0o700
_FLAGS = {
    "w": os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
    "a": os.O_WRONLY | os.O_CREAT | os.O_APPEND,
    "x": os.O_WRONLY | os.O_CREAT | os.O_EXCL,
}


def data_dir() -> Path:
    """``$REDGOV_HOME``, else the platform's user data directory; created 0700."""
    env = os.environ.get("REDGOV_HOME")
    path = Path(env).expanduser() if env else Path(platformdirs.user_data_dir("redgov"))
    return private_dir(path).resolve()


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) and make it 0700 when we own it."""
    path.mkdir(mode=_DIR, parents=True, exist_ok=True)
    _chmod(path, _DIR)
    return path


def open_private(path: Path, mode: str = "w", encoding: str | None = "utf-8") -> IO[Any]:
    """Open ``path`` for writing (``w``, ``a``, ``x``; add ``b`` for bytes), mode 0600.

    The file is created 0600 (no window at the umask's mode) and an existing file is
    tightened through its descriptor, so a file left 0644 by an older version is fixed
    on its next write.
    """
    binary = "b" in mode
    fd = os.open(path, _FLAGS[mode.replace("b", "")] | getattr(os, "O_CLOEXEC", 0), _FILE)
    try:
        with contextlib.suppress(PermissionError):
            os.fchmod(fd, _FILE)
        return os.fdopen(fd, mode, encoding=None if binary else encoding)
    except BaseException:
        os.close(fd)
        raise


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically (a 0600 temporary file renamed over it)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open_private(tmp, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)


def secure_tree(root: Path) -> None:
    """Make ``root`` and every folder under it 0700 and every file 0600 (links untouched)."""
    _chmod(root, _DIR)
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            _chmod(Path(folder, name), _DIR)
        for name in files:
            _chmod(Path(folder, name), _FILE)


def _chmod(path: Path, mode: int) -> None:
    # Never follow a link out of the directory, and leave other users' files alone.
    with contextlib.suppress(OSError):
        st = path.lstat()
        if not path.is_symlink() and st.st_uid == os.getuid() and st.st_mode & 0o777 != mode:
            os.chmod(path, mode)


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The objects of a JSON-lines log of the data directory (the sync log, the access
    log), oldest first; a missing file is empty, and a torn or foreign line is skipped
    rather than failing the page or command that reads the log.

    >>> import tempfile
    >>> log = Path(tempfile.mkdtemp()) / "log.jsonl"
    >>> _ = log.write_text('{"a": 1}\\n{torn\\n\\n[2]\\n{"b": 2}\\n')
    >>> list(read_jsonl(log))
    [{'a': 1}, {'b': 2}]
    """
    try:
        fh = path.open(encoding="utf-8")
    except FileNotFoundError:
        return
    with fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict):
                yield item


def pid_alive(pid: int) -> bool:
    """Whether the process that owns something here (the server's lock, a sync's scratch
    folder) still runs; a zombie child of this process counts as gone, since it holds
    nothing any more."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True
