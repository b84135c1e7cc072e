"""Sign-in sessions in the store's metadata space, on both engines (redgov.access.sessions).

A session lives while it is used within the idle limit, before its absolute lifetime,
and while its account keeps the never-reused id it had at sign-in; the store keeps a
hash of the cookie's id, never the id.
"""

from __future__ import annotations

import pytest

from redgov.access import accounts, sessions

PW = "correct-horse-battery"


@pytest.fixture
def li(store):
    return accounts.create(store, "li", PW, "viewer", "S1")


def test_open_check_and_the_store_never_holds_the_id(store, li) -> None:
    sid, record = sessions.open_session(store, li, "password", now=1000.0)
    assert len(sid) >= 43 and record.account == "li"
    found = sessions.check(store, sid, now=1001.0)
    assert found.ok and found.account is not None and found.account.name == "li", found
    raw = store.read_meta("MATCH (s:LoginSession) RETURN s.key AS key, keys(s) AS props")
    assert len(raw) == 1 and raw[0]["key"] == sessions.key_of(sid), raw
    assert sid not in str(raw), raw
    assert sessions.check(store, sid[:-1] + ("A" if sid[-1] != "A" else "B")).reason == "none"
    assert sessions.check(store, None).reason == "none"
    assert sessions.check(store, "x" * 5000).reason == "none"


def test_idle_and_absolute_expiry(store, li, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDGOV_IDLE_MINUTES", "1")
    monkeypatch.setenv("REDGOV_SESSION_HOURS", "1")
    sid, _ = sessions.open_session(store, li, "password", now=1000.0)
    assert sessions.check(store, sid, now=1050.0).ok  # used: seen moves to 1050
    assert sessions.check(store, sid, now=1100.0).ok  # 50 s after the last use
    gone = sessions.check(store, sid, now=1100.0 + 61)
    assert gone.reason == "expired", gone
    assert sessions.check(store, sid, now=1100.0 + 62).reason == "none"  # deleted
    sid2, _ = sessions.open_session(store, li, "password", now=5000.0)
    for t in range(5030, 5000 + 3600, 30):  # used every 30 s: idle never reached
        assert sessions.check(store, sid2, now=float(t)).ok, t
    assert sessions.check(store, sid2, now=5000.0 + 3600).reason == "expired"


def test_each_account_change_revokes_every_session(store, li) -> None:
    sid_a, _ = sessions.open_session(store, li, "password")
    sid_b, _ = sessions.open_session(store, li, "oidc")
    accounts.set_password(store, "li", PW + "!")
    assert sessions.check(store, sid_a).reason == "revoked"
    assert sessions.check(store, sid_b).reason == "revoked"
    fresh = accounts.get(store, "li")
    assert fresh is not None
    sid_c, _ = sessions.open_session(store, fresh, "password")
    accounts.set_disabled(store, "li", True)
    assert sessions.check(store, sid_c).reason == "revoked"
    accounts.set_disabled(store, "li", False)
    assert sessions.check(store, sid_c).reason == "none"  # enabling does not revive it


def test_removed_and_added_again_never_matches_an_old_session(store, li) -> None:
    sid, _ = sessions.open_session(store, li, "password")
    accounts.remove(store, "li")
    again = accounts.create(store, "li", PW, "admin", None)
    assert sessions.binding(again) != sessions.binding(li)
    assert sessions.check(store, sid).reason == "revoked"



def test_logout_end_all_and_purge(store, li) -> None:
    wang = accounts.create(store, "wang", PW, "auditor", "D1")
    one, _ = sessions.open_session(store, li, "password", now=1000.0)
    two, _ = sessions.open_session(store, li, "password", now=1000.0)
    other, _ = sessions.open_session(store, wang, "password", now=1000.0)
    assert sessions.end(store, one) == "li"
    assert sessions.end(store, one) is None
    assert sessions.check(store, one, now=1001.0).reason == "none"
    assert [s.account for s in sessions.sessions_of(store, "li")] == ["li"]
    assert sessions.end_all(store, "li", now=1001.0) == 1
    assert sessions.end_all(store, "li", now=1001.0) == 0  # counted once
    assert [s.revoked for s in sessions.sessions_of(store, "li")] == [1001.0]
    assert sessions.check(store, two, now=1001.0).reason == "revoked"  # the tab says why
    assert sessions.check(store, two, now=1001.0).reason == "none"
    assert sessions.check(store, other, now=1001.0).ok
    assert sessions.purge_expired(store, now=1002.0) == 0
    assert sessions.purge_expired(store, now=1001.0 + sessions.idle_s() + 1) == 1
    assert store.read_meta("MATCH (s:LoginSession) RETURN count(s) AS n")[0]["n"] == 0


def test_no_free_read_returns_a_session(store, li, redgov_env: dict) -> None:
    """``redgov cypher`` never shows session records (nor their keys), on either engine."""
    from click.testing import CliRunner

    from redgov.cli import main

    sessions.open_session(store, li, "password")
    key = store.read_meta("MATCH (s:LoginSession) RETURN s.key AS key")[0]["key"]
    for query in ("MATCH (s:LoginSession) RETURN s.key AS key",
                  "MATCH (s:`LoginSession`) RETURN s", "MATCH (n) RETURN n.key AS key"):
        result = CliRunner().invoke(main, ["cypher", query, "--format", "json"],
                                    catch_exceptions=False)
        assert result.exit_code == 1 and key not in result.output, (query, result.output)
