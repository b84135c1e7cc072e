"""Single sign-on with a department's OpenID Connect provider (统一身份认证).

The provider says who a person is; redgov still decides what they may see.  An account is
linked to the provider's subject (``redgov user add NAME --oidc-subject SUB``, or
``redgov user set NAME --oidc-subject SUB``), or matched by an e-mail address the provider
marks verified (``--email``); a subject linked to no enabled account is refused and
logged.  Local passwords keep working, so an admin can sign in while the provider is down.

The flow is the authorization-code flow with PKCE (S256), a random ``state`` and ``nonce``
per attempt, through Authlib's OAuth 2 client (``authlib.integrations.requests_client``);
the ID token is checked with joserfc (Authlib's JOSE library): signature against the
provider's published keys, issuer, audience (our client id), expiry, and the nonce.

Settings (``redgov dashboard --oidc-issuer … --oidc-client-id … --oidc-secret-file …``
puts them in the server's environment): ``REDGOV_OIDC_ISSUER``,
``REDGOV_OIDC_CLIENT_ID``, ``REDGOV_OIDC_SECRET_FILE`` (a file readable by its owner only,
0600: the client secret is never an option, an environment value, printed or logged) and
``REDGOV_OIDC_REDIRECT_URI`` (``<dashboard URL>/redgov/oidc/callback``, registered at the
provider).
"""

from __future__ import annotations

import os
import secrets
import stat
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..graph.cypher import cypher
from ..graph.stores.base import Store
from . import accounts
from .accounts import Account, AccountError

__all__ = [
    "OidcConfig",
    "OidcError",
    "Provider",
    "Transaction",
    "account_for",
    "config_from_env",
    "read_secret",
    "set_link",
]

TX_TTL_S = 600.0  # a sign-in started longer ago than this is refused ("expired")
_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
               "ES512", "EdDSA")
_MAX_SUBJECT = 255
_METADATA_TTL_S = 300.0

_BY_SUBJECT = cypher(
    "access.oidc.by_subject",
    "MATCH (a:Account) WHERE a.oidc_subject = $subject RETURN a.name AS name ORDER BY name",
)
_BY_EMAIL = cypher(
    "access.oidc.by_email",
    "MATCH (a:Account) WHERE a.email = $email RETURN a.name AS name ORDER BY name",
)
_LINK = cypher(
    "access.oidc.link",
    """
MATCH (a:Account {name: $name})
SET a.oidc_subject = $subject, a.email = $email, a.updated_at = $now
RETURN a.name AS name
""",
)
_LINKS = cypher(
    "access.oidc.links",
    """
MATCH (a:Account {name: $name})
RETURN a.oidc_subject AS subject, a.email AS email
""",
)


class OidcError(Exception):
    """A refused or failed sign-in.  ``reason`` is a stable code for the access log
    (``down``, ``state``, ``expired``, ``denied``, ``code``, ``token``, ``unknown``);
    the message is safe to show (never a secret or a token)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str
    scope: str = "openid email profile"


def read_secret(path: Path) -> str:
    """The client secret from ``path``: a regular file only its owner may read (0600 or
    0400), first line, surrounding blanks dropped.  Anything else is refused, naming
    the file (never its content)."""
    try:
        info = path.stat()
    except OSError as exc:
        raise OidcError("config", f"cannot read the client secret file {path}: "
                        f"{exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise OidcError("config", f"the client secret file {path} is not a regular file")
    if info.st_mode & 0o077:
        raise OidcError("config", f"the client secret file {path} is readable by others "
                        f"(mode {stat.S_IMODE(info.st_mode):o}): chmod 600 {path}")
    text = path.read_text(encoding="utf-8", errors="strict")[:4096]
    secret = text.splitlines()[0].strip() if text.strip() else ""
    if not secret:
        raise OidcError("config", f"the client secret file {path} is empty")
    return secret


def config_from_env(env: dict[str, str] | None = None) -> OidcConfig | None:
    """The provider settings of this server, or None when single sign-on is off."""
    env = dict(os.environ) if env is None else env
    issuer = env.get("REDGOV_OIDC_ISSUER", "").strip()
    if not issuer:
        return None
    missing = [k for k in ("REDGOV_OIDC_CLIENT_ID", "REDGOV_OIDC_SECRET_FILE",
                           "REDGOV_OIDC_REDIRECT_URI") if not env.get(k, "").strip()]
    if missing:
        raise OidcError("config", f"single sign-on needs {', '.join(missing)}")
    return OidcConfig(issuer.rstrip("/"), env["REDGOV_OIDC_CLIENT_ID"].strip(),
                      read_secret(Path(env["REDGOV_OIDC_SECRET_FILE"])),
                      env["REDGOV_OIDC_REDIRECT_URI"].strip())


@dataclass(frozen=True)
class Transaction:
    """One sign-in in flight: kept by the dashboard server (never sent to the browser
    but as an opaque cookie naming it), used once."""

    state: str
    nonce: str = field(repr=False)
    verifier: str = field(repr=False)
    next: str
    started: float


class Provider:
    """The department's provider: discovery, the authorization URL, the code exchange
    and the ID token check.  Network calls time out after ``timeout_s`` (a provider
    that is down answers ``OidcError("down")`` within seconds)."""

    def __init__(self, config: OidcConfig, timeout_s: float = 5.0) -> None:
        self.config = config
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._jwks: dict[str, Any] | None = None

    # -- discovery -------------------------------------------------------------------
    def _get_json(self, url: str) -> dict[str, Any]:
        import requests

        try:
            resp = requests.get(url, timeout=self.timeout_s)
            resp.raise_for_status()
            found = resp.json()
        except (requests.RequestException, ValueError) as exc:
            raise OidcError("down", f"the identity provider did not answer "
                            f"({type(exc).__name__})") from None
        if not isinstance(found, dict):
            raise OidcError("down", "the identity provider sent an unexpected answer")
        return found

    def metadata(self) -> dict[str, Any]:
        with self._lock:
            if self._metadata is not None and \
                    time.monotonic() - self._metadata_at < _METADATA_TTL_S:
                return self._metadata
        found = self._get_json(self.config.issuer + "/.well-known/openid-configuration")
        if str(found.get("issuer", "")).rstrip("/") != self.config.issuer:
            raise OidcError("down", "the provider's discovery document names another issuer")
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(found.get(key), str):
                raise OidcError("down", f"the provider's discovery document has no {key}")
        with self._lock:
            self._metadata, self._metadata_at = found, time.monotonic()
        return found

    def _keys(self, refresh: bool = False) -> Any:
        from joserfc.jwk import KeySet

        with self._lock:
            cached = None if refresh else self._jwks
        if cached is None:
            cached = self._get_json(self.metadata()["jwks_uri"])
            with self._lock:
                self._jwks = cached
        return KeySet.import_key_set(cached)  # type: ignore[arg-type]

    def _session(self) -> Any:
        from authlib.integrations.requests_client import OAuth2Session

        return OAuth2Session(self.config.client_id, self.config.client_secret,
                             scope=self.config.scope, redirect_uri=self.config.redirect_uri,
                             code_challenge_method="S256")

    # -- the flow --------------------------------------------------------------------
    def begin(self, next_path: str, now: float | None = None) -> tuple[Transaction, str]:
        """A new transaction and the provider URL to send the browser to."""
        metadata = self.metadata()
        tx = Transaction(secrets.token_urlsafe(32), secrets.token_urlsafe(32),
                         secrets.token_urlsafe(64), next_path,
                         time.time() if now is None else now)
        url, _ = self._session().create_authorization_url(
            metadata["authorization_endpoint"], state=tx.state, nonce=tx.nonce,
            code_verifier=tx.verifier)
        return tx, url

    def finish(self, tx: Transaction, params: dict[str, str],
               now: float | None = None) -> dict[str, Any]:
        """Check the provider's answer for ``tx`` and return the ID token's claims."""
        now = time.time() if now is None else now
        if not secrets.compare_digest(params.get("state", ""), tx.state):
            raise OidcError("state", "the sign-in answer does not belong to this sign-in "
                            "(state mismatch)")
        if now - tx.started > TX_TTL_S:
            raise OidcError("expired", "the sign-in took too long: start again")
        if params.get("error"):
            raise OidcError("denied", "the identity provider refused the sign-in")
        code = params.get("code", "")
        if not code or len(code) > 2048:
            raise OidcError("code", "the identity provider sent no authorization code")
        metadata = self.metadata()
        try:
            token = self._session().fetch_token(
                metadata["token_endpoint"], code=code, code_verifier=tx.verifier,
                grant_type="authorization_code", timeout=self.timeout_s)
        except OidcError:
            raise
        except Exception as exc:  # Authlib raises its OAuthError, requests its own
            import requests

            if isinstance(exc, requests.RequestException):
                raise OidcError("down", "the identity provider did not answer") from None
            raise OidcError("code", "the identity provider refused the authorization code "
                            "(expired or already used)") from None
        id_token = token.get("id_token") if isinstance(token, dict) else None
        if not isinstance(id_token, str):
            raise OidcError("token", "the identity provider sent no ID token")
        return self.validate_id_token(id_token, tx.nonce, now)

    def validate_id_token(self, id_token: str, nonce: str,
                          now: float | None = None) -> dict[str, Any]:
        """Signature, issuer, audience, expiry and nonce of an ID token; its claims."""
        from joserfc import jwt
        from joserfc.errors import BadSignatureError, JoseError

        try:
            try:
                decoded = jwt.decode(id_token, self._keys(), algorithms=list(_ALGORITHMS))
            except (BadSignatureError, ValueError):
                decoded = jwt.decode(id_token, self._keys(refresh=True),
                                     algorithms=list(_ALGORITHMS))
            claims = dict(decoded.claims)
            registry = jwt.JWTClaimsRegistry(
                now=int(time.time() if now is None else now), leeway=60,
                iss={"essential": True, "value": self.config.issuer},
                sub={"essential": True},
                exp={"essential": True},
                nonce={"essential": True, "value": nonce},
            )
            registry.validate(claims)
        except OidcError:
            raise
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise OidcError("token", f"the ID token was refused ({type(exc).__name__})") \
                from None
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.config.client_id not in audiences or \
                (len(audiences) > 1 and claims.get("azp") != self.config.client_id):
            raise OidcError("token", "the ID token was issued to another client")
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject or len(subject) > _MAX_SUBJECT:
            raise OidcError("token", "the ID token names no usable subject")
        return claims


# -- linking accounts to the provider's subjects ---------------------------------------
def _names(store: Store, query: str, params: dict[str, Any]) -> list[str]:
    return [str(r["name"]) for r in store.read_meta(query, params)]


def account_for(store: Store, claims: dict[str, Any]) -> Account | None:
    """The enabled account the provider's claims are linked to: by subject, else by an
    e-mail address the provider marks verified (when exactly one account has it)."""
    names = _names(store, _BY_SUBJECT, {"subject": claims["sub"]})
    if not names:
        email = claims.get("email")
        if isinstance(email, str) and claims.get("email_verified") is True:
            names = _names(store, _BY_EMAIL, {"email": email.strip().lower()})
    if len(names) != 1:
        return None
    account = accounts.get(store, names[0])
    return account if account is not None and not account.disabled else None


def links(store: Store, name: str) -> tuple[str | None, str | None]:
    rows = store.read_meta(_LINKS, {"name": name})
    return (rows[0].get("subject"), rows[0].get("email")) if rows else (None, None)


def set_link(store: Store, name: str, subject: str | None, email: str | None) -> None:
    """Link account ``name`` to a provider subject and/or e-mail (None or "" unlinks).
    A subject or e-mail already linked to another account is refused."""
    subject = (subject or "").strip() or None
    email = (email or "").strip().lower() or None
    if subject is not None and (len(subject) > _MAX_SUBJECT or not subject.isprintable()):
        raise AccountError("--oidc-subject 须为 1–255 个可打印字符",
                           en="--oidc-subject: 1–255 printable characters")
    if email is not None and (len(email) > 254 or "@" not in email or " " in email):
        raise AccountError(f"--email {email!r} 不是电子邮件地址",
                           en=f"--email {email!r}: not an e-mail address")
    for query, value, what, what_zh in ((_BY_SUBJECT, subject, "subject", "身份标识"),
                                        (_BY_EMAIL, email, "e-mail", "电子邮件地址")):
        if value is None:
            continue
        others = [n for n in _names(store, query, {"subject": value, "email": value})
                  if n != name]
        if others:
            raise AccountError(f"该{what_zh}已关联到账户 {others[0]!r}",
                               en=f"that {what} is already linked to account {others[0]!r}")
    from .accounts import _now

    if not store.write_meta(_LINK, {"name": name, "subject": subject, "email": email,
                                    "now": _now()}):
        raise AccountError(f"没有名为 {name!r} 的账户", en=f"no account named {name!r}")
