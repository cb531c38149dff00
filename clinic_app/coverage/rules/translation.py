"""The coverage rules in other languages: the English rules with each text laid over by id.

A translation file sits beside its rules file, ``<stem>.<language>.toml`` (``rules.es.toml`` for
``rules.toml``), and holds only texts: conditions, flags, estimates and sources always come from the
English file. A translation is refused at load time when it lacks a text the English has, names an id the
English does not have, or uses other placeholders, so a clinic finds out when the app starts, not when a
visitor reads the note. A clinic's own rules file has its own translation beside it, which must give every
text the clinic's file adds or changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from string import Formatter
from typing import Any

from clinic_app.coverage.rules.loading import (
    DEFAULT_RULES_PATH,
    TEXT_TABLES,
    RuleFileError,
    merge_rules,
    parse_rules,
    read_rules_file,
)
from clinic_app.coverage.rules.model import RuleBook

TRANSLATED = ("es",)
# The texts of each kind of entry, as the English file names them.
ENTRY_TEXTS = {"rule": ("headline", "paragraphs", "closing"), "caveat": ("text",)}
SINGLE_TEXTS = ("consultation", "closing", "checked_closing")
TRANSLATION_KEYS = {"translated_from", "english_terms", *SINGLE_TEXTS, *TEXT_TABLES, "carriers", *ENTRY_TEXTS}


def translation_path(path: Path, language: str) -> Path:
    """Where the translation of a rules file sits: ``rules.es.toml`` beside ``rules.toml``."""
    return path.with_name(f"{path.stem}.{language}.toml")


def load_rule_books(path: Path = DEFAULT_RULES_PATH, override: Path | None = None) -> dict[str, RuleBook]:
    """The rules in every language, {"en": ..., "es": ...}, each with a clinic's own file merged in.

    The clinic's file may have its translation beside it (``clinic-rules.es.toml``); it must give every
    text the clinic's file adds or changes.
    """
    path = Path(path)
    shipped = read_rules_file(path)
    data, label = shipped, str(path)
    extra: dict[str, Any] = {}
    if override is not None:
        extra = read_rules_file(Path(override))
        data, label = merge_rules(shipped, extra), f"{path} with {override}"
    english = parse_rules(data, source=label)
    books = {"en": english}
    for language in TRANSLATED:
        translation_file = translation_path(path, language)
        texts, where = read_rules_file(translation_file), str(translation_file)
        if override is not None:
            clinic_file = translation_path(Path(override), language)
            clinic_texts = read_rules_file(clinic_file) if clinic_file.exists() else {}
            require_changed_texts(shipped, extra, clinic_texts, texts, f"{clinic_file}", Path(override))
            texts, where = merge_translations(texts, clinic_texts), f"{translation_file} with {clinic_file}"
        check_translation(data, texts, where)
        books[language] = overlay(english, texts, language)
    return books


def merge_translations(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """A clinic's translation over the shipped one, as its rules merge: entries by id, tables by key.
    English terms are added to the shipped ones."""
    merged = merge_rules(base, extra)
    if "english_terms" in extra and isinstance(base.get("english_terms"), list):
        added = (
            extra["english_terms"] if isinstance(extra["english_terms"], list) else [extra["english_terms"]]
        )
        merged["english_terms"] = list(dict.fromkeys([*base["english_terms"], *added]))
    return merged


def require_changed_texts(
    shipped: dict[str, Any],
    extra: dict[str, Any],
    clinic_texts: dict[str, Any],
    shipped_texts: dict[str, Any],
    clinic_file: str,
    override: Path,
) -> None:
    """Refuse a clinic's rules whose new or changed texts its translation does not give.

    A text the clinic's file repeats unchanged keeps the shipped translation; so do carrier names the
    shipped translation does not translate (brand names).
    """
    absent = "" if Path(clinic_file).exists() else " (there is no such file)"

    def refuse(part: str) -> RuleFileError:
        return RuleFileError(
            f"{clinic_file}: {part} has no translation, but {override.name} sets this text{absent}"
        )

    for key in SINGLE_TEXTS:
        if key in extra and extra[key] != shipped.get(key) and key not in clinic_texts:
            raise refuse(key)
    for table in (*TEXT_TABLES, "carriers"):
        given = _as_table(clinic_texts.get(table))
        shipped_table = _as_table(shipped.get(table))
        for key, text in _as_table(extra.get(table)).items():
            if table == "carriers" and key not in _as_table(shipped_texts.get("carriers")):
                continue
            if text != shipped_table.get(key) and key not in given:
                raise refuse(f"[{table}] {key}")
    for kind, keys in ENTRY_TEXTS.items():
        given_entries = dict(_by_id(clinic_texts.get(kind)))
        shipped_entries = dict(_by_id(shipped.get(kind)))
        for entry_id, entry in _by_id(extra.get(kind)):
            for key in keys:
                same = key in entry and entry[key] == shipped_entries.get(entry_id, {}).get(key)
                if key in entry and not same and key not in given_entries.get(entry_id, {}):
                    raise refuse(f"{kind} {entry_id!r}, {key}")


def check_translation(english: dict[str, Any], texts: dict[str, Any], where: str) -> None:
    """Refuse a translation that is not in step with the English rules (already parsed, so well formed)."""
    unknown = sorted(texts.keys() - TRANSLATION_KEYS)
    if unknown:
        raise RuleFileError(f"{where}: {', '.join(unknown)}: only texts go in a translation")
    terms = texts.get("english_terms", [])
    if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
        raise RuleFileError(f"{where}: english_terms must be a list of texts")
    for key in SINGLE_TEXTS:
        _same_text(english[key], texts.get(key), f"{where}: {key}")
    for table in (*TEXT_TABLES, "carriers"):
        given = texts.get(table, {})
        if not isinstance(given, dict):
            raise RuleFileError(f"{where}: [{table}] must be a table")
        extra_keys = sorted(given.keys() - english[table].keys())
        if extra_keys:
            raise RuleFileError(f"{where}: [{table}] {extra_keys[0]} is not in the English rules")
        for key, text in english[table].items():
            if key in given or table != "carriers":
                _same_text(text, given.get(key), f"{where}: [{table}] {key}")
    for kind, keys in ENTRY_TEXTS.items():
        _check_entries(kind, keys, dict(_by_id(english.get(kind))), texts.get(kind, []), where)


def _check_entries(
    kind: str, keys: tuple[str, ...], english: dict[str, dict[str, Any]], given: Any, where: str
) -> None:
    if not isinstance(given, list) or not all(isinstance(e, dict) for e in given):
        raise RuleFileError(f"{where}: {kind} must be written as [[{kind}]] tables")
    translated: dict[str, dict[str, Any]] = {}
    for entry in given:
        entry_id = entry.get("id")
        if entry_id in translated:
            raise RuleFileError(f"{where}: {kind} id {entry_id!r} is used twice")
        if entry_id not in english:
            raise RuleFileError(f"{where}: {kind} {entry_id!r} is not in the English rules")
        others = sorted(entry.keys() - {"id", *keys})
        if others:
            raise RuleFileError(f"{where}: {kind} {entry_id!r}, {others[0]}: only texts go in a translation")
        translated[entry_id] = entry
    for entry_id, entry in english.items():
        if entry_id not in translated:
            raise RuleFileError(f"{where}: {kind} {entry_id!r} has no translation")
        for key in keys:
            here = f"{where}: {kind} {entry_id!r}, {key}"
            if key not in entry:
                if key in translated[entry_id]:
                    raise RuleFileError(f"{here}: the English rule has no {key}")
                continue
            if key == "paragraphs":
                _same_paragraphs(entry[key], translated[entry_id].get(key), here)
            else:
                _same_text(entry[key], translated[entry_id].get(key), here)


def _same_paragraphs(english: list[str], given: Any, where: str) -> None:
    if not isinstance(given, list) or len(given) != len(english):
        raise RuleFileError(f"{where} must be a list of {len(english)} texts, one for each English paragraph")
    for number, (text, translated) in enumerate(zip(english, given, strict=True), start=1):
        _same_text(text, translated, f"{where} {number}")


def _same_text(english: str, given: Any, where: str) -> None:
    if given is None:
        raise RuleFileError(f"{where} has no translation")
    if not isinstance(given, str) or not given.strip():
        raise RuleFileError(f"{where} must be a non-empty text")
    wanted, used = placeholders(english, where), placeholders(given, where)
    if used - wanted:
        names = ", ".join(f"{{{name}}}" for name in sorted(used - wanted))
        raise RuleFileError(f"{where} uses {names}, which the English text does not")
    if wanted - used:
        names = ", ".join(f"{{{name}}}" for name in sorted(wanted - used))
        raise RuleFileError(f"{where} leaves out {names}, which the English text uses")


def placeholders(text: str, where: str = "text") -> set[str]:
    """The {names} a text uses."""
    try:
        return {name for _, name, _, _ in Formatter().parse(text) if name is not None}
    except ValueError as error:
        raise RuleFileError(f"{where}: {error}") from error


def overlay(book: RuleBook, texts: dict[str, Any], language: str) -> RuleBook:
    """The book with its texts in another language (from a checked translation); the rest unchanged."""
    rules = dict(_by_id(texts.get("rule")))
    caveats = dict(_by_id(texts.get("caveat")))
    return replace(
        book,
        language=language,
        english_terms=tuple(texts.get("english_terms", ())),
        consultation=texts["consultation"],
        closing=texts["closing"],
        checked_closing=texts["checked_closing"],
        cost_sharing={**book.cost_sharing, **texts["cost_sharing"]},
        flags={**book.flags, **texts["flags"]},
        estimate={**book.estimate, **texts["estimate"]},
        carriers={**book.carriers, **texts.get("carriers", {})},
        rules=tuple(
            replace(
                rule,
                headline=rules[rule.id]["headline"],
                paragraphs=tuple(rules[rule.id]["paragraphs"]),
                closing=rules[rule.id]["closing"] if rule.closing is not None else None,
            )
            for rule in book.rules
        ),
        caveats=tuple(replace(caveat, text=caveats[caveat.id]["text"]) for caveat in book.caveats),
    )


def _by_id(entries: Any) -> Iterator[tuple[Any, dict[str, Any]]]:
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict):
            yield entry.get("id"), entry


def _as_table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
