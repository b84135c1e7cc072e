"""``redgov access-log``: read the dashboard's access log (who looked at what, and when)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import click

from ..access.log import EVENT_ZH, iter_log, log_path, tail_log
from ..output import render, to_json
from ..present.clicktext import run_lang
from ..present.messages import word

__all__ = ["COMMANDS", "access_log"]


def _since(value: str | None) -> str | None:
    """An ISO date or date-time (local time unless it names its zone) → UTC ISO text."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(word("log.bad_since", run_lang(), value=value),
                                 param_hint="--since") from None
    if when.tzinfo is None:
        when = when.astimezone()  # the operator's local time
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _what(entry: dict) -> str:
    parts = []
    for key in ("unit", "person", "account", "reason", "format", "file", "held", "limit"):
        if entry.get(key) is not None:
            parts.append(f"{key}={entry[key]}")
    for key in ("params", "events"):
        if entry.get(key):
            parts.append(json.dumps(entry[key], ensure_ascii=False, sort_keys=True))
    return " ".join(parts)


@click.command("access-log")
@click.option("--user", "user", default=None, help="Only this account's entries.")
@click.option("--since", default=None, metavar="DATE",
              help="Only entries from this date or date-time on (YYYY-MM-DD[THH:MM]).")
@click.option("--limit", default=1000, show_default=True, type=click.IntRange(min=1),
              help="The table shows the newest N matching entries (json: every one).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def access_log(user: str | None, since: str | None, limit: int, fmt: str) -> None:
    """Show the dashboard's access log: logins, failed logins, pages, questions with
    their parameters, the scope applied, rows returned and downloads.

    The log is read as a stream, so a log of any size is read in bounded memory: json
    writes each entry as it is read; the table keeps only the newest ``--limit``.
    """
    since_utc = _since(since)
    if fmt == "json":
        _stream_json(iter_log(user=user, since=since_utc))
        return
    entries, total = tail_log(limit, user=user, since=since_utc)
    if not entries:
        click.echo(f"无记录（no entries）: {log_path()}")
        return
    rows = [{
        "时间": e.get("time"), "用户": e.get("user") or "", "事件": EVENT_ZH.get(
            e.get("event", ""), e.get("event")),
        "页面": e.get("page") or "", "问题": e.get("question") or "",
        "内容": _what(e), "范围": e.get("applied_scope") or e.get("scope") or "",
        "行数": e.get("rows") if e.get("rows") is not None else "",
        "来源": e.get("client") or "",
    } for e in entries]
    text = render(list(rows[0]), rows, "table")
    click.echo(text, nl=not text.endswith("\n"))
    if total > len(entries):
        click.echo(f"共 {total} 条，显示最近 {len(entries)} 条（--limit 可调整）"
                   f" / {total} entries, the newest {len(entries)} shown (--limit)")


def _stream_json(entries: Iterator[dict]) -> None:
    """A JSON array written one entry at a time (never the whole log in memory)."""
    first = True
    click.echo("[", nl=False)
    for entry in entries:
        click.echo(("\n" if first else ",\n") + to_json(entry), nl=False)
        first = False
    click.echo("]" if first else "\n]")


COMMANDS = [access_log]
