"""``redgov dashboard``: start the Streamlit app on the chosen store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import click

from ..graph.stores import resolve_store_spec
from .common import opened_store, store_option


def app_path() -> Path:
    """The app file of the installed package (the repository's dashboard/pages/app.py)."""
    from ..dashboard import pages

    return Path(pages.__file__).resolve().parent / "app.py"


def streamlit_command(port: int) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", str(app_path()),
        "--server.port", str(port),
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.runOnSave", "false",
        "--client.toolbarMode", "minimal",
    ]


def _open_browser_when_ready(url: str, proc: subprocess.Popen, timeout_s: float = 30.0) -> None:
    """Streamlit runs headless (it never opens a browser itself); open one once healthy."""
    import time
    import urllib.request
    import webbrowser

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=1) as resp:
                if resp.status == 200:
                    webbrowser.open(url)
                    return
        except OSError:
            time.sleep(0.3)


@click.command()
@click.option("--port", default=8501, show_default=True, help="Port on 127.0.0.1.")
@store_option
@click.option("--no-browser", is_flag=True, help="Do not open a browser window.")
def dashboard(port: int, store_spec: str | None, no_browser: bool) -> None:
    """Start the dashboard (Streamlit) on the store; it only reads the graph."""
    spec = resolve_store_spec(store_spec)
    with opened_store(spec) as store:  # fail early, with the store's own message
        where = store.description  # never the spec itself: a URL may carry a password
    env = {**os.environ, "REDGOV_STORE": spec}
    url = f"http://127.0.0.1:{port}/"
    click.echo(f"redgov dashboard: {url}  (store: {where}; Ctrl-C stops)")
    proc = subprocess.Popen(streamlit_command(port), env=env)
    if not no_browser:
        import threading

        threading.Thread(target=_open_browser_when_ready, args=(url, proc), daemon=True).start()
    # Stopping this command stops the server too (Ctrl-C or a plain `kill`).
    signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    try:
        raise SystemExit(proc.wait())
    except KeyboardInterrupt:
        proc.terminate()
        raise SystemExit(proc.wait(timeout=10)) from None


COMMANDS = [dashboard]
