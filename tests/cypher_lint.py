"""Neo4j's official offline Cypher linter, called from the tests through the machine's Node.

``lint({"name": text, …})`` returns ``{"name": [diagnostic, …]}`` where each diagnostic is
``{"severity": "error"|"warning"|"info", "message": …}``; a clean query has an empty list.
Parameters (``$x``) are discovered and declared by the Node side, so they are never
flagged.  One Node process lints a whole batch (the first call costs ~300 ms).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

__all__ = ["LINTER_DIR", "LinterMissing", "lint", "lint_one"]

LINTER_DIR = Path(__file__).parent / "cypherlint"


class LinterMissing(RuntimeError):
    pass


def _check_installed() -> str:
    node = shutil.which("node")
    if node is None:
        raise LinterMissing("node is not on PATH: the Neo4j linter runs under Node.js")
    if not (LINTER_DIR / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        raise LinterMissing(
            f"the Neo4j linter is not installed: run `npm ci --prefix {LINTER_DIR}`"
        )
    return node


def lint(texts: dict[str, str]) -> dict[str, list[dict]]:
    node = _check_installed()
    payload = json.dumps([{"id": k, "text": v} for k, v in texts.items()])
    proc = subprocess.run(
        [node, str(LINTER_DIR / "lint.mjs")], input=payload, capture_output=True,
        text=True, timeout=300, check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"the linter failed: {proc.stderr[-2000:]}")
    return {item["id"]: item["diagnostics"] for item in json.loads(proc.stdout)}


def lint_one(text: str) -> list[dict]:
    return lint({"q": text})["q"]
