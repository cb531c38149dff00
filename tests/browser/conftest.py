"""Browser tests: Debian's Chromium driven by Playwright, against the app served on loopback.

The form is served from http://127.0.0.1:PORT and embedded in a page served from http://localhost:PORT2,
a different site, so the browser treats the form as third-party content, as it is on a clinic's site.
"""

from __future__ import annotations

import json
import os
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.helpers import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"{CHROMIUM} is missing; .ci/run installs it (apt-get install chromium)")
    skip = pytest.mark.skip(
        reason=f"browser tests need Debian's Chromium at {CHROMIUM}: apt-get install chromium"
    )
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def playwright_driver():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium(playwright_driver):
    browser = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture(params=["default cookies", "third-party cookies blocked"])
def browser_page(request, chromium, playwright_driver, tmp_path):
    """A page in Chromium as visitors have it: once as it comes, once with third-party cookies blocked."""
    if request.param == "default cookies":
        context = chromium.new_context()
    else:
        profile = tmp_path / "profile"
        (profile / "Default").mkdir(parents=True)
        # Chromium's own setting for "Block third-party cookies".
        prefs = {"profile": {"cookie_controls_mode": 1, "block_third_party_cookies": True}}
        (profile / "Default" / "Preferences").write_text(json.dumps(prefs))
        # The documented switch that makes Chromium block all third-party cookies, as browsers are
        # moving to (https://developers.google.com/privacy-sandbox/3pcd).
        context = playwright_driver.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=[*CHROMIUM_ARGS, "--test-third-party-cookie-phaseout"],
        )
    page = context.new_page()
    page.third_party_cookies_blocked = request.param != "default cookies"
    yield page
    context.close()


class HostSite:
    """A clinic's own website: a static page that embeds the form with the snippet."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.port = port
        self.origin = f"http://localhost:{port}"
        handler = lambda *args, **kwargs: SimpleHTTPRequestHandler(*args, directory=str(folder), **kwargs)  # noqa: E731
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def page(self, name: str, body: str) -> str:
        (self.folder / name).write_text(
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Clinic site</title></head>'
            f"<body><h1>Our clinic</h1>{body}</body></html>"
        )
        return f"{self.origin}/{name}"

    def stop(self) -> None:
        self._server.shutdown()


@contextmanager
def site_in(folder: Path):
    folder.mkdir()
    site = HostSite(folder, free_port())
    yield site
    site.stop()


@pytest.fixture
def host_site(tmp_path):
    """The clinic's own site, listed in EMBED_ALLOWED_ORIGINS."""
    with site_in(tmp_path / "site") as site:
        yield site


@pytest.fixture
def other_site(tmp_path):
    """A site that is not on the list."""
    with site_in(tmp_path / "other") as site:
        yield site


@pytest.fixture
def live_app(make_app, host_site, smtp_server):
    port = free_port()
    app = make_app(
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        EMBED_ALLOWED_ORIGINS=[host_site.origin],
        **smtp_server.config(),
    )
    server = LiveServer(app, port).start()
    yield server
    server.stop()
