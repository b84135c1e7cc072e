"""Choosing a store: ``--store``, else ``$REDGOV_STORE``, else the embedded engine."""

from __future__ import annotations

import os
from urllib.parse import unquote, urlsplit

from .base import Store, StoreError
from .embedded_server import ensure_server
from .timeouts import default_read_timeout

__all__ = ["open_store", "resolve_store_spec"]

_NEO4J_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def resolve_store_spec(spec: str | None = None) -> str:
    return spec or os.environ.get("REDGOV_STORE") or "embedded"


#: Why a --store value is refused: Chinese, English.
_WHY: dict[str, tuple[str, str]] = {
    "port": ("端口不是 1 到 65535 之间的数字", "the port is not a number from 1 to 65535"),
    "host": ("缺少主机", "no host"),
    "query": ("不应有 ?查询 或 #片段", "unexpected ?query or #fragment"),
    "url": ("不是数据库地址", "not a store URL"),
    "path": ("路径只能指定一个图，例如 falkordb://host:6379/redgov",
             "the path names one graph, e.g. falkordb://host:6379/redgov"),
}
_USE = ("可用 embedded、falkordb://host:port[/graph]、bolt://host:port、neo4j://host:port "
        "或 neo4j+s://host:port",
        "use embedded, falkordb://host:port[/graph], bolt://host:port, neo4j://host:port "
        "or neo4j+s://host:port")


def _bad_url(spec: str, why: str, scheme_name: str | None = None) -> StoreError:
    """The one-line refusal of ``spec`` (``why`` a key of :data:`_WHY`; ``scheme_name``
    set: a scheme redgov does not know), Chinese with its English form."""
    scheme, sep, rest = spec.partition("://")
    shown = f"{scheme}{sep}{rest.rpartition('@')[2]}"  # never echo a password
    if scheme_name is not None:
        return StoreError(
            f"未知的数据库类型 {shown!r}：redgov 不认识 {scheme_name!r}；{_USE[0]}",
            en=f"unknown store {shown!r}: redgov knows no {scheme_name!r} store; {_USE[1]}")
    zh, en = _WHY[why]
    return StoreError(f"--store 的值 {shown!r} 无效：{zh}；{_USE[0]}",
                      en=f"bad --store {shown!r}: {en}; {_USE[1]}")


def _host_port(spec: str, default_port: int) -> tuple[str, int]:
    """Host and port of a URL, or a :class:`StoreError` naming what is wrong."""
    url = urlsplit(spec)
    try:
        port = url.port or default_port
    except ValueError:
        raise _bad_url(spec, "port") from None
    if not url.hostname:
        raise _bad_url(spec, "host")
    if url.query or url.fragment:
        raise _bad_url(spec, "query")
    return url.hostname, port


def open_store(spec: str | None = None, *, read_timeout: float | None = None,
               restart_crashed: bool = False) -> Store:
    """Open the store named by ``spec`` (see :func:`resolve_store_spec`).

    ``falkordb://[[user]:password@]host:port[/graph]`` takes its password from the URL or
    from ``$FALKORDB_PASSWORD`` and its account (a Redis ACL user; none: the default one)
    from the URL or ``$FALKORDB_USER``; Neo4j URIs take credentials from ``$NEO4J_USER`` and
    ``$NEO4J_PASSWORD`` and the database from ``$NEO4J_DATABASE``.  ``read_timeout``
    (seconds, 0 = none) bounds every read; default ``$REDGOV_READ_TIMEOUT`` or 120 s.
    ``restart_crashed``: a long-lived reader (the dashboard) of the embedded store starts
    the server again when a read finds it died without ``redgov stop``; a command leaves
    that to the next command, so a read that lost its server reports it at once.
    A malformed spec is a one-line :class:`StoreError`.
    """
    from .falkordb_store import FalkorStore

    spec = resolve_store_spec(spec).strip()
    graph = os.environ.get("REDGOV_GRAPH", "redgov")
    timeout = default_read_timeout() if read_timeout is None else read_timeout
    if spec == "embedded":
        info = ensure_server()
        return FalkorStore(
            host=info.host, port=info.port, password=info.password, graph=graph,
            description=f"embedded FalkorDB ({info.home})", compact_after_bulk=True,
            read_timeout=timeout, home=info.home, pid=info.pid,
            restart_crashed=restart_crashed,
        )
    scheme, sep, _ = spec.partition("://")
    scheme = scheme.lower()
    if not sep:
        raise _bad_url(spec, "url")
    if scheme in ("falkordb", "redis"):
        host, port = _host_port(spec, 6379)
        url = urlsplit(spec)
        password = unquote(url.password) if url.password else os.environ.get("FALKORDB_PASSWORD")
        username = unquote(url.username) if url.username else os.environ.get("FALKORDB_USER")
        path_graph = url.path.strip("/")
        if "/" in path_graph:
            raise _bad_url(spec, "path")
        return FalkorStore(
            host=host, port=port, password=password, graph=path_graph or graph,
            description=f"falkordb://{host}:{port}/{path_graph or graph}",
            read_timeout=timeout, username=username,
        )
    if scheme in _NEO4J_SCHEMES:
        from .neo4j_store import Neo4jStore

        _host_port(spec, 7687)
        try:
            store = Neo4jStore(spec)
        except StoreError as exc:  # the driver's reasons span lines: keep one
            raise StoreError(" ".join(str(exc).split()),
                             en=" ".join(exc.text("en").split())) from None
        store.read_timeout = timeout
        return store
    raise _bad_url(spec, "", scheme)
