"""Diffs, facts and their sources put into words for people (table, XLSX, dashboard).

Chinese by default, English with ``lang="en"``; every code goes through the display
vocabulary (:mod:`graph.display`).  JSON output never comes through here: it keeps the
codes (``Diff.to_json``, ``Subject.to_json``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..graph.display import display, field_label, format_rate, term
from ..present.messages import say
from .changes import Change, Provenance
from .diff import Diff, FigureMove
from .facts import Fact, Source, Subject

__all__ = ["change_rows", "diff_heading", "fact_rows", "figure_rows", "key_text",
           "source_text", "subject_lines", "value_text"]

#: The display domain of a record's value, by field.
_FIELD_DOMAIN = {"level": "level", "kind": None, "status": "org_status",
                 "formation": "formation", "compound_type": "compound_type", "role": "role",
                 "rel": "relation", "standing": "standing"}
_SUBTYPE_DOMAIN = {"unit": "level", "organisation": "org_kind", "post": "role",
                   "supervision": "supervision_kind"}


_say = say  # the presentation layer's inline pair (redgov/present/messages.py)


def value_text(name: str, value: Any, lang: str = "zh") -> str:
    """One value of a record, shown (codes through their display domain, lists joined)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "；".join(value_text(name, v, lang) for v in value) if lang != "en" \
            else "; ".join(value_text(name, v, lang) for v in value)
    if isinstance(value, bool):
        return display(value, lang)
    domain = _FIELD_DOMAIN.get(name, "")
    if domain:
        return term(domain, value, lang)
    if name == "kind":  # an organisation kind or a supervision kind
        return display(value, lang)
    return str(value)


def _fields(values: Mapping[str, Any], lang: str) -> str:
    sep, colon = ("; ", ": ") if lang == "en" else ("；", "：")
    return sep.join(f"{field_label(k, lang)}{colon}{value_text(k, v, lang)}"
                    for k, v in values.items())


def source_text(src: Source | Provenance | None, lang: str = "zh") -> str:
    """Where a version came from: snapshot date, registry table and row, run id."""
    if src is None or (src.run is None and src.src_table is None):
        return ""
    row = "" if src.src_row is None else str(src.src_row)
    if lang == "en":
        return (f"snapshot {src.snapshot_date or '?'} · {src.src_table or '?'} row {row}"
                f" · run {src.run or '?'}")
    return (f"{src.snapshot_date or '?'} 快照 · {src.src_table or '?'}表第{row}行"
            f" · 同步 {src.run or '?'}")


def _describe(c: Change, lang: str) -> tuple[str, str]:
    """Before and after of one change, in words."""
    if c.change == "moved":
        def place(v: Mapping[str, Any]) -> str:
            code = next((x for k, x in v.items() if k != "name"), None)
            return " ".join(str(x) for x in (code, v.get("name")) if x)
        return place(c.before), place(c.after)
    if c.change == "reaffiliated":
        def parent(v: Mapping[str, Any]) -> str:
            return " ".join(str(x) for x in (v.get("parent_code"), v.get("parent_name")) if x)
        return parent(c.before), parent(c.after)
    if c.change in ("added", "retired") and c.kind in ("unit", "organisation"):
        return "", _fields({k: v for k, v in c.after.items() if k == "retired_on"}, lang)
    if c.change in ("begun", "ended"):
        dates = ("start", "end", "rel")
        before = {k: c.before[k] for k in dates if c.before.get(k) is not None}
        after = {k: c.after[k] for k in (*dates, "retired_on") if c.after.get(k) is not None}
        if c.change == "begun":
            return "", _fields(after, lang)
        return _fields(before, lang), _fields(after, lang)
    return _fields(c.before, lang), _fields(c.after, lang)


def key_text(kind: str, key: str, lang: str = "zh") -> str:
    """A post's or a supervision's identity for people: its role or kind in words
    (``P2|B1|deputy_secretary|2021-01-01`` → ``P2|B1|副书记|2021-01-01``)."""
    domain = {"post": "role", "supervision": "supervision_kind"}.get(kind)
    parts = key.split("|")
    if domain is None or len(parts) != 4:
        return key
    parts[2] = term(domain, parts[2], lang)
    return "|".join(parts)


def _parties(c: Change) -> str:
    p = c.parties
    if not p:
        return ""
    left = " ".join(str(x) for x in (p.get("from_code"), p.get("from_name")) if x)
    right = " ".join(str(x) for x in (p.get("to_code"), p.get("to_name")) if x)
    return f"{left} → {right}"


def change_rows(changes: Sequence[Change], lang: str = "zh") -> tuple[list[str], list[list[str]]]:
    headers = (["record", "change", "code or key", "name", "kind", "between", "before",
                "after", "source (before)", "source (after)"] if lang == "en" else
               ["类别", "变化", "编码", "名称", "类型", "涉及", "之前", "之后", "来源（之前）",
                "来源（之后）"])
    cells = []
    for c in changes:
        domain = _SUBTYPE_DOMAIN.get(c.kind)
        subtype = term(domain, c.subtype, lang) if domain and c.subtype else (c.subtype or "")
        before, after = _describe(c, lang)
        cells.append([term("record", c.kind, lang), term("change", c.change, lang),
                      key_text(c.kind, c.id, lang),
                      c.name or "", subtype, _parties(c), before, after,
                      source_text(c.source_from, lang), source_text(c.source_to, lang)])
    return headers, cells


def _figure_value(figure: str, value: Any, lang: str) -> str:
    if value is None:
        return ""
    return str(value) if figure == "overdue" else format_rate(value, lang)


def _delta(m: FigureMove, lang: str) -> str:
    """The change with its sign; 持平 (no sign, read as no arrow) when it is zero at the
    precision shown, as on the dashboard's cards."""
    d = m.delta
    if d is None:
        return ""
    shown = f"{int(d):+d}" if m.figure == "overdue" else f"{d * 100:+.1f}"
    if float(shown) == 0:
        return "no change" if lang == "en" else "持平"
    if m.figure == "overdue":
        return shown
    return f"{shown} pp" if lang == "en" else f"{shown}个百分点"


def figure_rows(moves: Sequence[FigureMove], lang: str = "zh") -> tuple[list[str], list[list[str]]]:
    headers = (["unit code", "unit name", "figure", "before", "after", "change"]
               if lang == "en" else ["单位编码", "单位名称", "指标", "之前", "之后", "变化"])
    cells = [[m.unit_code, m.unit_name or "", term("figure", m.figure, lang),
              _figure_value(m.figure, m.before, lang), _figure_value(m.figure, m.after, lang),
              _delta(m, lang)] for m in moves]
    return headers, cells


def diff_heading(d: Diff, lang: str = "zh") -> str:
    def snap(s: Any) -> str:
        return f"{s.date}（#{s.ordinal}，{s.run_id}）" if lang != "en" \
            else f"{s.date} (#{s.ordinal}, {s.run_id})"
    counts = d.counts()
    total = sum(sum(v.values()) for v in counts.values())
    if lang == "en":
        return (f"from {snap(d.first)} to {snap(d.second)} · scope {d.scope or 'all'} · "
                f"level {d.level}: {total} record changes, {len(d.moves)} figure moves")
    return (f"从 {snap(d.first)} 到 {snap(d.second)} · 范围 {d.scope or '全部'} · "
            f"层级 {term('level', d.level)}：记录变化 {total} 条，指标变化 {len(d.moves)} 项")


def fact_rows(facts: Sequence[Fact], lang: str = "zh",
              with_subject: bool = False) -> tuple[list[str], list[list[str]]]:
    headers = (["fact", "relation", "code", "name", "kind", "role", "start", "end", "held",
                "source"] if lang == "en" else
               ["事实", "关系", "编码", "名称", "类型", "职务", "开始日期", "结束日期", "当时有效",
                "来源"])
    if with_subject:
        headers = [_say(lang, "对象", "of"), *headers]
    cells = []
    for f in facts:
        kind = display(f.other_kind, lang) if f.other_kind else ""
        role = term("role", f.role, lang) if f.role else (f.title or "")
        if f.role and f.title and f.title != role:
            role = f"{role}（{f.title}）" if lang != "en" else f"{role} ({f.title})"
        detail = f.extra.get("kind") or f.extra.get("project") or f.extra.get("date")
        if detail and not role:
            role = display(detail, lang)
        row = [term("record", f.section, lang), display(f.rel, lang, "relation")
               + ("" if f.outgoing else _say(lang, "（来自）", " (from)")),
               f.other_code or "", f.other_name or "", kind, role, f.start or "",
               f.end or "", display(f.held, lang), source_text(f.source, lang)]
        cells.append([f.subject_code, *row] if with_subject else row)
    return headers, cells


def subject_lines(s: Subject, lang: str = "zh") -> list[str]:
    """The subject's heading: what and where it is, its record and its source."""
    colon = ": " if lang == "en" else "："
    kind = term("record", s.kind, lang)
    lines = [f"{kind} {s.code} {s.name or ''}".rstrip(),
             f"{_say(lang, '快照', 'snapshot')}{colon}{s.snapshot.date}（#{s.snapshot.ordinal}）"
             f" · {_say(lang, '截至日期', 'as of')}{colon}{s.as_of}"]
    if s.ancestry:
        chain = " > ".join(f"{a['name']}（{a['code']}）" if lang != "en" else
                           f"{a['name']} ({a['code']})" for a in s.ancestry)
        lines.append(f"{_say(lang, '所在层级', 'place')}{colon}{chain}")
    if s.affiliation_chain:
        chain = " > ".join(f"{a['name']}（{a['code']}）" if lang != "en" else
                           f"{a['name']} ({a['code']})" for a in s.affiliation_chain)
        lines.append(f"{_say(lang, '隶属', 'affiliated under')}{colon}{chain}")
    record = {k: v for k, v in s.record.items()
              if k not in ("code", "name", "retired") and not k.endswith("_name")
              and not k.endswith("_day") and k not in ("city_code", "district_code",
                                                       "street_code", "community_code")}
    if record:
        lines.append(_fields(record, lang))
    if s.record.get("retired"):
        lines.append(_say(lang, f"已退出台账（{s.record.get('retired_on') or ''}）",
                          f"retired from the registry ({s.record.get('retired_on') or ''})"))
    lines.append(f"{_say(lang, '来源', 'source')}{colon}{source_text(s.source, lang)}")
    return lines
