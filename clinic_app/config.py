"""Settings read from the environment, with defaults that run the app with no configuration at all.

Every setting is documented in the README. Tests pass overrides to ``create_app`` instead of setting
environment variables, so one process can build differently configured apps side by side.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise RuntimeError(f"{name} must be a whole number, not {raw!r}") from error


def _dollars(environ: Mapping[str, str], name: str, default: str) -> Decimal:
    raw = environ.get(name, "").strip().lstrip("$") or default
    try:
        amount = Decimal(raw)
    except InvalidOperation as error:
        raise RuntimeError(f"{name} must be an amount in dollars, like 85 or 42.50, not {raw!r}") from error
    if not amount.is_finite() or amount < 0:
        raise RuntimeError(f"{name} must be an amount in dollars, like 85 or 42.50, not {raw!r}")
    return amount


def _choice(environ: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = environ.get(name, "").strip().lower() or default
    if value not in allowed:
        raise RuntimeError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _list(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def embed_origins(values: list[str]) -> list[str]:
    """Sites that may frame the form, as origins (scheme, host, port): a mistake stops the start."""
    origins = []
    for value in values:
        origin = value.rstrip("/")
        if not re.fullmatch(r"https?://[a-z0-9.-]+(:\d{1,5})?", origin, flags=re.IGNORECASE):
            raise RuntimeError(
                f"EMBED_ALLOWED_ORIGINS: {value!r} is not a site address like https://www.yourclinic.com"
                " (no path, no wildcard)"
            )
        origins.append(origin.lower())
    return origins


def database_url(raw: str) -> str:
    """Let a plain ``postgresql://`` URL (as hosting providers hand out) use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def secret_key(instance_path: Path) -> str:
    """Return a secret key kept in the instance folder, creating one on first run.

    The instance folder is git-ignored, so the key never reaches the repository, and it survives
    restarts so that sessions and confirmation links stay valid.
    """
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.touch(mode=0o600)
    key_file.write_text(key)
    return key


DEFAULT_IN_NETWORK = (
    "original_medicare,medicare_advantage,apple_health,"
    "premera,regence,lifewise,providence,moda,pacificsource,aetna,cigna,unitedhealthcare"
)


def load_config(instance_path: Path, environ: Mapping[str, str] = os.environ) -> dict[str, object]:
    get = environ.get
    public_base_url = (get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    default_db = f"sqlite:///{instance_path / 'clinic.sqlite3'}"
    return {
        "SECRET_KEY": get("SECRET_KEY") or secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(get("DATABASE_URL") or default_db),
        # Mail: SMTP when MAIL_SERVER is set, otherwise .eml files under MAIL_FILE_DIR.
        "MAIL_SERVER": get("MAIL_SERVER", ""),
        "MAIL_PORT": _int(environ, "MAIL_PORT", 25),
        "MAIL_USERNAME": get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _flag(get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _flag(get("MAIL_USE_SSL")),
        "MAIL_TIMEOUT_SECONDS": _int(environ, "MAIL_TIMEOUT_SECONDS", 20),
        # A certificate authority file for a mail server with a private certificate (optional).
        "MAIL_CA_FILE": get("MAIL_CA_FILE", ""),
        # How much of a request the staff email carries: full, summary (no health or insurance
        # details) or link (only a link to the dashboard).
        "MAIL_PHI": _choice(environ, "MAIL_PHI", ("full", "summary", "link"), "full"),
        "MAIL_FROM": get("MAIL_FROM") or "Clinic requests <requests@localhost>",
        "MAIL_FILE_DIR": get("MAIL_FILE_DIR") or str(instance_path / "mail"),
        "STAFF_EMAILS": _list(get("STAFF_EMAILS")) or ["frontdesk@localhost"],
        # Outbox: "thread" drains it inside the web process; "off" leaves it to `flask outbox run`.
        "OUTBOX_WORKER": get("OUTBOX_WORKER", "thread"),
        "OUTBOX_POLL_SECONDS": _int(environ, "OUTBOX_POLL_SECONDS", 10),
        "OUTBOX_MAX_ATTEMPTS": _int(environ, "OUTBOX_MAX_ATTEMPTS", 20),
        "PUBLIC_BASE_URL": public_base_url,
        "CLINIC_NAME": get("CLINIC_NAME") or "Cascade Headache & Neck Clinic",
        "CLINIC_PHONE": get("CLINIC_PHONE") or "(503) 555-0142",
        "CLINIC_ADDRESS": get("CLINIC_ADDRESS") or "1200 Main Street, Suite 210, Vancouver, WA 98660",
        "CLINIC_TIMEZONE": get("CLINIC_TIMEZONE") or "America/Los_Angeles",
        "CLINIC_RESPONSE_TIME": get("CLINIC_RESPONSE_TIME") or "one business day",
        # Prices used in the coverage note's cost estimate.
        "SELF_PAY_VISIT_FEE": _dollars(environ, "SELF_PAY_VISIT_FEE", "85"),
        "SELF_PAY_PACKAGE_VISITS": _int(environ, "SELF_PAY_PACKAGE_VISITS", 6),
        "SELF_PAY_PACKAGE_PRICE": _dollars(environ, "SELF_PAY_PACKAGE_PRICE", "450"),
        "PLAN_ALLOWED_AMOUNT": _dollars(environ, "PLAN_ALLOWED_AMOUNT", "65"),
        "MEDICARE_ALLOWED_AMOUNT": _dollars(environ, "MEDICARE_ALLOWED_AMOUNT", "46"),
        # Programs (coverage answers) and private carriers (carrier keys in the rules) the clinic takes.
        "CLINIC_IN_NETWORK": _list(get("CLINIC_IN_NETWORK", DEFAULT_IN_NETWORK)),
        "CLINIC_OFFERS_OMT": _flag(get("CLINIC_OFFERS_OMT")),
        "COVERAGE_RULES_FILE": get("COVERAGE_RULES_FILE", ""),
        "DATA_RETENTION_DAYS": _int(environ, "DATA_RETENTION_DAYS", 365),
        "STAFF_IDLE_MINUTES": _int(environ, "STAFF_IDLE_MINUTES", 30),
        "FORM_TOKEN_MINUTES": _int(environ, "FORM_TOKEN_MINUTES", 240),
        # A form sent sooner than this after it was shown is a bot's (people need time to read).
        "MIN_FILL_SECONDS": _int(environ, "MIN_FILL_SECONDS", 3),
        # Sites that may show the request form in an iframe, like https://www.yourclinic.com.
        "EMBED_ALLOWED_ORIGINS": embed_origins(_list(get("EMBED_ALLOWED_ORIGINS"))),
        "CONFIRMATION_LINK_MINUTES": _int(environ, "CONFIRMATION_LINK_MINUTES", 120),
        "MAX_CONTENT_LENGTH": 64 * 1024,
        # Rate limits per client address (Flask-Limiter); memory by default, e.g. redis://host:6379.
        "RATELIMIT_STORAGE_URI": get("RATELIMIT_STORAGE_URI") or "memory://",
        "RATELIMIT_FORM": get("RATELIMIT_FORM") or "5 per minute;30 per hour",
        "RATELIMIT_SIGN_IN": get("RATELIMIT_SIGN_IN") or "5 per minute;30 per hour",
        "RATELIMIT_HEADERS_ENABLED": True,
        # How many reverse proxies stand in front of the app; X-Forwarded-For is trusted only that far.
        "PROXY_COUNT": _int(environ, "PROXY_COUNT", 0),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Secure cookies when the app is reached over HTTPS (or when set explicitly).
        "SESSION_COOKIE_SECURE": _flag(
            get("SESSION_COOKIE_SECURE"), default=public_base_url.startswith("https://")
        ),
        "WTF_CSRF_TIME_LIMIT": 4 * 3600,
    }
