"""``redgov status``, ``redgov cypher`` and ``redgov stop``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import click

from ..graph.display import display, format_time
from ..graph.home import data_dir
from ..graph.introspection import status as graph_status
from ..graph.stores import ReadOnlyViolation, StoreError
from ..graph.stores.embedded_server import stop_server
from ..output import display_width, render, to_json
from ..report import store_text
from .common import lang_option, opened_store, parse_params, say, store_option, timeout_option


def decoded_run(run: Mapping[str, Any]) -> dict[str, Any]:
    """A sync run with its ``*_json`` properties as nested objects (the graph stores them as
    text): ``changes_json`` → ``changes``; where the plain name is taken (``warnings`` is a
    count) the decoded list goes under ``*_list``.

    >>> decoded_run({"warnings": 1, "warnings_json": "[{\\"row\\": 2}]", "changes_json": "{}"})
    {'warnings': 1, 'warnings_list': [{'row': 2}], 'changes': {}}
    """
    out: dict[str, Any] = {}
    for key, value in run.items():
        if key.endswith("_json") and isinstance(value, str):
            base = key.removesuffix("_json")
            try:
                out[f"{base}_list" if base in run else base] = json.loads(value)
                continue
            except ValueError:
                pass
        out[key] = value
    return out


def _counts(counts: Mapping[str, int], domain: str, lang: str) -> str:
    sep = ", " if lang == "en" else "，"
    return sep.join(f"{display(k, lang, domain)} {v}" for k, v in counts.items()) or say(
        lang, "无", "none")


@click.command()
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@lang_option
def status(store_spec: str | None, fmt: str, lang: str) -> None:
    """Show the store in use, its engine, node and relation counts and the last sync run."""
    with opened_store(store_spec) as store:
        info = graph_status(store)
    run = info["last_sync"]
    if fmt == "json":
        click.echo(to_json({**info, "last_sync": decoded_run(run) if run else None}))
        return
    if run is None:
        last = say(lang, "尚无同步记录", "none yet")
    elif lang == "en":
        last = (f"{run.get('id')} {run.get('status')} — snapshot {run.get('snapshot_date')}, "
                f"source {run.get('source')}, {run.get('kind')}, "
                f"at {format_time(run.get('started_at'))} (Beijing time)")
    else:
        last = (f"{display(run.get('status'), lang, 'sync_status')} — 快照日期 "
                f"{run.get('snapshot_date')}，来源 {run.get('source')}，"
                f"{display(run.get('kind'), lang, 'sync_kind')}，"
                f"开始于 {format_time(run.get('started_at'))}（北京时间），编号 {run.get('id')}")
    lines = [
        (say(lang, "数据库", "store"), store_text(info["store"], lang)),
        (say(lang, "引擎", "engine"), info["engine_version"]),
        (say(lang, "节点", "nodes"), _counts(info["nodes"], "label", lang)),
        (say(lang, "关系", "relations"), _counts(info["relations"], "relation", lang)),
        (say(lang, "最近同步", "last sync"), last),
    ]
    width = max(display_width(k) for k, _ in lines)
    for key, value in lines:
        click.echo(f"{key}{say(lang, '：', ':')}{' ' * (width - display_width(key))}  {value}")


@click.command()
@click.argument("query")
@click.option("--param", "params", multiple=True, metavar="K=V", help="A query parameter ($K).")
@store_option
@timeout_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
def cypher(
    query: str, params: tuple[str, ...], store_spec: str | None, timeout: float | None, fmt: str
) -> None:
    """Run a read-only Cypher QUERY (writes, LOAD CSV and outside procedures are refused)."""
    values = parse_params(params)
    with opened_store(store_spec, timeout=timeout) as store:
        try:
            rows = store.read(query, values)
        except ReadOnlyViolation:
            raise click.ClickException(
                "redgov cypher only reads: the query would write to the graph. "
                "Change data through `redgov sync`."
            ) from None
        except StoreError as exc:
            raise click.ClickException(str(exc)) from None
    columns = list(rows[0]) if rows else []
    text = render(columns, rows, fmt)
    click.echo(text, nl=not text.endswith("\n"))


@click.command()
@lang_option
def stop(lang: str) -> None:
    """Stop the embedded server of the current data directory ($REDGOV_HOME)."""
    home = data_dir()
    if stop_server(home):
        click.echo(say(lang, f"已停止 {home} 的内嵌 FalkorDB 服务",
                       f"stopped the embedded FalkorDB server of {home}"))
    else:
        click.echo(say(lang, f"{home} 没有运行中的内嵌服务",
                       f"no embedded server was running for {home}"))


COMMANDS = [status, cypher, stop]
