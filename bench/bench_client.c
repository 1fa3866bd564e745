/* SPDX-License-Identifier: MIT */
/*
 * bench_client.c: Data API calls per second from the libmoelink client.
 *
 * The program builds Track User requests (moengage_track_user, a small
 * attributes object, customer ids cycling over a fixed pool so the target's
 * user table stays small) with ml_request_build and submits them with
 * ml_client_submit, keeping at most --inflight requests outstanding. By
 * default the main thread builds and submits; completions arrive on the
 * client's curl thread and free a slot. With --chain each completion
 * callback builds and submits the slot's next request itself (as wrk sends
 * the next request when an answer arrives), so no thread waits for
 * another. After --warmup requests (connections and TLS
 * sessions are set up then, as wrk also does before it counts), it runs for
 * --seconds (or sends --requests, a fixed amount of work for profilers such
 * as callgrind) and prints one JSON line:
 *   {"inflight":..,"chain":0|1,"http":"1.1|2","ok":..,"failed":..,"seconds":..,
 *    "rps":..,"p50_us":..,"p99_us":..,"cpu_s":..,"vmhwm_kb":..,...}
 * Latency is from submit to completion callback, in a fixed histogram of
 * 10 us buckets (so percentiles are exact to 10 us and memory stays flat:
 * the peak RSS figure is the client's, not the benchmark's).
 *
 * File-local names carry the prefix bc_ (bench client).
 *
 * Threading: the slot counter, the sequence number and the histogram are
 * guarded by one mutex shared by the main thread and the client thread.
 * Each slot has its own request body (a json-c object), touched only by
 * whoever submits the slot's next request: the main thread, or with
 * --chain the callback of the slot's last one.
 *
 * The Data API key comes from --key or MOELINK_BENCH_DATA_KEY; it is a
 * throwaway key of the simulator's workspaces file.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include <moelink/account.h>
#include <moelink/catalog.h>
#include <moelink/client.h>
#include <moelink/json.h>
#include <moelink/mem.h>
#include <moelink/request.h>

#include "bench_util.h"

#define BC_BUCKET_US 10
#define BC_BUCKETS 20000		/* 10 us .. 200 ms; slower lands last */
#define BC_ID_POOL 1000

struct bc_opts {
	char connect_to[256];
	char ca_file[1024];
	char workspace[ML_WORKSPACE_ID_MAX];
	char dc[8];
	char key[256];
	char label[64];
	long inflight;
	long seconds;
	long requests;
	long warmup;
	long max_conns;
	int http1;
	int chain;
};

#define S(f) offsetof(struct bc_opts, f), sizeof(((struct bc_opts *)0)->f)
#define N(f) offsetof(struct bc_opts, f), sizeof(long)

static const struct ml_opt bc_opt_table[] = {
	{ "connect-to", ML_OPT_STR, S(connect_to), NULL, NULL, 0, 0,
	    "HOST:PORT", "connect every MoEngage host here (required)" },
	{ "ca-file", ML_OPT_STR, S(ca_file), NULL, NULL, 0, 0, "FILE",
	    "CA bundle that signed the target's certificate" },
	{ "workspace", ML_OPT_STR, S(workspace), "BENCH_WS", NULL, 0, 0, "ID",
	    "workspace id" },
	{ "dc", ML_OPT_STR, S(dc), "01", NULL, 0, 0, "DC", "data center" },
	{ "key", ML_OPT_STR, S(key), NULL, "MOELINK_BENCH_DATA_KEY", 0, 0,
	    "KEY", "Data API key of the workspace" },
	{ "label", ML_OPT_STR, S(label), "", NULL, 0, 0, "TEXT",
	    "copied into the JSON line" },
	{ "inflight", ML_OPT_LONG, N(inflight), "1", NULL, 1, 4096, "N",
	    "requests outstanding at once" },
	{ "seconds", ML_OPT_LONG, N(seconds), "5", NULL, 1, 600, "S",
	    "measured duration" },
	{ "requests", ML_OPT_LONG, N(requests), "0", NULL, 0, 100000000, "N",
	    "stop after N measured requests instead (fixed work, for "
	    "profilers)" },
	{ "warmup", ML_OPT_LONG, N(warmup), "500", NULL, 0, 1000000, "N",
	    "requests sent before measuring" },
	{ "max-conns", ML_OPT_LONG, N(max_conns), "0", NULL, 0, 4096, "N",
	    "connections per host (0: the client's default)" },
	{ "http1", ML_OPT_FLAG, offsetof(struct bc_opts, http1), sizeof(int),
	    NULL, NULL, 0, 0, NULL, "HTTP/1.1 only (no HTTP/2 via ALPN)" },
	{ "chain", ML_OPT_FLAG, offsetof(struct bc_opts, chain), sizeof(int),
	    NULL, NULL, 0, 0, NULL, "submit each next request from the "
	    "completion callback (no main-thread round trip)" },
	ML_OPT_END
};

#undef S
#undef N

/* Shared between the submitting thread and the client thread. */
struct bc_run {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	long outstanding;
	long ok;
	long failed;
	long h2;
	int counting;
	int waiting;		/* the main thread sleeps on cv */
	char first_err[ML_ERR_MSG_LEN];
	uint64_t *hist;
	/* What to send; set before a phase starts. */
	struct ml_client *c;
	const struct ml_action *a;
	const struct ml_account *acct;
	int chain;
	long seq;		/* the next request's number */
	long seq_end;		/* stop before this one; 0 = at end_ns */
	int64_t end_ns;
	int submit_rc;		/* a failed submit from a callback */
	struct ml_err submit_err;
};

/* One request in flight: its start time and its own body, used by one
 * thread at a time (the submitter, then the callback that reuses it). */
struct bc_slot {
	struct bc_run *run;
	json_object *body;
	int64_t t0;
	int busy;
};

static void bc_done(void *ud, struct ml_response *resp,
    const struct ml_err *err);

/* Take the next request number if the phase has more work; run->mu held. */
static int
bc_next_seq(struct bc_run *run, long *seq)
{
	if (run->submit_rc != ML_OK)
		return 0;
	if (run->seq_end > 0 ? run->seq >= run->seq_end :
	    bench_util_now_ns() >= run->end_ns)
		return 0;
	*seq = run->seq++;
	return 1;
}

/* The slot is free again; run->mu held. */
static void
bc_release(struct bc_run *run, struct bc_slot *s)
{
	run->outstanding--;
	s->busy = 0;
	if (run->waiting)
		pthread_cond_signal(&run->cv);
}

/* Build and submit request number seq in slot s (busy, counted). */
static int
bc_submit(struct bc_run *run, struct bc_slot *s, long seq,
    struct ml_err *err)
{
	struct ml_call_input in;
	struct ml_request req;
	char id[32];
	int rc;

	snprintf(id, sizeof(id), "bench-%ld", seq % BC_ID_POOL);
	json_object_object_add(s->body, "customer_id",
	    json_object_new_string(id));
	memset(&in, 0, sizeof(in));
	in.body = s->body;
	s->t0 = bench_util_now_ns();
	ml_request_init(&req);
	rc = ml_request_build(&req, run->a, run->acct, &in, err);
	if (rc == ML_OK)
		rc = ml_client_submit(run->c, &req, bc_done, s, err);
	if (rc)
		ml_request_cleanup(&req);
	return rc;
}

static void
bc_done(void *ud, struct ml_response *resp, const struct ml_err *err)
{
	struct bc_slot *s = ud;
	struct bc_run *run = s->run;
	int64_t us = (bench_util_now_ns() - s->t0) / 1000;
	long b = (long)(us / BC_BUCKET_US), seq = 0;
	struct ml_err serr;
	int more, rc;

	if (b >= BC_BUCKETS)
		b = BC_BUCKETS - 1;
	pthread_mutex_lock(&run->mu);
	if (run->counting) {
		if (err == NULL) {
			run->ok++;
			run->hist[b]++;
		} else {
			run->failed++;
			if (run->first_err[0] == '\0')
				ml_strlcpy(run->first_err, err->msg,
				    sizeof(run->first_err));
		}
		if (resp->http_version == 2)
			run->h2++;
	}
	more = run->chain && bc_next_seq(run, &seq);
	if (!more)
		bc_release(run, s);
	pthread_mutex_unlock(&run->mu);
	if (!more)
		return;
	/* --chain: this slot's next request, from the client thread. */
	ml_err_clear(&serr);
	rc = bc_submit(run, s, seq, &serr);
	if (rc == ML_OK)
		return;
	pthread_mutex_lock(&run->mu);
	if (run->submit_rc == ML_OK) {
		run->submit_rc = rc;
		run->submit_err = serr;
	}
	bc_release(run, s);
	pthread_mutex_unlock(&run->mu);
}

/* A free slot among n, waiting for one; run->mu held. */
static struct bc_slot *
bc_free_slot(struct bc_run *run, struct bc_slot *slots, long n)
{
	long i;

	for (;;) {
		for (i = 0; i < n; i++)
			if (!slots[i].busy)
				return &slots[i];
		run->waiting = 1;
		pthread_cond_wait(&run->cv, &run->mu);
		run->waiting = 0;
	}
}

/*
 * One phase: the requests up to run->seq_end (or run->end_ns), then wait
 * until every one has completed. With --chain only the first n are
 * submitted here; the callbacks submit the rest.
 */
static int
bc_phase(struct bc_run *run, struct bc_slot *slots, long n,
    struct ml_err *err)
{
	struct bc_slot *s;
	long seq = 0, started = 0;
	int rc = ML_OK, more;

	for (;;) {
		pthread_mutex_lock(&run->mu);
		s = bc_free_slot(run, slots, n);
		more = (!run->chain || started < n) && bc_next_seq(run, &seq);
		if (more) {
			s->busy = 1;
			run->outstanding++;
			started++;
		}
		pthread_mutex_unlock(&run->mu);
		if (!more)
			break;
		rc = bc_submit(run, s, seq, err);
		if (rc) {
			pthread_mutex_lock(&run->mu);
			bc_release(run, s);
			pthread_mutex_unlock(&run->mu);
			break;
		}
	}
	pthread_mutex_lock(&run->mu);
	while (run->outstanding > 0) {
		run->waiting = 1;
		pthread_cond_wait(&run->cv, &run->mu);
		run->waiting = 0;
	}
	if (rc == ML_OK && run->submit_rc != ML_OK) {
		rc = run->submit_rc;
		if (err != NULL)
			*err = run->submit_err;
	}
	pthread_mutex_unlock(&run->mu);
	return rc;
}

/* The Track User body: customer_id changes per request, the rest is fixed. */
static int
bc_body(json_object **out, struct ml_err *err)
{
	static const char text[] = "{\"type\":\"customer\","
	    "\"customer_id\":\"bench-0\",\"attributes\":{\"name\":"
	    "\"Bench User\",\"plan\":\"gold\",\"score\":42,"
	    "\"city\":\"Bengaluru\"}}";

	return ml_json_parse(text, sizeof(text) - 1, 0, 0, out, err);
}

/* The q-th quantile (0..1) of the histogram, in microseconds. */
static long
bc_quantile(const uint64_t *hist, long total, double q)
{
	long want = (long)(q * (double)total), seen = 0, i;

	for (i = 0; i < BC_BUCKETS; i++) {
		seen += (long)hist[i];
		if (seen > want)
			return (i + 1) * BC_BUCKET_US;
	}
	return BC_BUCKETS * BC_BUCKET_US;
}

static double
bc_cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void
bc_report(const struct bc_opts *o, struct bc_run *run, double secs,
    double cpu)
{
	long hwm = 0, rss = 0;

	bench_util_vm_kb("VmHWM", &hwm);
	bench_util_vm_kb("VmRSS", &rss);
	printf("{\"label\":\"%s\",\"inflight\":%ld,\"chain\":%d,"
	    "\"http\":\"%s\","
	    "\"ok\":%ld,\"failed\":%ld,\"seconds\":%.3f,\"rps\":%.0f,"
	    "\"p50_us\":%ld,\"p99_us\":%ld,\"cpu_s\":%.3f,"
	    "\"cpu_us_per_req\":%.1f,\"vmhwm_kb\":%ld,\"vmrss_kb\":%ld",
	    o->label, o->inflight, o->chain, run->h2 * 2 > run->ok + run->failed ?
	    "2" : "1.1", run->ok, run->failed, secs,
	    (double)run->ok / secs, bc_quantile(run->hist, run->ok, 0.5),
	    bc_quantile(run->hist, run->ok, 0.99), cpu,
	    run->ok > 0 ? cpu * 1e6 / (double)run->ok : 0.0, hwm, rss);
	if (run->first_err[0] != '\0')
		printf(",\"first_error\":\"%s\"", run->first_err);
	printf("}\n");
}

/* Warm up, then measure for o->seconds (or o->requests). */
static int
bc_run_all(const struct bc_opts *o, struct ml_client *c,
    const struct ml_account *acct, struct bc_run *run, struct ml_err *err)
{
	struct bc_slot *slots = NULL;
	int64_t t0, t1;
	double cpu0;
	long i;
	int rc = ML_OK;

	run->c = c;
	run->acct = acct;
	run->chain = o->chain;
	run->a = ml_catalog_find("moengage_track_user");
	if (run->a == NULL)
		return ml_err_set(err, ML_EINTERNAL, NULL,
		    "the catalog has no moengage_track_user");
	slots = ml_calloc((size_t)o->inflight, sizeof(*slots));
	if (slots == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	for (i = 0; rc == ML_OK && i < o->inflight; i++) {
		slots[i].run = run;
		rc = bc_body(&slots[i].body, err);
	}
	if (rc == ML_OK && o->warmup > 0) {
		run->seq_end = o->warmup;
		rc = bc_phase(run, slots, o->inflight, err);
	}
	if (rc)
		goto out;
	pthread_mutex_lock(&run->mu);
	run->counting = 1;
	run->seq_end = o->requests > 0 ? run->seq + o->requests : 0;
	run->end_ns = bench_util_now_ns() + (int64_t)o->seconds * 1000000000;
	pthread_mutex_unlock(&run->mu);
	cpu0 = bc_cpu_seconds();
	t0 = bench_util_now_ns();
	rc = bc_phase(run, slots, o->inflight, err);
	t1 = bench_util_now_ns();
	if (rc == ML_OK)
		bc_report(o, run, (double)(t1 - t0) / 1e9,
		    bc_cpu_seconds() - cpu0);
out:
	for (i = 0; i < o->inflight; i++)
		json_object_put(slots[i].body);
	ml_free(slots);
	return rc;
}

static int
bc_main(const struct bc_opts *o, struct ml_err *err)
{
	struct ml_client_opts copts;
	struct ml_client *c = NULL;
	struct ml_account acct;
	struct bc_run run;
	int rc;

	memset(&run, 0, sizeof(run));
	pthread_mutex_init(&run.mu, NULL);
	pthread_cond_init(&run.cv, NULL);
	ml_account_init(&acct);
	run.hist = ml_calloc(BC_BUCKETS, sizeof(*run.hist));
	if (run.hist == NULL) {
		rc = ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
		goto out;
	}
	rc = ml_account_set(&acct, o->workspace, o->dc, err);
	if (rc == ML_OK && ml_keyset_set(&acct.keys, ML_KEY_DATA, o->key))
		rc = ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	if (rc)
		goto out;
	ml_client_opts_init(&copts);
	copts.connect_to = o->connect_to;
	copts.ca_file = o->ca_file[0] != '\0' ? o->ca_file : NULL;
	copts.http1_only = o->http1;
	if (o->max_conns > 0)
		copts.max_host_connections = (int)o->max_conns;
	rc = ml_client_new(&copts, &c, err);
	if (rc == ML_OK)
		rc = bc_run_all(o, c, &acct, &run, err);
out:
	ml_client_free(c);
	ml_account_cleanup(&acct);
	ml_free(run.hist);
	pthread_cond_destroy(&run.cv);
	pthread_mutex_destroy(&run.mu);
	return rc;
}

int
main(int argc, char **argv)
{
	struct bc_opts o;
	struct ml_err err;
	int rc;

	memset(&o, 0, sizeof(o));
	ml_err_clear(&err);
	rc = bench_util_opts(bc_opt_table, &o, argc, argv, "bench_client");
	if (rc >= 0)
		return rc;
	if (o.connect_to[0] == '\0' || o.key[0] == '\0') {
		fprintf(stderr, "bench_client: --connect-to and --key (or "
		    "MOELINK_BENCH_DATA_KEY) are required\n");
		return 2;
	}
	rc = bc_main(&o, &err);
	if (rc) {
		fprintf(stderr, "bench_client: %s\n", err.msg);
		return 1;
	}
	return 0;
}
