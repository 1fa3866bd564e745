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
};

const struct ml_sim_family ml_sim_family_subscription = {
	"subscription", ML_HOST_API, sub_routes,
	sizeof(sub_routes) / sizeof(sub_routes[0]),
	sub_limits, sizeof(sub_limits) / sizeof(sub_limits[0]),
	sub_fault,
};
