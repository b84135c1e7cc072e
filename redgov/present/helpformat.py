"""A help page laid out for Chinese: full-width headings, columns by display width.

click measures text in characters; a Chinese character takes two columns on a terminal,
so its option list would drift out of line and its paragraphs run past the edge.  This
formatter measures with :func:`redgov.output.display_width` and wraps Chinese text at
any character (Chinese has no spaces to wrap at), keeping ``\\b`` blocks as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import click

from ..output import display_width

__all__ = ["ChineseContext", "ChineseFormatter", "wrap"]


#: A path (``docs/使用说明.md``) is kept whole even where it holds Chinese.
_PATH = re.compile(r"[\w.:-]*/[\w./:-]*")


def _pieces(text: str) -> list[str]:
    """Wrappable pieces: each wide character alone, each run of narrow ones with its
    trailing space (so Latin words and option names are never split), each path whole."""
    out: list[str] = []
    at = 0
    for path in _PATH.finditer(text):
        out.extend(_char_pieces(text[at:path.start()]))
        out.append(path.group())
        at = path.end()
    return out + _char_pieces(text[at:])


def _char_pieces(text: str) -> list[str]:
    out: list[str] = []
    run = ""
    for ch in text:
        if display_width(ch) == 2:
            if run:
                out.append(run)
                run = ""
            out.append(ch)
        else:
            run += ch
            if ch == " ":
                out.append(run)
                run = ""
    if run:
        out.append(run)
    return out


_CLOSING = frozenset("）。，；：、」』”》！？")


def _wrap_line(text: str, width: int, indent: str) -> list[str]:
    lines: list[str] = []
    line = ""
    for piece in _pieces(text):
        closing = piece in _CLOSING  # never start a line with closing punctuation
        if line and not closing and display_width(indent + line + piece.rstrip()) > width:
            lines.append(indent + line.rstrip())
            line = piece.lstrip()
        else:
            line += piece
    if line.strip():
        lines.append(indent + line.rstrip())
    return lines


def wrap(text: str, width: int, indent: str = "") -> str:
    """Paragraphs (blank-line separated) wrapped to ``width`` display columns; a paragraph
    that starts with ``\\b`` is kept line by line, as click keeps it."""
    out: list[str] = []
    for para in text.split("\n\n"):
        if para.startswith("\b"):
            out.append("\n".join(indent + line for line in para[1:].strip("\n").splitlines()))
        else:
            out.append("\n".join(_wrap_line(" ".join(para.split()), width, indent)))
    return "\n\n".join(out)


class ChineseFormatter(click.HelpFormatter):
    """click's help formatter, measuring and wrapping by display width."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_text(self, text: str) -> None:
        self.write(wrap(text, self.width, " " * self.current_indent) + "\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max((display_width(r[0]) for r in rows), default=0), col_max)
        first_col += col_spacing
        indent = " " * self.current_indent
        for first, second in rows:
            self.write(f"{indent}{first}")
            if not second:
                self.write("\n")
                continue
            if display_width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - display_width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            text_width = max(self.width - first_col - self.current_indent - 2, 10)
            lines = wrap(second, text_width).splitlines() or [""]
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(" " * (first_col + self.current_indent) + line + "\n")


class ChineseContext(click.Context):
    """A context whose help pages use :class:`ChineseFormatter`."""

    formatter_class = ChineseFormatter
