"""The embed's accent colour in both colour schemes: readable as link text and under button text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clinic_app.embed.theme import (
    DARK_SURFACES,
    LIGHT_SURFACES,
    MIN_TEXT_CONTRAST,
    accent_colour,
    contrast,
    theme_css,
)

SITE_CSS = Path(__file__).parents[2] / "clinic_app" / "static" / "css" / "site.css"
SURFACES = ("bg", "surface", "input-bg", "note-bg", "urgent-bg")


def stylesheet_colours(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*#([0-9a-f]{6});", block))


def test_the_surfaces_are_the_stylesheets():
    css = SITE_CSS.read_text()
    light = stylesheet_colours(re.search(r"^:root \{(.*?)^\}", css, re.S | re.M).group(1))
    dark_block = re.search(r"@media \(prefers-color-scheme: dark\) \{\s*:root \{(.*?)\}", css, re.S)
    dark = stylesheet_colours(dark_block.group(1))
    assert tuple(light[name] for name in SURFACES) == LIGHT_SURFACES
    assert tuple(dark[name] for name in SURFACES) == DARK_SURFACES
    # The site's own accent meets the same bar as an owner's.
    assert min(contrast(light["accent"], surface) for surface in LIGHT_SURFACES) >= MIN_TEXT_CONTRAST
    assert min(contrast(dark["accent"], surface) for surface in DARK_SURFACES) >= MIN_TEXT_CONTRAST


def theme_colours(css: str) -> tuple[dict[str, str], dict[str, str]]:
    light, dark = css.split("@media (prefers-color-scheme: dark)")
    return stylesheet_colours(light), stylesheet_colours(dark)


# Colours an owner may choose: the default, dark ones, ones just dark enough for white text.
ACCENTS = ["0b5cab", "225522", "7a1f5c", "767676", "0000ff", "d4351c", "000000", "b3261e", "005a30"]


@pytest.mark.parametrize("accent", ACCENTS)
def test_an_accent_reads_in_both_schemes(accent):
    assert accent_colour(accent) == accent
    light, dark = theme_colours(theme_css(accent))
    for colours, surfaces, button_text in (
        (light, LIGHT_SURFACES, "ffffff"),
        (dark, DARK_SURFACES, "1b1d20"),
    ):
        for name in ("accent", "accent-dark"):
            assert min(contrast(colours[name], surface) for surface in surfaces) >= MIN_TEXT_CONTRAST, name
            assert contrast(colours[name], button_text) >= MIN_TEXT_CONTRAST, name


def test_a_dark_enough_accent_is_kept_as_chosen_on_the_light_page():
    light, dark = theme_colours(theme_css("225522"))
    assert light["accent"] == "225522"
    assert dark["accent"] != "225522", "lightened for the dark page"
    # Just dark enough for white text, not for the off-white page: darkened a little, not replaced.
    nearly = theme_colours(theme_css("767676"))[0]["accent"]
    assert nearly != "767676" and contrast(nearly, "767676") < 1.3
