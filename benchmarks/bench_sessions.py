"""Sign-in sessions: what one page run's session check costs, and sign-in/sign-out.

Prints the median and 95th percentile, in milliseconds, of ``sessions.check`` (one
metadata read and the account's read; a ``seen`` write at most every 15 s), of
``open_session`` (with its purge of expired sessions) and of ``end``, with N other
sessions in the store.  It uses a throw-away account ``bench.sessions`` in the chosen
store (``--store``, else the current data directory's), removes it and ends its sessions
(their records go at the first sign-in after the idle limit).

    python benchmarks/bench_sessions.py --sessions 1000 --rounds 200
"""

from __future__ import annotations

import argparse
import statistics
import time

from redgov.graph.stores import open_store

from redgov.access import accounts, sessions

NAME = "bench.sessions"


def _ms(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return f"median {statistics.median(samples) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default=None, help="store spec (default: REDGOV_STORE)")
    parser.add_argument("--sessions", type=int, default=1000, help="other sessions held")
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    store = open_store(args.store)
    try:
        if accounts.get(store, NAME) is not None:
            accounts.remove(store, NAME)
        account = accounts.create(store, NAME, "bench-sessions-password-1", "admin", None)
        t0 = time.perf_counter()
        for _ in range(args.sessions):
            sessions.open_session(store, account, "password")
        fill = time.perf_counter() - t0
        checks, opens, ends = [], [], []
        for _ in range(args.rounds):
            t = time.perf_counter()
            sid, _ = sessions.open_session(store, account, "password")
            opens.append(time.perf_counter() - t)
            t = time.perf_counter()
            assert sessions.check(store, sid).ok
            checks.append(time.perf_counter() - t)
            t = time.perf_counter()
            sessions.end(store, sid)
            ends.append(time.perf_counter() - t)
        print(f"{store.description}; {args.sessions} sessions held "
              f"(opened in {fill:.1f} s)")
        print(f"check (a page run): {_ms(checks)}")
        print(f"open (sign-in, with purge): {_ms(opens)}")
        print(f"end (sign-out): {_ms(ends)}")
    finally:
        sessions.end_all(store, NAME)  # marked; the next sign-in after the idle limit purges
        if accounts.get(store, NAME) is not None:
            accounts.remove(store, NAME)
        store.close()


if __name__ == "__main__":
    main()
