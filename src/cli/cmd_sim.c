/* SPDX-License-Identifier: MIT */
/*
 * cmd_sim.c: `moelink sim`, the local MoEngage simulator (docs/sim.md).
 *
 * Options come from one table (core/opts.h), which also prints --help. The
 * command starts the listener, prints the demo workspace when no
 * --workspaces file is given, writes the bound port to --port-file (temp
 * name + rename, so readers never see a partial file) once connections are
 * accepted, logs msg="listening", and waits for SIGINT/SIGTERM, which it
 * blocks before any thread starts so only sigwait() sees them. Shutdown is
 * clean and exits 0.
 */
#include "cli/cmd.h"

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <moelink/buf.h>

#include "core/log.h"
#include "core/opts.h"
#include "sim/sim.h"

struct sim_opts {
	char listen[128];
	char port_file[1024];
	char tls_cert[1024];
	char tls_key[1024];
	char workspaces[1024];
	char log_level[16];
};

#define S(f) offsetof(struct sim_opts, f), sizeof(((struct sim_opts *)0)->f)

static const struct ml_opt sim_opt_table[] = {
	{ "listen", ML_OPT_STR, S(listen), "127.0.0.1:8090", NULL, 0, 0,
	    "HOST:PORT", "address to listen on; port 0 picks a free port" },
	{ "port-file", ML_OPT_STR, S(port_file), NULL, NULL, 0, 0, "FILE",
	    "write the bound port here once listening" },
	{ "tls-cert", ML_OPT_STR, S(tls_cert), NULL, NULL, 0, 0, "FILE",
	    "serve HTTPS with this PEM certificate (with --tls-key)" },
	{ "tls-key", ML_OPT_STR, S(tls_key), NULL, NULL, 0, 0, "FILE",
	    "PEM private key for --tls-cert" },
	{ "workspaces", ML_OPT_STR, S(workspaces), NULL, NULL, 0, 0, "FILE",
	    "JSON array of workspaces to serve (default: one demo workspace)" },
	{ "log-level", ML_OPT_STR, S(log_level), "info", NULL, 0, 0, "LEVEL",
	    "debug, info, warn or error" },
	ML_OPT_END
};

#undef S

/* Write the port to path via a temporary file and rename(2). */
static int
sim_write_port_file(const char *path, unsigned port)
{
	char tmp[1100];
	FILE *fp;
	int ok;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path,
	    (long)getpid()) >= sizeof(tmp))
		return -1;
	fp = fopen(tmp, "w");
	if (fp == NULL)
		return -1;
	ok = fprintf(fp, "%u\n", port) > 0;
	ok &= fclose(fp) == 0;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The host part of HOST:PORT for the listening URL. */
static void
sim_url_host(const char *listen, char *out, size_t cap)
{
	const char *colon = strrchr(listen, ':');
	size_t n = colon != NULL ? (size_t)(colon - listen) : strlen(listen);

	if (n >= cap)
		n = cap - 1;
	memcpy(out, listen, n);
	out[n] = '\0';
}

static void
sim_usage(FILE *fp)
{
	fprintf(fp, "Usage: moelink sim [OPTIONS]\n\n"
	    "Run a local MoEngage: every *-<dc>.moengage.com host on one "
	    "listener,\nrouted by the Host header, plus the /_sim/ admin API.\n\n");
	ml_opts_print_help(sim_opt_table, fp);
}

int
cmd_sim(int argc, char **argv)
{
	struct ml_sim_config cfg;
	struct ml_sim *sim = NULL;
	struct sim_opts o;
	struct ml_err err;
	struct ml_buf banner;
	enum ml_log_level lvl;
	sigset_t set;
	char host[128];
	int help = 0, npos = 0, sig = 0, rc = ML_EXIT_OK;

	memset(&o, 0, sizeof(o));
	ml_err_clear(&err);
	if (ml_opts_defaults(sim_opt_table, &o, &err) ||
	    ml_opts_parse_argv(sim_opt_table, &o, argc, argv, 1, NULL, 0,
	    &npos, &help, &err)) {
		fprintf(stderr, "moelink sim: %s\n", err.msg);
		return ML_EXIT_USAGE;
	}
	if (help) {
		sim_usage(stdout);
		return ML_EXIT_OK;
	}
	if (ml_log_parse_level(o.log_level, &lvl)) {
		fprintf(stderr, "moelink sim: --log-level must be debug, info, "
		    "warn or error\n");
		return ML_EXIT_USAGE;
	}
	ml_log_set_level(lvl);

	/* Block the stop signals before MHD starts its threads. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&cfg, 0, sizeof(cfg));
	cfg.listen = o.listen;
	cfg.tls_cert = o.tls_cert;
	cfg.tls_key = o.tls_key;
	cfg.workspaces = o.workspaces;
	if (ml_sim_new(&cfg, &sim, &err)) {
		log_error("msg=\"cannot start the simulator\" error=\"%s\"",
		    err.msg);
		return ML_EXIT_FAIL;
	}
	if (sim->ws.demo) {
		ml_buf_init(&banner, 64 * 1024);
		if (ml_sim_wsset_describe(&sim->ws, &banner) == ML_OK)
			printf("moelink sim: no --workspaces file; serving the "
			    "demo workspace (docs/sim.md):\n%s\n", banner.data);
		fflush(stdout);
		ml_buf_cleanup(&banner);
	}
	if (o.port_file[0] != '\0' &&
	    sim_write_port_file(o.port_file, sim->port) != 0) {
		log_error("msg=\"cannot write the port file\" path=\"%s\"",
		    o.port_file);
		rc = ML_EXIT_FAIL;
		goto out;
	}
	sim_url_host(o.listen, host, sizeof(host));
	log_info("msg=\"listening\" url=%s://%s:%u workspaces=%zu",
	    sim->tls ? "https" : "http", host, sim->port, sim->ws.n);
	while (sigwait(&set, &sig) != 0)
		;
	log_info("msg=\"shutting down\" signal=%d", sig);
out:
	ml_sim_free(sim);
	if (o.port_file[0] != '\0' && rc == ML_EXIT_OK)
		unlink(o.port_file);
	return rc;
}
