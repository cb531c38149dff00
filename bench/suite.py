"""`make bench`: every measurement of issue 11 in one run, printed as one table with its targets.

    make bench                  # 1k, 100k and 1M requests on SQLite and PostgreSQL
    make bench QUICK=1          # stops at 100k
    .venv/bin/python -m bench.suite --help

Compared things are measured in turn within each round (the app and a bare Flask app; the same page at
each size), three rounds, and the table shows the medians, so a neighbour's burst of CPU falls on one
round of each rather than on one side. Pages are timed one after another from this process (service
time, no queueing behind our own requests). The exports, the worker starts and the outbox drains are
measured once each: they take seconds to minutes, far above the noise. The servers are gunicorn with
deploy/gunicorn.conf.py: 2 processes of 4 threads, as in production.

Seeded databases are kept in .bench-cache/ (SQLite) and in the PostgreSQL database clinic_bench, one
schema per size, and reused while the migrations and the row count still match (bench/seeding.py);
`--reseed` seeds them again. PostgreSQL not answering leaves its rows out, and the header says so.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shlex
import statistics
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.list_speed import csrf_token, list_paths, p50_p95, signed_in_opener, timed_gets  # noqa: E402
from bench.seeding import (  # noqa: E402
    OWNER_EMAIL,
    OWNER_PASSWORD,
    SeededDatabase,
    searched_name,
    seeded,
    short_count,
)
from bench.serving import BENCH_SECRET_KEY, Server, app_environment, memory_mb, serve  # noqa: E402
from clinic_app import create_app  # noqa: E402
from clinic_app.casework import queries  # noqa: E402
from clinic_app.extensions import db  # noqa: E402
from clinic_app.settings import Settings, database_url  # noqa: E402
from clinic_app.web.services import services  # noqa: E402

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
FULL_SIZES = [1_000, 100_000, 1_000_000]
QUICK_SIZES = [1_000, 100_000]
MILLION = 1_000_000
# A worker whose peak memory at start is this far above what it holds afterwards did something big
# and short-lived while starting (scrypt at import: 32 MB).
START_SPIKE_MB = 16


@dataclass
class Row:
    what: str
    measured: str
    ratio: str
    target: str
    met: bool | None  # None: not judged (not measured, or nothing to judge in this run)


def verdict(met: bool | None) -> str:
    return "—" if met is None else ("yes" if met else "**NO**")


def print_table(rows: list[Row]) -> None:
    print("\n| what | measured | ratio | target | met |\n| --- | --- | --- | --- | --- |")
    for row in rows:
        print(f"| {row.what} | {row.measured} | {row.ratio} | {row.target} | {verdict(row.met)} |")


def note(text: str) -> None:
    """Progress, on stderr so that stdout holds only the report."""
    print(f"  [{datetime.now():%H:%M:%S}] {text}", file=sys.stderr, flush=True)


def engine_label(engine: str) -> str:
    return "SQLite" if engine == "sqlite" else "PostgreSQL"


def ms(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def median_of(values: Iterator[float] | list[float]) -> float:
    return statistics.median(list(values))


# --- 1. The form page beside bare Flask ------------------------------------------------------------


def form_page_row(rounds: int) -> Row:
    what = "1. GET /request, requests/s as a share of bare Flask serving the same page size through Jinja"
    target = "≥ 50%"
    # bench/form_page.py (with bench/bare_flask.py) is written apart from this file: it serves the app
    # and the bare app with the same gunicorn settings and alternates them within each round.
    try:
        from bench.form_page import measure_form_page
    except ImportError as missing:
        return Row(
            what, f"not measured: bench/form_page.py could not be imported ({missing})", "", target, None
        )
    result: dict[str, Any] = measure_form_page(rounds=rounds)
    if not {"form_rps", "bare_rps", "form_p50_ms", "bare_p50_ms", "page_bytes"} <= result.keys():
        return Row(what, f"not read: measure_form_page() returned {sorted(result)}", "", target, None)
    share = result["form_rps"] / result["bare_rps"]
    measured = (
        f"{result['form_rps']:,.0f} vs {result['bare_rps']:,.0f} requests/s, p50 {ms(result['form_p50_ms'])} vs"
        f" {ms(result['bare_p50_ms'])} ms ({result['page_bytes'] / 1000:.1f} KB page)"
    )
    return Row(what, measured, f"{share:.0%}", target, share >= 0.5)


# --- 2-4. The staff list at each size ---------------------------------------------------------------

Latencies = dict[tuple[str, SeededDatabase], tuple[float, float]]


def list_latencies(
    servers: dict[SeededDatabase, tuple[Server, urllib.request.OpenerDirector]], rounds: int, samples: int
) -> Latencies:
    """p50 and p95 of each list page on each database: each round times every page on every database
    in turn, and the medians of the rounds are kept."""
    paths = list_paths()
    per_round: dict[tuple[str, SeededDatabase], list[tuple[float, float]]] = {}
    person = searched_name()
    for seed, (server, opener) in servers.items():
        for name, path in paths.items():
            timed_gets(opener, server.base + path, 2)  # warm up: statements prepared, pages cached
            # A search that finds nothing would be timed as fast as a broken one: both must find them.
            if "search" in name and person not in opener.open(server.base + path).read().decode():
                raise RuntimeError(f"{seed.label}: the {name} ({path}) does not list {person}")
    for number in range(1, rounds + 1):
        note(f"list pages, round {number} of {rounds}")
        for name, path in paths.items():
            for seed, (server, opener) in servers.items():
                per_round.setdefault((name, seed), []).append(
                    p50_p95(timed_gets(opener, server.base + path, samples))
                )
    return {
        key: (median_of(p50 for p50, _ in found), median_of(p95 for _, p95 in found))
        for key, found in per_round.items()
    }


def growth(smallest: float, largest: float) -> float:
    return largest / smallest if smallest else float("inf")


def latency_rows(
    latencies: Latencies, seeds: list[SeededDatabase], page: str, number: str, what: str, within: float,
    p95_limit_ms: float,
) -> list[Row]:  # fmt: skip
    rows = []
    for engine in engines_of(seeds):
        mine = [seed for seed in seeds if seed.engine == engine]
        smallest, largest = mine[0], mine[-1]
        measured = " · ".join(
            f"{short_count(seed.size)} {ms(latencies[page, seed][0])} / {ms(latencies[page, seed][1])}"
            for seed in mine
        )
        times = growth(latencies[page, smallest][1], latencies[page, largest][1])
        ratio = f"p95 {short_count(largest.size)}/{short_count(smallest.size)}: {times:.1f}x"
        met = times <= within
        if largest.size == MILLION:
            met = met and latencies[page, largest][1] < p95_limit_ms
        else:
            ratio += "; 1M not in this run"
        rows.append(
            Row(
                f"{number}. {what}, {engine_label(engine)}: p50 / p95 ms",
                measured,
                ratio,
                f"≤ {within:.0f}x from 1k to 1M; p95 < {p95_limit_ms:.0f} ms at 1M",
                met if len(mine) > 1 else None,
            )
        )
    return rows


def engines_of(seeds: list[SeededDatabase]) -> list[str]:
    return list(dict.fromkeys(seed.engine for seed in seeds))


# --- 4-5. In this process: the counts query alone, and the queries per list view -------------------


@contextmanager
def in_process_app(seed: SeededDatabase, cache: Path) -> Iterator[Any]:
    """The app built here against the seeded database, with a test client signed in as the owner."""
    env = app_environment(seed.url, cache)
    app = create_app(Settings.from_environ(env, cache / "instance"), {"TESTING": False})
    client = app.test_client()
    token = csrf_token(client.get("/staff/sign-in").get_data(as_text=True))
    signed = client.post(
        "/staff/sign-in", data={"email": OWNER_EMAIL, "password": OWNER_PASSWORD, "csrf_token": token}
    )
    if signed.status_code != 302:
        raise RuntimeError(f"{seed.label}: the owner could not sign in in-process ({signed.status_code})")
    try:
        yield app, client
    finally:
        with app.app_context():
            db.engine.dispose()


def queries_for(app: Any, client: Any, path: str) -> int:
    """How many SQL statements one GET of `path` sends, counted at the driver."""
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
        response.get_data()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    if response.status_code != 200:
        raise RuntimeError(f"{path}: {response.status_code}")
    return len(statements)


def list_counts(session: Any, filters: Any, timezone: str) -> object:
    """The counts by status exactly as the list view asks for them."""
    return queries.RequestFinder(session, filters, timezone).counts()


def counts_query_ms(app: Any, search: str, repeats: int) -> float:
    """The list view's counts by status, called on its own: the median of `repeats` calls, in ms."""
    filters = queries.RequestFilters(search=search)
    times = []
    with app.app_context():
        timezone = services(app).settings.clinic_timezone
        list_counts(db.session, filters, timezone)  # compile the statements once
        for _ in range(repeats):
            began = time.perf_counter()
            list_counts(db.session, filters, timezone)
            times.append((time.perf_counter() - began) * 1000)
            db.session.rollback()
    return statistics.median(times)


def in_process_measurements(
    seeds: list[SeededDatabase], cache: Path, rounds: int, repeats: int
) -> tuple[dict[SeededDatabase, dict[str, int]], dict[tuple[str, SeededDatabase], float]]:
    paths = {
        "list": "/staff/",
        "status filter": "/staff/?status=new",
        "name search": list_paths()["name search"],
    }
    query_counts: dict[SeededDatabase, dict[str, int]] = {}
    per_round: dict[tuple[str, SeededDatabase], list[float]] = {}
    with ExitStack() as stack:
        apps = {seed: stack.enter_context(in_process_app(seed, cache)) for seed in seeds}
        for seed, (app, client) in apps.items():
            queries_for(app, client, "/staff/")  # the first view of a process loads what it keeps
            query_counts[seed] = {name: queries_for(app, client, path) for name, path in paths.items()}
        for number in range(1, rounds + 1):
            note(f"counts query alone, round {number} of {rounds}")
            for filter_name, search in (("no filter", ""), ("name search", searched_name())):
                for seed, (app, _) in apps.items():
                    per_round.setdefault((filter_name, seed), []).append(
                        counts_query_ms(app, search, repeats)
                    )
    return query_counts, {key: statistics.median(found) for key, found in per_round.items()}


def counts_rows(
    seeds: list[SeededDatabase], counts_ms: dict[tuple[str, SeededDatabase], float], latencies: Latencies
) -> list[Row]:
    rows = []
    for engine in engines_of(seeds):
        mine = [seed for seed in seeds if seed.engine == engine]
        smallest, largest = mine[0], mine[-1]
        alone = " · ".join(f"{short_count(s.size)} {counts_ms['no filter', s]:.2f}" for s in mine)
        searched = " · ".join(f"{short_count(s.size)} {counts_ms['name search', s]:.1f}" for s in mine)
        pages = " · ".join(
            f"{short_count(s.size)} {ms(latencies['first page', s][0])} vs {ms(latencies['status filter', s][0])}"
            for s in mine
        )
        unfiltered_growth = growth(counts_ms["no filter", smallest], counts_ms["no filter", largest])
        # Constant time: no slower at the largest size than twice the smallest, or too quick to matter.
        constant = counts_ms["no filter", largest] <= max(2 * counts_ms["no filter", smallest], 1.0)
        rows.append(
            Row(
                f"4. per-status counts, {engine_label(engine)}: the counts query alone, ms",
                f"no filter: {alone}; with a name search: {searched}; list page p50, all vs ?status=new: {pages}",
                f"no filter {short_count(largest.size)}/{short_count(smallest.size)}: {unfiltered_growth:.1f}x",
                "constant time (≤ 2x from 1k, or under 1 ms)",
                constant if len(mine) > 1 else None,
            )
        )
    return rows


def query_count_rows(
    seeds: list[SeededDatabase], query_counts: dict[SeededDatabase, dict[str, int]]
) -> list[Row]:
    rows = []
    for engine in engines_of(seeds):
        mine = [seed for seed in seeds if seed.engine == engine]
        names = list(query_counts[mine[0]])
        measured = "; ".join(
            f"{name}: " + " · ".join(f"{short_count(s.size)} {query_counts[s][name]}" for s in mine)
            for name in names
        )
        every = [query_counts[s][name] for s in mine for name in names]
        same = all(query_counts[s] == query_counts[mine[0]] for s in mine)
        rows.append(
            Row(
                f"5. queries per list view, {engine_label(engine)}",
                measured,
                f"at most {max(every)}" + (", the same at every size" if same else ", **varies with size**"),
                "a fixed handful (≤ 8, as tests/web/test_query_counts.py), whatever the size",
                same and max(every) <= 8,
            )
        )
    return rows


# --- 6 and 10. The export, and a worker's memory at start ------------------------------------------


@dataclass
class Export:
    seconds: float
    size_bytes: int
    lines: int
    peak_rss_mb: float  # the workers' peak during the export alone
    start_rss_mb: float  # what the largest worker held before it


def export_once(seed: SeededDatabase, cache: Path) -> Export:
    """The whole list as CSV from a fresh server, with its workers' peak memory during the export."""
    env = app_environment(seed.url, cache)
    log = cache / "logs" / f"export-{seed.engine}-{seed.size}.log"
    with serve(env, workers=2, threads=4, production_config=True, log=log) as server:
        opener = signed_in_opener(server.base)
        # Signing in checks the password with scrypt (32 MB for a moment): not the export's memory.
        before = max(memory_mb(pid, "VmRSS") for pid in server.worker_pids())
        if not server.reset_worker_peaks():
            raise RuntimeError("cannot reset the workers' peak memory (/proc/<pid>/clear_refs)")
        began = time.perf_counter()
        size_bytes = lines = 0
        with opener.open(f"{server.base}/staff/export.csv", timeout=600) as response:
            while chunk := response.read(1 << 16):
                size_bytes += len(chunk)
                lines += chunk.count(b"\n")
        seconds = time.perf_counter() - began
        return Export(seconds, size_bytes, lines, server.worker_peak_rss_mb(), before)


def export_rows(seeds: list[SeededDatabase], cache: Path) -> list[Row]:
    rows = []
    for engine in engines_of(seeds):
        mine = [seed for seed in seeds if seed.engine == engine]
        exports = {}
        for seed in mine:
            note(f"CSV export, {seed.label}")
            exports[seed] = export_once(seed, cache)
        smallest, largest = mine[0], mine[-1]
        measured = " · ".join(
            f"{short_count(s.size)}: {e.seconds:.1f} s, {e.size_bytes / 1e6:.1f} MB,"
            f" worker {e.start_rss_mb:.0f} → peak {e.peak_rss_mb:.0f} MB"
            + ("" if e.lines == s.size + 1 else f", **{e.lines - 1:,} of {s.size:,} rows**")
            for s, e in exports.items()
        )
        complete = all(e.lines == s.size + 1 for s, e in exports.items())
        memory_ratio = exports[largest].peak_rss_mb / exports[smallest].peak_rss_mb
        met = complete and memory_ratio <= 1.25
        ratio = (
            f"peak memory {short_count(largest.size)}/{short_count(smallest.size)}: {memory_ratio:.2f}x;"
            f" {largest.size / exports[largest].seconds:,.0f} rows/s"
        )
        if largest.size == MILLION:
            met = met and exports[largest].seconds < 60
        else:
            ratio += f"; 1M not in this run (~{MILLION / (largest.size / exports[largest].seconds):.0f} s at this rate)"
        rows.append(
            Row(
                f"6. CSV export, {engine_label(engine)} (deploy/gunicorn.conf.py)",
                measured,
                ratio,
                "1M rows complete in < 60 s; constant memory (peak ≤ 1.25x the 1k export's)",
                met,
            )
        )
    return rows


def worker_start_memory(seed: SeededDatabase, cache: Path, starts: int) -> tuple[float, float]:
    """Peak (VmHWM) and current (VmRSS) memory of a fresh worker once it is ready, in MB: medians of
    `starts` starts, each taking the larger of the two workers."""
    peaks, residents = [], []
    for _ in range(starts):
        with serve(
            app_environment(seed.url, cache), production_config=True, log=cache / "logs" / "start.log"
        ) as server:
            settled = steady_workers(server)
            peaks.append(max(memory_mb(pid, "VmHWM") for pid in settled))
            residents.append(max(memory_mb(pid, "VmRSS") for pid in settled))
    return statistics.median(peaks), statistics.median(residents)


def steady_workers(server: Server, quiet_seconds: float = 1.0) -> list[int]:
    """The worker processes once both have loaded the app: their peak memory has stopped growing."""
    deadline = time.monotonic() + 30
    last: dict[int, float] = {}
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        now = {pid: memory_mb(pid, "VmHWM") for pid in server.worker_pids()}
        if now != last:
            last, quiet_since = now, time.monotonic()
        elif len(now) >= 2 and time.monotonic() - quiet_since >= quiet_seconds:
            return list(now)
        time.sleep(0.1)
    return list(last)


def worker_start_row(seed: SeededDatabase, cache: Path) -> Row:
    note("worker memory at start")
    peak, resident = worker_start_memory(seed, cache, starts=3)
    return Row(
        "10. a fresh gunicorn worker's memory once started (deploy/gunicorn.conf.py)",
        f"peak (VmHWM) {peak:.0f} MB, resident now (VmRSS) {resident:.0f} MB; median of 3 starts",
        f"peak − resident: {peak - resident:.1f} MB",
        f"no costly work at import (scrypt cost {START_SPIKE_MB * 2} MB): peak − resident < {START_SPIKE_MB} MB",
        peak - resident < START_SPIKE_MB,
    )


# --- 7-8. Compression and static files --------------------------------------------------------------


def fetch(
    url: str, headers: dict[str, str] | None = None, opener: Any = None
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with (opener or urllib.request.build_opener()).open(request) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


def compression_row(server: Server, opener: Any) -> Row:
    sizes, encodings = {}, {}
    for asked in ("identity", "gzip", "br"):
        _, headers, body = fetch(f"{server.base}/request", {"Accept-Encoding": asked})
        sizes[asked], encodings[asked] = len(body), headers.get("Content-Encoding", "none")
    stylesheet = static_url(server)
    css = {
        asked: len(fetch(server.base + stylesheet, {"Accept-Encoding": asked})[2]) for asked in ("identity", "br")
    } if stylesheet else {}  # fmt: skip
    staff_headers = fetch(f"{server.base}/staff/", {"Accept-Encoding": "gzip, br"}, opener)[1]
    measured = (
        f"/request: {sizes['identity'] / 1000:.1f} KB plain, {sizes['gzip'] / 1000:.1f} KB gzip"
        f" ({encodings['gzip']}), {sizes['br'] / 1000:.1f} KB br ({encodings['br']})"
        + (
            f"; {stylesheet.split('?')[0]}: {css['identity'] / 1000:.1f} KB, {css['br'] / 1000:.1f} KB br"
            if css
            else ""
        )
        + f"; staff list asked for gzip: {staff_headers.get('Content-Encoding', 'plain')} (BREACH)"
    )
    compressed = encodings["gzip"] == "gzip" and encodings["br"] == "br"
    return Row(
        "7. compression",
        measured,
        f"gzip {sizes['gzip'] / sizes['identity']:.0%}, br {sizes['br'] / sizes['identity']:.0%} of plain",
        "gzip or brotli for HTML, CSS and JS",
        compressed and (not css or css["br"] < css["identity"]),
    )


def static_url(server: Server) -> str | None:
    """The first versioned static address (/static/...?v=...) on the form page."""
    page = fetch(f"{server.base}/request")[2].decode()
    found = re.search(r'(?:href|src)="(/static/[^"]+\?v=[^"]+)"', page)
    return found.group(1).replace("&amp;", "&") if found else None


def static_row(server: Server) -> Row:
    address = static_url(server)
    cache_control = (
        fetch(server.base + address)[1].get("Cache-Control", "none") if address else "no versioned URL found"
    )
    favicon_status, favicon_headers, _ = fetch(f"{server.base}/favicon.ico")
    measured = (
        f"{(address or '').split('?')[0]}?v=…: `{cache_control}`; /favicon.ico: {favicon_status}"
        f" ({favicon_headers.get('Content-Type', '')})"
    )
    year = "max-age=31536000" in cache_control and "immutable" in cache_control
    return Row(
        "8. static files",
        measured,
        "",
        "versioned URLs kept a year (`max-age`, `immutable`); a favicon",
        year and favicon_status == 200,
    )


# --- 9. The outbox with a slow mail server ----------------------------------------------------------


# Ten times the speed needs ten emails in flight and a little more for each connection's start.
# The default stays lower: a clinic's mail provider may refuse that many connections at once.
TEN_TIMES_CONNECTIONS = 12


def outbox_row(emails: int, seconds_per_message: float, cache: Path) -> Row:
    from bench.outbox_drain import drain

    default = Settings.from_environ(
        {"SECRET_KEY": BENCH_SECRET_KEY}, cache / "instance"
    ).outbox_send_connections
    elapsed = {}
    # Each drain migrates a database and runs an SMTP server in this process; both log every step.
    logging.disable(logging.INFO)
    try:
        for number in sorted({1, default, TEN_TIMES_CONNECTIONS}):
            note(f"outbox: {emails} emails, {number} connection(s), {seconds_per_message} s per message")
            elapsed[number] = drain(emails, seconds_per_message, number)
    finally:
        logging.disable(logging.NOTSET)
    one = elapsed[1]
    measured = f"{emails} emails, {seconds_per_message:g} s each: " + " · ".join(
        f"{number} connection{'s' if number > 1 else ''} {seconds:.1f} s"
        for number, seconds in elapsed.items()
    )
    speedups = ", ".join(
        f"{number}: {one / seconds:.1f}x" for number, seconds in elapsed.items() if number != 1
    )
    return Row(
        "9. outbox drain, mail server slow (each email exactly once, checked)",
        measured,
        f"faster than 1 connection: {speedups}",
        f"≥ 10x faster than one at a time, with {TEN_TIMES_CONNECTIONS} connections"
        f" (OUTBOX_SEND_CONNECTIONS; the default is {default}: README, Configuration)",
        one / elapsed[TEN_TIMES_CONNECTIONS] >= 10,
    )


# --- 11-12. Booking the free consultation (issue 16), beside the plain request submit ---------------


def booking_rows(engines: list[str], cache: Path, postgres_url: str) -> list[Row]:
    from bench.booking_speed import BOOKED_BEFORE, DAYS, HOURS, PROVIDERS, measure_booking

    rows = []
    for engine in engines:
        note(f"booking: /slots.json and submits at 32 clients, {engine_label(engine)}")
        r = measure_booking(engine, cache, postgres_url, report=note)
        plain = f"plain request submits {r['plain_per_second']:.1f}/s"
        setup = f"{PROVIDERS} providers {DAYS} {HOURS}, {r['booked_before']} booked before"
        rows.append(
            Row(
                f"11. GET /slots.json, {engine_label(engine)}: requests/s at {r['clients']} clients beside the"
                " plain request submit",
                f"{r['slots_rps']:,.0f} requests/s, p50 {ms(r['slots_p50_ms'])} ms ({r['slots_bytes'] / 1000:.1f} KB,"
                f" 7 days; {setup}) vs {plain}",
                f"{r['slots_rps'] / r['plain_per_second']:.1f}x the plain submit's rate",
                "measured beside the plain request submit in the same run (issue 16)",
                None,
            )
        )
        clean = r["refused"] == 0 and r["errors"] == 0 and r["bookings_stored"] == r["booked"]
        rows.append(
            Row(
                f"12. booking submits, {engine_label(engine)}: GET the form and post a picked time,"
                f" {r['clients']} clients",
                f'{r["booking_per_second"]:.1f} booked/s vs {plain} (no hours) and "call me" submits'
                f" {r['call_me_per_second']:.1f}/s (hours set); {r['booked']} booked, {r['refused']} refused,"
                f" {r['errors']} errors, {r['bookings_stored']} bookings stored over"
                f" {r['providers_booked']} providers; {BOOKED_BEFORE}+ booked before",
                f"{r['booking_per_second'] / r['plain_per_second']:.0%} of the plain submit's rate",
                "distinct times: 0 refused, 0 errors, each 303 a stored booking",
                clean and r["plain_errors"] == 0 and r["call_me_errors"] == 0,
            )
        )
    return rows


# --- 13. The public form while staff paste a hostile 271 (issue 22) ---------------------------------


# What each paste is, in the row's words.
PASTE_WORDS = {
    "nested": lambda r: f"a {r['paste_bytes'] / 1e6:.2f} MB 271 of {r['levels']:,} nested levels",
    "widest": lambda r: (
        f"the costliest 271 the reader's bounds let through ({r['paste_bytes'] / 1e3:.0f} KB)"
    ),
}


def benefits_paste_row(cache: Path, shape: str) -> Row:
    from bench.benefits_paste import measure_benefits_paste

    note(f"the public form while 8 clients paste the {shape} 271")
    r = measure_benefits_paste(cache, report=note, shape=shape)
    alone, pasting = r["alone"], r["pasting"]

    def latencies(summary: dict[str, float]) -> str:
        return f"p50 {ms(summary['p50_ms'])} / p95 {ms(summary['p95_ms'])} / max {ms(summary['max_ms'])} ms"

    statuses = ", ".join(f"{count} × {status}" for status, count in r["statuses"].items())
    answered = set(r["statuses"]) <= {"200", "422", "503"}
    return Row(
        f"13. GET /request while {r['clients']} staff paste {PASTE_WORDS[shape](r)} for {r['seconds']:g} s"
        " (deploy/gunicorn.conf.py)",
        f"{latencies(pasting)} ({pasting['count']} visitors, 20 a second) vs {latencies(alone)} with no pastes;"
        f" {r['pastes']} pastes ({statuses}), the slowest answered in {r['slowest_paste_s']:.2f} s",
        f"p95 {pasting['p95_ms'] / alone['p95_ms']:.0f}x the form's alone",
        "public form p95 < 1 s while pasting; every paste read (200), refused (422) or sent back while"
        " another is read (503) within 2 s",
        pasting["p95_ms"] < 1000 and answered and r["slowest_paste_s"] < 2,
    )


# --- The run ----------------------------------------------------------------------------------------


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="stop at 100k requests, 1 s per email")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
                        help="the PostgreSQL server (its database clinic_bench is used; BENCH_POSTGRES_URL)")  # fmt: skip
    parser.add_argument("--cache", type=Path, default=ROOT / ".bench-cache", help="seeded databases and logs")
    parser.add_argument("--reseed", action="store_true", help="seed every database again")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=40, help="requests per page, database and round")
    # For developing the benchmark itself: smaller sizes, one engine, some rows only.
    parser.add_argument("--sizes", type=int, nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--engines", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"],
                        help=argparse.SUPPRESS)  # fmt: skip
    parser.add_argument("--skip", nargs="+", default=[], choices=["form", "list", "export", "start", "outbox", "booking", "paste"],
                        help=argparse.SUPPRESS)  # fmt: skip
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_arguments(argv)
    sizes = sorted(args.sizes or (QUICK_SIZES if args.quick else FULL_SIZES))
    cache: Path = args.cache.resolve()
    (cache / "logs").mkdir(parents=True, exist_ok=True)
    given = argv if argv is not None else sys.argv[1:]
    if os.environ.get("BENCH_FROM_MAKE"):
        extra = [argument for argument in given if argument != "--quick"]
        command = (
            "make bench"
            + (" QUICK=1" if args.quick else "")
            + (f" BENCH_ARGS={shlex.quote(shlex.join(extra))}" if extra else "")
        )
    else:
        command = shlex.join(["python", "-m", "bench.suite", *given])
    print(f"# Benchmarks (issue 11), {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}\n")
    print(f"- command: `{command}`")
    print(f"- code: {code_version()}")
    print(
        f"- machine: {os.cpu_count()} cores (nproc: {len(os.sched_getaffinity(0))}), shared with the load generator"
    )
    print(f"- sizes: {', '.join(short_count(s) for s in sizes)} requests; {', '.join(map(engine_label, args.engines))};"
          f" {args.rounds} rounds, medians")  # fmt: skip
    began = time.perf_counter()
    rows: list[Row] = []

    if "form" not in args.skip:
        note("form page against bare Flask")
        rows += section("1", "GET /request against bare Flask", lambda: [form_page_row(args.rounds)])

    engines = list(args.engines)
    if "postgresql" in engines and not postgres_answers(args.postgres_url):
        print(f"- PostgreSQL: no answer at {args.postgres_url}: its rows are left out")
        engines.remove("postgresql")
    seeds: list[SeededDatabase] = []
    for engine in engines:
        for size in sizes:
            note(f"database: {engine_label(engine)} {short_count(size)}")
            seed = seeded(engine, size, cache, args.postgres_url, reseed=args.reseed)
            how = f"seeded in {seed.seconds:.0f} s" if seed.seconds else "reused from an earlier run"
            print(f"- {seed.label}: {how}")
            seeds.append(seed)

    if "list" not in args.skip:
        rows += section("2", "staff list, searches, counts, queries, compression, static files",
                        lambda: list_and_counts_rows(seeds, cache, args))  # fmt: skip
    if "export" not in args.skip:
        rows += section("6", "CSV export", lambda: export_rows(seeds, cache))
    if "start" not in args.skip:
        rows += section("10", "worker memory at start", lambda: [worker_start_row(seeds[0], cache)])
    if "outbox" not in args.skip:
        # As the issue measured it, 2 s a message; 1 s for a quick look. A multiple of 12 emails, so
        # the widest pool sends in full rounds.
        emails, seconds = (36, 1.0) if args.quick else (60, 2.0)
        rows += section("9", "outbox drain", lambda: [outbox_row(emails, seconds, cache)])

    if "booking" not in args.skip:
        rows += section("11", "booking: /slots.json and submits",
                        lambda: booking_rows(engines, cache, args.postgres_url))  # fmt: skip
    if "paste" not in args.skip:
        rows += section(
            "13",
            "the public form while staff paste hostile 271s",
            lambda: [benefits_paste_row(cache, shape) for shape in ("nested", "widest")],
        )

    rows.sort(key=lambda row: int(row.what.split(".")[0]))
    print_table(rows)
    print(f"\nMeasured in {time.perf_counter() - began:.0f} s (seeding included).")


def section(number: str, name: str, measure: Callable[[], list[Row]]) -> list[Row]:
    """One part of the run: if it fails, its row says why (the traceback goes to stderr) and the
    rest of a long run still happens."""
    try:
        return measure()
    except Exception as error:
        traceback.print_exc()
        reason = f"{type(error).__name__}: {error}".replace("\n", " ").replace("|", "\\|")[:300]
        return [Row(f"{number}. {name}", f"**failed**: {reason}", "", "", False)]


def postgres_answers(url: str) -> bool:
    engine = sa.create_engine(database_url(url), connect_args={"connect_timeout": 5})
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


def code_version() -> str:
    def git(*arguments: str) -> str:
        return subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    changed = git("status", "--porcelain", "--untracked-files=no")
    return f"git {git('rev-parse', '--short', 'HEAD') or 'unknown'}" + (
        " with uncommitted changes" if changed else ""
    )


def list_and_counts_rows(seeds: list[SeededDatabase], cache: Path, args: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    with ExitStack() as stack:
        servers = {}
        for seed in seeds:
            log = cache / "logs" / f"list-{seed.engine}-{seed.size}.log"
            server = stack.enter_context(serve(app_environment(seed.url, cache), workers=2, threads=4,
                                               production_config=True, log=log))  # fmt: skip
            servers[seed] = (server, signed_in_opener(server.base))
        latencies = list_latencies(servers, args.rounds, args.samples)
        rows += latency_rows(latencies, seeds, "first page", "2", "staff list, first page", 2, 50)
        rows += latency_rows(latencies, seeds, "name search", "3", "name search", 3, 100)
        rows += latency_rows(latencies, seeds, "phone search", "3", "phone search", 3, 100)
        smallest_server, smallest_opener = servers[seeds[0]]
        rows.append(compression_row(smallest_server, smallest_opener))
        rows.append(static_row(smallest_server))
    query_counts, counts_ms = in_process_measurements(seeds, cache, args.rounds, repeats=5)
    rows += counts_rows(seeds, counts_ms, latencies)
    rows += query_count_rows(seeds, query_counts)
    return rows


if __name__ == "__main__":
    main()
