"""Linking accounts to the identity provider through the real CLI, on both engines:
``redgov user add/set --oidc-subject/--email``, ``--no-password``, the list, the lookup
the callback uses (redgov.access.oidc.account_for), and sessions ended by a link change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_access_cli import env, run  # noqa: F401

from redgov.access import accounts, oidc, sessions
from redgov.access.log import read_log

PW = "correct-horse-battery"


def test_link_by_subject_and_email_and_refuse_duplicates(store, env: dict) -> None:  # noqa: F811
    res = run(env, "user", "add", "li", "--role", "viewer", "--scope", "S1",
              "--oidc-subject", "sub-li", "--no-password")
    assert res.exit_code == 0, res.output
    assert accounts.verify_password(store, "li", "") is None  # no usable local password
    res = run(env, "user", "add", "wang", "--role", "auditor", "--scope", "D1",
              "--email", "Wang@Huli.gov.cn", input=PW + "\n")
    assert res.exit_code == 0, res.output
    assert oidc.account_for(store, {"sub": "sub-li"}).name == "li"
    verified = {"sub": "other", "email": "wang@huli.gov.cn", "email_verified": True}
    assert oidc.account_for(store, verified).name == "wang"
    assert oidc.account_for(store, {**verified, "email_verified": False}) is None
    assert oidc.account_for(store, {**verified, "email_verified": "true"}) is None
    assert oidc.account_for(store, {"sub": "nobody"}) is None

    res = run(env, "user", "add", "zhao", "--role", "viewer", "--scope", "S1",
              "--oidc-subject", "sub-li", input=PW + "\n")
    assert res.exit_code == 1 and "该身份标识已关联到账户 'li'" in res.output, res.output
    assert accounts.get(store, "zhao") is None  # nothing half-made
    res = run(env, "user", "add", "zhao", "--role", "viewer", "--scope", "S1",
              "--no-password")
    assert res.exit_code == 1 and "--no-password 需要同时给出" in res.output, res.output

    listing = json.loads(run(env, "user", "list", "--format", "json").output)
    assert {a["name"]: (a["oidc_subject"], a["email"]) for a in listing} == {
        "li": ("sub-li", None), "wang": (None, "wang@huli.gov.cn")}, listing
    table = run(env, "user", "list").output
    assert "统一身份" in table and "sub-li" not in table, table


def test_a_link_change_ends_the_sessions_and_a_disabled_account_is_not_found(
        store, env: dict, tmp_path: Path) -> None:  # noqa: F811
    run(env, "user", "add", "li", "--role", "viewer", "--scope", "S1",
        "--oidc-subject", "sub-li", input=PW + "\n")
    sid, _ = sessions.open_session(store, accounts.get(store, "li"), "oidc")
    res = run(env, "user", "set", "li", "--oidc-subject", "sub-li-2")
    assert res.exit_code == 0, res.output
    assert sessions.check(store, sid).reason == "revoked"
    assert oidc.account_for(store, {"sub": "sub-li"}) is None
    assert oidc.account_for(store, {"sub": "sub-li-2"}).name == "li"
    res = run(env, "user", "set", "li", "--oidc-subject", "")
    assert res.exit_code == 0 and oidc.account_for(store, {"sub": "sub-li-2"}) is None
    run(env, "user", "set", "li", "--oidc-subject", "sub-li-3")
    run(env, "user", "disable", "li")
    assert oidc.account_for(store, {"sub": "sub-li-3"}) is None
    events = [e["event"] for e in read_log(Path(env["REDGOV_ACCESS_LOG"]))]
    assert events.count("revoked") == 1 and events.count("user_set") == 3, events


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_the_client_secret_file_must_be_private(tmp_path: Path, mode: int) -> None:
    secret = tmp_path / "secret"
    secret.write_text("the-secret\n")
    secret.chmod(mode)
    with pytest.raises(oidc.OidcError, match="chmod 600") as refused:
        oidc.read_secret(secret)
    assert "the-secret" not in str(refused.value)
    secret.chmod(0o600)
    assert oidc.read_secret(secret) == "the-secret"
    secret.write_text("  \n")
    with pytest.raises(oidc.OidcError, match="empty"):
        oidc.read_secret(secret)


def test_an_unusable_password_passes_the_policy_for_any_name() -> None:
    """``user add NAME --no-password`` failed now and then: its random password held the
    account's short name (``li`` in about 6 % of draws; ``a`` in most)."""
    from redgov.access.accounts import check_password_policy
    from redgov.commands.user import _unusable_password

    for name in ("a", "li", "L", "wang"):
        for _ in range(200):
            check_password_policy(name, _unusable_password(name))

