/* SPDX-License-Identifier: MIT */
/*
 * sim_personalize.c: Personalize, written from personalize-experience.yaml,
 * on sdk-<dc> under /v1 with the Personalize key (any other key, the
 * general one included, is 401 "Invalid API_KEY used in Authentication
 * Header") and MOE-APPKEY (missing or unknown: 400 "Request Error"):
 *
 *   POST /experiences/fetch     <= 25 experience keys (the first 25 are
 *                               used); 10,000/min; no match is 200 with
 *                               {"experiences":{}}
 *   GET  /experiences/metadata  ?status=Active,Paused,Scheduled
 *   POST /experiences/events    <= 100 users, each action with the six
 *                               attributes of its experience context;
 *                               deduplicated by moe_event_uuid (optional)
 *
 * Errors are {"title","description"[,"code"]}. Experiences are built on the
 * dashboard at MoEngage; every simulated workspace has the four of
 * pers_experiences: two Active ones (one for all users, one for users the
 * Data API holds), one Paused and one Scheduled (fetching those two returns
 * nothing, as documented).
 */
#include "sim/sim_fam.h"

#include <stdio.h>
#include <string.h>

#include <moelink/json.h>

#define PERS_KEYS_MAX 25
#define PERS_USERS_MAX 100
#define PERS_TZ_MAX 54000

struct pers_experience {
	const char *key, *name, *status;
	int known_only;		/* audience: users the Data API holds */
	const char *title, *cta;
};

static const struct pers_experience pers_experiences[] = {
	{ "homepage-banner", "Homepage Banner - Free Shipping", "Active", 0,
	    "Free shipping on orders over 999", "Shop Now" },
	{ "promo-strip", "Promo Strip - Returning Users", "Active", 1,
	    "Welcome back! 10% off today", "Claim" },
	{ "cart-upsell", "Cart Upsell Widget", "Paused", 0,
	    "You may also like", "Add" },
	{ "spring-sale", "Spring Sale Banner", "Scheduled", 0,
	    "Spring sale starts soon", "Notify me" },
};

#define PERS_N (sizeof(pers_experiences) / sizeof(pers_experiences[0]))

static const struct ml_sim_limit pers_limits[] = {
	{ "personalize_fetch_per_min", 10000 },
};

static const struct ml_sim_coll pers_seen = { "personalize_event_uuids",
	NULL };

/* ---- answers --------------------------------------------------------- */

static int
pers_fail(struct ml_sim_ctx *ctx, int status, const char *title,
    const char *desc, int code)
{
	return ml_sim_fam_send(ctx, status, ml_sim_fam_strs("title", title,
	    "description", desc, "code", code ? ctx->request_id : NULL,
	    NULL));
}

static int
pers_invalid(struct ml_sim_ctx *ctx, const char *field, const char *why)
{
	char desc[300];

	snprintf(desc, sizeof(desc), "%s - %s", field, why);
	return pers_fail(ctx, 400, "Invalid Field Value", desc, 1);
}

static int
pers_refuse(struct ml_sim_ctx *ctx, const struct ml_sim_why *why)
{
	switch (why->ref) {
	case ML_SIM_REF_NO_AUTH:
	case ML_SIM_REF_UNKNOWN_WS:
	case ML_SIM_REF_BAD_KEY:
		return pers_fail(ctx, 401, "Authentication required", "Invalid "
		    "API_KEY used in Authentication Header", 0);
	case ML_SIM_REF_NO_APPKEY:
	case ML_SIM_REF_APPKEY:
		return pers_fail(ctx, 400, "Request Error", "MoEngage Client not "
		    "found. Please check values for headers - MOE-APPKEY or "
		    "MOE-DBNAME", 0);
	case ML_SIM_REF_STATE:		/* inferred */
		return pers_fail(ctx, 403, "Forbidden", "Your account is "
		    "suspended. Please contact MoEngage team.", 0);
	case ML_SIM_REF_TOO_BIG:	/* inferred */
		return pers_fail(ctx, 413, "Payload Too Large", "The request "
		    "body is too large.", 0);
	case ML_SIM_REF_RATE:		/* inferred: none documented */
		return pers_fail(ctx, 429, "Too Many Requests", "Rate limit "
		    "exceeded for this workspace.", 0);
	default:
		break;
	}
	return pers_fail(ctx, 400, "Malformed JSON", "Could not decode the "
	    "request body. The JSON was incorrect or not encoded as UTF-8.",
	    0);
}

static const struct ml_sim_fam_spec pers_spec = {
	ML_FAM_PERSONALIZE, pers_refuse
};

/* ---- fetch ------------------------------------------------------------ */

static json_object *
pers_value(const char *v)
{
	return ml_sim_fam_strs("value", v, "data_type", "string", NULL);
}

static json_object *
pers_render(struct ml_sim_ctx *ctx, size_t i)
{
	const struct pers_experience *e = &pers_experiences[i];
	char cid[ML_SIM_HEXID_LEN + 32], hex[ML_SIM_HEXID_LEN + 1];
	const char *aud = e->known_only ? "Known Users" : "All Users";
	const char *aud_id = e->known_only ? "42D" : "5A";
	json_object *payload, *context;

	ml_sim_fam_hexid_of(ctx->ws->id, (long)i + 1000, hex);
	snprintf(cid, sizeof(cid), "%s_F_T_WP_AB_2_P_0_AU_%s", hex, aud_id);
	payload = ml_sim_fam_put(json_object_new_object(), "Title",
	    pers_value(e->title));
	payload = ml_sim_fam_put(payload, "CtaLabel", pers_value(e->cta));
	context = ml_sim_fam_strs("cid", cid, "experience", e->name,
	    "moe_locale_id", "0", "moe_variation_id", "1", "audience_name",
	    aud, "audience_id", aud_id, "type", "Web Personalization",
	    "experience_type", "API based Experience", NULL);
	return ml_sim_fam_put(ml_sim_fam_put(json_object_new_object(),
	    "payload", payload), "experience_context", context);
}

/* 1 if key is among the first PERS_KEYS_MAX of keys (NULL: every key). */
static int
pers_asked(json_object *keys, const char *key)
{
	size_t i, n;

	if (keys == NULL)
		return 1;
	n = json_object_array_length(keys);
	for (i = 0; i < n && i < PERS_KEYS_MAX; i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(
		    keys, i)), key) == 0)
			return 1;
	return 0;
}

static int
pers_check_fetch(struct ml_sim_ctx *ctx, json_object *o)
{
	static const char *const days[] = { "Monday", "Tuesday", "Wednesday",
	    "Thursday", "Friday", "Saturday", "Sunday", NULL };
	json_object *keys, *v;
	const char *h;
	char why[200];
	size_t i, n;

	if (json_object_object_get_ex(o, "experience_key", &keys)) {
		if (!json_object_is_type(keys, json_type_array))
			return pers_invalid(ctx, "experience_key", "must be a "
			    "list of experience keys");
		n = json_object_array_length(keys);
		for (i = 0; i < n; i++)
			if (!json_object_is_type(json_object_array_get_idx(
			    keys, i), json_type_string))
				return pers_invalid(ctx, "experience_key",
				    "must be a list of experience keys");
	}
	if (json_object_object_get_ex(o, "identifiers", &v) &&
	    !json_object_is_type(v, json_type_object))
		return pers_invalid(ctx, "identifiers", "must be an object");
	if (json_object_object_get_ex(o, "DAY_OF_THE_WEEK", &v) &&
	    !ml_sim_fam_in(ml_json_str(o, "DAY_OF_THE_WEEK"), days)) {
		/* personalize-experience.yaml's wording, value included. */
		snprintf(why, sizeof(why), "Enum doesnt allow value: %.64s, "
		    "allowed values: [Sunday, Monday, Tuesday, Wednesday, "
		    "Thursday, Friday, Saturday]", json_object_get_string(v));
		return pers_invalid(ctx, "DAY_OF_THE_WEEK", why);
	}
	h = ml_json_str(o, "TIME_OF_THE_DAY");
	if (json_object_object_get_ex(o, "TIME_OF_THE_DAY", NULL) &&
	    (h == NULL || strlen(h) != 2 || h[0] < '0' || h[0] > '2' ||
	    h[1] < '0' || h[1] > '9' || (h[0] == '2' && h[1] > '3')))
		return pers_invalid(ctx, "TIME_OF_THE_DAY", "must be \"00\" to "
		    "\"23\"");
	return ML_OK;
}

static int
pers_fetch(struct ml_sim_ctx *ctx)
{
	json_object *body = NULL, *exps = NULL, *keys, *u;
	const char *cid;
	size_t i;
	int rc, known = 0;

	rc = ml_sim_fam_begin(ctx, &body);
	if (rc == ML_OK)
		rc = pers_check_fetch(ctx, body);
	if (rc == ML_OK)
		rc = ml_sim_fam_spend(ctx, 1, NULL);
	cid = ml_json_str(ml_json_get(body, "identifiers", json_type_object),
	    "customer_id");
	if (rc == ML_OK && cid != NULL) {
		rc = ml_sim_state_user(ctx->sim->state, (size_t)ctx->ws_idx,
		    cid, &u);
		known = rc == ML_OK;
		if (known)
			json_object_put(u);
		if (rc == ML_ENOTFOUND)
			rc = ML_OK;
	}
	keys = ml_json_get(body, "experience_key", json_type_array);
	if (rc == ML_OK) {
		exps = json_object_new_object();
		for (i = 0; exps != NULL && i < PERS_N; i++) {
			if (strcmp(pers_experiences[i].status, "Active") != 0 ||
			    (pers_experiences[i].known_only && !known) ||
			    !pers_asked(keys, pers_experiences[i].key))
				continue;
			exps = ml_sim_fam_put(exps, pers_experiences[i].key,
			    pers_render(ctx, i));
		}
		rc = ml_sim_fam_send(ctx, 200, ml_sim_fam_put(
		    json_object_new_object(), "experiences", exps));
	}
	json_object_put(body);
	return ml_sim_fam_end(ctx, rc);
}

/* ---- metadata ---------------------------------------------------------- */

/* 1 if status is one of the comma-separated wanted values (NULL: all). */
static int
pers_status_wanted(const char *wanted, const char *status)
{
	size_t n = strlen(status);
	const char *p;

	if (wanted == NULL)
		return 1;
	for (p = wanted; p != NULL; p = strchr(p, ',') != NULL ?
	    strchr(p, ',') + 1 : NULL)
		if (strncmp(p, status, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

static int
pers_metadata(struct ml_sim_ctx *ctx)
{
	const char *wanted = ml_sim_query(ctx, "status");
	json_object *body = NULL, *list = NULL, *meta;
	size_t i;
	int rc;

	rc = ml_sim_fam_begin(ctx, &body);
	if (rc == ML_OK) {
		list = json_object_new_array();
		for (i = 0; list != NULL && i < PERS_N; i++)
			if (pers_status_wanted(wanted,
			    pers_experiences[i].status))
				list = ml_sim_fam_push(list, ml_sim_fam_strs(
				    "experience_name", pers_experiences[i].name,
				    "experience_key", pers_experiences[i].key,
				    "status", pers_experiences[i].status,
				    NULL));
		meta = json_object_new_object();
		if (meta != NULL && list != NULL && ml_json_add_int(meta,
		    "count", (int64_t)json_object_array_length(list))) {
			json_object_put(meta);
			meta = NULL;
		}
		rc = ml_sim_fam_send(ctx, 200, ml_sim_fam_put(
		    json_object_new_object(), "metadata", ml_sim_fam_put(meta,
		    "experiences", list)));
	}
	json_object_put(body);
	return ml_sim_fam_end(ctx, rc);
}

/* ---- events ------------------------------------------------------------ */

static int
pers_check_action(struct ml_sim_ctx *ctx, json_object *a)
{
	static const char *const actions[] = {
	    "MOE_PERSONALIZATION_MESSAGE_SHOWN",
	    "MOE_PERSONALIZATION_MESSAGE_CLICKED", NULL };
	static const char *const attrs[] = { "cid", "experience",
	    "moe_locale_id", "moe_variation_id", "audience_name",
	    "audience_id", NULL };
	json_object *at;
	size_t i;

	if (!json_object_is_type(a, json_type_object) ||
	    !ml_sim_fam_in(ml_json_str(a, "action"), actions))
		return pers_invalid(ctx, "action", "must be "
		    "MOE_PERSONALIZATION_MESSAGE_SHOWN or "
		    "MOE_PERSONALIZATION_MESSAGE_CLICKED");
	/* moe_event_uuid is optional: the schema marks no action member
	 * required, and the 400 lists no missing uuid. */
	if (json_object_object_get_ex(a, "moe_event_uuid", &at) &&
	    ml_sim_fam_str(a, "moe_event_uuid") == NULL)
		return pers_invalid(ctx, "moe_event_uuid", "must be a UUID "
		    "string");
	if (json_object_object_get_ex(a, "event_time", &at) &&
	    !json_object_is_type(at, json_type_int))
		return pers_invalid(ctx, "event_time", "must be Unix seconds");
	at = ml_json_get(a, "attributes", json_type_object);
	for (i = 0; attrs[i] != NULL; i++)
		if (at == NULL || ml_json_str(at, attrs[i]) == NULL)
			return pers_invalid(ctx, attrs[i], "is required in "
			    "attributes");
	return ML_OK;
}

static int
pers_check_events(struct ml_sim_ctx *ctx, json_object *o)
{
	json_object *els = ml_json_get(o, "elements", json_type_array), *e;
	json_object *acts, *tz;
	size_t i, j, n, na;
	int rc;

	n = els != NULL ? json_object_array_length(els) : 0;
	if (n == 0 || n > PERS_USERS_MAX)
		return pers_invalid(ctx, "elements", "must hold 1 to 100 users");
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(els, i);
		/* The documented form names the element's missing field. */
		if (ml_sim_fam_str(e, "customer_id") == NULL)
			return pers_invalid(ctx, "elements", "Validators Failed "
			    ": Validator: Element, Errored Field: customer_id");
		if (json_object_object_get_ex(e, "user_timezone_offset", &tz) &&
		    (!json_object_is_type(tz, json_type_int) ||
		    json_object_get_int64(tz) < -PERS_TZ_MAX ||
		    json_object_get_int64(tz) > PERS_TZ_MAX))
			return pers_invalid(ctx, "user_timezone_offset",
			    "must be -54000 to 54000 seconds");
		acts = ml_json_get(e, "actions", json_type_array);
		na = acts != NULL ? json_object_array_length(acts) : 0;
		if (na == 0)
			return pers_invalid(ctx, "elements", "Validators Failed "
			    ": Validator: Element, Errored Field: actions");
		for (j = 0; j < na; j++) {
			rc = pers_check_action(ctx, json_object_array_get_idx(
			    acts, j));
			if (rc)
				return rc;
		}
	}
	return ML_OK;
}

/* Remember each moe_event_uuid; a retried one is not counted again (an
 * action without one cannot be told from a retry, so is not remembered). */
static int
pers_events_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	json_object *els = ml_json_get(arg, "elements", json_type_array);
	json_object *acts;
	const char *uuid;
	size_t i, j, n = json_object_array_length(els), na;

	for (i = 0; i < n; i++) {
		acts = ml_json_get(json_object_array_get_idx(els, i),
		    "actions", json_type_array);
		na = json_object_array_length(acts);
		for (j = 0; j < na; j++) {
			uuid = ml_json_str(json_object_array_get_idx(acts, j),
			    "moe_event_uuid");
			if (uuid == NULL ||
			    json_object_object_get_ex(coll, uuid, NULL) ||
			    json_object_object_length(coll) >=
			    ML_SIM_STORE_ITEMS_MAX)
				continue;
			if (json_object_object_add(coll, uuid, NULL))
				return ML_ENOMEM;
		}
	}
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_strs("status", "success",
	    "message", "Your request has been accepted and will be processed "
	    "soon.", "req_id", ctx->request_id, NULL));
}

static int
pers_events(struct ml_sim_ctx *ctx)
{
	return ml_sim_fam_simple(ctx, pers_check_events, &pers_seen,
	    pers_events_fn);
}

/* ---- faults and the family ------------------------------------------- */

static int
pers_other(struct ml_sim_ctx *ctx, int status)
{
	if (status == 400)
		return pers_invalid(ctx, "body", "Invalid Field Value");
	return pers_fail(ctx, status, status >= 500 ? "Internal Server Error" :
	    MHD_get_reason_phrase_for((unsigned)status), status >= 500 ?
	    "An unexpected error was encountered while processing this "
	    "request. Please contact MoEngage Team" : NULL, 0);
}

static int
pers_fault(struct ml_sim_ctx *ctx, int status)
{
	return ml_sim_fam_fault(ctx, status, pers_other);
}

static const struct ml_sim_fam_route r_fetch = {
	&pers_spec, ML_SIM_F_APPKEY | ML_SIM_F_BODY, { &pers_limits[0], NULL },
	NULL
};
static const struct ml_sim_fam_route r_meta = {
	&pers_spec, ML_SIM_F_APPKEY, { NULL }, NULL
};
static const struct ml_sim_fam_route r_events = {
	&pers_spec, ML_SIM_F_APPKEY | ML_SIM_F_BODY, { NULL }, NULL
};

static const struct ml_sim_route pers_routes[] = {
	{ "POST", "/v1/experiences/fetch", "fetch_experiences", pers_fetch,
	    &r_fetch },
	{ "GET", "/v1/experiences/metadata", "experience_metadata",
	    pers_metadata, &r_meta },
	{ "POST", "/v1/experiences/events", "experience_events", pers_events,
	    &r_events },
};

const struct ml_sim_family ml_sim_family_personalize = {
	"personalize", ML_HOST_SDK, pers_routes,
	sizeof(pers_routes) / sizeof(pers_routes[0]),
	pers_limits, sizeof(pers_limits) / sizeof(pers_limits[0]),
	pers_fault,
};
