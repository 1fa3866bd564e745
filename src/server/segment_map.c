/* SPDX-License-Identifier: MIT */
/*
 * segment_map.c: Segment spec messages -> MoEngage Data API objects (see
 * segment_map.h; the table for users is docs/segment.md).
 *
 * Attributes: Segment's reserved traits become MoEngage's standard user
 * attributes (email -> u_em, firstName -> u_fn, ...); other traits and
 * properties keep their names, nested objects are flattened with dotted
 * keys (as RudderStack's MoEngage destination does by default), and names
 * MoEngage refuses ("id", "_id", a "moe_" prefix) are left out and counted.
 * Times are sent as epoch seconds, never in the future.
 *
 * Pure and reentrant: the output owns new json-c objects; input is borrowed.
 */
#include "server/segment_map.h"

#include <moelink/json.h>
#include <moelink/validate.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define SEG_FLATTEN_DEPTH 4
#define SEG_KEY_MAX 256

/* Segment reserved traits -> MoEngage standard user attributes. */
static const struct {
	const char *segment;
	const char *moengage;
} seg_traits[] = {
	{ "email", "u_em" },
	{ "name", "u_n" },
	{ "firstName", "u_fn" },
	{ "first_name", "u_fn" },
	{ "lastName", "u_ln" },
	{ "last_name", "u_ln" },
	{ "phone", "u_mb" },
	{ "gender", "u_gd" },
	{ "birthday", "u_bd" },
};

void
ml_segment_map_out_init(struct ml_segment_map_out *out)
{
	memset(out, 0, sizeof(*out));
}

void
ml_segment_map_out_cleanup(struct ml_segment_map_out *out)
{
	size_t i;

	for (i = 0; i < out->n; i++)
		json_object_put(out->items[i].payload);
	memset(out, 0, sizeof(*out));
}

/* Add key -> val (taking val); ML_ENOMEM if val is NULL or adding fails. */
static int
seg_put(json_object *obj, const char *key, json_object *val)
{
	if (val == NULL)
		return ML_ENOMEM;
	if (json_object_object_add(obj, key, val) != 0) {
		json_object_put(val);
		return ML_ENOMEM;
	}
	return ML_OK;
}

static int
seg_digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
ml_segment_map_time(const char *s, int64_t *out)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, se = 0, oh, om, sign;
	time_t t;

	if (s == NULL || strlen(s) < 10 || seg_digits(s, 4, &y) ||
	    s[4] != '-' || seg_digits(s + 5, 2, &mo) || s[7] != '-' ||
	    seg_digits(s + 8, 2, &d))
		return ML_EINVAL;
	s += 10;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		if (seg_digits(s + 1, 2, &h) || s[3] != ':' ||
		    seg_digits(s + 4, 2, &mi))
			return ML_EINVAL;
		s += 6;
		if (*s == ':') {
			if (seg_digits(s + 1, 2, &se))
				return ML_EINVAL;
			s += 3;
		}
		if (*s == '.')
			for (s++; isdigit((unsigned char)*s); s++)
				;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 60)
		return ML_EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return ML_EINVAL;
	if (*s == 'Z' || *s == 'z')
		s++;
	else if (*s == '+' || *s == '-') {
		sign = *s == '-' ? -1 : 1;
		if (seg_digits(s + 1, 2, &oh))
			return ML_EINVAL;
		s += 3;
		if (*s == ':')
			s++;
		if (seg_digits(s, 2, &om))
			return ML_EINVAL;
		s += 2;
		t -= sign * (oh * 3600 + om * 60);
	}
	if (*s != '\0')
		return ML_EINVAL;
	*out = (int64_t)t;
	return ML_OK;
}

/* The customer id: userId, traits.userId, traits.id, anonymousId. */
static const char *
seg_customer_id(json_object *msg, json_object *traits)
{
	const char *cand[4];
	size_t i;

	cand[0] = ml_json_str(msg, "userId");
	cand[1] = ml_json_str(traits, "userId");
	cand[2] = ml_json_str(traits, "id");
	cand[3] = ml_json_str(msg, "anonymousId");
	for (i = 0; i < 4; i++)
		if (cand[i] != NULL && cand[i][0] != '\0')
			return cand[i];
	return NULL;
}

/*
 * Copy src's members into dst, flattening objects to dotted keys. Names
 * MoEngage refuses are counted in *dropped. user_attr selects the rules of
 * user attributes (no "id"/"_id") over event attributes.
 */
static int
seg_flatten(json_object *dst, json_object *src, const char *prefix,
    int depth, int user_attr, int *dropped)
{
	char key[SEG_KEY_MAX];
	int rc, n;

	if (src == NULL || !json_object_is_type(src, json_type_object))
		return ML_OK;
	json_object_object_foreach(src, k, v) {
		n = snprintf(key, sizeof(key), "%s%s%s", prefix,
		    prefix[0] ? "." : "", k);
		if (n < 0 || (size_t)n >= sizeof(key)) {
			(*dropped)++;
			continue;
		}
		if (json_object_is_type(v, json_type_object) &&
		    depth < SEG_FLATTEN_DEPTH) {
			rc = seg_flatten(dst, v, key, depth + 1, user_attr,
			    dropped);
			if (rc)
				return rc;
			continue;
		}
		if (!ml_validate_attr_name_ok(key, user_attr)) {
			(*dropped)++;
			continue;
		}
		rc = seg_put(dst, key, json_object_get(v));
		if (rc)
			return rc;
	}
	return ML_OK;
}

/* Traits -> user attributes, reserved names mapped to MoEngage's. */
static int
seg_user_attributes(json_object *traits, json_object *attrs, int *dropped)
{
	json_object *rest = NULL, *v;
	const char *first, *last;
	char full[512];
	size_t i;
	int rc = ML_OK, mapped;

	if (traits == NULL || !json_object_is_type(traits, json_type_object))
		return ML_OK;
	rest = json_object_new_object();
	if (rest == NULL)
		return ML_ENOMEM;
	json_object_object_foreach(traits, k, val) {
		mapped = 0;
		if (strcmp(k, "id") == 0 || strcmp(k, "userId") == 0)
			continue;	/* used as the customer id */
		for (i = 0; i < sizeof(seg_traits) / sizeof(seg_traits[0]);
		    i++) {
			if (strcmp(k, seg_traits[i].segment) != 0)
				continue;
			rc = seg_put(attrs, seg_traits[i].moengage,
			    json_object_get(val));
			if (rc)
				goto out;
			mapped = 1;
			break;
		}
		if (!mapped) {
			rc = seg_put(rest, k, json_object_get(val));
			if (rc)
				goto out;
		}
	}
	/* Segment's name is optional when first and last are given. */
	if (!json_object_object_get_ex(attrs, "u_n", &v)) {
		first = ml_json_str(traits, "firstName");
		last = ml_json_str(traits, "lastName");
		if (first != NULL && last != NULL) {
			snprintf(full, sizeof(full), "%s %s", first, last);
			rc = ml_json_add_str(attrs, "u_n", full);
			if (rc)
				goto out;
		}
	}
	rc = seg_flatten(attrs, rest, "", 0, 1, dropped);
out:
	json_object_put(rest);
	return rc;
}

/* MoEngage platform from Segment's context, or NULL when unknown. */
static const char *
seg_platform(json_object *ctx)
{
	static const struct {
		const char *name;
		const char *platform;
	} map[] = {
		{ "ios", "iOS" }, { "ipados", "iOS" }, { "watchos", "iOS" },
		{ "iphone os", "iOS" }, { "android", "ANDROID" },
		{ "tvos", "TV" }, { "android tv", "TV" }, { "web", "web" },
	};
	const char *cand[2];
	size_t i, j;

	cand[0] = ml_json_str(ml_json_get(ctx, "device", json_type_object),
	    "type");
	cand[1] = ml_json_str(ml_json_get(ctx, "os", json_type_object), "name");
	for (j = 0; j < 2; j++) {
		if (cand[j] == NULL)
			continue;
		for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (strcasecmp(cand[j], map[i].name) == 0)
				return map[i].platform;
	}
	/* A browser library: analytics.js sends userAgent and page. */
	if (ml_json_str(ctx, "userAgent") != NULL ||
	    ml_json_get(ctx, "page", json_type_object) != NULL)
		return "web";
	return NULL;
}

/* The event time: timestamp, else originalTimestamp, never after now. */
static int64_t
seg_time(json_object *msg, int64_t now_s)
{
	int64_t t;

	if (ml_segment_map_time(ml_json_str(msg, "timestamp"), &t) != ML_OK &&
	    ml_segment_map_time(ml_json_str(msg, "originalTimestamp"), &t) !=
	    ML_OK)
		return now_s;
	return t > now_s ? now_s : t;
}

static struct ml_segment_map_item *
seg_item(struct ml_segment_map_out *out, const char *kind, const char *cid)
{
	struct ml_segment_map_item *it = &out->items[out->n];

	ml_strlcpy(it->kind, kind, sizeof(it->kind));
	ml_strlcpy(it->customer_id, cid, sizeof(it->customer_id));
	it->payload = json_object_new_object();
	if (it->payload == NULL)
		return NULL;
	out->n++;
	return it;
}

static int
seg_identify(json_object *msg, const char *cid, json_object *ctx,
    struct ml_segment_map_out *out)
{
	struct ml_segment_map_item *it;
	json_object *attrs, *dev, *da;
	const char *token, *platform, *v;
	int rc;

	it = seg_item(out, "customer", cid);
	if (it == NULL)
		return ML_ENOMEM;
	if ((rc = ml_json_add_str(it->payload, "type", "customer")) ||
	    (rc = ml_json_add_str(it->payload, "customer_id", cid)) ||
	    (rc = seg_put(it->payload, "attributes",
	    json_object_new_object())))
		return rc;
	attrs = ml_json_get(it->payload, "attributes", json_type_object);
	rc = seg_user_attributes(ml_json_get(msg, "traits", json_type_object),
	    attrs, &out->dropped_attrs);
	if (rc)
		return rc;
	/* A push token in context.device also registers the device. */
	dev = ml_json_get(ctx, "device", json_type_object);
	token = ml_json_str(dev, "token");
	platform = seg_platform(ctx);
	if (token == NULL || token[0] == '\0' || platform == NULL)
		return ML_OK;
	it = seg_item(out, "device", cid);
	if (it == NULL)
		return ML_ENOMEM;
	v = ml_json_str(dev, "id");
	if ((rc = ml_json_add_str(it->payload, "type", "device")) ||
	    (rc = ml_json_add_str(it->payload, "customer_id", cid)) ||
	    (rc = ml_json_add_str(it->payload, "device_id",
	    v != NULL && v[0] ? v : token)) ||
	    (rc = seg_put(it->payload, "attributes",
	    json_object_new_object())))
		return rc;
	da = ml_json_get(it->payload, "attributes", json_type_object);
	if ((rc = ml_json_add_str(da, "platform", platform)) ||
	    (rc = ml_json_add_str(da, "push_id", token)))
		return rc;
	if ((v = ml_json_str(dev, "model")) != NULL &&
	    (rc = ml_json_add_str(da, "model", v)))
		return rc;
	if ((v = ml_json_str(ml_json_get(ctx, "app", json_type_object),
	    "version")) != NULL && (rc = ml_json_add_str(da, "app_version", v)))
		return rc;
	if ((v = ml_json_str(ml_json_get(ctx, "os", json_type_object),
	    "version")) != NULL && (rc = ml_json_add_str(da, "os_version", v)))
		return rc;
	return ML_OK;
}

/* track, page, screen: one event element with one action. */
static int
seg_event(json_object *msg, const char *action, const char *cid,
    json_object *ctx, int64_t now_s, struct ml_segment_map_out *out)
{
	struct ml_segment_map_item *it;
	json_object *actions, *act, *attrs, *v;
	const char *platform, *ver, *extra[] = { "name", "category" };
	size_t i;
	int rc;

	it = seg_item(out, "event", cid);
	if (it == NULL)
		return ML_ENOMEM;
	actions = json_object_new_array();
	act = json_object_new_object();
	attrs = json_object_new_object();
	if (act == NULL || attrs == NULL || actions == NULL ||
	    json_object_array_add(actions, act) != 0) {
		json_object_put(actions);
		json_object_put(act);
		json_object_put(attrs);
		return ML_ENOMEM;
	}
	if ((rc = ml_json_add_str(it->payload, "type", "event")) ||
	    (rc = ml_json_add_str(it->payload, "customer_id", cid)) ||
	    (rc = seg_put(it->payload, "actions", actions)) ||
	    (rc = ml_json_add_str(act, "action", action)) ||
	    (rc = seg_put(act, "attributes", attrs)))
		return rc;
	rc = seg_flatten(attrs, ml_json_get(msg, "properties",
	    json_type_object), "", 0, 0, &out->dropped_attrs);
	if (rc)
		return rc;
	/* page and screen carry name and category beside the properties. */
	for (i = 0; i < 2; i++)
		if (!json_object_object_get_ex(attrs, extra[i], &v) &&
		    ml_json_str(msg, extra[i]) != NULL &&
		    (rc = ml_json_add_str(attrs, extra[i],
		    ml_json_str(msg, extra[i]))))
			return rc;
	platform = seg_platform(ctx);
	if (platform != NULL && (rc = ml_json_add_str(act, "platform",
	    platform)))
		return rc;
	ver = ml_json_str(ml_json_get(ctx, "app", json_type_object), "version");
	if (ver != NULL && (rc = ml_json_add_str(act, "app_version", ver)))
		return rc;
	return ml_json_add_int(act, "current_time", seg_time(msg, now_s));
}

static int
seg_alias(json_object *msg, struct ml_segment_map_out *out,
    struct ml_err *err)
{
	struct ml_segment_map_item *it;
	const char *prev, *uid;
	int rc;

	prev = ml_json_str(msg, "previousId");
	uid = ml_json_str(msg, "userId");
	if (prev == NULL || prev[0] == '\0' || uid == NULL || uid[0] == '\0') {
		ml_err_set(err, ML_EINVAL, "invalid_message",
		    "alias needs previousId and userId");
		ml_err_field(err, prev == NULL || prev[0] == '\0' ?
		    "previousId" : "userId");
		return ML_EINVAL;
	}
	if (strcmp(prev, uid) == 0) {
		ml_err_set(err, ML_EINVAL, "invalid_message",
		    "alias: previousId and userId are the same user");
		ml_err_field(err, "previousId");
		return ML_EINVAL;
	}
	it = seg_item(out, "merge", uid);
	if (it == NULL)
		return ML_ENOMEM;
	if ((rc = ml_json_add_str(it->payload, "merged_user", prev)) ||
	    (rc = ml_json_add_str(it->payload, "retained_user", uid)))
		return rc;
	return ML_OK;
}

/* The action name of a page or screen call. */
static void
seg_view_name(json_object *msg, const char *type, char *out, size_t cap)
{
	const char *name = ml_json_str(msg, "name");
	const char *what = strcmp(type, "page") == 0 ? "Page" : "Screen";

	if (name != NULL && name[0] != '\0')
		snprintf(out, cap, "Viewed %s %s", name, what);
	else if (strcmp(type, "page") == 0)
		snprintf(out, cap, "Loaded a Page");
	else
		snprintf(out, cap, "Viewed a Screen");
}

static int
seg_dispatch(json_object *msg, const char *type, int64_t now_s,
    struct ml_segment_map_out *out, struct ml_err *err)
{
	json_object *ctx, *traits;
	const char *cid, *event;
	char action[SEG_KEY_MAX];

	if (strcmp(type, "alias") == 0)
		return seg_alias(msg, out, err);
	if (strcmp(type, "identify") != 0 && strcmp(type, "track") != 0 &&
	    strcmp(type, "page") != 0 && strcmp(type, "screen") != 0) {
		ml_err_set(err, ML_EINVAL, "unsupported_type",
		    "'%s' calls have no MoEngage equivalent; use identify, "
		    "track, page, screen or alias", type);
		ml_err_field(err, "type");
		return ML_EINVAL;
	}
	ctx = ml_json_get(msg, "context", json_type_object);
	traits = strcmp(type, "identify") == 0 ?
	    ml_json_get(msg, "traits", json_type_object) :
	    ml_json_get(ctx, "traits", json_type_object);
	cid = seg_customer_id(msg, traits);
	if (cid == NULL) {
		ml_err_set(err, ML_EINVAL, "invalid_message",
		    "a message needs userId or anonymousId");
		ml_err_field(err, "userId");
		return ML_EINVAL;
	}
	if (strlen(cid) >= ML_SEGMENT_MAP_ID_MAX) {
		ml_err_set(err, ML_EINVAL, "invalid_message",
		    "the user id is longer than %d bytes",
		    ML_SEGMENT_MAP_ID_MAX - 1);
		ml_err_field(err, "userId");
		return ML_EINVAL;
	}
	if (strcmp(type, "identify") == 0)
		return seg_identify(msg, cid, ctx, out);
	if (strcmp(type, "track") == 0) {
		event = ml_json_str(msg, "event");
		if (event == NULL || event[0] == '\0') {
			ml_err_set(err, ML_EINVAL, "invalid_message",
			    "track needs an event name");
			ml_err_field(err, "event");
			return ML_EINVAL;
		}
		return seg_event(msg, event, cid, ctx, now_s, out);
	}
	seg_view_name(msg, type, action, sizeof(action));
	return seg_event(msg, action, cid, ctx, now_s, out);
}

int
ml_segment_map_message(json_object *msg, const char *implied_type,
    int64_t now_s, struct ml_segment_map_out *out, struct ml_err *err)
{
	const char *type;
	int rc;

	ml_segment_map_out_init(out);
	if (msg == NULL || !json_object_is_type(msg, json_type_object))
		return ml_err_set(err, ML_EINVAL, "invalid_message",
		    "a message must be a JSON object");
	type = ml_json_str(msg, "type");
	if (implied_type != NULL) {
		if (type != NULL && strcmp(type, implied_type) != 0) {
			ml_err_set(err, ML_EINVAL, "invalid_message",
			    "type '%s' sent to the %s endpoint", type,
			    implied_type);
			ml_err_field(err, "type");
			return ML_EINVAL;
		}
		type = implied_type;
	}
	if (type == NULL) {
		ml_err_set(err, ML_EINVAL, "invalid_message",
		    "a batch message needs a type");
		ml_err_field(err, "type");
		return ML_EINVAL;
	}
	rc = seg_dispatch(msg, type, now_s, out, err);
	if (rc == ML_ENOMEM)
		ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	if (rc)
		ml_segment_map_out_cleanup(out);
	return rc;
}
