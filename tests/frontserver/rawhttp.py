"""Plain-socket HTTP for the front server tests: clients that misbehave on purpose, and a
small cookie-keeping client that can connect from another loopback address (127.0.0.2)."""

from __future__ import annotations

import http.client
import re
import select
import socket
import threading
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def host_port(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    return parts.hostname, parts.port


class Client:
    """One reader's requests: their own source address, their own cookies."""

    def __init__(self, base_url: str, *, source: str = "127.0.0.1"):
        self.host, self.port = host_port(base_url)
        self.source = source
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, body=None, headers=None):
        connection = http.client.HTTPConnection(
            self.host, self.port, timeout=30, source_address=(self.source, 0)
        )
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        return response, content

    def get(self, path: str, **headers):
        return self.request("GET", path, headers=headers)

    def post_form(self, path: str, fields: dict, **headers):
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self.request("POST", path, body=urlencode(fields), headers=headers)

    def csrf_token(self, path: str) -> str:
        _response, content = self.get(path)
        return CSRF_FIELD.search(content.decode()).group(1)


def timed_get(base_url: str, path: str) -> tuple[int, float]:
    """(status, seconds) for one GET; a request that gets no answer counts as very slow."""
    host, port = host_port(base_url)
    started = time.monotonic()
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request("GET", path)
        status = connection.getresponse().status
    except OSError:
        status = 0
    finally:
        connection.close()
    return status, time.monotonic() - started


class SlowHeaders(threading.Thread):
    """Sends a request's header lines one a second and never finishes them."""

    def __init__(self, base_url: str, *, give_up_after: float):
        super().__init__(daemon=True)
        self.address = host_port(base_url)
        self.give_up_after = give_up_after
        self.lines_sent = 0
        self.cut_off = False

    def run(self) -> None:
        with socket.create_connection(self.address) as sock:
            sock.sendall(b"GET /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            deadline = time.monotonic() + self.give_up_after
            while time.monotonic() < deadline:
                if _server_spoke_or_closed(sock, wait=1.0):
                    self.cut_off = True
                    return
                try:
                    sock.sendall(f"X-Slow-{self.lines_sent}: yes\r\n".encode())
                except OSError:
                    self.cut_off = True
                    return
                self.lines_sent += 1


class SlowBody(threading.Thread):
    """Declares a body of ``declared`` bytes and trickles it, 1 KB every half second."""

    def __init__(self, base_url: str, path: str, *, declared: int, give_up_after: float):
        super().__init__(daemon=True)
        self.address = host_port(base_url)
        self.path = path
        self.declared = declared
        self.give_up_after = give_up_after
        self.sent = 0
        self.answer = b""

    def run(self) -> None:
        with socket.create_connection(self.address) as sock:
            sock.sendall(request_head(self.path, self.declared))
            deadline = time.monotonic() + self.give_up_after
            while time.monotonic() < deadline and self.sent < self.declared:
                if _server_spoke_or_closed(sock, wait=0.5):
                    self.answer = _read_some(sock)
                    return
                try:
                    self.sent += sock.send(b"a" * 1024)
                except OSError:
                    return


def request_head(path: str, declared: int) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: multipart/form-data; boundary=----smartchunks\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    ).encode()


def send_until_answered(base_url: str, path: str, *, declared: int, stop_at: int):
    """Upload as fast as the server reads, 64 KB at a time, until it answers or ``stop_at``
    bytes are out; return (body bytes sent before the answer, the answer's first bytes)."""
    chunk = b"\0" * 65536
    with socket.create_connection(host_port(base_url)) as sock:
        # A small send buffer: bytes counted as sent have left for the server, not a buffer.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
        sock.sendall(request_head(path, declared))
        sent = 0
        while sent < stop_at:
            if _server_spoke_or_closed(sock, wait=0.03):
                break
            try:
                sent += sock.send(chunk)
            except OSError:
                break
        return sent, _read_some(sock)


def status_of(answer: bytes) -> int:
    match = re.match(rb"HTTP/1\.[01] (\d{3})", answer)
    return int(match.group(1)) if match else 0


def _server_spoke_or_closed(sock: socket.socket, *, wait: float) -> bool:
    readable, _, _ = select.select([sock], [], [], wait)
    return bool(readable)


def _read_some(sock: socket.socket) -> bytes:
    sock.settimeout(5)
    try:
        return sock.recv(65536)
    except OSError:
        return b""
