"""How fast the staff list stays with many requests.

Seeds a database with N requests (default 100,000), starts the app under gunicorn on loopback, signs
in as an owner, and from this second process sends requests to the list (first page, a deep page,
each filter, searches by name and phone), a request's page and the CSV export, reporting latency
percentiles and throughput.

    .venv/bin/python bench/list_speed.py                       # SQLite in a temporary folder
    .venv/bin/python bench/list_speed.py --database-url postgresql://postgres@127.0.0.1:5432/test --schema bench

Every list view also writes its audit row, as in production, so that cost is included.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.serving import gunicorn, migrate  # noqa: E402
from clinic_app.choices import RequestStatus  # noqa: E402
from clinic_app.coverage import Concern, Coverage  # noqa: E402
from clinic_app.intake.search import search_text  # noqa: E402
from clinic_app.settings import database_url  # noqa: E402

COVERAGES = [c.value for c in Coverage]
CONCERNS = [c.value for c in Concern]
STATUSES = [s.value for s in RequestStatus]
FIRST = ["Ana", "Ben", "Cora", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jo", "Kai", "Lena", "Mo", "Nia"]
LAST = ["Diaz", "Nguyen", "Smith", "Olsen", "Park", "Reyes", "Kowalski", "Haddad", "Ito", "Larsen"]


def request_row(i: int, made: datetime, rng: random.Random) -> dict:
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}"
    email, phone = f"patient{i}@example.com", f"+1503{i:07d}"
    return {
        "id": i, "reference": f"B{i:07d}", "created_at": made, "status": rng.choice(STATUSES),
        "visit_type": rng.choice(["consultation", "new_patient"]), "full_name": name, "email": email,
        "phone_e164": phone, "preferred_contact": "phone", "best_days": [], "best_times": [],
        "main_concern": rng.choice(CONCERNS), "headache_days_per_month": rng.randint(0, 31), "message": None,
        "has_warning_signs": rng.random() < 0.02, "consented_at": made,
        "search_text": search_text(name, email, phone),
    }  # fmt: skip


def prepare(url: str, count: int, env: dict[str, str]) -> None:
    migrate(env)
    engine = sa.create_engine(database_url(url))
    metadata = sa.MetaData()
    metadata.reflect(engine, only=["consultation_request", "insurance_answers", "coverage_note"])
    requests, insurance, notes = (
        metadata.tables[n] for n in ("consultation_request", "insurance_answers", "coverage_note")
    )
    rng = random.Random(7)
    start = datetime.now(UTC) - timedelta(days=730)
    with engine.begin() as connection:
        existing = connection.execute(sa.select(sa.func.count()).select_from(requests)).scalar()
        for batch_start in range(existing, count, 5000):
            ids = range(batch_start + 1, min(batch_start + 5000, count) + 1)
            made = [start + timedelta(seconds=int(i * 730 * 86400 / count)) for i in ids]
            connection.execute(requests.insert(), [request_row(i, made[n], rng) for n, i in enumerate(ids)])
            connection.execute(
                insurance.insert(),
                [{"request_id": i, "coverage": rng.choice(COVERAGES), "age": 40} for i in ids],
            )
            connection.execute(notes.insert(), [
                {"request_id": i, "status": "unknown", "headline": "We will check for you", "paragraphs": [],
                 "caveats": [], "closing": "", "estimate": [], "network": "not_applicable", "rule_ids": [],
                 "rules_version": "bench"} for i in ids
            ])  # fmt: skip
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT setval('consultation_request_id_seq', :n)"), {"n": count})
    with engine.connect() as connection:
        connection.execute(sa.text("ANALYZE"))
        connection.commit()
    engine.dispose()
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "staff", "add", "bench@clinic.example", "--role", "owner"],
        cwd=ROOT, env=env, input="benchmark password\nbenchmark password\n", text=True, capture_output=True,
    )  # fmt: skip


def signed_in_opener(base: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/staff/sign-in").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"email": "bench@clinic.example", "password": "benchmark password", "csrf_token": token}
    )
    opener.open(f"{base}/staff/sign-in", data=data.encode()).read()
    return opener


def measure(opener, url: str, requests: int, threads: int) -> dict[str, float]:
    times: list[float] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        for _ in range(n):
            started = time.perf_counter()
            with opener.open(url) as response:
                response.read()
                assert response.status == 200
            with lock:
                times.append(time.perf_counter() - started)

    opener.open(url).read()  # warm up
    began = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(requests // threads,)) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - began
    times.sort()
    return {
        "p50": statistics.median(times) * 1000,
        "p95": times[int(len(times) * 0.95) - 1] * 1000,
        "rps": len(times) / elapsed,
    }


def deep_page(opener, base: str, pages: int) -> str:
    url = f"{base}/staff/"
    for _ in range(pages):
        page = opener.open(url).read().decode()
        url = base + re.search(r'href="(/staff/\?older=[^"]+)">Older', page).group(1).replace("&amp;", "&")
    return url


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests-in-db", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--schema", default="", help="PostgreSQL schema to use (created if missing)")
    parser.add_argument("--samples", type=int, default=200, help="requests per scenario")
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="clinic-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    if args.schema:
        engine = sa.create_engine(database_url(url))
        with engine.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{args.schema}"'))
        engine.dispose()
        url = (
            sa.make_url(database_url(url))
            .update_query_dict({"options": f"-csearch_path={args.schema}"})
            .render_as_string(hide_password=False)
        )
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" * 8, "OUTBOX_WORKER": "off",
           "MAIL_FILE_DIR": str(workdir / "mail"), "PYTHONPATH": str(ROOT)}  # fmt: skip

    began = time.perf_counter()
    prepare(url, args.requests_in_db, env)
    print(
        f"seeded {args.requests_in_db:,} requests in {time.perf_counter() - began:.0f} s ({sa.make_url(url).get_backend_name()})"
    )

    with gunicorn(env) as base:
        opener = signed_in_opener(base)
        scenarios = {
            "list, first page": f"{base}/staff/",
            "list, 20 pages deep": deep_page(opener, base, 20),
            "filter: status new": f"{base}/staff/?status=new",
            "filter: coverage + visit type": f"{base}/staff/?coverage=private&visit_type=new_patient",
            "filter: one month": f"{base}/staff/?received_from=2026-01-01&received_to=2026-01-31",
            "search: name": f"{base}/staff/?q=Kowalski+4242",
            "search: phone, any format": f"{base}/staff/?q=(503)+004-2424",
            "a request's page": f"{base}/staff/requests/{args.requests_in_db // 2}",
        }
        print(
            f"\n| page ({args.threads} client threads, gunicorn 2 workers x 2 threads) | median ms | p95 ms | requests/s |"
        )
        print("| --- | --- | --- | --- |")
        for name, target in scenarios.items():
            result = measure(opener, target, args.samples, args.threads)
            print(f"| {name} | {result['p50']:.0f} | {result['p95']:.0f} | {result['rps']:.0f} |")
        began = time.perf_counter()
        size = len(opener.open(f"{base}/staff/export.csv").read())
        print(
            f"| CSV export of all {args.requests_in_db:,} | {(time.perf_counter() - began) * 1000:.0f} (once) | | {size / 1e6:.1f} MB |"
        )


if __name__ == "__main__":
    main()
