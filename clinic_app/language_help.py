"""The "Language help" taglines: short lines, each in its own language, that say free language help is
available and give the clinic's phone number.

They live in ``language_help.toml`` beside this module, one table per language code. The clinic picks
the languages it offers (``CLINIC_LANGUAGES``); ``taglines_for`` turns those codes into taglines with
the phone filled in, and refuses a code that has no tagline, so a mistyped setting stops the app when
it starts rather than leaving a page without its line.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(__file__).parent / "language_help.toml"
PLACEHOLDER = "phone"
DIRECTIONS = {"ltr", "rtl"}
# A language tag as HTML's lang attribute takes it: "es", "zh-Hant", "pt-BR".
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")


class LanguageHelpError(ValueError):
    """The taglines cannot be used as set; the message says which language and why."""


@dataclass(frozen=True)
class TaglineText:
    """A tagline as the file has it: the text still holds the {phone} placeholder."""

    code: str
    name: str
    text: str
    dir: str = "ltr"


@dataclass(frozen=True)
class Tagline:
    """A tagline ready to show: its language code, the language's own name, and the text with the
    clinic's phone number in it. ``before`` and ``after`` are the text either side of the number, for a
    page that links it."""

    code: str
    name: str
    text: str
    dir: str = "ltr"
    before: str = ""
    phone: str = ""
    after: str = ""


def load_taglines(path: Path | str = DEFAULT_PATH) -> dict[str, TaglineText]:
    """Every tagline in the file, by language code; a malformed entry is refused with its code named."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise LanguageHelpError(f"{path}: cannot read the taglines: {error}") from error
    return {code: _tagline_text(path, code, entry) for code, entry in data.items()}


def taglines_for(
    codes: Iterable[str], phone: str, taglines: Mapping[str, TaglineText] | None = None
) -> list[Tagline]:
    """The taglines for these language codes, in their order, with the phone number filled in. A code
    with no tagline is refused, naming it and the codes there are."""
    known = load_taglines() if taglines is None else taglines
    wanted = list(dict.fromkeys(codes))
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise LanguageHelpError(
            f"CLINIC_LANGUAGES names {', '.join(map(repr, unknown))}, which has no tagline in "
            f"{DEFAULT_PATH.name}; the languages with one are {', '.join(sorted(known))}"
        )
    return [_filled(known[code], phone) for code in wanted]


def _filled(tagline: TaglineText, phone: str) -> Tagline:
    before, _, after = tagline.text.partition("{" + PLACEHOLDER + "}")
    return Tagline(
        code=tagline.code,
        name=tagline.name,
        text=f"{before}{phone}{after}",
        dir=tagline.dir,
        before=before,
        phone=phone,
        after=after,
    )


def _tagline_text(path: Path, code: str, entry: Any) -> TaglineText:
    where = f"{path}: [{code}]"
    if not LANGUAGE_CODE.fullmatch(code):
        raise LanguageHelpError(f'{where}: not a language code (like "es" or "zh-Hant")')
    if not isinstance(entry, dict):
        raise LanguageHelpError(f"{where}: must be a table with name and text")
    extra = set(entry) - {"name", "text", "dir"}
    if extra:
        raise LanguageHelpError(f"{where}: unknown key {', '.join(sorted(extra))}")
    for key in ("name", "text"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise LanguageHelpError(f"{where}: {key} must be a non-empty string")
    direction = entry.get("dir", "ltr")
    if direction not in DIRECTIONS:
        raise LanguageHelpError(f'{where}: dir must be "ltr" or "rtl"')
    text = entry["text"]
    if text.count("{") != 1 or text.count("}") != 1 or "{" + PLACEHOLDER + "}" not in text:
        raise LanguageHelpError(f"{where}: text must hold {{{PLACEHOLDER}}} once, and no other braces")
    return TaglineText(code=code, name=entry["name"].strip(), text=text.strip(), dir=direction)
