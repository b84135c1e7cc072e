"""``redgov user``: dashboard accounts (add, list, set, passwd, disable, enable, remove).

Passwords are asked twice on a terminal (never echoed) or read from the first line of
standard input when it is not a terminal (``printf '%s\\n' "$PW" | redgov user add …``);
they are never accepted as an option, so they stay out of shell history and process
lists.  Every change is written to the access log with ``cli`` as the actor's name.
"""

from __future__ import annotations

import getpass
import sys

import click

from ..access import accounts, oidc, sessions, throttle
from ..access import log as access_log
from ..access.audit import AuditUnwritable, audited
from ..graph import scope as scoping
from ..graph.vocabulary import ACCOUNT_ROLE_ZH, ACCOUNT_ROLES, LEVEL_ZH
from ..output import render, to_json
from ..present.times import format_time
from .common import opened_store, run_lang, store_option, word

__all__ = ["COMMANDS", "user"]

_ACTOR = "cli"


def _actor() -> str:
    try:
        return f"{_ACTOR}:{getpass.getuser()}"
    except (KeyError, OSError):
        return _ACTOR


def _read_password(name: str) -> str:
    if sys.stdin.isatty():
        lang = run_lang()
        return click.prompt(word("user.password_prompt", lang, name=name), hide_input=True,
                            confirmation_prompt=word("user.password_repeat", lang))
    line = sys.stdin.readline()
    if not line:
        raise click.ClickException(word("user.no_stdin_password", run_lang()))
    return line.rstrip("\r\n")


def _unusable_password(name: str) -> str:
    """A random password nobody knows, for an account that signs in only through the
    identity provider.  It must pass the password policy like any other: a random text can
    hold a short account name (``li`` is in about 6 % of these), so such a draw is redrawn."""
    import secrets

    while True:
        password = secrets.token_urlsafe(48)
        if name.lower() not in password.lower():
            return password


def _revoke(store: object, name: str) -> int:
    """End every open session of ``name`` (its binding moved anyway: this removes the
    records and logs it, so the access log says when each ended)."""
    ended = sessions.end_all(store, name)  # type: ignore[arg-type]
    if ended:
        access_log.record("revoked", name, actor=_actor(), sessions=ended)
    return ended


def _role(role: str) -> str:
    """A role as the run's reader names it (管理员 in Chinese, the code in English)."""
    return role if run_lang() == "en" else ACCOUNT_ROLE_ZH.get(role, role)


def _fail(exc: Exception) -> click.ClickException:
    text = getattr(exc, "text", None)
    return click.ClickException(text(run_lang()) if callable(text) else str(exc))


@click.group()
def user() -> None:
    """Dashboard accounts: who may sign in, with which role, seeing which units."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(list(ACCOUNT_ROLES)), required=True,
              help="viewer: overview, hierarchy, people; auditor: + audit and downloads; "
              "admin: + sync history and accounts.")
@click.option("--scope", "scope", default=None, metavar="UNIT_CODE",
              help="The unit whose subtree the account sees (required but for an admin, "
              "for whom no scope means everything).")
@click.option("--oidc-subject", default=None, metavar="SUB",
              help="Link the account to this subject of the department's identity provider "
              "(single sign-on: redgov dashboard --oidc-issuer …).")
@click.option("--email", default=None, metavar="ADDRESS",
              help="Link the account to this e-mail address, when the identity provider "
              "says it is verified.")
@click.option("--no-password", is_flag=True,
              help="No local password (sign-in through the identity provider only).")
@store_option
def add(name: str, role: str, scope: str | None, oidc_subject: str | None,
        email: str | None, no_password: bool, store_spec: str | None) -> None:
    """Create account NAME; the password is prompted for (or read from standard input)."""
    with opened_store(store_spec) as store:
        if scope is not None and scoping.resolve(store, scope) is None:
            raise click.BadParameter(word("user.no_unit", run_lang(), code=scope),
                                     param_hint="--scope")
        try:
            accounts.check_name(name)
            if scope is None and role != "admin":
                raise accounts.AccountError(
                    word("user.needs_scope", run_lang(), role=_role(role)))
            if accounts.get(store, name) is not None:
                raise accounts.AccountError(word("user.exists", run_lang(), name=name))
            if no_password and not (oidc_subject or email):
                raise accounts.AccountError(word("user.no_password_needs_link", run_lang()))
            # No local password: a random one nobody is told (it cannot be guessed).
            password = _unusable_password(name) if no_password else _read_password(name)
            if not no_password:
                accounts.check_password_policy(name, password)
            with audited("user_add", _actor(), account=name, role=role, scope=scope,
                         oidc_linked=bool(oidc_subject or email) or None):
                account = accounts.create(store, name, password, role, scope)
                if oidc_subject or email:
                    try:
                        oidc.set_link(store, name, oidc_subject, email)
                    except accounts.AccountError:
                        accounts.remove(store, name)
                        raise
        except (accounts.AccountError, AuditUnwritable) as exc:
            raise _fail(exc) from None
    lang = run_lang()
    click.echo(word("user.created", lang, name=account.name, role=_role(account.role),
                    scope=account.scope or word("user.scope_all", lang)))


@user.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@store_option
def list_(fmt: str, store_spec: str | None) -> None:
    """List the accounts (never their passwords)."""
    with opened_store(store_spec) as store:
        found = accounts.list_accounts(store)
        units = {}
        for a in found:
            if a.scope and a.scope not in units:
                unit = scoping.resolve(store, a.scope)
                units[a.scope] = unit.level if unit else None
        linked = {a.name: oidc.links(store, a.name) for a in found}
    if fmt == "json":
        click.echo(to_json([{**a.to_dict(), "oidc_subject": linked[a.name][0],
                             "email": linked[a.name][1]} for a in found]))
        return
    if not found:
        click.echo(word("user.none", run_lang()))
        return
    rows = [{
        "账户": a.name, "角色": ACCOUNT_ROLE_ZH[a.role],
        "范围": (f"{a.scope}（{LEVEL_ZH.get(units.get(a.scope) or '', '?')}）"
                 if a.scope else "全部"),
        "状态": "停用" if a.disabled else "正常",
        "统一身份": "、".join(w for w, v in zip(("标识", "邮箱"), linked[a.name], strict=True)
                           if v) or "",
        "创建时间（北京时间）": format_time(a.created_at),
        "最近登录（北京时间）": format_time(a.last_login) if a.last_login else "",
    } for a in found]
    text = render(list(rows[0]), rows, "table")
    click.echo(text, nl=not text.endswith("\n"))


@user.command("set")
@click.argument("name")
@click.option("--role", type=click.Choice(list(ACCOUNT_ROLES)), default=None,
              help="The new role (viewer, auditor, admin).")
@click.option("--scope", "scope", default=None, metavar="UNIT_CODE",
              help="The new scope: a unit code, or 'all' for the whole graph (admins only).")
@click.option("--oidc-subject", default=None, metavar="SUB",
              help="Link NAME to this subject of the identity provider ('' unlinks).")
@click.option("--email", default=None, metavar="ADDRESS",
              help="Link NAME to this e-mail address, trusted when the provider says it is "
              "verified ('' unlinks).")
@store_option
def set_(name: str, role: str | None, scope: str | None, oidc_subject: str | None,
         email: str | None, store_spec: str | None) -> None:
    """Change NAME's role, scope or single sign-on link; its open sessions end at once."""
    if role is None and scope is None and oidc_subject is None and email is None:
        raise click.UsageError(word("user.give_something", run_lang()))
    with opened_store(store_spec) as store:
        try:
            accounts.check_name(name)
            current = accounts.get(store, name)
            if current is None:
                raise accounts.AccountError(word("user.unknown", run_lang(), name=name))
            new_scope = current.scope if scope is None else (None if scope == "all" else scope)
            if new_scope is not None and new_scope != current.scope and \
                    scoping.resolve(store, new_scope) is None:
                raise click.BadParameter(word("user.no_unit", run_lang(), code=new_scope),
                                         param_hint="--scope")
            with audited("user_set", _actor(), account=name, role=role or current.role,
                         scope=new_scope,
                         oidc_link_changed=(oidc_subject is not None or email is not None)
                         or None):
                if oidc_subject is not None or email is not None:
                    subject_now, email_now = oidc.links(store, name)
                    oidc.set_link(store, name,
                                  subject_now if oidc_subject is None else oidc_subject,
                                  email_now if email is None else email)
                account = current
                if role is not None or scope is not None:
                    account = accounts.set_role_scope(store, name, role or current.role,
                                                      new_scope)
        except (accounts.AccountError, AuditUnwritable) as exc:
            raise _fail(exc) from None
        _revoke(store, name)
    lang = run_lang()
    click.echo(word("user.updated", lang, name=name, role=_role(account.role),
                    scope=account.scope or word("user.scope_all", lang)))


@user.command("passwd")
@click.argument("name")
@store_option
def passwd(name: str, store_spec: str | None) -> None:
    """Set NAME's password (ends its open sessions and clears a login lock)."""
    with opened_store(store_spec) as store:
        if accounts.get(store, name) is None:
            raise click.ClickException(word("user.unknown", run_lang(), name=name))
        try:
            password = _read_password(name)
            accounts.check_password_policy(name, password)
            with audited("user_passwd", _actor(), account=name):
                accounts.set_password(store, name, password)
        except (accounts.AccountError, AuditUnwritable) as exc:
            raise _fail(exc) from None
        throttle.clear(store, name)
        _revoke(store, name)
    click.echo(word("user.password_changed", run_lang(), name=name))


def _switch(name: str, store_spec: str | None, disabled: bool) -> None:
    with opened_store(store_spec) as store:
        try:
            if accounts.get(store, name) is None:
                raise accounts.AccountError(word("user.unknown", run_lang(), name=name))
            with audited("user_disable" if disabled else "user_enable", _actor(), account=name):
                accounts.set_disabled(store, name, disabled)
        except (accounts.AccountError, AuditUnwritable) as exc:
            raise _fail(exc) from None
        _revoke(store, name)
    click.echo(word("user.disabled" if disabled else "user.enabled", run_lang(), name=name))


@user.command("disable")
@click.argument("name")
@store_option
def disable(name: str, store_spec: str | None) -> None:
    """Disable NAME: it can no longer sign in, and its open sessions end."""
    _switch(name, store_spec, True)


@user.command("enable")
@click.argument("name")
@store_option
def enable(name: str, store_spec: str | None) -> None:
    """Enable NAME again."""
    _switch(name, store_spec, False)


@user.command("remove")
@click.argument("name")
@store_option
def remove(name: str, store_spec: str | None) -> None:
    """Remove NAME (its entries in the access log stay)."""
    with opened_store(store_spec) as store:
        try:
            if accounts.get(store, name) is None:
                raise accounts.AccountError(word("user.unknown", run_lang(), name=name))
            with audited("user_remove", _actor(), account=name):
                accounts.remove(store, name)
        except (accounts.AccountError, AuditUnwritable) as exc:
            raise _fail(exc) from None
        throttle.clear(store, name)
        _revoke(store, name)
    click.echo(word("user.removed", run_lang(), name=name))


COMMANDS = [user]
