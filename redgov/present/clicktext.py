"""click's own words (``Usage:``, ``Error: Missing option`` …) in the language of the run.

click writes every sentence of its own through :mod:`gettext` (``_("Usage:")``), and each
of its modules binds ``_`` / ``ngettext`` once at import.  Those two names are the hook
click documents for translation; a compiled ``.mo`` catalogue would instead change the
process-wide ``messages`` domain and depend on the shell's ``LANGUAGE``.  So this module
puts one translating function in their place, which looks at the language of the
command being run (:data:`LANG`, a context variable set by :func:`speaking`) and returns
click's English untouched outside a redgov run or with ``--lang en``.

The catalogue below is keyed by click's English message ids exactly as click 8 writes
them; a message missing here stays English, which ``tests/test_present_cli.py`` catches.
"""

from __future__ import annotations

import contextvars
import gettext as _gettext
import importlib
from typing import Final

__all__ = ["CLICK_ZH", "LANG", "install", "run_lang", "translate", "translate_plural"]

#: The language of the redgov command now running (None outside a run: click's English).
LANG: Final[contextvars.ContextVar[str | None]] = contextvars.ContextVar("redgov_lang",
                                                                         default=None)


def run_lang() -> str:
    """The language of the running command (Chinese outside a command-line run)."""
    return LANG.get() or "zh"

#: click's message id → its Chinese form (placeholders kept as click names them).
CLICK_ZH: Final[dict[str, str]] = {
    # help pages
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "required": "必填",
    "(dynamic)": "（动态）",
    "deprecated": "已弃用",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    # errors
    "Error: {message}": "错误：{message}",  # see _ErrorLine
    "Try '{command} {option}' for help.": "运行“{command} {option}”查看帮助。",
    "Invalid value: {message}": "取值无效：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的取值无效：{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing command.": "缺少命令。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Did you mean {possibility}?": "是否想用 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是否想用其中之一：{possibilities}？）",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个值。",
    "Option {name!r} does not take a value.": "选项 {name!r} 不接受值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，给了 {len} 个。",
    "Value must be an iterable.": "取值必须是一组值。",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "{value!r} is not one of {choices}.": "{value!r} 不在可选值 {choices} 之中。",
    "{value!r} does not match the format {format}.": "{value!r} 不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "{value!r} 不符合格式 {formats}。",
    # click names the type in English (``integer``): the Chinese says 数值 for every kind
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的数值。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 之内。",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} 不是有效的是否值。可用：{states}",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    # ``{name}`` is click's English "File"/"Directory"/"Path": the Chinese leaves it out
    "{name} {filename!r} does not exist.": "{filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{filename!r} 是文件，不是目录。",
    "{name} {filename!r} is a directory.": "{filename!r} 是目录，不是文件。",
    "{name} {filename!r} is not readable.": "{filename!r} 不可读。",
    "{name} {filename!r} is not writable.": "{filename!r} 不可写。",
    "{name} {filename!r} is not executable.": "{filename!r} 不可执行。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "file": "文件", "directory": "目录", "path": "路径",
    "unknown error": "未知错误",
    "Aborted!": "已中止。",
    "Do you want to continue?": "是否继续？",
    "Confirm the action without prompting.": "不询问，直接确认。",
    "Repeat for confirmation": "再输入一次以确认",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Error: invalid input": "错误：输入无效",
    "Press any key to continue...": "按任意键继续……",
}

#: click's modules that bind ``_`` / ``ngettext`` at import.
_MODULES: Final = ("core", "decorators", "exceptions", "formatting", "parser", "types",
                   "termui", "utils")


class _ErrorLine(str):
    """``错误：{message}``, whose message ends with a Chinese full stop.

    click builds some messages from pieces and ends them with a Latin full stop of its own
    (``缺少选项 '--to'.``); the one line every error goes through puts the Chinese one
    in its place.
    """

    __slots__ = ()

    def format(self, *args: object, **kwargs: object) -> str:
        text = str.format(self, *args, **kwargs)
        return text[:-1] + "。" if text.endswith(".") and not text.endswith("..") else text


def translate(message: str) -> str:
    """click's ``_``: the Chinese form in a Chinese run, else gettext's own answer."""
    if LANG.get() == "zh":
        if message == "Error: {message}":
            return _ErrorLine(CLICK_ZH[message])
        return CLICK_ZH.get(message, message)
    return _gettext.gettext(message)


def translate_plural(singular: str, plural: str, n: int) -> str:
    """click's ``ngettext``: Chinese has one form, the one for the count at hand."""
    chosen = singular if n == 1 else plural
    if LANG.get() == "zh":
        return CLICK_ZH.get(chosen, chosen)
    return _gettext.ngettext(singular, plural, n)


def install() -> None:
    """Put :func:`translate` where click's modules look for ``_`` (idempotent)."""
    for name in _MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = translate  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = translate_plural  # type: ignore[attr-defined]
