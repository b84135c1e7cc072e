"""The FalkorDB waits (graph/stores/waits.py) are read when a wait starts and checked:
hostile values give the default and never break the import of the store."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time

import pytest
from redgov.graph.stores import waits
from redgov.graph.stores.waits import WAITS, seconds

HOSTILE = ["", " ", "abc", "-5", "nan", "NaN", "inf", "-inf", "1e3", "0x10", "1_000",
           "٣٠",  # Arabic-Indic digits: str.isdigit() says yes, not ASCII
           "３０",  # full-width digits
           "5.", ".5", "1.2.3", "99999999", "12345678.5", "5 s", "5\t5", "+5", "1.23456"]


@pytest.mark.parametrize("wait", WAITS, ids=lambda w: w.env)
@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_value_gives_the_default(wait: waits.Wait, value: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(wait.env, value)
    assert seconds(wait) == wait.default, (wait.env, value, seconds(wait))


@pytest.mark.parametrize("wait", WAITS, ids=lambda w: w.env)
def test_a_value_within_bounds_is_used_when_read(wait: waits.Wait,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    for text, expected in (("7", 7.0), (" 12.5 ", 12.5), (f"{wait.high:g}", wait.high)):
        monkeypatch.setenv(wait.env, text)  # set after the import: still seen
        assert seconds(wait) == expected, (wait.env, text, seconds(wait))
    monkeypatch.setenv(wait.env, f"{wait.high + 1:g}")
    assert seconds(wait) == wait.default
    monkeypatch.setenv(wait.env, "0.01")  # below the probe's 0.1 s; 0 allowed elsewhere
    assert seconds(wait) == (0.01 if wait.low == 0 else wait.default)
    monkeypatch.delenv(wait.env)
    assert seconds(wait) == wait.default


def test_the_store_imports_whatever_the_values_say() -> None:
    """They used to be ``float()``-ed at import: ``abc`` stopped every command."""
    env = {w.env: "abc" for w in WAITS}
    code = ("import redgov.graph.stores.falkordb_store as f, redgov.graph.stores.waits as w;"
            "print(w.lock_wait_s(), w.fork_wait_s(), w.busy_wait_s(), w.probe_timeout_s())")
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.split() == ["600.0", "600.0", "300.0", "5.0"], done.stdout


def test_the_lock_wait_set_after_import_bounds_a_second_writer(
        falkor_store, monkeypatch: pytest.MonkeyPatch) -> None:
    """FalkorDB's writers' lock (the only store these waits belong to): a second writer
    gives up after the REDGOV_LOCK_WAIT read when it starts waiting, not the default."""
    from redgov.graph.stores import StoreError
    from redgov.graph.stores.falkordb_store import FalkorStore

    fs = importlib.import_module("redgov.graph.stores.falkordb_store")
    other = FalkorStore(host=falkor_store._redis.connection_pool.connection_kwargs["host"],
                        port=falkor_store._redis.connection_pool.connection_kwargs["port"],
                        password=falkor_store._redis.connection_pool.connection_kwargs[
                            "password"], graph=falkor_store.graph_name, description="second")
    try:
        with falkor_store.writing():
            monkeypatch.setenv("REDGOV_LOCK_WAIT", "0.5")
            t0 = time.monotonic()
            with pytest.raises(StoreError, match="another redgov sync is writing"), \
                    other.writing():
                pass
            waited = time.monotonic() - t0
            assert 0.4 <= waited < 30, waited
            assert fs.LOCK_WAIT_S == 600.0  # the default, unchanged
    finally:
        other.close()
