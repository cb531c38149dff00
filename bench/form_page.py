"""How fast the request form's page is served, beside a bare Flask app serving a page of the same size.

Starts the app under gunicorn on loopback (2 workers x 2 threads, as bench/serving.py does) on a fresh
SQLite file, and the bare app of bench/bare_flask.py the same way, then sends GETs to each from this
process, one after the other in each round, and prints the medians over the rounds.

    .venv/bin/python bench/form_page.py                          # GET /request, 3 rounds of 3 s each
    .venv/bin/python bench/form_page.py --path '/embed/form?accent=225522&visit_type=new_patient'

From other code: `measure_form_page(rounds=3, seconds=3.0)` returns the same figures as a dict.

Each client thread keeps one connection open (as a browser does), so the client's own cost of
connecting is not counted against either server. The client shares the machine's cores with both
servers: compare the ratio, not the absolute numbers, between machines. On a busy machine requests/s
swing from round to round; the server's CPU time per request (read from /proc, so Linux only) holds.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bare_flask import serve_bare_flask  # noqa: E402
from bench.serving import gunicorn, migrate  # noqa: E402

FORM_PATH = "/request"


def app_environment(workdir: Path) -> dict[str, str]:
    """The app's environment for a benchmark: its own SQLite file and mail folder, no outbox thread."""
    return {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}", "SECRET_KEY": "bench-" * 8,
            "OUTBOX_WORKER": "off", "MAIL_FILE_DIR": str(workdir / "mail"), "PYTHONPATH": str(ROOT)}  # fmt: skip


def get(connection: http.client.HTTPConnection, path: str) -> bytes:
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}")
    return body


def server_cpu_seconds(netloc: str) -> float:
    """CPU time used so far by the gunicorn serving ``netloc`` (its master and workers, which share
    its command line). Requests/s swing with whatever else the machine runs; CPU per request far less."""
    bind = f"\0{netloc}\0".encode()
    ticks = 0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and bind in (entry / "cmdline").read_bytes():
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])  # utime and stime
        except OSError:  # the process ended meanwhile
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def hammer(url: str, seconds: float, threads: int) -> dict[str, float]:
    """GET ``url`` from ``threads`` threads for ``seconds``: requests/s, the median latency in ms, and
    the server's CPU ms per request."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[list[float]] = [[] for _ in range(threads)]
    start = threading.Barrier(threads + 1)
    stop_at = float("inf")  # until the clock starts, once every client is connected

    failures: list[BaseException] = []

    def client(mine: list[float]) -> None:
        connection = http.client.HTTPConnection(parts.netloc, timeout=30)
        get(connection, path)  # connect (and warm this server thread) before the clock starts
        start.wait()
        try:
            while (began := time.perf_counter()) < stop_at:
                get(connection, path)
                mine.append(time.perf_counter() - began)
        except Exception as error:  # reported below: a failed request must not pass as a fast one
            failures.append(error)
        connection.close()

    pool = [threading.Thread(target=client, args=(mine,)) for mine in latencies]
    for thread in pool:
        thread.start()
    start.wait()
    cpu_before = server_cpu_seconds(parts.netloc)
    began = time.perf_counter()
    stop_at = began + seconds
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - began
    cpu = server_cpu_seconds(parts.netloc) - cpu_before
    if failures:
        raise RuntimeError(f"{len(failures)} client threads failed: {failures[0]}")
    every = [latency for mine in latencies for latency in mine]
    return {
        "rps": len(every) / elapsed,
        "p50_ms": statistics.median(every) * 1000,
        "cpu_ms": cpu * 1000 / len(every),
    }


def page_bytes(url: str) -> int:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=30)
    try:
        return len(get(connection, parts.path + (f"?{parts.query}" if parts.query else "")))
    finally:
        connection.close()


def measure_form_page(
    rounds: int = 3,
    seconds: float = 3.0,
    threads: int = 4,
    path: str = FORM_PATH,
    workers: int = 2,
    server_threads: int = 2,
    report: Callable[[str], object] | None = None,
) -> dict[str, Any]:
    """Serve the app and the bare app, measure both ``rounds`` times, one after the other; medians.

    ``report``, when given, is called with each round's figures as they come (e.g. ``print``)."""
    with tempfile.TemporaryDirectory(prefix="clinic-form-bench-") as workdir:
        env = app_environment(Path(workdir))
        migrate(env)
        form_rounds, bare_rounds, size = serve_and_hammer(
            env, rounds, seconds, threads, path, workers, server_threads, report
        )
    form_rps = statistics.median(r["rps"] for r in form_rounds)
    bare_rps = statistics.median(r["rps"] for r in bare_rounds)
    return {
        "path": path,
        "page_bytes": size,
        "form_rps": form_rps,
        "form_p50_ms": statistics.median(r["p50_ms"] for r in form_rounds),
        "bare_rps": bare_rps,
        "bare_p50_ms": statistics.median(r["p50_ms"] for r in bare_rounds),
        "ratio": form_rps / bare_rps,
        "form_cpu_ms": statistics.median(r["cpu_ms"] for r in form_rounds),
        "bare_cpu_ms": statistics.median(r["cpu_ms"] for r in bare_rounds),
        "rounds": {"form": form_rounds, "bare": bare_rounds},
    }


def serve_and_hammer(
    env: dict[str, str],
    rounds: int,
    seconds: float,
    threads: int,
    path: str,
    workers: int,
    server_threads: int,
    report: Callable[[str], object] | None,
) -> tuple[list[dict[str, float]], list[dict[str, float]], int]:
    """Both apps served side by side, each hammered in turn every round; the rounds' figures and the
    page's size."""
    with gunicorn(env, workers=workers, threads=server_threads) as base:
        form_url = base + path
        size = page_bytes(form_url)
        with serve_bare_flask(size, workers=workers, threads=server_threads) as bare_url:
            if page_bytes(bare_url) != size:
                raise RuntimeError("the bare page is not the form page's size")
            form_rounds, bare_rounds = [], []
            for number in range(1, rounds + 1):
                form_rounds.append(hammer(form_url, seconds, threads))
                bare_rounds.append(hammer(bare_url, seconds, threads))
                if report:
                    form, bare = form_rounds[-1], bare_rounds[-1]
                    report(
                        f"round {number}: form {form['rps']:.0f} requests/s ({form['cpu_ms']:.2f} CPU ms each), "
                        f"bare Flask {bare['rps']:.0f} requests/s ({bare['cpu_ms']:.2f} CPU ms each)"
                    )
    return form_rounds, bare_rounds, size


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--path", default=FORM_PATH, help="the form's address on the app (default /request)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each measurement")
    parser.add_argument("--threads", type=int, default=4, help="client threads, one connection each")
    args = parser.parse_args()
    result = measure_form_page(args.rounds, args.seconds, args.threads, args.path, report=print)
    print(
        f"\nGET {result['path']} ({result['page_bytes']:,} bytes), gunicorn 2 workers x 2 threads, "
        f"{args.threads} client threads, median of {args.rounds} rounds"
    )
    print("| app | requests/s | p50 ms | server CPU ms per request |\n| --- | --- | --- | --- |")
    for name, key in (("clinic form", "form"), ("bare Flask, same size", "bare")):
        print(
            f"| {name} | {result[f'{key}_rps']:.0f} | {result[f'{key}_p50_ms']:.1f} | {result[f'{key}_cpu_ms']:.2f} |"
        )
    print(
        f"form / bare: {result['ratio']:.0%} of the requests/s; "
        f"{result['bare_cpu_ms'] / result['form_cpu_ms']:.0%} by server CPU per request"
    )


if __name__ == "__main__":
    main()
