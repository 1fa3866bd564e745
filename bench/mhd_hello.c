/* SPDX-License-Identifier: MIT */
/*
 * mhd_hello.c: a bare libmicrohttpd hello-world, the reference the server
 * benchmark compares `moelink serve` with. It uses the same daemon set-up as
 * src/server/server.c (epoll with an internal thread pool, per-connection
 * memory cap, 30 s idle timeout) and answers every request with a fixed
 * 15-byte JSON body {"status":"ok"}, so the difference to moelink is routing,
 * authentication, the store, JSON building and the access log.
 *
 * Gotcha encoded (c-stack.md 4.1): the answer is queued on the SECOND call
 * of the access handler; answering on the first makes MHD 0.9.75 close the
 * connection after every response.
 *
 * Runs until SIGINT/SIGTERM (waited for with sigwait, blocked before MHD
 * starts its threads), writes the bound port to --port-file once accepting.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "bench_util.h"

#define HELLO_BODY "{\"status\":\"ok\"}"

struct hello_opts {
	char port_file[1024];
	long port;
	long threads;
	long conn_memory;
};

#define S(f) offsetof(struct hello_opts, f), sizeof(((struct hello_opts *)0)->f)
#define N(f) offsetof(struct hello_opts, f), sizeof(long)

static const struct ml_opt hello_opt_table[] = {
	{ "port", ML_OPT_LONG, N(port), "0", NULL, 0, 65535, "PORT",
	    "port on 127.0.0.1; 0 picks a free one" },
	{ "port-file", ML_OPT_STR, S(port_file), NULL, NULL, 0, 0, "FILE",
	    "write the bound port here once listening" },
	{ "threads", ML_OPT_LONG, N(threads), "2", NULL, 1, 64, "N",
	    "thread pool size (moelink serve's default is 2)" },
	{ "conn-memory", ML_OPT_LONG, N(conn_memory), "16384", NULL, 4096,
	    1048576, "BYTES", "memory per connection (as moelink serve)" },
	ML_OPT_END
};

#undef S
#undef N

/* The one response, shared by every connection (MHD reference-counts it). */
struct hello {
	struct MHD_Response *resp;
	int first_call_marker;
};

static enum MHD_Result
mhd_hello_access(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_size, void **con_cls)
{
	struct hello *h = cls;

	(void)url;
	(void)method;
	(void)version;
	(void)upload_data;
	if (*con_cls == NULL) {
		/* First call: headers only. Answer on the next one. */
		*con_cls = &h->first_call_marker;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		*upload_size = 0;	/* ignore any body */
		return MHD_YES;
	}
	return MHD_queue_response(conn, MHD_HTTP_OK, h->resp);
}

static int
mhd_hello_run(const struct hello_opts *o, struct ml_err *err)
{
	const union MHD_DaemonInfo *info;
	struct sockaddr_in sin;
	struct MHD_Daemon *d = NULL;
	struct hello h;
	sigset_t set;
	int sig = 0, rc = ML_OK;

	memset(&h, 0, sizeof(h));
	h.resp = MHD_create_response_from_buffer(strlen(HELLO_BODY),
	    (void *)(uintptr_t)HELLO_BODY, MHD_RESPMEM_PERSISTENT);
	if (h.resp == NULL ||
	    MHD_add_response_header(h.resp, "Content-Type",
	    "application/json") != MHD_YES)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)o->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD, 0, NULL, NULL,
	    mhd_hello_access, &h,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)o->threads,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)o->conn_memory,
	    MHD_OPTION_CONNECTION_TIMEOUT, 30u,
	    MHD_OPTION_CONNECTION_LIMIT, 4096u,
	    MHD_OPTION_END);
	if (d == NULL) {
		rc = ml_err_set(err, ML_EIO, NULL, "cannot listen on port %ld",
		    o->port);
		goto out;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (info == NULL || info->port == 0) {
		rc = ml_err_set(err, ML_EIO, NULL, "cannot tell the bound port");
		goto out;
	}
	if (o->port_file[0] != '\0')
		rc = bench_util_port_file(o->port_file, info->port, err);
	if (rc)
		goto out;
	fprintf(stderr, "mhd_hello: listening on http://127.0.0.1:%u\n",
	    info->port);
	while (sigwait(&set, &sig) != 0)
		;
out:
	if (d != NULL)
		MHD_stop_daemon(d);
	MHD_destroy_response(h.resp);
	return rc;
}

int
main(int argc, char **argv)
{
	struct hello_opts o;
	struct ml_err err;
	int rc;

	memset(&o, 0, sizeof(o));
	ml_err_clear(&err);
	rc = bench_util_opts(hello_opt_table, &o, argc, argv, "mhd_hello");
	if (rc >= 0)
		return rc;
	rc = mhd_hello_run(&o, &err);
	if (rc) {
		fprintf(stderr, "mhd_hello: %s\n", err.msg);
		return 1;
	}
	return 0;
}
