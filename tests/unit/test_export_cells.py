import pytest

from clinic_app.casework.export import safe_cell


@pytest.mark.parametrize(
    "risky", ["=1+1", "+1 503 555", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")']
)
def test_cells_a_spreadsheet_would_run_are_neutralized(risky):
    assert safe_cell(risky) == "'" + risky


@pytest.mark.parametrize("plain", ["Ana Díaz", "ana@example.com", "(503) 555-0142", "", "41", "1=1"])
def test_ordinary_cells_are_left_alone(plain):
    assert safe_cell(plain) == plain


def test_numbers_and_none_become_text():
    assert safe_cell(8) == "8"
    assert safe_cell(None) == ""
