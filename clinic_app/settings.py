"""The app's settings: one typed, frozen ``Settings``, read once from the environment and checked.

Every setting has a default that runs the app with no configuration at all, and every one is
documented in the README. A mistake stops the start with a ``SettingsError`` whose message is one line
naming the variable and what is wrong; ``wsgi.py`` prints it and exits with status 2. No Flask here:
operations are handed the settings (or the parts they need) explicitly.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from email.utils import parseaddr
from pathlib import Path
from typing import Literal, cast, get_args
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

MailPHI = Literal["full", "summary", "link"]
OutboxWorkerMode = Literal["thread", "off"]

DEFAULT_IN_NETWORK = (
    "original_medicare,medicare_advantage,apple_health,"
    "premera,regence,lifewise,providence,moda,pacificsource,aetna,cigna,unitedhealthcare"
)


class SettingsError(RuntimeError):
    """A setting cannot be used; the message names the variable and says what is wrong, in one line."""


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    # Secrets stay out of repr(), so no traceback, log line or error report ever shows them.
    secret_key: str = field(repr=False)
    database_url: str = field(repr=False)
    public_base_url: str

    # Mail: SMTP when mail_server is set, otherwise .eml files under mail_file_dir.
    mail_server: str
    mail_port: int
    mail_username: str
    mail_password: str = field(repr=False)
    mail_use_tls: bool
    mail_use_ssl: bool
    mail_timeout_seconds: int
    # A certificate authority file for a mail server with a private certificate (optional).
    mail_ca_file: str
    # How much of a request the staff email carries: full, summary (no health or insurance details)
    # or link (only a link to the dashboard).
    mail_phi: MailPHI
    # Send emails with health details over SMTP without TLS anyway: only for a mail server on this
    # machine or a private network that never leaves it.
    mail_allow_plain_smtp: bool
    mail_from: str
    mail_file_dir: Path
    staff_emails: tuple[str, ...]
    # "thread" drains the outbox inside the web process; "off" leaves it to `flask outbox run`.
    outbox_worker: OutboxWorkerMode
    outbox_poll_seconds: int
    outbox_max_attempts: int
    # How many connections to the mail server a worker sends on at once (one connection per share).
    outbox_send_connections: int

    clinic_name: str
    clinic_phone: str
    clinic_address: str
    clinic_timezone: str
    # How soon the front desk replies, as patients read it, per language of the app ("en", "es").
    clinic_response_time: Mapping[str, str]
    # The languages the clinic offers help in (the "Language help" line on every public page), as
    # language codes with a tagline in clinic_app/language_help.toml; checked when the app starts.
    clinic_languages: tuple[str, ...]
    # Prices used in the coverage note's cost estimate.
    self_pay_visit_fee: Decimal
    self_pay_package_visits: int
    self_pay_package_price: Decimal
    plan_allowed_amount: Decimal
    medicare_allowed_amount: Decimal
    new_patient_exam_fee: Decimal
    # The clinic's usual plan of care, in visits (the estimate's course total): the clinic's own, not a
    # study's.
    plan_of_care_visits: int
    # Booking the free consultation: its length, the gap kept between bookings, the shortest notice and
    # how far ahead visitors may book, in minutes and days.
    booking_length_minutes: int
    booking_buffer_minutes: int
    booking_min_notice_minutes: int
    booking_horizon_days: int
    # How long before a booked consultation the patient's reminder email leaves; 0 sends none.
    booking_reminder_hours: int
    # Whether visitors may book the new-patient appointment too (otherwise it stays a request), and
    # its length.
    booking_new_patient: bool
    booking_new_patient_length_minutes: int
    # Programs (coverage answers) and private carriers (carrier keys in the rules) the clinic takes;
    # checked against the rules when the app starts.
    clinic_in_network: frozenset[str]
    clinic_offers_omt: bool
    coverage_rules_file: Path | None

    data_retention_days: int
    staff_idle_minutes: int
    form_token_minutes: int
    # A form sent sooner than this after it was shown is a bot's (people need time to read).
    min_fill_seconds: int
    # Sites that may show the request form in an iframe, as origins like https://www.yourclinic.com.
    embed_allowed_origins: tuple[str, ...]
    confirmation_link_minutes: int

    # Rate limits per client address (Flask-Limiter); memory by default, e.g. redis://host:6379.
    ratelimit_enabled: bool
    ratelimit_storage_uri: str
    ratelimit_form: str
    ratelimit_sign_in: str
    # 271 checks (pasted or uploaded) per signed-in staff account, not per address.
    ratelimit_benefits_check: str
    # How many reverse proxies stand in front of the app; X-Forwarded-For is trusted only that far.
    proxy_count: int
    session_cookie_secure: bool

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str] | None = None, instance_path: Path | None = None
    ) -> Settings:
        """Read and check every setting; raises SettingsError naming the first variable that is wrong."""
        env = _Environ(os.environ if environ is None else environ)
        instance = instance_path or PROJECT_ROOT / "instance"
        public_base_url = base_url(env.text("PUBLIC_BASE_URL") or "http://127.0.0.1:5000")
        return cls(
            instance_path=instance,
            # Used as given: trimming a key would change it, and end every session and link.
            secret_key=strong_key(env.raw("SECRET_KEY")) or secret_key(instance),
            database_url=database_url(env.text("DATABASE_URL") or f"sqlite:///{instance / 'clinic.sqlite3'}"),
            public_base_url=public_base_url,
            mail_server=env.text("MAIL_SERVER"),
            mail_port=env.whole_number("MAIL_PORT", 25, lowest=1, highest=65535),
            mail_username=env.raw("MAIL_USERNAME"),
            mail_password=env.raw("MAIL_PASSWORD"),
            mail_use_tls=env.flag("MAIL_USE_TLS"),
            mail_use_ssl=env.flag("MAIL_USE_SSL"),
            mail_timeout_seconds=env.whole_number("MAIL_TIMEOUT_SECONDS", 20, lowest=1),
            mail_ca_file=env.text("MAIL_CA_FILE"),
            mail_phi=cast(MailPHI, env.choice("MAIL_PHI", get_args(MailPHI), "full")),
            mail_allow_plain_smtp=env.flag("MAIL_ALLOW_PLAIN_SMTP"),
            mail_from=env.text("MAIL_FROM") or "Clinic requests <requests@localhost>",
            mail_file_dir=Path(env.text("MAIL_FILE_DIR") or instance / "mail"),
            staff_emails=tuple(env.listed("STAFF_EMAILS") or ["frontdesk@localhost"]),
            outbox_worker=cast(
                OutboxWorkerMode, env.choice("OUTBOX_WORKER", get_args(OutboxWorkerMode), "thread")
            ),
            outbox_poll_seconds=env.whole_number("OUTBOX_POLL_SECONDS", 10, lowest=1),
            outbox_max_attempts=env.whole_number("OUTBOX_MAX_ATTEMPTS", 20, lowest=1),
            outbox_send_connections=env.whole_number("OUTBOX_SEND_CONNECTIONS", 4, lowest=1, highest=16),
            clinic_name=env.text("CLINIC_NAME") or "Cascade Headache & Neck Clinic",
            clinic_phone=env.text("CLINIC_PHONE") or "(503) 555-0142",
            clinic_address=env.text("CLINIC_ADDRESS") or "1200 Main Street, Suite 210, Vancouver, WA 98660",
            clinic_timezone=env.timezone("CLINIC_TIMEZONE", "America/Los_Angeles"),
            clinic_response_time=response_time(env),
            clinic_languages=tuple(env.listed("CLINIC_LANGUAGES", "en,es")),
            self_pay_visit_fee=env.dollars("SELF_PAY_VISIT_FEE", "85"),
            self_pay_package_visits=env.whole_number("SELF_PAY_PACKAGE_VISITS", 6, lowest=0),
            self_pay_package_price=env.dollars("SELF_PAY_PACKAGE_PRICE", "450"),
            plan_allowed_amount=env.dollars("PLAN_ALLOWED_AMOUNT", "65"),
            medicare_allowed_amount=env.dollars("MEDICARE_ALLOWED_AMOUNT", "46"),
            new_patient_exam_fee=env.dollars("NEW_PATIENT_EXAM_FEE", "95"),
            plan_of_care_visits=env.whole_number("PLAN_OF_CARE_VISITS", 12, lowest=1, highest=60),
            booking_length_minutes=env.whole_number("BOOKING_LENGTH_MINUTES", 15, lowest=5, highest=240),
            booking_buffer_minutes=env.whole_number("BOOKING_BUFFER_MINUTES", 0, lowest=0, highest=120),
            booking_min_notice_minutes=env.whole_number("BOOKING_MIN_NOTICE_MINUTES", 120, lowest=0),
            booking_horizon_days=env.whole_number("BOOKING_HORIZON_DAYS", 30, lowest=1, highest=366),
            booking_reminder_hours=env.whole_number("BOOKING_REMINDER_HOURS", 24, lowest=0, highest=336),
            booking_new_patient=env.flag("BOOKING_NEW_PATIENT"),
            booking_new_patient_length_minutes=env.whole_number(
                "BOOKING_NEW_PATIENT_LENGTH_MINUTES", 45, lowest=15, highest=240
            ),
            clinic_in_network=frozenset(env.listed("CLINIC_IN_NETWORK", DEFAULT_IN_NETWORK)),
            clinic_offers_omt=env.flag("CLINIC_OFFERS_OMT"),
            coverage_rules_file=Path(env.text("COVERAGE_RULES_FILE"))
            if env.text("COVERAGE_RULES_FILE")
            else None,
            data_retention_days=env.whole_number("DATA_RETENTION_DAYS", 365, lowest=1),
            staff_idle_minutes=env.whole_number("STAFF_IDLE_MINUTES", 30, lowest=0),
            form_token_minutes=env.whole_number("FORM_TOKEN_MINUTES", 240, lowest=1),
            min_fill_seconds=env.whole_number("MIN_FILL_SECONDS", 3, lowest=0),
            embed_allowed_origins=tuple(embed_origins(env.listed("EMBED_ALLOWED_ORIGINS"))),
            confirmation_link_minutes=env.whole_number("CONFIRMATION_LINK_MINUTES", 120, lowest=1),
            ratelimit_enabled=env.flag("RATELIMIT_ENABLED", default=True),
            ratelimit_storage_uri=env.text("RATELIMIT_STORAGE_URI") or "memory://",
            ratelimit_form=env.text("RATELIMIT_FORM") or "5 per minute;30 per hour",
            ratelimit_sign_in=env.text("RATELIMIT_SIGN_IN") or "5 per minute;30 per hour",
            # One person checks a 271 in a minute or two (run the check, copy it, paste it), and may
            # paste a wrong file and the right one at once: a busy front desk stays far below both
            # counts, while one account can no longer keep the server reading 271s.
            ratelimit_benefits_check=env.text("RATELIMIT_BENEFITS_CHECK") or "5 per minute;60 per hour",
            proxy_count=env.whole_number("PROXY_COUNT", 0, lowest=0),
            # Secure cookies when the app is reached over HTTPS (or when set explicitly).
            session_cookie_secure=env.flag(
                "SESSION_COOKIE_SECURE", default=public_base_url.startswith("https://")
            ),
        )

    @property
    def dashboard_url(self) -> str:
        return f"{self.public_base_url}/staff"

    @property
    def message_domain(self) -> str:
        """The domain of the emails' Message-IDs: the sender's, or this app's host."""
        sender_domain = parseaddr(self.mail_from)[1].rpartition("@")[2]
        return sender_domain or urlsplit(self.public_base_url).hostname or "localhost"


class _Environ:
    """Reads one kind of value each; a value that cannot be used raises SettingsError naming it."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = values

    def raw(self, name: str) -> str:
        return self.values.get(name, "")

    def text(self, name: str) -> str:
        return self.values.get(name, "").strip()

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.text(name).lower()
        if not value:
            return default
        if value in {"1", "true", "yes", "on"}:
            return True
        if value in {"0", "false", "no", "off"}:
            return False
        raise SettingsError(f"{name} must be true or false, not {value!r}")

    def whole_number(
        self, name: str, default: int, lowest: int | None = None, highest: int | None = None
    ) -> int:
        raw = self.text(name)
        if not raw:
            return default
        try:
            number = int(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
        if (lowest is not None and number < lowest) or (highest is not None and number > highest):
            bounds = f"from {lowest} to {highest}" if highest is not None else f"{lowest} or more"
            raise SettingsError(f"{name} must be {bounds}, not {number}")
        return number

    def dollars(self, name: str, default: str) -> Decimal:
        raw = self.text(name).lstrip("$") or default
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            amount = Decimal("NaN")
        if not amount.is_finite() or amount < 0:
            raise SettingsError(f"{name} must be an amount in dollars, like 85 or 42.50, not {raw!r}")
        return amount

    def choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        value = self.text(name).lower() or default
        if value not in allowed:
            raise SettingsError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
        return value

    def timezone(self, name: str, default: str) -> str:
        value = self.text(name) or default
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(
                f"{name} must be a time zone name like America/Los_Angeles, not {value!r}"
            ) from None
        return value

    def listed(self, name: str, default: str = "") -> list[str]:
        raw = self.values.get(name, default)
        return [item.strip() for item in raw.split(",") if item.strip()]


def response_time(env: _Environ) -> dict[str, str]:
    """CLINIC_RESPONSE_TIME in English and CLINIC_RESPONSE_TIME_ES in Spanish: both or neither, so
    that a clinic that promises a reply within two hours never tells Spanish readers one day."""
    english, spanish = env.text("CLINIC_RESPONSE_TIME"), env.text("CLINIC_RESPONSE_TIME_ES")
    if bool(english) != bool(spanish):
        missing = "CLINIC_RESPONSE_TIME_ES" if english else "CLINIC_RESPONSE_TIME"
        raise SettingsError(f"{missing} must be set too: the same reply time, in the other language")
    return {"en": english or "one business day", "es": spanish or "un día hábil"}


def base_url(raw: str) -> str:
    """PUBLIC_BASE_URL as browsers write its origin: scheme and host in lower case, no default port,
    no trailing slash. Forms are checked against it, so https://Forms.Example:443/ must still match."""
    parts = urlsplit(raw.strip().rstrip("/"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(
            f"PUBLIC_BASE_URL must be an address like https://requests.yourclinic.com, not {raw!r}"
        )
    default_port = {"http": 80, "https": 443}[parts.scheme]
    port = f":{parts.port}" if parts.port and parts.port != default_port else ""
    return f"{parts.scheme}://{parts.hostname}{port}{parts.path}"


def strong_key(key: str) -> str:
    """SECRET_KEY as set, refused when it is a placeholder or too short to resist guessing: anyone
    who knows it can forge staff sessions and read the audit log's search hashes."""
    if key and ("replace-with" in key or len(key) < 32):
        raise SettingsError(
            "SECRET_KEY must be at least 32 random characters (python3 -c 'import secrets;"
            " print(secrets.token_hex(32))'), not a placeholder or a word"
        )
    return key


def embed_origins(values: list[str]) -> list[str]:
    """Sites that may frame the form, as origins (scheme, host, port): a mistake stops the start."""
    origins = []
    for value in values:
        origin = value.rstrip("/")
        if not re.fullmatch(r"https?://[a-z0-9.-]+(:\d{1,5})?", origin, flags=re.IGNORECASE):
            raise SettingsError(
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
    if not key_file.exists():
        private_file(key_file).write_text(secrets.token_hex(32))
    return private_file(key_file).read_text().strip()


def private_file(path: Path) -> Path:
    """Make sure ``path`` exists and only this user may read or write it (0600), in a folder only this
    user may enter (0700) if we create the folder. An existing file made by an older version, 0644, is
    tightened too."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)
    return path


# What a clinic must set before patients use the app: each setting whose default is only a sample.
FIRST_SETTINGS = (
    ("CLINIC_NAME", "clinic_name", "the clinic's name, on every page and email"),
    ("CLINIC_PHONE", "clinic_phone", "the phone number patients are told to call"),
    ("CLINIC_ADDRESS", "clinic_address", "the address in every page's footer"),
    ("STAFF_EMAILS", "staff_emails", "who gets each request"),
    ("PUBLIC_BASE_URL", "public_base_url", "the https:// address patients and staff reach the app at"),
    ("MAIL_SERVER", "mail_server", "the mail server (without it, emails are only written to files)"),
    ("MAIL_FROM", "mail_from", "the sender of the staff emails"),
    ("EMBED_ALLOWED_ORIGINS", "embed_allowed_origins", "the clinic's website, if it shows the form"),
    ("CLINIC_IN_NETWORK", "clinic_in_network", "the plans the clinic is in network with"),
    ("SELF_PAY_VISIT_FEE", "self_pay_visit_fee", "the self-pay price of a visit"),
    ("SELF_PAY_PACKAGE_PRICE", "self_pay_package_price", "the self-pay price of a package of visits"),
    ("PLAN_ALLOWED_AMOUNT", "plan_allowed_amount", "a plan's usual allowed amount for a visit"),
    ("MEDICARE_ALLOWED_AMOUNT", "medicare_allowed_amount", "Medicare's allowed amount for a visit"),
    ("NEW_PATIENT_EXAM_FEE", "new_patient_exam_fee", "the price of the new-patient exam"),
    ("DATABASE_URL", "database_url", "PostgreSQL in production (SQLite is for trying the app)"),
)


def still_samples(settings: Settings) -> list[str]:
    """One line for each first setting still at its sample value, naming the variable and its job."""
    samples = Settings.from_environ(
        {"SECRET_KEY": "not used, only compared with" * 2}, settings.instance_path
    )
    return [
        f"{variable} is still the sample value: set {meaning}."
        for variable, name, meaning in FIRST_SETTINGS
        if getattr(settings, name) == getattr(samples, name)
        or _looks_like_a_placeholder(getattr(settings, name))
    ]


# Words that only deploy/clinic.env.example and the README's examples use.
PLACEHOLDER_MARKERS = ("yourclinic", "your clinic name", "yourmailprovider", "replace-with", "password@")


def _looks_like_a_placeholder(value: object) -> bool:
    words = " ".join(value) if isinstance(value, tuple | frozenset) else str(value)
    return any(marker in words.lower() for marker in PLACEHOLDER_MARKERS)
