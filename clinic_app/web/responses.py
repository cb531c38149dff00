"""The shapes a view may return, named once for the views' annotations."""

from __future__ import annotations

from werkzeug.wrappers import Response

# A rendered page with its status code (and headers), a plain page, or a redirect.
Page = tuple[str, int] | tuple[str, int, dict[str, str]] | str | Response
