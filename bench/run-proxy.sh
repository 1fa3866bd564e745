#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark 3 ("Every API"): POST /actions/rpc and POST /proxy of
# `moelink serve` (throughput and added latency) next to calling the sim
# directly and to an nginx proxy_pass to the same sim, in the same run.
#
#   bench/run-proxy.sh [--build DIR] [--seconds N] [--repeat N] [--out F]
#
# The server and nginx both take plain HTTP/1.1 from wrk and reach the sim
# over TLS with kept-alive connections (moelink's client only speaks HTTPS;
# nginx is set up the same way). One linked account (seeded through
# store.h/vault.h) points at the sim's workspace. Cases, 1 and 64
# connections each:
#   direct-{1,64}   wrk -> sim (TLS), Track User
#   nginx-{1,64}    wrk -> nginx -> sim (TLS)
#   rpc-{1,64}      wrk -> moelink POST /actions/rpc -> sim (TLS)
#   proxy-{1,64}    wrk -> moelink POST /proxy -> sim (TLS)
# "added latency" = p50 of a path minus p50 of direct-1, per round.
#
# If the server has no /actions/rpc or /proxy route yet (404 for the path),
# those cases are skipped with a note, and the rest still runs.
set -eu
. "$(dirname "$0")/lib.sh"
bench_init "$@"

bench_make_ca
bench_sim sim --tls
[ -n "$SIM_PORT" ] || exit 1
bench_seed one 1
ACC=$ACCOUNT
bench_serve one
bench_nginx tls-back "$SIM_PORT"

# try_route PATH BODY: send one call as the wrk scripts do and print the
# status and the start of the answer. 0 if it succeeded (2xx), 1 if the
# server has no such route (404 with code not_found), 2 on any other answer.
try_route() {
	python3 -c 'import http.client, json, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
c.request("POST", sys.argv[2], body=sys.argv[5].encode(), headers={
    "Authorization": "Bearer " + open(sys.argv[3]).read().strip(),
    "x-account-id": sys.argv[4], "Content-Type": "application/json"})
r = c.getresponse()
raw = r.read()
sys.stderr.write("# %s -> %d %s\n" % (sys.argv[2], r.status, raw[:160]))
if 200 <= r.status < 300:
    sys.exit(0)
try:
    code = json.loads(raw)["error"]["code"]
except Exception:
    code = ""
sys.exit(1 if r.status == 404 and code == "not_found" else 2)' \
	    "$SERVE_PORT" "$1" "$T/one/api.key" "$ACC" "$2"
}
BODY='{"type":"customer","customer_id":"bench-0","attributes":{"plan":"gold"}}'
HAVE_RPC=0
HAVE_PROXY=0
st=0
try_route /actions/rpc "{\"action\":\"moengage_track_user\",\"body\":$BODY}" ||
    st=$?
case $st in
0) HAVE_RPC=1 ;;
1) echo "# TODO: moelink serve has no POST /actions/rpc yet: skipped" >&2 ;;
*) bench_die "POST /actions/rpc failed (see above)" ;;
esac
st=0
try_route /proxy "{\"method\":\"POST\",\"path\":\"/v1/customer/$BENCH_WS\",\"body\":$BODY}" ||
    st=$?
case $st in
0) HAVE_PROXY=1 ;;
1) echo "# TODO: moelink serve has no POST /proxy yet: skipped" >&2 ;;
*) bench_die "POST /proxy failed (see above)" ;;
esac

export BENCH_WS BENCH_ACCOUNT="$ACC"
SIM_AUTH="Basic $(printf '%s:%s' "$BENCH_WS" "$BENCH_DATA_KEY" | base64 -w0)"
API_AUTH="Bearer $(cat "$T/one/api.key")"
W=$BENCH_DIR/wrk

r=1
while [ $r -le "$REPEAT" ]; do
	for c in 1 64; do
		t=$((c == 1 ? 1 : 2))
		export BENCH_AUTH="$SIM_AUTH"
		bench_wrk direct-$c $r $t $c "$W/track_user.lua" \
		    "https://127.0.0.1:$SIM_PORT/"
		if [ "$HAVE_NGINX" = 1 ]; then
			bench_wrk nginx-$c $r $t $c "$W/track_user.lua" \
			    "http://127.0.0.1:$NGINX_PORT/"
		fi
		export BENCH_AUTH="$API_AUTH"
		if [ $HAVE_RPC = 1 ]; then
			bench_wrk rpc-$c $r $t $c "$W/rpc.lua" \
			    "http://127.0.0.1:$SERVE_PORT/"
		fi
		if [ $HAVE_PROXY = 1 ]; then
			bench_wrk proxy-$c $r $t $c "$W/proxy.lua" \
			    "http://127.0.0.1:$SERVE_PORT/"
		fi
	done
	r=$((r + 1))
done

bench_finish "Benchmark 3: /actions/rpc and /proxy vs direct and nginx" \
    --delta nginx-1:direct-1 --delta rpc-1:direct-1 \
    --delta proxy-1:direct-1 --ratio nginx-64:direct-64 \
    --ratio rpc-64:direct-64 --ratio proxy-64:direct-64 \
    --ratio rpc-64:nginx-64 --ratio proxy-64:nginx-64
