"""An access-log entry's particulars in words (``redgov access-log``'s 内容 column).

The log keeps codes (``reason=bad``, a question's parameters as JSON); a reader gets
"原因：用户名或密码错误" and "参数：截至日期 2024-06-30".  Each key and each reason is
declared once here in both languages.

>>> entry_text({"event": "login_failed", "reason": "bad"})
'原因：用户名或密码错误，或账户已停用'
>>> entry_text({"event": "query", "params": {"as_of": "2024-06-30"}}, "en")
'parameters: as of 2024-06-30'
>>> entry_text({"event": "summary", "held": 3, "events": {"view": 2, "query": 1}})
'暂缓记录 3 条；浏览 2、查询 1'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from .messages import pick

__all__ = ["KEYS", "REASONS", "entry_text"]

#: entry key → how its value is introduced: (Chinese, English).
KEYS: Final[dict[str, tuple[str, str]]] = {
    "unit": ("单位", "unit"), "person": ("人员", "person"), "account": ("账户", "account"),
    "reason": ("原因", "reason"), "format": ("格式", "format"), "file": ("文件", "file"),
    "held": ("暂缓记录", "held back"), "limit": ("上限", "limit"),
    "params": ("参数", "parameters"), "via": ("方式", "via"),
}
#: why a sign-in or a session was refused (redgov/access/login.py, oidc.py, sessions.py).
REASONS: Final[dict[str, tuple[str, str]]] = {
    "ok": ("成功", "ok"),
    "bad": ("用户名或密码错误，或账户已停用", "wrong name or password, or account disabled"),
    "wait": ("尝试过于频繁，需稍候", "too many attempts: wait"),
    "locked": ("账户已锁定", "account locked"),
    "invalid": ("账户名称无效", "not a valid account name"),
    "expired": ("已过期", "expired"), "revoked": ("已撤销", "revoked"),
    "state": ("登录请求无效或已过期", "sign-in answer does not match"),
    "code": ("授权码无效", "authorization code refused"),
    "denied": ("身份提供方拒绝", "refused by the identity provider"),
    "token": ("身份凭证未通过校验", "identity token refused"),
    "down": ("身份提供方无响应", "identity provider down"),
    "config": ("单点登录配置有误", "single sign-on misconfigured"),
    "unknown": ("无关联账户", "no linked account"),
    "oidc": ("统一身份认证", "single sign-on"),
}


_say = pick


def _param_labels() -> dict[str, Any]:
    from ..queries.catalog import catalog

    return {p.name: p for q in catalog() for p in q.params}


def _params_text(params: Mapping[str, Any], lang: str) -> str:
    labels = _param_labels()
    parts = []
    for name, value in sorted(params.items()):
        param = labels.get(name)
        label = param.label(lang) if param is not None else name.replace("_", " ")
        parts.append(f"{label} {value}")
    return ("、" if lang != "en" else ", ").join(parts)


def _events_text(events: Mapping[str, Any], lang: str) -> str:
    from ..access.log import EVENT_ZH

    parts = [f"{name if lang == 'en' else EVENT_ZH.get(name, name)} {count}"
             for name, count in events.items()]
    return ("、" if lang != "en" else ", ").join(parts)


def entry_text(entry: Mapping[str, Any], lang: str = "zh") -> str:
    """The entry's particulars beyond its time, user, event, page and question."""
    sep = "：" if lang != "en" else ": "
    parts: list[str] = []
    for key in ("unit", "person", "account", "reason", "via", "format", "file", "limit"):
        value = entry.get(key)
        if value is None:
            continue
        if key in ("reason", "via"):
            value = _say(REASONS.get(str(value), (str(value), str(value))), lang)
        parts.append(f"{_say(KEYS[key], lang)}{sep}{value}")
    if entry.get("held") is not None:
        held = entry["held"]
        parts.append(f"{_say(KEYS['held'], lang)} {held} 条" if lang != "en"
                     else f"held back: {held}")
    if entry.get("params"):
        parts.append(f"{_say(KEYS['params'], lang)}{sep}{_params_text(entry['params'], lang)}")
    if entry.get("events"):
        parts.append(_events_text(entry["events"], lang))
    return ("；" if lang != "en" else "; ").join(parts)
