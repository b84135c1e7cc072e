"""The docs' catalog regions, written from the questions' headers (a developer's tool).

The README's catalog table and the guide's per-question sections (docs/使用说明.md) say
what the headers say; writing them by hand meant every header change was made twice and
drifted.  Each lives between ``<!-- generated: REGION -->`` and ``<!-- end -->``::

    python -m redgov.queries.catalog_docs            # exit 1 and name the stale files
    python -m redgov.queries.catalog_docs --write    # rewrite the regions

Run it from a checkout (the docs are not installed); tests/test_guide.py fails when a
region is stale.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path

from ..graph.display import SOURCES, display, rule_text
from .catalog import HeaderError, Param, Question, catalog

ROOT = Path(__file__).resolve().parents[1]
COMMAND = "python -m redgov.queries.catalog_docs --write"
_END = "<!-- end -->"


def _default_zh(q: Question, p: Param) -> str:
    if p.default is None:
        if not p.default_zh:
            raise HeaderError(f"{q.name}: parameter {p.name} has no default; say what an empty "
                              f"value means as param_zh's third part ('{p.name} — 名称 — 含义')")
        return p.default_zh
    return display(p.default, "zh", "level" if p.type == "level" else None)


def finding_zh(q: Question) -> str:
    """Which rows are findings, in words: the header's ``finding`` line."""
    f = q.finding
    if f.every_row:
        return "每一行都是问题"
    if f.column is None:
        return "统计或分析结果，不直接列出问题"
    col = q.column(f.column)
    values = [display(v == "true" if col.type == "bool" else v, "zh", col.domain)
              for v in f.values]
    return f"“{col.title_zh}”为{'、'.join(values)}的行"


def guide_section(q: Question) -> str:
    """One question's section of the guide."""
    lines = [
        f"### {q.title_zh}（`{q.name}`）", "",
        f"- **规则**：{'；'.join(f'{r} {rule_text(r)}' for r in q.rules)}",
        f"- **依据文件**：{'、'.join(f'《{SOURCES[s].title}》' for s in q.sources)}",
        f"- **每行是**：{q.one_row_per_zh}",
        f"- **怎样判断**：{q.rule_zh}",
    ]
    own = q.params[2:]  # after the common as_of and scope
    if own:
        lines.append("- **参数**：" + "；".join(
            f"{p.label_zh}（`{p.name}`，默认 {_default_zh(q, p)}）" for p in own))
    command = " ".join(["redgov audit", q.name, *q.example.split()])
    lines += [f"- **哪些行是问题**：{finding_zh(q)}", f"- **命令**：`{command}`"]
    return "\n".join(lines)


def guide(questions: list[Question]) -> str:
    return "\n\n".join(guide_section(q) for q in questions)


def readme_table(questions: list[Question]) -> str:
    rows = [f"| `{q.name}` | {q.title_zh} — {q.title_en} | {', '.join(q.rules)} |"
            for q in questions]
    return "\n".join(["| question | title | rules |", "|---|---|---|", *rows])


#: file → (region name, renderer)
REGIONS: dict[str, tuple[str, Callable[[list[Question]], str]]] = {
    "README.md": ("catalog-table", readme_table),
    "docs/使用说明.md": ("catalog-guide", guide),
}


def fill(text: str, region: str, body: str, where: str) -> str:
    """``text`` with the region's body replaced (the markers stay)."""
    start = f"<!-- generated: {region} -->"
    pattern = re.compile(re.escape(start) + r"\n.*?" + re.escape(_END), re.S)
    if len(pattern.findall(text)) != 1:
        raise ValueError(f"{where}: needs one '{start}' … '{_END}' region")
    return pattern.sub(lambda _: f"{start}\n{body}\n{_END}", text)


def rendered(root: Path = ROOT, questions: list[Question] | None = None) -> dict[Path, str]:
    """Every file with a catalog region, as it should read."""
    questions = catalog() if questions is None else questions
    out: dict[Path, str] = {}
    for name, (region, render) in REGIONS.items():
        path = root / name
        out[path] = fill(path.read_text(encoding="utf-8"), region, render(questions), name)
    return out


def stale(root: Path = ROOT) -> list[str]:
    """The files whose catalog region differs from the headers (empty: all current)."""
    return [str(p.relative_to(root)) for p, text in rendered(root).items()
            if p.read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m redgov.queries.catalog_docs",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite the stale regions")
    args = parser.parse_args(argv)
    if not (ROOT / "README.md").is_file():
        print(f"no README.md under {ROOT}: run this from a checkout", file=sys.stderr)
        return 2
    if args.write:
        for path, text in rendered().items():
            if path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
                print(f"rewrote {path.relative_to(ROOT)}")
        return 0
    late = stale()
    for name in late:
        print(f"{name}: the catalog region is stale; run {COMMAND}")
    return 1 if late else 0


if __name__ == "__main__":
    raise SystemExit(main())
