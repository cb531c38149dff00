"""The accent colour an owner may choose for the embedded form. Plain rules, no Flask."""

from __future__ import annotations

import re

DEFAULT_ACCENT = "0b5cab"
MIN_CONTRAST_WITH_WHITE = 4.5


def accent_colour(raw: str | None) -> str | None:
    """A six-digit hex colour that white button text is readable on (WCAG AA), or None."""
    value = (raw or "").strip().lstrip("#").lower()
    if not re.fullmatch(r"[0-9a-f]{6}", value):
        return None
    return value if contrast_with_white(value) >= MIN_CONTRAST_WITH_WHITE else None


def contrast_with_white(hex_colour: str) -> float:
    return 1.05 / (relative_luminance(hex_colour) + 0.05)


def relative_luminance(hex_colour: str) -> float:
    def channel(pair: str) -> float:
        value = int(pair, 16) / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(hex_colour[i : i + 2]) for i in (0, 2, 4))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def darker(hex_colour: str, by: float = 0.25) -> str:
    return "".join(f"{round(int(hex_colour[i : i + 2], 16) * (1 - by)):02x}" for i in (0, 2, 4))
