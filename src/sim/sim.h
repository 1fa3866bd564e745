/* SPDX-License-Identifier: MIT */
/*
 * sim.h: moelink sim, a local MoEngage. Internal interface between the sim's
 * files; nothing outside src/sim and src/cli/cmd_sim.c includes it.
 *
 * Shape: one libmicrohttpd listener (sim.c) routes every request by its Host
 * header and path. Paths under /_sim/ go to the admin API (sim_admin.c);
 * anything else is matched against the route tables of the API families
 * (sim_route.c holds the registry, one sim_<family>.c per family, each written
 * from MoEngage's OpenAPI file and deliberately independent of the client's
 * catalog). A family handler reads a struct ml_sim_ctx and fills ctx->resp.
 *
 * Shared state lives in heap objects owned by struct ml_sim, each with its own
 * mutex: workspaces (read-only after start), the user/event/device store
 * (sim_state.c), rate windows (sim_rate.c), the request journal and counters
 * (sim_reqlog.c), injected faults (sim_fault.c) and the latency timer
 * (sim_timer.c). Handlers run on MHD's pool threads, so every module is
 * thread-safe; no module calls another while holding its own lock.
 */
#ifndef ML_SIM_H
#define ML_SIM_H

#include <json-c/json.h>
#include <microhttpd.h>
#include <stddef.h>
#include <stdint.h>

#include <moelink/buf.h>
#include <moelink/dc.h>
#include <moelink/err.h>
#include <moelink/keys.h>

#define ML_SIM_BODY_MAX (128 * 1024)	/* documented Data API cap: 128 KB */
#define ML_SIM_RESP_MAX (4 * 1024 * 1024)	/* cap on any answer we build */
#define ML_SIM_REQID_LEN 8
#define ML_SIM_MAX_PARAMS 4
#define ML_SIM_PARAM_MAX 256
#define ML_SIM_MAX_HDRS 8
#define ML_SIM_WS_MAX 1024
#define ML_SIM_FILE_IMPORTS_MAX 1000	/* "file_imports" of a workspace */
#define ML_SIM_FILE_IMPORT_FILES_MAX 200 /* "file_import_files" */

struct ml_sim;
struct ml_sim_ctx;
struct ml_sim_store;

/* ---- configuration (sim.c) ---------------------------------------- */

/* What cmd_sim.c hands to ml_sim_new. Strings are borrowed for the call. */
struct ml_sim_config {
	const char *listen;	/* "HOST:PORT"; port 0 = pick a free one */
	const char *tls_cert;	/* PEM file path, or NULL for plain HTTP */
	const char *tls_key;	/* PEM file path (with tls_cert) */
	const char *workspaces;	/* JSON file path, or NULL for the demo */
};

/*
 * Load workspaces and TLS files, start the listener. On success *out owns a
 * running simulator; stop and release it with ml_sim_free. On failure nothing
 * is left running and err says why (file, JSON, bind).
 */
int ml_sim_new(const struct ml_sim_config *cfg, struct ml_sim **out,
    struct ml_err *err);
/* Resume delayed connections, stop the listener, free everything. NULL ok. */
void ml_sim_free(struct ml_sim *sim);

/* ---- workspaces (sim_ws.c) ----------------------------------------- */

enum ml_sim_ws_state {
	ML_SIM_WS_ACTIVE = 0,
	ML_SIM_WS_BLOCKED,
	ML_SIM_WS_SUSPENDED,
	ML_SIM_WS_TEMP_SUSPENDED
};

struct ml_sim_ws {
	char id[128];
	char dc[4];
	char name[128];
	char db_name[128];	/* MOE-DBNAME; the workspace id if not set */
	enum ml_sim_ws_state state;
	struct ml_keyset keys;
	json_object *limits;	/* validated overrides {"name": n}, or NULL */
	int file_imports;	/* seeded File Imports; -1: the default */
	int file_import_files;	/* files of each; -1: the default */
};

/* The loaded workspaces; read-only once the listener runs. */
struct ml_sim_wsset {
	struct ml_sim_ws *ws;
	size_t n;
	int demo;
};

void ml_sim_wsset_init(struct ml_sim_wsset *set);
/* Wipes keys and frees the array. */
void ml_sim_wsset_cleanup(struct ml_sim_wsset *set);
/*
 * Parse a workspaces file: a JSON array of {workspace_id, data_center, name,
 * keys:{data,general,push,inform,personalize,multi}, limits:{...}, state,
 * file_imports, file_import_files}.
 * Unknown members, bad data centers, duplicate ids and unknown limit names
 * are errors naming the entry. set must be freshly initialised.
 */
int ml_sim_wsset_load(struct ml_sim_wsset *set, const char *path,
    struct ml_err *err);
/* Same, from text already in memory (used by load and by tests). */
int ml_sim_wsset_parse(struct ml_sim_wsset *set, const char *text,
    size_t len, const char *origin, struct ml_err *err);
/* The one documented demo workspace (docs/sim.md). */
int ml_sim_wsset_demo(struct ml_sim_wsset *set, struct ml_err *err);
/* Find by id; returns the index or -1. */
long ml_sim_wsset_find(const struct ml_sim_wsset *set, const char *id);
/* JSON array describing the workspaces, keys included (demo banner). */
int ml_sim_wsset_describe(const struct ml_sim_wsset *set, struct ml_buf *b);
/* "blocked", ...; and the reverse. */
const char *ml_sim_ws_state_name(enum ml_sim_ws_state st);

/* ---- rate limits (sim_rate.c) -------------------------------------- */

/* One documented per-minute limit; families declare theirs. */
struct ml_sim_limit {
	const char *name;	/* workspaces-file key: "bulk_users_per_min" */
	long per_min;		/* the documented default */
};

/* What a rate check tells the caller, for the x-ratelimit-* headers. */
struct ml_sim_rate_info {
	long limit;
	long remaining;
	long reset;		/* whole seconds until the window ends, 0..59 */
};

struct ml_sim_rate;

int ml_sim_rate_new(size_t nws, struct ml_sim_rate **out);
void ml_sim_rate_free(struct ml_sim_rate *r);
/*
 * Spend `units` from workspace ws_idx's window for `lim` (fixed 60 s windows
 * starting at the first use after the previous one ended). If the window
 * cannot hold them nothing is spent and ML_ERATELIMIT is returned. units 0
 * only reads the window. info is filled either way.
 */
int ml_sim_rate_take(struct ml_sim_rate *r, size_t ws_idx,
    const struct ml_sim_limit *lim, long limit, long units,
    struct ml_sim_rate_info *info);
/* The same at a given CLOCK_MONOTONIC time in ms (tests drive the clock). */
int ml_sim_rate_take_at(struct ml_sim_rate *r, size_t ws_idx,
    const struct ml_sim_limit *lim, long limit, long units, int64_t now_ms,
    struct ml_sim_rate_info *info);
/* Same, with a window of window_ms (hourly and daily limits). */
int ml_sim_rate_take_window(struct ml_sim_rate *r, size_t ws_idx,
    const struct ml_sim_limit *lim, long limit, int64_t window_ms,
    long units, struct ml_sim_rate_info *info);
void ml_sim_rate_reset(struct ml_sim_rate *r);

/* The effective limit of a workspace: its override, else the default. */
long ml_sim_ws_limit(const struct ml_sim_ws *ws, const struct ml_sim_limit *lim);

/* ---- API families and routes (sim_route.c) ------------------------- */

struct ml_sim_route {
	const char *method;	/* "POST" */
	const char *pattern;	/* "/v1/customer/{app_id}" */
	const char *name;	/* "track_user" (journal, docs) */
	int (*handle)(struct ml_sim_ctx *ctx);
	const void *info;	/* family-private per-route data */
};

struct ml_sim_family {
	const char *name;	/* "data": the fault and journal name */
	enum ml_host_kind host;	/* the host kind it is served on */
	const struct ml_sim_route *routes;
	size_t nroutes;
	const struct ml_sim_limit *limits;	/* its documented rate limits */
	size_t nlimits;
	/*
	 * Fill ctx->resp with this family's documented error for `status` on
	 * ctx->route (used by fault injection). Returns ML_OK or ML_ENOMEM.
	 */
	int (*fault_body)(struct ml_sim_ctx *ctx, int status);
};

/* The registry, NULL-terminated. Adding a family = a row here + its file. */
extern const struct ml_sim_family *const ml_sim_families[];
extern const struct ml_sim_family ml_sim_family_data;
/* Data-key operations with bodies of their own (fault family "data"). */
extern const struct ml_sim_family ml_sim_family_archival;
extern const struct ml_sim_family ml_sim_family_live_activities;
extern const struct ml_sim_family ml_sim_family_cards;
extern const struct ml_sim_family ml_sim_family_fileimports;
/* The families beyond Data (sim_<family>.c, helpers in sim_fam.h). */
extern const struct ml_sim_family ml_sim_family_push;
extern const struct ml_sim_family ml_sim_family_campaign_report;
extern const struct ml_sim_family ml_sim_family_business_events;
extern const struct ml_sim_family ml_sim_family_templates;
extern const struct ml_sim_family ml_sim_family_content_blocks;
extern const struct ml_sim_family ml_sim_family_catalog;
extern const struct ml_sim_family ml_sim_family_segmentation;
extern const struct ml_sim_family ml_sim_family_subscription;
extern const struct ml_sim_family ml_sim_family_personalize;
extern const struct ml_sim_family ml_sim_family_recommendations;
extern const struct ml_sim_family ml_sim_family_inform;
extern const struct ml_sim_family ml_sim_family_inform_sandbox;

/* Outcome of matching a (host kind, method, path). */
enum ml_sim_match {
	ML_SIM_MATCH_OK = 0,
	ML_SIM_MATCH_NONE,		/* no route: 404 */
	ML_SIM_MATCH_METHOD		/* path known, method not: 405 */
};

/*
 * Find the route for a request. On ML_SIM_MATCH_OK sets ctx->fam,
 * ctx->route and ctx->param[]. Literal segments beat {params}.
 */
enum ml_sim_match ml_sim_route_match(struct ml_sim_ctx *ctx);
/* Find a limit declared by any family by its name, or NULL. */
const struct ml_sim_limit *ml_sim_limit_find(const char *name);
/* Find a family by name, or NULL. */
const struct ml_sim_family *ml_sim_family_find(const char *name);

/* ---- one request (sim.c) ------------------------------------------- */

struct ml_sim_hdr {
	char name[40];
	char value[200];
};

/* The answer being built. drop = close without answering. */
struct ml_sim_resp {
	int status;
	struct ml_buf body;
	struct ml_sim_hdr hdr[ML_SIM_MAX_HDRS];
	int nhdr;
	int drop;
	long latency_ms;
};

struct ml_sim_ctx {
	struct ml_sim *sim;
	struct MHD_Connection *conn;
	const char *method;
	const char *path;		/* without the query string */
	const char *host;		/* Host header, "" if none */
	enum ml_host_kind kind;
	char dc[4];			/* from the host */
	const struct ml_sim_family *fam;
	const struct ml_sim_route *route;
	char param[ML_SIM_MAX_PARAMS][ML_SIM_PARAM_MAX];
	int nparam;
	const char *body;		/* NUL-terminated; "" if none */
	size_t body_len;
	size_t body_total;		/* bytes received, even past the cap */
	int body_too_big;
	long ws_idx;			/* authenticated workspace, -1 if none */
	const struct ml_sim_ws *ws;
	long claimed_idx;		/* workspace named by the caller, -1 */
	char request_id[ML_SIM_REQID_LEN + 1];
	struct ml_sim_resp resp;
};

/* Header or query value, NULL if absent. */
const char *ml_sim_header(struct ml_sim_ctx *ctx, const char *name);
const char *ml_sim_query(struct ml_sim_ctx *ctx, const char *name);
/* Serialise obj (not consumed) as the JSON answer with that status. */
int ml_sim_reply_json(struct ml_sim_ctx *ctx, int status, json_object *obj);
/* Answer with raw bytes and a content type. */
int ml_sim_reply_raw(struct ml_sim_ctx *ctx, int status, const char *ctype,
    const char *data, size_t len);
/* Add an answer header (value printf-formatted, truncated to fit). */
int ml_sim_reply_header(struct ml_sim_ctx *ctx, const char *name,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Add x-ratelimit-limit / -remaining / -reset. */
int ml_sim_reply_rate_headers(struct ml_sim_ctx *ctx,
    const struct ml_sim_rate_info *info);
/* The documented 404 {"code":404,"status":"error","reason":...}. */
int ml_sim_reply_not_found(struct ml_sim_ctx *ctx);
/* 405 {"status":"fail","message":"Method not allowed"}. */
int ml_sim_reply_bad_method(struct ml_sim_ctx *ctx);
/* 8 random letters + NUL into out (cap >= ML_SIM_REQID_LEN + 1). */
void ml_sim_request_id(char *out);

/* Add v under key; consumes v even on failure. ML_ENOMEM if v is NULL. */
int ml_sim_json_add(json_object *obj, const char *key, json_object *v);
/*
 * Read a whole file into b (initialised by the caller; its max is the cap).
 * Errors name the path and use `kind`; an empty file is an error.
 */
int ml_sim_read_file(const char *path, struct ml_buf *b, const char *kind,
    struct ml_err *err);
/* Add key: v, or key: null when v is NULL (consumes v). */
int ml_sim_json_add_opt(json_object *obj, const char *key, json_object *v);
/* Append v to an array; consumes v. */
int ml_sim_json_push(json_object *arr, json_object *v);

/* ---- credentials (sim_auth.c) -------------------------------------- */

enum ml_sim_basic {
	ML_SIM_BASIC_OK = 0,
	ML_SIM_BASIC_NO_HEADER,		/* no Authorization header */
	ML_SIM_BASIC_EMPTY,		/* header or credentials empty */
	ML_SIM_BASIC_NOT_BASIC,		/* another scheme */
	ML_SIM_BASIC_UNDECODABLE,	/* bad base64 or no ':' */
	ML_SIM_BASIC_NO_USER,		/* ":key" */
	ML_SIM_BASIC_NO_PASS		/* "ws:" */
};

enum ml_sim_keycheck {
	ML_SIM_KEY_OK = 0,
	ML_SIM_KEY_UNKNOWN_WS,		/* no such workspace */
	ML_SIM_KEY_WRONG_DC,		/* workspace lives in another DC */
	ML_SIM_KEY_NOT_SET,		/* workspace has no key for the family */
	ML_SIM_KEY_MISMATCH		/* wrong key */
};

/* Parsed Basic credentials; the password is wiped by cleanup. */
struct ml_sim_creds {
	char user[256];
	char pass[512];
};

void ml_sim_creds_cleanup(struct ml_sim_creds *c);
/* Parse the Authorization header of ctx into c. */
enum ml_sim_basic ml_sim_auth_basic(struct ml_sim_ctx *ctx,
    struct ml_sim_creds *c);
/*
 * Check c against the workspaces for a family (its key slot or the multi
 * key, compared in constant time) and the data center of the host. Sets
 * ctx->claimed_idx when the user names a workspace, and ctx->ws/ws_idx on
 * ML_SIM_KEY_OK.
 */
enum ml_sim_keycheck ml_sim_auth_key(struct ml_sim_ctx *ctx,
    enum ml_family fam, const struct ml_sim_creds *c);

/* ---- user/event/device store (sim_state.c) ------------------------- */

struct ml_sim_state;

int ml_sim_state_new(size_t nws, struct ml_sim_state **out);
void ml_sim_state_free(struct ml_sim_state *st);
void ml_sim_state_reset(struct ml_sim_state *st);

/*
 * Create or update a user from a validated Track User object (attributes,
 * array add/remove, unset_attributes, platforms, update_existing_only).
 * Returns ML_OK (also when update_existing_only skipped an unknown user).
 */
int ml_sim_state_track_user(struct ml_sim_state *st, size_t ws,
    json_object *user);
/* Record a validated event object (customer_id + actions[]). */
int ml_sim_state_track_event(struct ml_sim_state *st, size_t ws,
    json_object *event);
/* Record a device; ML_ENOTFOUND (nothing stored) if its user is unknown. */
int ml_sim_state_track_device(struct ml_sim_state *st, size_t ws,
    json_object *device);
/* Block/unblock devices of a user; ML_ENOTFOUND if the user is unknown. */
int ml_sim_state_opt_out(struct ml_sim_state *st, size_t ws,
    const char *id_type, const char *id_value, int block,
    json_object *device_identifiers);
/* Move merged into retained; ML_ENOTFOUND if either is unknown. */
int ml_sim_state_merge(struct ml_sim_state *st, size_t ws,
    const char *merged, const char *retained);
/* Delete by customer_id or moengage_id; ML_ENOTFOUND if unknown. */
int ml_sim_state_delete(struct ml_sim_state *st, size_t ws,
    const char *id_type, const char *id_value);
/*
 * Look up one identifier for Get User. On ML_OK *out is a new object
 * {"user_attributes":{...}} limited to fields (array of names, may be NULL).
 * ML_ENOTFOUND if unknown.
 */
int ml_sim_state_export(struct ml_sim_state *st, size_t ws,
    const char *id_type, const char *id_value, json_object *fields,
    json_object **out);
/* Admin: the whole stored user (new reference) or ML_ENOTFOUND. */
int ml_sim_state_user(struct ml_sim_state *st, size_t ws,
    const char *customer_id, json_object **out);
/* Admin: the last `limit` events, oldest first (new reference). */
int ml_sim_state_events(struct ml_sim_state *st, size_t ws, long limit,
    json_object **out);
void ml_sim_state_counts(struct ml_sim_state *st, size_t ws, long *users,
    long *events, long *devices);

/* ---- request journal and counters (sim_reqlog.c) ------------------- */

struct ml_sim_reqlog;

int ml_sim_reqlog_new(size_t nws, size_t keep, struct ml_sim_reqlog **out);
void ml_sim_reqlog_free(struct ml_sim_reqlog *l);
void ml_sim_reqlog_reset(struct ml_sim_reqlog *l);
/*
 * Record a finished request: headers redacted (Authorization, anything that
 * looks like a secret, and every workspace key wherever it appears), body
 * truncated to 4 KB. Counts it for ctx->claimed_idx's workspace.
 */
int ml_sim_reqlog_add(struct ml_sim_reqlog *l, struct ml_sim_ctx *ctx);
/* {"requests":[...]} of the last `limit` entries, oldest first. */
int ml_sim_reqlog_list(struct ml_sim_reqlog *l, long limit,
    json_object **out);
/* Per-workspace counters: requests, 2xx, 4xx (includes 429), 429, 5xx. */
struct ml_sim_counts {
	long requests, s2xx, s4xx, s429, s5xx;
};
void ml_sim_reqlog_counts(struct ml_sim_reqlog *l, long ws_idx,
    struct ml_sim_counts *out);

/* ---- fault injection (sim_fault.c) --------------------------------- */

struct ml_sim_faults;

/* What a matching fault asks for. body may be NULL (family's default). */
struct ml_sim_fault_hit {
	int status;		/* 0 = do not fail */
	long latency_ms;
	int drop;
	char *body;		/* owned by the caller after a hit */
};

int ml_sim_faults_new(struct ml_sim_faults **out);
void ml_sim_faults_free(struct ml_sim_faults *f);
void ml_sim_faults_reset(struct ml_sim_faults *f);
/* Parse and add one fault from the admin JSON; err says what is wrong. */
int ml_sim_faults_add(struct ml_sim_faults *f, json_object *spec,
    json_object **added, struct ml_err *err);
/* {"faults":[...]} with the remaining counts. */
int ml_sim_faults_list(struct ml_sim_faults *f, json_object **out);
/*
 * Consume one use of the first fault matching family and path. Returns 1 and
 * fills hit on a match, 0 otherwise, negative on ML_ENOMEM.
 */
int ml_sim_faults_take(struct ml_sim_faults *f, const char *family,
    const char *path, struct ml_sim_fault_hit *hit);

/* ---- delayed answers (sim_timer.c) --------------------------------- */

struct ml_sim_timer;

int ml_sim_timer_new(struct ml_sim_timer **out);
/* Resume every waiting connection now and stop the thread; later adds fail. */
void ml_sim_timer_stop(struct ml_sim_timer *t);
/* Stop (if not yet) and free. Call after the listener stopped. NULL ok. */
void ml_sim_timer_free(struct ml_sim_timer *t);
/*
 * Resume conn (already suspended by the caller) after delay_ms. Returns
 * ML_ETOOBIG when too many answers are waiting; the caller then resumes it
 * itself.
 */
int ml_sim_timer_add(struct ml_sim_timer *t, struct MHD_Connection *conn,
    long delay_ms);

/* ---- admin API (sim_admin.c) --------------------------------------- */

/* Serve a /_sim/ request into ctx->resp. */
int ml_sim_admin_handle(struct ml_sim_ctx *ctx);

/* ---- objects of the other families (sim_store.c, sim_fam.h) ------- */

/* Created with the simulator; reset empties it (seeded data comes back). */
int ml_sim_store_new(size_t nws, struct ml_sim_store **out);
void ml_sim_store_free(struct ml_sim_store *s);
void ml_sim_store_reset(struct ml_sim_store *s);

/* ---- the simulator (sim.c) ----------------------------------------- */

/* Owns every part; handlers reach them through ctx->sim. */
struct ml_sim {
	struct MHD_Daemon *mhd;
	struct ml_sim_wsset ws;
	struct ml_sim_state *state;
	struct ml_sim_rate *rate;
	struct ml_sim_reqlog *reqlog;
	struct ml_sim_faults *faults;
	struct ml_sim_timer *timer;
	struct ml_sim_store *store;	/* objects of the other families */
	unsigned port;
	int tls;
	char *cert_pem;
	char *key_pem;		/* secret: wiped on free */
};

#endif
