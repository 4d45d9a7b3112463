"""A small city platform for tests: GeoReport v2 in JSON on 127.0.0.1, in a thread.

It keeps its orders and the updates pushed to it, drops a pushed update whose
update_id it has seen (as a careful upstream would), and can be switched into
trouble: stopped, answering 503, hanging past the client's timeout, applying a
push and then losing the response, or failing after a number of requests.
"""

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


class FakeUpstream:
    def __init__(self, api_key: str = "city-key"):
        self.api_key = api_key
        self.orders: dict[str, dict] = {}
        self.updates: list[dict] = []  # applied, one per update_id
        self.posts: list[dict] = []  # every POST that reached us, duplicates included
        self.gets: list[dict] = []  # the query of every GET
        self.mode = "up"  # up | 503 | hang | lose_response
        self.fail_after: int | None = None  # answer 503 once this many requests were served
        self.hang_seconds = 3.0
        self.limit: int | None = None  # at most this many requests per answer, oldest first
        self.served = 0
        self.lock = threading.Lock()
        self.port = 0
        self.server: ThreadingHTTPServer | None = None

    # The server's life.

    def start(self) -> "FakeUpstream":
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]  # kept: a restart comes back on it
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/open311/v2/"

    # The city's side of the orders.

    def add_order(self, upstream_id: str, requested: dt.datetime, **fields) -> dict:
        order = {
            "service_request_id": upstream_id,
            "status": "open",
            "status_notes": None,
            "service_name": "路灯故障",
            "service_code": "LIGHT",
            "description": "福临苑小区3号楼门口的路灯坏了一个多星期，晚上看不清路。",
            "agency_responsible": "崂山区",
            "requested_datetime": _w3c(requested),
            "updated_datetime": _w3c(requested),
            "address": "福临苑小区3号楼",
            "lat": 36.107201,
            "long": 120.468803,
        }
        order.update(fields)
        with self.lock:
            self.orders[str(upstream_id)] = order
        return order

    def change(self, upstream_id: str, when: dt.datetime, **fields) -> None:
        with self.lock:
            self.orders[upstream_id].update(fields, updated_datetime=_w3c(when))

    def applied_ids(self) -> list[str]:
        return [update["update_id"] for update in self.updates]


def _w3c(moment: dt.datetime) -> str:
    return moment.astimezone(SHANGHAI).replace(microsecond=0).isoformat()


def _handler(fake: FakeUpstream):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def _trouble(self) -> bool:
            with fake.lock:
                fake.served += 1
                over = fake.fail_after is not None and fake.served > fake.fail_after
            if fake.mode == "503" or over:
                self._send(503, {"error": "service unavailable"})
                return True
            if fake.mode == "hang":
                time.sleep(fake.hang_seconds)
                self._send(200, [])
                return True
            return False

        def _send(self, status: int, data) -> None:
            body = json.dumps(data, ensure_ascii=False).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the client gave up waiting

        def do_GET(self):
            url = urlsplit(self.path)
            query = {
                key: values[-1]
                for key, values in parse_qs(url.query, keep_blank_values=True).items()
            }
            with fake.lock:
                fake.gets.append(query)
            if self._trouble():
                return
            if not url.path.endswith("/requests.json"):
                self._send(404, [{"code": 404, "description": "not found"}])
                return
            with fake.lock:
                orders = list(fake.orders.values())
            if query.get("service_request_id"):
                wanted = set(query["service_request_id"].split(","))
                found = [o for o in orders if o["service_request_id"] in wanted]
            else:
                start = dt.datetime.fromisoformat(query["start_date"])
                end = dt.datetime.fromisoformat(query["end_date"])
                found = sorted(
                    (
                        o
                        for o in orders
                        if start <= dt.datetime.fromisoformat(o["requested_datetime"]) <= end
                    ),
                    key=lambda o: dt.datetime.fromisoformat(o["requested_datetime"]),
                )[: fake.limit]
            self._send(200, found)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = {
                k: v[-1]
                for k, v in parse_qs(
                    self.rfile.read(length).decode(), keep_blank_values=True
                ).items()
            }
            with fake.lock:
                fake.posts.append(form)
            if self._trouble():
                return
            if not urlsplit(self.path).path.endswith("/servicerequestupdates.json"):
                self._send(404, [{"code": 404, "description": "not found"}])
                return
            if form.get("api_key") != fake.api_key:
                self._send(403, [{"code": 403, "description": "bad api_key"}])
                return
            with fake.lock:
                order = fake.orders.get(form.get("service_request_id", ""))
                if order is None:
                    answer = (404, [{"code": 404, "description": "no such request"}])
                else:
                    applied = next(
                        (u for u in fake.updates if u["update_id"] == form["update_id"]), None
                    )
                    if applied is None:
                        applied = dict(form, server_id=f"city-{len(fake.updates) + 1}")
                        fake.updates.append(applied)
                        if form["status"] in ("CLOSED", "FIXED", "DUPLICATE", "NO_FURTHER_ACTION"):
                            order["status"] = "closed"
                        else:
                            order["status"] = "open"
                        order["status_notes"] = form.get("description")
                        order["updated_datetime"] = form["updated_datetime"]
                    answer = (200, [{"update_id": applied["server_id"]}])
            if fake.mode == "lose_response":
                time.sleep(fake.hang_seconds)  # applied, but the answer never arrives in time
            self._send(*answer)

    return Handler
