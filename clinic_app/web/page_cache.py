"""Pages that every visitor sees alike but for one value (the request form and its single-use token):
rendered once per process, with only that value put in on each request.

Rendering the form through Jinja and WTForms took most of the time of a GET /request; joining a kept
page around a fresh token takes a few microseconds.
"""

from __future__ import annotations

import secrets
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import Flask
from markupsafe import escape

# Enough for the clinic's own page and every embed variant an owner really uses. The embed's options
# come from the iframe's address (any readable accent colour is accepted), so anyone can ask for new
# variants: past this many, the least recently shown is dropped and rendered again when asked for.
MAX_PAGES_PER_APP = 64


class RenderedPages:
    """A bounded, thread-safe store of rendered pages, least recently used dropped first."""

    def __init__(self, max_pages: int = MAX_PAGES_PER_APP) -> None:
        self.max_pages = max_pages
        # Random per process, so no template, setting or query value can put it in a page by chance.
        self.placeholder = f"page-cache-placeholder-{secrets.token_hex(16)}"
        self._pieces: OrderedDict[Hashable, list[str]] = OrderedDict()
        self._lock = threading.Lock()

    def page(self, key: Hashable, render: Callable[[str], str], value: str) -> str:
        """The page ``render`` gives for ``key``, with ``value`` (HTML-escaped) where ``render`` put the
        placeholder it was handed. ``key`` must name everything else the page depends on."""
        with self._lock:
            pieces = self._pieces.get(key)
            if pieces is not None:
                self._pieces.move_to_end(key)
        if pieces is None:
            # Rendered outside the lock: two threads may both render a new page once, which is harmless.
            pieces = self._split(render(self.placeholder))
            with self._lock:
                self._pieces[key] = pieces
                self._pieces.move_to_end(key)
                while len(self._pieces) > self.max_pages:
                    self._pieces.popitem(last=False)
        return str(escape(value)).join(pieces)

    def __len__(self) -> int:
        return len(self._pieces)

    def _split(self, page: str) -> list[str]:
        pieces = page.split(self.placeholder)
        if len(pieces) < 2:
            raise ValueError("the rendered page does not show the value it is kept for")
        return pieces


_pages_by_app: weakref.WeakKeyDictionary[Flask, RenderedPages] = weakref.WeakKeyDictionary()
_pages_by_app_lock = threading.Lock()


def rendered_pages(app: Flask) -> RenderedPages:
    """This app's pages. Kept apart per app (tests build many apps, each with its own settings), and
    dropped with the app."""
    with _pages_by_app_lock:
        pages = _pages_by_app.get(app)
        if pages is None:
            pages = _pages_by_app[app] = RenderedPages()
        return pages
