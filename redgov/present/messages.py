"""The command line's own messages, each declared once in Chinese and English.

A message is a key (``"user.created"``) and its two forms with ``{name}`` placeholders;
:func:`word` fills them.  Values put into a Chinese message are shown the way the rest of
the screen shows them (a role as 管理员, not ``admin``): the caller passes display forms,
never codes, so no code ends up inside a Chinese sentence (``tests/test_present_words.py``
checks every Chinese form for Latin words).

>>> word("user.created", name="li", role="管理员", scope="全部")
'账户 li 已创建：管理员，范围 全部'
>>> word("user.created", "en", name="li", role="admin", scope="everything")
'account li created: admin, scope everything'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["MESSAGES", "lookup", "pick", "say", "word"]

#: key → (Chinese, English).
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "cli.version": ("redgov 版本 {version}", "redgov, version {version}"),
    "cypher.read_only": ("redgov cypher 只读：该查询会写入图数据。改动数据请用 `redgov sync`。",
                         "redgov cypher only reads: the query would write to the graph. "
                         "Change data through `redgov sync`."),
    # audit
    "audit.unknown_question": ("没有名为 {name!r} 的审计问题（`redgov audit` 列出全部问题）",
                               "no audit question named {name!r}; known: {known}"),
    # accounts (redgov user)
    "user.created": ("账户 {name} 已创建：{role}，范围 {scope}",
                     "account {name} created: {role}, scope {scope}"),
    "user.scope_all": ("全部", "everything"),
    "user.unknown": ("没有名为 {name!r} 的账户", "no account named {name!r}"),
    "user.exists": ("名为 {name!r} 的账户已存在", "an account named {name!r} already exists"),
    "user.needs_scope": ("{role}需要 --scope（单位编码）：只有管理员可以看全部",
                         "a {role} needs --scope (a unit code): only an admin may see all"),
    "user.no_password_needs_link": (
        "--no-password 需要同时给出 --oidc-subject 或 --email，否则无人能登录",
        "--no-password needs --oidc-subject or --email: else nobody could sign in"),
    "user.no_unit": ("图中没有编码为 {code!r} 的单位", "no unit with code {code!r} in the graph"),
    "user.no_stdin_password": ("标准输入中没有密码", "no password on standard input"),
    "user.password_prompt": ("{name} 的密码", "password for {name}"),
    "user.password_repeat": ("再输入一次密码", "repeat the password"),
    "user.password_changed": ("{name} 的密码已修改", "password of {name} changed"),
    "user.disabled": ("账户 {name} 已停用", "account {name} disabled"),
    "user.enabled": ("账户 {name} 已启用", "account {name} enabled"),
    "user.removed": ("账户 {name} 已删除", "account {name} removed"),
    "user.none": ("尚无账户：redgov user add 名称 --role … --scope …",
                  "no account yet: redgov user add NAME --role … --scope …"),
    "user.give_something": ("请给出 --role、--scope、--oidc-subject 或 --email",
                            "give --role, --scope, --oidc-subject and/or --email"),
    "user.updated": ("账户 {name} 已更新：{role}，范围 {scope}；其已登录的会话已结束",
                     "account {name} updated: {role}, scope {scope}; its open sessions ended"),
    # the access log (redgov access-log)
    "log.none": ("无记录：{path}", "no entries: {path}"),
    "log.more": ("共 {total} 条，显示最近 {shown} 条（--limit 可调整）",
                 "{total} entries, the newest {shown} shown (--limit)"),
    "log.bad_since": ("{value!r} 不是日期（YYYY-MM-DD）或时刻（YYYY-MM-DDTHH:MM）",
                      "{value!r} is not a date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM)"),
    # redgov dashboard
    # the link stands alone between spaces (terminals make it clickable; tests read it)
    "dash.start": ("redgov 看板已启动： {url}  （数据库：{store}；{mode}；按 Ctrl-C 停止）",
                   "redgov dashboard: {url}  (store: {store}; {mode}; Ctrl-C stops)"),
    "dash.mode_accounts": ("需登录", "accounts: sign-in required"),
    "dash.mode_sso": ("统一身份认证：{issuer}", "single sign-on: {issuer}"),
    "dash.mode_single": ("单用户模式：尚无账户，只有用此链接（含令牌）打开的浏览器可以访问",
                         "single user, no accounts: only a browser opened with this link "
                         "(its token) is served"),
    "dash.no_accounts": (
        "拒绝在 {host} 上服务：尚无看板账户，任何能访问它的人都会看到全部数据。"
        "请先创建账户（redgov user add 名称 --role … --scope …），或在 127.0.0.1 上服务。",
        "refusing to serve on {host}: no dashboard account exists, so everyone reaching it "
        "would see everything. Create accounts first (redgov user add NAME --role … "
        "--scope …), or serve on 127.0.0.1."),
    "dash.no_tls": (
        "拒绝在 {host} 上不加 TLS 服务：密码会以明文经过网络。请给出 --tls-cert 文件 "
        "--tls-key 文件；若前面有终结 TLS 的代理，用 --insecure-http。",
        "refusing to serve on {host} without TLS: passwords would cross the network in "
        "clear. Give --tls-cert FILE --tls-key FILE, or --insecure-http if a TLS proxy in "
        "front of it terminates TLS."),
    "dash.tls_pair": ("--tls-cert 和 --tls-key 必须同时给出",
                      "--tls-cert and --tls-key go together"),
    "dash.sso_needs": ("单点登录需要同时给出 --oidc-issuer、--oidc-client-id 和 --oidc-secret-file",
                       "single sign-on needs --oidc-issuer, --oidc-client-id and "
                       "--oidc-secret-file"),
    # redgov warm by hand (in English it prints the line it logged, which says more)
    "warm.warmed": ("已预热", "warmed"),
    "warm.stopped": ("已停止：又发布了更新的快照", "stopped: a newer snapshot was published"),
    "warm.skipped": ("已跳过：不是最新快照", "skipped: not the latest snapshot"),
    "warm.failed": ("部分预热失败（原因见数据目录的 warm.log）",
                    "some parts failed (see warm.log in the data directory)"),
    "warm.still_running": ("等待 {timeout:g} 秒后预热仍未完成",
                           "the warm is still running after {timeout:g} s"),
    "warm.none_running": ("预热已完成（或没有进行中的预热）", "no warm is running"),
    "warm.bad_token": ("只能含字母、数字和 _ . : + -", "expected letters, digits or _ . : + -"),
    # shared options
    "param.bad_pair": ("应为 键=值（k=v），实际为 {pair!r}", "expected k=v, got {pair!r}"),
}


def pick(pair: tuple[str, str], lang: str = "zh") -> str:
    """The one rule every table of words is read by: the English form for ``en``, else
    the Chinese (an unknown language reads Chinese, the default)."""
    return pair[1] if lang == "en" else pair[0]


def lookup(table: Mapping[str, tuple[str, str]], key: str, lang: str = "zh",
           **values: object) -> str:
    """``table[key]`` in ``lang``, placeholders filled (KeyError: a word nobody declared).

    Every table of words is read through this: the command line's :data:`MESSAGES`, the
    dashboard's labels (``dashboard/i18n.py`` ``t``), the workbook's words
    (``redgov/report.py``), the access log's keys (:mod:`.logtext`).
    """
    text = pick(table[key], lang)
    return text.format(**values) if values else text


def word(key: str, lang: str = "zh", **values: object) -> str:
    """The message ``key`` in ``lang`` with its placeholders filled (KeyError: unknown)."""
    return lookup(MESSAGES, key, lang, **values)


def say(lang: str, zh: str, en: str) -> str:
    """An inline pair, for a message used once (prefer a :data:`MESSAGES` key)."""
    return pick((zh, en), lang)
