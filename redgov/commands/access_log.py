"""``redgov access-log``: read the dashboard's access log (who looked at what, and when)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from ..access.log import EVENT_ZH, log_path, read_log
from ..output import render, to_json

__all__ = ["COMMANDS", "access_log"]


def _since(value: str | None) -> str | None:
    """An ISO date or date-time (local time unless it names its zone) → UTC ISO text."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD) or date-time "
                                 "(YYYY-MM-DDTHH:MM)", param_hint="--since") from None
    if when.tzinfo is None:
        when = when.astimezone()  # the operator's local time
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _what(entry: dict) -> str:
    parts = []
    for key in ("unit", "person", "account", "reason", "format", "file"):
        if entry.get(key) is not None:
            parts.append(f"{key}={entry[key]}")
    if entry.get("params"):
        parts.append(json.dumps(entry["params"], ensure_ascii=False, sort_keys=True))
    return " ".join(parts)


@click.command("access-log")
@click.option("--user", "user", default=None, help="Only this account's entries.")
@click.option("--since", default=None, metavar="DATE",
              help="Only entries from this date or date-time on (YYYY-MM-DD[THH:MM]).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def access_log(user: str | None, since: str | None, fmt: str) -> None:
    """Show the dashboard's access log: logins, failed logins, pages, questions with
    their parameters, the scope applied, rows returned and downloads."""
    entries = read_log(user=user, since=_since(since))
    if fmt == "json":
        click.echo(to_json(entries))
        return
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


COMMANDS = [access_log]
