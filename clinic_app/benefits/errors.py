"""The one exception the package raises, worded for the front desk."""

from __future__ import annotations


class BenefitsFileError(Exception):
    """A text that cannot be read as a 271 eligibility response.

    ``message`` is one sentence for front-desk staff, in English like every staff page. ``detail`` is what pyx12 or the reader found, in technical
    English, for a log or a "technical details" line: never shown as the message itself.
    """

    def __init__(self, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
