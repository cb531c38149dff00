"""English words inside a translated note, so a page can mark them as English for screen readers."""

from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape


def english_term_pieces(text: str, terms: Iterable[str]) -> list[tuple[str, bool]]:
    """The text cut into pieces, each with whether it is English.

    A piece is English (True) when it is exactly one of the terms, written inside round brackets, as in
    "deducible (deductible)"; the brackets stay in the pieces around it. Everything else, a term outside
    brackets included, is a piece in the note's own language (False). Empty pieces are left out, so the
    pieces joined give the text back.
    """
    wanted = sorted({term for term in terms if term}, key=len, reverse=True)
    if not wanted:
        return [(text, False)] if text else []
    pattern = re.compile(r"(?<=\()(" + "|".join(map(re.escape, wanted)) + r")(?=\))")
    pieces: list[tuple[str, bool]] = []
    start = 0
    for match in pattern.finditer(text):
        if match.start() > start:
            pieces.append((text[start : match.start()], False))
        pieces.append((match.group(), True))
        start = match.end()
    if start < len(text):
        pieces.append((text[start:], False))
    return pieces


def english_terms_marked(text: str, terms: Iterable[str]) -> Markup:
    """HTML for a text in another language with the English words it keeps in brackets ("deducible
    (deductible)") marked ``lang="en"``, so screen readers say them in English. Markup is kept as it
    is (a catalogue's text may hold a link); any other text is escaped first."""
    trusted = text if isinstance(text, Markup) else escape(text)
    return Markup("").join(
        Markup('<span lang="en">%s</span>') % Markup(piece) if english else Markup(piece)
        for piece, english in english_term_pieces(str(trusted), terms)
    )
