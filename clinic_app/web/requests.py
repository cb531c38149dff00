"""The app's request class: uploaded files are kept in memory, never spooled to a temporary file.

Werkzeug's default stream factory writes an upload to a temporary file once the body passes 500 KB.
A 271 may hold insurance details and is never to be written to disk, and the limits keep every body
small (64 KiB; a little over 1 MB where a 271 is checked), so memory is the right place for it.
"""

from __future__ import annotations

import io
from typing import IO

from flask import Request


class InMemoryRequest(Request):
    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        return io.BytesIO()
