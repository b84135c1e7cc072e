"""Every help page and every usage error of ``redgov`` in Chinese by default, English with
``--lang en`` (issue 19 §3): the help of every command walked, a list of bad invocations
run, and what they print checked for English left behind (redgov/present/leaks.py).

Help and usage errors come before any command touches the graph; the refusals a person
causes on a graph (an unknown account, a refused free query) run on both engines.
"""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner
from redgov.graph.stores.embedded_server import server_running, stop_server

from redgov.cli import main
from redgov.present.cli import help_key, walk
from redgov.present.helptext import COMMANDS, OPTIONS
from redgov.present.leaks import english_words

PATHS = [path for path, _command in walk(main)]


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), prog_name="redgov", env=env)
    return result.exit_code, result.output


def _typed_words(command: click.Command) -> set[str]:
    """Words a person types on this command line: command names and choice values."""
    words = {part for path in PATHS for name in path.split() for part in name.split("-")}
    for _path, cmd in walk(command):
        for param in cmd.params:
            if isinstance(param.type, click.Choice):
                words.update(str(c) for c in param.type.choices)
            if isinstance(param, click.Option) and param.default is not None:
                words.update(str(param.default).split())
    return words


def _command(path: str) -> click.Command:
    command: click.Command = main
    for name in path.split():
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


def _leaks(path: str, text: str) -> list[str]:
    allowed = _typed_words(_command(path))
    return [w for w in english_words(text) if w not in allowed]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p or "redgov")
def test_help_is_chinese_by_default_and_english_on_request(path: str) -> None:
    code, zh = _run(*path.split(), "--help")
    assert code == 0 and "用法：" in zh and "选项：" in zh, zh
    assert _leaks(path, zh) == [], zh
    code, en = _run("--lang", "en", *path.split(), "--help")
    assert code == 0 and "Usage:" in en and "Options:" in en and "用法" not in en, en
    code, env_en = _run(*path.split(), "--help", env={"REDGOV_LANG": "en"})
    assert env_en == en


def test_every_command_and_option_has_its_chinese_help() -> None:
    """Adding a command (or an option with help) without its Chinese form fails here."""
    missing = []
    for path, command in walk(main):
        if path not in COMMANDS:
            missing.append(path or "redgov")
        for param in command.params:
            if isinstance(param, click.Option) and param.help is not None \
                    and help_key(path, param) not in COMMANDS and param.opts[0] not in OPTIONS:
                missing.append(help_key(path, param))
    assert missing == [], missing


def test_help_leaves_the_commands_untouched() -> None:
    """The Chinese help is lent for the run only: the objects keep their English."""
    _run("sync", "--help")
    assert _command("sync").help.startswith("Sync the registry export"), _command("sync").help
    assert _command("sync").params[0].metavar is None


BAD = [
    ("missing option", ("user", "add", "li")),
    ("missing argument", ("sync",)),
    ("unknown option", ("status", "--bogus")),
    ("bad choice", ("audit", "--format", "bogus")),
    ("bad number", ("evaluate", "project", "--year", "twenty")),
    ("unknown command", ("nosuch",)),
    ("unknown subcommand", ("user", "nosuch")),
    ("missing value", ("audit", "--scope")),
    ("extra argument", ("status", "extra")),
    ("bad k=v", ("cypher", "RETURN 1", "--param", "novalue")),
    ("bad date", ("access-log", "--since", "yesterday")),
    ("unknown audit question", ("audit", "nosuch")),
    ("missing path", ("sync", "/nonexistent/export")),
    ("out of range", ("access-log", "--limit", "0")),
]


@pytest.mark.parametrize(("what", "args"), BAD, ids=[b[0] for b in BAD])
def test_bad_invocations_answer_in_chinese(what: str, args: tuple[str, ...],
                                           tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("REDGOV_HOME", str(tmp_path))
    code, zh = _run(*args)
    assert code == 2 and "错误：" in zh, (what, code, zh)
    assert not zh.rstrip().endswith("."), zh  # the Chinese full stop, not click's
    typed = {w for a in args for w in a.split()}
    assert [w for w in _leaks(args[0] if args[0] in PATHS else "", zh) if w not in typed] == [], \
        (what, zh)
    code, en = _run("--lang", "en", *args)
    assert code == 2 and "Error:" in en and "错误" not in en, (what, en)
    assert ("Usage:" in en) == ("用法：" in zh) and ("Try '" in en) == ("运行“redgov" in zh), \
        (zh, en)


def test_version_in_both_languages() -> None:
    assert _run("--version") == (0, _run("--version")[1])
    assert "版本" in _run("--version")[1] and "version" in _run("--lang", "en", "--version")[1]


#: Refusals a person causes from the command line before any graph is read: a bad
#: ``--store``, a bad environment value.  Exit 1 (not a usage error), one line.
REFUSED = [
    ("bad --store port", ("status", "--store", "falkordb://h:notaport"), {}),
    ("bad --store no host", ("status", "--store", "bolt://"), {}),
    ("bad --store not a URL", ("status", "--store", "nonsense"), {}),
    ("bad --store query", ("status", "--store", "redis://127.0.0.1:6379?x=1"), {}),
    ("bad --store path", ("status", "--store", "falkordb://h/a/b"), {}),
    ("unknown store", ("status", "--store", "mysql://root:pw@db"), {}),
    ("unknown store from env", ("status",), {"REDGOV_STORE": "ftp://nowhere"}),
    ("bad read timeout", ("status",), {"REDGOV_READ_TIMEOUT": "soon"}),
    ("bad read memory", ("status",), {"REDGOV_READ_MEMORY": "lots"}),
    ("bad fsync", ("status",), {"REDGOV_FSYNC": "never"}),
    ("bad threads", ("status",), {"REDGOV_THREADS": "0"}),
    ("relative module", ("status",), {"REDGOV_FALKORDB_MODULE": "lib/falkordb.so"}),
    ("missing module", ("status",), {"REDGOV_FALKORDB_MODULE": "/nonexistent/falkordb.so"}),
]


def _refusal_in_both(what: str, args: tuple[str, ...], env: dict[str, str],
                     code: int = 1) -> None:
    """``args`` refused with exit ``code``: one Chinese line without English, and the
    same refusal in English with ``--lang en`` and with ``REDGOV_LANG=en``."""
    got, zh = _run(*args, env=env)
    assert got == code and zh.startswith("错误：") and len(zh.strip().splitlines()) == 1, \
        (what, got, zh)
    typed = {w for a in (*args, *env.values()) for w in a.split()}
    assert [w for w in english_words(zh) if w not in typed] == [], (what, zh)
    got, en = _run("--lang", "en", *args, env=env)
    assert got == code and en.startswith("Error: ") and not re.search(r"[\u4e00-\u9fff]", en), \
        (what, en)
    assert _run(*args, env={**env, "REDGOV_LANG": "en"}) == (code, en), what


@pytest.mark.parametrize(("what", "args", "env"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refusals_before_the_graph_answer_in_chinese(what: str, args: tuple[str, ...],
                                                     env: dict[str, str], tmp_path,
                                                     monkeypatch) -> None:
    monkeypatch.setenv("REDGOV_HOME", str(tmp_path))
    monkeypatch.delenv("REDGOV_STORE", raising=False)
    try:
        _refusal_in_both(what, args, env)
        assert "pw" not in _run(*args, env=env)[1].replace("pw@", "")  # never the password
        # A refused value starts no embedded server (one would outlive the session).
        assert server_running(tmp_path) is None, what
    finally:
        stop_server(tmp_path)  # should the assertion above fail, the server goes anyway


#: Refusals that need the graph (an account looked up, a query checked): run against
#: the session's engine (``redgov_env``), both engines.
REFUSED_ON_A_GRAPH = [
    ("unknown account", ("user", "disable", "nosuch")),
    ("unknown account on set", ("user", "set", "nosuch", "--role", "viewer")),
    ("bad account name", ("user", "set", " ", "--role", "viewer")),
    ("bad account name on add", ("user", "add", "x", "--role", "admin")),
    ("bad e-mail", ("user", "set", "nosuch", "--email", "not-mail")),
    ("procedure refused", ("cypher", "CALL dbms.listConfig()")),
    ("account labels refused", ("cypher", "MATCH (n) RETURN n")),
    ("LOAD CSV refused", ("cypher", "LOAD CSV FROM 'http://x/' AS r RETURN r")),
    ("range too large", ("cypher", "UNWIND range(1, 1000000000) AS x RETURN count(x)")),
    ("self-growing reduce", ("cypher", "RETURN reduce(s = 'a', i IN range(1, 40) | s + s) AS s")),
]


@pytest.mark.parametrize(("what", "args"), REFUSED_ON_A_GRAPH,
                         ids=[r[0] for r in REFUSED_ON_A_GRAPH])
def test_refusals_on_a_graph_answer_in_chinese(what: str, args: tuple[str, ...],
                                               redgov_env: dict[str, str]) -> None:
    _refusal_in_both(what, args, {})


def test_an_engine_refusal_is_headed_in_the_readers_language(redgov_env: dict[str, str]) -> None:
    """Cypher the engine rejects: the head is ours (Chinese by default), the reason the
    engine's own (it only speaks English), on both engines."""
    args = ("cypher", "RETURN nosuchfn(1) AS x")
    code, zh = _run(*args)
    assert code == 1 and re.match(r"错误：(FalkorDB|Neo4j) 拒绝执行该查询：\S", zh), zh
    code, en = _run("--lang", "en", *args)
    assert code == 1 and re.match(r"Error: (FalkorDB|Neo4j) refused the query: \S", en), en
