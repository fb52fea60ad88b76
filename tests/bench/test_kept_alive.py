"""The benchmark's HTTP client (`bench.measure.KeptAlive`): GETs over one kept-alive connection,
opened again when the server closed it while idle (as gunicorn does after `keepalive` seconds),
and any answer but 200 refused."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.measure import KeptAlive


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless closed

    def do_GET(self) -> None:
        body = f"{self.path} on {id(self.connection)}".encode()
        self.send_response(404 if self.path.startswith("/missing") else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        # Closes the socket without saying so (no `Connection: close`), as an idle timeout does.
        self.close_connection = "close" in self.path

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_gets_share_one_connection(server: str) -> None:
    client = KeptAlive(server)
    try:
        first = client.get("/data", [("a", "1"), ("a", "2")], {})
        second = client.get("/data", [("b", "x y")], {"Cache-Control": "no-cache"})
    finally:
        client.close()
    assert first.startswith(b"/data?a=1&a=2 on ")
    assert second.startswith(b"/data?b=x+y on ")
    assert first.split(b" on ")[1] == second.split(b" on ")[1]  # the same server socket


def test_a_connection_the_server_closed_is_opened_again(server: str) -> None:
    client = KeptAlive(server)
    try:
        before = client.get("/close", [], {})
        after = client.get("/data", [], {})
    finally:
        client.close()
    assert before.startswith(b"/close? on ")
    assert after.startswith(b"/data? on ")


def test_an_answer_other_than_200_fails(server: str) -> None:
    client = KeptAlive(server)
    try:
        with pytest.raises(AssertionError, match="404"):
            client.get("/missing", [], {})
    finally:
        client.close()
