"""``redgov access-log``: read the dashboard's access log (who looked at what, and when)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import click

from ..access.log import EVENT_ZH, iter_log, log_path, tail_log
from ..output import render, to_json
from ..present.clicktext import run_lang
from ..present.logtext import entry_text
from ..present.messages import word
from ..present.times import BEIJING, format_time

__all__ = ["COMMANDS", "access_log"]


def _since(value: str | None) -> str | None:
    """An ISO date or date-time (Beijing time, as the table shows them, unless it names
    its zone) → UTC ISO text."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(word("log.bad_since", run_lang(), value=value),
                                 param_hint="--since") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=BEIJING)
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


#: The table's columns: (Chinese, English).
_COLUMNS = {"time": ("时间（北京时间）", "time (Beijing time, UTC+8)"), "user": ("用户", "user"),
            "event": ("事件", "event"), "page": ("页面", "page"), "question": ("问题", "question"),
            "what": ("内容", "particulars"), "scope": ("范围", "scope"),
            "rows": ("行数", "rows"), "client": ("来源", "client")}


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
        click.echo(word("log.none", run_lang(), path=log_path()))
        return
    lang = run_lang()
    heads = {key: pair[1] if lang == "en" else pair[0] for key, pair in _COLUMNS.items()}
    rows = [{
        heads["time"]: format_time(e.get("time")) if e.get("time") else "",
        heads["user"]: e.get("user") or "",
        heads["event"]: e.get("event") if lang == "en" else EVENT_ZH.get(
            e.get("event", ""), e.get("event")),
        heads["page"]: e.get("page") or "", heads["question"]: e.get("question") or "",
        heads["what"]: entry_text(e, lang),
        heads["scope"]: e.get("applied_scope") or e.get("scope") or "",
        heads["rows"]: e.get("rows") if e.get("rows") is not None else "",
        heads["client"]: e.get("client") or "",
    } for e in entries]
    text = render(list(rows[0]), rows, "table")
    click.echo(text, nl=not text.endswith("\n"))
    if total > len(entries):
        click.echo(word("log.more", run_lang(), total=total, shown=len(entries)))


def _stream_json(entries: Iterator[dict]) -> None:
    """A JSON array written one entry at a time (never the whole log in memory)."""
    first = True
    click.echo("[", nl=False)
    for entry in entries:
        click.echo(("\n" if first else ",\n") + to_json(entry), nl=False)
        first = False
    click.echo("]" if first else "\n]")


COMMANDS = [access_log]
