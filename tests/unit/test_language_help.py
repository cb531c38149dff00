"""The "Language help" taglines: the shipped file, the phone filled in, and the refusals."""

from __future__ import annotations

import pytest

from clinic_app.language_help import LanguageHelpError, Tagline, load_taglines, taglines_for

PHONE = "(503) 555-0142"


def test_the_shipped_file_has_english_and_spanish_each_named_in_itself():
    shipped = load_taglines()
    assert {"en", "es"} <= shipped.keys()
    assert shipped["en"].name == "English"
    assert shipped["es"].name == "Español"
    assert all(tagline.text.count("{phone}") == 1 for tagline in shipped.values())


def test_the_phone_is_filled_in():
    english, spanish = taglines_for(["en", "es"], PHONE)
    assert english.text.endswith(f"Call {PHONE}.")
    assert spanish == Tagline(
        code="es",
        name="Español",
        text=f"ATENCIÓN: Si habla español, tiene a su disposición servicios gratuitos de asistencia "
        f"lingüística. Llame al {PHONE}.",
        before="ATENCIÓN: Si habla español, tiene a su disposición servicios gratuitos de asistencia "
        "lingüística. Llame al ",
        phone=PHONE,
        after=".",
    )
    assert "{phone}" not in english.text + spanish.text


def test_the_codes_order_is_kept_and_a_repeat_counted_once():
    assert [tagline.code for tagline in taglines_for(["es", "en", "es"], PHONE)] == ["es", "en"]


def test_an_unknown_code_is_refused_naming_it_and_the_codes_there_are():
    with pytest.raises(LanguageHelpError) as refused:
        taglines_for(["en", "fr", "xx"], PHONE)
    message = str(refused.value)
    assert "CLINIC_LANGUAGES" in message and "'fr'" in message and "'xx'" in message
    assert "en, es" in message
    assert isinstance(refused.value, ValueError)


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ('name = "Français"', "text must be a non-empty string"),
        ('name = "Français"\ntext = "ATTENTION. Appelez le 911."', "{phone} once"),
        ('name = "Français"\ntext = "Appelez le {phone} ou le {phone}."', "{phone} once"),
        ('name = "Français"\ntext = "Appelez le {telephone}."', "{phone} once"),
        ('name = "Français"\ntext = "Appelez le {phone}."\ndir = "up"', 'dir must be "ltr" or "rtl"'),
        ('name = "Français"\ntext = "Appelez le {phone}."\ncolour = "blue"', "unknown key colour"),
    ],
)
def test_a_malformed_entry_is_refused_naming_its_code(tmp_path, entry, complaint):
    path = tmp_path / "taglines.toml"
    path.write_text(f"[fr]\n{entry}\n", encoding="utf-8")
    with pytest.raises(LanguageHelpError, match=r"\[fr\]") as refused:
        load_taglines(path)
    assert complaint in str(refused.value)


def test_a_code_that_is_not_a_language_tag_is_refused(tmp_path):
    path = tmp_path / "taglines.toml"
    path.write_text('["Spanish"]\nname = "Español"\ntext = "Llame al {phone}."\n', encoding="utf-8")
    with pytest.raises(LanguageHelpError, match="not a language code"):
        load_taglines(path)


def test_a_right_to_left_language_says_so(tmp_path):
    path = tmp_path / "taglines.toml"
    path.write_text('[ar]\nname = "العربية"\ntext = "اتصل برقم {phone}."\ndir = "rtl"\n', encoding="utf-8")
    (arabic,) = taglines_for(["ar"], PHONE, load_taglines(path))
    assert arabic.dir == "rtl"
    assert arabic.text == f"اتصل برقم {PHONE}."


def test_an_unreadable_file_is_refused_naming_it(tmp_path):
    path = tmp_path / "taglines.toml"
    path.write_text("[es\n", encoding="utf-8")
    with pytest.raises(LanguageHelpError, match="cannot read the taglines"):
        load_taglines(path)
