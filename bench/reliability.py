"""What the app holds up to, measured against a running server from a second process on loopback.

1. Mail server down: N requests are sent while the SMTP server is stopped; it is then started, and we
   count how many staff emails arrive, how many twice, and how long after the server came back.
2. Hostile input: M posts with random and hostile values in every field; we count answers by status.

    .venv/bin/python bench/reliability.py                     # SQLite in a temporary folder
    .venv/bin/python bench/reliability.py --requests 200 --hostile 2000
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

import sqlalchemy as sa
from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.serving import ROOT, free_port, gunicorn, migrate

HOSTILE = [
    "<script>alert(1)</script>", "' OR '1'='1' --", "\x00", "\r\nBcc: x@example.com", "{{ 7*7 }}",
    "${jndi:ldap://example.com/a}", "../../etc/passwd", "\u202eevil", "=HYPERLINK(\"x\")", "🙂" * 200,
    "9" * 300, "-1", "NaN", "", " ", "private", "yes", "mon", "consultation",
]  # fmt: skip
VALID = {
    "visit_type": "consultation", "full_name": "Bench Patient", "phone": "(503) 555-0142",
    "email": "bench@example.com", "preferred_contact": "phone", "best_days": "mon", "best_times": "morning",
    "main_concern": "neck_headache", "headache_days": "8", "message": "", "warning_signs": "no",
    "coverage": "private", "carrier": "premera", "plan_type": "ppo", "age": "41", "deductible_status": "not_met",
    "deductible_remaining": "200", "copay": "", "coinsurance_percent": "20", "consent": "y",
}  # fmt: skip


class Inbox:
    def __init__(self) -> None:
        self.message_ids: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        self.message_ids.append(message_from_bytes(envelope.content, policy=policy.default)["Message-ID"])
        return "250 OK"


def post_form(base: str, answers: dict[str, str]) -> int:
    page = urllib.request.urlopen(f"{base}/request").read().decode()
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({**answers, "form_token": token}).encode()
    request = urllib.request.Request(f"{base}/request", data=data)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        return opener.open(request).status
    except urllib.error.HTTPError as error:
        return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def stored_requests(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        count = connection.execute(sa.text("SELECT count(*) FROM consultation_request")).scalar()
    engine.dispose()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--hostile", type=int, default=2000)
    parser.add_argument("--outage-seconds", type=float, default=10)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="clinic-reliability-"))
    url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    smtp_port = free_port()
    env = {
        **os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" * 8, "MAIL_SERVER": "127.0.0.1", "MAIL_ALLOW_PLAIN_SMTP": "true",
        "MAIL_PORT": str(smtp_port), "OUTBOX_WORKER": "thread", "OUTBOX_POLL_SECONDS": "1",
        "MIN_FILL_SECONDS": "0", "RATELIMIT_FORM": "1000000 per hour", "PYTHONPATH": str(ROOT),
    }  # fmt: skip
    migrate(env)
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    with gunicorn(env, threads=4) as base:
        # 1. The mail server is down while requests arrive.
        statuses = Counter(
            post_form(base, {**VALID, "full_name": f"Patient {n}"}) for n in range(args.requests)
        )
        stored = stored_requests(url)
        time.sleep(args.outage_seconds)
        smtp.start()
        back = time.monotonic()
        while len(set(inbox.message_ids)) < args.requests and time.monotonic() - back < 300:
            time.sleep(0.2)
        recovered = time.monotonic() - back
        delivered, copies = len(set(inbox.message_ids)), len(inbox.message_ids)

        # 2. Hostile input at every field.
        rng = random.Random(11)
        before = stored_requests(url)
        answers = Counter()
        for _ in range(args.hostile):
            changes = {field: rng.choice(HOSTILE + [rng.choice(HOSTILE) * rng.randint(1, 5)])
                       for field in rng.sample(sorted(VALID), rng.randint(1, len(VALID)))}  # fmt: skip
            answers[post_form(base, {**VALID, **changes})] += 1
        added = stored_requests(url) - before

        print("\n| tried | result |\n| --- | --- |")
        print(
            f"| {args.requests} requests sent while the mail server was down | {dict(statuses)} (303 = stored and confirmed); {stored} stored |"
        )
        print(
            f"| mail server started after {args.outage_seconds:.0f} s | {delivered} of {args.requests} staff emails delivered, {copies - delivered} sent twice, the last {recovered:.0f} s after the server came back |"
        )
        print(
            f"| {args.hostile} posts with hostile values in random fields | answers {dict(sorted(answers.items()))}; 5xx: {sum(v for k, v in answers.items() if k >= 500)}; requests stored: {added} (= the 303s: {added == answers.get(303, 0)}) |"
        )
    if smtp.loop.is_running():
        smtp.stop()


if __name__ == "__main__":
    main()
