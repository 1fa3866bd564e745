/* SPDX-License-Identifier: MIT */
/*
 * sim_push.c: the Push API, written from push.yaml and push-v2-1.yaml:
 * POST /v2/transaction/sendpush and /v2.1/transaction/sendpush on
 * pushapi-<dc>. There is no Basic auth: the body carries
 * signature = sha256_hex(appId|campaignName|push key); v2.1 also needs the
 * X-MOE-APPKEY, X-MOE-PushAPI-Signature and X-MOE-Query-Type headers, which
 * mirror appId, signature and targetAudience and must match them.
 *
 * As documented, every failure of the request itself is HTTP 200 with
 * {"status":"Fail","Error_Message":...,"responseId","requestId":""}; a body
 * that is no JSON, or credentials of a workspace in another data center, get
 * 401 with the body []; throttling is 429 with an empty body and
 * x-envoy-ratelimited: true, per query-type category (seg_user_search for
 * "user", seg_user_query for the rest). appId may carry the test suffix
 * _DEBUG. Campaigns are kept (sim_campaign_report.c): a name must be unique
 * for All Users and Custom Segment campaigns, and User campaigns reuse the
 * campaign of their name, as push.yaml says.
 */
#include "sim/sim_fam.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>

#include <moelink/json.h>

#define PUSH_NAME_MIN 5
#define PUSH_IN_MAX 50
#define PUSH_GOALS_MAX 5
#define PUSH_DEBUG_SUFFIX "_DEBUG"

#define F_NOT_VERIFIED "Signature is not verified"
#define F_VALUE "Key not of Type List or Value not allowed"
#define F_PARSE "Error parsing parameters"

static const struct ml_sim_limit push_limits[] = {
	{ "push_user_per_min", 10000 },		/* seg_user_search */
	{ "push_query_per_min", 10000 },	/* seg_user_query */
};

/* "All Users" | "Custom Segment" | "User", and the v2.1 header value. */
struct push_audience {
	const char *body;
	const char *header;
	const struct ml_sim_limit *lim;
};

static const struct push_audience push_audiences[] = {
	{ "All Users", "all users", &push_limits[1] },
	{ "Custom Segment", "custom segment", &push_limits[1] },
	{ "User", "user", &push_limits[0] },
};

static const struct push_audience push_bulk = {
	"User", "bulk users", &push_limits[1]
};

/* {"status":"Fail","Error_Message":msg,"responseId","requestId":""} */
static int
push_fail(struct ml_sim_ctx *ctx, const char *msg)
{
	char id[ML_SIM_UUID_LEN + 1];

	ml_sim_fam_uuid(id);
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_strs("status", "Fail",
	    "Error_Message", msg, "responseId", id, "requestId", "", NULL));
}

/* The gateway's own errors: {"code","status":"error","reason"[,...]}. */
static int
push_gateway(struct ml_sim_ctx *ctx, int status, const char *reason)
{
	json_object *o = json_object_new_object();

	if (o == NULL || ml_json_add_int(o, "code", status) ||
	    ml_json_add_str(o, "status", "error") ||
	    ml_json_add_str(o, "reason", reason) ||
	    (status >= 500 && ml_json_add_str(o, "reference",
	    ctx->request_id))) {
		json_object_put(o);
		return ML_ENOMEM;
	}
	return ml_sim_fam_send(ctx, status, o);
}

static int
push_unauthorized(struct ml_sim_ctx *ctx)
{
	int rc = ml_sim_reply_raw(ctx, 401, "application/json", "[]", 2);

	return rc ? rc : ML_SIM_DONE;
}

static int
push_throttled(struct ml_sim_ctx *ctx, const struct ml_sim_rate_info *info)
{
	/* An injected 429 has no window: show the documented default. */
	long limit = info->limit > 0 ? info->limit : push_limits[0].per_min;
	int rc;

	rc = ml_sim_reply_header(ctx, "x-envoy-ratelimited", "true");
	if (rc == ML_OK)
		rc = ml_sim_reply_header(ctx, "x-ratelimit-limit",
		    "%ld, %ld;w=60", limit, limit);
	if (rc == ML_OK)
		rc = ml_sim_reply_header(ctx, "x-ratelimit-remaining", "0");
	if (rc == ML_OK)
		rc = ml_sim_reply_header(ctx, "x-ratelimit-reset", "%ld",
		    info->reset > 0 ? info->reset : 1);
	return rc ? rc : ml_sim_fam_send_empty(ctx, 429);
}

static int
push_refuse(struct ml_sim_ctx *ctx, const struct ml_sim_why *why)
{
	switch (why->ref) {
	case ML_SIM_REF_RATE:
		return push_throttled(ctx, &why->rate);
	case ML_SIM_REF_TOO_BIG:	/* inferred: the gateway's shape */
		return push_gateway(ctx, 413, "Request Entity Too Large");
	case ML_SIM_REF_MEDIA:
		return push_gateway(ctx, 415, "Unsupported Media Type");
	default:
		break;
	}
	/* "Invalid authentication credentials or JSON format." */
	return push_unauthorized(ctx);
}

static const struct ml_sim_fam_spec push_spec = {
	ML_FAM_PUSH, push_refuse
};

/* sha256_hex(appId|campaignName|key) into hex (65 bytes). */
static void
push_signature(const char *app, const char *name, const char *key, char *hex)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)app, strlen(app));
	crypto_hash_sha256_update(&st, (const unsigned char *)"|", 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)name,
	    strlen(name));
	crypto_hash_sha256_update(&st, (const unsigned char *)"|", 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)key, strlen(key));
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(hex, 2 * crypto_hash_sha256_BYTES + 1, h, sizeof(h));
	sodium_memzero(&st, sizeof(st));
}

/* 1 if sig is the signature made with key (hex compared without case). */
static int
push_sig_ok(const char *app, const char *name, const char *key,
    const char *sig)
{
	char want[2 * crypto_hash_sha256_BYTES + 1], got[sizeof(want)];
	size_t i;
	int ok;

	if (key == NULL || strlen(sig) != sizeof(want) - 1)
		return 0;
	push_signature(app, name, key, want);
	for (i = 0; i < sizeof(got) - 1; i++)
		got[i] = (char)(sig[i] >= 'A' && sig[i] <= 'F' ?
		    sig[i] - 'A' + 'a' : sig[i]);
	got[sizeof(got) - 1] = '\0';
	ok = sodium_memcmp(want, got, sizeof(want) - 1) == 0;
	sodium_memzero(want, sizeof(want));
	return ok;
}

/*
 * Find the workspace appId names (without _DEBUG). Returns ML_OK with
 * ctx->ws set, or writes the documented answer.
 */
static int
push_workspace(struct ml_sim_ctx *ctx, const char *app)
{
	char id[sizeof(ctx->sim->ws.ws[0].id)];
	size_t n = strlen(app), sl = strlen(PUSH_DEBUG_SUFFIX);
	long idx;

	ml_strlcpy(id, app, sizeof(id));
	if (n > sl && n < sizeof(id) &&
	    strcmp(app + n - sl, PUSH_DEBUG_SUFFIX) == 0)
		id[n - sl] = '\0';
	idx = ml_sim_wsset_find(&ctx->sim->ws, id);
	if (idx < 0)
		return push_fail(ctx, "Invalid appId");
	ctx->claimed_idx = idx;
	/* Another data center's workspace: its credentials do not work here. */
	if (strcmp(ctx->sim->ws.ws[idx].dc, ctx->dc) != 0)
		return push_unauthorized(ctx);
	ctx->ws = &ctx->sim->ws.ws[idx];
	ctx->ws_idx = idx;
	return ML_OK;
}

static int
push_check_signature(struct ml_sim_ctx *ctx, json_object *o, int v21)
{
	const char *app = ml_json_str(o, "appId");
	const char *name = ml_json_str(o, "campaignName");
	const char *sig = ml_sim_fam_str(o, "signature");
	const char *h;
	int ok;

	if (v21) {
		h = ml_sim_header(ctx, "X-MOE-APPKEY");
		if (h == NULL || strcmp(h, app) != 0)
			return push_unauthorized(ctx);
		h = ml_sim_header(ctx, "X-MOE-PushAPI-Signature");
		if (h == NULL || sig == NULL || strcmp(h, sig) != 0)
			return push_fail(ctx, F_NOT_VERIFIED);
	}
	if (sig == NULL)
		return push_fail(ctx, F_NOT_VERIFIED);
	/* Both slots are tried, so timing does not tell which matched. */
	ok = push_sig_ok(app, name, ctx->ws->keys.key[ML_KEY_PUSH], sig);
	ok |= push_sig_ok(app, name, ctx->ws->keys.key[ML_KEY_MULTI], sig);
	if (!ok)
		return push_fail(ctx, F_NOT_VERIFIED);
	if (ctx->ws->state != ML_SIM_WS_ACTIVE)
		return push_unauthorized(ctx);
	return ML_OK;
}

static int
push_check_audience(struct ml_sim_ctx *ctx, json_object *o, int v21,
    const struct push_audience **out)
{
	const char *aud = ml_json_str(o, "targetAudience"), *h;
	size_t i;

	*out = NULL;
	for (i = 0; aud != NULL && i < sizeof(push_audiences) /
	    sizeof(push_audiences[0]); i++)
		if (strcasecmp(aud, push_audiences[i].body) == 0)
			*out = &push_audiences[i];
	if (*out == NULL)
		return push_fail(ctx, F_VALUE);
	if (*out == &push_audiences[2] && ml_json_bool(o, "bulkUserRequest", 0))
		*out = &push_bulk;
	if (v21) {
		h = ml_sim_header(ctx, "X-MOE-Query-Type");
		if (h == NULL || strcasecmp(h, (*out)->header) != 0)
			return push_fail(ctx, F_VALUE);
	}
	return ML_OK;
}

static int
push_check_user(struct ml_sim_ctx *ctx, json_object *o)
{
	static const char *const attrs[] = {
		"USER_ATTRIBUTE_UNIQUE_ID", "USER_ATTRIBUTE_USER_EMAIL",
		"USER_ATTRIBUTE_USER_MOBILE", "MOE_GAID",
		"ADVERTISING_IDENTIFIER", "PUSH_ID", NULL
	};
	json_object *t = ml_json_get(o, "targetUserAttributes",
	    json_type_object), *v;
	const char *cmp = ml_json_str(t, "comparisonParameter");
	size_t n;

	if (t == NULL || ml_sim_fam_str(t, "attribute") == NULL ||
	    (!ml_json_bool(t, "isCustom", 0) &&
	    !ml_sim_fam_in(ml_json_str(t, "attribute"), attrs)) ||
	    !json_object_object_get_ex(t, "attributeValue", &v))
		return push_fail(ctx, F_VALUE);
	if (cmp != NULL && strcmp(cmp, "is") == 0 &&
	    json_object_is_type(v, json_type_string))
		return ML_OK;
	if (cmp == NULL || strcmp(cmp, "in") != 0 ||
	    !json_object_is_type(v, json_type_array))
		return push_fail(ctx, F_VALUE);
	n = json_object_array_length(v);
	if (n == 0 || n > PUSH_IN_MAX)
		return push_fail(ctx, F_VALUE);
	return ML_OK;
}

/* Each targeted platform needs its payload with the required fields. */
static int
push_check_payload(struct ml_sim_ctx *ctx, json_object *o)
{
	static const char *const platforms[] = { "ANDROID", "IOS", "WEB",
	    NULL };
	json_object *tp = ml_json_get(o, "targetPlatform", json_type_array);
	json_object *pl = ml_json_get(o, "payload", json_type_object), *p;
	const char *name;
	size_t i, n;

	n = tp != NULL ? json_object_array_length(tp) : 0;
	if (n == 0)
		return push_fail(ctx, F_VALUE);
	for (i = 0; i < n; i++) {
		name = json_object_get_string(json_object_array_get_idx(tp,
		    i));
		if (!json_object_is_type(json_object_array_get_idx(tp, i),
		    json_type_string) || !ml_sim_fam_in(name, platforms))
			return push_fail(ctx, F_VALUE);
		p = ml_json_get(pl, name, json_type_object);
		if (p == NULL || ml_sim_fam_str(p, "message") == NULL ||
		    ml_sim_fam_str(p, "title") == NULL)
			return push_fail(ctx, F_PARSE);
		if (strcmp(name, "WEB") == 0 &&
		    (ml_sim_fam_str(p, "redirectURL") == NULL ||
		    ml_sim_fam_str(p, "iconURL") == NULL))
			return push_fail(ctx, F_PARSE);
	}
	return ML_OK;
}

static int
push_check_delivery(struct ml_sim_ctx *ctx, json_object *o)
{
	static const char *const types[] = { "soon", "later", "periodic",
	    NULL };
	json_object *d = ml_json_get(o, "campaignDelivery", json_type_object);
	json_object *goals;
	const char *t = ml_json_str(d, "type");

	if (d == NULL || !ml_sim_fam_in(t, types))
		return push_fail(ctx, F_PARSE);
	if (strcmp(t, "later") == 0 && (ml_sim_fam_str(d, "date") == NULL ||
	    ml_sim_fam_str(d, "time") == NULL))
		return push_fail(ctx, F_PARSE);
	if (strcmp(t, "periodic") == 0 && ml_sim_fam_str(d, "time") == NULL)
		return push_fail(ctx, F_PARSE);
	if (json_object_object_get_ex(o, "conversionGoals", &goals) &&
	    (!json_object_is_type(goals, json_type_array) ||
	    json_object_array_length(goals) > PUSH_GOALS_MAX))
		return push_fail(ctx, F_VALUE);
	return ML_OK;
}

static int
push_check(struct ml_sim_ctx *ctx, json_object *o, int v21,
    const struct push_audience **aud)
{
	const char *app = ml_sim_fam_str(o, "appId");
	const char *name = ml_json_str(o, "campaignName");
	const char *rt = ml_json_str(o, "requestType");
	int rc;

	if (app == NULL)
		return push_fail(ctx, "appId not present");
	if (name == NULL)
		return push_fail(ctx, "Campaign Name not found");
	rc = push_workspace(ctx, app);
	if (rc == ML_OK)
		rc = push_check_signature(ctx, o, v21);
	if (rc)
		return rc;
	if (json_object_object_get_ex(o, "requestType", NULL) &&
	    (rt == NULL || strcmp(rt, "push") != 0))
		return push_fail(ctx, "Invalid Request Type");
	if (strlen(name) < PUSH_NAME_MIN)
		return push_fail(ctx, "Campaign Name too short");
	rc = push_check_audience(ctx, o, v21, aud);
	if (rc == ML_OK && strcmp((*aud)->body, "User") == 0)
		rc = push_check_user(ctx, o);
	if (rc == ML_OK && strcmp((*aud)->body, "Custom Segment") == 0 &&
	    ml_sim_fam_str(o, "customSegmentName") == NULL)
		rc = push_fail(ctx, F_VALUE);
	if (rc == ML_OK)
		rc = push_check_payload(ctx, o);
	if (rc == ML_OK)
		rc = push_check_delivery(ctx, o);
	return rc;
}

static int
push_send(struct ml_sim_ctx *ctx, int v21)
{
	const struct push_audience *aud = NULL;
	char cid[ML_SIM_HEXID_LEN + 1], id[ML_SIM_UUID_LEN + 1];
	json_object *body = NULL;
	int rc, dup = 0;

	rc = ml_sim_fam_begin(ctx, &body);
	if (rc == ML_OK)
		rc = push_check(ctx, body, v21, &aud);
	if (rc == ML_OK)
		rc = ml_sim_fam_spend(ctx, 1, aud->lim);
	if (rc == ML_OK)
		rc = ml_sim_campaign_add(ctx, ml_json_str(body,
		    "campaignName"), "PUSH", strcmp(aud->body, "User") == 0,
		    cid, &dup);
	if (rc == ML_OK && dup)
		rc = push_fail(ctx, "Duplicate campaign name");
	if (rc == ML_OK) {
		ml_sim_fam_uuid(id);
		rc = ml_sim_fam_send(ctx, 200, ml_sim_fam_strs("status",
		    "Success", "requestId", id, "responseId", id, "cid", cid,
		    NULL));
	}
	json_object_put(body);
	return ml_sim_fam_end(ctx, rc);
}

static int
push_send_v2(struct ml_sim_ctx *ctx)
{
	return push_send(ctx, 0);
}

static int
push_send_v21(struct ml_sim_ctx *ctx)
{
	return push_send(ctx, 1);
}

static int
push_other(struct ml_sim_ctx *ctx, int status)
{
	if (status == 404)
		return ml_sim_reply_not_found(ctx);
	if (status == 200)
		return push_fail(ctx, "Request limit exceeded");
	if (status == 500)
		return push_gateway(ctx, 500, "There seems to be an error. We "
		    "are working to fix this.");
	return push_gateway(ctx, status, MHD_get_reason_phrase_for(
	    (unsigned)status));
}

static int
push_fault(struct ml_sim_ctx *ctx, int status)
{
	return ml_sim_fam_fault(ctx, status, push_other);
}

static const struct ml_sim_fam_route r_send = {
	&push_spec, ML_SIM_F_NO_AUTH | ML_SIM_F_BODY | ML_SIM_F_QUIET_RATE,
	{ NULL }, NULL
};

static const struct ml_sim_route push_routes[] = {
	{ "POST", "/v2/transaction/sendpush", "send_push", push_send_v2,
	    &r_send },
	{ "POST", "/v2.1/transaction/sendpush", "send_push_v2_1",
	    push_send_v21, &r_send },
};

const struct ml_sim_family ml_sim_family_push = {
	"push", ML_HOST_PUSHAPI, push_routes,
	sizeof(push_routes) / sizeof(push_routes[0]),
	push_limits, sizeof(push_limits) / sizeof(push_limits[0]),
	push_fault,
};
