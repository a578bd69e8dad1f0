#!/usr/bin/env python3
"""Loopback HTTP stubs for the helper-script tests (scripts/ci/test/helpers-test.sh).

    stub_server.py readyz PORT CODE STATUS     GET /readyz -> CODE {"status": STATUS}
    stub_server.py record PORT DIR             GET /metrics -> DIR/metrics (if any);
                                               PUT/POST <path> -> appended to DIR/requests
                                               as one JSON line {method, path, body}

Binds 127.0.0.1 only and stops by itself after 120 s.
"""

import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

mode, port = sys.argv[1], int(sys.argv[2])
args = sys.argv[3:]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):  # keep test output quiet
        pass

    def _send(self, code, body, ctype="application/json"):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if mode == "readyz" and self.path == "/readyz":
            self._send(int(args[0]), json.dumps({"status": args[1]}))
        elif mode == "record" and self.path == "/metrics":
            p = os.path.join(args[0], "metrics")
            self._send(200, open(p).read() if os.path.exists(p) else "", "text/plain")
        elif mode == "record" and self.path == "/-/ready":
            self._send(200, "OK", "text/plain")
        else:
            self._send(404, "{}")

    def _record(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode()
        with open(os.path.join(args[0], "requests"), "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path, "body": body}) + "\n")
        self._send(200, "{}")

    do_PUT = _record
    do_POST = _record


server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
threading.Timer(120, server.shutdown).start()
server.serve_forever()
