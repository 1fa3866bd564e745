#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark 1 ("Foundation"): Data API calls per second from the libmoelink
# client (bench_client: ml_client_submit, async, a bounded number in flight)
# to `moelink sim`, next to what wrk gets from the same sim in the same run.
#
#   bench/run-client.sh [--build DIR] [--seconds N] [--repeat N] [--out F]
#
# Cases (each --seconds long, all cases once per round, --repeat rounds):
#   wrk-plain-{1,64}     wrk, plain HTTP/1.1 keep-alive, 1 / 64 connections
#   wrk-tls-{1,64}       wrk over TLS (HTTP/1.1) to the TLS sim
#   client-h1-{1,64}     bench_client --http1 to the TLS sim, 1 / 64 in flight
#                        (the client's default 8 connections per host)
#   client-h1-64c64      the same with 64 connections per host
#   client-chain-{1,64}  client-h1-{1,64}, but each completion callback
#                        submits the next request (bench_client --chain)
#                        instead of the main thread, as wrk sends on an answer
#   client-alpn-64       the library default (HTTP/2 offered): the sim
#                        (libmicrohttpd) speaks no HTTP/2, ALPN picks 1.1
#   client-h2-{1,64}     HTTP/2 over TLS: nginx (h2, TLS) in front of the
#                        plain sim, proxy_pass with upstream keep-alive
#   wrk-nginx-64         wrk (TLS, HTTP/1.1) through the same nginx
# The client always speaks HTTPS (the library refuses plain http://), so
# its figures compare with wrk-tls-*. Peak RSS is the client's VmHWM.
set -eu
. "$(dirname "$0")/lib.sh"
bench_init "$@"

bench_make_ca
bench_sim sim-plain
PLAIN_PORT=$SIM_PORT
[ -n "$PLAIN_PORT" ] || exit 1
bench_sim sim-tls --tls
TLS_PORT=$SIM_PORT
[ -n "$TLS_PORT" ] || exit 1

# nginx: HTTP/2 + TLS in front of the plain sim.
bench_nginx h2-front "$PLAIN_PORT"

export BENCH_WS
BENCH_AUTH="Basic $(printf '%s:%s' "$BENCH_WS" "$BENCH_DATA_KEY" | base64 -w0)"
export BENCH_AUTH
export MOELINK_BENCH_DATA_KEY=$BENCH_DATA_KEY
LUA=$BENCH_DIR/wrk/track_user.lua

client() {
	case_name=$1
	round=$2
	port=$3
	shift 3
	bench_quiet
	res=$("$BUILD/bench/bench_client" --connect-to "127.0.0.1:$port" \
	    --ca-file "$T/ca.pem" --workspace "$BENCH_WS" \
	    --seconds "$SECONDS_PER" "$@")
	bench_record "$case_name" "$round" "$res"
}

r=1
while [ $r -le "$REPEAT" ]; do
	bench_wrk wrk-plain-1 $r 1 1 "$LUA" "http://127.0.0.1:$PLAIN_PORT/"
	bench_wrk wrk-plain-64 $r 2 64 "$LUA" "http://127.0.0.1:$PLAIN_PORT/"
	bench_wrk wrk-tls-1 $r 1 1 "$LUA" "https://127.0.0.1:$TLS_PORT/"
	bench_wrk wrk-tls-64 $r 2 64 "$LUA" "https://127.0.0.1:$TLS_PORT/"
	client client-h1-1 $r "$TLS_PORT" --http1 --inflight 1
	client client-chain-1 $r "$TLS_PORT" --http1 --inflight 1 --chain
	client client-h1-64 $r "$TLS_PORT" --http1 --inflight 64
	client client-h1-64c64 $r "$TLS_PORT" --http1 --inflight 64 \
	    --max-conns 64
	client client-chain-64 $r "$TLS_PORT" --http1 --inflight 64 --chain
	client client-alpn-64 $r "$TLS_PORT" --inflight 64
	if [ $HAVE_NGINX = 1 ]; then
		client client-h2-1 $r "$NGINX_PORT" --inflight 1
		client client-h2-64 $r "$NGINX_PORT" --inflight 64
		bench_wrk wrk-nginx-64 $r 2 64 "$LUA" \
		    "https://127.0.0.1:$NGINX_PORT/"
	fi
	r=$((r + 1))
done

bench_finish "Benchmark 1: Data API calls/s, libmoelink client vs wrk" \
    --ratio client-h1-64:wrk-tls-64:0.8 \
    --ratio client-chain-64:wrk-tls-64:0.8 \
    --ratio client-h1-1:wrk-tls-1:0.8 \
    --ratio client-chain-1:wrk-tls-1:0.8 \
    --ratio client-h2-64:wrk-nginx-64
