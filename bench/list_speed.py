"""How fast the staff list stays with many requests: the pieces `make bench` measures it with, and a
command for one database on its own.

Signs in as the seeded owner over HTTP, like a browser, and times pages one after another from this
process. Every list view also writes its audit row, as in production, so that cost is included.

    .venv/bin/python bench/list_speed.py                           # 100,000 requests, SQLite
    .venv/bin/python bench/list_speed.py --engine postgresql --size 1000000 --threads 4

The seeded databases are kept in .bench-cache/ (see bench/seeding.py).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import math
import re
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.seeding import OWNER_EMAIL, OWNER_PASSWORD, searched_name, searched_phone, seeded  # noqa: E402
from bench.serving import app_environment, serve  # noqa: E402

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
CACHE = ROOT / ".bench-cache"


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'type="hidden" name="csrf_token" value="([^"]+)"', page
    )
    if not found:
        raise RuntimeError("no CSRF token on the sign-in page")
    return found.group(1)


def signed_in_opener(
    base: str, email: str = OWNER_EMAIL, password: str = OWNER_PASSWORD
) -> urllib.request.OpenerDirector:
    """A client holding a session cookie (the seeded owner's unless told), signed in through the
    sign-in form."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    token = csrf_token(opener.open(f"{base}/staff/sign-in").read().decode())
    data = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
    with opener.open(f"{base}/staff/sign-in", data=data.encode()) as response:
        if urllib.parse.urlsplit(response.url).path.endswith("/sign-in"):
            raise RuntimeError(f"{base}: {email} could not sign in")
    return opener


def list_paths() -> dict[str, str]:
    """The list pages that are compared across sizes; the searches find the same person at every size."""
    return {
        "first page": "/staff/",
        "status filter": "/staff/?status=new",
        "name search": "/staff/?" + urllib.parse.urlencode({"q": searched_name()}),
        "phone search": "/staff/?" + urllib.parse.urlencode({"q": searched_phone()}),
    }


def timed_gets(opener: urllib.request.OpenerDirector, url: str, count: int) -> list[float]:
    """Milliseconds for each of `count` GETs, one after another (the service time, no queueing)."""
    times = []
    for _ in range(count):
        began = time.perf_counter()
        with opener.open(url) as response:
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{url}: {response.status}")
        times.append((time.perf_counter() - began) * 1000)
    return times


def p50_p95(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[math.ceil(len(ordered) * 0.95) - 1]


def throughput(
    opener: urllib.request.OpenerDirector, url: str, requests: int, threads: int
) -> dict[str, float]:
    """Latency and requests/s with `threads` clients at once."""
    times: list[float] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        mine = timed_gets(opener, url, n)
        with lock:
            times.extend(mine)

    began = time.perf_counter()
    pool = [threading.Thread(target=client, args=(requests // threads,)) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - began
    p50, p95 = p50_p95(times)
    return {"p50": p50, "p95": p95, "rps": len(times) / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--size", type=int, default=100_000, help="requests in the database")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--samples", type=int, default=100, help="requests per page")
    parser.add_argument("--threads", type=int, default=1, help="clients at once")
    args = parser.parse_args()

    seed = seeded(args.engine, args.size, CACHE, args.postgres_url)
    print(f"{seed.label}: " + (f"seeded in {seed.seconds:.0f} s" if seed.seconds else "reused"))
    with serve(
        app_environment(seed.url, CACHE), production_config=True, log=CACHE / "list_speed.log"
    ) as server:
        opener = signed_in_opener(server.base)
        print(f"\n| page, {seed.label} ({args.threads} clients) | median ms | p95 ms | requests/s |")
        print("| --- | --- | --- | --- |")
        for name, path in {**list_paths(), "a request's page": f"/staff/requests/{args.size // 2}"}.items():
            opener.open(server.base + path).read()  # warm up
            result = throughput(opener, server.base + path, args.samples, args.threads)
            print(f"| {name} | {result['p50']:.0f} | {result['p95']:.0f} | {result['rps']:.0f} |")


if __name__ == "__main__":
    main()
