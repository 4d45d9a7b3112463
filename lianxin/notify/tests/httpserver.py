"""A real HTTP server on 127.0.0.1 for tests: it records what it is sent and answers
with the status codes a test scripts (500 then 200, say)."""

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (the name http.server calls)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        server = self.server
        with server.lock:
            server.received.append(
                {"path": self.path, "headers": dict(self.headers.items()), "body": body}
            )
            status = server.statuses.pop(0) if len(server.statuses) > 1 else server.statuses[0]
        answer = json.dumps(server.answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format, *args):  # keep the test output clean
        pass


@contextmanager
def local_server(statuses=(200,), answer=None):
    """Serve on a free port; `statuses` are answered in turn, the last one from then on."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.statuses = list(statuses)
    server.answer = answer if answer is not None else {"ok": True}
    server.received = []
    server.lock = threading.Lock()
    server.url = f"http://127.0.0.1:{server.server_port}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port_url() -> str:
    """An address where nothing listens: a port taken and released at once."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    port = server.server_port
    server.server_close()
    return f"http://127.0.0.1:{port}/hook"
