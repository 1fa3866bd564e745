/* SPDX-License-Identifier: MIT */
/*
 * sim_campaign_report.c: Campaign Stats and the campaign report download,
 * written from stats-report.yaml, on api-<dc>:
 *
 *   POST /core-services/v1/campaign-stats   general key, MOE-APPKEY required,
 *        100 calls/min; offset + limit (<= 10) paging over the campaigns the
 *        simulator holds, answered with total_campaigns, current_page and
 *        total_pages. Errors are {"title","description","code"}.
 *   GET  /campaign_reports/rest_api/{APP_ID}/{FILENAME}   no Basic auth: the
 *        Signature header is sha256_hex(APP_ID|FILENAME|general key); a bad
 *        or missing one is 401 with an empty body.
 *
 * The campaigns: each workspace starts with CAMPAIGN_SEEDED campaigns whose
 * ids are stable (derived from the workspace id), plus every campaign Push
 * creates. Their stats are deterministic numbers derived from the campaign
 * id and scaled by the days in the requested range. A report file exists
 * when its name ends in _YYYYMMDD.<zip|gz|csv> dated within the last 7 days
 * (older: the documented 400); it downloads as a small gzip'ed CSV.
 */
#include "sim/sim_fam.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <moelink/json.h>

#define CAMPAIGN_SEEDED 23
#define STATS_IDS_MAX 10
#define STATS_LIMIT_MAX 10
#define STATS_RANGE_MAX 30
#define REPORT_KEEP_DAYS 7

#define T_INVALID "Invalid Field Value"

static const struct ml_sim_limit report_limits[] = {
	{ "campaign_stats_per_min", 100 },
};

/* ---- the campaigns --------------------------------------------------- */

static int
campaign_new(json_object *coll, const char *id, const char *name,
    const char *channel, long ago_s)
{
	char when[ML_SIM_TIME_MAX];
	json_object *c;

	ml_sim_fam_time(when, sizeof(when), ML_SIM_TIME_MICRO, ago_s);
	c = ml_sim_fam_strs("id", id, "name", name, "channel", channel,
	    "created_at", when, NULL);
	if (c == NULL || json_object_object_add(coll, id, c) != 0) {
		json_object_put(c);
		return ML_ENOMEM;
	}
	return ML_OK;
}

static int
campaign_seed(struct ml_sim_ctx *ctx, json_object *coll)
{
	static const char *const channels[] = { "PUSH", "EMAIL", "SMS",
	    "INAPP" };
	char id[ML_SIM_HEXID_LEN + 1], name[64];
	long i;
	int rc = ML_OK;

	for (i = 1; rc == ML_OK && i <= CAMPAIGN_SEEDED; i++) {
		ml_sim_fam_hexid_of(ctx->ws->id, i, id);
		snprintf(name, sizeof(name), "Simulated campaign %02ld", i);
		rc = campaign_new(coll, id, name, channels[i % 4],
		    (CAMPAIGN_SEEDED - i + 1) * 86400L);
	}
	return rc;
}

const struct ml_sim_coll ml_sim_coll_campaigns = { "campaigns",
	campaign_seed };

struct campaign_add {
	const char *name, *channel;
	int reuse;
	char *cid;
	int *dup;
};

static int
campaign_add_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	struct campaign_add *a = arg;
	json_object *c = ml_sim_fam_find(coll, "name", a->name, NULL);

	(void)ctx;
	if (c != NULL && !a->reuse) {
		*a->dup = 1;
		return ML_OK;
	}
	if (c != NULL) {
		ml_strlcpy(a->cid, ml_json_str(c, "id"), ML_SIM_HEXID_LEN + 1);
		return ML_OK;
	}
	if (json_object_object_length(coll) >= ML_SIM_STORE_ITEMS_MAX)
		return ML_ETOOBIG;
	ml_sim_fam_hexid(a->cid);
	return campaign_new(coll, a->cid, a->name, a->channel, 0);
}

int
ml_sim_campaign_add(struct ml_sim_ctx *ctx, const char *name,
    const char *channel, int reuse, char *cid, int *dup)
{
	struct campaign_add a = { name, channel, reuse, cid, dup };
	int rc;

	*dup = 0;
	rc = ml_sim_store_run(ctx, &ml_sim_coll_campaigns, campaign_add_fn, &a);
	/* A full store reads as a name that cannot be used again. */
	if (rc == ML_ETOOBIG) {
		*dup = 1;
		rc = ML_OK;
	}
	return rc;
}

/* ---- answers --------------------------------------------------------- */

/* {"title","description","code"}; desc may be NULL: "description": null. */
static int
report_fail(struct ml_sim_ctx *ctx, int status, const char *title,
    const char *desc)
{
	json_object *o = ml_sim_fam_strs("title", title, NULL);

	if (o != NULL && (desc == NULL ?
	    json_object_object_add(o, "description", NULL) != 0 :
	    ml_json_add_str(o, "description", desc) != ML_OK)) {
		json_object_put(o);
		o = NULL;
	}
	if (o != NULL && ml_json_add_str(o, "code", ctx->request_id)) {
		json_object_put(o);
		o = NULL;
	}
	return ml_sim_fam_send(ctx, status, o);
}

/* "<f> - Some of the field values are invalid: <f> : <value>" */
static int
report_invalid(struct ml_sim_ctx *ctx, const char *field, const char *value)
{
	char desc[300];

	snprintf(desc, sizeof(desc), "%s - Some of the field values are "
	    "invalid: %s : %s", field, field, value != NULL ? value : "None");
	return report_fail(ctx, 400, T_INVALID, desc);
}

static int
report_refuse(struct ml_sim_ctx *ctx, const struct ml_sim_why *why)
{
	switch (why->ref) {
	case ML_SIM_REF_NO_APPKEY:	/* stats-report.yaml's 400 example */
		return report_invalid(ctx, "app_key", NULL);
	case ML_SIM_REF_STATE:
		return report_fail(ctx, 403, "Forbidden Request", NULL);
	case ML_SIM_REF_TOO_BIG:	/* inferred */
		return report_fail(ctx, 413, "Payload Too Large",
		    "The request body is larger than the service accepts.");
	case ML_SIM_REF_NO_BODY:	/* inferred, Data's wording */
	case ML_SIM_REF_MALFORMED:
	case ML_SIM_REF_MEDIA:
		return report_fail(ctx, 400, "Malformed JSON", "Could not "
		    "decode the request body. The JSON was incorrect or not "
		    "encoded as UTF-8.");
	case ML_SIM_REF_RATE:		/* no body documented: inferred */
		return report_fail(ctx, 429, "Too Many Requests",
		    "Exceeded rate limit for this url");
	default:
		break;
	}
	return report_fail(ctx, 401, "Authentication required",
	    "Invalid identity information found.");
}

static const struct ml_sim_fam_spec report_spec = {
	ML_FAM_CAMPAIGN_REPORT, report_refuse
};

/* ---- Get Campaign Stats ---------------------------------------------- */

struct stats_req {
	const char *request_id;
	json_object *ids;	/* campaign_ids or NULL */
	long days, offset, limit;
	int unique;
};

static int
stats_check_ids(struct ml_sim_ctx *ctx, json_object *o, struct stats_req *q)
{
	json_object *ids;
	size_t i, n;

	if (!json_object_object_get_ex(o, "campaign_ids", &ids) ||
	    ids == NULL)
		return ML_OK;
	if (!json_object_is_type(ids, json_type_array))
		return report_invalid(ctx, "campaign_ids",
		    json_object_get_string(ids));
	n = json_object_array_length(ids);
	if (n > STATS_IDS_MAX)
		return report_invalid(ctx, "campaign_ids", "more than 10 "
		    "campaign ids");
	for (i = 0; i < n; i++)
		if (!json_object_is_type(json_object_array_get_idx(ids, i),
		    json_type_string))
			return report_invalid(ctx, "campaign_ids",
			    json_object_get_string(ids));
	q->ids = n > 0 ? ids : NULL;
	return ML_OK;
}

static int
stats_check_int(struct ml_sim_ctx *ctx, json_object *o, const char *key,
    long lo, long hi, long *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return ML_OK;
	if (!json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < lo || json_object_get_int64(v) > hi)
		return report_invalid(ctx, key, json_object_get_string(v));
	*out = (long)json_object_get_int64(v);
	return ML_OK;
}

static int
stats_check(struct ml_sim_ctx *ctx, json_object *o, struct stats_req *q)
{
	static const char *const attribution[] = { "VIEW_THROUGH",
	    "CLICK_THROUGH", "IN_SESSION", "TOTAL_CONVERSIONS",
	    "CLICK_CONVERSIONS", NULL };
	static const char *const metrics[] = { "TOTAL", "UNIQUE", NULL };
	const char *start, *end;
	long ds, de;
	int rc;

	q->request_id = ml_sim_fam_str(o, "request_id");
	if (q->request_id == NULL)
		return report_invalid(ctx, "request_id", NULL);
	start = ml_json_str(o, "start_date");
	end = ml_json_str(o, "end_date");
	ds = ml_sim_fam_days(start);
	if (ds < 0)
		return report_invalid(ctx, "start_date", start);
	de = ml_sim_fam_days(end);
	if (de < 0 || de < ds)
		return report_invalid(ctx, "end_date", end);
	if (de - ds > STATS_RANGE_MAX)
		return report_fail(ctx, 400, T_INVALID, "end_date - The days "
		    "between the start and end dates should not exceed 30 "
		    "days");
	q->days = de - ds + 1;
	if (!ml_sim_fam_in(ml_json_str(o, "attribution_type"), attribution))
		return report_invalid(ctx, "attribution_type",
		    ml_json_str(o, "attribution_type"));
	if (!ml_sim_fam_in(ml_json_str(o, "metric_type"), metrics))
		return report_invalid(ctx, "metric_type",
		    ml_json_str(o, "metric_type"));
	q->unique = strcmp(ml_json_str(o, "metric_type"), "UNIQUE") == 0;
	q->offset = 0;
	q->limit = STATS_LIMIT_MAX;
	rc = stats_check_ids(ctx, o, q);
	if (rc == ML_OK)
		rc = stats_check_int(ctx, o, "offset", 0, 1000000000L,
		    &q->offset);
	if (rc == ML_OK)
		rc = stats_check_int(ctx, o, "limit", 1, STATS_LIMIT_MAX,
		    &q->limit);
	return rc;
}

/* Deterministic numbers from the campaign id and the range. */
static json_object *
stats_variation(const char *cid, const struct stats_req *q)
{
	unsigned char h[8];
	json_object *perf, *funnel, *goals, *v;
	long base, sent, failed, imp, clicks;

	crypto_generichash(h, sizeof(h), (const unsigned char *)cid,
	    strlen(cid), NULL, 0);
	base = 20 + (h[0] | (h[1] << 8)) % 500;
	sent = base * q->days / (q->unique ? 2 : 1);
	failed = sent * (h[2] % 10) / 100;
	imp = (sent - failed) * (50 + h[3] % 50) / 100;
	clicks = imp * (h[4] % 30) / 100;
	perf = json_object_new_object();
	funnel = json_object_new_object();
	goals = json_object_new_object();
	v = json_object_new_object();
	if (perf == NULL || funnel == NULL || goals == NULL || v == NULL ||
	    ml_json_add_int(perf, "attempted", sent + failed) ||
	    ml_json_add_int(perf, "sent", sent) ||
	    ml_json_add_int(perf, "failed", failed) ||
	    ml_json_add_int(perf, "impression", imp) ||
	    ml_json_add_int(perf, "click", clicks) ||
	    ml_sim_json_add(perf, "ctr", json_object_new_double(imp > 0 ?
	    100.0 * (double)clicks / (double)imp : 0.0)) ||
	    ml_sim_json_add(perf, "delivery_rate", json_object_new_double(
	    sent > 0 ? 100.0 * (double)(sent - failed) / (double)sent : 0.0)) ||
	    ml_json_add_int(funnel, "reachable_users_in_segment", sent + failed) ||
	    ml_json_add_int(funnel, "sent", sent) ||
	    ml_json_add_int(funnel, "impressions", imp) ||
	    ml_sim_json_add(v, "failure_breakdown", json_object_new_object())) {
		json_object_put(perf);
		json_object_put(funnel);
		json_object_put(goals);
		json_object_put(v);
		return NULL;
	}
	v = ml_sim_fam_put(v, "performance_stats", perf);
	v = ml_sim_fam_put(v, "conversion_goal_stats", goals);
	return ml_sim_fam_put(v, "delivery_funnel", funnel);
}

/* [{"platforms":{"android":{"locales":{"all_locales":{"variations":...}}}}}] */
static json_object *
stats_of(const char *cid, const struct stats_req *q)
{
	json_object *o;

	o = ml_sim_fam_put(json_object_new_object(), "all_variations",
	    stats_variation(cid, q));
	o = ml_sim_fam_put(json_object_new_object(), "variations", o);
	o = ml_sim_fam_put(json_object_new_object(), "all_locales", o);
	o = ml_sim_fam_put(json_object_new_object(), "locales", o);
	o = ml_sim_fam_put(json_object_new_object(), "android", o);
	o = ml_sim_fam_put(json_object_new_object(), "platforms", o);
	return ml_sim_fam_list1(o);
}

struct stats_page {
	const struct stats_req *q;
	json_object *ids;	/* the page's campaign ids */
	long total;
};

static int
stats_page_add(struct stats_page *p, const char *id)
{
	int rc = ML_OK;

	if (p->total >= p->q->offset &&
	    p->total < p->q->offset + p->q->limit)
		rc = ml_sim_json_push(p->ids, json_object_new_string(id));
	p->total++;
	return rc;
}

/* The page: the requested campaigns the simulator holds, or all of them. */
static int
stats_page_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	struct stats_page *p = arg;
	const char *id;
	size_t i, n;
	int rc = ML_OK;

	(void)ctx;
	if (p->q->ids == NULL) {
		json_object_object_foreach(coll, k, v) {
			(void)v;
			rc = stats_page_add(p, k);
			if (rc)
				return rc;
		}
		return ML_OK;
	}
	n = json_object_array_length(p->q->ids);
	for (i = 0; i < n && rc == ML_OK; i++) {
		id = json_object_get_string(json_object_array_get_idx(
		    p->q->ids, i));
		if (json_object_object_get_ex(coll, id, NULL))
			rc = stats_page_add(p, id);
	}
	return rc;
}

static int
stats_answer(struct ml_sim_ctx *ctx, const struct stats_req *q)
{
	struct stats_page p = { q, json_object_new_array(), 0 };
	json_object *res = NULL, *data;
	size_t i, n;
	int rc;

	if (p.ids == NULL)
		return ML_ENOMEM;
	rc = ml_sim_store_run(ctx, &ml_sim_coll_campaigns, stats_page_fn, &p);
	if (rc)
		goto out;
	rc = ML_ENOMEM;
	data = json_object_new_object();
	n = json_object_array_length(p.ids);
	for (i = 0; data != NULL && i < n; i++) {
		const char *id = json_object_get_string(
		    json_object_array_get_idx(p.ids, i));

		data = ml_sim_fam_put(data, id, stats_of(id, q));
	}
	res = ml_sim_fam_strs("response_id", q->request_id, NULL);
	if (res == NULL || data == NULL ||
	    ml_json_add_int(res, "total_campaigns", p.total) ||
	    ml_json_add_int(res, "current_page", q->offset / q->limit + 1) ||
	    ml_json_add_int(res, "total_pages",
	    (p.total + q->limit - 1) / q->limit)) {
		json_object_put(data);
		goto out;
	}
	rc = ml_sim_fam_send(ctx, 200, ml_sim_fam_put(res, "data", data));
	res = NULL;
out:
	json_object_put(res);
	json_object_put(p.ids);
	return rc;
}

static int
stats_get(struct ml_sim_ctx *ctx)
{
	struct stats_req q;
	json_object *body = NULL;
	int rc;

	memset(&q, 0, sizeof(q));
	rc = ml_sim_fam_begin(ctx, &body);
	if (rc == ML_OK)
		rc = stats_check(ctx, body, &q);
	if (rc == ML_OK)
		rc = ml_sim_fam_spend(ctx, 1, NULL);
	if (rc == ML_OK)
		rc = stats_answer(ctx, &q);
	json_object_put(body);
	return ml_sim_fam_end(ctx, rc);
}

/* ---- Download Campaign Report ---------------------------------------- */

/*
 * A gzip'ed one-line CSV, made once with Python's gzip.compress(mtime=0):
 * "Campaign Name,Campaign ID,Sent,Delivered,Impressions,Clicks\n
 *  moelink sim report,000000000000000000000000,0,0,0,0\n".
 */
static const char report_gz[] =
    "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\x73\x4e\xcc\x2d\x48\xcc"
    "\x4c\xcf\x53\xf0\x4b\xcc\x4d\xd5\x71\x86\xf1\x3c\x5d\x74\x82\x53"
    "\xf3\x4a\x74\x5c\x52\x73\x32\xcb\x52\x8b\x52\x53\x74\x3c\x73\x0b"
    "\x8a\x52\x8b\x8b\x33\xf3\xf3\x8a\x75\x9c\x73\x32\x93\xb3\x8b\xb9"
    "\x72\xf3\x81\xb2\x79\xd9\x0a\xc5\x99\xb9\x0a\x45\xa9\x05\xf9\x45"
    "\x25\x3a\x06\x38\x80\x0e\x14\x72\x01\x00\xdf\x3e\xce\x00\x70\x00"
    "\x00\x00";

/* {"error":{"attribute","message","type":"BAD REQUEST","request_id"}} */
static int
download_bad(struct ml_sim_ctx *ctx, const char *attr, const char *msg)
{
	return ml_sim_fam_send(ctx, 400, ml_sim_fam_put(
	    json_object_new_object(), "error", ml_sim_fam_strs("attribute",
	    attr, "message", msg, "type", "BAD REQUEST", "request_id",
	    ctx->request_id, NULL)));
}

/* Days since 1970 of the _YYYYMMDD before the extension; -1 if none. */
static long
download_file_day(const char *name)
{
	static const char *const exts[] = { ".zip", ".gz", ".csv", NULL };
	const char *dot = strrchr(name, '.');
	char date[11];
	size_t i;

	if (dot == NULL || !ml_sim_fam_in(dot, exts) || dot - name < 10 ||
	    dot[-9] != '_' || strchr(name, '/') != NULL)
		return -1;
	for (i = 0; i < 8; i++)
		if (dot[-8 + (long)i] < '0' || dot[-8 + (long)i] > '9')
			return -1;
	snprintf(date, sizeof(date), "%.4s-%.2s-%.2s", dot - 8, dot - 4,
	    dot - 2);
	return ml_sim_fam_days(date);
}

static int
download_signature_ok(struct ml_sim_ctx *ctx, const struct ml_sim_ws *ws)
{
	const char *sig = ml_sim_header(ctx, "Signature");
	const char *keys[2] = { ws->keys.key[ML_KEY_GENERAL],
	    ws->keys.key[ML_KEY_MULTI] };
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[2 * crypto_hash_sha256_BYTES + 1];
	crypto_hash_sha256_state st;
	size_t i;
	int ok = 0;

	if (sig == NULL || strlen(sig) != sizeof(hex) - 1)
		return 0;
	for (i = 0; i < 2; i++) {
		if (keys[i] == NULL)
			continue;
		crypto_hash_sha256_init(&st);
		crypto_hash_sha256_update(&st, (const unsigned char *)ws->id,
		    strlen(ws->id));
		crypto_hash_sha256_update(&st, (const unsigned char *)"|", 1);
		crypto_hash_sha256_update(&st,
		    (const unsigned char *)ctx->param[1], strlen(ctx->param[1]));
		crypto_hash_sha256_update(&st, (const unsigned char *)"|", 1);
		crypto_hash_sha256_update(&st, (const unsigned char *)keys[i],
		    strlen(keys[i]));
		crypto_hash_sha256_final(&st, h);
		sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
		ok |= sodium_memcmp(hex, sig, sizeof(hex) - 1) == 0;
	}
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(hex, sizeof(hex));
	return ok;
}

static int
download_get(struct ml_sim_ctx *ctx)
{
	long idx, day, today;
	char date[16];
	time_t now;
	struct tm tm;
	int rc;

	idx = ml_sim_wsset_find(&ctx->sim->ws, ctx->param[0]);
	if (idx < 0 || strcmp(ctx->sim->ws.ws[idx].dc, ctx->dc) != 0)
		return ml_sim_fam_end(ctx, download_bad(ctx, "APP_ID",
		    "Invalid App Id"));
	ctx->claimed_idx = idx;
	if (!download_signature_ok(ctx, &ctx->sim->ws.ws[idx]))
		return ml_sim_fam_end(ctx, ml_sim_fam_send_empty(ctx, 401));
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	today = ml_sim_fam_days(date);
	day = download_file_day(ctx->param[1]);
	if (day < 0 || day > today)
		rc = download_bad(ctx, "FILENAME", "Invalid Report file name");
	else if (today - day > REPORT_KEEP_DAYS)
		rc = download_bad(ctx, "FILENAME", "Requested report is older "
		    "than 7 days");
	else
		rc = ml_sim_reply_raw(ctx, 200, "application/gzip", report_gz,
		    sizeof(report_gz) - 1);
	return ml_sim_fam_end(ctx, rc);
}

/* ---- faults and the family ------------------------------------------- */

static int
report_other(struct ml_sim_ctx *ctx, int status)
{
	if (ctx->route->handle == download_get)
		return status == 400 ? download_bad(ctx, "FILENAME",
		    "Invalid Report file name") :
		    ml_sim_fam_send_empty(ctx, status);
	switch (status) {
	case 400:
		return report_invalid(ctx, "app_key", NULL);
	case 403:
		return report_fail(ctx, 403, "Forbidden Request", NULL);
	case 500:
		return report_fail(ctx, 500, "Server Error", "An unexpected "
		    "error was encountered while processing this request. "
		    "Please contact MoEngage Team");
	default:
		break;
	}
	return report_fail(ctx, status, MHD_get_reason_phrase_for(
	    (unsigned)status), NULL);
}

static int
report_fault(struct ml_sim_ctx *ctx, int status)
{
	if (ctx->route->handle == download_get && status == 401) {
		int rc = ml_sim_fam_send_empty(ctx, 401);

		return rc == ML_SIM_DONE ? ML_OK : rc;
	}
	return ml_sim_fam_fault(ctx, status, report_other);
}

static const struct ml_sim_fam_route r_stats = {
	&report_spec, ML_SIM_F_APPKEY | ML_SIM_F_BODY,
	{ &report_limits[0], NULL }, NULL
};

static const struct ml_sim_fam_route r_download = {
	&report_spec, ML_SIM_F_NO_AUTH, { NULL }, NULL
};

static const struct ml_sim_route report_routes[] = {
	{ "POST", "/core-services/v1/campaign-stats", "campaign_stats",
	    stats_get, &r_stats },
	{ "GET", "/campaign_reports/rest_api/{APP_ID}/{FILENAME}",
	    "download_campaign_report", download_get, &r_download },
};

const struct ml_sim_family ml_sim_family_campaign_report = {
	"campaign_report", ML_HOST_API, report_routes,
	sizeof(report_routes) / sizeof(report_routes[0]),
	report_limits, sizeof(report_limits) / sizeof(report_limits[0]),
	report_fault,
};
