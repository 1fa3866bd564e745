/* SPDX-License-Identifier: MIT */
/*
 * sim_fam.h: what the simulated API families beyond Data share: one request
 * prelude (body cap, Basic auth against the family's key slot, MOE-APPKEY or
 * MOE-DBNAME, account state, Content-Type, JSON body) whose refusals each
 * family words in its own documented body, rate windows named by their
 * documented period, small JSON builders, ids and timestamps in MoEngage's
 * formats, and the per-workspace object store (sim_store.c) that keeps what
 * callers create (templates, segments, catalogs, business events, ...).
 *
 * Contract of every helper that may answer: it returns ML_SIM_DONE once it
 * has written ctx->resp, ML_OK to let the handler go on, or a negative ML_E*
 * (only ML_ENOMEM / ML_EINTERNAL), which the front turns into a 500.
 */
#ifndef ML_SIM_FAM_H
#define ML_SIM_FAM_H

#include "sim/sim.h"

#define ML_SIM_DONE 1

#define ML_SIM_HEXID_LEN 24	/* MongoDB-style ids: 24 hex digits */
#define ML_SIM_UUID_LEN 36
#define ML_SIM_TIME_MAX 40

/* Why the prelude (or a rate window) refused a request. */
enum ml_sim_refusal {
	ML_SIM_REF_TOO_BIG = 0,	/* body over the simulator's cap: 413 */
	ML_SIM_REF_NO_AUTH,	/* Authorization missing or unusable */
	ML_SIM_REF_UNKNOWN_WS,	/* no such workspace in this data center */
	ML_SIM_REF_BAD_KEY,	/* wrong key, or none in the family's slot */
	ML_SIM_REF_NO_APPKEY,	/* MOE-APPKEY (or MOE-DBNAME) missing */
	ML_SIM_REF_APPKEY,	/* MOE-APPKEY / MOE-DBNAME names another */
	ML_SIM_REF_STATE,	/* workspace blocked or suspended */
	ML_SIM_REF_MEDIA,	/* Content-Type missing or not JSON */
	ML_SIM_REF_NO_BODY,	/* a JSON body is required and none came */
	ML_SIM_REF_MALFORMED,	/* body is not a JSON object */
	ML_SIM_REF_RATE		/* a rate window is full: 429 */
};

/* The refusal with its detail, handed to the family's refuse(). */
struct ml_sim_why {
	enum ml_sim_refusal ref;
	enum ml_sim_basic basic;	/* for ML_SIM_REF_NO_AUTH */
	enum ml_sim_keycheck key;	/* for UNKNOWN_WS / BAD_KEY */
	const char *header;		/* for NO_APPKEY / APPKEY */
	const struct ml_sim_limit *lim;	/* for RATE */
	struct ml_sim_rate_info rate;	/* for RATE */
};

struct ml_sim_coll;

/* A family: its key slot and how it words refusals. */
struct ml_sim_fam_spec {
	enum ml_family fam;
	/* Write the documented answer; return ML_SIM_DONE or ML_ENOMEM. */
	int (*refuse)(struct ml_sim_ctx *ctx, const struct ml_sim_why *why);
};

/* Route flags. */
#define ML_SIM_F_APPKEY		0x01	/* MOE-APPKEY required, = workspace */
#define ML_SIM_F_APPKEY_OR_DB	0x02	/* MOE-APPKEY or MOE-DBNAME required */
#define ML_SIM_F_DBNAME		0x04	/* MOE-DBNAME required, = db_name */
#define ML_SIM_F_MEDIA		0x08	/* Content-Type must be JSON */
#define ML_SIM_F_BODY		0x10	/* a JSON object body is required */
#define ML_SIM_F_BODY_OPT	0x20	/* a JSON object body if any is sent */
#define ML_SIM_F_NO_AUTH	0x40	/* no Basic auth (signature routes) */
#define ML_SIM_F_QUIET_RATE	0x80	/* no x-ratelimit-* on answers */
#define ML_SIM_F_X_APPKEY	0x100	/* X-MOE-APPKEY required, = workspace */

#define ML_SIM_ROUTE_LIMITS 4

/* What struct ml_sim_route.info points at for these families. */
struct ml_sim_fam_route {
	const struct ml_sim_fam_spec *spec;
	unsigned flags;
	/* Spent once per request, in order; NULL-terminated. */
	const struct ml_sim_limit *lim[ML_SIM_ROUTE_LIMITS];
	const void *extra;	/* family-private */
};

const struct ml_sim_fam_route *ml_sim_fam_route(const struct ml_sim_ctx *ctx);

/*
 * The prelude. On ML_OK ctx->ws/ws_idx are set and *body is the parsed JSON
 * object (NULL when the route takes none or none was sent with BODY_OPT);
 * the caller puts it.
 */
int ml_sim_fam_begin(struct ml_sim_ctx *ctx, json_object **body);
/*
 * Spend `units` on every window of the route (and `extra`, may be NULL).
 * On a full window nothing more is spent and the family's 429 is written.
 */
int ml_sim_fam_spend(struct ml_sim_ctx *ctx, long units,
    const struct ml_sim_limit *extra);
/*
 * Finish a handler: on an answer from a rate-limited route add the
 * x-ratelimit-* headers of its first window; map ML_SIM_DONE to ML_OK.
 */
int ml_sim_fam_end(struct ml_sim_ctx *ctx, int rc);
/* Same, with the headers of lim (may be NULL: none). */
int ml_sim_fam_end_with(struct ml_sim_ctx *ctx, int rc,
    const struct ml_sim_limit *lim);
/*
 * The common handler: prelude, check(ctx, body) (may be NULL), one unit on
 * the route's windows, then apply(ctx, collection, body) under the store's
 * lock, which writes the answer.
 */
int ml_sim_fam_simple(struct ml_sim_ctx *ctx,
    int (*check)(struct ml_sim_ctx *ctx, json_object *body),
    const struct ml_sim_coll *coll,
    int (*apply)(struct ml_sim_ctx *ctx, json_object *coll, void *body));
/*
 * The window of a limit row, in seconds, from its name: _per_min (60),
 * _per_5min, _per_hour, _per_day.
 */
long ml_sim_fam_window(const struct ml_sim_limit *lim);
/* Refuse with why->ref = ref (fault bodies reuse the family's refuse). */
int ml_sim_fam_refuse(struct ml_sim_ctx *ctx, enum ml_sim_refusal ref);
/*
 * The body of an injected fault: 401, 413, 415 and 429 go through the
 * family's refuse() (429 with a one-second reset), anything else to
 * other(ctx, status). For struct ml_sim_family.fault_body.
 */
int ml_sim_fam_fault(struct ml_sim_ctx *ctx, int status,
    int (*other)(struct ml_sim_ctx *ctx, int status));
/* "n/m mins" wording of segments' and templates' 429 messages. */
void ml_sim_fam_limit_text(const struct ml_sim_why *why, char *out,
    size_t cap);

/* ---- JSON answers ---------------------------------------------------- */

/*
 * {"k1":"v1",...} from (key, value) pairs ended by a NULL key; pairs whose
 * value is NULL are left out. NULL on allocation failure.
 */
json_object *ml_sim_fam_strs(const char *key, ...);
/* Add v under key to o and return o; on failure put both, return NULL. */
json_object *ml_sim_fam_put(json_object *o, const char *key, json_object *v);
/* [v] (v consumed); NULL on failure. */
json_object *ml_sim_fam_list1(json_object *v);
/* Append v (consumed) to arr and return arr; on failure put both: NULL. */
json_object *ml_sim_fam_push(json_object *arr, json_object *v);
/* {"code","target","message"}; target and message (any JSON) consumed. */
json_object *ml_sim_fam_detail(const char *code, json_object *target,
    json_object *message);
/*
 * {"error":{"code","message","details":details,"request_id"}}, the envelope
 * of Business Events (legacy) and Custom Templates; details is consumed.
 */
int ml_sim_fam_send_details(struct ml_sim_ctx *ctx, int status,
    const char *code, const char *msg, json_object *details);
/* Answer with o (consumed; NULL means ML_ENOMEM). Returns ML_SIM_DONE. */
int ml_sim_fam_send(struct ml_sim_ctx *ctx, int status, json_object *o);
/* Answer with no body at all. */
int ml_sim_fam_send_empty(struct ml_sim_ctx *ctx, int status);
/*
 * {"title":"Internal Server Error","message":"An unexpected error was
 * encountered ... Please contact MoEngage Team"}: the 5xx body of Business
 * Events (legacy), Cards and Custom Templates.
 */
int ml_sim_fam_send_internal(struct ml_sim_ctx *ctx, int status);
/* Deep copy (NULL in, NULL out; NULL on failure). */
json_object *ml_sim_fam_copy(json_object *o);

/* ---- fields ---------------------------------------------------------- */

/* The string member key if it is a non-empty string, else NULL. */
const char *ml_sim_fam_str(json_object *o, const char *key);
/* 1 if s is one of the NULL-terminated list (exact / ignoring case). */
int ml_sim_fam_in(const char *s, const char *const *list);
int ml_sim_fam_in_nocase(const char *s, const char *const *list);
/* 1 if needle occurs in hay, ignoring ASCII case. */
int ml_sim_fam_contains_nocase(const char *hay, const char *needle);
/* A plausible e-mail address: one '@', something before, a dot after. */
int ml_sim_fam_is_email(const char *s);
/* 24 hex digits. */
int ml_sim_fam_is_hexid(const char *s);
/* "YYYY-MM-DD" to days since 1970-01-01; -1 if malformed. */
long ml_sim_fam_days(const char *date);
/*
 * Parse a whole base-10 integer query parameter. Returns 0 and *out = def
 * when absent, 0 with *out on success, -1 when present but malformed.
 */
int ml_sim_fam_query_long(struct ml_sim_ctx *ctx, const char *name, long def,
    long *out);
/*
 * The first item of coll whose string member equals value, skipping the
 * item keyed except (may be NULL); NULL if none.
 */
json_object *ml_sim_fam_find(json_object *coll, const char *member,
    const char *value, const char *except);
/* First member of o not in the NULL-terminated allowed list, or NULL. */
const char *ml_sim_fam_extra_key(json_object *o, const char *const *allowed);

/* ---- ids and times ---------------------------------------------------- */

/* 24 random hex digits + NUL (out needs ML_SIM_HEXID_LEN + 1). */
void ml_sim_fam_hexid(char *out);
/* 24 hex digits derived from (seed, n): stable across runs. */
void ml_sim_fam_hexid_of(const char *seed, long n, char *out);
/* A random UUID v4 + NUL (out needs ML_SIM_UUID_LEN + 1). */
void ml_sim_fam_uuid(char *out);

enum ml_sim_time_style {
	ML_SIM_TIME_MICRO = 0,	/* 2023-02-27T12:33:05.575000 */
	ML_SIM_TIME_Z,		/* 2026-05-01T09:12:00Z */
	ML_SIM_TIME_MILLI_Z	/* 2024-05-10T07:03:00.18Z style: .mmZ */
};
/* Now (wall clock, UTC) minus ago_s seconds, in a style. */
void ml_sim_fam_time(char *out, size_t cap, enum ml_sim_time_style st,
    long ago_s);
/* Monotonic milliseconds (windows that wall-clock jumps must not move). */
int64_t ml_sim_fam_mono_ms(void);

/* ---- the object store (sim_store.c) ----------------------------------- */

/*
 * A named per-workspace collection: a JSON object (id -> item) that keeps
 * insertion order, so listing it is creation order. seed (may be NULL) fills
 * a fresh collection: on first use and after /_sim/reset.
 */
struct ml_sim_coll {
	const char *name;
	int (*seed)(struct ml_sim_ctx *ctx, json_object *coll);
};

/* Caps that keep the simulator's memory bounded. */
#define ML_SIM_STORE_ITEMS_MAX 20000

/*
 * Run fn(ctx, coll, arg) on ctx's workspace's collection under the store's
 * lock. fn must not call another locked module and must copy out whatever
 * it hands back. Returns fn's result.
 */
int ml_sim_store_run(struct ml_sim_ctx *ctx, const struct ml_sim_coll *coll,
    int (*fn)(struct ml_sim_ctx *ctx, json_object *coll, void *arg),
    void *arg);

/* ---- what families read from each other ------------------------------- */

/* The catalogs collection (sim_catalog.c). */
extern const struct ml_sim_coll ml_sim_coll_catalogs;
/*
 * For Recommendations: a new array of up to max items of the workspace's
 * first catalog, each with item_id, catalog_id, feed_id and price_currency.
 */
int ml_sim_catalog_sample(struct ml_sim_ctx *ctx, long max,
    json_object **out);
/* Campaigns (sim_campaign_report.c), added to by Push. */
extern const struct ml_sim_coll ml_sim_coll_campaigns;
/* Add a campaign created through Push; *cid gets its id. */
int ml_sim_campaign_add(struct ml_sim_ctx *ctx, const char *name,
    const char *audience, int unique_name, char *cid, int *dup);

#endif
