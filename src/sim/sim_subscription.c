/* SPDX-License-Identifier: MIT */
/*
 * sim_subscription.c: Subscription Preferences, written from
 * subscription-categories.yaml and email-subscription.yaml, on api-<dc>
 * with the Data key and MOE-APPKEY:
 *
 *   GET|PUT|POST /v1/category-subscription/user-preferences
 *        get / update one user (user_id + cid query) / bulk (<= 50);
 *        100/min and 360,000/day each; errors {"title","description"}
 *   PUT  /v1.0/opt-in-management/user-preferences
 *        1,000/min, 360,000/day; errors {"error":{"code","message",
 *        "details":{"target","message"}}}, 429 without a body
 *   POST /emails/v1.0/bulk-resubscribe
 *        <= 100 recipients, 10/min, 14,400/day, 202; errors
 *        {"response_id","error":{"message","err_code"}}
 *   GET  /v5/subscription-categories, GET|PATCH /v5/subscription-preferences
 *        (subscription-categories-v5.yaml, email-subscription-v5.yaml)
 *        100/min and 360,000/day each; users by moe_user_id, uid or
 *        email; PATCH needs Idempotency-Key (reused with another body:
 *        409) and answers 202; errors {"error":{"code","message","target"}}
 *
 * The workspace's subscription categories (set up on the dashboard at
 * MoEngage) are the five of SUB_CATEGORIES. Preferences are kept per user
 * key: the user_id of the landing page (taken as-is: the simulator does not
 * decrypt), the customer_id of bulk and opt-in updates, or an e-mail
 * address; GET shows every category (subscribed unless the user said
 * otherwise, all off after unsubscribe_all). Opt-in needs a customer_id the
 * Data API holds (or just an email_id); bulk resubscribe clears
 * unsubscribe_all for the addresses.
 */
#include "sim/sim_fam.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <moelink/json.h>

#define SUB_BULK_MAX 50
#define RESUB_MAX 100

static const char *const sub_categories[] = { "Promotional",
	"Transactional", "Newsletter", "Product Updates", "Special Offers",
	NULL };

static const struct ml_sim_limit sub_limits[] = {
	{ "subscription_get_per_min", 100 },
	{ "subscription_get_per_day", 360000 },
	{ "subscription_update_per_min", 100 },
	{ "subscription_update_per_day", 360000 },
	{ "subscription_bulk_per_min", 100 },
	{ "subscription_bulk_per_day", 360000 },
	{ "opt_in_per_min", 1000 },
	{ "opt_in_per_day", 360000 },
	{ "bulk_resubscribe_per_min", 10 },
	{ "bulk_resubscribe_per_day", 14400 },
	{ "subscription_v5_categories_per_min", 100 },
	{ "subscription_v5_categories_per_day", 360000 },
	{ "subscription_v5_get_per_min", 100 },
	{ "subscription_v5_get_per_day", 360000 },
	{ "subscription_v5_update_per_min", 100 },
	{ "subscription_v5_update_per_day", 360000 },
};

static const struct ml_sim_coll sub_coll = { "subscription_preferences",
	NULL };

/* ---- categories API answers ------------------------------------------- */

static int
sub_fail(struct ml_sim_ctx *ctx, int status, const char *title,
    const char *desc)
{
	return ml_sim_fam_send(ctx, status, ml_sim_fam_strs("title", title,
	    "description", desc, NULL));
}

static int
sub_refuse(struct ml_sim_ctx *ctx, const struct ml_sim_why *why)
{
	static const char *const auth = "Authentication required";

	switch (why->ref) {
	case ML_SIM_REF_NO_AUTH:
		return sub_fail(ctx, 401, auth, "No identity information "
		    "found");
	case ML_SIM_REF_UNKNOWN_WS:	/* inferred description */
		return sub_fail(ctx, 401, auth, "Invalid APP_ID used in "
		    "Authentication Header");
	case ML_SIM_REF_BAD_KEY:
		if (why->key == ML_SIM_KEY_NOT_SET)
			return sub_fail(ctx, 409, "API SECRET not configured",
			    NULL);
		return sub_fail(ctx, 401, auth, "App Secret key mismatch. "
		    "Please login to the dashboard to verify key");
	case ML_SIM_REF_NO_APPKEY:
		return sub_fail(ctx, 401, "Header required", "MOE-APPKEY "
		    "missing in Header");
	case ML_SIM_REF_APPKEY:		/* inferred */
		return sub_fail(ctx, 401, auth, "MOE_APPKEY doesn't match the "
		    "Username (APP_KEY) used in Basic Auth authorization.");
	case ML_SIM_REF_STATE:		/* inferred */
		return sub_fail(ctx, 403, "Account Suspended", "Your account is "
		    "suspended. Please contact MoEngage team.");
	case ML_SIM_REF_TOO_BIG:	/* inferred */
		return sub_fail(ctx, 413, "Payload Too Large", "The request "
		    "body is too large.");
	case ML_SIM_REF_RATE:
		return sub_fail(ctx, 429, "Rate-Limit Reached", "Exceeded rate "
		    "limit for this url");
	default:
		break;
	}
	return sub_fail(ctx, 400, "Malformed JSON", "Could not decode the "
	    "request body. The JSON was incorrect or not encoded as UTF-8.");
}

static const struct ml_sim_fam_spec sub_spec = {
	ML_FAM_SUBSCRIPTION, sub_refuse
};

/* ---- the preferences --------------------------------------------------- */

/* The stored record of a user key, created if asked. */
static json_object *
sub_record(json_object *coll, const char *key, int create)
{
	json_object *r = NULL;

	if (json_object_object_get_ex(coll, key, &r) || !create)
		return r;
	if (json_object_object_length(coll) >= ML_SIM_STORE_ITEMS_MAX)
		return NULL;
	r = ml_sim_fam_put(json_object_new_object(), "categories",
	    json_object_new_object());
	r = ml_sim_fam_put(r, "unsubscribe_all", json_object_new_boolean(0));
	if (r != NULL && json_object_object_add(coll, key, r)) {
		json_object_put(r);
		r = NULL;
	}
	return r;
}

/* Merge categories into the record; set unsubscribe_all if given. */
static int
sub_apply(json_object *r, json_object *cats, json_object *unsub)
{
	json_object *mine = ml_json_get(r, "categories", json_type_object);

	json_object_object_foreach(cats, k, v) {
		if (ml_sim_fam_put(mine, k, json_object_new_boolean(
		    json_object_get_boolean(v))) == NULL)
			return ML_ENOMEM;
	}
	if (unsub != NULL && ml_sim_fam_put(r, "unsubscribe_all",
	    json_object_new_boolean(json_object_get_boolean(unsub))) == NULL)
		return ML_ENOMEM;
	return ML_OK;
}

/* Categories must be an object of booleans. */
static int
sub_cats_ok(json_object *cats)
{
	if (!json_object_is_type(cats, json_type_object))
		return 0;
	json_object_object_foreach(cats, k, v) {
		(void)k;
		if (!json_object_is_type(v, json_type_boolean))
			return 0;
	}
	return 1;
}

/* user_id and cid of the landing page are required (the body is unused). */
static int
sub_params(struct ml_sim_ctx *ctx, json_object *body)
{
	(void)body;
	if (ml_sim_query(ctx, "user_id") == NULL ||
	    ml_sim_query(ctx, "user_id")[0] == '\0' ||
	    ml_sim_query(ctx, "cid") == NULL ||
	    ml_sim_query(ctx, "cid")[0] == '\0')
		return ml_sim_fam_send(ctx, 400, ml_sim_fam_strs("message",
		    "Invalid Params Received", NULL));
	return ML_OK;
}

static int
sub_get_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	json_object *r = sub_record(coll, ml_sim_query(ctx, "user_id"), 0);
	json_object *mine = ml_json_get(r, "categories", json_type_object);
	json_object *cats = json_object_new_object(), *v;
	int off = ml_json_bool(r, "unsubscribe_all", 0);
	size_t i;

	(void)arg;
	for (i = 0; cats != NULL && sub_categories[i] != NULL; i++)
		cats = ml_sim_fam_put(cats, sub_categories[i],
		    json_object_new_boolean(!off && (!json_object_object_get_ex(
		    mine, sub_categories[i], &v) ||
		    json_object_get_boolean(v))));
	/* Categories the user set that the workspace no longer lists. */
	if (mine != NULL) {
		json_object_object_foreach(mine, k, mv) {
			if (cats != NULL && !ml_sim_fam_in(k, sub_categories))
				cats = ml_sim_fam_put(cats, k,
				    json_object_new_boolean(!off &&
				    json_object_get_boolean(mv)));
		}
	}
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_put(
	    json_object_new_object(), "categories", cats));
}

static int
sub_get(struct ml_sim_ctx *ctx)
{
	return ml_sim_fam_simple(ctx, sub_params, &sub_coll, sub_get_fn);
}

static int
sub_put_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	json_object *body = arg;
	json_object *r = sub_record(coll, ml_sim_query(ctx, "user_id"), 1);

	if (r == NULL)
		return ML_ENOMEM;
	if (sub_apply(r, ml_json_get(body, "categories", json_type_object),
	    json_object_object_get(body, "unsubscribe_all")))
		return ML_ENOMEM;
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_strs("message", "Success",
	    NULL));
}

static int
sub_entry_ok(json_object *e)
{
	json_object *u;

	return json_object_is_type(e, json_type_object) &&
	    sub_cats_ok(json_object_object_get(e, "categories")) &&
	    json_object_object_get_ex(e, "unsubscribe_all", &u) &&
	    json_object_is_type(u, json_type_boolean);
}

static int
sub_check_put(struct ml_sim_ctx *ctx, json_object *body)
{
	int rc = sub_params(ctx, body);

	if (rc == ML_OK && !sub_entry_ok(body))
		rc = sub_fail(ctx, 400, "Categories Required", "categories "
		    "and unsubscribe_all are required");
	return rc;
}

static int
sub_put(struct ml_sim_ctx *ctx)
{
	return ml_sim_fam_simple(ctx, sub_check_put, &sub_coll, sub_put_fn);
}

static int
sub_bulk_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	json_object *list = ml_json_get(arg, "user_preferences",
	    json_type_array), *e, *r;
	size_t i, n = json_object_array_length(list);

	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(list, i);
		r = sub_record(coll, ml_json_str(e, "customer_id"), 1);
		if (r == NULL || sub_apply(r, ml_json_get(e, "categories",
		    json_type_object), json_object_object_get(e,
		    "unsubscribe_all")))
			return ML_ENOMEM;
	}
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_strs("message", "Your "
	    "request has been processed", NULL));
}

static int
sub_bulk_check(struct ml_sim_ctx *ctx, json_object *o)
{
	json_object *list = ml_json_get(o, "user_preferences",
	    json_type_array), *e;
	const char *ch = ml_json_str(o, "channel");
	size_t i, n;

	if (ch == NULL || strcmp(ch, "email") != 0 || list == NULL)
		return sub_fail(ctx, 400, "Invalid Params Received", "channel "
		    "(email) and user_preferences are required");
	n = json_object_array_length(list);
	if (n > SUB_BULK_MAX)
		return sub_fail(ctx, 400, "Payload Limit Exceeded", "Payload "
		    "limit is set to 50");
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(list, i);
		if (ml_sim_fam_str(e, "customer_id") == NULL ||
		    !sub_entry_ok(e))
			return sub_fail(ctx, 400, "Categories Required",
			    "customer_id, categories and unsubscribe_all are "
			    "required for every user");
	}
	return ML_OK;
}

static int
sub_bulk(struct ml_sim_ctx *ctx)
{
	return ml_sim_fam_simple(ctx, sub_bulk_check, &sub_coll, sub_bulk_fn);
}

/* ---- opt-in management ------------------------------------------------ */

/* {"error":{"code","message","details":{"target","message"}}} */
static int
opt_fail(struct ml_sim_ctx *ctx, int status, const char *code,
    const char *msg, const char *target, const char *dmsg)
{
	json_object *e = ml_sim_fam_put(ml_sim_fam_strs("code", code,
	    "message", msg, NULL), "details", ml_sim_fam_strs("target",
	    target, "message", dmsg, NULL));

	return ml_sim_fam_send(ctx, status, ml_sim_fam_put(
	    json_object_new_object(), "error", e));
}

static int
opt_bad(struct ml_sim_ctx *ctx, const char *target, const char *dmsg)
{
	return opt_fail(ctx, 400, "400 Bad Request", "Request Data is invalid",
	    target, dmsg);
}

static int
opt_refuse(struct ml_sim_ctx *ctx, const struct ml_sim_why *why)
{
	switch (why->ref) {
	case ML_SIM_REF_NO_AUTH:
		return opt_fail(ctx, 401, "401 Unauthorized", "Authentication "
		    "failed.", "Authorization Header", "Authorization header "
		    "is missing");
	case ML_SIM_REF_UNKNOWN_WS:
	case ML_SIM_REF_BAD_KEY:
		return opt_fail(ctx, 401, "401 Unauthorized", "Authentication "
		    "failed", "Data key", "Data API key is wrong. Please "
		    "provide correct Data API Key as password.");
	case ML_SIM_REF_NO_APPKEY:	/* inferred */
	case ML_SIM_REF_APPKEY:
		return opt_fail(ctx, 401, "401 Unauthorized", "Authentication "
		    "failed", "MOE-APPKEY", "MOE-APPKEY must be the Workspace "
		    "ID used in the Authorization header.");
	case ML_SIM_REF_STATE:		/* inferred */
		return opt_fail(ctx, 403, "403 Forbidden", "Account suspended",
		    "Workspace", "Your account is suspended. Please contact "
		    "MoEngage team.");
	case ML_SIM_REF_TOO_BIG:	/* inferred */
		return opt_fail(ctx, 413, "413 Payload Too Large", "Request "
		    "Data is invalid", "body", "The request body is too "
		    "large.");
	case ML_SIM_REF_RATE:	/* "There is no response body for this error." */
		return ml_sim_fam_send_empty(ctx, 429);
	default:
		break;
	}
	return opt_bad(ctx, "body", "Could not decode the request body.");
}

static const struct ml_sim_fam_spec opt_spec = {
	ML_FAM_SUBSCRIPTION, opt_refuse
};

/* Unknown categories: every one ("All provided ...") or a list. */
static int
opt_check_categories(struct ml_sim_ctx *ctx, json_object *cats)
{
	char bad[300] = "", msg[500];
	size_t nbad = 0, n = 0;

	if (!sub_cats_ok(cats))
		return opt_bad(ctx, "categories", "Wrong data type was used for "
		    "<categories> - Value must be an object of booleans.");
	json_object_object_foreach(cats, k, v) {
		(void)v;
		n++;
		if (ml_sim_fam_in(k, sub_categories))
			continue;
		if (nbad++ > 0)
			ml_strlcpy(bad + strlen(bad), ", ", sizeof(bad) -
			    strlen(bad));
		ml_strlcpy(bad + strlen(bad), k, sizeof(bad) - strlen(bad));
	}
	if (nbad > 0 && nbad == n)
		return opt_bad(ctx, "categories", "All provided categories are "
		    "either invalid or not active in the Workspace. Please "
		    "check the categories in the request.");
	if (nbad > 0) {
		snprintf(msg, sizeof(msg), "Categories %s are either invalid or "
		    "not active in the Workspace. Please check the categories "
		    "in the request.", bad);
		return opt_bad(ctx, "categories", msg);
	}
	return ML_OK;
}

static int
opt_check(struct ml_sim_ctx *ctx, json_object *o)
{
	static const char *const keys[] = { "customer_id", "email_id",
	    "categories", "opt_in_status", "channel", NULL };
	static const char *const statuses[] = { "DOUBLE_OPTED_IN",
	    "OPTED_OUT", "OPT_IN_PENDING", NULL };
	json_object *p = ml_json_get(o, "user_preferences", json_type_object);
	json_object *cid, *cats, *u;
	const char *extra;
	char target[160];
	int rc;

	if (p == NULL)
		return opt_bad(ctx, "user_preferences", "user_preferences is "
		    "mandatory.");
	extra = ml_sim_fam_extra_key(p, keys);
	if (extra != NULL) {
		snprintf(target, sizeof(target), "['%s']", extra);
		return opt_bad(ctx, target, "Extra key passed in the request");
	}
	if (json_object_object_get_ex(p, "customer_id", &cid) &&
	    !json_object_is_type(cid, json_type_string))
		return opt_bad(ctx, "customer_id", "Wrong data type was used "
		    "for <customer_id> - Value must be of type (<class "
		    "'str'>,).");
	if (ml_sim_fam_str(p, "customer_id") == NULL &&
	    ml_sim_fam_str(p, "email_id") == NULL)
		return opt_bad(ctx, "customer_id or email_id", "Either "
		    "customer_id or email_id is mandatory. Please provide at "
		    "least one of them.");
	if (!ml_sim_fam_in_nocase(ml_json_str(p, "opt_in_status"), statuses))
		return opt_bad(ctx, "opt_in_status", "Opt-In status can only be "
		    "'DOUBLE_OPTED_IN' or 'OPTED_OUT' or 'OPT_IN_PENDING' "
		    "(case-insensitive). Please provide the correct value.");
	if (ml_json_str(p, "channel") == NULL ||
	    strcasecmp(ml_json_str(p, "channel"), "email") != 0)
		return opt_bad(ctx, "channel", "Channel can only be ['email'] "
		    "(case-insensitive). Please provide the correct channel.");
	if (json_object_object_get_ex(p, "categories", &cats)) {
		rc = opt_check_categories(ctx, cats);
		if (rc)
			return rc;
	}
	/* A customer_id must be a user the Data API holds. */
	if (ml_sim_fam_str(p, "customer_id") != NULL &&
	    ml_sim_fam_str(p, "email_id") == NULL) {
		rc = ml_sim_state_user(ctx->sim->state, (size_t)ctx->ws_idx,
		    ml_json_str(p, "customer_id"), &u);
		if (rc == ML_ENOTFOUND)
			return opt_bad(ctx, "customer_id or email_id", "No users "
			    "found with the provided customer_id or email_id. "
			    "Please check the same.");
		if (rc)
			return rc;
		json_object_put(u);
	}
	return ML_OK;
}

static int
opt_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	json_object *p = ml_json_get(arg, "user_preferences",
	    json_type_object);
	json_object *cats = ml_json_get(p, "categories", json_type_object), *r;
	const char *key = ml_sim_fam_str(p, "email_id") != NULL ?
	    ml_json_str(p, "email_id") : ml_json_str(p, "customer_id");
	char status[32];
	int any = cats == NULL;
	size_t i;

	ml_strlcpy(status, ml_json_str(p, "opt_in_status"), sizeof(status));
	for (i = 0; status[i] != '\0'; i++)
		if (status[i] >= 'a' && status[i] <= 'z')
			status[i] = (char)(status[i] - 'a' + 'A');
	if (cats != NULL) {
		json_object_object_foreach(cats, k, v) {
			(void)k;
			any |= json_object_get_boolean(v);
		}
	}
	/* All categories off overrides the status (email-subscription.yaml). */
	if (!any)
		ml_strlcpy(status, "OPTED_OUT", sizeof(status));
	r = sub_record(coll, key, 1);
	if (r == NULL || (cats != NULL && sub_apply(r, cats, NULL)) ||
	    ml_json_add_str(r, "opt_in_status", status))
		return ML_ENOMEM;
	return ml_sim_fam_send(ctx, 200, ml_sim_fam_strs("message", "Your "
	    "request has been processed successfully", NULL));
}

static int
opt_put(struct ml_sim_ctx *ctx)
{
	return ml_sim_fam_simple(ctx, opt_check, &sub_coll, opt_fn);
}

/* ---- bulk resubscribe -------------------------------------------------- */

/* {"response_id","error":{"message","err_code"}} */
static int
resub_fail(struct ml_sim_ctx *ctx, int status, const char *msg,
    const char *code)
{
	return ml_sim_fam_send(ctx, status, ml_sim_fam_put(ml_sim_fam_strs(
	    "response_id", ctx->request_id, NULL), "error", ml_sim_fam_strs(
	    "message", msg, "err_code", code, NULL)));
}

static int
resub_refuse(struct ml_sim_ctx *ctx, const struct ml_sim_why *why)
{
	switch (why->ref) {
	case ML_SIM_REF_NO_AUTH:
		return resub_fail(ctx, 401, why->basic == ML_SIM_BASIC_NO_PASS ?
		    "Password (APP_SECRET) is missing in the Basic Auth "
		    "authorization." : why->basic == ML_SIM_BASIC_NO_USER ?
		    "Username (APP_KEY) is missing in the Basic Auth "
		    "authorization." : "Basic Auth authorization is missing.",
		    "AuthenticationMissing");
	case ML_SIM_REF_APPKEY:
		return resub_fail(ctx, 401, "MOE_APPKEY doesn't match the "
		    "Username (APP_KEY) used in Basic Auth authorization.",
		    "HeaderMismatch");
	case ML_SIM_REF_NO_APPKEY:	/* inferred */
		return resub_fail(ctx, 401, "MOE-APPKEY header missing in "
		    "request", "HeaderMissing");
	case ML_SIM_REF_UNKNOWN_WS:	/* inferred */
	case ML_SIM_REF_BAD_KEY:
		return resub_fail(ctx, 401, "App Secret key mismatch. Please "
		    "login to the dashboard to verify key",
		    "AuthenticationFailed");
	case ML_SIM_REF_STATE:		/* inferred */
		return resub_fail(ctx, 403, "Your account is suspended. Please "
		    "contact MoEngage team.", "Forbidden");
	case ML_SIM_REF_MEDIA:
		return resub_fail(ctx, 415, "The header 'Content-Type' is "
		    "missing. Kindly provide the header 'Content-Type' and set "
		    "it as 'application/json'", "HeaderMissing");
	case ML_SIM_REF_TOO_BIG:	/* inferred */
		return resub_fail(ctx, 413, "Payload too large", "BadRequest");
	case ML_SIM_REF_RATE:
		return resub_fail(ctx, 429, "Rate limit exceeded",
		    "TooManyRequests");
	default:
		break;
	}
	return resub_fail(ctx, 400, "Request_Body is mandatory. Kindly add "
	    "request_body and the desired fields in the API payload.",
	    "BadRequest");
}

static const struct ml_sim_fam_spec resub_spec = {
	ML_FAM_SUBSCRIPTION, resub_refuse
};

/*
 * recipients is a string in the schema and an array in its example: a
 * comma-separated string becomes the array (NULL when out of memory).
 */
static json_object *
resub_split(const char *s)
{
	json_object *arr = json_object_new_array(), *v;
	size_t n;

	while (arr != NULL) {
		while (*s == ' ' || *s == ',')
			s++;
		if (*s == '\0')
			break;
		n = strcspn(s, ",");
		while (n > 0 && s[n - 1] == ' ')
			n--;
		v = json_object_new_string_len(s, (int)n);
		if (v == NULL || json_object_array_add(arr, v) != 0) {
			json_object_put(v);
			json_object_put(arr);
			return NULL;
		}
		s += n;
	}
	return arr;
}

static int
resub_check(struct ml_sim_ctx *ctx, json_object *o)
{
	static const char *const keys[] = { "recipients", "update_esp", "esp",
	    "request_id", "customer_id", NULL };
	static const char *const bad_email = "Please provide input in a valid "
	    "email address format (example@domain.com) as part of "
	    "'Recipients'.";
	json_object *r;
	size_t i, n;

	if (ml_sim_fam_extra_key(o, keys) != NULL)
		return resub_fail(ctx, 400, "This API only supports "
		    "'Recipients', 'update_esp', 'esp' and 'request_id' as "
		    "fields in the Request Body. Kindly remove other fields "
		    "and try again", "InvalidSettings");
	if (!json_object_object_get_ex(o, "recipients", &r))
		return resub_fail(ctx, 400, "Request_Body is mandatory. Kindly "
		    "add request_body and the desired fields in the API "
		    "payload.", "BadRequest");
	if (json_object_is_type(r, json_type_string)) {
		r = resub_split(json_object_get_string(r));
		if (r == NULL || json_object_object_add(o, "recipients", r)) {
			json_object_put(r);
			return ML_ENOMEM;
		}
	}
	if (!json_object_is_type(r, json_type_array))
		return resub_fail(ctx, 400, bad_email, "InvalidInput");
	n = json_object_array_length(r);
	if (n == 0)
		return resub_fail(ctx, 400, "Add at least one email address as "
		    "part of the 'Recipients'", "InvalidInput");
	if (n > RESUB_MAX)
		return resub_fail(ctx, 400, "Payload limit is set to 100",
		    "BadRequest");
	for (i = 0; i < n; i++)
		if (!ml_sim_fam_is_email(json_object_get_string(
		    json_object_array_get_idx(r, i))))
			return resub_fail(ctx, 400, bad_email, "InvalidInput");
	if (ml_sim_fam_str(o, "request_id") == NULL)
		return resub_fail(ctx, 400, "request_id - Field is required but "
		    "value is None", "InvalidFieldValue");
	/* ResubscribeRequest requires esp too (wording inferred from the
	 * documented request_id answer). */
	if (ml_sim_fam_str(o, "esp") == NULL)
		return resub_fail(ctx, 400, "esp - Field is required but value "
		    "is None", "InvalidFieldValue");
	/* Only SendGrid is supported for the ESP side. */
	if (ml_json_bool(o, "update_esp", 0) && (ml_json_str(o, "esp") ==
	    NULL || strcasecmp(ml_json_str(o, "esp"), "SENDGRID") != 0))
		return resub_fail(ctx, 400, "Invalid Email Connector Settings: "
		    "only SENDGRID is supported", "InvalidSettings");
	return ML_OK;
}

static int
resub_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	json_object *list = ml_json_get(arg, "recipients", json_type_array);
	json_object *r;
	size_t i, n = json_object_array_length(list);

	for (i = 0; i < n; i++) {
		r = sub_record(coll, json_object_get_string(
		    json_object_array_get_idx(list, i)), 1);
		if (r == NULL || ml_sim_fam_put(r, "unsubscribe_all",
		    json_object_new_boolean(0)) == NULL)
			return ML_ENOMEM;
	}
	return ml_sim_fam_send(ctx, 202, ml_sim_fam_strs("message", "The "
	    "request is submitted successfully.", "response_id",
	    ctx->request_id, NULL));
}

static int
resub_post(struct ml_sim_ctx *ctx)
{
	return ml_sim_fam_simple(ctx, resub_check, &sub_coll, resub_fn);
}

/* ---- v5 (subscription-categories-v5.yaml, email-subscription-v5.yaml) -- */

/*
 * The workspace's categories by their v5 names, in the order of
 * sub_categories (the v1 names, which v5 shows as display_name), so a v5
 * update and a v1 read see the same preferences. All are email categories;
 * no SMS category is set up.
 */
static const char *const sub5_names[] = { "promotional", "transactional",
	"newsletter", "product_updates", "special_offers", NULL };
static const char *const sub5_id_types[] = { "moe_user_id", "uid", "email",
	NULL };
static const char *const sub5_channels[] = { "email", "sms", NULL };

#define SUB5_ATTRS_MAX 5
#define SUB5_ATTR_NAME_MAX 50
#define SUB5_ATTR_VALUE_MAX 255

static const struct ml_sim_coll sub5_keys = {
	"subscription_v5_idempotency", NULL
};

/* {"error":{"code","message","target"}} (target null when NULL). */
static int
sub5_fail(struct ml_sim_ctx *ctx, int status, const char *code,
    const char *msg, const char *target)
{
	json_object *e = ml_sim_fam_strs("code", code, "message", msg, NULL);

	if (e != NULL && json_object_object_add(e, "target", target != NULL ?
	    json_object_new_string(target) : NULL)) {
		json_object_put(e);
		e = NULL;
	}
	return ml_sim_fam_send(ctx, status, ml_sim_fam_put(
	    json_object_new_object(), "error", e));
}

static int
sub5_bad(struct ml_sim_ctx *ctx, const char *msg, const char *target)
{
	return sub5_fail(ctx, 400, "BadArgument", msg, target);
}

static int
sub5_refuse(struct ml_sim_ctx *ctx, const struct ml_sim_why *why)
{
	switch (why->ref) {
	case ML_SIM_REF_STATE:		/* inferred wording */
		return sub5_fail(ctx, 403, "Forbidden", "Your account is "
		    "suspended. Please contact MoEngage team.",
		    "Authorization");
	case ML_SIM_REF_TOO_BIG:
		return sub5_fail(ctx, 413, "PayloadTooLarge", "Request entity "
		    "is too large", NULL);
	case ML_SIM_REF_MEDIA:		/* inferred */
	case ML_SIM_REF_NO_BODY:
	case ML_SIM_REF_MALFORMED:
		return sub5_bad(ctx, "A valid JSON object body is required",
		    NULL);
	case ML_SIM_REF_RATE:
		return sub5_fail(ctx, 429, "TooManyRequests",
		    "Rate limit exceeded", NULL);
	default:
		break;
	}
	/* Credentials, and (inferred) MOE-APPKEY missing or another one. */
	return sub5_fail(ctx, 401, "Unauthorized",
	    "Invalid or missing credentials", "Authorization");
}

static const struct ml_sim_fam_spec sub5_spec = {
	ML_FAM_SUBSCRIPTION, sub5_refuse
};

#define SUB5_RID_MAX (ML_SIM_REQID_LEN + 8)

/* This request's response_id. */
static void
sub5_rid(struct ml_sim_ctx *ctx, char rid[SUB5_RID_MAX])
{
	snprintf(rid, SUB5_RID_MAX, "resp_%s", ctx->request_id);
}

/* {"response_id","type","data"} with data consumed. */
static int
sub5_send_as(struct ml_sim_ctx *ctx, int status, const char *rid,
    const char *type, json_object *data)
{
	return ml_sim_fam_send(ctx, status, ml_sim_fam_put(ml_sim_fam_strs(
	    "response_id", rid, "type", type, NULL), "data", data));
}

static int
sub5_send(struct ml_sim_ctx *ctx, int status, const char *type,
    json_object *data)
{
	char rid[SUB5_RID_MAX];

	sub5_rid(ctx, rid);
	return sub5_send_as(ctx, status, rid, type, data);
}

/* The PATCH's 202, under response_id rid. */
static int
sub5_accepted(struct ml_sim_ctx *ctx, const char *rid)
{
	return sub5_send_as(ctx, 202, rid, "subscription_preference",
	    ml_sim_fam_strs("message", "Your request has been accepted and "
	    "is being processed.", NULL));
}

static int
sub5_channel(struct ml_sim_ctx *ctx, const char *channel)
{
	if (channel != NULL && !ml_sim_fam_in(channel, sub5_channels))
		return sub5_bad(ctx, "channel must be one of: email, sms",
		    "channel");
	return ML_OK;
}

static int
sub5_categories(struct ml_sim_ctx *ctx)
{
	const char *channel = ml_sim_query(ctx, "channel");
	json_object *body = NULL, *list = NULL;
	size_t i;
	int rc;

	rc = ml_sim_fam_begin(ctx, &body);
	if (rc == ML_OK)
		rc = sub5_channel(ctx, channel);
	if (rc == ML_OK)
		rc = ml_sim_fam_spend(ctx, 1, NULL);
	if (rc == ML_OK) {
		list = json_object_new_array();
		for (i = 0; list != NULL && sub5_names[i] != NULL &&
		    (channel == NULL || strcmp(channel, "email") == 0); i++)
			list = ml_sim_fam_push(list, ml_sim_fam_strs("name",
			    sub5_names[i], "display_name", sub_categories[i],
			    "description", sub_categories[i], "channel", "email",
			    "group", i == 1 ? "Service" : "Marketing", "status",
			    "active", NULL));
		rc = sub5_send(ctx, 200, "subscription_category", list);
	}
	json_object_put(body);
	return ml_sim_fam_end(ctx, rc);
}

/*
 * The user named by (type, value): its preference key (uid: the
 * customer_id; email: the address, as the v1 opt-in and resubscribe APIs
 * keep it) and its v5 user_id ("usr_" + MoEngage id when the Data API holds
 * the user). Answers 400/404 itself.
 */
static int
sub5_user(struct ml_sim_ctx *ctx, const char *type, const char *value,
    char *key, size_t key_cap, char *uid, size_t uid_cap)
{
	const char *id = value;
	json_object *u = NULL, *ua;
	int rc;

	if (type == NULL)	/* inferred */
		return sub5_bad(ctx, "user_identifier_type is required",
		    "user_identifier_type");
	if (!ml_sim_fam_in(type, sub5_id_types))
		return sub5_bad(ctx, "user_identifier_type must be one of: "
		    "moe_user_id, uid, email", "user_identifier_type");
	if (value == NULL || value[0] == '\0')
		return sub5_bad(ctx, "user_identifier_value is required",
		    "user_identifier_value");
	if (strcmp(type, "email") == 0) {
		/* Addresses are not indexed: any one is a known user. */
		snprintf(key, key_cap, "%s", value);
		snprintf(uid, uid_cap, "%s", value);
		return ML_OK;
	}
	if (strcmp(type, "moe_user_id") == 0 && strncmp(id, "usr_", 4) == 0)
		id += 4;
	rc = ml_sim_state_export(ctx->sim->state, (size_t)ctx->ws_idx,
	    strcmp(type, "uid") == 0 ? "customer_id" : "moengage_id", id, NULL,
	    &u);
	if (rc == ML_ENOTFOUND)
		return sub5_fail(ctx, 404, "NotFound", "No user found for the "
		    "given identifier", "user_identifier_value");
	if (rc)
		return rc;
	ua = ml_json_get(u, "user_attributes", json_type_object);
	snprintf(key, key_cap, "%s", ml_json_str(ua, "customer_id"));
	snprintf(uid, uid_cap, "usr_%s", ml_json_str(ua, "id"));
	json_object_put(u);
	return ML_OK;
}

struct sub5_req {
	char key[ML_SIM_PARAM_MAX];
	char uid[ML_SIM_PARAM_MAX];
	const char *channel;
	json_object *body;	/* PATCH */
};

static int
sub5_get_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	struct sub5_req *q = arg;
	json_object *r = sub_record(coll, q->key, 0), *list, *data, *v;
	json_object *mine = ml_json_get(r, "categories", json_type_object);
	int off = ml_json_bool(r, "unsubscribe_all", 0), on;
	size_t i;

	list = json_object_new_array();
	for (i = 0; list != NULL && sub5_names[i] != NULL &&
	    (q->channel == NULL || strcmp(q->channel, "email") == 0); i++) {
		on = !off && (!json_object_object_get_ex(mine,
		    sub_categories[i], &v) || json_object_get_boolean(v));
		list = ml_sim_fam_push(list, ml_sim_fam_strs("name",
		    sub5_names[i], "display_name", sub_categories[i], "channel",
		    "email", "group", i == 1 ? "Service" : "Marketing", "status",
		    on ? "subscribed" : "unsubscribed", NULL));
	}
	data = ml_sim_fam_put(ml_sim_fam_strs("user_id", q->uid, NULL),
	    "is_globally_unsubscribed", json_object_new_boolean(off));
	return sub5_send(ctx, 200, "subscription_preference",
	    ml_sim_fam_put(data, "categories", list));
}

static int
sub5_get(struct ml_sim_ctx *ctx)
{
	struct sub5_req q;
	json_object *body = NULL;
	int rc;

	memset(&q, 0, sizeof(q));
	q.channel = ml_sim_query(ctx, "channel");
	rc = ml_sim_fam_begin(ctx, &body);
	if (rc == ML_OK)
		rc = sub5_user(ctx, ml_sim_query(ctx, "user_identifier_type"),
		    ml_sim_query(ctx, "user_identifier_value"), q.key,
		    sizeof(q.key), q.uid, sizeof(q.uid));
	if (rc == ML_OK)
		rc = sub5_channel(ctx, q.channel);
	if (rc == ML_OK)
		rc = ml_sim_fam_spend(ctx, 1, NULL);
	if (rc == ML_OK)
		rc = ml_sim_store_run(ctx, &sub_coll, sub5_get_fn, &q);
	json_object_put(body);
	return ml_sim_fam_end(ctx, rc);
}

/* The PATCH body's own checks (the user is resolved afterwards). */
static int
sub5_check_patch(struct ml_sim_ctx *ctx, json_object *o)
{
	json_object *v, *cats, *attrs;

	if (!json_object_object_get_ex(o, "is_globally_unsubscribed", &v) ||
	    !json_object_is_type(v, json_type_boolean))
		return sub5_bad(ctx, "is_globally_unsubscribed is required",
		    "is_globally_unsubscribed");
	cats = json_object_object_get(o, "categories");
	if (cats != NULL) {
		if (!json_object_is_type(cats, json_type_object))
			return sub5_bad(ctx, "Unknown category name(s)",
			    "categories");
		json_object_object_foreach(cats, k, cv) {
			if (!ml_sim_fam_in(k, sub5_names) ||
			    !json_object_is_type(cv, json_type_boolean))
				return sub5_bad(ctx, "Unknown category name(s)",
				    "categories");
		}
	}
	attrs = json_object_object_get(o, "event_attributes");
	if (attrs == NULL)
		return ML_OK;
	if (!json_object_is_type(attrs, json_type_object))
		return sub5_bad(ctx, "Invalid event_attributes",
		    "event_attributes");
	if (json_object_object_length(attrs) > SUB5_ATTRS_MAX)
		return sub5_bad(ctx, "A maximum of 5 event_attributes is "
		    "allowed", "event_attributes");
	json_object_object_foreach(attrs, ak, av) {
		if (strlen(ak) > SUB5_ATTR_NAME_MAX ||
		    !json_object_is_type(av, json_type_string) ||
		    json_object_get_string_len(av) > SUB5_ATTR_VALUE_MAX)
			return sub5_bad(ctx, "Invalid event_attributes",
			    "event_attributes");
	}
	return ML_OK;
}

/*
 * Idempotency-Key: the first use records the body and the response_id;
 * the same key with the same body again "returns the original response
 * without reapplying the update" (the same 202 and response_id), with
 * another body it is the 409.
 */
static int
sub5_idem_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	const char *key = ml_sim_header(ctx, "Idempotency-Key");
	const char *text = ml_json_text(arg), *seen;
	char rid[SUB5_RID_MAX];
	json_object *rec, *t;

	rec = ml_json_get(coll, key, json_type_object);
	seen = ml_json_str(rec, "body");
	if (seen != NULL && strcmp(seen, text) == 0)
		return sub5_accepted(ctx, ml_json_str(rec, "response_id"));
	if (seen != NULL)
		return sub5_fail(ctx, 409, "Conflict", "Idempotency-Key was "
		    "already used with a different request body",
		    "Idempotency-Key");
	if (json_object_object_length(coll) >= ML_SIM_STORE_ITEMS_MAX)
		return sub5_fail(ctx, 429, "TooManyRequests",
		    "Rate limit exceeded", NULL);
	sub5_rid(ctx, rid);
	t = ml_sim_fam_strs("body", text, "response_id", rid, NULL);
	if (t == NULL || json_object_object_add(coll, key, t)) {
		json_object_put(t);
		return ML_ENOMEM;
	}
	return ML_OK;
}

static int
sub5_patch_fn(struct ml_sim_ctx *ctx, json_object *coll, void *arg)
{
	struct sub5_req *q = arg;
	char rid[SUB5_RID_MAX];
	json_object *r = sub_record(coll, q->key, 1), *cats, *mapped, *v;
	json_object *off = json_object_object_get(q->body,
	    "is_globally_unsubscribed");
	size_t i;

	if (r == NULL)
		return ML_ENOMEM;
	/*
	 * true: unsubscribed from everything, categories ignored. The
	 * categories are email ones: no SMS category is set up.
	 */
	cats = json_object_get_boolean(off) || (q->channel != NULL &&
	    strcmp(q->channel, "sms") == 0) ? NULL : ml_json_get(q->body,
	    "categories", json_type_object);
	mapped = json_object_new_object();
	for (i = 0; mapped != NULL && sub5_names[i] != NULL; i++)
		if (json_object_object_get_ex(cats, sub5_names[i], &v))
			mapped = ml_sim_fam_put(mapped, sub_categories[i],
			    json_object_new_boolean(json_object_get_boolean(v)));
	if (mapped == NULL || sub_apply(r, mapped, off)) {
		json_object_put(mapped);
		return ML_ENOMEM;
	}
	json_object_put(mapped);
	sub5_rid(ctx, rid);
	return sub5_accepted(ctx, rid);
}

static int
sub5_patch(struct ml_sim_ctx *ctx)
{
	struct sub5_req q;
	const char *idem = ml_sim_header(ctx, "Idempotency-Key");
	int rc;

	memset(&q, 0, sizeof(q));
	rc = ml_sim_fam_begin(ctx, &q.body);
	/* Required by both drafts; the missing-key answer is inferred. */
	if (rc == ML_OK && (idem == NULL || idem[0] == '\0'))
		rc = sub5_bad(ctx, "Idempotency-Key header is required",
		    "Idempotency-Key");
	if (rc == ML_OK)
		rc = sub5_user(ctx, ml_sim_fam_str(q.body,
		    "user_identifier_type"), ml_sim_fam_str(q.body,
		    "user_identifier_value"), q.key, sizeof(q.key), q.uid,
		    sizeof(q.uid));
	if (rc == ML_OK) {
		q.channel = ml_json_str(q.body, "channel");
		rc = sub5_channel(ctx, q.channel);
	}
	if (rc == ML_OK)
		rc = sub5_check_patch(ctx, q.body);
	if (rc == ML_OK)
		rc = ml_sim_fam_spend(ctx, 1, NULL);
	if (rc == ML_OK)
		rc = ml_sim_store_run(ctx, &sub5_keys, sub5_idem_fn, q.body);
	if (rc == ML_OK)
		rc = ml_sim_store_run(ctx, &sub_coll, sub5_patch_fn, &q);
	json_object_put(q.body);
	return ml_sim_fam_end(ctx, rc);
}

/* ---- faults and the family ------------------------------------------- */

static int
sub_other(struct ml_sim_ctx *ctx, int status)
{
	const struct ml_sim_fam_spec *spec = ml_sim_fam_route(ctx)->spec;
	const char *why = MHD_get_reason_phrase_for((unsigned)status);

	if (spec == &resub_spec)
		return resub_fail(ctx, status, status >= 500 ? "Please Contact "
		    "Moengage Team" : why, status >= 500 ?
		    "INTERNAL_SERVER_ERROR" : "BadRequest");
	if (spec == &opt_spec)
		return status >= 500 ? opt_fail(ctx, status, "500 Internal "
		    "Server Error", "Something went wrong, Please contact "
		    "MoEngage Team.", NULL, NULL) : opt_fail(ctx, status, why,
		    why, "request", why);
	if (spec == &sub5_spec)
		return status >= 500 ? sub5_fail(ctx, status,
		    "InternalServerError", "Something went wrong, please retry",
		    NULL) : sub5_fail(ctx, status, status == 400 ? "BadArgument" :
		    why, why, NULL);
	if (status == 409)
		return sub_fail(ctx, 409, "API SECRET not configured", NULL);
	return sub_fail(ctx, status, status >= 500 ? "Internal Error" :
	    status == 400 ? "Invalid Params Received" : why, NULL);
}

static int
sub_fault(struct ml_sim_ctx *ctx, int status)
{
	return ml_sim_fam_fault(ctx, status, sub_other);
}

static const struct ml_sim_fam_route r_get = {
	&sub_spec, ML_SIM_F_APPKEY, { &sub_limits[0], &sub_limits[1], NULL },
	NULL
};
static const struct ml_sim_fam_route r_put = {
	&sub_spec, ML_SIM_F_APPKEY | ML_SIM_F_BODY,
	{ &sub_limits[2], &sub_limits[3], NULL }, NULL
};
static const struct ml_sim_fam_route r_bulk = {
	&sub_spec, ML_SIM_F_APPKEY | ML_SIM_F_BODY,
	{ &sub_limits[4], &sub_limits[5], NULL }, NULL
};
static const struct ml_sim_fam_route r_opt = {
	&opt_spec, ML_SIM_F_APPKEY | ML_SIM_F_BODY,
	{ &sub_limits[6], &sub_limits[7], NULL }, NULL
};
static const struct ml_sim_fam_route r_resub = {
	&resub_spec, ML_SIM_F_APPKEY | ML_SIM_F_MEDIA | ML_SIM_F_BODY,
	{ &sub_limits[8], &sub_limits[9], NULL }, NULL
};

/* The drafts disagree on MOE-APPKEY for the reads: not required there. */
static const struct ml_sim_fam_route r_v5_categories = {
	&sub5_spec, 0, { &sub_limits[10], &sub_limits[11], NULL }, NULL
};
static const struct ml_sim_fam_route r_v5_get = {
	&sub5_spec, 0, { &sub_limits[12], &sub_limits[13], NULL }, NULL
};
static const struct ml_sim_fam_route r_v5_patch = {
	&sub5_spec, ML_SIM_F_APPKEY | ML_SIM_F_BODY,
	{ &sub_limits[14], &sub_limits[15], NULL }, NULL
};

static const struct ml_sim_route sub_routes[] = {
	{ "GET", "/v1/category-subscription/user-preferences",
	    "get_subscription_preferences", sub_get, &r_get },
	{ "PUT", "/v1/category-subscription/user-preferences",
	    "update_subscription_preferences", sub_put, &r_put },
	{ "POST", "/v1/category-subscription/user-preferences",
	    "bulk_update_subscription_preferences", sub_bulk, &r_bulk },
	{ "PUT", "/v1.0/opt-in-management/user-preferences",
	    "update_opt_in_preferences", opt_put, &r_opt },
	{ "POST", "/emails/v1.0/bulk-resubscribe", "bulk_resubscribe",
	    resub_post, &r_resub },
	{ "GET", "/v5/subscription-categories", "list_subscription_categories",
	    sub5_categories, &r_v5_categories },
	{ "GET", "/v5/subscription-preferences",
	    "get_subscription_preferences_v5", sub5_get, &r_v5_get },
	{ "PATCH", "/v5/subscription-preferences",
	    "update_subscription_preferences_v5", sub5_patch, &r_v5_patch },
};

const struct ml_sim_family ml_sim_family_subscription = {
	"subscription", ML_HOST_API, sub_routes,
	sizeof(sub_routes) / sizeof(sub_routes[0]),
	sub_limits, sizeof(sub_limits) / sizeof(sub_limits[0]),
	sub_fault,
};
