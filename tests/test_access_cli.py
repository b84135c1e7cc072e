"""``redgov user``, ``redgov access-log`` and ``redgov dashboard --host`` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from test_dashboard_fixture import sync_fixture

from redgov.access import accounts
from redgov.cli import main
from redgov.commands.dashboard import check_serving, streamlit_command
from redgov.present import format_time

PW = "correct-horse-battery"


@pytest.fixture
def env(store, redgov_env: dict, tmp_path: Path) -> dict:
    """The CLI's environment on a graph holding the dashboard fixture (units C, D1, S1 …)."""
    sync_fixture(store, tmp_path)
    return {**redgov_env, "REDGOV_ACCESS_LOG": str(tmp_path / "access.jsonl")}


def run(env: dict, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, input=input, catch_exceptions=False)


def log_entries(env: dict) -> list[dict]:
    res = run(env, "access-log", "--format", "json")
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def test_user_lifecycle(store, env: dict) -> None:
    res = run(env, "user", "add", "li.s1", "--role", "viewer", "--scope", "S1", input=PW + "\n")
    assert res.exit_code == 0, res.output
    assert "账户 li.s1 已创建：查看员，范围 S1" in res.output
    assert PW not in res.output
    res = run(env, "user", "add", "chief", "--role", "admin", input=PW + "\n")
    assert res.exit_code == 0, res.output
    listing = run(env, "user", "list")
    assert listing.exit_code == 0, listing.output
    lines = listing.output.splitlines()
    assert lines[0].split() == ["账户", "角色", "范围", "状态", "统一身份", "创建时间（北京时间）",
                                "最近登录（北京时间）"]
    created = accounts.get(store, "chief").created_at  # UTC in the graph, Beijing on screen
    assert format_time(created) in lines[2] and created not in listing.output, (created, lines)
    assert "chief" in lines[2] and "管理员" in lines[2] and "全部" in lines[2], lines
    assert "li.s1" in lines[3] and "查看员" in lines[3] and "S1（街道）" in lines[3], lines
    as_json = json.loads(run(env, "user", "list", "--format", "json").output)
    assert [a["name"] for a in as_json] == ["chief", "li.s1"]
    assert "hash" not in json.dumps(as_json) and "argon2" not in listing.output

    res = run(env, "user", "passwd", "li.s1", input="a-new-long-secret\n")
    assert res.exit_code == 0, res.output
    assert accounts.verify_password(store, "li.s1", "a-new-long-secret") is not None
    assert run(env, "user", "disable", "li.s1").exit_code == 0
    assert accounts.get(store, "li.s1").disabled
    assert run(env, "user", "enable", "li.s1").exit_code == 0
    assert not accounts.get(store, "li.s1").disabled
    assert run(env, "user", "remove", "li.s1").exit_code == 0
    assert accounts.get(store, "li.s1") is None
    events = [(e["event"], e.get("account")) for e in log_entries(env)]
    assert events == [("user_add", "li.s1"), ("user_add", "chief"), ("user_passwd", "li.s1"),
                      ("user_disable", "li.s1"), ("user_enable", "li.s1"),
                      ("user_remove", "li.s1")], events
    assert all(PW not in json.dumps(e) for e in log_entries(env))


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["--role", "viewer", "--scope", "NOPE"], PW, "图中没有编码为 'NOPE' 的单位"),
    (["--role", "viewer"], PW, "查看员需要 --scope"),
    (["--role", "auditor", "--scope", "D1"], "short", "密码至少需要 12 个字符"),
    (["--role", "superuser", "--scope", "D1"], PW, "'--role' 的取值无效"),
])
def test_user_add_refusals(env: dict, args: list[str], stdin: str, message: str) -> None:
    res = run(env, "user", "add", "zhao", *args, input=stdin + "\n")
    assert res.exit_code != 0 and message in res.output, res.output
    assert "zhao" not in run(env, "user", "list").output


def test_user_messages_in_english_on_request(env: dict) -> None:
    res = run(env, "--lang", "en", "user", "add", "zhao", "--role", "auditor", "--scope", "D1",
              input="short\n")
    assert res.exit_code == 1 and "the password needs at least 12 characters" in res.output, \
        res.output
    res = run(env, "--lang", "en", "user", "passwd", "ghost", input=PW + "\n")
    assert res.exit_code == 1 and "no account named 'ghost'" in res.output, res.output


def test_user_add_twice_and_unknown_accounts(env: dict) -> None:
    assert run(env, "user", "add", "wang", "--role", "auditor", "--scope", "D1",
               input=PW + "\n").exit_code == 0
    res = run(env, "user", "add", "wang", "--role", "auditor", "--scope", "D1", input=PW + "\n")
    assert res.exit_code == 1 and "名为 'wang' 的账户已存在" in res.output, res.output
    for command in ("passwd", "disable", "enable", "remove"):
        res = run(env, "user", command, "ghost", input=PW + "\n")
        assert res.exit_code == 1 and "没有名为 'ghost' 的账户" in res.output, res.output


def test_access_log_filters_and_chinese_table(env: dict) -> None:
    from redgov.access.log import record

    path = Path(env["REDGOV_ACCESS_LOG"])
    record("login", "li", path=path, client="127.0.0.*")
    record("query", "li", path=path, page="audit", question="one_shoulder",
           params={"as_of": "2025-12-31"}, scope="S1", applied_scope="S1", rows=1)
    record("login_failed", "wang", path=path, reason="bad")
    assert path.stat().st_mode & 0o777 == 0o600
    res = run(env, "access-log")
    assert res.exit_code == 0, res.output
    header = res.output.splitlines()[0].split()
    assert header == ["时间（北京时间）", "用户", "事件", "页面", "问题", "内容", "范围", "行数",
                      "来源"]
    assert "登录失败" in res.output and "one_shoulder" in res.output
    # the particulars in words: the parameter by its label, the reason said, no JSON
    assert "参数：截至日期 2025-12-31" in res.output, res.output
    assert "原因：用户名或密码错误" in res.output and "reason=" not in res.output, res.output
    assert "{" not in res.output, res.output
    only_li = json.loads(run(env, "access-log", "--user", "li", "--format", "json").output)
    assert [e["event"] for e in only_li] == ["login", "query"]
    later = json.loads(run(env, "access-log", "--since", "2999-01-01", "--format", "json").output)
    assert later == []
    since_today = run(env, "access-log", "--since", "2000-01-01T00:00", "--format", "json")
    assert len(json.loads(since_today.output)) == 3
    bad = run(env, "access-log", "--since", "last week")
    assert bad.exit_code == 2 and "--since" in bad.output


def test_serving_beyond_loopback_needs_accounts_and_tls(env: dict, tmp_path: Path) -> None:
    res = run(env, "dashboard", "--host", "0.0.0.0", "--no-browser")
    assert res.exit_code == 1 and "尚无看板账户" in res.output, res.output
    assert run(env, "user", "add", "chief", "--role", "admin", input=PW + "\n").exit_code == 0
    res = run(env, "dashboard", "--host", "0.0.0.0", "--no-browser")
    assert res.exit_code == 1 and "不加 TLS" in res.output, res.output
    cert = tmp_path / "c.pem"
    cert.write_text("x")
    res = run(env, "dashboard", "--host", "0.0.0.0", "--tls-cert", str(cert), "--no-browser")
    assert res.exit_code == 2 and "必须同时给出" in res.output, res.output
    for host in ("127.0.0.1", "localhost", "::1"):
        check_serving(host, False, False, False)  # loopback: always allowed
    check_serving("10.0.0.5", True, True, False)
    check_serving("10.0.0.5", True, False, True)
    with pytest.raises(click.ClickException):
        check_serving("10.0.0.5", False, True, True)
    cmd = streamlit_command(8600, "10.0.0.5", cert, cert)
    i = cmd.index("--server.address")
    assert cmd[i + 1] == "10.0.0.5"
    assert cmd[cmd.index("--server.sslCertFile") + 1] == str(cert)
    assert cmd[cmd.index("--server.sslKeyFile") + 1] == str(cert)
    assert "--server.sslCertFile" not in streamlit_command(8600)
