"""Accounts, password policy, throttled logins: the access package against a real store."""

from __future__ import annotations

import pytest

from redgov.access import accounts, throttle
from redgov.access.accounts import AccountError
from redgov.access.login import login

PW = "correct-horse-battery"


def test_no_default_account(store) -> None:
    assert accounts.accounts_exist(store) is False
    assert accounts.list_accounts(store) == []


def test_create_verify_and_never_hand_out_the_hash(store) -> None:
    made = accounts.create(store, "li.street", PW, "viewer", "S1")
    assert (made.name, made.role, made.scope, made.disabled, made.epoch) == (
        "li.street", "viewer", "S1", False, 1)
    assert accounts.accounts_exist(store)
    assert "hash" not in made.to_dict()
    stored = store.read_meta("MATCH (a:Account) RETURN a.hash AS h")[0]["h"]
    assert stored.startswith("$argon2id$") and PW not in stored
    assert accounts.verify_password(store, "li.street", PW) == made
    assert accounts.verify_password(store, "li.street", PW + "x") is None
    assert accounts.verify_password(store, "nobody", PW) is None


def test_names_roles_scopes_and_policy_are_checked(store) -> None:
    accounts.create(store, "wang", PW, "auditor", "D1")
    with pytest.raises(AccountError, match="账户已存在"):
        accounts.create(store, "wang", PW, "viewer", "S1")
    with pytest.raises(AccountError, match="查看员需要可见范围"):
        accounts.create(store, "zhao", PW, "viewer", None)
    with pytest.raises(AccountError, match="角色 'root' 无效"):
        accounts.create(store, "zhao", PW, "root", "S1")
    with pytest.raises(AccountError, match="至少需要 12 个字符"):
        accounts.create(store, "zhao", "short", "viewer", "S1")
    with pytest.raises(AccountError, match="不得包含账户名称"):
        accounts.create(store, "zhao", "zhao-is-my-password", "viewer", "S1")
    with pytest.raises(AccountError, match="账户名无效"):
        accounts.create(store, "bad name!", PW, "viewer", "S1")
    admin = accounts.create(store, "chief", PW, "admin", None)
    assert admin.scope is None
    assert [a.name for a in accounts.list_accounts(store)] == ["chief", "wang"]


def test_password_change_and_disabling_move_the_epoch(store) -> None:
    accounts.create(store, "li", PW, "viewer", "S1")
    accounts.set_password(store, "li", "another-long-secret")
    assert accounts.get(store, "li").epoch == 2
    assert accounts.verify_password(store, "li", PW) is None
    assert accounts.verify_password(store, "li", "another-long-secret") is not None
    accounts.set_disabled(store, "li", True)
    assert accounts.get(store, "li").epoch == 3
    assert accounts.verify_password(store, "li", "another-long-secret") is None
    accounts.set_disabled(store, "li", False)
    assert accounts.verify_password(store, "li", "another-long-secret") is not None
    accounts.remove(store, "li")
    assert accounts.get(store, "li") is None
    with pytest.raises(AccountError, match="没有名为 'li' 的账户"):
        accounts.remove(store, "li")


def test_failed_logins_grow_the_delay_then_lock(store) -> None:
    accounts.create(store, "li", PW, "viewer", "S1")
    now = 1_000_000.0
    first = login(store, "li", "wrong-password-1", now)
    assert (first.ok, first.reason, first.wait_s) == (False, "bad", 1.0)
    # Inside the delay the password is not even checked: the right one is refused too.
    early = login(store, "li", PW, now + 0.5)
    assert (early.ok, early.reason) == (False, "wait")
    waits = []
    for i in range(2, throttle.LOCK_AFTER + 1):
        now += 100
        result = login(store, "li", f"wrong-password-{i}", now)
        waits.append((result.reason, result.wait_s))
    assert waits[:-1] == [("bad", 2.0), ("bad", 4.0), ("bad", 8.0)], waits
    assert waits[-1] == ("locked", throttle.LOCK_S), waits
    locked = login(store, "li", PW, now + 60)
    assert (locked.ok, locked.reason) == (False, "locked")
    assert throttle.state(store, "li", now + 60).locked(now + 60)
    # The lock is in the store: another host (another store object) sees it as well.
    ok = login(store, "li", PW, now + throttle.LOCK_S + 1)
    assert ok.ok and ok.account.name == "li"
    assert throttle.state(store, "li") == throttle.Throttle()
    assert accounts.get(store, "li").last_login is not None


def test_unknown_names_are_throttled_like_real_ones(store) -> None:
    accounts.create(store, "li", PW, "viewer", "S1")
    got = login(store, "ghost", PW, 5000.0)
    assert (got.reason, got.wait_s) == ("bad", 1.0)
    assert login(store, "ghost", PW, 5000.5).reason == "wait"


def test_a_success_clears_earlier_failures(store) -> None:
    accounts.create(store, "li", PW, "viewer", "S1")
    login(store, "li", "wrong-password", 100.0)
    assert login(store, "li", PW, 200.0).ok
    assert login(store, "li", "wrong-again!!", 300.0).wait_s == 1.0  # counting from one
