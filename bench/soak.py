#!/usr/bin/env python3
"""Soak test: mixed reads and writes at a steady rate against a running anbaa server, RSS
sampled every 10 s. Passes when no response is an error, every acknowledged write is there
at the end, and RSS shows no growth trend.

    bench/soak.py BASE_URL PID KEY [SECONDS]

Standard library only. Run through bench/soak.sh, which builds, starts and stops the server.
"""
import json
import random
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

BASE, PID, KEY = sys.argv[1], int(sys.argv[2]), sys.argv[3]
SECONDS = int(sys.argv[4]) if len(sys.argv) > 4 else 600
READS_PER_S, WRITES_PER_S = 80, 4

lock = threading.Lock()
stats = {"reads": 0, "writes": 0, "errors": [], "not_modified": 0}
acked = {}  # article id -> (version, title)
etags = {}


def request(method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        # The header map itself, not a dict of it: names are case-insensitive (actix sends
        # `etag`), which a plain dict would not be.
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status, res.headers, res.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


READ_PATHS = [
    "/api/v1/articles",
    "/api/v1/articles?tag=central-asia&limit=10",
    "/api/v1/articles?tag=kazakhstan,energy&tag_mode=all",
    "/api/v1/tags?sort=-article_count",
    "/api/v1/articles/1",
    "/api/v1/articles/1/related",
    "/api/v1/changes?limit=50",
    "/feeds/articles.atom",
    "/feeds/tags/caucasus.json",
]
WORDS = ["كازاخستان", "النفط", "طشقند", "الغاز", "بريكس", "باكو", "المياه", "القمح", "الموانئ"]


def reader(stop):
    rng = random.Random()
    interval = 1.0 / (READS_PER_S / 4)
    while not stop.is_set():
        started = time.time()
        if rng.random() < 0.3:
            q = " ".join(rng.sample(WORDS, 2))
            path = "/api/v1/articles?q=" + urllib.parse.quote(q)
        else:
            path = rng.choice(READ_PATHS)
        headers = {}
        if path in etags and rng.random() < 0.5:
            headers["If-None-Match"] = etags[path]
        status, h, _ = request("GET", path, headers=headers)
        with lock:
            stats["reads"] += 1
            if status == 304:
                stats["not_modified"] += 1
            elif status != 200:
                stats["errors"].append(("GET", path, status))
            if h.get("ETag"):
                etags[path] = h.get("ETag")
        time.sleep(max(0.0, interval - (time.time() - started)))


def writer(stop):
    rng = random.Random()
    auth = {"Authorization": "Bearer " + KEY}
    n = 0
    while not stop.is_set():
        started = time.time()
        n += 1
        if n % 3 or not acked:
            title = f"خبر الاختبار الطويل رقم {n} من {rng.choice(WORDS)}"
            body = {"title": title, "body": " ".join(rng.choices(WORDS, k=120)),
                    "status": "published", "tags": ["kazakhstan"]}
            status, _, raw = request("POST", "/api/v1/articles", body, auth)
            if status == 201:
                a = json.loads(raw)
                with lock:
                    acked[a["id"]] = (a["version"], title)
        else:
            with lock:
                aid = rng.choice(list(acked))
            title = f"عنوان معدل {n}"
            status, _, raw = request("PATCH", f"/api/v1/articles/{aid}", {"title": title}, auth)
            if status == 200:
                a = json.loads(raw)
                with lock:
                    acked[aid] = (a["version"], title)
        with lock:
            stats["writes"] += 1
            if status not in (200, 201):
                stats["errors"].append(("WRITE", n, status))
        time.sleep(max(0.0, 1.0 / WRITES_PER_S - (time.time() - started)))


def rss_kib():
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    stop = threading.Event()
    threads = [threading.Thread(target=reader, args=(stop,)) for _ in range(4)]
    threads.append(threading.Thread(target=writer, args=(stop,)))
    for t in threads:
        t.start()
    samples = []
    t0 = time.time()
    while time.time() - t0 < SECONDS:
        time.sleep(10)
        samples.append((time.time() - t0, rss_kib()))
        with lock:
            print(f"{samples[-1][0]:6.0f} s  RSS {samples[-1][1] / 1024:6.1f} MiB  "
                  f"reads {stats['reads']}  writes {stats['writes']}  errors {len(stats['errors'])}",
                  flush=True)
    stop.set()
    for t in threads:
        t.join()
    lost = []
    for aid, (version, title) in acked.items():
        status, _, raw = request("GET", f"/api/v1/articles/{aid}")
        a = json.loads(raw) if status == 200 else {}
        if status != 200 or a.get("version", 0) < version or (
            a.get("version") == version and a.get("title") != title
        ):
            lost.append((aid, status))
    # Trend: least-squares slope of RSS over the second half (after warm-up), KiB per minute.
    half = samples[len(samples) // 2:]
    n = len(half)
    slope = 0.0
    if n >= 2:
        mx = sum(t for t, _ in half) / n
        my = sum(r for _, r in half) / n
        den = sum((t - mx) ** 2 for t, _ in half) or 1.0
        slope = sum((t - mx) * (r - my) for t, r in half) / den * 60
    peak = max(r for _, r in samples) / 1024 if samples else 0
    print(f"\nsoak: {SECONDS} s, {stats['reads']} reads ({stats['not_modified']} answered 304), "
          f"{stats['writes']} writes, {len(stats['errors'])} errors, {len(lost)} lost writes "
          f"of {len(acked)} articles written")
    print(f"RSS: first {samples[0][1] / 1024:.1f} MiB, last {samples[-1][1] / 1024:.1f} MiB, "
          f"peak {peak:.1f} MiB; second-half trend {slope:+.0f} KiB/min")
    if stats["errors"]:
        print("first errors:", stats["errors"][:10])
    ok = not stats["errors"] and not lost and slope < 64
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


main()
