"""Request lines in logs without what they may carry: search terms in query strings, and the tokens
in confirmation and set-password links. The development server's access log goes through here;
gunicorn's is set up the same way in deploy/gunicorn.conf.py."""

from __future__ import annotations

import logging
import re

# Paths whose last segment is a secret: a confirmation link (health information) or a set-password link.
SECRET_PATH = re.compile(r"(/(?:request|embed)/received/|/staff/set-password/)[^\s?/\"]+")
QUERY = re.compile(r"\?[^\s\"]*")


def scrubbed(text: str) -> str:
    """The text with query strings dropped and secret path segments replaced by an ellipsis."""
    return QUERY.sub("", SECRET_PATH.sub(r"\1…", text))


class ScrubRequestLines(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrubbed(str(record.msg))
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(scrubbed(a) if isinstance(a, str) else a for a in args)
        return True


def keep_secrets_out_of_request_logs(logger: logging.Logger) -> None:
    if not any(isinstance(f, ScrubRequestLines) for f in logger.filters):
        logger.addFilter(ScrubRequestLines())
