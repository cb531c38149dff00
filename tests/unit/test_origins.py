"""Which page origins count as this app's own."""

from __future__ import annotations

from clinic_app.web.form_tokens import same_machine_origins


def test_on_loopback_localhost_and_127_0_0_1_are_one_origin():
    assert same_machine_origins("http://127.0.0.1:5101") == {"http://127.0.0.1:5101", "http://localhost:5101"}
    assert same_machine_origins("https://forms.clinic.example") == {"https://forms.clinic.example"}
