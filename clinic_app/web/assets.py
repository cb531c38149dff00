"""Static files under addresses that change when the file does, so browsers may keep them a year.

`asset_url("css/site.css")` gives /static/css/site.css?v=<hash of the file>. A request with the current
hash is answered with a year's `immutable` cache; a new version of the file gets a new address, so no
visitor is left with an old one. Hashes are read once per process (the files change only on deploy).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, Response, request, url_for

A_YEAR = 365 * 24 * 3600


def register_assets(app: Flask) -> None:
    folder = Path(str(app.static_folder))

    @cache
    def version(filename: str) -> str:
        return hashlib.sha256((folder / filename).read_bytes()).hexdigest()[:12]

    def asset_url(filename: str) -> str:
        return url_for("static", filename=filename, v=version(filename))

    def cache_versioned(response: Response) -> Response:
        filename = (request.view_args or {}).get("filename", "")
        if (
            request.endpoint == "static"
            and response.status_code == 200
            and request.args.get("v") == version(filename)
        ):
            response.headers["Cache-Control"] = f"public, max-age={A_YEAR}, immutable"
        return response

    def favicon() -> Response:
        return app.send_static_file("favicon.png")

    app.jinja_env.globals["asset_url"] = asset_url
    app.after_request(cache_versioned)
    # Browsers ask for /favicon.ico on every site; a 404 there cost a request on every page.
    app.add_url_rule("/favicon.ico", "favicon", favicon)
