"""The yardstick for bench/form_page.py: a bare Flask app that renders, through Jinja, one page of a
given size with a fresh random token in it, and nothing else (no database, no extensions, no hooks).

    from bench.bare_flask import serve_bare_flask
    with serve_bare_flask(page_bytes=24_000) as base:   # gunicorn on a free loopback port
        ...                                             # GET {base}/page

gunicorn builds it with `bench.bare_flask:create_app_from_environ()`, the size in BARE_PAGE_BYTES.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, render_template
from jinja2 import DictLoader

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.serving import free_port  # noqa: E402

PAGE_BYTES_VARIABLE = "BARE_PAGE_BYTES"
TOKEN_CHARACTERS = 64  # secrets.token_urlsafe(48)
HEAD = (
    '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Bare page</title></head>\n<body>\n'
)
FORM = '<form method="post"><input name="form_token" type="hidden" value="{{ token }}"></form>\n'
TAIL = "</body>\n</html>"  # no newline after: Jinja drops a template's last one
LINE = "<p>Static text of the same length as the clinic's form page, rendered by a bare Jinja template.</p>\n"


def page_template(page_bytes: int) -> str:
    """Template source whose rendered page is exactly ``page_bytes`` long (ASCII, one byte a character)."""
    fixed = len(HEAD) + len(FORM) - len("{{ token }}") + TOKEN_CHARACTERS + len(TAIL)
    filler = max(page_bytes - fixed, 0)
    lines, rest = divmod(filler, len(LINE))
    return HEAD + LINE * lines + "x" * rest + FORM + TAIL


def create_app(page_bytes: int) -> Flask:
    app = Flask(__name__)
    app.jinja_loader = DictLoader({"page.html": page_template(page_bytes)})

    @app.get("/page")
    def page() -> str:
        return render_template("page.html", token=secrets.token_urlsafe(48))

    @app.get("/healthz")
    def healthz() -> str:
        return "ok"

    return app


def create_app_from_environ() -> Flask:
    return create_app(int(os.environ[PAGE_BYTES_VARIABLE]))


@contextmanager
def serve_bare_flask(page_bytes: int, workers: int = 2, threads: int = 2) -> Iterator[str]:
    """Serve the bare app under gunicorn (as bench/serving.py serves ours); yields its page's URL."""
    port = free_port()
    env = {**os.environ, PAGE_BYTES_VARIABLE: str(page_bytes), "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}", "bench.bare_flask:create_app_from_environ()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz").read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the bare Flask app did not start under gunicorn")
        yield f"{base}/page"
    finally:
        server.terminate()
        server.wait(timeout=10)
