"""A store's description as a reader sees it (the sidebar, the start line, a cover).

The stores describe themselves in English for logs (``embedded FalkorDB (/home/a/.redgov)``);
a URL-shaped description (``bolt://10.0.0.5:7687``) is an address and stays as it is.

>>> store_text("embedded FalkorDB (/home/a/.redgov)")
'内嵌 FalkorDB（/home/a/.redgov）'
>>> store_text("bolt://10.0.0.5:7687")
'bolt://10.0.0.5:7687'
>>> store_text("embedded FalkorDB (/home/a/.redgov)", "en")
'embedded FalkorDB (/home/a/.redgov)'
"""

from __future__ import annotations

__all__ = ["store_text"]


def store_text(description: str, lang: str = "zh") -> str:
    """The store's own description, with its one English word put into Chinese."""
    if lang == "en" or not description.startswith("embedded "):
        return description
    head, sep, where = description.removeprefix("embedded ").partition(" (")
    return f"内嵌 {head}（{where.removesuffix(')')}）" if sep else f"内嵌 {head}"
