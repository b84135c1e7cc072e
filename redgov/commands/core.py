"""``redgov status``, ``redgov cypher`` and ``redgov stop``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import click

from ..graph.conditions import live
from ..graph.display import display, format_time
from ..graph.home import data_dir
from ..graph.introspection import status as graph_status
from ..graph.snapshots import Snapshot
from ..graph.stores import ReadOnlyViolation, StoreError
from ..graph.stores.embedded_server import Loading, start_or_loading, stop_server
from ..graph.stores.guard import check_free_read
from ..graph.stores.select import resolve_store_spec
from ..graph.stores.timeouts import default_read_timeout
from ..loaders.progress import timings_text
from ..output import display_width, render, to_json
from ..present.stores import store_text
from .common import (
    CYPHER_HELP_EXAMPLE,
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

#: Snapshots the table output of ``redgov status`` lists (the newest; JSON lists all).
_LISTED = 10


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


def _snapshot_text(s: Snapshot, lang: str) -> str:
    """One snapshot in a line: its ordinal, date, kind and run id."""
    if lang == "en":
        return f"#{s.ordinal} {s.date or '—'} {s.kind or ''} (run {s.run_id})".replace("  ", " ")
    kind = display(s.kind, lang, "sync_kind") if s.kind else ""
    return f"第 {s.ordinal} 个 {s.date or '—'} {kind}（编号 {s.run_id}）".replace("  ", " ")


def _snapshot_lines(info: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    """The chosen snapshot, and the published ones (the newest few) one per line."""
    shown = info["snapshot"]
    chosen = say(lang, "尚无已发布的快照", "none published yet") if shown is None else (
        _snapshot_text(Snapshot(**shown), lang))
    published = [Snapshot(**s) for s in info["snapshots"]]
    lines = [(say(lang, "快照", "snapshot"), chosen)]
    if published:
        head = say(lang, f"共 {len(published)} 个（--snapshot 写日期或编号）",
                   f"{len(published)} (--snapshot takes a date or a run id)")
        lines.append((say(lang, "已发布快照", "published snapshots"), head))
        newest = published[-_LISTED:][::-1]
        lines += [("", _snapshot_text(s, lang)) for s in newest]
        if len(published) > _LISTED:
            lines.append(("", say(lang, f"……更早的 {len(published) - _LISTED} 个见 --format json",
                                  f"… {len(published) - _LISTED} older: see --format json")))
    return lines


def _loading(progress: Loading, fmt: str, lang: str) -> None:
    """``redgov status`` while the embedded server loads: the state, not the graph."""
    home = data_dir()
    if fmt == "json":
        click.echo(to_json({"store": f"embedded FalkorDB ({home})", **progress.as_json()}))
        return
    phase = display(progress.phase, lang, "load_phase")
    if progress.total:
        phase += say(lang, f"（{progress.done:,} / {progress.total:,}）",
                     f" ({progress.done:,} / {progress.total:,})")
    if progress.graph:
        phase += say(lang, f"，图 {progress.graph}", f", graph {progress.graph}")
    lines = [
        (say(lang, "数据库", "store"), store_text(f"embedded FalkorDB ({home})", lang)),
        (say(lang, "状态", "state"), say(
            lang, f"正在载入图（已用 {progress.elapsed_s:.0f} 秒）：{phase}",
            f"loading the graph ({progress.elapsed_s:.0f} s so far): {phase}")),
        (say(lang, "说明", "note"), say(
            lang, "载入完成前图不能查询，其他命令会等待载入完成；稍后再运行 redgov status",
            "the graph answers once loaded (other commands wait for it); run redgov status "
            "again shortly")),
    ]
    width = max(display_width(k) for k, _ in lines)
    sep = say(lang, "：", ":")
    for key, value in lines:
        click.echo(f"{key}{sep}{' ' * (width - display_width(key))}  {value}")


@click.command()
@store_option
@snapshot_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@lang_option
def status(store_spec: str | None, snapshot_spec: str | None, fmt: str, lang: str) -> None:
    """Show the store, its engine, node and relation counts at a snapshot (default the
    latest), the published snapshots and the last sync run.

    While the embedded server loads its graph (after a start: a province graph takes
    minutes), it says so at once, with how far the load has got, instead of waiting."""
    if resolve_store_spec(store_spec) == "embedded":
        # The read timeout is checked before the server starts: a refused value must not
        # leave an embedded server running behind the error (``open_store`` checks it too).
        try:
            default_read_timeout()
        except StoreError as exc:
            raise click.ClickException(exc.text(run_lang())) from None
        progress = start_or_loading(data_dir())
        if progress is not None:
            _loading(progress, fmt, lang)
            return
    with opened_store(store_spec) as store:
        info = graph_status(store, chosen_snapshot(store, snapshot_spec))
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
        *_snapshot_lines(info, lang),
        (say(lang, "节点", "nodes"), _counts(info["nodes"], "label", lang)),
        (say(lang, "关系", "relations"), _counts(info["relations"], "relation", lang)),
        (say(lang, "最近同步", "last sync"), last),
    ]
    timings = timings_text((run or {}).get("phases_json"), lang)
    if timings:  # where the last sync's time went (runs before timings were kept: none)
        lines.append((say(lang, "各阶段用时", "phase timings"), timings))
    width = max(display_width(k) for k, _ in lines)
    sep = say(lang, "：", ":")
    for key, value in lines:
        if key:
            click.echo(f"{key}{sep}{' ' * (width - display_width(key))}  {value}")
        else:  # a continuation line (the list of snapshots)
            click.echo(f"{' ' * (width + display_width(sep))}  {value}")


_CYPHER_HELP = f"""Run a read-only Cypher QUERY (writes, LOAD CSV, outside procedures refused).

Snapshots: every sync publishes a snapshot (numbered 1, 2, … ; `redgov status` lists
them) and the graph keeps every version of every record.  A node or relation belongs to
snapshot N when vf <= N < vt.  A QUERY that uses $snapshot gets the latest published
number unless you give one with --param snapshot=N; a query that does not filter on
$snapshot sees every version of every record, old ones included.

The catalog's shared conditions (@live, @current, @active, @in_scope) are NOT available
here: they are expanded only in the catalog's own texts.  Paste their expansion instead;
for a node or relation x:

\b
  live in the snapshot:   {live("x")}
  and not retired:        ... AND coalesce(x.retired, false) = false
  valid on $as_of:        ... AND (x.start IS NULL OR x.start <= $as_of)
                              AND (x.end IS NULL OR $as_of < x.end)

Check the first node of every pattern and every relation (name it: -[r:SITS_AT]->).
Example (units not retired per level, at snapshot 2; single quotes keep the shell off
$snapshot):

\b
  redgov cypher '{CYPHER_HELP_EXAMPLE}' --param snapshot=2
"""


@click.command(help=_CYPHER_HELP)
@click.argument("query")
@click.option("--param", "params", multiple=True, metavar="K=V",
              help="A query parameter ($K); snapshot=N pins $snapshot to snapshot N.")
@store_option
@timeout_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
def cypher(
    query: str, params: tuple[str, ...], store_spec: str | None, timeout: float | None, fmt: str
) -> None:
    values = parse_params(params)
    with opened_store(store_spec, timeout=timeout) as store:
        try:
            # Governance data only: never accounts or login throttling (guard.py).
            check_free_read(query)
            rows = store.read(query, values)
        except ReadOnlyViolation:
            raise click.ClickException(word("cypher.read_only", run_lang())) from None
        except StoreError as exc:
            raise click.ClickException(exc.text(run_lang())) from None
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
