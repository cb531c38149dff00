"""Password hashes: Werkzeug's scrypt. Nothing in the environment can weaken it; only the test suite
swaps in a cheap method (``use_password_hash_method``), since it hashes thousands of passwords.

The hash that a sign-in with an unknown email is checked against is made on first use, not at import:
an import-time scrypt hash costs every worker start 32 MB and tens of milliseconds.
"""

from __future__ import annotations

from functools import cache

from werkzeug.security import check_password_hash, generate_password_hash

STRONG_METHOD = "scrypt"
_method = STRONG_METHOD


def use_password_hash_method(method: str) -> None:
    """For the test suite only: hash new passwords with ``method`` (a Werkzeug method name)."""
    global _method
    generate_password_hash("check the method", method=method)
    _method = method


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_method)


def password_matches(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


def spend_a_password_check(password: str) -> None:
    """Do the work of one password check, so a wrong email takes as long as a wrong password."""
    check_password_hash(_stand_in_hash(_method), password)


@cache
def _stand_in_hash(method: str) -> str:
    return generate_password_hash("not a real password", method=method)
