#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Idle memory of `moelink serve`: start it on a fresh SQLite database in a
temporary directory (127.0.0.1, free port), wait until it listens and then
SETTLE seconds, and print VmRSS / RssAnon / RssFile / Pss / threads and the
resident kilobytes per mapping (largest first). Runs ROUNDS times.

    scripts/idle-rss.py BUILD/moelink [--rounds N] [--settle S] [--top N]
"""
import argparse
import collections
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time


def status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon", "RssFile", "Threads"):
                out[k] = int(v.split()[0])
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith("Pss:"):
                out["Pss"] = int(line.split()[1])
    return out


def mappings(pid):
    rss = collections.Counter()
    anon = collections.Counter()
    cur = None
    head = re.compile(r"^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$")
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            m = head.match(line)
            if m:
                cur = os.path.basename(m.group(1)) or "[anon]"
                continue
            k, _, v = line.partition(":")
            if k == "Rss":
                rss[cur] += int(v.split()[0])
            elif k == "Anonymous":
                anon[cur] += int(v.split()[0])
    return rss, anon


def one(binary, settle):
    work = tempfile.mkdtemp(prefix="moelink-rss-")
    port_file = os.path.join(work, "port")
    log = open(os.path.join(work, "serve.log"), "w")
    p = subprocess.Popen([os.path.abspath(binary), "serve", "--listen", "127.0.0.1:0",
                          "--port-file", port_file, "--db",
                          "sqlite://" + os.path.join(work, "m.db")],
                         cwd=work, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 20
        while not (os.path.exists(port_file) and os.path.getsize(port_file)):
            if p.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("moelink serve did not start (see %s)" %
                                 log.name)
            time.sleep(0.05)
        time.sleep(settle)
        return status(p.pid), mappings(p.pid)
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
        log.close()
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--settle", type=float, default=2.0)
    ap.add_argument("--top", type=int, default=15)
    a = ap.parse_args()
    last = None
    for _ in range(a.rounds):
        st, last = one(a.binary, a.settle)
        print("VmRSS %(VmRSS)d kB  RssAnon %(RssAnon)d kB  RssFile "
              "%(RssFile)d kB  Pss %(Pss)d kB  threads %(Threads)d" % st)
    rss, anon = last
    print("resident kB per mapping (last round): rss / anonymous")
    for name, kb in rss.most_common(a.top):
        print("%7d %6d  %s" % (kb, anon[name], name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
