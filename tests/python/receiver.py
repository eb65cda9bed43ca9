"""A webhook receiver for the tests: verifies every delivery with the official
Standard Webhooks library and reports each one as a JSON line on stdout.

    receiver.py SECRET [--fail N] [--gone] [--port P]

Prints `port <n>` first. With `--fail N` it answers the first N attempts of each message
503 with `Retry-After: 1`; with `--gone` it answers 410. For every delivery it also checks
that the library rejects the same body tampered with and the same message signed with a
timestamp ten minutes old, and reports both."""

import json
import sys
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

secret = sys.argv[1]
fail = int(sys.argv[sys.argv.index("--fail") + 1]) if "--fail" in sys.argv else 0
gone = "--gone" in sys.argv
port = int(sys.argv[sys.argv.index("--port") + 1]) if "--port" in sys.argv else 0
hook = Webhook(secret)
seen = {}


def rejected(body, headers):
    try:
        hook.verify(body, headers)
        return False
    except WebhookVerificationError:
        return True


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        headers = {k.lower(): v for k, v in self.headers.items()}
        record = {
            "id": headers.get("webhook-id"),
            "timestamp": headers.get("webhook-timestamp"),
            "signature": headers.get("webhook-signature"),
            "received_at": time.time(),
            "body": body.decode("utf-8"),
        }
        try:
            payload = hook.verify(body, headers)
            record["verified"] = True
            record["type"] = payload["type"]
        except WebhookVerificationError as e:
            record["verified"] = False
            record["error"] = str(e)
        record["tampered_rejected"] = rejected(body.replace(b'"id":', b'"id":1'), headers)
        stale = datetime.now(timezone.utc) - timedelta(minutes=10)
        old_headers = dict(headers)
        old_headers["webhook-timestamp"] = str(int(stale.timestamp()))
        old_headers["webhook-signature"] = hook.sign(record["id"], stale, body.decode("utf-8"))
        record["stale_rejected"] = rejected(body, old_headers)
        n = seen.get(record["id"], 0) + 1
        seen[record["id"]] = n
        record["attempt"] = n
        if gone:
            status = 410
        elif not record["verified"]:
            status = 400
        elif n <= fail:
            status = 503
        else:
            status = 200
        record["answered"] = status
        print(json.dumps(record), flush=True)
        self.send_response(status)
        if status == 503:
            self.send_header("Retry-After", "1")
        self.send_header("Content-Length", "0")
        self.end_headers()


server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
print(f"port {server.server_address[1]}", flush=True)
server.serve_forever()
