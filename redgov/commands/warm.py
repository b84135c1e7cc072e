"""``redgov warm``: the post-publish warm step by hand, or waiting for the one running.

    redgov warm [--snapshot N]      warm snapshot N (default: the latest) now
    redgov warm --wait [--timeout]  wait until this store's background warm is done

A publishing command (``redgov sync``, ``redgov pull``, ``redgov review approve``) starts
this command detached after it printed its report (dashboard/warm_background.py), so that
it returns without waiting for the warm step; ``--wait`` is how a script, a test or a
benchmark waits for the warmed state.  Exit status 0; 1 when ``--wait`` timed out or the
store cannot be opened.  Whatever it says is masked (no personal data).
"""

from __future__ import annotations

import re

import click

from ..graph.stores import resolve_store_spec
from ..present.clicktext import run_lang
from ..present.messages import word
from .common import lang_option, opened_store, store_option

__all__ = ["COMMANDS"]


def _token(value: str | None, most: int) -> str | None:
    """The hidden options a sync passes its detached warm: a run id and the pending
    marker's token (a file name part, so never a path): letters, digits and
    ``_ . : + -``, never ``/``."""
    if value is not None and not re.fullmatch(rf"[A-Za-z0-9_.:+-]{{1,{most}}}", value):
        raise click.BadParameter(word("warm.bad_token", run_lang()))
    return value


@click.command("warm")
@click.option("--snapshot", "ordinal", type=click.IntRange(min=1), default=None,
              help="The snapshot's ordinal (default: the latest); skipped when it is not "
                   "the latest any more.")
@click.option("--run-id", default=None, hidden=True, callback=lambda c, p, v: _token(v, 100))
@click.option("--marker", default=None, hidden=True, callback=lambda c, p, v: _token(v, 12))
@click.option("--wait", "wait_only", is_flag=True,
              help="Only wait until this store's background warm (started by a sync) is done.")
@click.option("--timeout", type=click.FloatRange(min=0), default=3600.0, show_default=True,
              help="With --wait: give up after this many seconds (exit status 1).")
@lang_option
@store_option
def warm(ordinal: int | None, run_id: str | None, marker: str | None, wait_only: bool,
         timeout: float, lang: str, store_spec: str | None) -> None:
    """Compute what the dashboard's first pages after a sync would wait for (kept per
    snapshot), or with --wait wait for the warm a sync started in the background."""
    from ..dashboard import warm_background as wb

    spec = resolve_store_spec(store_spec)
    if wait_only:
        if not wb.wait(spec, timeout):
            raise click.ClickException(word("warm.still_running", lang, timeout=timeout))
        click.echo(word("warm.none_running", lang))
        return
    with opened_store(spec) as store:
        outcome, line = wb.run(store, spec, ordinal, run_id, marker)
    if marker is None:  # by hand: say what happened (a background one only logs)
        click.echo(line if lang == "en" else word(f"warm.{outcome}", lang))


COMMANDS = [warm]
