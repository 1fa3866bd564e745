/* SPDX-License-Identifier: MIT */
/*
 * deliver.c: the outbox worker (see deliver.h for the outcome table).
 *
 * Threads: one worker thread runs every decision and every database write;
 * the MoEngage client's thread only records a completion on the account and
 * wakes the worker, so curl never waits on SQLite. d->mu guards the account
 * list, the per-account flags (busy, inflight, dirty, done) and the wake-up
 * state; an account marked busy or inflight is touched by the worker alone,
 * outside the lock, so its token buckets, batch and credentials need no
 * lock of their own.
 *
 * Order: per account one request at a time, always starting at the
 * account's oldest row, and a failed batch is retried before anything after
 * it. So elements of one customer_id reach MoEngage in enqueue order, and
 * a merge or delete is sent only after everything queued before it.
 *
 * Clock: wall-clock milliseconds, since the outbox stores epoch times and a
 * 429's reset may be an epoch time.
 */
#include "server/deliver.h"

#include <moelink/account.h>
#include <moelink/buf.h>
#include <moelink/catalog.h>
#include <moelink/client.h>
#include <moelink/json.h>
#include <moelink/mem.h>
#include <moelink/request.h>

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

#define DL_MAX_ROWS 4000
#define DL_MERGE_MAX 50
#define DL_IDLE_MS 1000
#define DL_CRED_RETRY_MS 30000
#define DL_MSG_MAX 600
#define DL_HELD (-2)		/* dl_step: the account is inactive */
#define DL_RELOAD_MS 1000	/* re-read status and keys this often */
#define DL_HELD_MS 5000		/* re-read an inactive account's status */

/* The token buckets of one workspace, shared by its accounts. */
struct dl_bucket {
	char workspace_id[ML_WORKSPACE_ID_MAX];
	char data_center[4];
	struct ml_ratelimit rl;
};

/* One request: built from rows [first_seq, last_seq], then in flight. */
struct dl_batch {
	int64_t first_seq;
	int64_t last_seq;
	size_t nrows;
	const struct ml_action *action;
	char *body;			/* heap; moved into the request on send */
	size_t body_len;
	long need[ML_RL_KIND_COUNT];
	int attempts;			/* of the oldest row, before this try */
	int64_t first_failed_ms;
};

struct dl_account {
	struct ml_deliver *d;
	char project_id[ML_STORE_ID_MAX];
	char account_id[ML_STORE_ID_MAX];
	struct ml_ratelimit *rl;	/* its workspace's buckets (worker only) */
	struct ml_account acct;
	int have_acct;
	int64_t loaded_ms;		/* when have_acct was last set */
	/* guarded by d->mu */
	int busy;			/* the worker is stepping it unlocked */
	int inflight;			/* a request is out */
	int dirty;			/* rows may be waiting */
	int64_t next_ms;		/* not before this time */
	int reload;			/* re-read status and keys first */
	unsigned status_gen;		/* bumped by ml_deliver_recheck */
	/* completion, written by the client thread under d->mu */
	int done;
	int rc;
	int status;
	char reset[32];
	char retry_after[32];
	struct ml_err err;
	/* worker-only */
	int has_batch;
	struct dl_batch batch;
	int64_t probe_until;		/* split 4xx batches up to this seq */
	size_t probe_max;
};

struct ml_deliver {
	struct ml_deliver_opts o;
	struct ml_store *store;
	struct ml_vault *vault;
	struct ml_store_outbox *outbox;
	struct ml_client *client;
	json_object *placeholder;	/* a valid bulk body for request building */
	const struct ml_action *bulk, *merge, *del;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	int started;
	int stop;
	int kick;
	struct dl_account **acc;
	size_t nacc;
	size_t capacc;
	long inflight;
	/* worker thread only */
	int64_t rescan_ms;		/* next look for orphaned rows; 0 = never */
	struct dl_bucket **buckets;
	size_t nbuckets;
};

int64_t
ml_deliver_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- options ------------------------------------------------------------ */

void
ml_deliver_opts_init(struct ml_deliver_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->batch_bytes = ML_BATCH_DEFAULT_MAX;
	ml_ratelimit_opts_init(&o->rate);
	o->linger_ms = 100;
	o->retry_window_s = 3 * 3600;
	o->backoff_base_ms = 1000;
	o->backoff_max_ms = 300000;
	o->max_inflight = 64;
	o->timeout_ms = 30000;
	o->accept_max = 10000;
	o->rescan_s = 30;
}

static int
dl_env_long(const char *name, long min, long max, long *out,
    struct ml_err *err)
{
	const char *v = getenv(name);
	char *end;
	long x;

	if (v == NULL || v[0] == '\0')
		return ML_OK;
	errno = 0;
	x = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || x < min || x > max) {
		ml_err_set(err, ML_EINVAL, "invalid_config",
		    "%s must be a number in %ld..%ld (got '%s')", name, min,
		    max, v);
		ml_err_field(err, name);
		return ML_EINVAL;
	}
	*out = x;
	return ML_OK;
}

int
ml_deliver_opts_from_env(struct ml_deliver_opts *o, struct ml_err *err)
{
	static const struct {
		const char *name;
		size_t off;
		long min, max;
	} tab[] = {
		{ "MOELINK_DELIVER_LINGER_MS",
		    offsetof(struct ml_deliver_opts, linger_ms), 0, 60000 },
		{ "MOELINK_DELIVER_RETRY_WINDOW_S",
		    offsetof(struct ml_deliver_opts, retry_window_s), 1,
		    30L * 86400 },
		{ "MOELINK_DELIVER_BACKOFF_BASE_MS",
		    offsetof(struct ml_deliver_opts, backoff_base_ms), 1,
		    3600000 },
		{ "MOELINK_DELIVER_BACKOFF_MAX_MS",
		    offsetof(struct ml_deliver_opts, backoff_max_ms), 1,
		    86400000 },
		{ "MOELINK_DELIVER_MAX_INFLIGHT",
		    offsetof(struct ml_deliver_opts, max_inflight), 1, 4096 },
		{ "MOELINK_DELIVER_TIMEOUT_MS",
		    offsetof(struct ml_deliver_opts, timeout_ms), 100,
		    600000 },
		{ "MOELINK_DELIVER_ACCEPT_MAX",
		    offsetof(struct ml_deliver_opts, accept_max), 1, 1000000 },
		{ "MOELINK_DELIVER_RESCAN_S",
		    offsetof(struct ml_deliver_opts, rescan_s), 0, 86400 },
	};
	static const char *const rates[ML_RL_KIND_COUNT] = {
		"MOELINK_DELIVER_USERS_PER_MIN", "MOELINK_DELIVER_EVENTS_PER_MIN",
		"MOELINK_DELIVER_MERGES_PER_MIN",
		"MOELINK_DELIVER_DELETES_PER_MIN",
	};
	const char *v;
	long bytes = (long)o->batch_bytes;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		rc = dl_env_long(tab[i].name, tab[i].min, tab[i].max,
		    (long *)(void *)((char *)o + tab[i].off), err);
		if (rc)
			return rc;
	}
	for (i = 0; i < ML_RL_KIND_COUNT; i++) {
		rc = dl_env_long(rates[i], 1, 100000000L, &o->rate.per_min[i],
		    err);
		if (rc)
			return rc;
	}
	rc = dl_env_long("MOELINK_DELIVER_BATCH_BYTES", ML_BATCH_MIN_MAX,
	    ML_BATCH_HARD_MAX, &bytes, err);
	if (rc)
		return rc;
	o->batch_bytes = (size_t)bytes;
	if ((v = getenv("MOELINK_MOENGAGE_CONNECT_TO")) != NULL)
		ml_strlcpy(o->connect_to, v, sizeof(o->connect_to));
	if ((v = getenv("MOELINK_CA_FILE")) != NULL)
		ml_strlcpy(o->ca_file, v, sizeof(o->ca_file));
	return ML_OK;
}

/* ---- accounts ----------------------------------------------------------- */

/* Find or add an account (under d->mu); NULL on allocation failure. */
static struct dl_account *
dl_account(struct ml_deliver *d, const char *project_id,
    const char *account_id)
{
	struct dl_account *a, **p;
	size_t i;

	for (i = 0; i < d->nacc; i++)
		if (strcmp(d->acc[i]->account_id, account_id) == 0)
			return d->acc[i];
	if (d->nacc == d->capacc) {
		p = ml_reallocarray(d->acc, d->capacc ? d->capacc * 2 : 16,
		    sizeof(*p));
		if (p == NULL)
			return NULL;
		d->acc = p;
		d->capacc = d->capacc ? d->capacc * 2 : 16;
	}
	a = ml_calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	a->d = d;
	ml_strlcpy(a->project_id, project_id, sizeof(a->project_id));
	ml_strlcpy(a->account_id, account_id, sizeof(a->account_id));
	ml_account_init(&a->acct);
	d->acc[d->nacc++] = a;
	return a;
}

static void
dl_batch_clear(struct dl_account *a)
{
	ml_free(a->batch.body);
	memset(&a->batch, 0, sizeof(a->batch));
	a->has_batch = 0;
}

static void
dl_account_free(struct dl_account *a)
{
	dl_batch_clear(a);
	ml_account_cleanup(&a->acct);
	ml_free(a);
}

/* Schedule an account (re-reading it first, with recheck) and wake up. */
static void
dl_poke(struct ml_deliver *d, const char *project_id, const char *account_id,
    int recheck)
{
	struct dl_account *a;

	if (d == NULL)
		return;
	pthread_mutex_lock(&d->mu);
	a = dl_account(d, project_id, account_id);
	if (a != NULL) {
		a->dirty = 1;
		if (recheck) {
			a->reload = 1;
			a->status_gen++;
			a->next_ms = 0;
		}
	}
	d->kick = 1;
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
}

void
ml_deliver_notify(struct ml_deliver *d, const char *project_id,
    const char *account_id)
{
	dl_poke(d, project_id, account_id, 0);
}

void
ml_deliver_recheck(struct ml_deliver *d, const char *project_id,
    const char *account_id)
{
	dl_poke(d, project_id, account_id, 1);
}

/*
 * The buckets of a workspace (worker thread only): two accounts linked to
 * one workspace share MoEngage's per-workspace limit. NULL on ENOMEM.
 */
static struct ml_ratelimit *
dl_bucket(struct ml_deliver *d, const struct ml_account *acct)
{
	struct dl_bucket *b, **p;
	size_t i;

	for (i = 0; i < d->nbuckets; i++)
		if (strcmp(d->buckets[i]->workspace_id, acct->workspace_id) ==
		    0 && strcmp(d->buckets[i]->data_center, acct->data_center) ==
		    0)
			return &d->buckets[i]->rl;
	p = ml_reallocarray(d->buckets, d->nbuckets + 1, sizeof(*p));
	if (p == NULL)
		return NULL;
	d->buckets = p;
	b = ml_calloc(1, sizeof(*b));
	if (b == NULL)
		return NULL;
	ml_strlcpy(b->workspace_id, acct->workspace_id,
	    sizeof(b->workspace_id));
	ml_strlcpy(b->data_center, acct->data_center, sizeof(b->data_center));
	ml_ratelimit_init(&b->rl, &d->o.rate, ml_deliver_now_ms());
	d->buckets[d->nbuckets++] = b;
	return &b->rl;
}

/* Open the account's sealed keys into a->acct. */
static int
dl_load_account(struct ml_deliver *d, struct dl_account *a,
    struct ml_err *err)
{
	struct ml_store_account sa;
	struct ml_keyset ks;
	char db_name[ML_DB_NAME_MAX];
	int rc;

	ml_store_account_init(&sa);
	ml_keyset_init(&ks);
	rc = ml_store_account_get(d->store, a->project_id, a->account_id, &sa,
	    err);
	if (rc == ML_OK && sa.status == ML_ACCOUNT_INACTIVE)
		rc = ml_err_set(err, ML_ECONFLICT, "account_inactive",
		    "the account is inactive");
	if (rc == ML_OK)
		rc = ml_vault_open_keyset(d->vault, a->account_id, sa.sealed,
		    sa.sealed_len, sa.key_id, &ks, db_name, sizeof(db_name),
		    err);
	if (rc == ML_OK) {
		ml_account_cleanup(&a->acct);
		ml_account_init(&a->acct);
		rc = ml_account_set(&a->acct, sa.workspace_id, sa.data_center,
		    err);
	}
	if (rc == ML_OK)
		rc = ml_keyset_copy(&a->acct.keys, &ks);
	if (rc == ML_OK) {
		a->rl = dl_bucket(d, &a->acct);
		if (a->rl == NULL)
			rc = ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	}
	a->have_acct = rc == ML_OK;
	a->loaded_ms = ml_deliver_now_ms();
	ml_keyset_cleanup(&ks);
	ml_store_account_cleanup(&sa);
	return rc;
}

/* ---- building a request ------------------------------------------------- */

/* Pack element rows (customer, event, device) into a Bulk Import body. */
static int
dl_pack_bulk(struct ml_deliver *d, struct dl_account *a,
    const struct ml_outbox_row *rows, size_t n, size_t *used,
    struct ml_err *err)
{
	struct ml_batch_limits lim;
	struct ml_batch_units u;
	struct ml_batch b;
	const char *body;
	size_t i, len;
	int rc = ML_OK;

	memset(&lim, 0, sizeof(lim));
	lim.max_bytes = d->o.batch_bytes;
	lim.max_users = ml_ratelimit_capacity(a->rl, ML_RL_USERS);
	lim.max_events = ml_ratelimit_capacity(a->rl, ML_RL_EVENTS);
	if (a->probe_until != 0)
		lim.max_elements = (long)a->probe_max;
	ml_batch_init(&b, &lim);
	for (i = 0; i < n; i++) {
		if (strcmp(rows[i].kind, "merge") == 0 ||
		    strcmp(rows[i].kind, "delete") == 0)
			break;
		u.users = strcmp(rows[i].kind, "event") == 0 ? 0 : rows[i].units;
		u.events = strcmp(rows[i].kind, "event") == 0 ? rows[i].units :
		    0;
		/* Elements heavier than a bucket still go, alone, in debt. */
		if (i == 0 && (u.users > lim.max_users ||
		    u.events > lim.max_events)) {
			b.lim.max_users = b.lim.max_events = 0;
		}
		rc = ml_batch_add(&b, rows[i].payload, rows[i].payload_len, &u,
		    err);
		/* Full, or an oversized element that must go first next time. */
		if (rc == ML_ETOOBIG || (rc == ML_EINVAL && i > 0)) {
			rc = ML_OK;
			break;
		}
		if (rc)
			goto out;
	}
	rc = ml_batch_finish(&b, &body, &len, err);
	if (rc)
		goto out;
	a->batch.body = ml_strndup(body, len);
	if (a->batch.body == NULL) {
		rc = ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
		goto out;
	}
	a->batch.body_len = len;
	a->batch.need[ML_RL_USERS] = b.units.users;
	a->batch.need[ML_RL_EVENTS] = b.units.events;
	a->batch.action = d->bulk;
	*used = b.count;
out:
	ml_batch_cleanup(&b);
	return rc;
}

/* Consecutive merge rows -> {"merge_data":[...]} (<= 50 pairs). */
static int
dl_pack_merge(struct ml_deliver *d, struct dl_account *a,
    const struct ml_outbox_row *rows, size_t n, size_t *used,
    struct ml_err *err)
{
	struct ml_buf buf;
	size_t i, max = DL_MERGE_MAX;
	int rc;

	if (a->probe_until != 0 && a->probe_max < max)
		max = a->probe_max;
	ml_buf_init(&buf, ML_DEFAULT_MAX_BODY);
	rc = ml_buf_append_str(&buf, "{\"merge_data\":[");
	for (i = 0; rc == ML_OK && i < n && i < max &&
	    strcmp(rows[i].kind, "merge") == 0; i++) {
		if (i > 0)
			rc = ml_buf_append(&buf, ",", 1);
		if (rc == ML_OK)
			rc = ml_buf_append(&buf, rows[i].payload,
			    rows[i].payload_len);
	}
	if (rc == ML_OK)
		rc = ml_buf_append_str(&buf, "]}");
	if (rc) {
		ml_buf_cleanup(&buf);
		return ml_err_set(err, rc, NULL, "%s", ml_strerror(rc));
	}
	a->batch.body_len = buf.len;
	a->batch.body = ml_buf_detach(&buf);
	a->batch.need[ML_RL_MERGES] = (long)i;
	a->batch.action = d->merge;
	*used = i;
	return a->batch.body != NULL ? ML_OK :
	    ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
}

/*
 * Claim the account's oldest rows and build the next request. Returns
 * ML_OK with a->has_batch set, ML_ENOTFOUND when the outbox has nothing for
 * the account, or ML_OK with *wait_ms > 0 when it is too early (backoff or
 * linger). Other errors are database failures.
 */
static int
dl_build(struct ml_deliver *d, struct dl_account *a, int64_t now,
    long *wait_ms, struct ml_err *err)
{
	struct ml_outbox_row *rows = NULL;
	size_t n = 0, used = 0, i, bytes = 0, max_rows = DL_MAX_ROWS;
	int rc;

	*wait_ms = 0;
	if (a->probe_until != 0 && a->probe_max < max_rows)
		max_rows = a->probe_max;
	rc = ml_store_outbox_claim(d->outbox, a->account_id, max_rows,
	    d->o.batch_bytes + 1, &rows, &n, err);
	if (rc)
		return rc;
	if (n == 0)
		return ML_ENOTFOUND;
	if (rows[0].next_attempt_ms > now) {
		*wait_ms = (long)(rows[0].next_attempt_ms - now);
		goto out;
	}
	for (i = 0; i < n; i++)
		bytes += rows[i].payload_len;
	/* A short linger lets a trickle of rows share one request. */
	if (d->o.linger_ms > 0 && n < max_rows && bytes <= d->o.batch_bytes &&
	    rows[0].attempts == 0 && now - rows[0].enqueued_ms < d->o.linger_ms) {
		*wait_ms = (long)(rows[0].enqueued_ms + d->o.linger_ms - now);
		goto out;
	}
	memset(&a->batch, 0, sizeof(a->batch));
	if (strcmp(rows[0].kind, "merge") == 0)
		rc = dl_pack_merge(d, a, rows, n, &used, err);
	else if (strcmp(rows[0].kind, "delete") == 0) {
		a->batch.body = ml_strndup(rows[0].payload,
		    rows[0].payload_len);
		a->batch.body_len = rows[0].payload_len;
		a->batch.need[ML_RL_DELETES] = 1;
		a->batch.action = d->del;
		used = 1;
		rc = a->batch.body ? ML_OK : ml_err_set(err, ML_ENOMEM, NULL,
		    "out of memory");
	} else
		rc = dl_pack_bulk(d, a, rows, n, &used, err);
	if (rc == ML_EINVAL) {
		/* An element that can never be sent (too large for the cap). */
		used = 1;
		rc = ml_store_outbox_deadletter(d->outbox, a->account_id,
		    rows[0].seq, rows[0].seq, err->msg, NULL, now / 1000, err);
		if (rc == ML_OK)
			*wait_ms = 1;
		goto out;
	}
	if (rc)
		goto out;
	a->batch.first_seq = rows[0].seq;
	a->batch.last_seq = rows[used - 1].seq;
	a->batch.nrows = used;
	a->batch.attempts = rows[0].attempts;
	a->batch.first_failed_ms = rows[0].first_failed_ms;
	a->has_batch = 1;
out:
	ml_store_outbox_rows_free(rows, n);
	if (rc && !a->has_batch)
		dl_batch_clear(a);
	return rc;
}

/* ---- sending ------------------------------------------------------------ */

static void
dl_done(void *ud, struct ml_response *resp, const struct ml_err *err)
{
	struct dl_account *a = ud;
	struct ml_deliver *d = a->d;

	pthread_mutex_lock(&d->mu);
	a->done = 1;
	a->rc = err != NULL ? err->code : ML_OK;
	if (a->rc == ML_OK && resp != NULL && (resp->status < 200 ||
	    resp->status > 299))
		a->rc = ML_EHTTP;
	a->status = resp != NULL ? resp->status : 0;
	ml_strlcpy(a->reset, resp != NULL ? resp->ratelimit_reset : "",
	    sizeof(a->reset));
	ml_strlcpy(a->retry_after, resp != NULL ? resp->retry_after : "",
	    sizeof(a->retry_after));
	if (err != NULL)
		a->err = *err;
	else
		ml_err_clear(&a->err);
	d->kick = 1;
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
}

/* Build the HTTP request for the ready batch and hand it to the client. */
static int
dl_submit(struct ml_deliver *d, struct dl_account *a, struct ml_err *err)
{
	struct ml_call_input in;
	struct ml_request req;
	json_object *body = NULL;
	int rc;

	memset(&in, 0, sizeof(in));
	ml_request_init(&req);
	if (a->batch.action == d->bulk) {
		/*
		 * The elements were validated on the way in and the body's
		 * exact size is the packer's: build with a small valid body,
		 * then put the packed one in its place.
		 */
		in.body = d->placeholder;
	} else {
		rc = ml_json_parse(a->batch.body, a->batch.body_len, 0, 0,
		    &body, err);
		if (rc)
			goto out;
		in.body = body;
	}
	rc = ml_request_build(&req, a->batch.action, &a->acct, &in, err);
	if (rc)
		goto out;
	if (a->batch.action == d->bulk) {
		ml_free_zero(req.body, req.body_len);
		req.body = a->batch.body;
		req.body_len = a->batch.body_len;
		a->batch.body = NULL;
	}
	rc = ml_client_submit(d->client, &req, dl_done, a, err);
out:
	ml_request_cleanup(&req);
	json_object_put(body);
	return rc;
}

/* Dead-letter detail: what MoEngage said, as JSON text (heap or NULL). */
static char *
dl_detail(const struct dl_account *a)
{
	json_object *o = json_object_new_object();
	char *text = NULL;

	if (o == NULL)
		return NULL;
	if (ml_json_add_int(o, "status", a->status) == ML_OK &&
	    ml_json_add_str(o, "kind", a->err.kind) == ML_OK &&
	    ml_json_add_str(o, "type", a->err.moe_type) == ML_OK &&
	    ml_json_add_str(o, "message", a->err.moe_message[0] ?
	    a->err.moe_message : a->err.msg) == ML_OK &&
	    ml_json_add_str(o, "request_id", a->err.moe_request_id) == ML_OK)
		text = ml_strdup(ml_json_text(o));
	json_object_put(o);
	return text;
}

static int
dl_retryable(int rc, int status)
{
	if (rc == ML_ENET || rc == ML_ETIMEOUT || status == 0)
		return 1;
	return status >= 500 || status == 408 || status == 401 ||
	    status == 403 || status == 425;
}

/* Jittered exponential backoff for the n-th failure (n >= 1). */
static long
dl_backoff(const struct ml_deliver_opts *o, int n)
{
	long ms = o->backoff_base_ms;
	int i;

	for (i = 1; i < n && ms < o->backoff_max_ms; i++)
		ms *= 2;
	if (ms > o->backoff_max_ms)
		ms = o->backoff_max_ms;
	/* Full jitter over the upper half keeps retries spread out. */
	return ms / 2 + (long)randombytes_uniform((uint32_t)(ms / 2 + 1));
}

/* Handle a finished request (worker thread, account not shared). */
static void
dl_complete(struct ml_deliver *d, struct dl_account *a, int64_t now)
{
	struct dl_batch *b = &a->batch;
	struct ml_err err;
	char msg[DL_MSG_MAX], *detail;
	long wait;
	int rc = ML_OK;

	ml_err_clear(&err);
	if (a->rc == ML_ECANCELED)
		goto out;	/* shutting down: the rows stay queued */
	if (a->rc == ML_OK) {
		rc = ml_store_outbox_done(d->outbox, a->account_id,
		    b->first_seq, b->last_seq, (long)b->nrows, now / 1000,
		    &err);
		if (a->probe_until != 0 && b->last_seq >= a->probe_until)
			a->probe_until = 0;
		goto out;
	}
	snprintf(msg, sizeof(msg), "HTTP %d %s: %s", a->status,
	    a->err.kind[0] ? a->err.kind : ml_err_kind(a->rc),
	    a->err.moe_message[0] ? a->err.moe_message : a->err.msg);
	if (a->status == 429 || a->rc == ML_ERATELIMIT) {
		wait = ml_ratelimit_reset_wait(a->reset, a->retry_after, now,
		    60000, 120000);
		ml_ratelimit_pause_until(a->rl, now + wait);
		rc = ml_store_outbox_retry(d->outbox, a->account_id,
		    b->first_seq, b->last_seq, now + wait, now, msg, &err);
		log_warn("msg=\"MoEngage rate limit: pausing\" account=%s "
		    "wait_ms=%ld", a->account_id, wait);
		goto out;
	}
	if (dl_retryable(a->rc, a->status)) {
		if (a->status == 401 || a->status == 403)
			a->have_acct = 0;	/* keys may have been fixed */
		if (b->first_failed_ms != 0 && now - b->first_failed_ms >
		    d->o.retry_window_s * 1000) {
			char reason[DL_MSG_MAX + 64];

			snprintf(reason, sizeof(reason), "gave up after %d "
			    "attempts over the retry window: %s",
			    b->attempts + 1, msg);
			detail = dl_detail(a);
			rc = ml_store_outbox_deadletter(d->outbox,
			    a->account_id, b->first_seq, b->last_seq, reason,
			    detail, now / 1000, &err);
			ml_free(detail);
			goto out;
		}
		wait = dl_backoff(&d->o, b->attempts + 1);
		rc = ml_store_outbox_retry(d->outbox, a->account_id,
		    b->first_seq, b->last_seq, now + wait, now, msg, &err);
		log_info("msg=\"delivery failed, will retry\" account=%s "
		    "status=%d wait_ms=%ld error=\"%s\"", a->account_id,
		    a->status, wait, a->err.msg);
		goto out;
	}
	/* A permanent refusal: isolate the element(s) MoEngage refuses. */
	if (b->nrows > 1) {
		a->probe_until = b->last_seq;
		a->probe_max = b->nrows / 2;
		rc = ml_store_outbox_note_error(d->outbox, a->account_id, msg,
		    now / 1000, &err);
		goto out;
	}
	detail = dl_detail(a);
	rc = ml_store_outbox_deadletter(d->outbox, a->account_id,
	    b->first_seq, b->last_seq, a->err.moe_message[0] ?
	    a->err.moe_message : msg, detail, now / 1000, &err);
	ml_free(detail);
	log_warn("msg=\"dead-lettered\" account=%s status=%d reason=\"%s\"",
	    a->account_id, a->status, msg);
out:
	if (rc)
		log_error("msg=\"outbox update failed\" account=%s error=\"%s\"",
		    a->account_id, err.msg);
	dl_batch_clear(a);
}

/*
 * One scheduling step for an idle account (worker thread, unlocked).
 * Returns the time to look again (0 = as soon as possible), or -1 when
 * the account has nothing queued.
 */
static int64_t
dl_step(struct ml_deliver *d, struct dl_account *a, int64_t now, int *sent)
{
	struct ml_err err;
	long wait = 0;
	int rc;

	*sent = 0;
	ml_err_clear(&err);
	/* Another node may have deactivated it or changed its keys. */
	if (a->have_acct && now - a->loaded_ms >= DL_RELOAD_MS)
		a->have_acct = 0;
	if (!a->have_acct && dl_load_account(d, a, &err) != ML_OK) {
		if (err.code == ML_ENOTFOUND) {
			/* The account is gone; its rows went with it. */
			dl_batch_clear(a);
			return -1;
		}
		if (err.code == ML_ECONFLICT)
			return DL_HELD;	/* inactive: its rows wait */
		ml_store_outbox_note_error(d->outbox, a->account_id, err.msg,
		    now / 1000, NULL);
		log_warn("msg=\"cannot open account credentials\" account=%s "
		    "error=\"%s\"", a->account_id, err.msg);
		return now + DL_CRED_RETRY_MS;
	}
	if (!a->has_batch) {
		rc = dl_build(d, a, now, &wait, &err);
		if (rc == ML_ENOTFOUND)
			return -1;
		if (rc) {
			log_error("msg=\"outbox read failed\" account=%s "
			    "error=\"%s\"", a->account_id, err.msg);
			return now + DL_IDLE_MS;
		}
		if (!a->has_batch)
			return now + (wait > 0 ? wait : 1);
	}
	if (!ml_ratelimit_take(a->rl, a->batch.need, now, &wait))
		return now + wait;
	rc = dl_submit(d, a, &err);
	if (rc) {
		/* Never sent: a local refusal of this batch or a client error. */
		a->rc = rc;
		a->status = 0;
		a->err = err;
		a->reset[0] = a->retry_after[0] = '\0';
		if (rc == ML_EINVAL || rc == ML_ETOOBIG)
			a->status = 400;
		dl_complete(d, a, now);
		return now + 1;
	}
	*sent = 1;
	return 0;
}

/*
 * Shared outbox (PostgreSQL, several nodes): every rescan_s, mark every
 * account with rows waiting, so the rows a dead node accepted (and no
 * node was told about) are delivered by the survivors; the leases keep
 * two nodes from sending the same rows. Called and returns with d->mu
 * held; the query runs unlocked.
 */
static void
dl_rescan(struct ml_deliver *d, int64_t now)
{
	struct ml_outbox_account *list = NULL;
	struct dl_account *a;
	struct ml_err err;
	size_t i, n = 0;
	int rc;

	if (d->rescan_ms == 0 || now < d->rescan_ms)
		return;
	d->rescan_ms = now + d->o.rescan_s * 1000;
	ml_err_clear(&err);
	pthread_mutex_unlock(&d->mu);
	rc = ml_store_outbox_accounts(d->outbox, &list, &n, &err);
	pthread_mutex_lock(&d->mu);
	if (rc)
		log_warn("msg=\"outbox rescan failed\" error=\"%s\"", err.msg);
	for (i = 0; i < n; i++) {
		a = dl_account(d, list[i].project_id, list[i].account_id);
		if (a != NULL)
			a->dirty = 1;
	}
	ml_free(list);
}

static void *
dl_main(void *arg)
{
	struct ml_deliver *d = arg;
	struct dl_account *a;
	struct timespec ts;
	int64_t now, wake, next;
	unsigned gen;
	size_t i;
	int sent;

	pthread_mutex_lock(&d->mu);
	while (!d->stop) {
		d->kick = 0;
		now = ml_deliver_now_ms();
		wake = now + DL_IDLE_MS;
		dl_rescan(d, now);
		for (i = 0; i < d->nacc && !d->stop; i++) {
			a = d->acc[i];
			if (a->done) {
				a->done = 0;
				a->busy = 1;
				pthread_mutex_unlock(&d->mu);
				dl_complete(d, a, ml_deliver_now_ms());
				pthread_mutex_lock(&d->mu);
				a->busy = 0;
				a->inflight = 0;
				a->dirty = 1;
				d->inflight--;
			}
		}
		for (i = 0; i < d->nacc && !d->stop; i++) {
			a = d->acc[i];
			if (a->inflight || a->busy || !a->dirty)
				continue;
			if (a->next_ms > now) {
				if (a->next_ms < wake)
					wake = a->next_ms;
				continue;
			}
			if (d->inflight >= d->o.max_inflight)
				break;
			a->busy = 1;
			gen = a->status_gen;
			if (a->reload) {
				a->reload = 0;
				a->have_acct = 0;
			}
			pthread_mutex_unlock(&d->mu);
			next = dl_step(d, a, ml_deliver_now_ms(), &sent);
			pthread_mutex_lock(&d->mu);
			a->busy = 0;
			if (next == DL_HELD) {
				/* Look again later, or now if it changed since. */
				a->next_ms = a->status_gen == gen ? now + DL_HELD_MS :
				    0;
				if (a->next_ms < wake)
					wake = a->next_ms > 0 ? a->next_ms : now;
				continue;
			}
			if (sent) {
				a->inflight = 1;
				d->inflight++;
			}
			if (next < 0) {
				a->next_ms = 0;
				/* A notify while we looked keeps it dirty. */
				if (!d->kick)
					a->dirty = 0;
			} else {
				a->next_ms = next;
				if (next > 0 && next < wake)
					wake = next;
				if (next == 0)
					wake = now;
			}
		}
		if (d->kick || d->stop)
			continue;
		now = ml_deliver_now_ms();
		if (wake <= now)
			continue;
		ts.tv_sec = (time_t)(wake / 1000);
		ts.tv_nsec = (long)(wake % 1000) * 1000000L;
		pthread_cond_timedwait(&d->cv, &d->mu, &ts);
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

/* ---- lifecycle ---------------------------------------------------------- */

struct ml_store_outbox *
ml_deliver_outbox(struct ml_deliver *d)
{
	return d->outbox;
}

const struct ml_deliver_opts *
ml_deliver_options(struct ml_deliver *d)
{
	return &d->o;
}

void
ml_deliver_free(struct ml_deliver *d)
{
	size_t i;

	if (d == NULL)
		return;
	if (d->started) {
		pthread_mutex_lock(&d->mu);
		d->stop = 1;
		pthread_cond_signal(&d->cv);
		pthread_mutex_unlock(&d->mu);
		pthread_join(d->thread, NULL);
	}
	/* Completions of abandoned requests land on accounts still alive. */
	ml_client_free(d->client);
	for (i = 0; i < d->nacc; i++)
		dl_account_free(d->acc[i]);
	ml_free(d->acc);
	for (i = 0; i < d->nbuckets; i++)
		ml_free(d->buckets[i]);
	ml_free(d->buckets);
	json_object_put(d->placeholder);
	ml_store_outbox_close(d->outbox);
	pthread_mutex_destroy(&d->mu);
	pthread_cond_destroy(&d->cv);
	ml_free(d);
}

int
ml_deliver_new(const struct ml_deliver_opts *o, const char *db_url,
    struct ml_store *store, struct ml_vault *vault, struct ml_deliver **out,
    struct ml_err *err)
{
	static const char placeholder[] = "{\"type\":\"transition\","
	    "\"elements\":[{\"type\":\"customer\",\"customer_id\":\"moelink\"}]}";
	struct ml_client_opts copts;
	struct ml_outbox_account *list = NULL;
	struct ml_batch_limits lim;
	struct ml_deliver *d;
	size_t n = 0, i;
	int rc;

	*out = NULL;
	memset(&lim, 0, sizeof(lim));
	lim.max_bytes = o->batch_bytes;
	rc = ml_batch_limits_check(&lim, err);
	if (rc == ML_OK)
		rc = ml_ratelimit_opts_check(&o->rate, err);
	if (rc)
		return rc;
	d = ml_calloc(1, sizeof(*d));
	if (d == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	d->o = *o;
	if (d->o.batch_bytes == 0)
		d->o.batch_bytes = ML_BATCH_DEFAULT_MAX;
	d->store = store;
	d->vault = vault;
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	d->bulk = ml_catalog_find("moengage_bulk_import");
	d->merge = ml_catalog_find("moengage_merge_users");
	d->del = ml_catalog_find("moengage_delete_user");
	if (d->bulk == NULL || d->merge == NULL || d->del == NULL) {
		rc = ml_err_set(err, ML_EINTERNAL, "internal",
		    "the action catalog lacks the Data API delivery rows");
		goto out;
	}
	rc = ml_json_parse(placeholder, sizeof(placeholder) - 1, 0, 0,
	    &d->placeholder, err);
	if (rc)
		goto out;
	rc = ml_store_outbox_open(db_url, 0, &d->outbox, err);
	if (rc)
		goto out;
	ml_client_opts_init(&copts);
	copts.connect_to = d->o.connect_to[0] ? d->o.connect_to : NULL;
	copts.ca_file = d->o.ca_file[0] ? d->o.ca_file : NULL;
	copts.proxy = d->o.proxy[0] ? d->o.proxy : NULL;
	copts.timeout_ms = d->o.timeout_ms;
	/* One try per request: the worker retries, with the outbox as memory. */
	copts.retry.max_attempts = 1;
	copts.max_host_connections = 32;
	rc = ml_client_new(&copts, &d->client, err);
	if (rc)
		goto out;
	rc = ml_store_outbox_accounts(d->outbox, &list, &n, err);
	if (rc)
		goto out;
	for (i = 0; i < n; i++) {
		struct dl_account *a = dl_account(d, list[i].project_id,
		    list[i].account_id);

		if (a == NULL) {
			rc = ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
			goto out;
		}
		a->dirty = 1;
	}
	if (ml_store_outbox_shared(d->outbox) && d->o.rescan_s > 0)
		d->rescan_ms = ml_deliver_now_ms() + d->o.rescan_s * 1000;
	if (pthread_create(&d->thread, NULL, dl_main, d) != 0) {
		rc = ml_err_set(err, ML_EINTERNAL, "internal",
		    "cannot start the delivery thread");
		goto out;
	}
	d->started = 1;
	if (n > 0)
		log_info("msg=\"delivery worker started\" accounts_waiting=%zu",
		    n);
	*out = d;
	d = NULL;
out:
	ml_free(list);
	ml_deliver_free(d);
	return rc;
}
