#!/usr/bin/env python3
"""A tiny { rows, nextCursor, schemaVersion } feed for systemd/boot-test.sh, run inside the guest.

    feed-server.py PORT TOKEN_FILE

GET /feed/<dataset>?page_size=N[&cursor=C][&updated_since=T] with "Authorization: Bearer <token>":
    orders     3 pages of page_size rows, then nextCursor null
    slow       pages without end, each answered after 0.5 s: a run stays in flight until it is stopped
    forbidden  403: a run that fails
The token is compared with TOKEN_FILE (the file the service loads with LoadCredential=); anything else gets
401, so a run that writes rows proves the credential reached the service.
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PORT, TOKEN_FILE = int(sys.argv[1]), sys.argv[2]


def rows(page, size):
    first = page * size
    return [{"id": first + i, "updated_at_utc": f"2024-05-01T{(first + i) // 60 % 24:02d}:{(first + i) % 60:02d}:00Z",
             "amount": (first + i) * 1.5, "active": i % 2 == 0, "name": f"row {first + i}"}
            for i in range(size)]


class Feed(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        with open(TOKEN_FILE) as f:
            token = f.read().strip()
        if self.headers.get("Authorization") != f"Bearer {token}":
            return self.answer(401, {"error": "bad token"})
        dataset = url.path.removeprefix("/feed/")
        page = int(query.get("cursor", "0"))
        size = int(query.get("page_size", "5"))
        if dataset == "orders":
            self.answer(200, {"rows": rows(page, size), "nextCursor": str(page + 1) if page < 2 else None,
                              "schemaVersion": 1})
        elif dataset == "slow":
            time.sleep(0.5)
            self.answer(200, {"rows": rows(page, size), "nextCursor": str(page + 1), "schemaVersion": 1})
        elif dataset == "forbidden":
            self.answer(403, {"error": "forbidden"})
        else:
            self.answer(404, {"error": f"no dataset {dataset}"})

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), Feed).serve_forever()
