/* SPDX-License-Identifier: MIT */
/*
 * validate_push.c: the Push API's input rules (push.yaml PushRequest):
 * a campaign name of at least 5 characters (it is part of the signature),
 * target platforms ANDROID/IOS/WEB, the audience (All Users, Custom Segment
 * with its segment name, or User with targetUserAttributes whose "in" list
 * holds at most 50 values), a payload with each targeted platform's title
 * and message (WEB also redirectURL and iconURL) and campaignDelivery.type
 * soon/later/periodic. appId and signature are filled by the request
 * builder from the account and the Push key, so the caller need not send
 * them. Stateless and thread-safe; nothing allocates.
 */
#include "moengage/validate_fam_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <moelink/json.h>

#include "moengage/validate_int.h"

/* PushRequest's enum, exactly (its prose names the platforms Android,
 * iOS and Web; every example and the enum spell the values in capitals). */
static const char *const platforms[] = { "ANDROID", "IOS", "WEB", NULL };
static const char *const audiences[] = {
	"All Users", "Custom Segment", "User", NULL,
};
static const char *const comparisons[] = { "is", "in", NULL };
static const char *const deliveries[] = {
	"soon", "later", "periodic", NULL,
};
static const char *const user_attrs[] = {
	"USER_ATTRIBUTE_UNIQUE_ID", "USER_ATTRIBUTE_USER_EMAIL",
	"USER_ATTRIBUTE_USER_MOBILE", "MOE_GAID", "ADVERTISING_IDENTIFIER",
	"PUSH_ID", NULL,
};
static const char *const no_query[] = { NULL };

static int
push_platforms(json_object *body, struct ml_err *err)
{
	char prefix[ML__VPATH_MAX];
	json_object *arr, *el;
	size_t i, n;
	int rc;

	rc = ml__varray(body, "targetPlatform", 1, 3, 1, "", &arr, err);
	if (rc)
		return rc;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		el = json_object_array_get_idx(arr, i);
		ml__vpath(prefix, sizeof(prefix), "", "targetPlatform", (long)i);
		if (!json_object_is_type(el, json_type_string) ||
		    (strcmp(json_object_get_string(el), platforms[0]) != 0 &&
		    strcmp(json_object_get_string(el), platforms[1]) != 0 &&
		    strcmp(json_object_get_string(el), platforms[2]) != 0))
			return ml__vfail(err, prefix, "", "must be one of "
			    "\"%s\", \"%s\", \"%s\"", platforms[0],
			    platforms[1], platforms[2]);
	}
	return ML_OK;
}

/*
 * payload: for each targeted platform its content (AndroidPayload,
 * IOSPayload: title and message; WebPayload also redirectURL and iconURL).
 */
static int
push_payload(json_object *body, struct ml_err *err)
{
	char prefix[ML__VPATH_MAX];
	json_object *arr, *payload, *p;
	const char *plat;
	size_t i, n;
	int rc;

	rc = ml__vobj_member(body, "payload", 1, "", &payload, err);
	if (rc)
		return rc;
	arr = ml_json_get(body, "targetPlatform", json_type_array);
	n = json_object_array_length(arr);
	for (i = 0; i < n && rc == ML_OK; i++) {
		plat = json_object_get_string(json_object_array_get_idx(arr,
		    i));
		rc = ml__vobj_member(payload, plat, 1, "payload.", &p, err);
		snprintf(prefix, sizeof(prefix), "payload.%.20s.", plat);
		if (rc == ML_OK)
			rc = ml__vstring(p, "title", 1, prefix, NULL, err);
		if (rc == ML_OK)
			rc = ml__vstring(p, "message", 1, prefix, NULL, err);
		if (rc == ML_OK && strcmp(plat, "WEB") == 0)
			rc = ml__vstring(p, "redirectURL", 1, prefix, NULL,
			    err);
		if (rc == ML_OK && strcmp(plat, "WEB") == 0)
			rc = ml__vstring(p, "iconURL", 1, prefix, NULL, err);
	}
	return rc;
}

static int
push_user_target(json_object *body, struct ml_err *err)
{
	static const char prefix[] = "targetUserAttributes.";
	json_object *t, *val;
	const char *cmp;
	int rc;

	rc = ml__vobj_member(body, "targetUserAttributes", 1, "", &t, err);
	if (rc == ML_OK)
		rc = ml__venum(t, "attribute", user_attrs, 1, prefix, err);
	if (rc == ML_OK)
		rc = ml__venum(t, "comparisonParameter", comparisons, 1, prefix,
		    err);
	if (rc)
		return rc;
	cmp = ml_json_str(t, "comparisonParameter");
	if (!json_object_object_get_ex(t, "attributeValue", &val) ||
	    val == NULL)
		return ml__vfail(err, prefix, "attributeValue",
		    "is required and missing");
	if (strcmp(cmp, "in") == 0)
		return ml__vstrings(t, "attributeValue", 1,
		    ML_PUSH_IN_VALUES_MAX, 1, prefix, err);
	if (!json_object_is_type(val, json_type_string) &&
	    !json_object_is_type(val, json_type_int))
		return ml__vfail(err, prefix, "attributeValue", "must be a "
		    "string with comparisonParameter \"is\"");
	return ML_OK;
}

int
ml_validate_send_push(json_object *body, json_object *query,
    struct ml_err *err)
{
	json_object *delivery;
	const char *name, *aud;
	int rc;

	rc = ml__vbody(body, query, no_query, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "campaignName", 1, "", &name, err);
	if (rc == ML_OK && strlen(name) < ML_PUSH_CAMPAIGN_NAME_MIN)
		rc = ml__vfail(err, "", "campaignName", "must be at least %d "
		    "characters long", ML_PUSH_CAMPAIGN_NAME_MIN);
	if (rc == ML_OK)
		rc = ml__vstring(body, "requestType", 0, "", NULL, err);
	if (rc == ML_OK)
		rc = push_platforms(body, err);
	if (rc == ML_OK)
		rc = ml__venum_nocase(body, "targetAudience", audiences, 1, "",
		    err);
	if (rc == ML_OK)
		rc = ml__vbool(body, "bulkUserRequest", 0, "", err);
	if (rc)
		return rc;
	aud = ml_json_str(body, "targetAudience");
	if (strcasecmp(aud, "User") == 0 && !ml_json_bool(body,
	    "bulkUserRequest", 0))
		rc = push_user_target(body, err);
	else if (strcasecmp(aud, "Custom Segment") == 0)
		rc = ml__vstring(body, "customSegmentName", 1, "", NULL, err);
	if (rc == ML_OK)
		rc = push_payload(body, err);
	if (rc == ML_OK)
		rc = ml__vobj_member(body, "campaignDelivery", 1, "", &delivery,
		    err);
	if (rc == ML_OK)
		rc = ml__venum(delivery, "type", deliveries, 1,
		    "campaignDelivery.", err);
	return rc;
}

/* ---- Broadcast Live Activities (live-activities.yaml) ----------------- */

static const char *const la_alert_keys[] = {
	"title", "subtitle", "body", "sound", NULL
};
static const char *const la_no_query[] = { NULL };

/* alert: title and body (a string or an object), nothing undocumented. */
static int
la_alert(json_object *ios, struct ml_err *err)
{
	json_object *alert = NULL, *b = NULL;
	size_t i;
	int rc;

	rc = ml__vobj_member(ios, "alert", 1, "ios.", &alert, err);
	if (rc == ML_OK)
		rc = ml__vstring(alert, "title", 1, "ios.alert.", NULL, err);
	if (rc == ML_OK)
		rc = ml__vstring(alert, "subtitle", 0, "ios.alert.", NULL, err);
	if (rc == ML_OK)
		rc = ml__vstring(alert, "sound", 0, "ios.alert.", NULL, err);
	if (rc)
		return rc;
	if (!json_object_object_get_ex(alert, "body", &b) || b == NULL ||
	    (!json_object_is_type(b, json_type_string) &&
	    !json_object_is_type(b, json_type_object)))
		return ml__vfail(err, "ios.alert.", "body", "is required: a "
		    "string or an object");
	json_object_object_foreach(alert, k, v) {
		(void)v;
		for (i = 0; la_alert_keys[i] != NULL; i++)
			if (strcmp(k, la_alert_keys[i]) == 0)
				break;
		if (la_alert_keys[i] == NULL)
			return ml__vfail(err, "ios.alert.", k, "is not a "
			    "member of the alert (title, subtitle, body, "
			    "sound)");
	}
	return ML_OK;
}

/* What start, update and end share; *ios gets the ios object. */
static int
la_common(json_object *body, json_object *query, json_object **ios,
    struct ml_err *err)
{
	const char *text;
	size_t len;
	int rc;

	rc = ml__vbody(body, query, la_no_query, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "broadcast_live_activity_id", 1, "", NULL,
		    err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "instance_id", 0, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__vobj_member(body, "ios", 1, "", ios, err);
	if (rc == ML_OK)
		rc = ml__vint(*ios, "dismissal_date", 0, INT64_MAX, 0, 0,
		    "ios.", 0, NULL, err);
	if (rc == ML_OK)
		rc = ml__vobj_member(*ios, "content_state", 1, "ios.", NULL,
		    err);
	if (rc == ML_OK)
		rc = la_alert(*ios, err);
	if (rc)
		return rc;
	text = json_object_to_json_string_length(*ios, JSON_C_TO_STRING_PLAIN,
	    &len);
	if (text != NULL && len > ML_LIVE_ACTIVITY_IOS_MAX) {
		ml_err_field(err, "ios");
		return ml_err_set(err, ML_ETOOBIG, "payload_too_large",
		    "ios: is %zu bytes; MoEngage allows at most %d for iOS",
		    len, ML_LIVE_ACTIVITY_IOS_MAX);
	}
	return ML_OK;
}

int
ml_validate_live_activity_start(json_object *body, json_object *query,
    struct ml_err *err)
{
	json_object *ios = NULL;
	int rc;

	rc = la_common(body, query, &ios, err);
	if (rc == ML_OK)
		rc = ml__vstring(ios, "attribute_type", 1, "ios.", NULL, err);
	if (rc == ML_OK)
		rc = ml__vobj_member(ios, "attribute_info", 1, "ios.", NULL,
		    err);
	return rc;
}

int
ml_validate_live_activity_update(json_object *body, json_object *query,
    struct ml_err *err)
{
	json_object *ios = NULL;
	int rc;

	rc = la_common(body, query, &ios, err);
	if (rc == ML_OK)
		rc = ml__vint(ios, "stale_date", 0, INT64_MAX, 0, 0, "ios.", 0,
		    NULL, err);
	return rc;
}
