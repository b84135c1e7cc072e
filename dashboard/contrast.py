"""Text colour on a coloured box: WCAG 2 contrast, so every label reads on its fill.

The network's boxes are filled with the colour of their kind (:mod:`network`); a label
written in one fixed colour is unreadable on the dark reds of the party committees.
Each fill gets the text colour, dark or light, with the higher contrast ratio, and the
tests check that ratio is at least :data:`MIN_RATIO` (WCAG AA for normal text) for every
colour the views use.

>>> round(contrast("#ffffff", "#000000"), 1)
21.0
>>> text_on("#8c1c13"), text_on("#f7d9c4")
('#ffffff', '#111111')
"""

from __future__ import annotations

from typing import Final

__all__ = ["DARK_TEXT", "LIGHT_TEXT", "MIN_RATIO", "contrast", "luminance", "text_on"]

MIN_RATIO: Final = 4.5
DARK_TEXT: Final = "#111111"
LIGHT_TEXT: Final = "#ffffff"


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb`` (sRGB channels linearised)."""
    value = colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    channels = []
    for i in (0, 2, 4):
        c = int(value[i:i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours, 1 (none) to 21 (black on white)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(background: str) -> str:
    """The text colour (dark or light) that reads best on ``background``."""
    return max((DARK_TEXT, LIGHT_TEXT), key=lambda text: contrast(text, background))
