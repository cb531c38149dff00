"""The coverage note in Spanish: in step with the English rules, easy to read, terms explained, amounts
written by Babel, and a clinic's own rules refused at start-up when their Spanish is missing."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from string import Formatter
from types import SimpleNamespace

import pytest
import textstat
from babel.numbers import format_currency

from clinic_app.coverage import (
    AlsoMedicaid,
    Coverage,
    DeductibleStatus,
    RuleFileError,
    VisitType,
    build_note,
    dollars,
    english_term_pieces,
    load_rule_books,
    load_rules,
)
from clinic_app.coverage.rules import DEFAULT_RULES_PATH, model, translation_path
from clinic_app.intake.clinic_setup import coverage_rule_books, coverage_rules
from tests.unit.coverage_helpers import CLINIC, answers, every_note, sentences, text_of

SPANISH_PATH = translation_path(DEFAULT_RULES_PATH, "es")
BOOKS = load_rule_books()
SPANISH = BOOKS["es"]


# ---------------------------------------------------------------- In step with the English file


def texts_of(data: dict) -> dict[str, str]:
    """Every text a rules file (or its translation) gives, by where it sits: "rule 'x', headline"."""
    found = {key: data[key] for key in ("consultation", "closing", "checked_closing") if key in data}
    for table in ("cost_sharing", "flags", "estimate"):
        found.update({f"[{table}] {key}": text for key, text in data.get(table, {}).items()})
    for entry in data.get("rule", []):
        for key in ("headline", "closing"):
            if key in entry:
                found[f"rule {entry['id']!r}, {key}"] = entry[key]
        for number, paragraph in enumerate(entry.get("paragraphs", []), start=1):
            found[f"rule {entry['id']!r}, paragraph {number}"] = paragraph
    for entry in data.get("caveat", []):
        found[f"caveat {entry['id']!r}, text"] = entry["text"]
    return found


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


ENGLISH_DATA = tomllib.loads(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
SPANISH_DATA = tomllib.loads(SPANISH_PATH.read_text(encoding="utf-8"))


def test_every_english_text_has_its_spanish_and_nothing_else():
    english, spanish = texts_of(ENGLISH_DATA), texts_of(SPANISH_DATA)
    missing = sorted(english.keys() - spanish.keys())
    assert not missing, f"Write the Spanish for these texts of rules.toml in rules.es.toml: {missing}"
    unknown = sorted(spanish.keys() - english.keys())
    assert not unknown, f"rules.es.toml has texts rules.toml does not: {unknown}"
    assert SPANISH_DATA.get("carriers", {}).keys() <= ENGLISH_DATA["carriers"].keys()
    assert "other" in SPANISH_DATA["carriers"]


def test_the_spanish_texts_were_checked_against_this_version_of_the_english():
    assert SPANISH_DATA["translated_from"] == ENGLISH_DATA["version"], (
        "rules.toml has a new version: bring the Spanish of every text that changed up to date in "
        "rules.es.toml, then set its translated_from to the new version"
    )


def test_every_spanish_text_uses_the_same_placeholders_as_the_english():
    english, spanish = texts_of(ENGLISH_DATA), texts_of(SPANISH_DATA)
    differ = {
        where: (sorted(placeholders(english[where])), sorted(placeholders(text)))
        for where, text in spanish.items()
        if where in english and placeholders(english[where]) != placeholders(text)
    }
    assert not differ


def test_the_spanish_file_holds_only_texts():
    for kind, keys in (("rule", {"id", "headline", "paragraphs", "closing"}), ("caveat", {"id", "text"})):
        for entry in SPANISH_DATA[kind]:
            assert entry.keys() <= keys, entry["id"]


def test_the_spanish_book_is_the_english_rules_with_spanish_texts():
    english = BOOKS["en"]
    assert english == load_rules()
    assert (english.language, english.locale, english.english_terms) == ("en", "en_US", ())
    assert (SPANISH.language, SPANISH.locale) == ("es", "es_US")
    assert [r.id for r in SPANISH.rules] == [r.id for r in english.rules]
    assert [c.id for c in SPANISH.caveats] == [c.id for c in english.caveats]
    for spanish_rule, english_rule in zip(SPANISH.rules, english.rules, strict=True):
        assert spanish_rule.when == english_rule.when
        assert spanish_rule.sources == english_rule.sources
        assert spanish_rule.estimate == english_rule.estimate
        assert spanish_rule.headline != english_rule.headline
    assert SPANISH.carriers["other"] == "Otra"
    assert SPANISH.carriers["premera"] == english.carriers["premera"]
    assert SPANISH.sources == english.sources


def test_the_app_loads_both_books_from_its_settings():
    settings = SimpleNamespace(coverage_rules_file=None)
    books = coverage_rule_books(settings)
    assert set(books) == {"en", "es"}
    assert coverage_rules(settings) == books["en"]


# ---------------------------------------------------------------- Easy to read


@pytest.fixture
def spanish_textstat():
    """textstat's language is global: set Spanish for one test, and always put English back."""
    textstat.set_lang("es")
    try:
        yield textstat
    finally:
        textstat.set_lang("en")


SPANISH_NOTES = {text_of(note): note for note in every_note(SPANISH)}


def test_every_spanish_note_and_paragraph_reads_easily(spanish_textstat):
    """Fernandez-Huerta 70 or above ("bastante fácil"): for each whole note, and for each paragraph,
    caveat, estimate line and closing. Headlines are a few words each, too short to score alone."""
    assert len(SPANISH_NOTES) > 50
    scores = {text: spanish_textstat.fernandez_huerta(text) for text in SPANISH_NOTES}
    for note in SPANISH_NOTES.values():
        for part in [*note.paragraphs, *note.caveats, *note.estimate, note.closing]:
            scores[part] = spanish_textstat.fernandez_huerta(part)
    too_hard = {text: score for text, score in scores.items() if score < 70}
    assert not too_hard
    rules_seen = {rule_id for note in SPANISH_NOTES.values() for rule_id in note.rule_ids}
    assert rules_seen == {r.id for r in SPANISH.rules} | {c.id for c in SPANISH.caveats}


def test_the_english_grade_is_measured_in_english_again_afterwards():
    text = "You pay a set price."
    assert textstat.flesch_kincaid_grade(text) < 8


# ---------------------------------------------------------------- Insurance terms

# Each Spanish term: the English word it carries in brackets where a note first uses it, and words that
# explain it there (in the same sentence, the one before or the one after).
TERMS = {
    "deducible": (
        "deductible",
        (
            "lo que usted paga cada año antes de que su plan empiece a pagar",
            "lo que usted paga cada año antes de que medicare empiece a pagar",
        ),
    ),
    "copago": ("copay", ("cantidad fija",)),
    "coseguro": ("coinsurance", ("parte del costo", "esta parte se llama coseguro")),
    "referido": ("referral", ("nota de su médico principal",)),
    "autorización previa": ("prior authorization", ("aprobar antes su atención",)),
    "cuidado de mantenimiento": ("maintenance care", ("para que siga bien",)),
    "dentro de la red": ("in network", ("tiene un contrato con nosotros",)),
    "red de proveedores": ("network", ("tienen contrato",)),
    "estimado de buena fe": ("good faith estimate", ("lista por escrito de los costos",)),
    "aviso previo al beneficiario": ("advance beneficiary notice", ("usted lo pagaría",)),
    "máximo de gastos de bolsillo": ("out-of-pocket maximum", ("lo más que paga en un año",)),
    "plan de atención": ("plan of care", ("las visitas que solemos sugerir",)),
    "plan medigap": ("medicare supplement insurance", ("seguro extra para medicare",)),
}


def test_each_spanish_insurance_term_is_explained_and_given_in_english_where_it_first_appears():
    seen = set()
    for note in SPANISH_NOTES.values():
        parts = sentences(" ".join([*note.paragraphs, *note.caveats, *note.estimate, note.closing]))
        lowered = [part.lower() for part in parts]
        for term, (english, explanation) in TERMS.items():
            first = next((i for i, s in enumerate(lowered) if re.search(rf"\b{term}\b", s)), None)
            if first is None:
                continue
            seen.add(term)
            assert f"{term} ({english})" in lowered[first], (
                f"{term!r} does not carry ({english}) where it first appears: {parts[first]!r}"
            )
            nearby = " ".join(lowered[max(first - 1, 0) : first + 2])
            assert any(words in nearby for words in explanation), (
                f"{term!r} is not explained where it first appears: {parts[first]!r}"
            )
    assert seen == set(TERMS)


def bracketed(text: str) -> list[str]:
    return re.findall(r"\(([^()]*)\)", text)


def test_english_terms_list_every_word_the_spanish_texts_give_in_brackets():
    in_brackets = {word for text in texts_of(SPANISH_DATA).values() for word in bracketed(text)}
    assert in_brackets == set(SPANISH.english_terms)
    for text in SPANISH_NOTES:
        for piece, english in english_term_pieces(text, SPANISH.english_terms):
            assert not english or piece in SPANISH.english_terms


PROMISES = re.compile(r"\b(estará cubiert[oa]|pagará|garantiz\w*|cura\w*|san[ae]\w*)\b", re.IGNORECASE)


def test_no_spanish_note_promises_coverage_or_makes_medical_claims():
    for text in SPANISH_NOTES:
        assert not PROMISES.search(text), text


def test_a_spanish_note_says_what_the_english_one_does():
    visitor = answers(Coverage.ORIGINAL_MEDICARE, age=70, also_medicaid=AlsoMedicaid.NO)
    english, spanish = build_note(visitor, CLINIC), build_note(visitor, CLINIC, SPANISH)
    assert (spanish.status, spanish.rule_ids, spanish.sources) == (
        english.status,
        english.rule_ids,
        english.sources,
    )
    assert len(spanish.paragraphs) == len(english.paragraphs)
    assert len(spanish.estimate) == len(english.estimate)
    text = text_of(spanish)
    assert "La Parte B tiene un deducible (deductible): $283 en 2026." in text
    assert "Después, paga el 20% de cada visita, unos $9." in text
    assert "Medigap" in text
    consult = build_note(answers(Coverage.SELF_PAY, visit_type=VisitType.CONSULTATION), CLINIC, SPANISH)
    assert consult.paragraphs[0] == SPANISH.consultation
    assert (
        consult.closing
        == "Si una factura pasa su Estimado de Buena Fe por $400 o más, usted puede disputar la factura."
    )


# ---------------------------------------------------------------- Amounts


def test_dollars_are_written_by_babel_for_the_locale():
    assert dollars(Decimal(40)) == "$40"
    assert dollars(Decimal(1240)) == "$1,240"
    assert dollars(Decimal("42.5")) == "$42.50"
    assert dollars(Decimal(1240), "es_US") == "$1,240"
    assert dollars(Decimal("42.5"), "es_US") == format_currency(Decimal("42.50"), "USD", locale="es_US")
    assert dollars(Decimal(1240), "es_ES") == "1.240\xa0US$"


def test_a_spanish_notes_amounts_are_written_for_es_us():
    visitor = answers(
        Coverage.PRIVATE,
        carrier="premera",
        deductible_status=DeductibleStatus.NOT_MET,
        deductible_remaining=Decimal("1200"),
        copay=Decimal("42.5"),
    )
    text = text_of(build_note(visitor, CLINIC, SPANISH))
    assert "Sus primeros $1,200 van a su deducible." in text
    assert f"paga su copago de {dollars(Decimal('42.5'), 'es_US')} en cada visita" in text


def test_every_amount_in_a_note_follows_the_books_locale(monkeypatch):
    """es_US writes dollars as en_US does; another locale shows that every amount goes through Babel."""
    monkeypatch.setitem(model.LOCALES, "es", "es_ES")
    visitor = answers(
        Coverage.PRIVATE,
        carrier="premera",
        deductible_status=DeductibleStatus.NOT_MET,
        deductible_remaining=Decimal("1200"),
        copay=Decimal("42.5"),
    )
    text = text_of(build_note(visitor, CLINIC, SPANISH))
    assert "1.200\xa0US$" in text and "42,50\xa0US$" in text
    assert not re.search(r"\$\d", text)
    self_pay = text_of(build_note(answers(Coverage.APPLE_HEALTH), CLINIC, SPANISH))
    assert "85\xa0US$" in self_pay


# ---------------------------------------------------------------- English terms in a text


def test_english_term_pieces_marks_only_listed_terms_inside_brackets():
    terms = ["deductible", "copay", "network", "in network"]
    text = "Su deducible (deductible) y su copago (copay). Dentro de la red (in network); la red (network)."
    pieces = english_term_pieces(text, terms)
    assert pieces == [
        ("Su deducible (", False),
        ("deductible", True),
        (") y su copago (", False),
        ("copay", True),
        ("). Dentro de la red (", False),
        ("in network", True),
        ("); la red (", False),
        ("network", True),
        (").", False),
    ]
    assert "".join(piece for piece, _ in pieces) == text


@pytest.mark.parametrize(
    "text",
    [
        "A deductible is not in brackets here.",
        "Not a listed term: (deductibles), (Deductible), ( copay).",
        "(20%) and (QMB) are not listed.",
        "",
    ],
)
def test_english_term_pieces_leaves_other_text_alone(text):
    pieces = english_term_pieces(text, ["deductible", "copay"])
    assert all(not english for _, english in pieces)
    assert "".join(piece for piece, _ in pieces) == text


def test_english_term_pieces_with_no_terms_is_the_whole_text():
    assert english_term_pieces("Su deducible (deductible).", []) == [("Su deducible (deductible).", False)]
    assert english_term_pieces("Starts (copay)", ("copay",)) == [
        ("Starts (", False),
        ("copay", True),
        (")", False),
    ]


# ---------------------------------------------------------------- Refused translations


def copies(tmp_path, spanish_old: str = "", spanish_new: str = ""):
    """The shipped rules and their Spanish in tmp_path, the Spanish with one edit."""
    rules = tmp_path / "rules.toml"
    rules.write_text(DEFAULT_RULES_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    spanish = SPANISH_PATH.read_text(encoding="utf-8")
    assert spanish_old in spanish, "the test edits a line that exists"
    (tmp_path / "rules.es.toml").write_text(spanish.replace(spanish_old, spanish_new, 1), encoding="utf-8")
    return rules


def test_the_shipped_rules_load_from_a_copy(tmp_path):
    assert load_rule_books(copies(tmp_path))["es"] == SPANISH


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('id = "not-sure"', 'id = "not-shure"', "rule 'not-shure' is not in the English rules"),
        (
            'fuera de su red."\n',
            'fuera de su red."\n\n[[caveat]]\nid = "parking"\ntext = "Hay estacionamiento."\n',
            "caveat 'parking' is not in the English rules",
        ),
        ('headline = "Usted paga un precio fijo"\n', "", "rule 'self-pay', headline has no translation"),
        (
            'closing = "Si una factura pasa su Estimado',
            'headline2 = "Si una factura pasa su Estimado',
            "rule 'self-pay', headline2: only texts go in a translation",
        ),
        (
            'headline = "Usted paga un precio fijo"',
            'headline = "Usted paga un precio fijo"\nstatus = "unlikely"',
            "rule 'self-pay', status: only texts go in a translation",
        ),
        (
            "cuesta ${self_pay_fee}. También le podemos ayudar a buscar un proveedor que acepte",
            "cuesta ${self_pay_price}. También le podemos ayudar a buscar un proveedor que acepte",
            "rule 'apple-health-not-enrolled', paragraphs 2 uses {self_pay_price}, which the English text does not",
        ),
        (
            ": ${part_b_deductible} en 2026.",
            ": $283 en 2026.",
            "[cost_sharing] explain_medicare leaves out {part_b_deductible}",
        ),
        ("Son unos {amount}, con", "Son unos {total}, con", "[estimate] course uses {total}"),
        ('disclaimer = "Estas', 'disclaimers = "Estas', "[estimate] disclaimers is not in the English rules"),
        (
            "[carriers]\n",
            '[carriers]\nprimera = "Primera"\n',
            "[carriers] primera is not in the English rules",
        ),
        (
            '  "Está bien. Vamos a averiguar qué cubre su plan.",\n',
            "",
            "rule 'not-sure', paragraphs must be a list of 2 texts",
        ),
        ('closing = "Antes de su primera visita, revisamos', 'closure = "Antes', "closure: only texts go"),
        ("english_terms = [", "english_terms = [3, ", "english_terms must be a list of texts"),
    ],
)
def test_a_spanish_file_out_of_step_is_refused_with_a_clear_message(tmp_path, old, new, message):
    with pytest.raises(RuleFileError) as refused:
        load_rule_books(copies(tmp_path, old, new))
    assert message in str(refused.value)
    assert str(tmp_path / "rules.es.toml") in str(refused.value)
    assert "\n" not in str(refused.value)


def test_rules_without_a_spanish_file_are_refused(tmp_path):
    rules = copies(tmp_path)
    (tmp_path / "rules.es.toml").unlink()
    with pytest.raises(RuleFileError, match=r"rules\.es\.toml: cannot read the rules file"):
        load_rule_books(rules)


# ---------------------------------------------------------------- A clinic's own rules

NEW_RULE = """
[[rule]]
id = "first-choice"
when = { coverage = "private", carrier = "first_choice" }
status = "likely_covered"
headline = "Likely covered"
paragraphs = ["First Choice Health plans pay for spinal manipulation."]
estimate = "plan"
sources = ["rcw-48-43-045"]
"""

NEW_RULE_IN_SPANISH = """
[[rule]]
id = "first-choice"
headline = "Probablemente está cubierto"
paragraphs = ["Los planes de First Choice Health pagan la manipulación de la columna."]
"""


def clinic_files(tmp_path, rules: str, spanish: str | None = None):
    path = tmp_path / "clinic-rules.toml"
    path.write_text(rules, encoding="utf-8")
    if spanish is not None:
        (tmp_path / "clinic-rules.es.toml").write_text(spanish, encoding="utf-8")
    return path


def test_a_clinic_rule_without_spanish_is_refused_at_load_naming_file_rule_and_key(tmp_path):
    path = clinic_files(tmp_path, NEW_RULE)
    with pytest.raises(RuleFileError) as refused:
        load_rule_books(override=path)
    message = str(refused.value)
    assert message.startswith(f"{tmp_path / 'clinic-rules.es.toml'}: rule 'first-choice', headline")
    assert "clinic-rules.toml sets this text" in message and "there is no such file" in message
    assert "\n" not in message
    assert load_rules(override=path).rules[0].id == "first-choice", "the English alone still loads"


def test_a_clinic_rule_with_its_spanish_is_used_in_the_spanish_book(tmp_path):
    path = clinic_files(
        tmp_path,
        NEW_RULE + '\n[carriers]\nfirst_choice = "First Choice Health"\n',
        NEW_RULE_IN_SPANISH,
    )
    books = load_rule_books(override=path)
    assert books["en"].rules[0].headline == "Likely covered"
    assert books["es"].rules[0].headline == "Probablemente está cubierto"
    assert books["es"].rules[0].when == books["en"].rules[0].when
    assert books["es"].carriers["first_choice"] == "First Choice Health"
    assert books["es"].rules[1:] == SPANISH.rules


@pytest.mark.parametrize(
    ("rules", "spanish", "message"),
    [
        (
            '[flags]\nvisit_limit = "Your plan pays for {visit_limit} visits each year."\n',
            None,
            "clinic-rules.es.toml: [flags] visit_limit has no translation",
        ),
        (
            'closing = "Call us any time."\n',
            '[flags]\nvisit_limit = "El plan paga hasta {visit_limit} visitas al año."\n',
            "clinic-rules.es.toml: closing has no translation",
        ),
        (
            NEW_RULE.replace("Likely covered", "Covered"),
            NEW_RULE_IN_SPANISH.replace('headline = "Probablemente está cubierto"\n', ""),
            "clinic-rules.es.toml: rule 'first-choice', headline has no translation",
        ),
        (
            '[[caveat]]\nid = "parking"\ntext = "Parking is free behind the building."\n',
            "",
            "clinic-rules.es.toml: caveat 'parking', text has no translation",
        ),
        (
            '[[caveat]]\nid = "private-every-category"\ntext = "Most plans must include chiropractors."\n'
            'sources = ["rcw-48-43-045"]\n',
            None,
            "caveat 'private-every-category', text has no translation",
        ),
        ('[carriers]\nother = "Another plan"\n', "", "[carriers] other has no translation"),
        (
            NEW_RULE,
            NEW_RULE_IN_SPANISH.replace("la columna.", "la columna en {clinic_name}."),
            "rule 'first-choice', paragraphs 1 uses {clinic_name}, which the English text does not",
        ),
        (
            "version = 'clinic-1'\n",
            NEW_RULE_IN_SPANISH,
            "rule 'first-choice' is not in the English rules",
        ),
    ],
)
def test_a_clinic_file_whose_spanish_is_missing_or_wrong_is_refused(tmp_path, rules, spanish, message):
    with pytest.raises(RuleFileError) as refused:
        load_rule_books(override=clinic_files(tmp_path, rules, spanish))
    assert message in str(refused.value)
    assert "clinic-rules.es.toml" in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_clinic_file_that_changes_no_text_needs_no_spanish(tmp_path):
    shipped_self_pay = next(entry for entry in ENGLISH_DATA["rule"] if entry["id"] == "self-pay")
    rules = (
        'version = "clinic-1"\n'
        f"consultation = {ENGLISH_DATA['consultation']!r}\n"
        '[carriers]\nfirst_choice = "First Choice Health"\n'
        '[[rule]]\nid = "self-pay"\nwhen = { coverage = "self_pay" }\nstatus = "unlikely"\n'
        f"headline = {shipped_self_pay['headline']!r}\n"
        f"paragraphs = {shipped_self_pay['paragraphs']!r}\n"
        f"closing = {shipped_self_pay['closing']!r}\n"
        'estimate = "self_pay"\nsources = ["cfr-149-610", "cfr-149-620"]\n'
    )
    books = load_rule_books(override=clinic_files(tmp_path, rules))
    assert books["en"].version == books["es"].version == "clinic-1"
    assert books["es"].rules == SPANISH.rules
    assert books["es"].carriers["first_choice"] == "First Choice Health"
