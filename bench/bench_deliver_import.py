# SPDX-License-Identifier: MIT
"""`moelink import` of a large file (figures go to docs/benchmarks.md):
rows/s and the import process's peak RSS, which must stay flat whatever the
file's size. Writes an NDJSON and a CSV file of --rows rows (a few malformed
ones included), imports each through a local server into the sim, and
reports rows/s, peak RSS (from wait4's rusage) and the rejected count.

  python3 bench/bench_deliver_import.py [--rows 1000000]

MOELINK_BIN names the binary (a release build).
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "integration"))
import harness                                     # noqa: E402
from test_deliver import DeliverEnv                # noqa: E402

BIG = 100000000


def write_files(tmp, rows):
    nd = os.path.join(tmp, "rows.ndjson")
    csv = os.path.join(tmp, "rows.csv")
    with open(nd, "w") as f:
        for i in range(rows):
            if i % 100000 == 99999:
                f.write('{"type":"customer",\n')     # malformed
                continue
            f.write('{"type":"event","customer_id":"imp-%d","actions":'
                    '[{"action":"Imported","attributes":{"i":%d}}]}\n'
                    % (i % 5000, i))
    with open(csv, "w") as f:
        f.write("customer_id,event,price,note\n")
        for i in range(rows):
            if i % 100000 == 99999:
                f.write('imp-x,Bought\n')       # too few columns
                continue
            f.write('imp-%d,Bought,%d.5,"row, %d"\n' % (i % 5000, i % 100, i))
    return nd, csv


def run_import(env, path):
    t0 = time.monotonic()
    p = subprocess.Popen(
        [harness.BIN, "import", path, "--account", env.accounts[0],
         "--server", env.server.base, "--json", "--batch", "5000", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=dict(os.environ, MOELINK_PROJECT_KEY=env.key))
    _, status, ru = os.wait4(p.pid, 0)
    out = p.stdout.read().decode()
    dt = time.monotonic() - t0
    s = json.loads(out)
    return {"file": os.path.basename(path),
            "bytes": os.path.getsize(path), "rows": s["rows"],
            "accepted": s["accepted"], "rejected": s["rejected"],
            "first_rejected_lines": [r["line"] for r in s["rejections"][:3]],
            "rows_per_s": round(s["rows"] / dt),
            "peak_rss_mb": round(ru.ru_maxrss / 1024.0, 1),
            "exit": os.waitstatus_to_exitcode(status)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1000000)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="moelink-import-")
    env = DeliverEnv(tmp, limits={"bulk_users_per_min": BIG,
                                  "bulk_events_per_min": BIG},
                     env={"MOELINK_DELIVER_USERS_PER_MIN": str(BIG),
                          "MOELINK_DELIVER_EVENTS_PER_MIN": str(BIG)})
    try:
        nd, csv = write_files(tmp, args.rows)
        res = [run_import(env, nd), run_import(env, csv)]
        print(json.dumps(res, indent=2))
    finally:
        env.stop()


if __name__ == "__main__":
    main()
