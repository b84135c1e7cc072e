"""``redgov user set NAME --role/--scope``: a change without a remove, and a new session id.

Before (issue 17): the only way to change a role or scope was ``user remove`` and ``user
add``, and the new account started at the same epoch, so an open dashboard session kept
the old role and scope.  Now each change draws a new random ``sid`` (the dashboard side
is in test_access_dashboard.py::test_demotion_reaches_an_open_session).
"""

from __future__ import annotations

import json

from test_access_cli import PW, env, log_entries, run  # noqa: F401  (env is a fixture)

from redgov.access import accounts


def test_user_set_changes_role_and_scope_and_the_session_id(store, env: dict) -> None:  # noqa: F811
    assert run(env, "user", "add", "wang", "--role", "auditor", "--scope", "D1",
               input=PW + "\n").exit_code == 0
    before = accounts.get(store, "wang")
    res = run(env, "user", "set", "wang", "--role", "viewer", "--scope", "S1")
    assert res.exit_code == 0, res.output
    assert "已更新" in res.output and "查看员" in res.output, res.output
    after = accounts.get(store, "wang")
    assert (after.role, after.scope) == ("viewer", "S1")
    assert after.sid and after.sid != before.sid
    assert accounts.verify_password(store, "wang", PW) is not None  # the password stays
    assert log_entries(env)[-1]["event"] == "user_set", log_entries(env)[-1]
    listing = json.loads(run(env, "user", "list", "--format", "json").output)
    assert "sid" not in listing[0] and after.sid not in json.dumps(listing)

    only_role = run(env, "user", "set", "wang", "--role", "auditor")
    assert only_role.exit_code == 0, only_role.output
    assert (accounts.get(store, "wang").role, accounts.get(store, "wang").scope) == (
        "auditor", "S1")


def test_user_set_refusals_are_one_line(store, env: dict) -> None:  # noqa: F811
    assert run(env, "user", "add", "wang", "--role", "auditor", "--scope", "D1",
               input=PW + "\n").exit_code == 0
    cases = {
        ("user", "set", "wang"): "--role",
        ("user", "set", "ghost", "--role", "viewer"): "没有名为 'ghost' 的账户",
        ("user", "set", "wang", "--scope", "NOPE"): "图中没有编码为 'NOPE' 的单位",
        ("user", "set", "wang", "--scope", "all"): "需要可见范围",
        ("user", "set", " ", "--role", "viewer"): "账户名无效",
    }
    for args, expected in cases.items():
        res = run(env, *args)
        assert res.exit_code != 0 and expected in res.output, (args, res.output)
        assert "Traceback" not in res.output
    assert (accounts.get(store, "wang").role, accounts.get(store, "wang").scope) == (
        "auditor", "D1")
    res = run(env, "user", "set", "wang", "--role", "admin", "--scope", "all")
    assert res.exit_code == 0, res.output
    assert (accounts.get(store, "wang").role, accounts.get(store, "wang").scope) == (
        "admin", None)
