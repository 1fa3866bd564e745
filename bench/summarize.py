# SPDX-License-Identifier: MIT
"""Summarise benchmark result lines (JSON, one per measurement) as Markdown.

Reads lines {"case": ..., "round": N, <metrics>} on stdin, as the
bench/run-*.sh drivers record them, and prints one table row per case with
each metric as a range over the rounds ("min-max"), then the ratios asked
for with --ratio A:B (A/B computed per round, so both sides come from the
same round of the same run), and an optional --target for each ratio, and the latency added by A over B with --delta A:B
(p50 of A minus p50 of B, per round).

Usage: summarize.py TITLE [--ratio A:B[:TARGET] ...] [--delta A:B ...]
       < results.jsonl
"""
import json
import statistics
import sys

COLUMNS = [
    ("rps", "req/s"),
    ("p50_us", "p50 us"),
    ("p90_us", "p90 us"),
    ("p99_us", "p99 us"),
    ("http", "HTTP"),
    ("cpu_us_per_req", "load-gen CPU us/req"),
    ("vmhwm_kb", "peak RSS KiB"),
    ("rss_kb", "RSS KiB"),
    ("rss_anon_kb", "anon KiB"),
    ("rss_file_kb", "file KiB"),
    ("pss_kb", "PSS KiB"),
    ("per_second", "per s"),
    ("failed", "failed"),
    ("errors_status", "non-2xx"),
    ("errors_socket", "socket errors"),
    ("idle_before", "idle % before"),
    ("load1", "load1"),
]


def fmt_range(values):
    nums = [v for v in values if isinstance(v, (int, float))]
    if not nums:
        texts = sorted(set(str(v) for v in values))
        return "/".join(texts) if texts else "-"
    lo, hi = min(nums), max(nums)
    if isinstance(lo, float) and not lo.is_integer():
        lo_s, hi_s = "%.1f" % lo, "%.1f" % hi
    else:
        lo_s, hi_s = "%d" % lo, "%d" % hi
    return lo_s if lo_s == hi_s else "%s-%s" % (lo_s, hi_s)


def per_round(cases, a, b, fn):
    """fn(record of a, record of b) for every round both cases have."""
    by_round = {r["round"]: r for r in cases.get(b, [])}
    vals = [fn(r, by_round[r["round"]]) for r in cases.get(a, [])
            if r["round"] in by_round]
    return [v for v in vals if v is not None]


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    title = argv[1]
    ratios, deltas = [], []
    i = 2
    while i < len(argv):
        if argv[i] in ("--ratio", "--delta") and i + 1 < len(argv):
            (ratios if argv[i] == "--ratio" else deltas).append(
                argv[i + 1].split(":"))
            i += 2
        else:
            sys.stderr.write("unknown argument %s\n" % argv[i])
            return 2
    cases, order = {}, []
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        rec = json.loads(line)
        if rec["case"] not in cases:
            cases[rec["case"]] = []
            order.append(rec["case"])
        cases[rec["case"]].append(rec)
    cols = [(k, h) for k, h in COLUMNS
            if any(k in r for rs in cases.values() for r in rs)]
    print("### %s\n" % title)
    print("| case | rounds | " + " | ".join(h for _, h in cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    for name in order:
        rs = cases[name]
        cells = [fmt_range([r[k] for r in rs if r.get(k) is not None])
                 for k, _ in cols]
        print("| %s | %d | %s |" % (name, len(rs), " | ".join(cells)))
    for spec in deltas:
        vals = per_round(cases, spec[0], spec[1],
                         lambda x, y: x["p50_us"] - y["p50_us"])
        print("\n%s - %s (p50 latency added, per round): %s us" % (
            spec[0], spec[1], fmt_range(vals) if vals else "no data"))
    for spec in ratios:
        a, b = spec[0], spec[1]
        target = float(spec[2]) if len(spec) > 2 else None
        vals = per_round(cases, a, b, lambda x, y: x["rps"] / y["rps"]
                         if y["rps"] else None)
        if not vals:
            print("\n%s / %s: no data" % (a, b))
            continue
        line = "\n%s / %s (req/s, per round): %.0f%%-%.0f%%, median %.0f%%" % (
            a, b, 100 * min(vals), 100 * max(vals),
            100 * statistics.median(vals))
        if target is not None:
            met = all(v >= target for v in vals)
            some = any(v >= target for v in vals)
            line += " (target >= %.0f%%: %s)" % (
                100 * target, "met" if met else
                "met in some rounds" if some else "not met")
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
