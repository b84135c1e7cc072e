"""``redgov dashboard``: start the Streamlit app on the chosen store.

It serves 127.0.0.1 unless ``--host`` says otherwise, and an address beyond loopback is
refused while no dashboard account exists (everyone would see everything) and, without
``--insecure-http``, unless ``--tls-cert``/``--tls-key`` give it TLS (Streamlit's own
``server.sslCertFile``/``server.sslKeyFile``): passwords must not cross a network in clear.

Without accounts (single-user mode) the dashboard serves only the browser that holds a
secret token, as notebook servers do: a fresh random token is handed to the app through
``$REDGOV_DASHBOARD_TOKEN`` and printed once, in the URL (``…/?token=…``) that is also
opened in the browser; the app keeps it in the session, drops it from the address bar and
never logs it.  Another local account or process that finds the port gets a refusal.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import click

from ..graph.stores import resolve_store_spec
from ..present.stores import store_text
from .common import opened_store, run_lang, store_option, word


def app_path() -> Path:
    """The launcher of the installed package (dashboard/pages/serve.py: the app and its routes)."""
    from ..dashboard import pages

    return Path(pages.__file__).resolve().parent / "serve.py"


def streamlit_command(port: int, host: str = "127.0.0.1", tls_cert: Path | None = None,
                      tls_key: Path | None = None) -> list[str]:
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(app_path()),
        "--server.port", str(port),
        "--server.headless", "true",
        "--server.address", host,
        "--browser.gatherUsageStats", "false",
        "--server.runOnSave", "false",
        "--client.toolbarMode", "minimal",
        # Tables never offer Streamlit's own CSV download: downloads go through redgov.
        "--client.disableDataExport", "true",
    ]
    if tls_cert is not None and tls_key is not None:
        cmd += ["--server.sslCertFile", str(tls_cert), "--server.sslKeyFile", str(tls_key)]
    return cmd


def is_loopback(host: str) -> bool:
    """>>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: may resolve to anything


def check_serving(host: str, has_accounts: bool, tls: bool, insecure_http: bool) -> None:
    """Refuse an unsafe way of serving (a :class:`click.ClickException` saying why)."""
    if is_loopback(host):
        return
    if not has_accounts:
        raise click.ClickException(word("dash.no_accounts", run_lang(), host=host))
    if not tls and not insecure_http:
        raise click.ClickException(word("dash.no_tls", run_lang(), host=host))


#: The single-user token handed to the app (see the module docstring).
TOKEN_ENV = "REDGOV_DASHBOARD_TOKEN"


def _open_browser_when_ready(url: str, proc: subprocess.Popen, timeout_s: float = 30.0,
                             open_url: str | None = None) -> None:
    """Streamlit runs headless (it never opens a browser itself); open one once healthy."""
    import ssl
    import time
    import urllib.request
    import webbrowser

    context = ssl._create_unverified_context()  # our own server, perhaps self-signed
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=1,
                                        context=context) as resp:
                if resp.status == 200:
                    webbrowser.open(open_url or url)
                    return
        except OSError:
            time.sleep(0.3)


def _sso_env(issuer: str, client_id: str, secret_file: Path, redirect_uri: str
             ) -> dict[str, str]:
    """The server's single sign-on settings; the secret file is checked here (0600, not
    empty) and read by the server itself: the secret is never in an option, the
    environment or any output."""
    from ..access import oidc

    issuer = issuer.strip().rstrip("/")
    for what, value in (("--oidc-issuer", issuer), ("--oidc-redirect-uri", redirect_uri)):
        if not value.startswith(("https://", "http://")) or len(value) > 2048:
            raise click.BadParameter(f"{value!r}: an http(s) URL", param_hint=what)
    if not issuer.startswith("https://") and not is_loopback(
            (issuer.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)[0]).strip("[]")):
        raise click.BadParameter("the provider must be reached over https (plain http only "
                                 "on this machine, for tests)", param_hint="--oidc-issuer")
    try:
        oidc.read_secret(secret_file)
    except oidc.OidcError as exc:
        raise click.BadParameter(str(exc), param_hint="--oidc-secret-file") from None
    return {"REDGOV_OIDC_ISSUER": issuer, "REDGOV_OIDC_CLIENT_ID": client_id.strip(),
            "REDGOV_OIDC_SECRET_FILE": str(secret_file.resolve()),
            "REDGOV_OIDC_REDIRECT_URI": redirect_uri}


@click.command()
@click.option("--port", default=8501, show_default=True, help="Port to serve on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to serve on. Beyond loopback: needs dashboard accounts "
              "(redgov user add) and TLS (--tls-cert/--tls-key) unless --insecure-http.")
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="TLS certificate (PEM), Streamlit's server.sslCertFile.")
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Its private key (PEM), Streamlit's server.sslKeyFile.")
@click.option("--insecure-http", is_flag=True,
              help="Serve plain HTTP beyond loopback (only behind a TLS-terminating proxy).")
@click.option("--oidc-issuer", default=None, metavar="URL",
              help="Single sign-on: the department's OpenID Connect provider (its issuer "
              "URL). Accounts are linked with redgov user add/set --oidc-subject.")
@click.option("--oidc-client-id", default=None, metavar="ID",
              help="The client id the provider registered for this dashboard.")
@click.option("--oidc-secret-file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, metavar="FILE",
              help="A file (mode 600) holding the client secret on its first line.")
@click.option("--oidc-redirect-uri", default=None, metavar="URL",
              help="The callback URL registered at the provider [default: this "
              "dashboard's URL + redgov/oidc/callback].")
@store_option
@click.option("--no-browser", is_flag=True, help="Do not open a browser window.")
def dashboard(port: int, host: str, tls_cert: Path | None, tls_key: Path | None,
              insecure_http: bool, oidc_issuer: str | None, oidc_client_id: str | None,
              oidc_secret_file: Path | None, oidc_redirect_uri: str | None,
              store_spec: str | None, no_browser: bool) -> None:
    """Start the dashboard (Streamlit) on the store; it only reads the graph."""
    from ..access.accounts import accounts_exist

    if (tls_cert is None) != (tls_key is None):
        raise click.UsageError(word("dash.tls_pair", run_lang()))
    sso = (oidc_issuer, oidc_client_id, oidc_secret_file)
    if any(v is not None for v in sso) and not all(v is not None for v in sso):
        raise click.UsageError(word("dash.sso_needs", run_lang()))
    spec = resolve_store_spec(store_spec)
    with opened_store(spec) as store:  # fail early, with the store's own message
        where = store.description  # never the spec itself: a URL may carry a password
        has_accounts = accounts_exist(store)
    check_serving(host, has_accounts, tls_cert is not None, insecure_http)
    token = secrets.token_urlsafe(24)
    env = {**os.environ, "REDGOV_STORE": spec, TOKEN_ENV: token}
    scheme = "https" if tls_cert is not None else "http"
    shown = f"[{host}]" if ":" in host else host
    url = f"{scheme}://{shown}:{port}/"
    # The session cookie is Secure whenever the browser reaches us over TLS: our own, or
    # the proxy's in front (--insecure-http).
    env["REDGOV_COOKIE_SECURE"] = "1" if tls_cert is not None or insecure_http else "0"
    for key in [k for k in env if k.startswith("REDGOV_OIDC_")]:
        del env[key]  # only this command's options turn single sign-on on
    if oidc_issuer is not None and oidc_client_id is not None and oidc_secret_file is not None:
        env.update(_sso_env(oidc_issuer, oidc_client_id, oidc_secret_file,
                            oidc_redirect_uri or url + "redgov/oidc/callback"))
    lang = run_lang()
    if has_accounts:
        opened = url
        mode = word("dash.mode_accounts", lang)
        if "REDGOV_OIDC_ISSUER" in env:
            mode += ("；" if lang != "en" else "; ") + word(
                "dash.mode_sso", lang, issuer=env["REDGOV_OIDC_ISSUER"])
    else:
        opened = f"{url}?token={token}"
        mode = word("dash.mode_single", lang)
    click.echo(word("dash.start", lang, url=opened, store=store_text(where, lang), mode=mode))
    proc = subprocess.Popen(streamlit_command(port, host, tls_cert, tls_key), env=env)
    if not no_browser:
        import threading

        threading.Thread(target=_open_browser_when_ready, args=(url, proc),
                         kwargs={"open_url": opened}, daemon=True).start()
    # Stopping this command stops the server too (Ctrl-C or a plain `kill`).
    signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    try:
        raise SystemExit(proc.wait())
    except KeyboardInterrupt:
        proc.terminate()
        raise SystemExit(proc.wait(timeout=10)) from None


COMMANDS = [dashboard]
