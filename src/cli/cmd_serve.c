/* SPDX-License-Identifier: MIT */
/*
 * cmd_serve.c: `moelink serve`: read options (defaults < environment <
 * --config file < command line) and run the server until SIGTERM/SIGINT.
 *
 * The front end owns the environment: MOELINK_DB, MOELINK_MOENGAGE_CONNECT_TO,
 * MOELINK_CA_FILE, the MOELINK_RETRY_* knobs (the same as `moelink call`'s)
 * and the rest come in through the option table;
 * MOELINK_MASTER_KEY is read here only (never an option, so a key never
 * shows in `ps`) and wiped after the server stops.
 *
 * Exit codes: 0 clean shutdown, 1 start-up failure (message on stderr),
 * 2 usage.
 */
#include "cli/cmd.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <moelink/mem.h>

#include "core/opts.h"
#include "server/server.h"

#define STR(field) offsetof(struct ml_server_opts, field), \
	sizeof(((struct ml_server_opts *)0)->field)
#define NUM(field) offsetof(struct ml_server_opts, field), sizeof(long)

static const struct ml_opt serve_tab[] = {
	{ "listen", ML_OPT_STR, STR(listen), "127.0.0.1:8080",
	    "MOELINK_LISTEN", 0, 0, "HOST:PORT",
	    "address to listen on; port 0 picks a free port" },
	{ "port-file", ML_OPT_STR, STR(port_file), NULL, NULL, 0, 0, "FILE",
	    "write the bound port here once accepting" },
	{ "db", ML_OPT_STR, STR(db), ML_STORE_DEFAULT_URL, "MOELINK_DB", 0, 0,
	    "URL", "store (" ML_STORE_SCHEMES "PATH)" },
	{ "config", ML_OPT_STR, STR(config), NULL, "MOELINK_CONFIG", 0, 0,
	    "FILE", "read 'key = value' options from FILE" },
	{ "public-url", ML_OPT_STR, STR(public_url), NULL, "MOELINK_PUBLIC_URL",
	    0, 0, "URL", "base URL of auth links (default http://LISTEN)" },
	{ "log-level", ML_OPT_STR, STR(log_level), "info", "MOELINK_LOG_LEVEL",
	    0, 0, "LEVEL", "debug, info, warn or error" },
	{ "key-file", ML_OPT_STR, STR(key_file), "./var/master.key",
	    "MOELINK_KEY_FILE", 0, 0, "FILE",
	    "master key file (created 0600 on first run)" },
	{ "frame-origins", ML_OPT_STR, STR(frame_origins), NULL,
	    "MOELINK_FRAME_ORIGINS", 0, 0, "ORIGINS",
	    "origins allowed to embed the Hub (space-separated), for "
	    "projects without their own setting" },
	{ "moengage-connect-to", ML_OPT_STR, STR(connect_to), NULL,
	    "MOELINK_MOENGAGE_CONNECT_TO", 0, 0, "HOST:PORT",
	    "connect every MoEngage host here (tests, the simulator)" },
	{ "ca-file", ML_OPT_STR, STR(ca_file), NULL, "MOELINK_CA_FILE", 0, 0,
	    "FILE", "extra CA bundle to trust for MoEngage" },
	{ "moengage-proxy", ML_OPT_STR, STR(proxy), NULL,
	    "MOELINK_MOENGAGE_PROXY", 0, 0, "URL",
	    "send MoEngage traffic through this HTTP(S) proxy (the *_proxy "
	    "variables are not read)" },
	{ "threads", ML_OPT_LONG, NUM(threads), "2", NULL, 1, 64, "N",
	    "HTTP worker threads" },
	{ "conn-memory", ML_OPT_LONG, NUM(conn_memory), "16384", NULL, 4096,
	    1048576, "BYTES", "memory per HTTP connection" },
	{ "drain-ms", ML_OPT_LONG, NUM(drain_ms), "10000", NULL, 0, 600000,
	    "MS", "on SIGTERM, wait this long for requests in flight" },
	{ "session-ttl", ML_OPT_LONG, NUM(session_ttl), "43200", NULL, 300,
	    2592000, "SECONDS", "dashboard session lifetime" },
	/* For /actions/rpc, /proxy and MCP calls. */
	CMD_RETRY_OPTS(struct ml_server_opts, retry_attempts, retry_base_ms,
	    retry_max_wait_ms),
	ML_OPT_END
};

/*
 * glibc without fastbins (M_MXFAST 0). A request that builds a large
 * json-c tree (a Segment /v1/batch of 5,000 messages, a Bulk-shaped
 * {"elements": [...]} body, a claimed batch of outbox rows) frees thousands
 * of small chunks at once; with fastbins they pile up and the next large
 * allocation runs malloc_consolidate over all of them. Without fastbins a
 * free goes to the thread cache or is coalesced at once. Measured with
 * bench/bench_deliver.py (1,000,000 events, 100 accounts, this project's
 * 2-core machine) when POST /events still parsed whole bodies: 34,408
 * events/s accepted with fastbins, 50,191 with this setting (then through
 * GLIBC_TUNABLES=glibc.malloc.mxfast=0). POST /events now parses one
 * element at a time and gains nothing measurable from it (docs/
 * benchmarks.md). glibc.malloc.mxfast in GLIBC_TUNABLES still wins.
 */
static void
serve_malloc_tuning(void)
{
#ifdef __GLIBC__
	const char *t = getenv("GLIBC_TUNABLES");

	if (t == NULL || strstr(t, "mxfast") == NULL)
		mallopt(M_MXFAST, 0);
#endif
}

int
cmd_serve(int argc, char **argv)
{
	struct ml_server_opts *o;
	struct ml_err err;
	const char *mk;
	char *pos[1];
	int npos = 0, help = 0, rc, ret = ML_EXIT_FAIL;

	serve_malloc_tuning();
	o = ml_calloc(1, sizeof(*o));
	if (o == NULL)
		return ML_EXIT_FAIL;
	ml_err_clear(&err);
	ml_server_opts_init(o);
	rc = ml_opts_defaults(serve_tab, o, &err);
	if (rc == ML_OK)
		rc = ml_opts_parse_argv(serve_tab, o, argc, argv, 1, pos, 0,
		    &npos, &help, &err);
	if (help) {
		printf("Usage: moelink serve [OPTIONS]\n\n"
		    "Run the hub: REST API, Hub pages and dashboard.\n"
		    "Environment: MOELINK_MASTER_KEY (base64, 32 bytes) "
		    "overrides the key file.\n\n");
		ml_opts_print_help(serve_tab, stdout);
		ret = ML_EXIT_OK;
		goto out;
	}
	if (rc) {
		fprintf(stderr, "moelink serve: %s\n", err.msg);
		ret = ML_EXIT_USAGE;
		goto out;
	}
	mk = getenv("MOELINK_MASTER_KEY");
	if (mk != NULL && strlen(mk) >= sizeof(o->master_key)) {
		fprintf(stderr, "moelink serve: MOELINK_MASTER_KEY is too long "
		    "(base64 of 32 bytes expected)\n");
		ret = ML_EXIT_USAGE;
		goto out;
	}
	if (mk != NULL)
		snprintf(o->master_key, sizeof(o->master_key), "%s", mk);
	rc = ml_server_run(o, &err);
	if (rc) {
		fprintf(stderr, "moelink serve: %s\n", err.msg[0] != '\0' ?
		    err.msg : ml_strerror(rc));
		/* A bad option value (--listen, --db, --log-level) is usage. */
		if (rc == ML_EINVAL)
			ret = ML_EXIT_USAGE;
		goto out;
	}
	ret = ML_EXIT_OK;
out:
	ml_free_zero(o, sizeof(*o));
	return ret;
}
