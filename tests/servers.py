"""Start real servers for tests on 127.0.0.1 with free ports, and always stop them."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    token: str
    process: subprocess.Popen
    log: Path

    def get(self, path: str) -> tuple[int, object]:
        return self.request("GET", path)

    def request(self, method: str, path: str, body: object = None) -> tuple[int, object]:
        return call(self.url + path, self.token, method, body)


def call(url: str, token: str, method: str = "GET", body: object = None, timeout: float = 120) -> tuple[int, object]:
    """One authenticated JSON request; (status, parsed JSON or text), HTTP errors included."""
    data = json.dumps(body).encode("utf-8") if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, text = response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    try:
        return status, json.loads(text)
    except json.JSONDecodeError:
        return status, text


@contextlib.contextmanager
def running(command: list[str], *, port: int, env: dict[str, str], log: Path,
            ready_path: str = "/api/status", token: str = "cadrekit-test",
            timeout: float = 90, cwd: Path | None = None) -> Iterator[Server]:
    """Run ``command`` in its own process group until ``ready_path`` answers 200; kill it after."""
    env = {**os.environ, **env, "JUPYTER_TOKEN": token}
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True, cwd=cwd)
    server = Server(f"http://127.0.0.1:{port}", token, process, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                if server.get(ready_path)[0] == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not ready after {timeout}s:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
