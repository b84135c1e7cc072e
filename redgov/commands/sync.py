"""``redgov sync PATH``: sync a registry export into the graph (see ``redgov.loaders``).

Exit status 0 when the export was applied, was unchanged or was a dry run; 1 when it was
rejected (every error is listed, and ``--errors-out`` writes them as a CSV for the
registry clerks) or the store failed (one line, no traceback); 2 on usage errors.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

import click

from ..graph.display import display
from ..graph.stores import StoreError
from ..loaders import SyncReport, sync_export
from ..loaders.pii import mask_pii
from ..loaders.report import COUNT_KEYS, REJECTED, Issue
from ..loaders.staging import stage_export
from ..loaders.tables import (
    FULL,
    INCREMENTAL,
    M_EXPORTED,
    M_KIND,
    M_SNAPSHOT,
    M_SOURCE,
    M_VERSION,
    MANIFEST,
    TABLE_ORDER,
)
from ..output import neutralise, render_cells, to_json
from ..progress import progress_option, shown
from .common import lang_option, opened_store, say, store_option

ERROR_COLUMNS = ("表", "行号", "列", "值", "原因", "reason")
GUIDE = "docs/使用说明.md"
_SHOWN = 50


def _tables_help() -> str:
    """The tables an export holds, for ``redgov sync --help`` (from loaders/tables.py)."""
    need = "、".join(t.name for t in TABLE_ORDER if t.required)
    may = "、".join(t.name for t in TABLE_ORDER if not t.required)
    keys = "、".join((M_SOURCE, M_EXPORTED, M_SNAPSHOT, M_KIND, M_VERSION))
    return (f"An export holds the table {MANIFEST} (the manifest: {keys}; 类型 is {FULL} or "
            f"{INCREMENTAL}) and the tables {need} (required) and {may} (optional), as "
            f"CSV files named after the tables, sheets of one .xlsx workbook, or a .zip of "
            f"the CSV folder.  Each table's columns, what an error report means and how to "
            f"fix the usual errors: {GUIDE} (§ 同步台账).")


def write_errors_csv(report: SyncReport, path: Path) -> None:
    """UTF-8 with BOM (so Excel opens the Chinese correctly), formula-neutralised cells."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(ERROR_COLUMNS)
        for e in report.errors:
            writer.writerow([
                neutralise(v) for v in
                (e.table, "" if e.row is None else e.row, e.column or "", e.value or "",
                 e.reason_zh, e.reason_en)
            ])


def _issue_cells(issues: list[Issue], lang: str) -> tuple[list[str], list[list[object]]]:
    headers = ["table", "row", "column", "value", "reason"] if lang == "en" else [
        "表", "行号", "列", "值", "原因"]
    return headers, [[e.table, "" if e.row is None else e.row, e.column or "", e.value or "",
                      e.reason_en if lang == "en" else e.reason_zh] for e in issues]


def print_report(report: SyncReport, lang: str = "zh") -> None:
    """The sync's outcome for a person: status, changes per table, warnings, errors."""
    status = display(report.status, lang, "sync_status")
    kind = display(report.kind, lang, "sync_kind") or "?"
    if lang == "en":
        click.echo(f"sync {status} — snapshot {report.snapshot_date or '?'}, {kind}, "
                   f"run {report.run_id}, {report.duration_s:.2f} s")
    else:
        click.echo(f"同步{status} — 快照日期 {report.snapshot_date or '?'}，{kind}，"
                   f"编号 {report.run_id}，用时 {report.duration_s:.2f} 秒")
    if report.changes:
        headers = [say(lang, "表", "table"), *(display(k, lang, "change") for k in COUNT_KEYS)]
        cells = [[t, *(c.get(k, 0) for k in COUNT_KEYS)] for t, c in report.changes.items()]
        click.echo(render_cells(headers, cells, "table"))
    if report.warnings:
        click.echo(say(lang, f"\n警告 {len(report.warnings)} 条（不影响同步）：",
                       f"\nwarnings: {len(report.warnings)}"))
        click.echo(render_cells(*_issue_cells(report.warnings[:_SHOWN], lang), "table"))
        if len(report.warnings) > _SHOWN:
            click.echo(say(lang, f"……另有 {len(report.warnings) - _SHOWN} 条（见 --format json）",
                           f"… and {len(report.warnings) - _SHOWN} more (see --format json)"))
    if report.errors:
        click.echo(say(lang, f"\n错误 {len(report.errors)} 条 — 未写入任何数据；"
                             f"改正台账后重新导出再同步（常见错误的改法见 {GUIDE}）：",
                       f"\nerrors: {len(report.errors)} — nothing was applied"))
        click.echo(render_cells(*_issue_cells(report.errors, lang), "table"))


def print_staged(report: SyncReport, staged: dict[str, Any], lang: str = "zh") -> None:
    """What ``--review`` staged: its id, what it is based on, the counts, the next step."""
    kind = display(report.kind, lang, "sync_kind") or "?"
    base = staged["base"]["ordinal"]
    click.echo(say(
        lang,
        f"已暂存待审核（未发布）— 编号 {staged['id']}，快照日期 {report.snapshot_date}，{kind}，"
        f"基于第 {base} 个快照",
        f"staged for review (not published) — id {staged['id']}, snapshot "
        f"{report.snapshot_date}, {kind}, base snapshot {base}"))
    headers = [say(lang, "表", "table"), *(display(k, lang, "change") for k in COUNT_KEYS)]
    cells = [[t, *(c.get(k, 0) for k in COUNT_KEYS)] for t, c in report.changes.items()]
    click.echo(render_cells(headers, cells, "table"))
    if report.warnings:
        click.echo(say(lang, f"警告 {len(report.warnings)} 条（见 redgov review show）",
                       f"warnings: {len(report.warnings)} (see redgov review show)"))
    sid = staged["id"]
    click.echo(say(lang, f"查看：redgov review show {sid}；批准：redgov review approve {sid}；"
                         f"驳回：redgov review reject {sid} --reason 理由",
                   f"inspect: redgov review show {sid}; approve: redgov review approve {sid}; "
                   f"reject: redgov review reject {sid} --reason TEXT"))


@click.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and diff only; write nothing.")
@click.option("--review", is_flag=True,
              help="Validate and diff, then stage the change for review instead of publishing "
                   "it (redgov review list / show / approve / reject).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option(
    "--errors-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Write the errors as a CSV (UTF-8 with BOM) the registry clerks can open in Excel.",
)
@lang_option
@store_option
@progress_option
def sync(path: Path, dry_run: bool, review: bool, fmt: str, errors_out: Path | None, lang: str,
         store_spec: str | None, progress_mode: str) -> None:
    """Sync the registry export at PATH (a folder, a .zip of one, or an .xlsx workbook).

    {tables}
    """
    if not (path.is_dir() or path.suffix.lower() in (".zip", ".xlsx", ".xlsm")):
        raise click.BadParameter(say(lang, "应为文件夹、.zip 压缩包或 .xlsx 工作簿",
                                     "expected a folder, a .zip or an .xlsx workbook"),
                                 param_hint="PATH")
    if review and dry_run:
        raise click.UsageError(say(lang, "--review 与 --dry-run 不能同时使用",
                                   "--review and --dry-run exclude each other"))
    staged: dict[str, Any] | None = None
    warmed = "off"
    with opened_store(store_spec) as store, shown(progress_mode, fmt, lang):
        try:
            if review:
                outcome = stage_export(store, path)
                report, staged = outcome.report, outcome.record
            else:
                report = sync_export(store, path, dry_run=dry_run)
                from ..dashboard.warm_background import after_publish
                # Started in the background: the command returns without waiting for it.
                warmed = after_publish(store, report)
        except StoreError as exc:
            reason = mask_pii(exc.text(lang))
            raise click.ClickException(say(
                lang, f"同步失败，未应用任何更改：{reason}",
                f"the sync failed and nothing was applied: {reason}")) from None
        except Exception as exc:  # a bug, not the input: still one line, never personal data
            reason = f"{type(exc).__name__}: {mask_pii(str(exc))[:300]}"
            raise click.ClickException(say(
                lang, f"同步意外中止，未应用任何更改：{reason}",
                f"the sync stopped unexpectedly and nothing was applied: {reason}")) from None
    if errors_out is not None:
        write_errors_csv(report, errors_out)
    if fmt == "json":
        click.echo(to_json({**report.to_json(), "warm": warmed,
                            **({"staged_id": staged["id"]} if staged else {})}))
    elif staged is not None:
        print_staged(report, staged, lang)
    else:
        print_report(report, lang)
    if report.status == REJECTED:
        sys.exit(1)


sync.help = (sync.help or "").replace("{tables}", _tables_help())
COMMANDS = [sync]
