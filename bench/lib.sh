# SPDX-License-Identifier: MIT
# Shared shell helpers of the bench/run-*.sh drivers (sourced, POSIX sh).
#
# Rules every driver keeps (docs/benchmarks.md):
# - it builds nothing: the programs come from the build directory
#   (default build-bench at the top of the checkout, or --build DIR);
# - everything temporary lives in one `mktemp -d` directory, removed at exit;
# - it kills only the processes it started, by their PID, at exit;
# - it talks to 127.0.0.1 only.
#
# Options every driver accepts: --build DIR, --seconds N (per measurement),
# --repeat N (rounds; cases are interleaved round by round so drift hits
# every case alike), --out FILE (keep the raw JSON lines).

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$BENCH_DIR/.." && pwd)
BUILD=$TOP/build-bench
SECONDS_PER=5
REPEAT=3
OUT=""
PIDS=""

bench_die() {
	echo "$(basename "$0"): $*" >&2
	exit 1
}

bench_cleanup() {
	# Runs from the EXIT trap: no command here may stop the cleanup.
	set +e
	for pid in $PIDS; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in $PIDS; do
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	PIDS=""
	if [ -n "${T:-}" ]; then
		rm -rf "$T"
	fi
}

# bench_init "$@": parse the common options, make the temp dir, set traps.
bench_init() {
	while [ $# -gt 0 ]; do
		case "$1" in
		--build) BUILD=$(cd "$2" && pwd); shift 2 ;;
		--seconds) SECONDS_PER=$2; shift 2 ;;
		--repeat) REPEAT=$2; shift 2 ;;
		--out) OUT=$2; shift 2 ;;
		-h|--help)
			sed -n '3,/^[^#]/{/^#/s/^# \{0,1\}//p;}' "$0"
			exit 0 ;;
		*) bench_die "unknown option $1 (see --help)" ;;
		esac
	done
	MOELINK=$BUILD/moelink
	[ -x "$MOELINK" ] && [ -x "$BUILD/bench/bench_client" ] ||
	    bench_die "no benchmark build in $BUILD: run" \
	    "meson setup build-bench -Dbench=true --buildtype=release" \
	    "&& ninja -C build-bench (docs/benchmarks.md)"
	command -v wrk >/dev/null || bench_die "wrk is missing:" \
	    "scripts/bootstrap --bench"
	T=$(mktemp -d -t moelink-bench.XXXXXX)
	RESULTS=$T/results.jsonl
	: > "$RESULTS"
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
	export LUA_PATH="$BENCH_DIR/wrk/?.lua;;"
	echo "# $(basename "$0"): $(nproc) cores shared by every process;" \
	    "$SECONDS_PER s x $REPEAT rounds; build $BUILD" >&2
}

# bench_start NAME CMD...: run CMD in the background (output to
# $T/NAME.log) and remember its PID in $LAST_PID and the cleanup list.
bench_start() {
	name=$1
	shift
	"$@" > "$T/$name.log" 2>&1 &
	LAST_PID=$!
	PIDS="$PIDS $LAST_PID"
}

# bench_stop PID: stop one process started here and forget it.
bench_stop() {
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	rest=""
	for pid in $PIDS; do
		[ "$pid" = "$1" ] || rest="$rest $pid"
	done
	PIDS=$rest
}

# bench_wait_port FILE PID: wait (20 s at most) for a port file; print it.
bench_wait_port() {
	i=0
	while [ ! -s "$1" ]; do
		kill -0 "$2" 2>/dev/null || bench_die "process $2 exited:" \
		    "$(tail -5 "$T"/*.log 2>/dev/null)"
		[ $i -lt 200 ] || bench_die "no port in $1 after 20 s"
		sleep 0.1
		i=$((i + 1))
	done
	cat "$1"
}

# bench_free_port: a port the kernel just handed out on 127.0.0.1.
bench_free_port() {
	python3 -c 'import socket; s = socket.socket(); \
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# bench_wait_listen PORT: wait until something accepts on 127.0.0.1:PORT.
bench_wait_listen() {
	python3 - "$1" <<'EOF' || bench_die "nothing listens on port $1"
import socket, sys, time
end = time.monotonic() + 20
while time.monotonic() < end:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOF
}

# bench_make_ca: a throwaway CA and a *.moengage.com server certificate in
# $T (ca.pem, server.pem, server.key), as tests/integration/harness.py does.
bench_make_ca() {
	(
		cd "$T" || exit 1
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key \
		    -out ca.pem -days 2 -subj "/CN=moelink bench CA" &&
		openssl req -newkey rsa:2048 -nodes -keyout server.key \
		    -out server.csr -subj "/CN=*.moengage.com" &&
		printf 'subjectAltName=DNS:*.moengage.com,DNS:localhost,IP:127.0.0.1\n' \
		    > ext.cnf &&
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
		    -CAcreateserial -out server.pem -days 2 -extfile ext.cnf
	) > "$T/openssl.log" 2>&1 || bench_die "openssl failed: $(cat "$T/openssl.log")"
}

# bench_workspaces FILE: the sim's workspaces file for the benchmarks. The
# Data API limits are raised so the sim is never the limiter by policy.
BENCH_WS=BENCH_WS
BENCH_DATA_KEY=bench-data-key-0001
bench_workspaces() {
	cat > "$1" <<EOF
[{"workspace_id": "$BENCH_WS", "data_center": "01", "name": "Bench",
  "keys": {"data": "$BENCH_DATA_KEY", "general": "bench-general-key-0001"},
  "limits": {"track_user_per_min": 1000000000,
             "events_per_min": 1000000000,
             "bulk_users_per_min": 1000000000,
             "bulk_events_per_min": 1000000000,
             "devices_per_min": 1000000000}}]
EOF
}

# bench_sim NAME [--tls]: start `moelink sim` on a free port; sets SIM_PID
# and SIM_PORT.
bench_sim() {
	name=$1
	[ -f "$T/ws.json" ] || bench_workspaces "$T/ws.json"
	if [ "${2:-}" = "--tls" ]; then
		bench_start "$name" "$MOELINK" sim --listen 127.0.0.1:0 \
		    --port-file "$T/$name.port" --workspaces "$T/ws.json" \
		    --log-level warn --tls-cert "$T/server.pem" \
		    --tls-key "$T/server.key"
	else
		bench_start "$name" "$MOELINK" sim --listen 127.0.0.1:0 \
		    --port-file "$T/$name.port" --workspaces "$T/ws.json" \
		    --log-level warn
	fi
	SIM_PID=$LAST_PID
	SIM_PORT=$(bench_wait_port "$T/$name.port" "$SIM_PID")
}

# bench_idle_pct: percent of both cores idle over the next 0.5 s.
bench_idle_pct() {
	python3 -c 'import time
def snap():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return v[3] + v[4], sum(v)
i0, t0 = snap()
time.sleep(0.5)
i1, t1 = snap()
print(int(100 * (i1 - i0) / max(1, t1 - t0)))'
}

# bench_quiet: before a measurement, wait for the machine to be mostly
# idle (>= 85 % over 0.5 s), since other work on the same 2 cores skews
# every figure. At most 30 s per measurement and QUIET_BUDGET seconds
# (default 90) per run, so a busy machine cannot stretch a run much. The
# idle share seen last is recorded with each result (idle_before).
QUIET_LEFT=${QUIET_BUDGET:-90}
bench_quiet() {
	waited=0
	IDLE=$(bench_idle_pct)
	while [ "$IDLE" -lt 85 ] && [ $waited -lt 30 ] &&
	    [ "$QUIET_LEFT" -gt 0 ]; do
		[ $waited -eq 0 ] && echo "# waiting for a quiet machine" \
		    "(idle $IDLE %)" >&2
		sleep 1.5
		waited=$((waited + 2))
		QUIET_LEFT=$((QUIET_LEFT - 2))
		IDLE=$(bench_idle_pct)
	done
}

# bench_record CASE ROUND LINE: keep one JSON result line, tagged with the
# idle share seen before the round (bench_quiet) and the 1-minute load
# average after the measurement.
bench_record() {
	case "$3" in
	"{"*) ;;
	*) bench_die "$1: no result line (got: $3)" ;;
	esac
	load=$(cut -d' ' -f1 /proc/loadavg)
	line="{\"case\":\"$1\",\"round\":$2,\"idle_before\":${IDLE:-null},\"load1\":$load,${3#\{}"
	echo "$line" >> "$RESULTS"
	echo "$line" >&2
}

# bench_wrk CASE ROUND THREADS CONNS SCRIPT URL: one wrk run, recorded.
# wrk's own CPU time per request is added as cpu_us_per_req (as
# bench_client reports its own), when /usr/bin/time is there.
bench_wrk() {
	bench_quiet
	timer=""
	[ -x /usr/bin/time ] && timer="/usr/bin/time -f %U+%S -o $T/wrk.time"
	res=$($timer wrk -t"$3" -c"$4" -d"${SECONDS_PER}s" --timeout 10s \
	    -s "$5" "$6" 2>&1 | tail -1)
	if [ -n "$timer" ]; then
		n=$(echo "$res" | sed -n 's/.*"requests":\([0-9]*\).*/\1/p')
		cpu=$(awk -v n="${n:-0}" -F+ '{ if (n > 0)
		    printf "%.1f", ($1 + $2) * 1e6 / n; else print 0 }' \
		    "$T/wrk.time")
		res="${res%\}},\"cpu_us_per_req\":$cpu}"
	fi
	bench_record "$1" "$2" "$res"
}

# bench_vm_kb PID FIELD: VmRSS/VmHWM of a running process in KiB.
bench_vm_kb() {
	sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status"
}

# bench_finish TITLE [--ratio A:B[:T]] [--delta A:B]...: print the summary
# (bench/summarize.py); keep the raw lines if --out was given.
bench_finish() {
	if [ -n "$OUT" ]; then cp "$RESULTS" "$OUT"; fi
	python3 "$BENCH_DIR/summarize.py" "$@" < "$RESULTS"
}

# bench_mem PID: a JSON line with the memory of a running process in KiB:
# RSS, its anonymous and file-backed parts (shared libraries are file-backed
# and shared with every other process using them), PSS and peak RSS.
bench_mem() {
	python3 -c 'import sys
f = {}
for name in ("status", "smaps_rollup"):
    with open("/proc/%s/%s" % (sys.argv[1], name)) as fp:
        for ln in fp:
            p = ln.split()
            if len(p) >= 2 and p[0].endswith(":") and p[1].isdigit():
                f[p[0][:-1]] = int(p[1])
print("{\"rss_kb\":%d,\"rss_anon_kb\":%d,\"rss_file_kb\":%d,\"pss_kb\":%d,"
      "\"vmhwm_kb\":%d}" % (f["VmRSS"], f["RssAnon"], f["RssFile"],
                            f["Pss"], f["VmHWM"]))' "$1"
}

# bench_nginx MODE SIM_PORT: start nginx in the foreground with a temp
# config on a free port (NGINX_PORT; HAVE_NGINX=0 if nginx is missing):
#   h2-front   listen TLS + HTTP/2, proxy_pass to the plain sim
#   tls-back   listen plain HTTP/1.1, proxy_pass to the TLS sim (verified
#              against the bench CA, SNI and Host api-01.moengage.com),
#              as `moelink serve` reaches MoEngage
# Upstream connections are kept alive (64) in both.
bench_nginx() {
	HAVE_NGINX=0
	if ! command -v nginx >/dev/null; then
		echo "# nginx missing (scripts/bootstrap --bench)" >&2
		return 0
	fi
	NGINX_PORT=$(bench_free_port)
	d=$T/nginx-$1
	mkdir -p "$d"
	if [ "$1" = h2-front ]; then
		listen="listen 127.0.0.1:$NGINX_PORT ssl http2;
		ssl_certificate $T/server.pem;
		ssl_certificate_key $T/server.key;"
		up="http://sim"
		host='$host'
		tls=""
	else
		listen="listen 127.0.0.1:$NGINX_PORT;"
		up="https://sim"
		host="api-01.moengage.com"
		tls="proxy_ssl_server_name on;
			proxy_ssl_name api-01.moengage.com;
			proxy_ssl_verify on;
			proxy_ssl_trusted_certificate $T/ca.pem;
			proxy_ssl_session_reuse on;"
	fi
	cat > "$d/nginx.conf" <<EOC
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $d/body;
	proxy_temp_path $d/proxy;
	fastcgi_temp_path $d/fastcgi;
	uwsgi_temp_path $d/uwsgi;
	scgi_temp_path $d/scgi;
	keepalive_requests 10000000;
	upstream sim {
		server 127.0.0.1:$2;
		keepalive 64;
	}
	server {
		$listen
		location / {
			proxy_pass $up;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_set_header Host $host;
			$tls
		}
	}
}
EOC
	bench_start "nginx-$1" nginx -e "$d/error.log" -p "$d" \
	    -c "$d/nginx.conf"
	bench_wait_listen "$NGINX_PORT"
	HAVE_NGINX=1
}

# bench_seed NAME COUNT: a store in $T/NAME with a project, its key and COUNT
# accounts; writes the API key to $T/NAME/api.key (0600) and sets ACCOUNT
# (the last account seeded).
bench_seed() {
	mkdir -p "$T/$1"
	"$BUILD/bench/seed_accounts" --db "sqlite://$T/$1/moelink.db" \
	    --key-file "$T/$1/master.key" --workspace "$BENCH_WS" \
	    --data-key "$BENCH_DATA_KEY" --count "$2" > "$T/$1/seed.txt"
	(umask 077 && sed -n 's/^api_key\t//p' "$T/$1/seed.txt" \
	    > "$T/$1/api.key")
	ACCOUNT=$(sed -n 's/^last_account\t//p' "$T/$1/seed.txt")
}

# bench_serve NAME: start `moelink serve` on the store in $T/NAME; sets SERVE_PID
# and SERVE_PORT. The access log (level info, the default) goes to a file.
bench_serve() {
	rm -f "$T/$1/serve.port"
	bench_start "serve-$1" "$MOELINK" serve --listen 127.0.0.1:0 \
	    --port-file "$T/$1/serve.port" --db "sqlite://$T/$1/moelink.db" \
	    --key-file "$T/$1/master.key" \
	    --moengage-connect-to "127.0.0.1:$SIM_PORT" \
	    --ca-file "$T/ca.pem"
	SERVE_PID=$LAST_PID
	SERVE_PORT=$(bench_wait_port "$T/$1/serve.port" "$SERVE_PID")
	[ -n "$SERVE_PORT" ] || exit 1
}
