"""What a 271 eligibility response (X12 005010X279A1) says about chiropractic benefits.

``read_271(text)`` reads a 271 that front-desk staff pasted or uploaded and returns an
``EligibilityBenefits``, or raises ``BenefitsFileError`` with a sentence for staff. pyx12 reads the
X12 (reading.py); the figures come from our own mapping of EB, HSD and MSG (mapping.py). No Flask.
"""

from __future__ import annotations

from clinic_app.benefits.errors import BenefitsFileError
from clinic_app.benefits.mapping import map_benefits
from clinic_app.benefits.model import EligibilityBenefits
from clinic_app.benefits.reading import read_transaction

__all__ = ["BenefitsFileError", "EligibilityBenefits", "read_271"]


def read_271(text: str) -> EligibilityBenefits:
    """The chiropractic figures of the 271 in ``text``; BenefitsFileError when it is not one."""
    return map_benefits(read_transaction(text))
