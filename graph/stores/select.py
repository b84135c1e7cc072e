"""Choosing a store: ``--store``, else ``$REDGOV_STORE``, else the embedded engine."""

from __future__ import annotations

import os
from urllib.parse import unquote, urlsplit

from .base import Store, StoreError
from .embedded_server import ensure_server

__all__ = ["open_store", "resolve_store_spec"]

_NEO4J_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def resolve_store_spec(spec: str | None = None) -> str:
    return spec or os.environ.get("REDGOV_STORE") or "embedded"


def open_store(spec: str | None = None) -> Store:
    """Open the store named by ``spec`` (see :func:`resolve_store_spec`).

    ``falkordb://[:password@]host:port[/graph]`` takes its password from the URL or from
    ``$FALKORDB_PASSWORD``; Neo4j URIs take credentials from ``$NEO4J_USER`` and
    ``$NEO4J_PASSWORD`` and the database from ``$NEO4J_DATABASE``.
    """
    from .falkordb_store import FalkorStore

    spec = resolve_store_spec(spec)
    graph = os.environ.get("REDGOV_GRAPH", "redgov")
    if spec == "embedded":
        info = ensure_server()
        return FalkorStore(
            host=info.host, port=info.port, password=info.password, graph=graph,
            description=f"embedded FalkorDB ({info.home})", compact_after_bulk=True,
        )
    scheme = spec.partition("://")[0].lower()
    if scheme in ("falkordb", "redis"):
        url = urlsplit(spec)
        password = unquote(url.password) if url.password else os.environ.get("FALKORDB_PASSWORD")
        path_graph = url.path.strip("/")
        return FalkorStore(
            host=url.hostname or "127.0.0.1", port=url.port or 6379, password=password,
            graph=path_graph or graph,
            description=f"falkordb://{url.hostname}:{url.port or 6379}/{path_graph or graph}",
        )
    if scheme in _NEO4J_SCHEMES:
        from .neo4j_store import Neo4jStore

        return Neo4jStore(spec)
    raise StoreError(
        f"unknown store {spec.split('@')[-1]!r}: use embedded, falkordb://host:port, "
        "bolt://…, neo4j://… or neo4j+s://…"
    )
