"""The public form while staff paste a hostile 271 (issue 22): its latency with 8 clients pasting at once.

A 271 of 0.78 MB whose 40,000 HL levels are each the child of the one before used to take 35 s to read,
and 8 of them at once held every worker: the public form waited 27 s. This serves a fresh SQLite
database with gunicorn and deploy/gunicorn.conf.py (2 processes of 4 threads, as in production) and
times GET /request for visitors who come 20 a second, each on a new connection (form_latencies):

- with no pastes, for a few seconds;
- while 8 signed-in clients post that 271 to a request's benefits check again and again for a few
  seconds, each starting its next paste when the last is answered; the form is timed until the last
  paste is answered.

The rate limits are off (as in every benchmark), so every paste reaches the reader: as 8 accounts each
within RATELIMIT_BENEFITS_CHECK would. Each paste's answer is counted by status (a 200 after the
redirect is a reading, 422 a refusal) with its slowest time.

    .venv/bin/python bench/benefits_paste.py                 # 5 s of pastes, 8 clients

From other code: `measure_benefits_paste()` returns the same figures as a dict. The test
tests/web/test_benefits_paste_load.py sends the same paste with `nested_271` and `while_pasting`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.booking_speed import TOKEN, answers, fresh_database  # noqa: E402
from bench.form_page import FORM_PATH, get  # noqa: E402
from bench.list_speed import csrf_token, p50_p95, signed_in_opener  # noqa: E402
from bench.seeding import add_owner  # noqa: E402
from bench.serving import app_environment, serve  # noqa: E402
from clinic_app.benefits.reading import MAX_ELEMENTS, MAX_SEGMENTS  # noqa: E402

CLIENTS = 8
# 40,000 levels make the 0.78 MB paste.
LEVELS = 40_000
# A paste or a visit still unanswered after this long is counted as failed.
PASTE_TIMEOUT_SECONDS = 120
# How often a visitor opens the public form while it is timed: 20 a second.
VISITOR_EVERY = 0.05


def _to_the_subscriber(has_levels_below: bool) -> list[str]:
    """A 271's segments from ST to the subscriber's name (HL 20, 21, 22)."""
    return [
        "ST*271*0001*005010X279A1",
        "BHT*0022*11*X*20260415*1015",
        "HL*1**20*1",
        "NM1*PR*2*PAYER*****PI*1",
        "HL*2*1*21*1",
        "NM1*1P*2*CLINIC*****XX*1234567893",
        f"HL*3*2*22*{int(has_levels_below)}",
        "NM1*IL*1*DOE*JANE****MI*1",
    ]


def nested_271(levels: int) -> str:
    """A 271 whose subscriber has ``levels`` HL levels below it, each the child of the one before."""
    segments = [*_to_the_subscriber(has_levels_below=True), "EB*1**30"]
    segments += [f"HL*{number}*{number - 1}*23*1" for number in range(4, 4 + levels)]
    segments.append(f"SE*{len(segments) + 1}*0001")
    return _interchange(segments)


def widest_271() -> str:
    """The costliest paste the reader's bounds let through: just under MAX_SEGMENTS segments and
    MAX_ELEMENTS elements, each an EB of as many elements as that leaves."""
    count = MAX_SEGMENTS - 20
    wide = "EB*" + "*".join(["1"] * (MAX_ELEMENTS // count - 1))
    segments = [*_to_the_subscriber(has_levels_below=False), *[wide] * count]
    segments.append(f"SE*{len(segments) + 1}*0001")
    return _interchange(segments)


def _interchange(segments: list[str]) -> str:
    isa = "ISA*00*          *00*          *ZZ*CMS            *ZZ*CLINIC0001     *260415*1015*^*00501*000000303*0*P*:~"
    return (
        isa
        + "GS*HB*CMS*CLINIC0001*20260415*1015*303*X*005010X279A1~"
        + "~".join(segments)
        + "~GE*1*303~IEA*1*000000303~"
    )


PASTES = {"nested": lambda: nested_271(LEVELS), "widest": widest_271}


def multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    """The body and Content-Type of a form sent as the request's page sends it (multipart/form-data):
    urlencoded, a 0.78 MB 271 would grow past the check's 1 MB limit."""
    boundary = uuid.uuid4().hex
    parts = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    )
    return f"{parts}--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def check_token(opener: urllib.request.OpenerDirector, page_url: str) -> str:
    """The benefits form's token, from the request's page (the form carries its own)."""
    with opener.open(page_url, timeout=30) as page:
        return csrf_token(page.read().decode())


def paste(opener: urllib.request.OpenerDirector, page_url: str, token: str, text: str) -> tuple[int, float]:
    """Paste ``text`` into the benefits check on the request's page ``page_url``: the final status (a
    checked 271 redirects to the page: 200) and the seconds until it was answered."""
    body, content_type = multipart({"csrf_token": token, "x12": text})
    request = urllib.request.Request(
        f"{page_url}/benefits", data=body, headers={"Content-Type": content_type}
    )
    began = time.perf_counter()
    try:
        with opener.open(request, timeout=PASTE_TIMEOUT_SECONDS) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        error.read()
        status = error.code
    return status, time.perf_counter() - began


def form_latencies(base: str, until: Callable[[], bool]) -> list[float]:
    """Seconds each visitor waited for the public form. A visitor comes every VISITOR_EVERY seconds,
    answered or not the ones before (as patients do), until ``until()`` says so; then every visitor's
    answer is awaited. A client that asked again only once answered would count a minute's stall
    once; here it counts for every visitor who came during it. Each visitor opens its own connection,
    which gunicorn hands to whichever process accepts it first, busy or not."""
    netloc = urllib.parse.urlsplit(base).netloc
    times: list[float] = []
    failures: list[BaseException] = []

    def visit() -> None:
        began = time.perf_counter()
        connection = http.client.HTTPConnection(netloc, timeout=PASTE_TIMEOUT_SECONDS)
        try:
            get(connection, FORM_PATH)
            times.append(time.perf_counter() - began)
        except Exception as error:  # reported below: a failed visit must not pass as a fast one
            failures.append(error)
        finally:
            connection.close()

    visitors = []
    while True:
        visitors.append(threading.Thread(target=visit))
        visitors[-1].start()
        if until():
            break
        time.sleep(VISITOR_EVERY)
    for visitor in visitors:
        visitor.join()
    if failures:
        raise RuntimeError(f"{len(failures)} of {len(visitors)} visitors got no form: {failures[0]!r}")
    return times


def while_pasting(
    base: str, sessions: list[tuple[urllib.request.OpenerDirector, str, str]], text: str, seconds: float
) -> tuple[list[float], list[tuple[int, float]]]:
    """Each session (opener, request page, token) pastes ``text`` again and again for ``seconds`` (once
    at least), all starting together; the form is timed from then until the last paste is answered.
    Returns the form's latencies and each paste's (status, seconds); a paste that failed is status 0."""
    start = threading.Barrier(len(sessions) + 1)
    stop_at = float("inf")
    answered: list[tuple[int, float]] = []
    lock = threading.Lock()

    def client(opener: urllib.request.OpenerDirector, page_url: str, token: str) -> None:
        start.wait()
        while True:
            try:
                result = paste(opener, page_url, token, text)
            except OSError:  # refused, reset or timed out: counted, never taken for a fast answer
                result = (0, float(PASTE_TIMEOUT_SECONDS))
            with lock:
                answered.append(result)
            if time.perf_counter() >= stop_at:
                return

    pool = [threading.Thread(target=client, args=session) for session in sessions]
    for thread in pool:
        thread.start()
    start.wait()
    stop_at = time.perf_counter() + seconds
    form = form_latencies(base, until=lambda: not any(thread.is_alive() for thread in pool))
    for thread in pool:
        thread.join()
    return form, answered


def latency_summary(times: list[float]) -> dict[str, float]:
    """p50, p95 and max in ms, and how many were timed."""
    p50, p95 = p50_p95(times)
    return {"p50_ms": p50 * 1000, "p95_ms": p95 * 1000, "max_ms": max(times) * 1000, "count": len(times)}


def new_request_page(base: str, opener: urllib.request.OpenerDirector) -> str:
    """Send one request through the public form; the address of its staff page, from the staff list."""
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(base).netloc, timeout=30)
    try:
        page = get(connection, FORM_PATH).decode()
        fields = {**answers(), "form_token": TOKEN.search(page).group(1)}  # type: ignore[union-attr]
        connection.request("POST", FORM_PATH, body=urllib.parse.urlencode(fields, doseq=True),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        response = connection.getresponse()
        response.read()
        if response.status != 303:
            raise RuntimeError(f"the form answered {response.status}, not 303")
    finally:
        connection.close()
    with opener.open(f"{base}/staff/", timeout=30) as listed:
        found = re.search(r'href="(/staff/requests/\d+)"', listed.read().decode())
    if not found:
        raise RuntimeError("the staff list links to no request")
    return base + found.group(1)


def measure_benefits_paste(
    cache: Path = ROOT / ".bench-cache",
    seconds: float = 5.0,
    clients: int = CLIENTS,
    levels: int = LEVELS,
    report: Callable[[str], object] | None = None,
    shape: str = "nested",
) -> dict[str, Any]:
    """The public form's latency alone and under ``clients`` clients pasting the nested 271 (or, with
    ``shape="widest"``, the costliest paste the bounds let through)."""
    cache = cache.resolve()
    url = fresh_database("sqlite", "benefits_paste", cache, postgres_url="")
    env = app_environment(url, cache, MIN_FILL_SECONDS="0")
    add_owner(env)
    text = nested_271(levels) if shape == "nested" else PASTES[shape]()
    (cache / "logs").mkdir(parents=True, exist_ok=True)
    with serve(
        env, workers=2, threads=4, production_config=True, log=cache / "logs" / "benefits-paste.log"
    ) as server:
        openers = [signed_in_opener(server.base) for _ in range(clients)]
        page_url = new_request_page(server.base, openers[0])
        sessions = [(opener, page_url, check_token(opener, page_url)) for opener in openers]
        quiet_until = time.perf_counter() + seconds
        alone = form_latencies(server.base, until=lambda: time.perf_counter() >= quiet_until)
        if report:
            report(f"form alone: {latency_summary(alone)}; now {clients} clients paste for {seconds:g} s")
        loaded, pastes = while_pasting(server.base, sessions, text, seconds)
    statuses = Counter(status for status, _ in pastes)
    return {
        "clients": clients,
        "seconds": seconds,
        "paste": shape,
        "paste_bytes": len(text.encode()),
        "levels": levels,
        "alone": latency_summary(alone),
        "pasting": latency_summary(loaded),
        "pastes": len(pastes),
        "statuses": {str(status): count for status, count in sorted(statuses.items())},
        "slowest_paste_s": max(elapsed for _, elapsed in pastes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--levels", type=int, default=LEVELS)
    parser.add_argument("--paste", choices=sorted(PASTES), default="nested")
    args = parser.parse_args()
    result = measure_benefits_paste(
        seconds=args.seconds, clients=args.clients, levels=args.levels, report=print, shape=args.paste
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
