/* SPDX-License-Identifier: MIT */
/*
 * validate_subscription.c: Subscription Preferences input rules
 * (subscription-categories.yaml, email-subscription.yaml): the per-user
 * GET and PUT need the encrypted user_id and cid in the query, PUT a body
 * of categories and unsubscribe_all; the bulk update 1..50
 * user_preferences of customer_id, categories and unsubscribe_all; opt-in
 * management an opt_in_status, the email channel and a customer_id or
 * email_id; bulk resubscribe recipients (a comma-separated string, as the
 * schema says, or an array, as its example shows) of at most 100
 * addresses, an esp and a request_id.
 * Stateless and thread-safe; nothing allocates.
 */
#include "moengage/validate_fam_int.h"

#include <string.h>

#include <moelink/json.h>

#include "moengage/validate_int.h"

static const char *const get_query[] = { "user_id", "cid", NULL };
static const char *const put_query[] = { "user_id", "cid", "moe_event_id",
	NULL };
static const char *const no_query[] = { NULL };
static const char *const opt_in_statuses[] = {
	"DOUBLE_OPTED_IN", "OPTED_OUT", "OPT_IN_PENDING", NULL,
};
/* "Channel can only be ['email'] (case-insensitive)": its documented 400. */
static const char *const channels[] = { "email", NULL };

/* categories must map names to booleans. */
static int
sub_categories(json_object *obj, int required, const char *prefix,
    struct ml_err *err)
{
	json_object *cats;
	int rc;

	rc = ml__vobj_member(obj, "categories", required, prefix, &cats, err);
	if (rc || cats == NULL)
		return rc;
	json_object_object_foreach(cats, k, v) {
		if (!json_object_is_type(v, json_type_boolean))
			return ml__vfail(err, prefix, "categories", "\"%.40s\" "
			    "must be true or false", k);
	}
	return ML_OK;
}

static int
sub_user_query(json_object *query, const char *const *allowed,
    struct ml_err *err)
{
	int rc;

	rc = ml__vquery_keys(query, allowed, err);
	if (rc == ML_OK)
		rc = ml__vstring(query, "user_id", 1, "query.", NULL, err);
	if (rc == ML_OK)
		rc = ml__vstring(query, "cid", 1, "query.", NULL, err);
	return rc;
}

int
ml_validate_get_subscription(json_object *body, json_object *query,
    struct ml_err *err)
{
	(void)body;
	return sub_user_query(query, get_query, err);
}

int
ml_validate_update_subscription(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	rc = sub_user_query(query, put_query, err);
	if (rc == ML_OK)
		rc = ml__vobject(body, err);
	if (rc == ML_OK)
		rc = sub_categories(body, 1, "", err);
	if (rc == ML_OK)
		rc = ml__vbool(body, "unsubscribe_all", 1, "", err);
	return rc;
}

static int
sub_user(json_object *p, const char *prefix, void *ud, struct ml_err *err)
{
	int rc;

	(void)ud;
	rc = ml__vstring(p, "customer_id", 1, prefix, NULL, err);
	if (rc == ML_OK)
		rc = sub_categories(p, 1, prefix, err);
	if (rc == ML_OK)
		rc = ml__vbool(p, "unsubscribe_all", 1, prefix, err);
	return rc;
}

int
ml_validate_bulk_update_subscription(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "channel", 1, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__veach(body, "user_preferences", 1,
		    ML_SUBSCRIPTION_BULK_MAX, 1, "", "{\"customer_id\", ...}",
		    sub_user, NULL, err);
	return rc;
}

int
ml_validate_email_opt_in(json_object *body, json_object *query,
    struct ml_err *err)
{
	static const char prefix[] = "user_preferences.";
	json_object *p;
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__vobj_member(body, "user_preferences", 1, "", &p, err);
	if (rc == ML_OK)
		rc = ml__venum_nocase(p, "opt_in_status", opt_in_statuses, 1,
		    prefix, err);
	if (rc == ML_OK)
		rc = ml__venum_nocase(p, "channel", channels, 1, prefix, err);
	if (rc == ML_OK)
		rc = ml__vstring(p, "customer_id", 0, prefix, NULL, err);
	if (rc == ML_OK)
		rc = ml__vstring(p, "email_id", 0, prefix, NULL, err);
	if (rc == ML_OK && ml_json_str(p, "customer_id") == NULL &&
	    ml_json_str(p, "email_id") == NULL)
		rc = ml__vfail(err, prefix, "customer_id", "give customer_id "
		    "or email_id");
	if (rc == ML_OK)
		rc = sub_categories(p, 0, prefix, err);
	return rc;
}

/* Addresses in "a@x.com, b@y.com": non-empty comma-separated parts. */
static size_t
sub_count_list(const char *s)
{
	size_t n = 0, len;
	const char *p = s;

	for (;;) {
		while (*p == ' ')
			p++;
		len = strcspn(p, ",");
		if (len > 0)
			n++;
		if (p[len] == '\0')
			return n;
		p += len + 1;
	}
}

int
ml_validate_bulk_resubscribe(json_object *body, json_object *query,
    struct ml_err *err)
{
	json_object *r = NULL;
	size_t n;
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "esp", 1, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "request_id", 1, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__vbool(body, "update_esp", 0, "", err);
	if (rc)
		return rc;
	json_object_object_get_ex(body, "recipients", &r);
	if (r != NULL && json_object_is_type(r, json_type_array))
		return ml__vstrings(body, "recipients", 1, ML_RESUBSCRIBE_MAX,
		    1, "", err);
	rc = ml__vstring(body, "recipients", 1, "", NULL, err);
	if (rc)
		return rc;
	n = sub_count_list(json_object_get_string(r));
	if (n == 0)
		return ml__vfail(err, "", "recipients", "names no address");
	if (n > ML_RESUBSCRIBE_MAX)
		return ml__vfail(err, "", "recipients", "has %zu addresses; "
		    "MoEngage allows at most %d per request", n,
		    ML_RESUBSCRIBE_MAX);
	return ML_OK;
}

/* ---- v5 (subscription-categories-v5.yaml, email-subscription-v5.yaml) -- */

static const char *const sub5_channels[] = { "email", "sms", NULL };
static const char *const sub5_id_types[] = { "moe_user_id", "uid", "email",
	NULL };
static const char *const sub5_categories_query[] = { "channel", NULL };
static const char *const sub5_no_query[] = { NULL };
static const char *const sub5_get_query[] = { "user_identifier_type",
	"user_identifier_value", "channel", NULL };

int
ml_validate_list_subscription_categories(json_object *body,
    json_object *query, struct ml_err *err)
{
	int rc;

	(void)body;
	rc = ml__vquery_keys(query, sub5_categories_query, err);
	if (rc == ML_OK)
		rc = ml__venum(query, "channel", sub5_channels, 0, "query.",
		    err);
	return rc;
}

int
ml_validate_get_subscription_v5(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	(void)body;
	rc = ml__vquery_keys(query, sub5_get_query, err);
	if (rc == ML_OK)
		rc = ml__venum(query, "user_identifier_type", sub5_id_types, 1,
		    "query.", err);
	if (rc == ML_OK)
		rc = ml__vstring(query, "user_identifier_value", 1, "query.",
		    NULL, err);
	if (rc == ML_OK)
		rc = ml__venum(query, "channel", sub5_channels, 0, "query.",
		    err);
	return rc;
}

/*
 * PATCH /v5/subscription-preferences: the identifier, the required
 * is_globally_unsubscribed, a sparse categories map of booleans and at
 * most 5 event_attributes (names <= 50, values <= 255 characters).
 */
int
ml_validate_update_subscription_v5(json_object *body, json_object *query,
    struct ml_err *err)
{
	json_object *cats = NULL, *attrs = NULL;
	int rc;

	rc = ml__vbody(body, query, sub5_no_query, err);
	if (rc == ML_OK)
		rc = ml__venum(body, "user_identifier_type", sub5_id_types, 1,
		    "", err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "user_identifier_value", 1, "", NULL,
		    err);
	if (rc == ML_OK)
		rc = ml__venum(body, "channel", sub5_channels, 0, "", err);
	if (rc == ML_OK)
		rc = ml__vbool(body, "is_globally_unsubscribed", 1, "", err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "request_id", 0, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__vobj_member(body, "categories", 0, "", &cats, err);
	if (rc == ML_OK && cats != NULL) {
		json_object_object_foreach(cats, k, v) {
			(void)v;
			rc = ml__vbool(cats, k, 1, "categories.", err);
			if (rc)
				return rc;
		}
	}
	if (rc == ML_OK)
		rc = ml__vobj_member(body, "event_attributes", 0, "", &attrs,
		    err);
	if (rc || attrs == NULL)
		return rc;
	if (json_object_object_length(attrs) > ML_SUB5_ATTRS_MAX)
		return ml__vfail(err, "", "event_attributes", "has %d "
		    "attributes; MoEngage allows at most %d",
		    json_object_object_length(attrs), ML_SUB5_ATTRS_MAX);
	json_object_object_foreach(attrs, ak, av) {
		if (strlen(ak) > ML_SUB5_ATTR_NAME_MAX)
			return ml__vfail(err, "event_attributes.", ak, "names "
			    "are at most %d characters", ML_SUB5_ATTR_NAME_MAX);
		if (!json_object_is_type(av, json_type_string) ||
		    json_object_get_string_len(av) > ML_SUB5_ATTR_VALUE_MAX)
			return ml__vfail(err, "event_attributes.", ak, "must "
			    "be a string of at most %d characters",
			    ML_SUB5_ATTR_VALUE_MAX);
	}
	return ML_OK;
}
