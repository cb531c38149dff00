"""The Spanish catalogue holds a translation for every string marked in the code and the templates.

The strings are extracted here afresh, with the project's own babel.cfg and keywords (the same as
`make translations-extract`), so a string added without a translation fails this test even when
nobody ran the extraction."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "clinic_app" / "translations"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "N_": None}


def marked_strings() -> set[str | tuple[str, ...]]:
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = extract_from_dir(ROOT, method_map, options_map, keywords=KEYWORDS)
    return {message for _file, _line, message, _comments, _context in found}


def catalogue(language: str):
    with open(CATALOGUES / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=language)


@pytest.fixture(scope="module")
def spanish():
    return catalogue("es")


def test_every_marked_string_has_a_spanish_translation(spanish):
    missing = []
    for message in marked_strings():
        msgid = message[0] if isinstance(message, tuple) else message
        entry = spanish.get(msgid)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(msgid)
        elif isinstance(entry.string, tuple) and not all(entry.string):
            missing.append(msgid)
    assert not missing, f"{len(missing)} strings are not translated, e.g. {sorted(missing)[:5]}"


def test_spanish_translations_keep_every_placeholder(spanish):
    wrong = [
        entry.id
        for entry in spanish
        if entry.id
        and entry.string
        and not entry.fuzzy
        and _placeholders(entry.id) != _placeholders(entry.string)
    ]
    assert not wrong, f"translations whose placeholders differ from the English: {wrong[:5]}"


def _placeholders(text: str | tuple[str, ...]) -> set[str]:
    joined = " ".join(text) if isinstance(text, tuple) else text
    return set(re.findall(r"%\((\w+)\)s", joined)) | set(re.findall(r"\{\{ *(\w+) *\}\}", joined))


def test_compiled_catalogue_is_up_to_date():
    """The app reads the compiled .mo (make translations builds it from the .po)."""
    po = CATALOGUES / "es" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, "run: make translations"
