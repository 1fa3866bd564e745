/* SPDX-License-Identifier: MIT */
/*
 * deliver.h: the outbox worker of `moelink serve`, and the HTTP handlers of
 * the delivery pipeline (api_events.c, api_segment.c).
 *
 * The worker runs in its own thread with its own MoEngage client (retries
 * off: the worker decides, with the outbox as memory). Per account it takes
 * the oldest rows, packs customers, events and devices into Bulk Import
 * bodies (batch.h), sends merges through Merge Users (<= 50 pairs) and
 * deletes through Delete User, spends the workspace's token buckets
 * (ratelimit.h) before each request and keeps one request in flight per
 * account, so per-user order holds. Outcomes:
 *   2xx                 rows deleted, counters bumped
 *   429                 workspace paused until the reset the answer gives
 *   5xx, 401/403, 408,  rows kept, retried with jittered exponential backoff
 *   timeout, drop       until the retry window (default 3 h) runs out
 *   other 4xx           a batch is split in halves until the bad element is
 *                       alone; that one goes to dead letters with
 *                       MoEngage's message
 * A row leaves the outbox only after a 2xx (or into dead letters).
 *
 * Server integration (server.c / server.h):
 *   struct ml_server gets a member `struct ml_deliver *deliver;`
 *   after the store and vault are open:
 *       ml_deliver_opts_init(&dopts);
 *       ml_deliver_opts_from_env(&dopts, &err);     (front end: env allowed)
 *       dopts.connect_to / ca_file = the server's MOELINK_* settings
 *       ml_deliver_new(&dopts, opts->db, store, vault, &srv->deliver, &err);
 *   at shutdown, after MHD stopped and before the store closes:
 *       ml_deliver_free(srv->deliver);
 *   route rows: ML_DELIVER_ROUTES (below) in the route table.
 */
#ifndef ML_SERVER_DELIVER_H
#define ML_SERVER_DELIVER_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include <moelink/batch.h>
#include <moelink/err.h>
#include <moelink/ratelimit.h>

#include "store/store.h"
#include "store/store_outbox.h"
#include "vault/vault.h"

struct ml_deliver;
struct ml_http_req;

struct ml_deliver_opts {
	size_t batch_bytes;		/* Bulk Import body cap; 0 = 100 KB */
	struct ml_ratelimit_opts rate;	/* per-workspace limits */
	long linger_ms;			/* wait for a fuller batch; 100 */
	long retry_window_s;		/* give up (dead letter) after; 10800 */
	long backoff_base_ms;		/* first retry delay; 1000 */
	long backoff_max_ms;		/* cap of one delay; 300000 */
	long max_inflight;		/* requests in flight in all; 64 */
	long timeout_ms;		/* per MoEngage request; 30000 */
	long accept_max;		/* elements per POST /events; 10000 */
	long rescan_s;			/* shared outbox: look for rows no node
					 * was told about this often; 30,
					 * 0 = only at start-up */
	char connect_to[128];		/* MOELINK_MOENGAGE_CONNECT_TO */
	char ca_file[512];		/* MOELINK_CA_FILE */
	char proxy[512];		/* MOELINK_MOENGAGE_PROXY */
};

void ml_deliver_opts_init(struct ml_deliver_opts *o);
/*
 * Override from MOELINK_DELIVER_* variables: BATCH_BYTES, USERS_PER_MIN,
 * EVENTS_PER_MIN, MERGES_PER_MIN, DELETES_PER_MIN, LINGER_MS,
 * RETRY_WINDOW_S, BACKOFF_BASE_MS, BACKOFF_MAX_MS, MAX_INFLIGHT,
 * TIMEOUT_MS, ACCEPT_MAX, RESCAN_S; plus MOELINK_MOENGAGE_CONNECT_TO and
 * MOELINK_CA_FILE. ML_EINVAL names the bad variable.
 */
int ml_deliver_opts_from_env(struct ml_deliver_opts *o, struct ml_err *err);

/*
 * Open the outbox on the store's database (db_url, already migrated by
 * ml_store_open), start the MoEngage client and the worker thread, and
 * schedule every account that has rows waiting. store and vault are
 * borrowed and must outlive the worker.
 */
int ml_deliver_new(const struct ml_deliver_opts *o, const char *db_url,
    struct ml_store *store, struct ml_vault *vault, struct ml_deliver **out,
    struct ml_err *err);
/*
 * Stop the worker and its client. Requests in flight are abandoned: their
 * rows stay in the outbox and are sent again by the next start. NULL is a
 * no-op.
 */
void ml_deliver_free(struct ml_deliver *d);

/* The outbox the handlers enqueue into (owned by d). */
struct ml_store_outbox *ml_deliver_outbox(struct ml_deliver *d);
const struct ml_deliver_opts *ml_deliver_options(struct ml_deliver *d);
/* Wall-clock epoch milliseconds (the outbox's clock). */
int64_t ml_deliver_now_ms(void);
/* Rows were committed for this account: schedule it now. */
void ml_deliver_notify(struct ml_deliver *d, const char *project_id,
    const char *account_id);
/*
 * The account's status was just written (deactivated or activated): the
 * worker re-reads the account before it sends anything more for it. An
 * inactive account's rows stay in the outbox, neither sent, retried nor
 * dead-lettered (a request already out completes); its status is read
 * again every 5 s, and an active account's every second while it has rows,
 * so a change made by another node sharing the database takes effect here
 * too. NULL d is a no-op.
 */
void ml_deliver_recheck(struct ml_deliver *d, const char *project_id,
    const char *account_id);

/* ---- handlers (api_events.c, api_segment.c) ----------------------------- */

/*
 * Shared by the handlers: the server's worker, or NULL after answering 503
 * when the pipeline is not running; and one {"index","code","field",
 * "message"} entry appended to a "rejected" list (code: err->kind, else
 * dflt_code). Returns ML_OK or ML_ENOMEM.
 */
struct ml_deliver *ml_api_events_deliver(struct ml_http_req *r);
int ml_api_events_reject(json_object *list, size_t index,
    const struct ml_err *e, const char *dflt_code);

/* POST /events, GET /events/stats, GET /deadletters, POST /deadletters/replay */
int ml_api_events_post(struct ml_http_req *r);
int ml_api_events_stats(struct ml_http_req *r);
int ml_api_events_deadletters(struct ml_http_req *r);
int ml_api_events_replay(struct ml_http_req *r);
/* POST /v1/{batch,track,identify,alias,page,screen,group} (write-key auth) */
int ml_api_segment_post(struct ml_http_req *r);
/* POST|GET /accounts/{id}/write_keys, DELETE .../write_keys/{key_id} */
int ml_api_segment_key_create(struct ml_http_req *r);
int ml_api_segment_key_list(struct ml_http_req *r);
int ml_api_segment_key_revoke(struct ml_http_req *r);

#define ML_DELIVER_EVENTS_BODY_MAX (16u * 1024u * 1024u)
#define ML_DELIVER_SEGMENT_BODY_MAX (4u * 1024u * 1024u)

/* Rows for the server's route table (struct ml_route, http.h). */
#define ML_DELIVER_ROUTES \
	{ "POST", "/events", ml_api_events_post, ML_ROUTE_PROJECT, \
	    ML_DELIVER_EVENTS_BODY_MAX }, \
	{ "GET", "/events/stats", ml_api_events_stats, ML_ROUTE_PROJECT, 0 }, \
	{ "GET", "/deadletters", ml_api_events_deadletters, \
	    ML_ROUTE_PROJECT, 0 }, \
	{ "POST", "/deadletters/replay", ml_api_events_replay, \
	    ML_ROUTE_PROJECT, 0 }, \
	{ "POST", "/v1/batch", ml_api_segment_post, ML_ROUTE_PUBLIC, \
	    ML_DELIVER_SEGMENT_BODY_MAX }, \
	{ "POST", "/v1/track", ml_api_segment_post, ML_ROUTE_PUBLIC, 0 }, \
	{ "POST", "/v1/identify", ml_api_segment_post, ML_ROUTE_PUBLIC, 0 }, \
	{ "POST", "/v1/alias", ml_api_segment_post, ML_ROUTE_PUBLIC, 0 }, \
	{ "POST", "/v1/page", ml_api_segment_post, ML_ROUTE_PUBLIC, 0 }, \
	{ "POST", "/v1/screen", ml_api_segment_post, ML_ROUTE_PUBLIC, 0 }, \
	{ "POST", "/v1/group", ml_api_segment_post, ML_ROUTE_PUBLIC, 0 }, \
	{ "POST", "/accounts/{id}/write_keys", ml_api_segment_key_create, \
	    ML_ROUTE_PROJECT, 0 }, \
	{ "GET", "/accounts/{id}/write_keys", ml_api_segment_key_list, \
	    ML_ROUTE_PROJECT, 0 }, \
	{ "DELETE", "/accounts/{id}/write_keys/{key_id}", \
	    ml_api_segment_key_revoke, ML_ROUTE_PROJECT, 0 }

#endif
