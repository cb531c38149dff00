"""gunicorn's settings for the clinic app: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

`make serve` and deploy/systemd/clinic-web.service run it this way. A few values come from the
environment (GUNICORN_BIND, WEB_CONCURRENCY, GUNICORN_THREADS, GUNICORN_TIMEOUT,
GUNICORN_ACCESS_LOG); the app's own settings come from the environment as always (see the README's
Configuration).

The access log names the method, the path and the status, never a query string, a referrer or a
header: staff searches (`/staff/?q=jane`), phone numbers and links' tokens stay out of it. The
tokens that sit in a path (the confirmation page and the set-password page) are replaced with `…`.
"""

from __future__ import annotations

import os

from gunicorn import glogging

# The same scrubbing as the development server's log: no query string, and `…` for the token in a
# confirmation link (/request/received/…, /embed/received/…) or a set-password link.
from clinic_app.web.log_privacy import scrubbed

# Where to listen. Behind Caddy or nginx on the same machine, keep it on loopback.
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]

# Processes and threads. Two processes of four threads each serve a small clinic with room to spare.
# More than one process needs the rate-limit counts in Redis (RATELIMIT_STORAGE_URI), or each process
# counts on its own and the limits are multiplied.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"

# A worker that sends no sign of life for this long is killed, and its download cut off. The CSV
# export of a million requests streams for about half a minute on a small machine (the README's
# benchmark); a sync worker (GUNICORN_THREADS=1) gives no sign of life while it streams, so the
# limit leaves it room. A cut-off export is logged as stopped, never as finished.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))


def limits_counted_apart(environ: dict[str, str], processes: int) -> str | None:
    """Why these settings would multiply the rate limits, or None: each process's memory counts apart."""
    limited = environ.get("RATELIMIT_ENABLED", "true").strip().lower() not in {"0", "false", "no", "off"}
    storage = environ.get("RATELIMIT_STORAGE_URI", "").strip() or "memory://"
    if limited and processes > 1 and storage.startswith("memory://"):
        return (
            f"RATELIMIT_STORAGE_URI: with {processes} processes (WEB_CONCURRENCY), rate limits kept in memory"
            " are counted by each process apart, so every limit is multiplied. Set"
            " RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379 (Redis), or WEB_CONCURRENCY=1."
        )
    return None


def on_starting(server: object) -> None:
    """Checked when gunicorn starts, on the number of processes it will really run (-w, --workers
    and GUNICORN_CMD_ARGS override this file)."""
    refuse_limits_counted_apart(server.cfg.workers)  # type: ignore[attr-defined]


def nworkers_changed(server: object, new_value: int, old_value: int | None) -> None:
    """The same check when processes are added while running (SIGTTIN)."""
    refuse_limits_counted_apart(new_value)


def refuse_limits_counted_apart(processes: int) -> None:
    refusal = limits_counted_apart(dict(os.environ), processes)
    if refusal:
        raise SystemExit(f"Configuration error: {refusal}")


# How long a worker may go silent before it is killed and restarted: 120 s. The CSV export is
# streamed, and 100,000 rows take about 10 s (README, "Speed with 100,000 requests"). A sync worker
# (GUNICORN_THREADS=1) is silent for the whole of one request, so the default 30 s would cut off an
# export of about 300,000 rows; 120 s leaves room for ten times our largest measured export. With
# threads a long request does not count as silence, and the value only restarts a stuck worker.
timeout = 120
# On a restart or stop, requests in progress get this long to finish (an export included).
# systemd's TimeoutStopSec in deploy/systemd/clinic-web.service is longer.
graceful_timeout = 60
# Keep-alive with the proxy in front.
keepalive = 5

# gunicorn 27's control socket lives in the home folder, shared by every gunicorn of that user;
# systemd's signals (reload, stop) are all this needs.
control_socket_disable = True

# Logs to stderr by default (systemd's journal); GUNICORN_ACCESS_LOG names a file instead.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
# Address, time, method, path (%(U)s: no query string), status, bytes, milliseconds.
# Never %(r)s or %(q)s (they hold the query string), nor %(f)s (the referrer holds another page's).
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


class ScrubbedLogger(glogging.Logger):
    """gunicorn's logger, with nothing secret in what it writes about a request.

    Whatever the format says, %(U)s and %(r)s have the path scrubbed and no query, %(q)s and %(f)s
    are "-", and no request header, response header or environ value can be logged. An error about
    a request names its path the same way.
    """

    def atoms(self, resp: object, req: object, environ: dict[str, str], request_time: object) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        path = scrubbed(environ.get("PATH_INFO") or "")
        kept = {key: value for key, value in atoms.items() if not key.startswith("{")}
        kept.update(
            U=path,
            r=f"{environ.get('REQUEST_METHOD', '-')} {path} {environ.get('SERVER_PROTOCOL', '-')}",
            q="-",
            f="-",
        )
        return kept

    def exception(self, msg: object, *args: object, **kwargs: object) -> None:
        super().exception(msg, *scrubbed_arguments(args), **kwargs)

    def error(self, msg: object, *args: object, **kwargs: object) -> None:
        super().error(msg, *scrubbed_arguments(args), **kwargs)

    def warning(self, msg: object, *args: object, **kwargs: object) -> None:
        super().warning(msg, *scrubbed_arguments(args), **kwargs)


def scrubbed_arguments(args: tuple[object, ...]) -> list[object]:
    """gunicorn's own messages ("Error handling request %s") pass the request's URI as an argument."""
    return [scrubbed(arg) if isinstance(arg, str) else arg for arg in args]


logger_class = ScrubbedLogger
