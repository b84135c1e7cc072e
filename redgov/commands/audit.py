"""``redgov audit``: list the catalog, run one question, or write every answer to a workbook.

    redgov audit                                   # the catalog
    redgov audit NAME [--param k=v]… [--as-of D] [--scope CODE] [--format F] [--out FILE]
    redgov audit --all --out report.xlsx           # summary sheet + one sheet per question
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..graph.stores import StoreError
from ..output import render, to_json, write_xlsx
from ..queries import ParamError, QueryResult, Question, catalog, get_question, run_question
from ..queries.catalog import UnknownQuestion
from .common import opened_store, parse_params, store_option, timeout_option

__all__ = ["COMMANDS", "audit"]

_FORMATS = ("table", "json", "csv", "xlsx")
_SUMMARY_HEADER = ["问题", "标题", "行数", "规则", "来源", "每行是", "参数"]


def _catalog_rows() -> list[dict[str, Any]]:
    return [
        {"name": q.name, "rules": ", ".join(q.rules), "kind": q.kind, "title_zh": q.title_zh,
         "one_row_per": q.one_row_per}
        for q in catalog()
    ]


def _sheet(question: Question, result: QueryResult) -> tuple[str, list[str], list[list[Any]]]:
    header = [c.title_zh for c in question.columns]
    return question.name, header, [[row[c] for c in result.columns] for row in result.rows]


def _run(store: Any, name: str, params: dict[str, Any]) -> QueryResult:
    try:
        return run_question(store, name, params)
    except (ParamError, UnknownQuestion) as exc:
        raise click.UsageError(str(exc)) from None
    except StoreError as exc:
        raise click.ClickException(f"{name}: {exc}") from None


def _write_all(store: Any, params: dict[str, Any], out: Path) -> list[dict[str, Any]]:
    """Run every question with the common parameters; summary first, then one sheet each."""
    summary: list[list[Any]] = []
    sheets: list[tuple[str, list[str], list[list[Any]]]] = []
    for question in catalog():
        result = _run(store, question.name, params)
        summary.append([question.name, question.title_zh, result.count, ", ".join(question.rules),
                        ", ".join(question.sources), question.one_row_per,
                        json.dumps(result.params, ensure_ascii=False, default=str)])
        sheets.append(_sheet(question, result))
    write_xlsx(out, [("汇总", _SUMMARY_HEADER, summary), *sheets])
    return [{"question": row[0], "count": row[2]} for row in summary]


@click.command()
@click.argument("name", required=False)
@click.option("--param", "params", multiple=True, metavar="K=V", help="A question parameter.")
@click.option("--as-of", "as_of", default=None, metavar="DATE",
              help="Answer as of this date (default: snapshot date of the latest sync).")
@click.option("--scope", default=None, metavar="CODE", help="Only this unit's subtree.")
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default=None,
              help="table (default), json, csv or xlsx (xlsx needs --out).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE instead of standard output.")
@click.option("--all", "run_all", is_flag=True, help="Run every question into one workbook.")
@store_option
@timeout_option
def audit(
    name: str | None, params: tuple[str, ...], as_of: str | None, scope: str | None,
    fmt: str | None, out: Path | None, run_all: bool, store_spec: str | None,
    timeout: float | None,
) -> None:
    """List the audit catalog, run question NAME, or (--all) write every answer to a workbook."""
    values: dict[str, Any] = parse_params(params)
    if as_of is not None:
        values["as_of"] = as_of
    if scope is not None:
        values["scope"] = scope
    if run_all:
        if name:
            raise click.UsageError("give either a question NAME or --all, not both")
        if out is None or (fmt not in (None, "xlsx")):
            raise click.UsageError("--all writes a workbook: use --out report.xlsx")
        with opened_store(store_spec, timeout=timeout) as store:
            counts = _write_all(store, values, out)
        click.echo(f"wrote {len(counts)} questions to {out}")
        return
    if not name:
        if values:
            raise click.UsageError("parameters need a question NAME")
        click.echo(render(["name", "rules", "kind", "title_zh", "one_row_per"],
                          _catalog_rows(), fmt if fmt in ("json", "csv") else "table"))
        return
    try:
        question = get_question(name)
    except UnknownQuestion as exc:
        raise click.UsageError(str(exc)) from None
    fmt = fmt or ("xlsx" if out is not None and out.suffix.lower() == ".xlsx" else "table")
    if fmt == "xlsx" and out is None:
        raise click.UsageError("--format xlsx needs --out FILE")
    with opened_store(store_spec, timeout=timeout) as store:
        result = _run(store, name, values)
    if fmt == "xlsx":
        assert out is not None
        write_xlsx(out, [_sheet(question, result)])
        click.echo(f"wrote {result.count} rows to {out}")
        return
    text = to_json(result.to_dict()) if fmt == "json" else render(result.columns, result.rows, fmt)
    if out is not None:
        out.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        click.echo(f"wrote {result.count} rows to {out}", err=True)
    else:
        click.echo(text)


COMMANDS = [audit]
