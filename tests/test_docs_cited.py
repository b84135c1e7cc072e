"""A clone is complete: every document a file in the repository cites is in the repository.

A user's clone has nothing beside it, so citing a steering document by its bare name, or a path
folder outside the checkout sends the reader nowhere.  The domain, the registry format, the
engine notes and the source documents live in ``docs/``; this test keeps it that way.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: A cited Markdown document: a path-like token ending in ``.md`` (not part of a URL).
PART = r"[\w\-\u4e00-\u9fff]+"
CITED = re.compile(rf"(?<![\w/:.\-])((?:\.{{1,2}}/)?{PART}(?:/{PART})*\.md)\b")
#: A path into the steering folder that sits beside a developer's checkout, never a user's.
OUTSIDE = re.compile("|".join(re.escape(p) for p in ("../" + "shared", "/work/" + "shared")))
TEXT = (".py", ".md", ".cypher", ".yml", ".toml", ".txt", ".mjs", ".json")


def _tracked() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return [ROOT / p for p in out.splitlines()
            if p.endswith(TEXT) and "node_modules" not in p and (ROOT / p).is_file()]


def _resolves(cited: str, where: Path) -> bool:
    return any((base / cited).is_file() for base in (where.parent, ROOT, ROOT / "docs"))


def test_every_cited_document_is_in_the_repository() -> None:
    missing = sorted(
        f"{path.relative_to(ROOT)}: {cited}"
        for path in _tracked() if path.suffix != ".json"
        for cited in CITED.findall(path.read_text(encoding="utf-8", errors="replace"))
        if not _resolves(cited, path)
    )
    assert missing == [], missing


def test_nothing_points_outside_the_checkout() -> None:
    outside = sorted(
        str(path.relative_to(ROOT)) for path in _tracked()
        if OUTSIDE.search(path.read_text(encoding="utf-8",
                                                                     errors="replace"))
    )
    assert outside == [], outside


def test_the_source_documents_cited_by_the_vocabulary_are_here() -> None:
    from redgov.graph.display import SOURCES

    assert sorted(SOURCES) == sorted(p.stem for p in (ROOT / "docs" / "sources").glob("*.txt"))
