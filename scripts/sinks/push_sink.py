#!/usr/bin/python3
"""A local HTTP endpoint that accepts push messages as FCM HTTP v1 would and keeps each one.

    push_sink.py [--host H] --port P --folder DIR --token T

POST (any path) with "Authorization: Bearer T" and a JSON body {"message": {"token", ...}}
is answered 200 {"name": "projects/local/messages/<n>"} and kept as DIR/<time>-<n>.json;
a wrong token gets 401, a body without message.token 400. While a file named ".fail" exists
in DIR every request gets 503, to test retries and the circuit breaker.
"""
import argparse
import itertools
import json
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counter = itertools.count(1)


def handler(folder, token):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if os.path.exists(os.path.join(folder, ".fail")):
                return self.answer(503, {"error": {"status": "UNAVAILABLE"}})
            if self.headers.get("Authorization") != f"Bearer {token}":
                return self.answer(401, {"error": {"status": "UNAUTHENTICATED"}})
            try:
                message = json.loads(raw)["message"]
                assert message["token"]
            except Exception:
                return self.answer(400, {"error": {"status": "INVALID_ARGUMENT"}})
            n = next(counter)
            name = f"{time.time_ns()}-{n}.json"
            temporary = os.path.join(folder, "." + name)
            with open(temporary, "wb") as file:
                file.write(raw)
            os.rename(temporary, os.path.join(folder, name))
            self.answer(200, {"name": f"projects/local/messages/{n}"})

        def log_message(self, *args):
            pass

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--folder", required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    os.makedirs(args.folder, exist_ok=True)
    ThreadingHTTPServer((args.host, args.port), handler(args.folder, args.token)).serve_forever()


if __name__ == "__main__":
    main()
