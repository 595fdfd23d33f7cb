"""The test app served by a real gunicorn on loopback, and a cookie-keeping browser for it (no JavaScript)."""

import http.cookiejar
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, *, workers: int = 1, threads: int = 1, **config):
    """Serve the plugin on a bare host app (as the suite builds it) over `database_url`."""
    port = free_port()
    settings = ", ".join(f"{key}={value!r}" for key, value in config.items())
    factory = f"tests.served:served_app(SQLALCHEMY_DATABASE_URI={database_url!r}{', ' if settings else ''}{settings})"
    log = tempfile.TemporaryFile()  # a file, not a pipe: a full pipe would stall the workers' logging
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}",
         "--timeout", "120", "--log-level", "warning", factory],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, log)
        yield Served(url, process, log)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def wait_for(condition, timeout=60):
    """Wait until `condition()` holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def served_app(**config):
    """The app a gunicorn worker serves: the suite's bare host app, logging warnings as production does."""
    from tests.conftest import make_host_app

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    return make_host_app(None, create_tables=False, **config)


def read_log(log) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")


def wait_until_up(url, process, log, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {read_log(log)}")
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=2)
            return
        except OSError:  # refused, reset or timed out (URLError is an OSError too)
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer")


class Served:
    def __init__(self, url, process, log):
        self.url, self.process, self.log = url, process, log

    def output(self) -> str:
        return read_log(self.log)

    def workers(self) -> list[int]:
        """The process ids of the master's workers."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]


class Browser:
    """Keeps cookies, follows redirects, reads the CSRF token of the last page."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = None
        #: The headers of the last answer.
        self.headers = None

    def get(self, path, timeout=30) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path), timeout)

    def post(self, path, data, timeout=30) -> tuple[int, str]:
        body = urllib.parse.urlencode({"csrf_token": self.token, **data}).encode()
        return self._open(urllib.request.Request(self.base + path, data=body), timeout)

    def _open(self, request, timeout):
        try:
            with self.opener.open(request, timeout=timeout) as response:
                status, page, self.headers = response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            status, page, self.headers = error.code, error.read().decode(), error.headers
        if found := CSRF.search(page):
            self.token = found.group(1)
        return status, page

    def log_in(self, email, password, code=None):
        self.get("/login")
        status, page = self.post("/login", {"email": email, "password": password})
        if "/two-factor" in page or 'name="code"' in page:
            status, page = self.post("/login/two-factor", {"code": code()})
        assert status == 200 and 'id="password"' not in page, page[:500]
