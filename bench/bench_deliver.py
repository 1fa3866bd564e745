# SPDX-License-Identifier: MIT
"""Delivery throughput benchmark (figures go to docs/benchmarks.md).

One run: N events through POST /events into `moelink sim`, spread over A
linked accounts (the sim's limits raised, so moelink is measured rather than
MoEngage's pacing). Reports events/s accepted, events/s delivered, MoEngage
requests per 1,000 events, p50/p99 ingest latency per POST, the server's
peak RSS, the server's CPU time per event while ingesting (steadier than
the rates when other processes share the cores); then, against the same
sim, a one-request-per-event client (Track Event per event, as the CDP
destinations do) as the baseline.

  python3 bench/bench_deliver.py [--events 1000000] [--accounts 100]
      [--per-post 10000] [--senders 4] [--baseline-seconds 10]

MOELINK_BIN names the binary (an optimized build: meson setup
build-bench --buildtype=debugoptimized -Db_ndebug=true; docs/benchmarks.md
says why not release). Everything runs on 127.0.0.1.
"""
import argparse
import http.client
import json
import os
import shutil
import ssl
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "integration"))
import harness                                     # noqa: E402
from test_deliver import DeliverEnv, wait_for      # noqa: E402

BIG = 100000000


def peak_rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    """user + system CPU time of a process so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def make_bodies(accounts, events, per_post):
    """Pre-encoded POST bodies: (account, bytes, count), round robin."""
    per_acc = events // len(accounts)
    lanes = []
    for a, acc in enumerate(accounts):
        lane = []
        done = 0
        while done < per_acc:
            n = min(per_post, per_acc - done)
            els = [{"type": "event", "customer_id": "b%d-u%d" % (a, (done + i) % 1000),
                    "actions": [{"action": "Bench", "attributes":
                                 {"i": done + i, "price": 9.5}}]}
                   for i in range(n)]
            lane.append((acc, json.dumps(els, separators=(",", ":")).encode(),
                         n))
            done += n
        lanes.append(lane)
    # Interleave accounts so all of them fill at once.
    bodies = []
    for i in range(max(len(lane) for lane in lanes)):
        bodies += [lane[i] for lane in lanes if i < len(lane)]
    return bodies


def ingest(env, bodies, senders):
    lat = []
    lock = threading.Lock()
    it = iter(bodies)

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", env.server.port,
                                          timeout=120)
        while True:
            with lock:
                b = next(it, None)
            if b is None:
                break
            acc, data, n = b
            t0 = time.monotonic()
            conn.request("POST", "/events", body=data, headers={
                "Authorization": "Bearer " + env.key, "x-account-id": acc,
                "Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            dt = time.monotonic() - t0
            if r.status != 202:
                raise RuntimeError("POST /events answered %d" % r.status)
            with lock:
                lat.append(dt)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(senders)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - t0, sorted(lat)


def baseline(env, seconds):
    """One Track Event request per event, keep-alive, over TLS."""
    ws = env.ws[0]
    ctx = ssl.create_default_context(cafile=env.sim.tls.ca)
    ctx.check_hostname = False
    conn = http.client.HTTPSConnection("127.0.0.1", env.sim.port,
                                       context=ctx, timeout=30)
    auth = harness.basic(ws["workspace_id"], ws["keys"]["data"])
    n = 0
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        body = json.dumps({"type": "event", "customer_id": "base-%d" % (n % 1000),
                           "actions": [{"action": "Bench",
                                        "attributes": {"i": n}}]})
        conn.request("POST", "/v1/event/" + ws["workspace_id"], body=body,
                     headers={"Host": "api-01.moengage.com",
                              "Authorization": auth,
                              "Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        n += 1
    return n, time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1000000)
    ap.add_argument("--accounts", type=int, default=100)
    ap.add_argument("--per-post", type=int, default=10000)
    ap.add_argument("--senders", type=int, default=4)
    ap.add_argument("--baseline-seconds", type=float, default=10)
    ap.add_argument("--no-fastbins", action="store_true",
                    help="run the server with GLIBC_TUNABLES="
                    "glibc.malloc.mxfast=0")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="moelink-bench-")
    limits = {"bulk_users_per_min": BIG, "bulk_events_per_min": BIG,
              "events_per_min": BIG}
    server_env = {"MOELINK_DELIVER_USERS_PER_MIN": str(BIG),
                  "MOELINK_DELIVER_EVENTS_PER_MIN": str(BIG),
                  "MOELINK_DELIVER_MAX_INFLIGHT": "128"}
    if args.no_fastbins:
        server_env["GLIBC_TUNABLES"] = "glibc.malloc.mxfast=0"
    env = DeliverEnv(tmp, n_accounts=args.accounts, limits=limits,
                     env=server_env)
    try:
        bodies = make_bodies(env.accounts, args.events, args.per_post)
        total = sum(b[2] for b in bodies)
        before = env.sim.stats()["totals"]["requests"]
        load1 = os.getloadavg()[0]
        cpu0 = cpu_seconds(env.server.p.proc.pid)
        t_start = time.monotonic()
        t_ingest, lat = ingest(env, bodies, args.senders)
        cpu_ingest = cpu_seconds(env.server.p.proc.pid) - cpu0
        wait_for("delivery", lambda: env.sim.stats()["totals"]["events"]
                 >= total, 1800)
        t_deliver = time.monotonic() - t_start
        st = env.sim.stats()["totals"]
        bulk = st["requests"] - before
        res = {
            "events": total, "accounts": args.accounts,
            "accepted_per_s": round(total / t_ingest),
            "delivered_per_s": round(total / t_deliver),
            "moengage_requests": bulk,
            "requests_per_1000_events": round(1000.0 * bulk / total, 2),
            "ingest_p50_ms": round(1000 * lat[len(lat) // 2], 1),
            "ingest_p99_ms": round(1000 * lat[min(len(lat) - 1,
                                                  int(len(lat) * 0.99))], 1),
            "events_per_post": args.per_post,
            "ingest_seconds": round(t_ingest, 2),
            "deliver_seconds": round(t_deliver, 2),
            "server_peak_rss_mb": round(peak_rss_kb(env.server.p.proc.pid)
                                        / 1024.0, 1),
            # Server CPU (all threads, delivery included) while ingesting:
            # steadier than events/s when neighbours share the cores.
            "server_cpu_us_per_event_ingest": round(cpu_ingest / total * 1e6,
                                                    2),
            "load1_at_start": round(load1, 2),
            "sim_429": st["429"],
            "server_no_fastbins": args.no_fastbins,
        }
        n, dt = baseline(env, args.baseline_seconds)
        res["baseline_events_per_s"] = round(n / dt)
        res["baseline_requests_per_1000_events"] = 1000
        print(json.dumps(res, indent=2))
    finally:
        env.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
