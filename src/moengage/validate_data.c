/* SPDX-License-Identifier: MIT */
/*
 * validate_data.c: the Data API's input rules (reference 4.2, data.yaml):
 * lowercase `type`, the customer_id values MoEngage blocks, reserved
 * attribute and event names, the platform list, required fields per object
 * and the batch caps of Get User and Merge Users. Bulk Import elements are
 * checked exactly like the single APIs' bodies (ml_validate_data_element),
 * which the delivery pipeline reuses per queued row.
 *
 * Stateless and thread-safe; nothing allocates.
 */
#include <moelink/validate.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <moelink/json.h>

#include "moengage/validate_fam_int.h"
#include "moengage/validate_int.h"

/* data-overview.mdx: values MoEngage refuses as a customer_id. */
static const char *const blocked_ids[] = {
	"unknown", "guest", "null", "0", "1", "true", "false",
	"user_attribute_unique_id", "", "na", "n/a", "''", "\"\"",
	"dummy_seller_code", "user_id", "id", "customer_id", "uid", "userid",
	"none", "-2", "-1", "2", NULL,
};

/*
 * MoEngage's own attributes that carry the reserved "moe_" prefix
 * (data.yaml UserAttributes, DeviceAttributes, EventAction, identity
 * resolution identifiers); the prefix is refused on any other name.
 */
static const char *const moe_reserved[] = {
	"moe_unsubscribe", "moe_email_optin_status", "moe_hard_bounce",
	"moe_spam", "moe_em_unsub_categories", "moe_sms_subscription",
	"moe_wa_subscription", "moe_sub_w", "moe_gaid", "moe_mobile",
	"moe_push_opted", "moe_push_provisional_opted", "moe_os_type", NULL,
};

/*
 * The event platform enum is ANDROID|iOS|web|TV|unknown, but its own
 * description asks for "Android" and MoEngage's examples also write
 * "Windows"; accept any casing of these (events, user platforms, Bulk
 * devices). Track Device is stricter: data_device_platform().
 */
static const char *const platforms[] = {
	"android", "ios", "web", "tv", "unknown", "windows", NULL,
};

static const char *const identity_types[] = {
	"customer_id", "moengage_id", NULL,
};

/* Get User's schema says customer_id|moengage_id, its example uses "id". */
static const char *const identifier_types[] = {
	"customer_id", "moengage_id", "id", NULL,
};

static const char *const unset_types[] = {
	"equals", "prefix", "suffix", "contains", NULL,
};

static const char *const opt_out_actions[] = { "block", "unblock", NULL };

/* Device opt-out: "ensure to pass any one of the device identifiers". */
static const char *const device_id_keys[] = {
	"moe_gaid", "push_id", "unique_id", "device_unique_id", "GAID", "IDFV",
	NULL,
};

#define ADD_TO_ARRAY "addValueToArrayField"
#define REMOVE_FROM_ARRAY "removeValueFromArrayField"

static int
data_in_list(const char *s, const char *const *list, int nocase)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if ((nocase ? strcasecmp(s, list[i]) : strcmp(s, list[i])) == 0)
			return 1;
	return 0;
}

int
ml_validate_platform_ok(const char *s)
{
	return s != NULL && data_in_list(s, platforms, 1);
}

int
ml_validate_customer_id_blocked(const char *s)
{
	char trimmed[32];
	size_t len;

	if (s == NULL)
		return 1;
	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	/* Every blocked value is short; a long id cannot be one. */
	if (len >= sizeof(trimmed))
		return 0;
	memcpy(trimmed, s, len);
	trimmed[len] = '\0';
	return data_in_list(trimmed, blocked_ids, 1);
}

int
ml_validate_attr_name_ok(const char *name, int user_attr)
{
	if (name == NULL || name[0] == '\0')
		return 0;
	if (user_attr && (strcmp(name, "id") == 0 || strcmp(name, "_id") == 0))
		return 0;
	if (strncasecmp(name, "moe_", 4) == 0)
		return data_in_list(name, moe_reserved, 0);
	return 1;
}

static int
data_attr_name(const char *name, int user_attr, const char *prefix,
    const char *where, struct ml_err *err)
{
	char field[ML__VPATH_MAX];
	int n;

	if (ml_validate_attr_name_ok(name, user_attr))
		return ML_OK;
	if (name[0] == '\0')
		return ml__vfail(err, prefix, where, "an attribute name must not "
		    "be empty");
	/* A path too deep for the buffer names its outer part only: still a
	 * usable pointer to the field, and the message names the attribute. */
	n = snprintf(field, sizeof(field), "%s%s.", prefix, where);
	if (n < 0 || (size_t)n >= sizeof(field))
		ml_strlcpy(field, prefix, sizeof(field));
	if (user_attr && (strcmp(name, "id") == 0 || strcmp(name, "_id") == 0))
		return ml__vfail(err, field, name, "\"%s\" is reserved by "
		    "MoEngage and cannot be a user attribute name", name);
	return ml__vfail(err, field, name, "the \"moe_\" prefix is reserved "
	    "for MoEngage's own attributes; MoEngage may blacklist \"%.40s\". "
	    "Rename it", name);
}

/* `type` must be exactly `want` (MoEngage is case-sensitive). */
static int
data_type(json_object *obj, const char *want, const char *prefix,
    struct ml_err *err)
{
	const char *t;
	int rc;

	rc = ml__vstring(obj, "type", 1, prefix, &t, err);
	if (rc)
		return ml__vfail(err, prefix, "type", "must be \"%s\"", want);
	if (strcmp(t, want) == 0)
		return ML_OK;
	if (strcasecmp(t, want) == 0)
		return ml__vfail(err, prefix, "type", "must be lowercase "
		    "\"%s\"; MoEngage is case-sensitive and refuses \"%s\"",
		    want, t);
	return ml__vfail(err, prefix, "type", "must be \"%s\", not \"%.40s\"",
	    want, t);
}

/*
 * customer_id: a string (or an integer, which MoEngage stringifies) that
 * is not blocked. When absent, `alt` (attributes or user_identifiers, for
 * Identity Resolution workspaces) must be a non-empty object; alt NULL
 * means customer_id is required.
 */
static int
data_customer_id(json_object *obj, const char *alt, const char *prefix,
    struct ml_err *err)
{
	json_object *v = NULL, *a;
	char num[32];
	const char *id;

	if (!json_object_object_get_ex(obj, "customer_id", &v)) {
		a = alt != NULL ? ml_json_get(obj, alt, json_type_object) :
		    NULL;
		if (a != NULL && json_object_object_length(a) > 0)
			return ML_OK;
		if (alt == NULL)
			return ml__vfail(err, prefix, "customer_id",
			    "is required and missing");
		return ml__vfail(err, prefix, "customer_id", "is required "
		    "(with Identity Resolution, give the user's identifiers "
		    "in \"%s\" instead)", alt);
	}
	if (json_object_is_type(v, json_type_int)) {
		snprintf(num, sizeof(num), "%" PRId64, json_object_get_int64(v));
		id = num;
	} else if (json_object_is_type(v, json_type_string)) {
		id = json_object_get_string(v);
	} else {
		return ml__vfail(err, prefix, "customer_id", "must be a string, "
		    "not %s", json_type_to_name(json_object_get_type(v)));
	}
	if (id[0] == '\0')
		return ml__vfail(err, prefix, "customer_id", "must not be empty");
	if (ml_validate_customer_id_blocked(id))
		return ml__vfail(err, prefix, "customer_id", "\"%.40s\" is a "
		    "placeholder MoEngage refuses as a customer_id; send the "
		    "user's real unique id", id);
	return ML_OK;
}

static int
data_platform(json_object *obj, int required, const char *prefix,
    struct ml_err *err)
{
	const char *p;
	int rc;

	rc = ml__vstring(obj, "platform", required, prefix, &p, err);
	if (rc || p == NULL)
		return rc;
	if (ml_validate_platform_ok(p))
		return ML_OK;
	return ml__vfail(err, prefix, "platform", "\"%.40s\" is not a "
	    "platform MoEngage knows; use ANDROID, iOS, web, TV or unknown", p);
}

static int
data_platform_item(json_object *it, const char *path, void *ud,
    struct ml_err *err)
{
	(void)ud;
	return data_platform(it, 1, path, err);
}

/* "platforms":[{"platform":"ANDROID","active":"true"}] */
static int
data_platforms(json_object *obj, const char *prefix, struct ml_err *err)
{
	return ml__veach(obj, "platforms", 0, 0, 0, prefix,
	    "{\"platform\":..,\"active\":..}", data_platform_item, NULL, err);
}

/* The attribute names inside addValueToArrayField / removeValueFrom... */
static int
data_array_ops(json_object *attrs, const char *prefix, struct ml_err *err)
{
	char where[ML__VPATH_MAX];
	json_object *add, *rem, *v;
	int rc;

	add = ml_json_get(attrs, ADD_TO_ARRAY, json_type_object);
	rem = ml_json_get(attrs, REMOVE_FROM_ARRAY, json_type_object);
	if (add != NULL) {
		snprintf(where, sizeof(where), "attributes.%s", ADD_TO_ARRAY);
		json_object_object_foreach(add, k, val) {
			(void)val;
			rc = data_attr_name(k, 1, prefix, where, err);
			if (rc)
				return rc;
			if (rem != NULL && json_object_object_get_ex(rem, k,
			    &v))
				return ml__vfail(err, prefix, "attributes",
				    "cannot add and remove \"%.40s\" at the "
				    "same time", k);
			if (json_object_object_get_ex(attrs, k, &v))
				return ml__vfail(err, prefix, "attributes",
				    "\"%.40s\" is set and added to in the same "
				    "call; do one or the other", k);
		}
	}
	if (rem != NULL) {
		snprintf(where, sizeof(where), "attributes.%s",
		    REMOVE_FROM_ARRAY);
		json_object_object_foreach(rem, k, val) {
			(void)val;
			rc = data_attr_name(k, 1, prefix, where, err);
			if (rc)
				return rc;
			if (json_object_object_get_ex(attrs, k, &v))
				return ml__vfail(err, prefix, "attributes",
				    "\"%.40s\" is set and removed from in the "
				    "same call; do one or the other", k);
		}
	}
	return ML_OK;
}

static int
data_user_attributes(json_object *attrs, const char *prefix,
    struct ml_err *err)
{
	char p[ML__VPATH_MAX];
	int rc;

	json_object_object_foreach(attrs, k, v) {
		(void)v;
		if (strcmp(k, ADD_TO_ARRAY) == 0 ||
		    strcmp(k, REMOVE_FROM_ARRAY) == 0) {
			if (!json_object_is_type(v, json_type_object))
				return ml__vfail(err, prefix, "attributes",
				    "%s must be an object of arrays", k);
			continue;
		}
		rc = data_attr_name(k, 1, prefix, "attributes", err);
		if (rc)
			return rc;
	}
	ml__vpath(p, sizeof(p), prefix, "attributes.", -1);
	rc = data_platforms(attrs, p, err);
	if (rc)
		return rc;
	return data_array_ops(attrs, prefix, err);
}

static int
data_unset_item(json_object *it, const char *path, void *ud,
    struct ml_err *err)
{
	json_object *cs;
	int rc;

	(void)ud;
	rc = ml__venum(it, "type", unset_types, 1, path, err);
	if (rc == ML_OK)
		rc = ml__vstring(it, "attr", 1, path, NULL, err);
	if (rc == ML_OK && json_object_object_get_ex(it, "case_sensitive",
	    &cs) && !json_object_is_type(cs, json_type_boolean))
		rc = ml__vfail(err, path, "case_sensitive",
		    "must be true or false");
	return rc;
}

static int
data_unset(json_object *el, const char *prefix, struct ml_err *err)
{
	return ml__veach(el, "unset_attributes", 0, 0, 0, prefix,
	    "{\"type\":..,\"attr\":..}", data_unset_item, NULL, err);
}

static int
data_customer(json_object *el, const char *prefix, struct ml_err *err)
{
	json_object *attrs, *v;
	int rc;

	rc = data_type(el, "customer", prefix, err);
	if (rc)
		return rc;
	rc = ml__vobj_member(el, "attributes", 0, prefix, &attrs, err);
	if (rc)
		return rc;
	rc = data_customer_id(el, "attributes", prefix, err);
	if (rc)
		return rc;
	if (json_object_object_get_ex(el, "update_existing_only", &v) &&
	    !json_object_is_type(v, json_type_boolean))
		return ml__vfail(err, prefix, "update_existing_only",
		    "must be true or false");
	if (attrs != NULL) {
		rc = data_user_attributes(attrs, prefix, err);
		if (rc)
			return rc;
	}
	rc = data_platforms(el, prefix, err);
	if (rc)
		return rc;
	return data_unset(el, prefix, err);
}

static int
data_time(json_object *act, const char *key, const char *prefix,
    struct ml_err *err)
{
	json_object *v;

	if (!json_object_object_get_ex(act, key, &v))
		return ML_OK;
	if (json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double) ||
	    (json_object_is_type(v, json_type_string) &&
	    json_object_get_string_len(v) > 0))
		return ML_OK;
	return ml__vfail(err, prefix, key, "must be epoch seconds or an "
	    "ISO-8601 time such as 2020-05-31T16:33:35Z");
}

static int
data_action(json_object *act, const char *prefix, void *ud,
    struct ml_err *err)
{
	json_object *attrs, *tz;
	const char *name;
	int64_t off;
	int rc;

	(void)ud;
	rc = ml__vstring(act, "action", 1, prefix, &name, err);
	if (rc)
		return rc;
	if (!ml_validate_attr_name_ok(name, 0))
		return ml__vfail(err, prefix, "action", "the \"moe_\" prefix is "
		    "reserved for MoEngage's own events; MoEngage may "
		    "blacklist \"%.40s\". Rename it", name);
	rc = ml__vobj_member(act, "attributes", 0, prefix, &attrs, err);
	if (rc)
		return rc;
	if (attrs != NULL) {
		json_object_object_foreach(attrs, k, v) {
			(void)v;
			rc = data_attr_name(k, 0, prefix, "attributes", err);
			if (rc)
				return rc;
		}
	}
	rc = data_platform(act, 0, prefix, err);
	if (rc)
		return rc;
	if (json_object_object_get_ex(act, "user_timezone_offset", &tz)) {
		if (!json_object_is_type(tz, json_type_int) &&
		    !json_object_is_type(tz, json_type_double))
			return ml__vfail(err, prefix, "user_timezone_offset",
			    "must be a number of seconds");
		off = json_object_get_int64(tz);
		if (off < -ML_TIMEZONE_OFFSET_MAX ||
		    off > ML_TIMEZONE_OFFSET_MAX)
			return ml__vfail(err, prefix, "user_timezone_offset",
			    "%" PRId64 " is outside -54000..54000 seconds", off);
	}
	rc = data_time(act, "current_time", prefix, err);
	if (rc)
		return rc;
	return data_time(act, "user_time", prefix, err);
}

static int
data_event(json_object *el, const char *prefix, struct ml_err *err)
{
	int rc;

	rc = data_type(el, "event", prefix, err);
	if (rc)
		return rc;
	rc = ml__vobj_member(el, "user_identifiers", 0, prefix, NULL, err);
	if (rc)
		return rc;
	rc = data_customer_id(el, "user_identifiers", prefix, err);
	if (rc)
		return rc;
	rc = ml__vstring(el, "device_id", 0, prefix, NULL, err);
	if (rc)
		return rc;
	return ml__veach(el, "actions", 1, 0, 1, prefix,
	    "with an \"action\" name", data_action, NULL, err);
}

/*
 * Track Device's platform: DeviceAttributes' enum, exactly (data.yaml
 * documents the 400 "'platform' is not a valid platform." for anything
 * else). Only Bulk Import's example spells a device "Windows", and Bulk
 * answers 200 whatever its elements hold, so a Bulk device element keeps
 * the wider list of data_platform().
 */
static int
data_device_platform(json_object *attrs, const char *prefix,
    struct ml_err *err)
{
	static const char *const device_platforms[] = {
		"ANDROID", "iOS", "web", "TV", NULL,
	};
	const char *p;
	int rc;

	rc = ml__vstring(attrs, "platform", 1, prefix, &p, err);
	if (rc || data_in_list(p, device_platforms, 0))
		return rc;
	return ml__vfail(err, prefix, "platform", "\"%.40s\" is not a device "
	    "platform MoEngage accepts; use ANDROID, iOS, web or TV (exactly)",
	    p);
}

static int
data_device_any(json_object *el, const char *prefix, int track,
    struct ml_err *err)
{
	char p[ML__VPATH_MAX];
	json_object *attrs;
	int rc;

	rc = data_type(el, "device", prefix, err);
	if (rc)
		return rc;
	rc = data_customer_id(el, NULL, prefix, err);
	if (rc)
		return rc;
	rc = ml__vstring(el, "device_id", 1, prefix, NULL, err);
	if (rc)
		return rc;
	rc = ml__vobj_member(el, "attributes", 1, prefix, &attrs, err);
	if (rc)
		return rc;
	ml__vpath(p, sizeof(p), prefix, "attributes.", -1);
	rc = track ? data_device_platform(attrs, p, err) :
	    data_platform(attrs, 1, p, err);
	if (rc)
		return rc;
	rc = ml__vstring(attrs, "push_id", 1, p, NULL, err);
	if (rc)
		return rc;
	json_object_object_foreach(attrs, k, v) {
		(void)v;
		rc = data_attr_name(k, 0, prefix, "attributes", err);
		if (rc)
			return rc;
	}
	return ML_OK;
}

/* A device element of Bulk Import. */
static int
data_device(json_object *el, const char *prefix, struct ml_err *err)
{
	return data_device_any(el, prefix, 0, err);
}

/* The body of Track Device. */
static int
data_device_track(json_object *el, const char *prefix, struct ml_err *err)
{
	return data_device_any(el, prefix, 1, err);
}

static int
data_element(json_object *el, const char *prefix, struct ml_err *err)
{
	const char *t;

	if (el == NULL || !json_object_is_type(el, json_type_object))
		return ml__vfail(err, prefix, "", "must be a JSON object with "
		    "\"type\" customer, event or device");
	t = ml_json_str(el, "type");
	if (t != NULL && strcasecmp(t, "customer") == 0)
		return data_customer(el, prefix, err);
	if (t != NULL && strcasecmp(t, "event") == 0)
		return data_event(el, prefix, err);
	if (t != NULL && strcasecmp(t, "device") == 0)
		return data_device(el, prefix, err);
	if (t == NULL)
		return ml__vfail(err, prefix, "type", "is required: \"customer\", "
		    "\"event\" or \"device\"");
	return ml__vfail(err, prefix, "type", "\"%.40s\" is not one of "
	    "\"customer\", \"event\", \"device\"", t);
}

/* A single-object API: the body is one customer, event or device. */
static int
data_body(json_object *body, int (*check)(json_object *, const char *,
    struct ml_err *), struct ml_err *err)
{
	int rc;

	rc = ml__vobject(body, err);
	if (rc)
		return rc;
	return check(body, "", err);
}

static int
data_element_item(json_object *el, const char *path, void *ud,
    struct ml_err *err)
{
	(void)ud;
	return data_element(el, path, err);
}

int
ml_validate_data_element(json_object *el, struct ml_err *err)
{
	return data_element(el, "", err);
}

int
ml_validate_track_user(json_object *body, json_object *query,
    struct ml_err *err)
{
	(void)query;
	return data_body(body, data_customer, err);
}

int
ml_validate_track_event(json_object *body, json_object *query,
    struct ml_err *err)
{
	(void)query;
	return data_body(body, data_event, err);
}

int
ml_validate_track_device(json_object *body, json_object *query,
    struct ml_err *err)
{
	(void)query;
	return data_body(body, data_device_track, err);
}

int
ml_validate_bulk_import(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	(void)query;
	rc = ml__vobject(body, err);
	if (rc)
		return rc;
	rc = data_type(body, "transition", "", err);
	if (rc)
		return rc;
	return ml__veach(body, "elements", 1, 0, 1, "",
	    "with \"type\" customer, event or device", data_element_item, NULL,
	    err);
}

static int
data_device_id_item(json_object *it, const char *path, void *ud,
    struct ml_err *err)
{
	(void)ud;
	if (json_object_object_length(it) == 0)
		return ml__vfail(err, path, "", "needs one of push_id, "
		    "moe_gaid, unique_id, device_unique_id");
	json_object_object_foreach(it, k, v) {
		if (!data_in_list(k, device_id_keys, 0))
			return ml__vfail(err, path, k, "is not a device "
			    "identifier; use push_id, moe_gaid, unique_id or "
			    "device_unique_id");
		if (!json_object_is_type(v, json_type_string))
			return ml__vfail(err, path, k, "must be a string");
	}
	return ML_OK;
}

int
ml_validate_device_opt_out(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	(void)query;
	rc = ml__vobject(body, err);
	if (rc)
		return rc;
	rc = ml__vstring(body, "user_identifier_type", 1, "", NULL, err);
	if (rc)
		return rc;
	rc = ml__vstring(body, "user_identifier_value", 1, "", NULL, err);
	if (rc)
		return rc;
	rc = ml__venum(body, "action_type", opt_out_actions, 1, "", err);
	if (rc)
		return rc;
	return ml__veach(body, "device_identifiers", 0, 0, 0, "",
	    "with one of push_id, moe_gaid, unique_id, device_unique_id",
	    data_device_id_item, NULL, err);
}

static int
data_merge_item(json_object *it, const char *path, void *ud,
    struct ml_err *err)
{
	const char *merged, *retained;
	int rc;

	(void)ud;
	rc = ml__vstring(it, "merged_user", 1, path, &merged, err);
	if (rc)
		return rc;
	rc = ml__vstring(it, "retained_user", 1, path, &retained, err);
	if (rc)
		return rc;
	if (strcmp(merged, retained) == 0)
		return ml__vfail(err, path, "retained_user", "is the same user "
		    "as merged_user");
	return ML_OK;
}

int
ml_validate_merge_users(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	(void)query;
	rc = ml__vobject(body, err);
	if (rc)
		return rc;
	return ml__veach(body, "merge_data", 1, ML_MERGE_MAX_PAIRS, 1, "",
	    "{\"merged_user\":..,\"retained_user\":..}", data_merge_item,
	    NULL, err);
}

int
ml_validate_delete_user(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	(void)query;
	rc = ml__vobject(body, err);
	if (rc)
		return rc;
	rc = ml__venum(body, "identity_type", identity_types, 1, "", err);
	if (rc)
		return rc;
	return ml__vstring(body, "identity_value", 1, "", NULL, err);
}

static int
data_identifier_item(json_object *it, const char *path, void *ud,
    struct ml_err *err)
{
	int rc;

	(void)ud;
	rc = ml__venum(it, "identifier_type", identifier_types, 1, path, err);
	if (rc)
		return rc;
	return ml__vstring(it, "identifier", 1, path, NULL, err);
}

int
ml_validate_get_user(json_object *body, json_object *query,
    struct ml_err *err)
{
	json_object *data, *arr;
	size_t i;
	int rc;

	(void)query;
	rc = ml__vobject(body, err);
	if (rc)
		return rc;
	rc = ml__vobj_member(body, "data", 1, "", &data, err);
	if (rc)
		return rc;
	rc = ml__veach(data, "identifiers", 1, ML_GET_USER_MAX_IDENTIFIERS, 1,
	    "data.", "{\"identifier_type\":..,\"identifier\":..}",
	    data_identifier_item, NULL, err);
	if (rc)
		return rc;
	rc = ml__varray(data, "user_fields_to_export", 0, 0, 0, "data.", &arr,
	    err);
	if (rc || arr == NULL)
		return rc;
	for (i = 0; i < json_object_array_length(arr); i++) {
		if (!json_object_is_type(json_object_array_get_idx(arr, i),
		    json_type_string))
			return ml__vfail(err, "data.", "user_fields_to_export",
			    "must be an array of attribute names");
	}
	return ML_OK;
}

int
ml_validate_test_connection(json_object *body, json_object *query,
    struct ml_err *err)
{
	static const char *const keys[] = { "app_id", "app_secret", "source",
	    "region", NULL };
	size_t i;
	int rc;

	(void)query;
	rc = ml__vobject(body, err);
	if (rc)
		return rc;
	for (i = 0; keys[i] != NULL; i++) {
		rc = ml__vstring(body, keys[i], 1, "", NULL, err);
		if (rc)
			return rc;
	}
	return ML_OK;
}

/* ---- GDPR / CCPA erasure (gdpr-ccpa.yaml) ---------------------------- */

static const char *const gdpr_identity_types[] = {
	"ID", "user_secondary_id", "email", "mobile", "google_advertising_id",
	"advertising_identifier", NULL,
};

static int
data_gdpr_identity(json_object *it, const char *path, void *ud,
    struct ml_err *err)
{
	int rc;

	(void)ud;
	rc = ml__venum(it, "identity_type", gdpr_identity_types, 1, path, err);
	if (rc)
		return rc;
	return ml__vstring(it, "identity_value", 1, path, NULL, err);
}

int
ml_validate_gdpr_request(json_object *body, json_object *query,
    struct ml_err *err)
{
	static const char *const strings[] = {
		"request_type", "submitted_time", "api_version", NULL,
	};
	size_t i;
	int rc;

	(void)query;
	rc = ml__vobject(body, err);
	for (i = 0; rc == ML_OK && strings[i] != NULL; i++)
		rc = ml__vstring(body, strings[i], 1, "", NULL, err);
	if (rc)
		return rc;
	return ml__veach(body, "identities", 1, 0, 1, "",
	    "{\"identity_type\":..,\"identity_value\":..}",
	    data_gdpr_identity, NULL, err);
}

/* ---- Track App Install: GET /v1/installInfo (data.yaml, no auth) ------ */

int
ml_validate_track_install(json_object *body, json_object *query,
    struct ml_err *err)
{
	static const char *const required[] = {
		"appId", "src", "appAttributionKey", NULL,
	};
	static const char *const optional[] = {
		"publisher_name", "campaign_name", "advertising_id", "idfv",
		NULL,
	};
	size_t i;
	int rc = ML_OK;

	if (body != NULL)
		return ml__vfail(err, "", "body", "this GET takes no body; "
		    "pass the install in query");
	for (i = 0; rc == ML_OK && required[i] != NULL; i++)
		rc = ml__vstring(query, required[i], 1, "query.", NULL, err);
	for (i = 0; rc == ML_OK && optional[i] != NULL; i++)
		rc = ml__vstring(query, optional[i], 0, "query.", NULL, err);
	return rc;
}

/* ---- Message Archival: POST /v1/archival/view (message-archival.yaml) - */

static const char *const archival_delivery[] = {
	"ONE_TIME", "PERIODIC", "EVENT_TRIGGERED", "LOCATION_TRIGGERED",
	"DEVICE_TRIGGERED", "API_TRIGGERED", "BUSINESS_EVENT_TRIGGERED", NULL,
};
static const char *const archival_campaign_types[] = {
	"General Push Campaign", "Autotrigger Campaign", "Geo-fencing Campaign",
	"Business Event Trigger Push Campaign", "sms",
	"Business Event Trigger SMS Campaign", "Email Campaign",
	"Email Triggers", "Business Event Trigger Email Campaign",
	"Inform Email", "Inform SMS", "Inform Push", NULL,
};
static const char *const archival_channels[] = {
	"EMAIL", "SMS", "PUSH", "FLOWS", NULL,
};
static const char *const archival_events[] = {
	"Email Sent", "SMS Sent", "Notification Sent iOS",
	"Notification Received Android", "Notification Received Web", NULL,
};
static const char *const archival_platforms[] = {
	"IOS", "ANDROID", "WEB", "EMAIL", "SMS", "MWEB", NULL,
};

int
ml_validate_view_archived_message(json_object *body, json_object *query,
    struct ml_err *err)
{
	static const struct {
		const char *key;
		const char *const *allowed;	/* NULL: any string */
	} fields[] = {
		{ "user_id", NULL },
		{ "delivery_type", archival_delivery },
		{ "campaign_type", archival_campaign_types },
		{ "campaign_channel", archival_channels },
		{ "campaign_id", NULL },
		{ "event_name", archival_events },
		{ "platform", archival_platforms },
	};
	json_object *t = NULL;
	size_t i;
	int rc;

	(void)query;
	rc = ml__vobject(body, err);
	for (i = 0; rc == ML_OK && i < sizeof(fields) / sizeof(fields[0]);
	    i++)
		rc = fields[i].allowed != NULL ? ml__venum(body, fields[i].key,
		    fields[i].allowed, 1, "", err) : ml__vstring(body,
		    fields[i].key, 1, "", NULL, err);
	if (rc)
		return rc;
	if (!json_object_object_get_ex(body, "sent_epoch_time", &t) ||
	    !json_object_is_type(t, json_type_int) ||
	    json_object_get_int64(t) < 0)
		return ml__vfail(err, "", "sent_epoch_time", "is required: the "
		    "send time as a Unix epoch in seconds");
	return ml__vstring(body, "event_id", 0, "", NULL, err);
}

/* ---- File Imports (data.yaml, fileimports-data-api-<dc>) --------------- */

static const char *const fi_import_types[] = {
	"USERS", "EVENTS", "AUX_DATA", NULL,
};
static const char *const fi_schedule_types[] = { "PERIODIC", "ONETIME", NULL };
static const char *const fi_sources[] = { "SFTP", "S3", "CSV", NULL };
static const char *const fi_statuses[] = {
	"SUCCESSFUL", "FAILED", "PARTIAL_SUCCESS", "SCHEDULED", "PROCESSING",
	"QUEUED", "ARCHIVED", NULL,
};
static const char *const fi_file_statuses[] = {
	"SUCCESSFUL", "FAILED", "PARTIAL_SUCCESS", "PROCESSING", "QUEUED",
	"WAITING", NULL,
};
static const char *const fi_date_formats[] = {
	"YYYY-MM-DD", "YYYY/MM/DD", "DD/MM/YYYY", "DD-MM-YYYY",
	"DD-MM-YYYY hh:mm:ss", "DD/MM/YYYY hh:mm:ss", "YYYY-MM-DD hh:mm:ss",
	"YYYY/MM/DD hh:mm:ss", NULL,
};

/*
 * A filter: one value of allowed, or (as data.yaml's examples send it) a
 * non-empty array of them; an array only when only_array.
 */
static int
data_fi_filter(json_object *body, const char *key,
    const char *const *allowed, int only_array, struct ml_err *err)
{
	json_object *v, *it;
	char field[ML__VPATH_MAX];
	size_t i, j, n;

	if (!json_object_object_get_ex(body, key, &v))
		return ML_OK;
	if (!only_array && !json_object_is_type(v, json_type_array))
		return ml__venum(body, key, allowed, 0, "", err);
	n = json_object_is_type(v, json_type_array) ?
	    json_object_array_length(v) : 0;
	if (n == 0)
		return ml__vfail(err, "", key, "must be a non-empty array of "
		    "%s", allowed[0]);
	for (i = 0; i < n; i++) {
		it = json_object_array_get_idx(v, i);
		for (j = 0; allowed[j] != NULL &&
		    json_object_is_type(it, json_type_string); j++)
			if (strcmp(json_object_get_string(it), allowed[j]) == 0)
				break;
		if (allowed[j] == NULL || !json_object_is_type(it,
		    json_type_string)) {
			snprintf(field, sizeof(field), "%s[%zu]", key, i);
			return ml__vfail(err, "", field, "is not allowed; "
			    "values are case-sensitive (%s, ...)", allowed[0]);
		}
	}
	return ML_OK;
}

/* offset (whole number >= 1, or such a string) and the date object. */
static int
data_fi_common(json_object *body, int iso, struct ml_err *err)
{
	json_object *date;
	int rc;

	rc = ml__vint(body, "offset", 1, 1000000, 0, 1, "", 1, NULL, err);
	if (rc == ML_OK)
		rc = ml__vobj_member(body, "date", 0, "", &date, err);
	if (rc || date == NULL)
		return rc;
	rc = ml__vstring(date, "start_date", 1, "date.", NULL, err);
	if (rc == ML_OK)
		rc = ml__vstring(date, "end_date", 1, "date.", NULL, err);
	/* Import details needs one of the listed formats; run history
	 * takes ISO 8601 dates. */
	if (rc == ML_OK && !iso)
		rc = ml__venum(date, "format", fi_date_formats, 1, "date.",
		    err);
	return rc;
}

int
ml_validate_trigger_file_import(json_object *body, json_object *query,
    struct ml_err *err)
{
	(void)query;
	if (body != NULL)
		return ml__vfail(err, "", "body", "this request takes no body; "
		    "the import is named by path.schedule_id");
	return ML_OK;
}

int
ml_validate_file_import_status(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	(void)query;
	rc = ml__vobject(body, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "import_name", 0, "", NULL, err);
	if (rc == ML_OK)
		rc = data_fi_filter(body, "import_type", fi_import_types, 0,
		    err);
	if (rc == ML_OK)
		rc = data_fi_filter(body, "schedule_type", fi_schedule_types, 0,
		    err);
	if (rc == ML_OK)
		rc = data_fi_filter(body, "file_source", fi_sources, 0, err);
	if (rc == ML_OK)
		rc = data_fi_filter(body, "schedule_status", fi_statuses, 0,
		    err);
	return rc ? rc : data_fi_common(body, 0, err);
}

int
ml_validate_file_import_history(json_object *body, json_object *query,
    struct ml_err *err)
{
	const char *id = NULL, *name = NULL;
	int rc;

	(void)query;
	rc = ml__vobject(body, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "import_id", 0, "", &id, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "import_name", 0, "", &name, err);
	if (rc == ML_OK && id == NULL && name == NULL)
		rc = ml__vfail(err, "", "import_id", "import_id or import_name "
		    "is required");
	if (rc == ML_OK)
		rc = data_fi_filter(body, "file_status", fi_file_statuses, 1,
		    err);
	return rc ? rc : data_fi_common(body, 1, err);
}
