"""The accent colour an owner may choose for the embedded form. Plain rules, no Flask."""

from __future__ import annotations

import re

DEFAULT_ACCENT = "0b5cab"
MIN_CONTRAST_WITH_WHITE = 4.5
# WCAG AA for text: the accent is the colour of links, and the fill behind button text.
MIN_TEXT_CONTRAST = 4.5
# The backgrounds text in the accent colour sits on, in each colour scheme: site.css's --bg, --surface,
# --input-bg, --note-bg and --urgent-bg (a test keeps these the same as the stylesheet). In dark mode the
# button text is --bg, so the accent's contrast with --bg covers that too.
LIGHT_SURFACES = ("f7f5f0", "efece5", "fdfcf9", "e8eff6", "fbe8e5")
DARK_SURFACES = ("1b1d20", "25282c", "202327", "1e2b38", "3a2220")
BLACK, WHITE = "000000", "ffffff"


def accent_colour(raw: str | None) -> str | None:
    """A six-digit hex colour that white button text is readable on (WCAG AA), or None."""
    value = (raw or "").strip().lstrip("#").lower()
    if not re.fullmatch(r"[0-9a-f]{6}", value):
        return None
    return value if contrast_with_white(value) >= MIN_CONTRAST_WITH_WHITE else None


def contrast_with_white(hex_colour: str) -> float:
    return 1.05 / (relative_luminance(hex_colour) + 0.05)


def contrast(one: str, other: str) -> float:
    lighter, darker_ = sorted((relative_luminance(one), relative_luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker_ + 0.05)


def relative_luminance(hex_colour: str) -> float:
    def channel(pair: str) -> float:
        value = int(pair, 16) / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(hex_colour[i : i + 2]) for i in (0, 2, 4))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def mix(hex_colour: str, other: str, by: float) -> str:
    """``hex_colour`` moved ``by`` (0 to 1) of the way towards ``other``."""
    return "".join(
        f"{round(int(hex_colour[i : i + 2], 16) * (1 - by) + int(other[i : i + 2], 16) * by):02x}"
        for i in (0, 2, 4)
    )


def darker(hex_colour: str, by: float = 0.25) -> str:
    return mix(hex_colour, BLACK, by)


def readable_on(hex_colour: str, surfaces: tuple[str, ...], towards: str) -> str:
    """The colour itself if it reads on every surface, else the least step towards black or white that does."""
    for step in range(101):
        candidate = mix(hex_colour, towards, step / 100)
        if min(contrast(candidate, surface) for surface in surfaces) >= MIN_TEXT_CONTRAST:
            return candidate
    return towards


def theme_css(hex_colour: str) -> str:
    """The stylesheet for an accent: as chosen (darkened if need be) on the light page, and lightened to
    read on the dark one, where button text is dark. --accent-dark is the hover state of each."""
    light = readable_on(hex_colour, LIGHT_SURFACES, BLACK)
    dark = readable_on(hex_colour, DARK_SURFACES, WHITE)
    return (
        f":root {{ --accent: #{light}; --accent-dark: #{darker(light)}; }}\n"
        "@media (prefers-color-scheme: dark) {\n"
        f"  :root {{ --accent: #{dark}; --accent-dark: #{mix(dark, WHITE, 0.3)}; }}\n"
        "}\n"
    )
