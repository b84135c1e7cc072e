"""One read cannot exhaust the machine (issue 17 §2): every read's memory is bounded by the
engine, so a read that builds a huge list or string fails in seconds with one Chinese line,
the server stays up, and a sync right after succeeds — on both engines, through the real
read path (``redgov cypher``, a subprocess, as a user types it).

The session's servers run with ``REDGOV_READ_MEMORY=256`` (tests/conftest.py): FalkorDB's
``QUERY_MEM_CAPACITY`` and the Neo4j test server's ``db.memory.transaction.max``.  Before
this limit the same reads grew the embedded server past 20 GiB and killed a 512 MB Neo4j.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from redgov.graph.stores import StoreError
from redgov.graph.stores.timeouts import ReadTooLarge
from test_sync_support import BASIC

#: The issue's reads.  A literal range of 10⁹ is refused before the engine sees it (FalkorDB
#: allocates a range's whole list before its memory check); the others reach the engine
#: and are stopped by its memory limit.
HUGE_READS = {
    "literal_range": "UNWIND range(1, 1000000000) AS x RETURN collect(x) AS xs",
    "collected_range": "UNWIND range(1, 9000000) AS a UNWIND range(1, 100) AS b "
                       "RETURN collect(a * b) AS xs",
    "doubled_string": "RETURN size(reduce(s = 'xxxxxxxxxxxxxxxx', i IN range(1, 40) | s + s)) "
                      "AS n",
}


def _cypher(query: str, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], float]:
    t0 = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "redgov", "cypher", "--timeout", "60", query],
        capture_output=True, text=True, env=env, timeout=180, check=False,
    )
    return done, time.monotonic() - t0


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HUGE_READS))
def test_a_huge_read_fails_fast_and_a_sync_follows(name: str, redgov_env: dict[str, str],
                                                    store) -> None:  # type: ignore[no-untyped-def]
    assert os.environ.get("REDGOV_READ_MEMORY") == "256", "conftest sets the session's limit"
    done, seconds = _cypher(HUGE_READS[name], redgov_env)
    err = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(err) == 1, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    assert "内存" in err[0], err
    assert seconds < 60, f"the read took {seconds:.1f} s to be stopped"
    # The server is still up and answers, and a sync right after succeeds.
    assert store.read("RETURN 1 AS one") == [{"one": 1}]
    sync = subprocess.run([sys.executable, "-m", "redgov", "sync", str(BASIC)],
                          capture_output=True, text=True, env=redgov_env, timeout=300,
                          check=False)
    assert sync.returncode == 0, (sync.stdout[-2000:], sync.stderr[-2000:])
    n = store.read("MATCH (p:Person) RETURN count(p) AS n")
    assert n == [{"n": 4}], n


def test_a_huge_read_is_a_read_too_large_error_in_process(store) -> None:  # type: ignore[no-untyped-def]
    """``store.read`` (the dashboard's path) raises the typed error, with the Chinese line."""
    with pytest.raises(ReadTooLarge, match="内存") as raised:
        store.read(HUGE_READS["collected_range"])
    assert isinstance(raised.value, StoreError)
    assert store.read("RETURN 2 AS two") == [{"two": 2}]


def test_a_literal_range_under_the_bound_still_runs(store) -> None:  # type: ignore[no-untyped-def]
    rows = store.read("UNWIND range(1, 1000) AS x RETURN sum(x) AS s")
    assert [int(r["s"]) for r in rows] == [500500], rows
