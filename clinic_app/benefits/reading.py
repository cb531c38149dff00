"""From pasted or uploaded text to the segments of one 271 transaction, with pyx12 doing the X12.

pyx12 finds the delimiters in the ISA segment, splits the segments, and checks the envelope: ISA
against IEA, GS against GE, ST against SE, their counts and control numbers, and the HL numbering.
Its 5010 control map checks the values of ISA, GS, GE and IEA. pyx12 4.0.0 ships no map of the
005010X279A1 271 itself (azoner/pyx12 issue 60, pull request 183 not merged), so what a 271 must
hold beyond its envelope is checked here, and only as far as the benefits mapping needs it.
"""

from __future__ import annotations

import functools
import io
import time
from dataclasses import dataclass

import pyx12.errors  # type: ignore[import-untyped]
import pyx12.map_if  # type: ignore[import-untyped]
import pyx12.params  # type: ignore[import-untyped]
import pyx12.segment  # type: ignore[import-untyped]
import pyx12.x12file  # type: ignore[import-untyped]

from clinic_app.benefits.errors import BenefitsFileError

# A 271 for one patient is a few kilobytes; a megabyte is a batch or not a 271 at all, and reading
# it would hold a web worker for nothing.
MAX_BYTES = 1024 * 1024
# A 271 for one patient holds tens to a few hundred segments (a CMS HETS answer about 150, the
# largest of 23 real ones 157; a payer listing every service type a thousand or so) and four or five
# levels (HL). pyx12's work grows with the segments and their elements, and with the square of the
# levels, so all three are counted before it reads anything, and the reading stops past a time
# budget: a staff paste must never hold a web worker the public form needs. At these bounds the
# costliest paste reads in about 0.2 s (bench/benefits_paste.py --paste widest).
MAX_SEGMENTS = 2500
MAX_ELEMENTS = 30_000
MAX_LEVELS = 50
MAX_SECONDS = 1.5

SUPPORTED_VERSIONS = frozenset({"005010X279A1", "005010X279"})

TOO_LARGE = "This file is too large to be a 271 eligibility response (over 1 MB)."
EMPTY = "The file is empty: paste or upload the 271 eligibility response."
BINARY = (
    "This is not an X12 file: it holds binary data (it may be a PDF, an image or a document). "
    "Upload the 271 text file itself."
)
NOT_X12 = "This is not an X12 file: it should start with ISA."
ISA_DAMAGED = (
    "The first segment (ISA) of this file is damaged: it must be exactly 106 characters long. "
    "Spaces may have been lost when it was copied; upload the file itself instead."
)
SAME_SEPARATOR = (
    "The first segment (ISA) of this file uses {character} as both the {first} and the {second}, "
    "so its parts cannot be told apart. Ask the eligibility service for the file again."
)
TOO_MANY_SEGMENTS = (
    "This file holds {count:,} segments; a 271 for one patient holds a few hundred at most. "
    "If it is a batch of many patients, paste one patient's response."
)
TOO_MANY_ELEMENTS = (
    "This file holds {count:,} elements; a 271 for one patient holds a few thousand at most. "
    "If it is a batch of many patients, paste one patient's response."
)
TOO_MANY_LEVELS = (
    "This file holds {count:,} levels (HL segments); a 271 for one patient holds a handful. "
    "If it is a batch of many patients, paste one patient's response."
)
TOO_SLOW = (
    "This file took too long to read to be one patient's 271. "
    "If it is a batch of many patients, paste one patient's response."
)
OLD_VERSION = (
    "This is an old 4010 eligibility response; the clinic reads only the 5010 version "
    "(005010X279A1). Ask the eligibility service for a 5010 response."
)
UNKNOWN_VERSION = (
    "This 271 is not in the 5010 format (005010X279A1) that eligibility services send. "
    "Ask the eligibility service for a 5010 response."
)
CUT_SHORT = (
    "This 271 is incomplete: it stops before its closing segments (SE, GE, IEA). It may have been "
    "cut off when it was copied; paste or upload the whole file."
)
WRONG_SEGMENT_COUNT = (
    "This 271 is damaged: the number of segments its SE trailer gives does not match the file. "
    "Ask the eligibility service for it again."
)
ENVELOPE_MISMATCH = (
    "This 271 is damaged: its closing segments (SE, GE, IEA) do not match its opening ones "
    "(ST, GS, ISA). Ask the eligibility service for it again."
)
ENVELOPE_VALUES = (
    "This 271 is damaged: its ISA or GS segment holds values X12 does not allow. "
    "Ask the eligibility service for it again."
)
HL_ORDER = (
    "This 271 is damaged: its levels (HL segments) are numbered out of order. "
    "Ask the eligibility service for it again."
)
BAD_SEGMENT = (
    "This 271 is damaged: it holds a segment that is not X12. Ask the eligibility service for it again."
)
OUT_OF_ORDER = (
    "This 271 is damaged: its segments are not in the order X12 requires (a missing GS, an extra GE "
    "or IEA, or an empty segment). Ask the eligibility service for it again."
)
NO_TRANSACTION = "This X12 file holds no transaction (no ST segment)."
IS_270 = "This file is not a 271 eligibility response: it is a 270 request."
IS_835 = "This file is not a 271 eligibility response: it is an 835 payment remittance."
IS_837 = "This file is not a 271 eligibility response: it is an 837 claim."
IS_CLAIM_STATUS = "This file is not a 271 eligibility response: it is a 276 or 277 claim status file."
IS_ACKNOWLEDGMENT = (
    "This file is not a 271 eligibility response: it is an acknowledgment (999, 997 or TA1) of a file sent."
)
IS_OTHER_TRANSACTION = "This file is not a 271 eligibility response: it is another kind of X12 file."
MISSING_PARTS = (
    "This 271 is missing parts every eligibility response has (its BHT header, the payer or the "
    "patient). Ask the eligibility service for it again."
)

_OTHER_TRANSACTIONS = {
    "270": IS_270,
    "835": IS_835,
    "837": IS_837,
    "276": IS_CLAIM_STATUS,
    "277": IS_CLAIM_STATUS,
    "999": IS_ACKNOWLEDGMENT,
    "997": IS_ACKNOWLEDGMENT,
    "TA1": IS_ACKNOWLEDGMENT,
}

# pyx12's (kind, code) for each problem, most telling first: a file cut short also has unmatched
# trailers, and saying it was cut short tells staff what to do.
_CUT_SHORT_ERRORS = frozenset({("st", "2"), ("gs", "3"), ("isa", "023"), ("isa", "024")})
_SEGMENT_COUNT_ERRORS = frozenset({("st", "4")})
_ENVELOPE_ERRORS = frozenset(
    {("isa", "001"), ("isa", "021"), ("isa", "025"), ("gs", "4"), ("gs", "5"), ("gs", "6")}
    | {("st", "3"), ("st", "23")}
)
_HL_ERRORS = frozenset({("seg", "HL1"), ("seg", "HL2")})
_BAD_SEGMENT_ERRORS = frozenset({("seg", "1"), ("seg", "8")})
# Real files come with these, and they change nothing a reader needs: a space before a segment
# (pyx12 drops it) and empty elements at a segment's end.
_TOLERATED_MESSAGES = ("Segment contains a leading space", "Segment contains trailing element terminators")

_CONTROL_SEGMENT_PATHS = {
    "ISA": "/ISA_LOOP/ISA",
    "GS": "/ISA_LOOP/GS_LOOP/GS",
    "GE": "/ISA_LOOP/GS_LOOP/GE",
    "IEA": "/ISA_LOOP/IEA",
}


@dataclass(frozen=True)
class Transaction:
    """The segments of one 271, ST to SE, and the separator of repeated values (ISA11; "" for none)."""

    segments: tuple[pyx12.segment.Segment, ...]
    repetition_separator: str


def read_transaction(text: str) -> Transaction:
    """The first 271 transaction of ``text``, its envelope checked; BenefitsFileError otherwise."""
    text = _plain_text(text)
    # A 4010 file is refused as one even when its ISA is damaged too: a 5010 answer is needed anyway.
    if _isa_version(text) == "00401":
        raise BenefitsFileError(OLD_VERSION, "ISA12 is 00401")
    try:
        reader = pyx12.x12file.X12Reader(io.StringIO(text))
    except pyx12.errors.X12Error as error:
        raise BenefitsFileError(ISA_DAMAGED, str(error)) from None
    _refuse_shared_separators(reader)
    if not _delimiters_look_right(reader):
        raise BenefitsFileError(ISA_DAMAGED, f"delimiters read from ISA: {reader.get_term()!r}")
    _refuse_oversized(text, reader.seg_term, reader.ele_term)
    try:
        segments = _within_budget(reader)
        reader.cleanup()
        errors = reader.pop_errors()
    except (pyx12.errors.X12Error, pyx12.errors.EngineError) as error:
        raise BenefitsFileError(ISA_DAMAGED, str(error)) from None
    except (IndexError, KeyError, ValueError, TypeError, AttributeError) as error:
        # pyx12 trips over some envelopes out of order (no GS, an extra GE or IEA) and over an empty
        # segment, where it expects one: the file's shape, not ours, so the staff's words say so.
        raise BenefitsFileError(OUT_OF_ORDER, f"pyx12: {error!r}") from None
    _refuse_envelope_errors(errors)
    _refuse_bad_control_values(segments)
    transaction = _first_transaction(segments)
    _refuse_missing_parts(transaction)
    return Transaction(transaction, _repetition_separator(reader))


def _isa_version(text: str) -> str:
    """ISA12 counted by its separator (the character after "ISA"), not by position: for telling a
    4010 file whose ISA lost or gained characters. ISA01 to ISA12 never hold the separator."""
    elements = text[:200].split(text[3:4] or "*")
    return elements[12] if len(elements) > 12 else ""


def _plain_text(text: str) -> str:
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise BenefitsFileError(TOO_LARGE)
    # A byte order mark and blank lines before ISA come from editors and portals, not from X12.
    text = text.lstrip("\ufeff \t\r\n")
    if not text.strip():
        raise BenefitsFileError(EMPTY)
    # U+FFFD is what undecodable bytes became when the view read an upload as text.
    if "\x00" in text or "\ufffd" in text:
        raise BenefitsFileError(BINARY)
    if not text.startswith("ISA"):
        raise BenefitsFileError(NOT_X12, f"starts with {text[:20]!r}")
    return text


_SEPARATOR_NAMES = (
    ("seg_term", "segment terminator"),
    ("ele_term", "element separator"),
    ("subele_term", "component separator"),
    ("repetition_term", "repetition separator"),
)


def _refuse_shared_separators(reader: pyx12.x12file.X12Reader) -> None:
    """Two of ISA's four separators given the same character: say which, not "damaged"."""
    seen: dict[str, str] = {}
    for attribute, name in _SEPARATOR_NAMES:
        character = getattr(reader, attribute, None)
        if not character or character.isalnum():
            continue
        if character in seen:
            shown = {"\n": "a line break", "\r": "a line break", " ": "a space"}.get(
                character, f"“{character}”"
            )
            message = SAME_SEPARATOR.format(character=shown, first=seen[character], second=name)
            raise BenefitsFileError(message, f"ISA separators: {reader.get_term()!r}")
        seen[character] = name


def _refuse_oversized(text: str, segment_terminator: str, element_separator: str) -> None:
    """Count segments, elements and levels (HL) before pyx12 reads them; see MAX_SEGMENTS."""
    segments = text.split(segment_terminator)
    if len(segments) > MAX_SEGMENTS:
        raise BenefitsFileError(TOO_MANY_SEGMENTS.format(count=len(segments)), "segment count")
    elements = text.count(element_separator)
    if elements > MAX_ELEMENTS:
        raise BenefitsFileError(TOO_MANY_ELEMENTS.format(count=elements), "element count")
    levels = sum(1 for segment in segments if segment.lstrip().startswith("HL" + element_separator))
    if levels > MAX_LEVELS:
        raise BenefitsFileError(TOO_MANY_LEVELS.format(count=levels), "HL count")


def _within_budget(reader: pyx12.x12file.X12Reader) -> tuple[pyx12.segment.Segment, ...]:
    deadline = time.monotonic() + MAX_SECONDS
    segments = []
    for segment in reader:
        segments.append(segment)
        if time.monotonic() > deadline:
            raise BenefitsFileError(TOO_SLOW, f"stopped after {len(segments)} segments")
    return tuple(segments)


def _delimiters_look_right(reader: pyx12.x12file.X12Reader) -> bool:
    """An ISA that lost or gained characters hands pyx12 a letter or digit as a delimiter; it cannot
    tell, since it reads them by position. The repetition separator (ISA11) alone may be a letter:
    some 5010 senders keep 4010's "U" there, and then no value repeats."""
    delimiters = [reader.seg_term, reader.ele_term, reader.subele_term]
    return all(delimiters) and len(set(delimiters)) == 3 and not any(d.isalnum() for d in delimiters)


def _repetition_separator(reader: pyx12.x12file.X12Reader) -> str:
    separator = reader.repetition_term or ""
    return "" if separator.isalnum() else separator


def _refuse_envelope_errors(errors: list[tuple[str, str, str, str | None, int | None]]) -> None:
    found = [
        (kind, code, text)
        for kind, code, text, _value, _line in errors
        if not text.startswith(_TOLERATED_MESSAGES)
    ]
    if not found:
        return
    detail = "; ".join(text for _kind, _code, text in found)
    kinds = {(kind, code) for kind, code, _text in found}
    for known, message in (
        (_CUT_SHORT_ERRORS, CUT_SHORT),
        (_SEGMENT_COUNT_ERRORS, WRONG_SEGMENT_COUNT),
        (_ENVELOPE_ERRORS, ENVELOPE_MISMATCH),
        (_HL_ERRORS, HL_ORDER),
        (_BAD_SEGMENT_ERRORS, BAD_SEGMENT),
    ):
        if kinds & known:
            raise BenefitsFileError(message, detail)
    raise BenefitsFileError(ENVELOPE_MISMATCH, detail)


@functools.cache
def _control_map() -> pyx12.map_if.map_if:
    return pyx12.map_if.load_map_file("x12.control.00501.xml", pyx12.params.ParamsBase())


def _refuse_bad_control_values(segments: tuple[pyx12.segment.Segment, ...]) -> None:
    problems: list[str] = []
    for segment in segments:
        path = _CONTROL_SEGMENT_PATHS.get(segment.get_seg_id() or "")
        node = _control_map().getnodebypath(path) if path else None
        if not isinstance(node, pyx12.map_if.segment_if):
            continue
        _valid, errors = node.is_valid_errors(segment)
        # The control map lists the 5010 guides pyx12 has maps for, and X279A1 is not among them;
        # GS08 is checked against the guides this package reads, in _first_transaction.
        problems += [error.err_str for error in errors if error.refdes != "GS08"]
    if problems:
        raise BenefitsFileError(ENVELOPE_VALUES, "; ".join(problems))


def _first_transaction(
    segments: tuple[pyx12.segment.Segment, ...],
) -> tuple[pyx12.segment.Segment, ...]:
    group_version = ""
    start = None
    for index, segment in enumerate(segments):
        seg_id = segment.get_seg_id()
        if seg_id == "GS":
            group_version = segment.get_value("GS08") or ""
        elif seg_id == "ST":
            start = index
            break
    if start is None:
        raise BenefitsFileError(NO_TRANSACTION)
    header = segments[start]
    transaction_type = header.get_value("ST01") or ""
    if transaction_type != "271":
        message = _OTHER_TRANSACTIONS.get(transaction_type, IS_OTHER_TRANSACTION)
        raise BenefitsFileError(message, f"ST01 is {transaction_type!r}")
    version = header.get_value("ST03") or group_version
    if version.startswith("004010"):
        raise BenefitsFileError(OLD_VERSION, f"version {version!r}")
    if version not in SUPPORTED_VERSIONS:
        raise BenefitsFileError(UNKNOWN_VERSION, f"version {version!r}")
    # pyx12 has already refused a transaction without its SE, so there is one.
    end = next(i for i in range(start, len(segments)) if segments[i].get_seg_id() == "SE")
    return segments[start : end + 1]


def _refuse_missing_parts(transaction: tuple[pyx12.segment.Segment, ...]) -> None:
    seg_ids = [segment.get_seg_id() for segment in transaction]
    levels = {segment.get_value("HL03") for segment in transaction if segment.get_seg_id() == "HL"}
    # A question turned down for the payer or the provider (AAA in 2100A or 2100B) ends before the
    # patient's level, as the guide allows: the mapping says why.
    turned_down = "AAA" in seg_ids
    lacking = [
        name
        for name, present in (
            ("BHT", seg_ids[1:2] == ["BHT"]),
            ("HL 20 (payer)", "20" in levels),
            ("HL 22 (subscriber)", "22" in levels or turned_down),
        )
        if not present
    ]
    if lacking:
        raise BenefitsFileError(MISSING_PARTS, "missing: " + ", ".join(lacking))
