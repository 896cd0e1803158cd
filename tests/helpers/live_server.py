"""A real uvicorn server on a free loopback port, in a thread, for the service and browser tests.

The tests talk to it over real HTTP (httpx, Chromium), so middleware, the body limit, headers and the
lifespan run exactly as in production; only the process boundary is missing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import uvicorn

from matcher.config import Settings
from matcher.facade import Matcher
from matcher.store.accounts import Accounts
from matcher.store.database import Store
from service.http import server_options


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """``with LiveServer(app) as server: httpx.get(server.url + "/health")``."""

    def __init__(self, app, port: int | None = None):
        self.app = app
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # the options `matcher serve` runs with: trusted proxies, uvicorn's own 400s, TCP_NODELAY
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on",
                                **server_options(app.state.settings))
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


class ServeProcess:
    """``matcher serve`` in a subprocess over ``home``: the process boundary of production, for measurements in
    which a server thread would share the test's interpreter lock with the client."""

    def __init__(self, home: Path, **settings: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "MATCHER_HOME": str(home), **{f"MATCHER_{k.upper()}": v for k, v in settings.items()}}
        self.proc = subprocess.Popen([sys.executable, "-m", "matcher.cli", "serve", "--port", str(self.port),
                                      "--log-level", "warning"], env=env, stderr=subprocess.DEVNULL)

    def __enter__(self) -> ServeProcess:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.proc.poll() is None:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(self.url + "/health", timeout=5).status_code == 200:
                    return self
            time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("matcher serve did not become healthy")

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def service_home(source: Path, target: Path) -> tuple[Path, dict[str, str]]:
    """A private copy of an indexed store with three accounts; returns the home and the keys by role."""
    shutil.copytree(source, target)
    accounts = Accounts(Store(target))
    keys = {name: accounts.add(name, role)[1] for name, role in
            (("mentor", "mentor"), ("admin", "admin"), ("mentor2", "mentor"))}
    return target, keys


def service_app(home: Path, encoder, regions, **settings):
    """The app over ``home``, sharing the session's loaded encoder and regions."""
    from service.app import create_app

    s = Settings(home=home, **settings)
    return create_app(s, matcher=Matcher(s, encoder=encoder, regions=regions))


@contextlib.contextmanager
def running_service(source: Path, home: Path, encoder, regions, **settings) -> Iterator[LiveServer]:
    """A live server over a copy of the store in ``source``, with ``keys`` (by role) and ``home`` attached."""
    home, keys = service_home(source, home)
    with LiveServer(service_app(home, encoder, regions, **settings)) as server:
        server.keys, server.home = keys, home
        yield server


def fresh_minute() -> None:
    """The rate limit counts per clock minute: start a test early in one so its requests share a window."""
    if time.time() % 60 > 50:
        time.sleep(60.2 - time.time() % 60)


def rss_mb(pid: str | int = "self") -> float:
    """Resident memory of a process in MB, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def auth(server: LiveServer, role: str = "mentor") -> dict[str, str]:
    return {"X-API-Key": server.keys[role]}


def assert_error(response: httpx.Response, status: int, code: str) -> dict:
    """The one error shape: {"error": {"code", "message", "details"}} and nothing else (no traceback)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code and body["error"]["message"]
    assert "Traceback" not in response.text
    return body["error"]
