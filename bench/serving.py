"""Serving the app for a benchmark: gunicorn on a free loopback port, measured from this process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
BENCH_SECRET_KEY = "bench-" * 8


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def app_environment(url: str, workdir: Path, **extra: str) -> dict[str, str]:
    """The environment the app is started with: this database, no email leaving, no rate limits
    (one client sends every request, and gunicorn's config refuses limits counted per process)."""
    return {
        **os.environ, "DATABASE_URL": url, "SECRET_KEY": BENCH_SECRET_KEY, "OUTBOX_WORKER": "off",
        "RATELIMIT_ENABLED": "false", "MAIL_FILE_DIR": str(workdir / "mail"), "PYTHONPATH": str(ROOT),
        **extra,
    }  # fmt: skip


def migrate(env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode:
        raise RuntimeError(f"flask db upgrade failed:\n{done.stderr[-3000:]}")


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]

    def worker_pids(self) -> list[int]:
        return child_pids(self.process.pid)

    def reset_worker_peaks(self) -> bool:
        """Start the workers' peak memory (VmHWM) afresh from what they hold now, so that a later
        reading is the peak of what came after (Linux: "5" in /proc/<pid>/clear_refs). False where
        this is not allowed."""
        try:
            for pid in self.worker_pids():
                Path(f"/proc/{pid}/clear_refs").write_text("5")
        except OSError:
            return False
        return True

    def worker_peak_rss_mb(self) -> float:
        """The highest peak resident memory (VmHWM) among the worker processes, in MB."""
        return max((memory_mb(pid, "VmHWM") for pid in self.worker_pids()), default=0.0)


@contextmanager
def gunicorn(env: dict[str, str], workers: int = 2, threads: int = 2) -> Iterator[str]:
    """Serve the app in its own processes; yields its base URL once /healthz answers."""
    with serve(env, workers, threads) as server:
        yield server.base


@contextmanager
def serve(
    env: dict[str, str],
    workers: int = 2,
    threads: int = 2,
    production_config: bool = False,
    log: Path | None = None,
) -> Iterator[Server]:
    """Serve the app in its own processes; yields the server (address, processes) once /healthz answers.

    With production_config, deploy/gunicorn.conf.py decides everything but the address and the
    numbers of processes and threads (its timeouts, logging and worker class, as in production)."""
    port = free_port()
    if production_config:
        command = [sys.executable, "-m", "gunicorn", "-c", str(PRODUCTION_CONFIG), "wsgi:app"]
        env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers),
               "GUNICORN_THREADS": str(threads)}  # fmt: skip
    else:
        command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
                   "--bind", f"127.0.0.1:{port}", "wsgi:app"]  # fmt: skip
    output = open(log, "ab") if log else subprocess.DEVNULL  # closed when the server stops
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{server.base}/healthz").read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start (see {log or 'its output'})") from None
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)
        if log:
            output.close()  # type: ignore[union-attr]


def child_pids(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        # Kernels without /proc/.../children: find the children by their parent's id.
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
        return found


def memory_mb(pid: int, field: str) -> float:
    """A memory figure from /proc/<pid>/status (VmHWM: peak resident, VmRSS: resident now), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0
