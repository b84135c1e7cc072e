"""``redgov sync PATH``: sync a registry export into the graph (see ``redgov.loaders``).

Exit status 0 when the export was applied, was unchanged or was a dry run; 1 when it was
rejected (every error is listed, and ``--errors-out`` writes them as a CSV for the
registry clerks) or the store failed (one line, no traceback); 2 on usage errors.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click

from ..graph.stores import StoreError
from ..loaders import SyncReport, sync_export
from ..loaders.pii import mask_pii
from ..loaders.report import REJECTED
from ..output import neutralise, render, to_json
from .common import opened_store, store_option

ERROR_COLUMNS = ("表", "行号", "列", "值", "原因", "reason")
_STATUS_ZH = {"applied": "已应用", "unchanged": "无变化", "rejected": "已拒绝", "dry-run": "试运行"}


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


def _print_table(report: SyncReport) -> None:
    head = f"{_STATUS_ZH.get(report.status, report.status)} ({report.status})"
    click.echo(f"sync {head} — snapshot {report.snapshot_date or '?'}, "
               f"{report.kind or '?'}, run {report.run_id}, {report.duration_s:.2f} s")
    if report.changes:
        rows = [{"table": t, **c} for t, c in report.changes.items()]
        click.echo(render(["table", "added", "changed", "retired", "unchanged"], rows, "table"))
    if report.warnings:
        click.echo(f"\nwarnings: {len(report.warnings)}")
        for w in report.warnings[:50]:
            click.echo(f"  {w.table} row {w.row} {w.column}: {w.value} — {w.reason}")
        if len(report.warnings) > 50:
            click.echo(f"  … and {len(report.warnings) - 50} more (see --format json)")
    if report.errors:
        click.echo(f"\nerrors: {len(report.errors)} — nothing was applied")
        rows = [
            {"table": e.table, "row": e.row, "column": e.column, "value": e.value,
             "reason": e.reason}
            for e in report.errors
        ]
        click.echo(render(["table", "row", "column", "value", "reason"], rows, "table"))


@click.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and diff only; write nothing.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option(
    "--errors-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Write the errors as a CSV (UTF-8 with BOM) the registry clerks can open in Excel.",
)
@store_option
def sync(path: Path, dry_run: bool, fmt: str, errors_out: Path | None,
         store_spec: str | None) -> None:
    """Sync the registry export at PATH (a folder, a .zip of one, or an .xlsx workbook)."""
    if not (path.is_dir() or path.suffix.lower() in (".zip", ".xlsx", ".xlsm")):
        raise click.BadParameter("expected a folder, a .zip or an .xlsx workbook",
                                 param_hint="PATH")
    with opened_store(store_spec) as store:
        try:
            report = sync_export(store, path, dry_run=dry_run)
        except StoreError as exc:
            raise click.ClickException(
                f"同步失败，未应用任何更改 / the sync failed and nothing was applied: "
                f"{mask_pii(str(exc))}"
            ) from None
        except Exception as exc:  # a bug, not the input: still one line, never personal data
            raise click.ClickException(
                f"同步意外中止，未应用任何更改 / the sync stopped unexpectedly and nothing "
                f"was applied: {type(exc).__name__}: {mask_pii(str(exc))[:300]}"
            ) from None
    if errors_out is not None:
        write_errors_csv(report, errors_out)
    if fmt == "json":
        click.echo(to_json(report.to_json()))
    else:
        _print_table(report)
    if report.status == REJECTED:
        sys.exit(1)


COMMANDS = [sync]
