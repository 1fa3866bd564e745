/* SPDX-License-Identifier: MIT */
/*
 * sim_fam.c: the request prelude, rate windows, JSON builders, field checks,
 * ids and timestamps shared by the simulated families beyond Data
 * (sim_fam.h). Every check reports a distinct refusal so each family can
 * answer with exactly the body its own OpenAPI file documents for the case.
 *
 * Prelude order (the Data family's, so all families agree): 413 body cap,
 * Basic credentials, MOE-APPKEY / MOE-DBNAME presence, key of the family's
 * slot (or the multi key) in this data center, header naming another
 * workspace, account state, Content-Type, JSON body. Rate windows are spent
 * by the handler after its own validation, as Data does.
 *
 * Stateless apart from what ctx reaches; safe on MHD's pool threads.
 */
#include "sim/sim_fam.h"

#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <moelink/json.h>

const struct ml_sim_fam_route *
ml_sim_fam_route(const struct ml_sim_ctx *ctx)
{
	return ctx->route->info;
}

int
ml_sim_fam_refuse(struct ml_sim_ctx *ctx, enum ml_sim_refusal ref)
{
	struct ml_sim_why why;

	memset(&why, 0, sizeof(why));
	why.ref = ref;
	why.header = "MOE-APPKEY";
	return ml_sim_fam_route(ctx)->spec->refuse(ctx, &why);
}

static int
fam_refuse(struct ml_sim_ctx *ctx, struct ml_sim_why *why)
{
	return ml_sim_fam_route(ctx)->spec->refuse(ctx, why);
}

/* MOE-APPKEY / MOE-DBNAME presence; which header matters per flags. */
static int
fam_headers_present(struct ml_sim_ctx *ctx, struct ml_sim_why *why)
{
	unsigned f = ml_sim_fam_route(ctx)->flags;

	if ((f & ML_SIM_F_DBNAME) && ml_sim_header(ctx, "MOE-DBNAME") == NULL) {
		why->ref = ML_SIM_REF_NO_APPKEY;
		why->header = "MOE-DBNAME";
		return fam_refuse(ctx, why);
	}
	if ((f & ML_SIM_F_APPKEY) && ml_sim_header(ctx, "MOE-APPKEY") == NULL) {
		why->ref = ML_SIM_REF_NO_APPKEY;
		why->header = "MOE-APPKEY";
		return fam_refuse(ctx, why);
	}
	if ((f & ML_SIM_F_APPKEY_OR_DB) &&
	    ml_sim_header(ctx, "MOE-APPKEY") == NULL &&
	    ml_sim_header(ctx, "MOE-DBNAME") == NULL) {
		why->ref = ML_SIM_REF_NO_APPKEY;
		why->header = "MOE-APPKEY";
		return fam_refuse(ctx, why);
	}
	if ((f & ML_SIM_F_X_APPKEY) &&
	    ml_sim_header(ctx, "X-MOE-APPKEY") == NULL) {
		why->ref = ML_SIM_REF_NO_APPKEY;
		why->header = "X-MOE-APPKEY";
		return fam_refuse(ctx, why);
	}
	return ML_OK;
}

/* The headers, once the workspace is known, must name it. */
static int
fam_headers_match(struct ml_sim_ctx *ctx, struct ml_sim_why *why)
{
	unsigned f = ml_sim_fam_route(ctx)->flags;
	const char *ak = ml_sim_header(ctx, "MOE-APPKEY");
	const char *db = ml_sim_header(ctx, "MOE-DBNAME");
	const char *xak = ml_sim_header(ctx, "X-MOE-APPKEY");

	why->ref = ML_SIM_REF_APPKEY;
	if ((f & ML_SIM_F_X_APPKEY) && xak != NULL &&
	    strcmp(xak, ctx->ws->id) != 0) {
		why->header = "X-MOE-APPKEY";
		return fam_refuse(ctx, why);
	}
	if ((f & (ML_SIM_F_APPKEY | ML_SIM_F_APPKEY_OR_DB)) && ak != NULL &&
	    strcmp(ak, ctx->ws->id) != 0) {
		why->header = "MOE-APPKEY";
		return fam_refuse(ctx, why);
	}
	if ((f & (ML_SIM_F_DBNAME | ML_SIM_F_APPKEY_OR_DB)) && db != NULL &&
	    (ak == NULL || (f & ML_SIM_F_DBNAME)) &&
	    strcmp(db, ctx->ws->db_name) != 0) {
		why->header = "MOE-DBNAME";
		return fam_refuse(ctx, why);
	}
	return ML_OK;
}

static int
fam_media_ok(struct ml_sim_ctx *ctx)
{
	const char *ct = ml_sim_header(ctx, MHD_HTTP_HEADER_CONTENT_TYPE);
	size_t n = strlen("application/json");

	while (ct != NULL && (*ct == ' ' || *ct == '\t'))
		ct++;
	if (ct == NULL || strncasecmp(ct, "application/json", n) != 0)
		return 0;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t';
}

static int
fam_body(struct ml_sim_ctx *ctx, struct ml_sim_why *why, json_object **body)
{
	unsigned f = ml_sim_fam_route(ctx)->flags;
	json_object *o = NULL;
	struct ml_err err;
	size_t i;
	int rc;

	for (i = 0; i < ctx->body_len; i++)
		if (ctx->body[i] != ' ' && ctx->body[i] != '\t' &&
		    ctx->body[i] != '\r' && ctx->body[i] != '\n')
			break;
	if (i == ctx->body_len) {
		if (f & ML_SIM_F_BODY_OPT)
			return ML_OK;
		why->ref = ML_SIM_REF_NO_BODY;
		return fam_refuse(ctx, why);
	}
	rc = ml_json_parse(ctx->body, ctx->body_len, ML_SIM_BODY_MAX, 0, &o,
	    &err);
	if (rc == ML_ENOMEM)
		return rc;
	if (rc || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		why->ref = ML_SIM_REF_MALFORMED;
		return fam_refuse(ctx, why);
	}
	*body = o;
	return ML_OK;
}

int
ml_sim_fam_begin(struct ml_sim_ctx *ctx, json_object **body)
{
	const struct ml_sim_fam_route *r = ml_sim_fam_route(ctx);
	struct ml_sim_creds c;
	struct ml_sim_why why;
	int rc = ML_OK;

	*body = NULL;
	memset(&why, 0, sizeof(why));
	memset(&c, 0, sizeof(c));
	if (ctx->body_too_big) {
		why.ref = ML_SIM_REF_TOO_BIG;
		return fam_refuse(ctx, &why);
	}
	if (!(r->flags & ML_SIM_F_NO_AUTH)) {
		why.basic = ml_sim_auth_basic(ctx, &c);
		if (why.basic != ML_SIM_BASIC_OK) {
			why.ref = ML_SIM_REF_NO_AUTH;
			rc = fam_refuse(ctx, &why);
			goto out;
		}
		rc = fam_headers_present(ctx, &why);
		if (rc)
			goto out;
		why.key = ml_sim_auth_key(ctx, r->spec->fam, &c);
		if (why.key != ML_SIM_KEY_OK) {
			why.ref = why.key == ML_SIM_KEY_UNKNOWN_WS ||
			    why.key == ML_SIM_KEY_WRONG_DC ?
			    ML_SIM_REF_UNKNOWN_WS : ML_SIM_REF_BAD_KEY;
			rc = fam_refuse(ctx, &why);
			goto out;
		}
		rc = fam_headers_match(ctx, &why);
		if (rc)
			goto out;
		if (ctx->ws->state != ML_SIM_WS_ACTIVE) {
			why.ref = ML_SIM_REF_STATE;
			rc = fam_refuse(ctx, &why);
			goto out;
		}
	}
	if ((r->flags & ML_SIM_F_MEDIA) && !fam_media_ok(ctx)) {
		why.ref = ML_SIM_REF_MEDIA;
		rc = fam_refuse(ctx, &why);
		goto out;
	}
	if (r->flags & (ML_SIM_F_BODY | ML_SIM_F_BODY_OPT))
		rc = fam_body(ctx, &why, body);
out:
	ml_sim_creds_cleanup(&c);
	return rc;
}

/* ---- rate windows ---------------------------------------------------- */

long
ml_sim_fam_window(const struct ml_sim_limit *lim)
{
	size_t n = strlen(lim->name);

	if (n > 9 && strcmp(lim->name + n - 9, "_per_hour") == 0)
		return 3600;
	if (n > 9 && strcmp(lim->name + n - 9, "_per_5min") == 0)
		return 300;
	if (n > 8 && strcmp(lim->name + n - 8, "_per_day") == 0)
		return 86400;
	return 60;
}

static int
fam_take(struct ml_sim_ctx *ctx, const struct ml_sim_limit *lim, long units,
    struct ml_sim_rate_info *info)
{
	return ml_sim_rate_take_window(ctx->sim->rate, (size_t)ctx->ws_idx,
	    lim, ml_sim_ws_limit(ctx->ws, lim), ml_sim_fam_window(lim) * 1000,
	    units, info);
}

/* The family's 429, with the window's x-ratelimit-* unless it is quiet. */
static int
fam_rate_refuse(struct ml_sim_ctx *ctx, struct ml_sim_why *why,
    const struct ml_sim_limit *lim, const struct ml_sim_rate_info *info)
{
	int rc;

	why->ref = ML_SIM_REF_RATE;
	why->lim = lim;
	why->rate = *info;
	if (!(ml_sim_fam_route(ctx)->flags & ML_SIM_F_QUIET_RATE)) {
		rc = ml_sim_reply_rate_headers(ctx, info);
		if (rc)
			return rc;
	}
	return fam_refuse(ctx, why);
}

int
ml_sim_fam_spend(struct ml_sim_ctx *ctx, long units,
    const struct ml_sim_limit *extra)
{
	const struct ml_sim_fam_route *r = ml_sim_fam_route(ctx);
	const struct ml_sim_limit *all[ML_SIM_ROUTE_LIMITS + 1];
	struct ml_sim_rate_info info;
	struct ml_sim_why why;
	size_t i, n = 0;
	int rc;

	for (i = 0; i < ML_SIM_ROUTE_LIMITS && r->lim[i] != NULL; i++)
		all[n++] = r->lim[i];
	if (extra != NULL)
		all[n++] = extra;
	memset(&why, 0, sizeof(why));
	why.ref = ML_SIM_REF_RATE;
	/* Look first so a full second window does not cost the first. */
	for (i = 0; i < n; i++) {
		rc = fam_take(ctx, all[i], 0, &info);
		if (rc && rc != ML_ERATELIMIT)
			return rc;
		if (units > info.remaining)
			return fam_rate_refuse(ctx, &why, all[i], &info);
	}
	for (i = 0; i < n; i++) {
		rc = fam_take(ctx, all[i], units, &info);
		if (rc == ML_ERATELIMIT)
			return fam_rate_refuse(ctx, &why, all[i], &info);
		if (rc)
			return rc;
	}
	return ML_OK;
}

int
ml_sim_fam_fault(struct ml_sim_ctx *ctx, int status,
    int (*other)(struct ml_sim_ctx *ctx, int status))
{
	const struct ml_sim_fam_route *r = ml_sim_fam_route(ctx);
	struct ml_sim_rate_info info;
	struct ml_sim_why why;
	int rc;

	memset(&why, 0, sizeof(why));
	why.header = "MOE-APPKEY";
	switch (status) {
	case 401:
		why.ref = ML_SIM_REF_BAD_KEY;
		why.key = ML_SIM_KEY_MISMATCH;
		break;
	case 413:
		why.ref = ML_SIM_REF_TOO_BIG;
		break;
	case 415:
		why.ref = ML_SIM_REF_MEDIA;
		break;
	case 429:
		/* Injected: a short reset so clients retry soon. */
		info.limit = r->lim[0] != NULL ? r->lim[0]->per_min : 0;
		info.remaining = 0;
		info.reset = 1;
		rc = fam_rate_refuse(ctx, &why, r->lim[0], &info);
		return rc == ML_SIM_DONE ? ML_OK : rc;
	default:
		rc = other(ctx, status);
		return rc == ML_SIM_DONE ? ML_OK : rc;
	}
	rc = fam_refuse(ctx, &why);
	return rc == ML_SIM_DONE ? ML_OK : rc;
}

int
ml_sim_fam_end(struct ml_sim_ctx *ctx, int rc)
{
	return ml_sim_fam_end_with(ctx, rc, ml_sim_fam_route(ctx)->lim[0]);
}

int
ml_sim_fam_end_with(struct ml_sim_ctx *ctx, int rc,
    const struct ml_sim_limit *lim)
{
	const struct ml_sim_fam_route *r = ml_sim_fam_route(ctx);
	struct ml_sim_rate_info info;
	int trc;

	if (rc != ML_OK && rc != ML_SIM_DONE)
		return rc;
	if (ctx->ws == NULL || lim == NULL ||
	    (r->flags & ML_SIM_F_QUIET_RATE))
		return ML_OK;
	trc = fam_take(ctx, lim, 0, &info);
	if (trc && trc != ML_ERATELIMIT)
		return trc;
	return ml_sim_reply_rate_headers(ctx, &info);
}

int
ml_sim_fam_simple(struct ml_sim_ctx *ctx,
    int (*check)(struct ml_sim_ctx *ctx, json_object *body),
    const struct ml_sim_coll *coll,
    int (*apply)(struct ml_sim_ctx *ctx, json_object *coll, void *body))
{
	json_object *body = NULL;
	int rc;

	rc = ml_sim_fam_begin(ctx, &body);
	if (rc == ML_OK && check != NULL)
		rc = check(ctx, body);
	if (rc == ML_OK)
		rc = ml_sim_fam_spend(ctx, 1, NULL);
	if (rc == ML_OK)
		rc = ml_sim_store_run(ctx, coll, apply, body);
	json_object_put(body);
	return ml_sim_fam_end(ctx, rc);
}

void
ml_sim_fam_limit_text(const struct ml_sim_why *why, char *out, size_t cap)
{
	long limit = why->rate.limit, mins = 1;

	if (why->lim != NULL)
		mins = ml_sim_fam_window(why->lim) / 60;
	snprintf(out, cap, "API rate limit breached. Current limit: %ld/%ld "
	    "mins", limit, mins);
}

/* ---- JSON answers ---------------------------------------------------- */

json_object *
ml_sim_fam_strs(const char *key, ...)
{
	json_object *o = json_object_new_object();
	const char *k, *v;
	va_list ap;

	if (o == NULL)
		return NULL;
	va_start(ap, key);
	for (k = key; k != NULL; k = va_arg(ap, const char *)) {
		v = va_arg(ap, const char *);
		if (v != NULL && ml_json_add_str(o, k, v) != ML_OK) {
			json_object_put(o);
			o = NULL;
			break;
		}
	}
	va_end(ap);
	return o;
}

json_object *
ml_sim_fam_put(json_object *o, const char *key, json_object *v)
{
	if (o == NULL || v == NULL) {
		json_object_put(o);
		json_object_put(v);
		return NULL;
	}
	if (json_object_object_add(o, key, v)) {
		json_object_put(o);
		json_object_put(v);
		return NULL;
	}
	return o;
}

json_object *
ml_sim_fam_push(json_object *arr, json_object *v)
{
	if (arr == NULL || v == NULL || json_object_array_add(arr, v) != 0) {
		json_object_put(arr);
		json_object_put(v);
		return NULL;
	}
	return arr;
}

json_object *
ml_sim_fam_list1(json_object *v)
{
	return ml_sim_fam_push(json_object_new_array(), v);
}

json_object *
ml_sim_fam_detail(const char *code, json_object *target, json_object *message)
{
	json_object *d = ml_sim_fam_strs("code", code, NULL);

	d = ml_sim_fam_put(d, "target", target);
	return ml_sim_fam_put(d, "message", message);
}

int
ml_sim_fam_send_details(struct ml_sim_ctx *ctx, int status, const char *code,
    const char *msg, json_object *details)
{
	json_object *e;

	e = ml_sim_fam_put(ml_sim_fam_strs("code", code, "message", msg,
	    NULL), "details", details);
	if (e != NULL && ml_json_add_str(e, "request_id", ctx->request_id)) {
		json_object_put(e);
		e = NULL;
	}
	return ml_sim_fam_send(ctx, status, ml_sim_fam_put(
	    json_object_new_object(), "error", e));
}

int
ml_sim_fam_send(struct ml_sim_ctx *ctx, int status, json_object *o)
{
	int rc;

	if (o == NULL)
		return ML_ENOMEM;
	rc = ml_sim_reply_json(ctx, status, o);
	json_object_put(o);
	return rc ? rc : ML_SIM_DONE;
}

int
ml_sim_fam_send_empty(struct ml_sim_ctx *ctx, int status)
{
	int rc = ml_sim_reply_raw(ctx, status, NULL, "", 0);

	return rc ? rc : ML_SIM_DONE;
}

int
ml_sim_fam_send_internal(struct ml_sim_ctx *ctx, int status)
{
	return ml_sim_fam_send(ctx, status, ml_sim_fam_strs("title",
	    "Internal Server Error", "message", "An unexpected error was "
	    "encountered while processing this request. Please contact "
	    "MoEngage Team", NULL));
}

json_object *
ml_sim_fam_copy(json_object *o)
{
	json_object *c = NULL;

	if (o == NULL || json_object_deep_copy(o, &c, NULL) != 0)
		return NULL;
	return c;
}

/* ---- fields ---------------------------------------------------------- */

const char *
ml_sim_fam_str(json_object *o, const char *key)
{
	const char *s = ml_json_str(o, key);

	return s != NULL && s[0] != '\0' ? s : NULL;
}

int
ml_sim_fam_in(const char *s, const char *const *list)
{
	size_t i;

	for (i = 0; s != NULL && list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

int
ml_sim_fam_in_nocase(const char *s, const char *const *list)
{
	size_t i;

	for (i = 0; s != NULL && list[i] != NULL; i++)
		if (strcasecmp(s, list[i]) == 0)
			return 1;
	return 0;
}

int
ml_sim_fam_contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return n == 0;
}

int
ml_sim_fam_is_email(const char *s)
{
	const char *at, *dot;

	if (s == NULL || strchr(s, ' ') != NULL)
		return 0;
	at = strchr(s, '@');
	if (at == NULL || at == s || strchr(at + 1, '@') != NULL)
		return 0;
	dot = strrchr(at, '.');
	return dot != NULL && dot > at + 1 && dot[1] != '\0';
}

int
ml_sim_fam_is_hexid(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != ML_SIM_HEXID_LEN)
		return 0;
	for (i = 0; i < ML_SIM_HEXID_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

/* Days from civil (Howard Hinnant's algorithm): no timezone involved. */
long
ml_sim_fam_days(const char *date)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	long y, m, d, era, yoe, doy, doe;
	size_t i;

	if (date == NULL || strlen(date) != 10 || date[4] != '-' ||
	    date[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (date[i] < '0' || date[i] > '9'))
			return -1;
	y = (date[0] - '0') * 1000 + (date[1] - '0') * 100 +
	    (date[2] - '0') * 10 + (date[3] - '0');
	m = (date[5] - '0') * 10 + (date[6] - '0');
	d = (date[8] - '0') * 10 + (date[9] - '0');
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
	    (m == 2 && d == 29 && (y % 4 != 0 ||
	    (y % 100 == 0 && y % 400 != 0))))
		return -1;
	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
ml_sim_fam_query_long(struct ml_sim_ctx *ctx, const char *name, long def,
    long *out)
{
	const char *s = ml_sim_query(ctx, name);
	char *end;
	long v;

	*out = def;
	if (s == NULL)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

json_object *
ml_sim_fam_find(json_object *coll, const char *member, const char *value,
    const char *except)
{
	const char *s;

	if (value == NULL)
		return NULL;
	json_object_object_foreach(coll, k, v) {
		s = ml_json_str(v, member);
		if (s != NULL && strcmp(s, value) == 0 &&
		    (except == NULL || strcmp(k, except) != 0))
			return v;
	}
	return NULL;
}

const char *
ml_sim_fam_extra_key(json_object *o, const char *const *allowed)
{
	json_object_object_foreach(o, k, v) {
		(void)v;
		if (!ml_sim_fam_in(k, allowed))
			return k;
	}
	return NULL;
}

/* ---- ids and times ---------------------------------------------------- */

void
ml_sim_fam_hexid(char *out)
{
	unsigned char bin[ML_SIM_HEXID_LEN / 2];

	randombytes_buf(bin, sizeof(bin));
	sodium_bin2hex(out, ML_SIM_HEXID_LEN + 1, bin, sizeof(bin));
}

void
ml_sim_fam_hexid_of(const char *seed, long n, char *out)
{
	unsigned char bin[ML_SIM_HEXID_LEN / 2];
	crypto_generichash_state st;
	unsigned char nb[sizeof(n)];

	memcpy(nb, &n, sizeof(n));
	crypto_generichash_init(&st, NULL, 0, sizeof(bin));
	crypto_generichash_update(&st, (const unsigned char *)seed,
	    strlen(seed));
	crypto_generichash_update(&st, nb, sizeof(nb));
	crypto_generichash_final(&st, bin, sizeof(bin));
	sodium_bin2hex(out, ML_SIM_HEXID_LEN + 1, bin, sizeof(bin));
}

void
ml_sim_fam_uuid(char *out)
{
	unsigned char b[16];
	char hex[33];

	randombytes_buf(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	sodium_bin2hex(hex, sizeof(hex), b, sizeof(b));
	snprintf(out, ML_SIM_UUID_LEN + 1, "%.8s-%.4s-%.4s-%.4s-%.12s", hex,
	    hex + 8, hex + 12, hex + 16, hex + 20);
}

void
ml_sim_fam_time(char *out, size_t cap, enum ml_sim_time_style st,
    long ago_s)
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec -= ago_s;
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	switch (st) {
	case ML_SIM_TIME_Z:
		snprintf(out, cap, "%sZ", base);
		break;
	case ML_SIM_TIME_MILLI_Z:
		snprintf(out, cap, "%s.%02ldZ", base, ts.tv_nsec / 10000000);
		break;
	case ML_SIM_TIME_MICRO:
	default:
		snprintf(out, cap, "%s.%06ld", base, ts.tv_nsec / 1000);
		break;
	}
}

int64_t
ml_sim_fam_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
