"""The Chinese guide (docs/使用说明.md) stays in step with the code.

Its list of audit questions is the catalog (title, id, rule text, what one row is, source
documents), its list of dashboard pages is the app's page list (each with a screenshot
that exists), its export tables and columns are the loader's, the error reasons it
explains are ones the loader really gives, and the README links it in its first lines.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from redgov.dashboard import auth
from redgov.dashboard.i18n import t
from redgov.dashboard.pages import app
from redgov.graph.display import SOURCES, rule_text
from redgov.loaders.tables import MANIFEST, TABLE_ORDER
from redgov.queries import catalog

ROOT = Path(__file__).resolve().parents[1]
GUIDE_PATH = ROOT / "docs" / "使用说明.md"
GUIDE = GUIDE_PATH.read_text(encoding="utf-8")


def _section(title: str, level: str = "## ") -> str:
    start = GUIDE.index(f"\n{level}{title}\n")
    nxt = GUIDE.find(f"\n{level}", start + 1)
    return GUIDE[start: nxt if nxt > 0 else len(GUIDE)]


def _subsections(text: str) -> dict[str, str]:
    parts = re.split(r"^### (.+)$", text, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def test_readme_links_the_guide_in_its_first_lines() -> None:
    head = "\n".join((ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:6])
    assert "(docs/使用说明.md)" in head, head


def test_every_catalog_question_and_only_those() -> None:
    sections = _subsections(_section("审计问题").split("### 各审计问题", 1)[1])
    want = {f"{q.title_zh}（`{q.name}`）": q for q in catalog()}
    assert set(sections) == set(want), set(sections) ^ set(want)
    for heading, q in want.items():
        body = sections[heading]
        assert q.rule_zh in body, q.name
        assert q.one_row_per_zh in body, q.name
        for rule in q.rules:
            assert f"{rule} {rule_text(rule)}" in body, (q.name, rule)
        for source in q.sources:
            assert f"《{SOURCES[source].title}》" in body, (q.name, source)
        assert f"`redgov audit {q.name}" in body, q.name
        for p in q.params:
            if p.name not in ("as_of", "scope"):
                assert p.label_zh in body and f"`{p.name}`" in body, (q.name, p.name)


def test_catalog_regions_are_current() -> None:
    """The README's catalog table and the per-question sections above are written from the
    questions' headers: after a header changes, the command rewrites them."""
    from redgov.queries import catalog_docs

    assert catalog_docs.stale() == [], f"stale catalog docs: run {catalog_docs.COMMAND}"
    assert catalog_docs.main([]) == 0


def test_a_stale_catalog_region_is_found_and_rewritten(tmp_path: Path) -> None:
    from redgov.queries import catalog_docs

    for name in catalog_docs.REGIONS:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        text = (ROOT / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace("`one_shoulder`", "`one_shoulder_old`", 1),
                                     encoding="utf-8")
    assert catalog_docs.stale(tmp_path) == list(catalog_docs.REGIONS)
    fixed = {p.relative_to(tmp_path).as_posix(): text
             for p, text in catalog_docs.rendered(tmp_path).items()}
    assert fixed == {n: (ROOT / n).read_text(encoding="utf-8") for n in catalog_docs.REGIONS}
    (tmp_path / "README.md").write_text("no region here\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"README\.md: needs one '<!-- generated: catalog-table"):
        catalog_docs.stale(tmp_path)


def test_snapshots_explained_with_the_real_options_and_message() -> None:
    """--snapshot is documented for audit and status as the commands take it, with the
    message a missing snapshot really gives, and how to ask redgov cypher for one."""
    from redgov.graph.snapshots import SnapshotNotFound, resolve

    from redgov.commands.audit import audit
    from redgov.commands.core import status

    for command in (audit, status):
        assert "--snapshot" in {o for p in command.params for o in p.opts}, command.name
    text = _section("审计问题")
    assert "`--snapshot`" in text and "`--as-of`" in text
    assert "redgov status --snapshot 2024-06-30" in text
    assert "redgov audit overdue_reelection --snapshot 2024-06-30" in text
    assert "`--param snapshot=序号`" in text and "`redgov cypher --help`" in text
    published = [{"ordinal": 1, "date": "2024-01-01", "run_id": "a"},
                 {"ordinal": 2, "date": "2024-06-30", "run_id": "b"}]
    try:
        resolve(lambda query, params=None: published, "2023-12-31")
    except SnapshotNotFound as exc:
        assert f"`{exc}`" in text, str(exc)
    else:
        raise AssertionError("a date before the first snapshot names none")
    commands = _section("常用命令")
    assert "`redgov status --snapshot 2024-06-30`" in commands
    assert "`redgov audit --all --snapshot 2024-06-30 --out 审计报告.xlsx`" in commands


def test_source_documents_by_title() -> None:
    table = _subsections(_section("审计问题"))["依据文件"]
    for s in SOURCES.values():
        assert f"| {s.id} | 《{s.title}》 | {s.issuer} | {s.date} |" in table, s.id


def _page_title(key: str) -> str:
    """The navigation title as app.main() gives it: account pages carry their own texts."""
    return auth.TEXT[key][0] if key in auth.TEXT else t(key, "zh")


def test_every_dashboard_page_with_a_screenshot() -> None:
    sections = _subsections(_section("看板各页"))
    pages = {_page_title(key): path for path, key, *_ in app._PAGES}
    assert set(sections) == set(pages), set(sections) ^ set(pages)
    for title, path in pages.items():
        shots = re.findall(r"!\[[^\]]+\]\((screenshots/[^)]+\.png)\)", sections[title])
        assert shots, title
        for shot in shots:
            assert Path(shot).name.startswith(path), (title, shot)
            assert (GUIDE_PATH.parent / shot).is_file(), shot
    hierarchy = sections[t("nav.hierarchy", "zh")]
    for level in ("district", "street", "compound"):
        assert f"screenshots/hierarchy-{level}.png" in hierarchy, level


def test_export_tables_and_columns_are_the_loaders() -> None:
    table = _subsections(_section("同步台账"))["每张表装什么"]
    rows = {r.split("|")[1].strip(): r for r in table.splitlines() if r.startswith("| ")}
    assert MANIFEST in rows
    for t_ in TABLE_ORDER:
        assert t_.name in rows, t_.name
        assert rows[t_.name].split("|")[2].strip() == ("是" if t_.required else "否"), t_.name
        for header in t_.headers:
            assert header in rows[t_.name], (t_.name, header)


def test_error_reasons_explained_are_the_loaders() -> None:
    source = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "loaders").glob("*.py"))
    table = _subsections(_section("同步台账"))["常见错误及改法"]
    rows = [r.split("|")[1].strip() for r in table.splitlines() if r.startswith("| ")]
    reasons = rows[1:]  # after the header row
    assert len(reasons) >= 10, reasons
    for cell in reasons:
        for reason in cell.split(" / "):
            stem = reason.split("（")[0].strip()
            if "重复" in stem:  # written by an f-string: 编码重复 / 记录重复
                assert "重复（第 " in source, stem
                continue
            assert stem in source, stem


def test_readme_says_json_keeps_codes_and_what_the_linter_runs_on() -> None:
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "**`--format json` keeps the stable machine values**" in readme
    assert "declares `\"node\": \">=24.11.1\"`; we run it on Node.js 20" in readme
    npmrc = (ROOT / "tests" / "cypherlint" / ".npmrc").read_text(encoding="utf-8")
    assert "engine-strict=false" in npmrc and "loglevel=error" in npmrc


def test_demo_history_is_explained_in_the_guide_and_readme() -> None:
    from redgov.loaders.demo.history import MAX_MONTHS

    from redgov.commands.demo import demo

    options = {o for p in demo.params for o in p.opts}
    assert "--history" in options
    section = _section("安装与演示")
    assert "`redgov demo --history 12`" in section and f"最多 {MAX_MONTHS}" in section
    assert "`--export-only 文件夹`" in section and "快照" in section
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "[--history N]" in readme and f"at most {MAX_MONTHS} months" in readme
