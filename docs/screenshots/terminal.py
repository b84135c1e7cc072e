"""Capture a terminal showing a sync in progress: ``python docs/screenshots/terminal.py``.

Runs ``redgov demo --scale city`` (generate the city export, then sync it; a few minutes
on the embedded engine) in a detached ``tmux`` window of 110 × 32 characters on the
graph of the current ``REDGOV_HOME`` (use an empty one), waits until the write phase
shows a table with its time left, captures the window with its colours
(``tmux capture-pane -e``), turns the capture into SVG with ``rich`` and the SVG into
``sync-progress.png`` with headless Chromium (Debian's /usr/bin/chromium; Chinese needs
a CJK font such as ``fonts-wqy-microhei``).  Pass other ``redgov`` arguments to capture
another command, e.g. ``python docs/screenshots/terminal.py sync EXPORT``.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
WIDTH, HEIGHT = 110, 32
SESSION = f"redgov-shot-{os.getpid()}"
#: What the window must show before it is captured: a table being written, its rate and
#: time left.
WANT = ("写入", "行/秒", "剩余")


def _pane() -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-e", "-t", SESSION],
                          capture_output=True, text=True, check=True).stdout


def capture(args: list[str], timeout: float = 1800) -> str:
    """Run ``redgov ARGS`` in tmux; the window's text with colours once :data:`WANT` show."""
    command = " ".join([sys.executable, "-m", "redgov", *args])
    subprocess.run(["tmux", "new-session", "-d", "-s", SESSION, "-x", str(WIDTH), "-y",
                    str(HEIGHT), f"{command}; sleep 600"], check=True,
                   env={**os.environ, "TERM": "xterm-256color"})
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = _pane()
            plain = subprocess.run(["tmux", "capture-pane", "-p", "-t", SESSION],
                                   capture_output=True, text=True, check=True).stdout
            if all(w in plain for w in WANT) and "剩余 -:--" not in plain:
                return text
            time.sleep(0.5)
        raise SystemExit(f"the window never showed {WANT}:\n{text}")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", SESSION], check=False)


def _cell_lengths(svg: str) -> str:
    """rich sizes each text span by its characters (``textLength``), but a Chinese
    character takes two cells: size spans by cells, so the glyphs do not overlap."""
    from rich.cells import cell_len

    def fix(m: re.Match[str]) -> str:
        text = html.unescape(m.group(4))
        cell = float(m.group(2)) / max(len(text), 1)  # one cell, as rich measured it
        length = f'textLength="{cell_len(text) * cell:.1f}"'
        return f"{m.group(1)}{length}{m.group(3)}{m.group(4)}</text>"

    return re.sub(r'(<text [^>]*?)textLength="([\d.]+)"([^>]*>)([^<]*)</text>', fix, svg)


def to_png(ansi: str, out: Path, title: str) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(record=True, width=WIDTH, force_terminal=True, color_system="truecolor",
                      file=open(os.devnull, "w"))  # noqa: SIM115 (recorded, not shown)
    lines = ansi.rstrip("\n").splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    console.print(Text.from_ansi("\n".join(lines)), crop=True, overflow="crop")
    svg = console.export_svg(title=title)
    svg = svg.replace("font-family: Fira Code, monospace",
                      "font-family: 'WenQuanYi Micro Hei Mono', 'DejaVu Sans Mono', monospace")
    # The CJK font has no bold: a synthetic one overlaps its glyphs.
    svg = svg.replace("font-weight: bold", "font-weight: normal")
    svg = _cell_lengths(svg)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "shot.svg"
        page.write_text(svg, encoding="utf-8")
        rows = len(lines) + 4
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", f"--user-data-dir={tmp}/profile",
                        f"--screenshot={out}", f"--window-size={WIDTH * 9 + 60},{rows * 22}",
                        page.as_uri()], check=True, capture_output=True, timeout=120)


def main(argv: list[str]) -> None:
    if not shutil.which("tmux"):
        raise SystemExit("tmux is needed (apt-get install tmux)")
    args = argv or ["demo", "--scale", "city"]
    ansi = capture(args)
    # Kept beside the script's run so the picture can be drawn again without a sync.
    Path(tempfile.gettempdir(), "sync-progress.ansi").write_text(ansi, encoding="utf-8")
    to_png(ansi, HERE / "sync-progress.png", "redgov " + " ".join(args))
    print(HERE / "sync-progress.png")


if __name__ == "__main__":
    main(sys.argv[1:])
