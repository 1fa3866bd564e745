#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark 2 ("Link accounts"): `moelink serve` requests/s next to a bare
# libmicrohttpd hello-world in the same run, the account-link flow time
# without MoEngage's own latency, and the server's memory, idle and with
# 100,000 linked accounts.
#
#   bench/run-server.sh [--build DIR] [--seconds N] [--repeat N] [--out F]
#                       [--accounts N]
#
# Each round starts a fresh server on a store with 1 account and measures:
#   serve-idle         memory 1 s after start, before any request
#   mhd-hello-64       wrk -t2 -c64 on bench/mhd_hello (the reference)
#   healthz-64         wrk -t2 -c64 GET /healthz
#   account-64         wrk -t2 -c64 GET /accounts/{id}, Bearer project key
#   link-*             bench/link_flow.py: POST /connect_sessions, GET /hub,
#                      POST /hub/api/link (the server calls Test Connection
#                      on the TLS sim), and the same Test Connection sent
#                      straight to the sim; "minus_direct" = moelink's part;
#                      "empty_roundtrip" = one GET to mhd_hello (the
#                      Python client's own cost per request)
#   serve-after-load   memory after all of that
# then a fresh server on a store with --accounts (default 100000) accounts
# seeded through store.h/vault.h by bench/seed_accounts (once per run):
#   serve-idle-100k, account-100k-64, list-100k-64 (GET /accounts, first page
#   of 25, total counted up to 1,000), list-100k-exact-64 (?total=exact, the
#   full count), list-100k-deep-64 (the page after account 50,000, by
#   cursor), serve-100k-after-load
set -eu
ACCOUNTS=100000
ARGS=""
while [ $# -gt 0 ]; do
	case "$1" in
	--accounts) ACCOUNTS=$2; shift 2 ;;
	*) ARGS="$ARGS $1"; shift ;;
	esac
done
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC2086
bench_init $ARGS

bench_make_ca
bench_sim sim --tls
[ -n "$SIM_PORT" ] || exit 1
BEARER_LUA=$BENCH_DIR/wrk/bearer_get.lua

mem() {
	IDLE=null
	bench_record "$1" "$2" "$(bench_mem "$3")"
}

bench_seed small 1
SMALL_ACCOUNT=$ACCOUNT
bench_start mhd-hello "$BUILD/bench/mhd_hello" --port-file "$T/hello.port"
HELLO_PID=$LAST_PID
HELLO_PORT=$(bench_wait_port "$T/hello.port" "$HELLO_PID")
[ -n "$HELLO_PORT" ] || exit 1

echo "# seeding $ACCOUNTS accounts through store.h/vault.h" >&2
bench_seed big "$ACCOUNTS"
bench_record seed-accounts 1 "{\"per_second\":$(sed -n \
    's/^per_second\t//p' "$T/big/seed.txt")}"
BIG_ACCOUNT=$ACCOUNT

r=1
while [ $r -le "$REPEAT" ]; do
	bench_serve small
	sleep 1
	mem serve-idle $r "$SERVE_PID"
	mem mhd-hello-idle $r "$HELLO_PID"
	unset BENCH_AUTH
	bench_wrk mhd-hello-64 $r 2 64 "$BEARER_LUA" \
	    "http://127.0.0.1:$HELLO_PORT/healthz"
	bench_wrk healthz-64 $r 2 64 "$BEARER_LUA" \
	    "http://127.0.0.1:$SERVE_PORT/healthz"
	BENCH_AUTH="Bearer $(cat "$T/small/api.key")"
	export BENCH_AUTH
	bench_wrk account-64 $r 2 64 "$BEARER_LUA" \
	    "http://127.0.0.1:$SERVE_PORT/accounts/$SMALL_ACCOUNT"
	bench_quiet
	python3 "$BENCH_DIR/link_flow.py" --server "$SERVE_PORT" \
	    --api-key-file "$T/small/api.key" --sim "$SIM_PORT" \
	    --ca "$T/ca.pem" --hello "$HELLO_PORT" --n 200 > "$T/link.jsonl"
	while read -r line; do
		step=$(echo "$line" | sed 's/.*"step": "\([a-z_]*\)".*/\1/')
		bench_record "link-$step" $r "$line"
	done < "$T/link.jsonl"
	mem serve-after-load $r "$SERVE_PID"
	mem mhd-hello-after-load $r "$HELLO_PID"
	bench_stop "$SERVE_PID"

	bench_serve big
	sleep 1
	mem serve-idle-100k $r "$SERVE_PID"
	BENCH_AUTH="Bearer $(cat "$T/big/api.key")"
	bench_wrk account-100k-64 $r 2 64 "$BEARER_LUA" \
	    "http://127.0.0.1:$SERVE_PORT/accounts/$BIG_ACCOUNT"
	bench_wrk list-100k-64 $r 2 64 "$BEARER_LUA" \
	    "http://127.0.0.1:$SERVE_PORT/accounts?page=1&page_size=25"
	# The full count on request, and a page 50,000 accounts deep by
	# cursor (a server without cursors answers the first page to both).
	bench_wrk list-100k-exact-64 $r 2 64 "$BEARER_LUA" \
	    "http://127.0.0.1:$SERVE_PORT/accounts?page_size=25&total=exact"
	CURSOR=$(python3 "$BENCH_DIR/list_cursor.py" "$SERVE_PORT" \
	    "$T/big/api.key" 2000)
	bench_wrk list-100k-deep-64 $r 2 64 "$BEARER_LUA" \
	    "http://127.0.0.1:$SERVE_PORT/accounts?page_size=25&cursor=$CURSOR"
	mem serve-100k-after-load $r "$SERVE_PID"
	bench_stop "$SERVE_PID"
	r=$((r + 1))
done

bench_finish "Benchmark 2: moelink serve vs bare libmicrohttpd" \
    --ratio healthz-64:mhd-hello-64:0.5 --ratio account-64:mhd-hello-64:0.5 \
    --ratio account-100k-64:mhd-hello-64:0.5
