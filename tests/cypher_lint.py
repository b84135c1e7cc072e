"""Neo4j's official offline Cypher linter, called from the tests through the machine's Node.

``lint({"name": text, …})`` returns ``{"name": [diagnostic, …]}`` where each diagnostic is
``{"severity": "error"|"warning"|"info", "message": …}``; a clean query has an empty list.
Parameters (``$x``) are discovered and declared by the Node side, so they are never
flagged.  One Node process lints a whole batch (the first call costs ~2 s: loading Neo4j's
semantic analysis); each text then costs 0.1–4 s of that analysis, about two minutes of CPU
for the registry and the catalog together.

Why a prefetch: those two minutes would sit on the suite's critical path.  The session
(tests/conftest.py) starts ``python tests/cypher_lint.py --prefetch DIR`` in the
background as soon as the lint tests are collected; it lints the catalog's texts, then the
registry's, each batch written to its own JSON file keyed by the *text* (the list of every
text it will lint comes first, in ``texts.json``).  ``lint`` answers from those files, waits
for the prefetch only for texts on its list, and lints in the foreground what it does not
hold, so a test sees exactly the linter's verdict on exactly its texts, whatever the
prefetch did or missed.  Every verdict is kept for the session: a text is linted once,
however many tests ask.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["LINTER_DIR", "LinterMissing", "attach_prefetch", "lint", "lint_one", "start_prefetch",
           "stop_prefetch"]

LINTER_DIR = Path(__file__).parent / "cypherlint"
#: The prefetch's batches, in the order written (the catalog test runs before the registry's).
_BATCHES = ("catalog", "registry")


class LinterMissing(RuntimeError):
    pass


_verdicts: dict[str, list[dict]] = {}  # text → diagnostics, for the session
_prefetch: subprocess.Popen[bytes] | None = None
_prefetch_dir: Path | None = None
#: The prefetch's pid and its end, as files in its folder: a pytest-xdist worker reads them
#: to wait for the prefetch its controller started (:func:`attach_prefetch`).
_PID, _ENDED = "pid", "ended"


def _check_installed() -> str:
    node = shutil.which("node")
    if node is None:
        raise LinterMissing("node is not on PATH: the Neo4j linter runs under Node.js")
    if not (LINTER_DIR / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        raise LinterMissing(
            f"the Neo4j linter is not installed: run `npm ci --prefix {LINTER_DIR}`"
        )
    return node


def _run_node(texts: dict[str, str], timeout: float | None = 600) -> dict[str, list[dict]]:
    node = _check_installed()
    payload = json.dumps([{"id": k, "text": v} for k, v in texts.items()])
    proc = subprocess.run(
        [node, str(LINTER_DIR / "lint.mjs")], input=payload, capture_output=True,
        text=True, timeout=timeout, check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"the linter failed: {proc.stderr[-2000:]}")
    return {item["id"]: item["diagnostics"] for item in json.loads(proc.stdout)}


def _load_prefetched() -> None:
    if _prefetch_dir is None:
        return
    for batch in _BATCHES:
        path = _prefetch_dir / f"{batch}.json"
        if path.exists():  # written whole, then renamed: present means complete
            _verdicts.update(json.loads(path.read_text(encoding="utf-8")))


def start_prefetch(folder: Path) -> None:
    """Lint the catalog's and the registry's texts in a background process (its own
    session, so that stopping it stops its Node child too)."""
    global _prefetch, _prefetch_dir
    if _prefetch is not None or shutil.which("node") is None:
        return
    _prefetch_dir = folder
    env = {**os.environ, "REDGOV_HOME": str(folder / "home")}
    with open(folder / "prefetch.log", "wb") as log:
        _prefetch = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--prefetch", str(folder)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
            start_new_session=True,
        )
    (folder / f"{_PID}.tmp").write_text(str(_prefetch.pid))
    (folder / f"{_PID}.tmp").rename(folder / _PID)


def attach_prefetch(folder: Path) -> None:
    """Use the prefetch another process (the pytest-xdist controller) starts in ``folder``:
    its verdicts are read from there, and it is waited for through its files."""
    global _prefetch_dir
    if _prefetch is None:
        _prefetch_dir = folder


def _prefetch_running() -> bool:
    if _prefetch is not None:
        return _prefetch.poll() is None
    if _prefetch_dir is None or (_prefetch_dir / _ENDED).exists():
        return False
    try:
        pid = int((_prefetch_dir / _PID).read_text())
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, ValueError, IndexError):
        return False  # never started, or gone
    return state != "Z"  # ended, its parent not having reaped it yet


def _wait_prefetch() -> None:
    if _prefetch is not None:
        _prefetch.wait()
        return
    while _prefetch_running():
        time.sleep(0.2)


def _prefetched_texts() -> set[str]:
    """The texts the running prefetch will lint (waits the few seconds it takes to list
    them); empty when there is no prefetch or it ended without listing them."""
    if _prefetch_dir is None:
        return set()
    manifest = _prefetch_dir / "texts.json"
    while not manifest.exists() and _prefetch_running():
        time.sleep(0.2)
    if not manifest.exists():
        return set()
    return set(json.loads(manifest.read_text(encoding="utf-8")))


def stop_prefetch() -> None:
    """End the background lint if it still runs (a session that never needed it); a
    process that only attached to another's leaves it to that one."""
    if _prefetch is None:
        return
    if _prefetch.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(_prefetch.pid, signal.SIGKILL)  # its own session: the Node child too
        _prefetch.wait()
    if _prefetch_dir is not None:
        shutil.rmtree(_prefetch_dir, ignore_errors=True)


def lint(texts: dict[str, str]) -> dict[str, list[dict]]:
    _load_prefetched()
    waiting = {t for t in texts.values() if t not in _verdicts}
    if waiting and _prefetch_running() and waiting & _prefetched_texts():
        _wait_prefetch()  # what it still has to lint is cheaper there than in a second Node
    _load_prefetched()
    missing = {k: v for k, v in texts.items() if v not in _verdicts}
    if missing:
        for key, diagnostics in _run_node(missing).items():
            _verdicts[missing[key]] = diagnostics
    return {key: _verdicts[text] for key, text in texts.items()}


def lint_one(text: str) -> list[dict]:
    return lint({"q": text})["q"]


def _prefetch_main(folder: Path) -> None:
    """The background half: every text the lint tests ask about, batch by batch; its end
    is marked whatever happens, so that nobody waits for a prefetch that died."""
    try:
        _prefetch_batches(folder)
    finally:
        (folder / _ENDED).touch()


def _prefetch_batches(folder: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from redgov.graph.cypher import REGISTRY
    from redgov.queries import catalog
    from redgov.queries.analytics import ACTIVE_POSTS, UNIT_AREAS
    from test_cypher_lint import _import_everything

    batches = {
        "catalog": [q.text for q in catalog() if q.kind == "cypher"] + [ACTIVE_POSTS, UNIT_AREAS],
    }
    _import_everything()
    batches["registry"] = [c.text for c in REGISTRY.values() if not c.falkordb_only]
    every = list(dict.fromkeys(t for batch in _BATCHES for t in batches[batch]))
    tmp = folder / "texts.json.tmp"
    tmp.write_text(json.dumps(every, ensure_ascii=False), encoding="utf-8")
    tmp.rename(folder / "texts.json")
    done: set[str] = set()
    for batch in _BATCHES:
        todo = {str(i): t for i, t in enumerate(dict.fromkeys(batches[batch])) if t not in done}
        got = _run_node(todo, timeout=None) if todo else {}  # nobody waits on it yet
        verdicts = {todo[k]: v for k, v in got.items()}
        done |= set(verdicts)
        tmp = folder / f"{batch}.json.tmp"
        tmp.write_text(json.dumps(verdicts, ensure_ascii=False), encoding="utf-8")
        tmp.rename(folder / f"{batch}.json")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--prefetch":
        _prefetch_main(Path(sys.argv[2]))
    else:
        raise SystemExit("usage: python tests/cypher_lint.py --prefetch DIR")
