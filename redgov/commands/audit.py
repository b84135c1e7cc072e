"""``redgov audit``: list the catalog, run one question, or write every answer to a workbook.

    redgov audit                                   # the catalog
    redgov audit NAME [--param k=v]… [--snapshot D|RUN] [--as-of D] [--scope CODE]
                      [--format F] [--out FILE]
    redgov audit --all --out report.xlsx           # cover, summary, one sheet per question

Every answer is for one published snapshot (``--snapshot``: a date, a run id; default the
latest); ``--as-of`` is the validity date within it (default: that snapshot's date).  JSON
records the snapshot (ordinal, date, run id), the workbook's cover shows it.

Table, CSV and XLSX are for people: Chinese headers and values by default (``--lang en``
for English), rates as percentages with one decimal, lists of codes as names.  JSON is for
programs: the stable codes and snake_case keys, whatever ``--lang`` says.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from ..graph.stores import StoreError
from ..loaders.progress import phase
from ..output import render_cells, to_json
from ..progress import progress_option, shown
from ..queries import ParamError, QueryResult, catalog, get_question, run_question
from ..queries.catalog import UnknownQuestion
from ..queries.present import lookup_names, present_rows
from ..report import Answer, ReportContext, collect, write_report
from .changes import explain_text
from .common import (
    chosen_snapshot,
    lang_option,
    opened_store,
    parse_params,
    run_lang,
    say,
    snapshot_option,
    store_option,
    timeout_option,
    word,
)

__all__ = ["COMMANDS", "audit"]

_FORMATS = ("table", "json", "csv", "xlsx")
_CATALOG_KEYS = ("name", "title_zh", "rules", "kind", "one_row_per")
_CATALOG_ZH = ("问题编号", "标题", "规则", "类型", "每行是")
_KIND = {"cypher": ("图查询", "Cypher"), "analytics": ("网络分析", "network analysis")}


def _catalog_rows(lang: str) -> tuple[list[str], list[list[Any]]]:
    """The catalog for people: the id (to type after ``redgov audit``) and its words."""
    headers = list(_CATALOG_KEYS if lang == "en" else _CATALOG_ZH)
    if lang == "en":
        headers[1] = "title"
    rows = [[q.name, q.title(lang), ", ".join(q.rules), say(lang, *_KIND[q.kind]), q.row_is(lang)]
            for q in catalog()]
    return headers, rows


def _catalog_json() -> list[dict[str, Any]]:
    return [{"name": q.name, "title_zh": q.title_zh, "title_en": q.title_en,
             "rules": q.rules, "sources": q.sources, "kind": q.kind,
             "one_row_per": q.one_row_per, "finding": q.finding.text()} for q in catalog()]


@contextlib.contextmanager
def _errors(name: str) -> Iterator[None]:
    """Run-time errors as click errors: bad parameters are usage errors (exit 2)."""
    try:
        yield
    except ParamError as exc:
        raise click.UsageError(exc.text(run_lang())) from None
    except UnknownQuestion as exc:
        raise click.UsageError(str(exc)) from None
    except StoreError as exc:
        raise click.ClickException(f"{name}: {exc.text(run_lang())}") from None


def _run(store: Any, name: str, params: dict[str, Any], spec: str | None) -> QueryResult:
    snapshot = chosen_snapshot(store, spec)
    with _errors(name):
        return run_question(store, name, params, snapshot=snapshot)


def _collect(store: Any, names: list[str], params: dict[str, Any], spec: str | None,
             progress_mode: str = "auto", lang: str = "zh") -> tuple[
        list[Answer], ReportContext]:
    snapshot = chosen_snapshot(store, spec)
    with _errors(names[0] if len(names) == 1 else "audit"), \
            shown(progress_mode, "xlsx", lang, writes=False), phase("questions"):
        return collect(store, names, params, snapshot=snapshot)


@click.command()
@click.argument("name", required=False)
@click.option("--param", "params", multiple=True, metavar="K=V", help="A question parameter.")
@snapshot_option
@click.option("--as-of", "as_of", default=None, metavar="DATE",
              help="Validity date within the snapshot (default: the snapshot's date).")
@click.option("--scope", default=None, metavar="CODE", help="Only this unit's subtree.")
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default=None,
              help="table (default), json, csv or xlsx (xlsx needs --out).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE instead of standard output.")
@click.option("--all", "run_all", is_flag=True, help="Run every question into one workbook.")
@click.option("--explain", "explain_key", default=None, metavar="KEY",
              help="The row whose first column is KEY, and the facts (with their sources) "
                   "that produced it.")
@lang_option
@store_option
@timeout_option
@progress_option
def audit(
    name: str | None, params: tuple[str, ...], snapshot_spec: str | None, as_of: str | None,
    scope: str | None, fmt: str | None, out: Path | None, run_all: bool,
    explain_key: str | None, lang: str,
    store_spec: str | None, timeout: float | None, progress_mode: str,
) -> None:
    """List the audit catalog, run question NAME, or (--all) write every answer to a workbook.

    table, csv and xlsx are in Chinese (--lang en: English); json keeps the stable codes.
    """
    values: dict[str, Any] = parse_params(params)
    if as_of is not None:
        values["as_of"] = as_of
    if scope is not None:
        values["scope"] = scope
    if run_all:
        if name:
            raise click.UsageError(say(lang, "问题名称 NAME 与 --all 只能给一个",
                                       "give either a question NAME or --all, not both"))
        if out is None or (fmt not in (None, "xlsx")):
            raise click.UsageError(say(lang, "--all 写出一个工作簿：请用 --out 报告.xlsx",
                                       "--all writes a workbook: use --out report.xlsx"))
        with opened_store(store_spec, timeout=timeout) as store:
            answers, ctx = _collect(store, [q.name for q in catalog()], values, snapshot_spec,
                                    progress_mode, lang)
        write_report(out, answers, ctx, lang)
        click.echo(say(lang, f"已将 {len(answers)} 个审计问题写入 {out}",
                       f"wrote {len(answers)} questions to {out}"))
        return
    if not name:
        if values or snapshot_spec is not None:
            raise click.UsageError(say(lang, "参数需要指定问题名称 NAME",
                                       "parameters need a question NAME"))
        if fmt == "json":
            click.echo(to_json(_catalog_json()))
        else:
            click.echo(render_cells(*_catalog_rows(lang), "csv" if fmt == "csv" else "table"),
                       nl=fmt != "csv")
        return
    try:
        question = get_question(name)
    except UnknownQuestion:
        known = ", ".join(q.name for q in catalog())
        raise click.UsageError(word("audit.unknown_question", lang, name=name,
                                    known=known)) from None
    if explain_key is not None:
        if fmt not in (None, "table", "json") or out is not None:
            raise click.UsageError(say(lang, "--explain 输出表格或 JSON（--format table|json）",
                                       "--explain prints a table or JSON (--format table|json)"))
        with opened_store(store_spec, timeout=timeout) as store:
            click.echo(explain_text(store, name, explain_key, values, fmt or "table", lang,
                                    snapshot_spec))
        return
    fmt = fmt or ("xlsx" if out is not None and out.suffix.lower() == ".xlsx" else "table")
    if fmt == "xlsx" and out is None:
        raise click.UsageError(say(lang, "--format xlsx 需要 --out 文件名",
                                   "--format xlsx needs --out FILE"))
    if fmt == "xlsx":
        assert out is not None
        with opened_store(store_spec, timeout=timeout) as store:
            answers, ctx = _collect(store, [name], values, snapshot_spec)
        write_report(out, answers, ctx, lang)
        count = answers[0].result.count
        click.echo(say(lang, f"已写出 {count} 行：{out}", f"wrote {count} rows to {out}"))
        return
    with opened_store(store_spec, timeout=timeout) as store:
        result = _run(store, name, values, snapshot_spec)
        pinned = result.snapshot.ordinal if result.snapshot is not None else None
        names = lookup_names(store, question, result.rows, pinned) if fmt != "json" else {}
    if fmt == "json":
        text = to_json(result.to_dict())
    else:
        text = render_cells(*present_rows(question, result.rows, lang, names), fmt)
    if out is not None:
        # CSV files carry a BOM so that Excel opens the Chinese correctly.
        encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
        out.write_text(text if text.endswith("\n") else text + "\n", encoding=encoding)
        click.echo(say(lang, f"已写出 {result.count} 行：{out}",
                       f"wrote {result.count} rows to {out}"), err=True)
    else:
        click.echo(text, nl=not text.endswith("\n"))


COMMANDS = [audit]
