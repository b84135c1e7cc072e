"""The read timeout: one default for every read on every engine, and its one-line message.

Every read carries a timeout that the engine itself enforces (FalkorDB's per-query
``ro_query`` timeout, Neo4j's transaction timeout), so a read whose client gave up or
died stops on the server too, instead of holding a worker thread for good.  The default
is :data:`DEFAULT_READ_TIMEOUT_S`, or ``$REDGOV_READ_TIMEOUT`` (seconds, ``0`` = no
limit); ``redgov cypher --timeout`` and ``redgov audit --timeout`` override it per command.

A timeout does not bound memory (a list of 10⁹ numbers grows for as long as it is
allowed), so every read is also bounded in memory by the engine: FalkorDB's per-query
``QUERY_MEM_CAPACITY`` (``$REDGOV_READ_MEMORY`` MiB, set when the embedded server starts;
its ``maxmemory`` is ``$REDGOV_MAXMEMORY`` MiB, policy ``noeviction``), and on Neo4j the
server's ``db.memory.transaction.max`` (tests/neo4j/server sets it; a user's server is
configured by its owner, README "Limits and data protection").  A read stopped so is
:class:`ReadTooLarge`.

>>> timed_out(2.5).args[0].split("；")[0]
'查询超过读取时限（2.5 秒），已被停止'
>>> timed_out(2.5).text("en").split(";")[0]
'the query ran longer than the read timeout (2.5 s) and was stopped'
"""

from __future__ import annotations

import math
import os

from .base import StoreError

__all__ = [
    "DEFAULT_MAXMEMORY_SHARE",
    "DEFAULT_READ_MEMORY_MIB",
    "DEFAULT_READ_TIMEOUT_S",
    "ENV",
    "MAXMEMORY_ENV",
    "MEMORY_ENV",
    "ReadTimeout",
    "ReadTooLarge",
    "default_read_timeout",
    "maxmemory_mib",
    "out_of_memory",
    "parse_timeout",
    "read_memory_mib",
    "timed_out",
]

#: Room for every catalog question at province scale (the slowest, `brokers`, takes ~35 s
#: unscoped) on a busy machine; a dashboard or a scoped question needs far less.
DEFAULT_READ_TIMEOUT_S = 120.0
ENV = "REDGOV_READ_TIMEOUT"


class ReadTimeout(StoreError):
    """A read ran past its timeout and the engine stopped it."""


def parse_timeout(text: str | float, where: str = ENV) -> float:
    """Seconds as a non-negative finite number (``0`` = no limit), or :class:`StoreError`."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise StoreError(f"{where} 应为秒数（0 = 不限），实际为 {text!r}",
                         en=f"{where} must be a number of seconds (0 = no limit), not {text!r}")
    return value


def default_read_timeout() -> float:
    """``$REDGOV_READ_TIMEOUT`` when set, else :data:`DEFAULT_READ_TIMEOUT_S`."""
    env = os.environ.get(ENV)
    return parse_timeout(env) if env else DEFAULT_READ_TIMEOUT_S


#: What one query may allocate on the server, in MiB (FalkorDB's ``QUERY_MEM_CAPACITY``;
#: the Neo4j test server's ``db.memory.transaction.max``).  Room for every catalog question
#: at province scale; a list of 10⁹ numbers or a string doubled in a ``reduce`` is not.
DEFAULT_READ_MEMORY_MIB = 1024
MEMORY_ENV = "REDGOV_READ_MEMORY"
#: The embedded server's ``maxmemory`` as a share of the machine's memory (policy
#: ``noeviction``: nothing is ever evicted; past it, writes are refused until memory frees).
DEFAULT_MAXMEMORY_SHARE = 0.75
MAXMEMORY_ENV = "REDGOV_MAXMEMORY"


class ReadTooLarge(StoreError):
    """A read needed more server memory than one query may take, and the engine stopped it."""


def _mib(env: str, default: int) -> int:
    text = os.environ.get(env)
    if not text:
        return default
    if not text.strip().isdigit():
        raise StoreError(f"{env} 应为兆字节数（整数，0 = 不限），实际为 {text!r}",
                         en=f"{env} must be a whole number of MiB (0 = no limit), not {text!r}")
    return int(text)


def read_memory_mib() -> int:
    """``$REDGOV_READ_MEMORY`` (MiB, ``0`` = no limit), else :data:`DEFAULT_READ_MEMORY_MIB`."""
    return _mib(MEMORY_ENV, DEFAULT_READ_MEMORY_MIB)


def maxmemory_mib() -> int:
    """``$REDGOV_MAXMEMORY`` (MiB, ``0`` = none), else 3/4 of the machine's memory."""
    total = 0
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    total = int(line.split()[1]) // 1024
                    break
    except (OSError, ValueError, IndexError):
        total = 0
    return _mib(MAXMEMORY_ENV, int(total * DEFAULT_MAXMEMORY_SHARE))


def out_of_memory(mib: int | None = None) -> ReadTooLarge:
    """The one-line message (Chinese, then English) of a read stopped by the memory limit.

    >>> out_of_memory(256).args[0].split("；")[0]
    '查询所需内存超过单次查询上限（256 MiB），已被停止'
    """
    mib = read_memory_mib() if mib is None else mib
    limit = f"{mib} MiB" if mib else "服务器的上限"
    return ReadTooLarge(
        f"查询所需内存超过单次查询上限（{limit}），已被停止；请缩小查询范围（限定单位、加 LIMIT），"
        f"或由管理员调整 ${MEMORY_ENV}。数据库仍在运行。",
        en=f"the query needed more memory than one read may use "
        f"({f'{mib} MiB' if mib else 'the server limit'}) and was stopped; narrow it (a scope, "
        f"a LIMIT) or have an administrator raise ${MEMORY_ENV}; the server is still up",
    )


def timed_out(seconds: float) -> ReadTimeout:
    return ReadTimeout(
        f"查询超过读取时限（{seconds:g} 秒），已被停止；请缩小查询范围（限定单位、加 LIMIT），"
        f"或用 --timeout 或 ${ENV} 放宽时限",
        en=f"the query ran longer than the read timeout ({seconds:g} s) and was stopped; "
        f"narrow it (a scope, a LIMIT) or allow more time with --timeout or ${ENV}",
    )
