"""``redgov status``, ``redgov cypher`` and ``redgov stop``."""

from __future__ import annotations

import click

from ..graph.home import data_dir
from ..graph.introspection import status as graph_status
from ..graph.stores import ReadOnlyViolation, StoreError
from ..graph.stores.embedded_server import stop_server
from ..output import render, to_json
from .common import opened_store, parse_params, store_option, timeout_option


@click.command()
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def status(store_spec: str | None, fmt: str) -> None:
    """Show the store in use, its engine, node and relation counts and the last sync run."""
    with opened_store(store_spec) as store:
        info = graph_status(store)
    if fmt == "json":
        click.echo(to_json(info))
        return
    click.echo(f"store:    {info['store']}")
    click.echo(f"engine:   {info['engine_version']}")
    click.echo("nodes:    " + (", ".join(f"{k} {v}" for k, v in info["nodes"].items()) or "none"))
    click.echo(
        "relations: " + (", ".join(f"{k} {v}" for k, v in info["relations"].items()) or "none")
    )
    run = info["last_sync"]
    if run is None:
        click.echo("last sync: none yet")
    else:
        click.echo(
            f"last sync: {run.get('id')} {run.get('status')} — snapshot {run.get('snapshot_date')}"
            f", source {run.get('source')}, at {run.get('started_at')}"
        )


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
def stop() -> None:
    """Stop the embedded server of the current data directory ($REDGOV_HOME)."""
    home = data_dir()
    if stop_server(home):
        click.echo(f"stopped the embedded FalkorDB server of {home}")
    else:
        click.echo(f"no embedded server was running for {home}")


COMMANDS = [status, cypher, stop]
