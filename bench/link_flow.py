# SPDX-License-Identifier: MIT
"""Time the account-link flow of `moelink serve` against `moelink sim`
(benchmark 2), and the sim's own Test Connection answer for comparison.

One link = POST /connect_sessions (Bearer project key) + GET /hub?token=...
(the page the end user opens; it carries the CSRF token) + POST
/hub/api/link with a workspace id, data center and Data API key, which
makes the server call MoEngage's Test Connection (the sim, over TLS).
"direct" = the same Test Connection request sent straight to the sim, on a
kept-alive TLS connection, as the server's client keeps its own.
link minus direct = what moelink adds, without MoEngage's latency.
With --hello PORT (bench/mhd_hello), an empty keep-alive GET is timed too:
the cost of one round trip from this Python client, which the link pays
three times and the direct call once.

Each of the N links (after --warmup) is timed; the result is one JSON line
per step with p50/p90 in microseconds.

Usage: link_flow.py --server PORT --api-key-file F --sim PORT --ca CA
                    [--hello PORT] [--n 200] [--warmup 10]
Stdlib only; talks to 127.0.0.1 only.
"""
import argparse
import base64
import http.client
import json
import re
import ssl
import statistics
import sys
import time
import urllib.parse

WS, DC, KEY = "BENCH_WS", "01", "bench-data-key-0001"


def pct(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


class Server:
    def __init__(self, port, api_key):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.key = api_key

    def call(self, method, path, body=None, headers=None):
        h = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        self.c.request(method, path, body=data, headers=h)
        r = self.c.getresponse()
        return r.status, r.read()

    def link_once(self):
        """Returns the three step times in seconds."""
        t0 = time.perf_counter()
        st, raw = self.call("POST", "/connect_sessions", body={
            "origin_owner_id": "bench-owner", "origin_owner_name": "Bench"},
            headers={"Authorization": "Bearer " + self.key})
        t1 = time.perf_counter()
        if st != 201:
            raise RuntimeError("connect_sessions: %d %r" % (st, raw[:300]))
        token = json.loads(raw)["token"]
        st, raw = self.call("GET", "/hub?token=" + urllib.parse.quote(token))
        t2 = time.perf_counter()
        m = re.search(rb'<meta name="moelink-csrf" content="([^"]*)">', raw)
        if st != 200 or not m:
            raise RuntimeError("hub page: %d" % st)
        st, raw = self.call("POST", "/hub/api/link", body={
            "workspace_id": WS, "data_center": DC, "data_key": KEY},
            headers={"X-Hub-Session-Token": token,
                     "X-CSRF-Token": m.group(1).decode()})
        t3 = time.perf_counter()
        if st != 201:
            raise RuntimeError("hub link: %d %r" % (st, raw[:300]))
        return t1 - t0, t2 - t1, t3 - t2


class Direct:
    def __init__(self, port, ca):
        ctx = ssl.create_default_context(cafile=ca)
        ctx.check_hostname = False
        self.c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx,
                                             timeout=30)
        auth = base64.b64encode(("%s:%s" % (WS, KEY)).encode()).decode()
        self.h = {"Host": "api-01.moengage.com",
                  "Authorization": "Basic " + auth, "MOE-APPKEY": WS,
                  "Content-Type": "application/json"}
        self.body = json.dumps({"app_id": WS, "app_secret": KEY,
                                "source": "moelink", "region": DC}).encode()

    def once(self):
        t0 = time.perf_counter()
        self.c.request("POST", "/v1/integrations/authentication",
                       body=self.body, headers=self.h)
        r = self.c.getresponse()
        r.read()
        t1 = time.perf_counter()
        if r.status != 200:
            raise RuntimeError("test connection: %d" % r.status)
        return t1 - t0


class Hello:
    def __init__(self, port):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def once(self):
        t0 = time.perf_counter()
        self.c.request("GET", "/")
        r = self.c.getresponse()
        r.read()
        return time.perf_counter() - t0


def line(step, values):
    us = [v * 1e6 for v in values]
    return json.dumps({"step": step, "n": len(us),
                       "p50_us": int(pct(us, 0.5)),
                       "p90_us": int(pct(us, 0.9)),
                       "mean_us": int(statistics.mean(us))})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", type=int, required=True)
    ap.add_argument("--api-key-file", required=True)
    ap.add_argument("--sim", type=int, required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--hello", type=int)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=10)
    a = ap.parse_args()
    with open(a.api_key_file) as f:
        key = f.read().strip()
    srv, direct = Server(a.server, key), Direct(a.sim, a.ca)
    hello = Hello(a.hello) if a.hello else None
    for _ in range(a.warmup):
        srv.link_once()
        direct.once()
    steps = {"connect_session": [], "hub_page": [], "hub_link": [],
             "link_total": [], "direct_test_connection": []}
    if hello:
        steps["empty_roundtrip"] = []
    # Interleaved, so both sides see the same machine load.
    for _ in range(a.n):
        s, p, k = srv.link_once()
        steps["connect_session"].append(s)
        steps["hub_page"].append(p)
        steps["hub_link"].append(k)
        steps["link_total"].append(s + p + k)
        steps["direct_test_connection"].append(direct.once())
        if hello:
            steps["empty_roundtrip"].append(hello.once())
    for name, vals in steps.items():
        print(line(name, vals))
    added = [t - d for t, d in zip(steps["hub_link"],
                                   steps["direct_test_connection"])]
    print(line("hub_link_minus_direct", added))
    added = [t - d for t, d in zip(steps["link_total"],
                                   steps["direct_test_connection"])]
    print(line("link_total_minus_direct", added))
    return 0


if __name__ == "__main__":
    sys.exit(main())
