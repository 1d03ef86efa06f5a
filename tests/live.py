"""A real gunicorn serving the app on a free port: for the tests, the screenshots and the benchmark.

with LiveServer({"METRICS_DATA": "/some/store"}, workers=3) as server:
    requests.get(server.url + "/healthz")
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """gunicorn serving `app` (default app:server) with the given environment added."""

    def __init__(self, env: dict[str, str], workers: int = 2, app: str = "app:server", wait_seconds: int = 90):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # gunicorn's own log goes to a file, not a pipe nobody drains, and is shown if it fails to start.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                app,
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {app} exited:\n{self._log_text()}")
            try:
                if requests.get(self.url + "/healthz", timeout=10).ok:
                    return
            # A worker still importing the app on a busy machine accepts the connection but answers late.
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn {app} did not answer /healthz within {wait_seconds} s:\n{self._log_text()}")

    def _log_text(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def __enter__(self) -> LiveServer:
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()
