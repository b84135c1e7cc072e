"""The command line in the reader's language: help, placeholders and click's own errors.

``redgov`` is a :class:`RedgovGroup`.  Before click parses anything, its ``main`` decides
the language of the run (``--lang en`` anywhere on the command line, else
``$REDGOV_LANG``, else Chinese) — it must, because a usage error is raised while parsing,
before any command's ``--lang`` has a value.  For the length of the run it then:

- sets :data:`.clicktext.LANG`, so click's own sentences come from the Chinese catalogue;
- in Chinese, lends every command its Chinese help, option help and placeholders from
  :mod:`.helptext` (and gives them back afterwards, so one process can run both
  languages, as the tests do).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import click

from . import clicktext
from .helpformat import ChineseContext
from .helptext import COMMANDS, METAVARS, OPTIONS, TYPE_METAVARS
from .messages import word

__all__ = ["RedgovGroup", "chosen_lang", "command_word", "help_key", "speaking", "walk"]

clicktext.install()


def chosen_lang(args: Sequence[str]) -> str:
    """The language a command line asks for: ``--lang en`` / ``--lang=en``, else the
    environment's ``REDGOV_LANG``, else Chinese."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            return "en" if args[i + 1] == "en" else "zh"
        if arg.startswith("--lang="):
            return "en" if arg.partition("=")[2] == "en" else "zh"
    return "en" if os.environ.get("REDGOV_LANG", "").strip().lower() == "en" else "zh"


def walk(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, click.Command]]:
    """Every command under ``command`` (itself first) with its path: ``"review approve"``."""
    yield " ".join(path), command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from walk(sub, (*path, name))


def help_key(path: str, param: click.Parameter) -> str:
    """The key of an option's Chinese help: ``"sync --dry-run"`` (``"redgov --lang"`` for
    the top-level group's own)."""
    return f"{path or 'redgov'} {param.opts[0]}"


def _first_sentence(text: str) -> str:
    """A command's line in its group's list: its help up to the first full stop (click
    looks for a Latin full stop and spaces, which Chinese has none of)."""
    head = text.split("\n\n")[0]
    return head.split("。")[0] if "。" in head else head


def _option_help(path: str, param: click.Option) -> str | None:
    if param.help is None and param.opts[0] not in ("--help", "--version"):
        return None
    return COMMANDS.get(help_key(path, param)) or OPTIONS.get(param.opts[0])


def _metavar(param: click.Parameter) -> str | None:
    if isinstance(param, click.Argument):
        written = param.metavar or param.name.upper() if param.name else param.metavar
        return METAVARS.get(written or "", written)
    if isinstance(param, click.Option) and not param.is_flag and param.metavar is None:
        if isinstance(param.type, click.Choice):
            return None
        return TYPE_METAVARS.get(param.type.name)
    return METAVARS.get(param.metavar or "", param.metavar)


def _walked(root: click.Command, only: str | None) -> Iterator[tuple[str, click.Command]]:
    """``walk(root)``, or with ``only`` the root itself and that one command's subtree."""
    if only is None or not isinstance(root, click.Group):
        yield from walk(root)
        return
    yield "", root
    yield from walk(root.commands[only], (only,))


def _chinese(root: click.Command, only: str | None = None) -> list[tuple[object, str, object]]:
    """(object, attribute, Chinese value) for every help text and placeholder (of the
    root and ``only``'s subtree, when given)."""
    out: list[tuple[object, str, object]] = []
    for path, command in _walked(root, only):
        if path in COMMANDS:
            out.append((command, "help", COMMANDS[path]))
            out.append((command, "short_help", _first_sentence(COMMANDS[path])))
        out.append((command, "context_class", ChineseContext))
        out.append((command, "options_metavar", METAVARS["[OPTIONS]"]))
        if isinstance(command, click.Group):
            out.append((command, "subcommand_metavar", METAVARS["COMMAND [ARGS]..."]))
        for param in command.get_params(click.Context(command)):
            if isinstance(param, click.Option):
                text = _option_help(path, param)
                if text is not None:
                    out.append((param, "help", text))
            metavar = _metavar(param)
            if metavar is not None:
                out.append((param, "metavar", metavar))
    return out


@contextlib.contextmanager
def speaking(root: click.Command, lang: str, only: str | None = None) -> Iterator[None]:
    """Run the block with click and every command of ``root`` (or the root and ``only``'s
    subtree: a run of that one command) speaking ``lang``."""
    token = clicktext.LANG.set(lang)
    lent: list[tuple[object, str, object]] = []
    try:
        if lang == "zh":
            for obj, attr, value in _chinese(root, only):
                lent.append((obj, attr, getattr(obj, attr)))
                setattr(obj, attr, value)
        yield
    finally:
        for obj, attr, value in reversed(lent):
            setattr(obj, attr, value)
        clicktext.LANG.reset(token)


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import version

    click.echo(word("cli.version", clicktext.run_lang(), version=version("redgov")))
    ctx.exit()


#: ``redgov --version`` in the run's language (click's own option fixes its words at import).
version_option = click.option(
    "--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version,
    help="Show the version and exit.")

#: ``redgov --lang en --help``: the language before the command (read by RedgovGroup.main).
group_lang_option = click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
    expose_value=False, help="Language of the help and messages: Chinese or English.")


def command_word(args: Sequence[str]) -> str | None:
    """The command a top-level command line runs (None: the group's own help or version).

    >>> command_word(["--lang", "en", "status", "--format", "json"])
    'status'
    >>> command_word(["--help", "status"]) is None
    True
    """
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--lang":
            skip = True
        elif arg.startswith("--lang="):
            continue
        elif arg.startswith("-"):
            return None  # -h, --help, --version, or an error click should report
        else:
            return arg
    return None


class RedgovGroup(click.Group):
    """The top-level group: every run speaks the language its command line chose.

    Its commands are added when first needed by :attr:`registrar` (``redgov.commands.
    register``): a run of one command that can load alone (``redgov status``) imports only
    its module; reading :attr:`commands` outside such a run (help, the tests' walks) adds
    every one.
    """

    #: Adds commands to the group: ``registrar(group, name)`` adds what running ``name``
    #: needs (None: everything) and returns whether everything is now added.
    registrar: Callable[[click.Group, str | None], bool] | None = None
    _complete = False  # every command added
    _partial = False  # a run of one command loaded alone is under way

    @property  # type: ignore[override]
    def commands(self) -> dict[str, click.Command]:
        if not (self._complete or self._partial):
            self._register(None)
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._commands = value

    def _register(self, name: str | None) -> None:
        if self.registrar is None:
            self._complete = True
            return
        self._partial, was = True, self._partial  # adding reads `commands`: no recursion
        try:
            complete = self.registrar(self, name)
        finally:
            self._partial = was
        self._complete = self._complete or complete

    def main(self, args: Sequence[str] | None = None, *rest: Any, **kwargs: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        name = command_word(argv)
        if not self._complete:
            self._register(name)
        alone = not self._complete and name in self._commands
        self._partial = alone
        try:
            with speaking(self, chosen_lang(argv), only=name if alone else None):
                return super().main(argv, *rest, **kwargs)
        finally:
            self._partial = False
