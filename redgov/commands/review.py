"""``redgov review``: the staged syncs (``redgov sync PATH --review``) and their decisions.

    redgov review list [--format table|json]
    redgov review show ID [--format table|json]
    redgov review approve ID
    redgov review reject ID --reason TEXT

Chinese by default (``--lang en``); ``--format json`` keeps the stable codes.  Exit status
1 when a step is refused (unknown id, already decided, another snapshot published since
staging), with one line saying why.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from ..graph.display import REVIEW_STATUS, display, format_time
from ..graph.display import field_label as display_field_label
from ..graph.display import record_key_text as key_text
from ..graph.stores import StoreError
from ..loaders.pii import mask_pii
from ..loaders.report import COUNT_KEYS
from ..loaders.staging import (
    ReviewError,
    approve,
    list_staged,
    load_staged,
    reject,
)
from ..output import render_cells, to_json
from ..progress import done, progress_option, shown
from .common import lang_option, opened_store, say, store_option

__all__ = ["COMMANDS", "field_label", "key_text", "review", "value_text"]

#: Fields holding vocabulary codes: their display domain (graph/display.py).
_DOMAINS = {"level": "level", "compound_type": "compound_type", "formation": "formation",
            "status": "org_status", "standing": "standing", "role": "role", "type": "relation",
            "list": "rating_list", "category": "eval_category", "criterion": "criterion"}
_KIND_DOMAIN = {"组织": "org_kind", "监管": "supervision_kind", "事件": "incident_kind"}
_CHANGE = {"added": "added", "changed": "changed", "retired": "retired"}


def field_label(field: str, lang: str = "zh") -> str:
    return display_field_label(field, lang)


def value_text(table: str, field: str, value: Any, lang: str = "zh") -> str:
    """A field's value in words: vocabulary codes in ``lang``, lists joined."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    domain = _KIND_DOMAIN.get(table) if field == "kind" else _DOMAINS.get(field)
    return mask_pii(display(value, lang, domain) if domain else str(value))


def _status(record: dict[str, Any], lang: str) -> str:
    zh, en = REVIEW_STATUS.get(record.get("status", ""), (record.get("status"), record.get(
        "status")))
    return str(en if lang == "en" else zh)


def _total(counts: dict[str, dict[str, int]], kind: str) -> int:
    return sum(int((c or {}).get(kind) or 0) for c in counts.values())


def _counts_text(counts: dict[str, dict[str, int]], lang: str) -> str:
    """``单位 +1 ~2 -0``: per table added, changed, retired (unchanged left out)."""
    parts = []
    for table, c in counts.items():
        a, ch, r = (int(c.get(k) or 0) for k in ("added", "changed", "retired"))
        if a or ch or r:
            parts.append(f"{table} +{a} ~{ch} -{r}")
    return "；".join(parts) if lang != "en" else "; ".join(parts)


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "status", "source", "snapshot_date", "kind", "staged_at", "staged_by",
            "base", "counts", "fingerprint", "decision", "refusals")
    return {k: record.get(k) for k in keys}


def _fail(exc: ReviewError, lang: str, fmt: str = "table") -> None:
    done()  # a progress display (review approve) comes down before the message
    if fmt == "json":
        click.echo(to_json({"status": "refused", "code": exc.code, "message": exc.text(lang)}))
        sys.exit(1)
    raise click.ClickException(exc.text(lang))


@click.group()
def review() -> None:
    """Staged syncs (redgov sync PATH --review): list, show, approve, reject."""


@review.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@lang_option
def list_cmd(fmt: str, lang: str) -> None:
    """Every staged sync, newest first: id, source, snapshot date, base, counts per table."""
    records = list_staged()
    if fmt == "json":
        click.echo(to_json([_summary(r) for r in records]))
        return
    if not records:
        click.echo(say(lang, "没有暂存的同步（redgov sync 路径 --review 可暂存一次同步）",
                       "no staged syncs (redgov sync PATH --review stages one)"))
        return
    headers = [say(lang, *h) for h in (
        ("编号", "id"), ("状态", "status"), ("来源", "source"), ("快照日期", "snapshot date"),
        ("类型", "kind"), ("暂存时间（北京时间）", "staged at (Beijing time)"),
        ("基于快照", "base snapshot"),
        ("新增", "added"), ("修改", "changed"), ("退出", "retired"), ("各表变化", "per table"))]
    cells = []
    for r in records:
        counts = r.get("counts") or {}
        base = r.get("base") or {}
        cells.append([
            r.get("id"), _status(r, lang), r.get("source"), r.get("snapshot_date"),
            display(r.get("kind"), lang, "sync_kind"), format_time(r.get("staged_at")),
            base.get("ordinal"), _total(counts, "added"), _total(counts, "changed"),
            _total(counts, "retired"), _counts_text(counts, lang),
        ])
    click.echo(render_cells(headers, cells, "table"))


def _show_rows(record: dict[str, Any], lang: str) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for table, entry in (record.get("records") or {}).items():
        for kind in ("changed", "added", "retired"):
            change = display(_CHANGE[kind], lang, "change")
            for item in entry.get(kind, []):
                if kind == "changed":
                    for f in item["fields"]:
                        hidden = f.get("hidden")
                        before = say(lang, "（不显示）", "(not shown)") if hidden else \
                            value_text(table, f["field"], f.get("before"), lang)
                        after = say(lang, "（已变更，不显示）", "(changed, not shown)") if hidden \
                            else value_text(table, f["field"], f.get("after"), lang)
                        rows.append([table, key_text(table, item["key"], lang),
                                     item.get("name") or "", change,
                                     field_label(f["field"], lang), before, after])
                    continue
                fields = item.get("fields") or {}
                text = "；".join(f"{field_label(k, lang)}={value_text(table, k, v, lang)}"
                                for k, v in fields.items())
                before, after = ("", text) if kind == "added" else (text, "")
                rows.append([table, key_text(table, item["key"], lang), item.get("name") or "",
                             change, "", before, after])
        more = entry.get("more") or {}
        for kind, n in more.items():
            if n:
                rows.append([table, "…", "", display(_CHANGE[kind], lang, "change"), "",
                             "", say(lang, f"另有 {n} 条未列出", f"{n} more not listed")])
    return rows


@review.command("show")
@click.argument("sid", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@lang_option
def show_cmd(sid: str, fmt: str, lang: str) -> None:
    """One staged sync: per table, each record's fields before and after."""
    try:
        record = load_staged(sid)
    except ReviewError as exc:
        _fail(exc, lang, fmt)
        return
    if fmt == "json":
        click.echo(to_json(record))
        return
    base = record.get("base") or {}
    kind = display(record.get("kind"), lang, "sync_kind")
    click.echo(say(
        lang,
        f"暂存同步 {record['id']}（{_status(record, lang)}）— 来源 {record.get('source')}，"
        f"快照日期 {record.get('snapshot_date')}，{kind}，"
        f"暂存于 {format_time(record.get('staged_at'))}（北京时间），"
        f"基于第 {base.get('ordinal')} 个快照",
        f"staged sync {record['id']} ({_status(record, lang)}) — source {record.get('source')}, "
        f"snapshot {record.get('snapshot_date')}, {kind}, staged "
        f"{format_time(record.get('staged_at'))} (Beijing time), base snapshot "
        f"{base.get('ordinal')}",
    ))
    decision = record.get("decision")
    if decision:
        extra = decision.get("reason") or decision.get("run_id") or ""
        click.echo(say(lang, f"处理：{_status(record, lang)}，{decision.get('by')}，"
                             f"{format_time(decision.get('at'))}，{extra}",
                       f"decision: {_status(record, lang)} by {decision.get('by')} at "
                       f"{format_time(decision.get('at'))}: {extra}"))
    counts = record.get("counts") or {}
    click.echo(render_cells(
        [say(lang, "表", "table"), *(display(k, lang, "change") for k in COUNT_KEYS)],
        [[t, *(c.get(k, 0) for k in COUNT_KEYS)] for t, c in counts.items()], "table"))
    warnings = record.get("warnings") or []
    if warnings:
        count = record.get("warning_count", len(warnings))
        click.echo(say(lang, f"\n警告 {count} 条（不影响同步）：", f"\nwarnings: {count}"))
        click.echo(render_cells(
            [say(lang, *h) for h in (("表", "table"), ("行号", "row"), ("列", "column"),
                                     ("值", "value"), ("原因", "reason"))],
            [[w.get("table"), w.get("row") or "", w.get("column") or "", w.get("value") or "",
              w.get("reason_en" if lang == "en" else "reason_zh")] for w in warnings], "table"))
    rows = _show_rows(record, lang)
    if rows:
        headers = [say(lang, *h) for h in (
            ("表", "table"), ("标识", "key"), ("名称", "name"), ("变化", "change"),
            ("字段", "field"), ("原值", "before"), ("新值", "after"))]
        click.echo("")
        click.echo(render_cells(headers, rows, "table"))


@review.command("approve")
@click.argument("sid", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@lang_option
@store_option
@progress_option
def approve_cmd(sid: str, fmt: str, lang: str, store_spec: str | None,
                progress_mode: str) -> None:
    """Publish a staged sync exactly as a direct sync would; refused if another snapshot
    was published since it was staged."""
    with opened_store(store_spec) as store, shown(progress_mode, fmt, lang):
        try:
            record, report = approve(store, sid)
        except ReviewError as exc:
            _fail(exc, lang, fmt)
            return
        except StoreError as exc:
            reason = mask_pii(exc.text(lang))
            raise click.ClickException(say(
                lang, f"批准失败，未应用任何更改：{reason}",
                f"approval failed and nothing was applied: {reason}")) from None
    if fmt == "json":
        click.echo(to_json({"status": record["status"], "id": sid, "sync": report.to_json()}))
        return
    status = display(report.status, lang, "sync_status")
    click.echo(say(lang, f"已批准暂存同步 {sid}：同步{status}，编号 {report.run_id}",
                   f"approved staged sync {sid}: sync {status}, run {report.run_id}"))


@review.command("reject")
@click.argument("sid", metavar="ID")
@click.option("--reason", required=True, help="Why it is rejected (kept with the staged set).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@lang_option
def reject_cmd(sid: str, reason: str, fmt: str, lang: str) -> None:
    """Reject a staged sync: it is kept, marked rejected with the reason, and never applied."""
    try:
        record = reject(sid, reason)
    except ReviewError as exc:
        _fail(exc, lang, fmt)
        return
    if fmt == "json":
        click.echo(to_json({"status": record["status"], "id": sid,
                            "decision": record["decision"]}))
        return
    click.echo(say(lang, f"已驳回暂存同步 {sid}（未应用）",
                   f"rejected staged sync {sid} (not applied)"))


COMMANDS = [review]
