# SPDX-License-Identifier: MIT
"""Pacing benchmark (figures go to docs/benchmarks.md): one workspace at
MoEngage's documented Bulk Import limit (60,000 events per minute, the
simulator's and moelink's defaults) with a backlog queued at once.
Reports the delivered rate against the allowed rate and the simulator's
429 count, which must be 0.

  python3 bench/bench_deliver_pacing.py [--events 150000]

MOELINK_BIN names the binary. Takes events / 1,000 seconds or a little more.
"""
import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "integration"))
from test_deliver import DeliverEnv, wait_for      # noqa: E402

ALLOWED_PER_MIN = 60000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=150000)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="moelink-pacing-")
    env = DeliverEnv(tmp)
    try:
        ws = env.ws[0]["workspace_id"]
        for start in range(0, args.events, 10000):
            n = min(10000, args.events - start)
            els = [{"type": "event", "customer_id": "p-%d" % ((start + i) % 1000),
                    "actions": [{"action": "Paced", "attributes": {"i": start + i}}]}
                   for i in range(n)]
            st, _, body = env.post_events(els)
            assert st == 202, (st, body)
        t0 = None
        samples = []
        while True:
            w = env.sim.stats()["workspaces"][ws]
            now = time.monotonic()
            if t0 is None and w["events"] > 0:
                t0 = now
            samples.append((now, w["events"]))
            if w["events"] >= args.events:
                break
            time.sleep(1)
        t1 = time.monotonic()
        # Steady state: from the first delivery to the last.
        rate = args.events / (t1 - t0) * 60
        totals = env.sim.stats()["totals"]
        print(json.dumps({
            "events": args.events,
            "seconds": round(t1 - t0, 1),
            "delivered_per_min": round(rate),
            "allowed_per_min": ALLOWED_PER_MIN,
            "ratio": round(rate / ALLOWED_PER_MIN, 4),
            "sim_429": totals["429"],
            "moelink_retried": env.stats()[env.accounts[0]]["retried"],
        }, indent=2))
    finally:
        env.stop()


if __name__ == "__main__":
    main()
