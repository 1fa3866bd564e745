/* SPDX-License-Identifier: MIT */
/*
 * sim_state.c: what the simulated MoEngage remembers, per workspace: users
 * (customer_id -> attributes, merged on every Track User), devices, and
 * events (a total count and the last STATE_EVENTS_KEEP with their customer_id
 * and action). In memory only, bounded, behind one mutex.
 *
 * Users and devices are json-c objects keyed by id (json-c's hash table; no
 * hand-written map). A user is {"customer_id","id","attributes":{...}} where
 * "id" is a MoEngage-style 24-hex-digit id; a device is {"device_id",
 * "customer_id","attributes":{...},"blocked":bool}. Nothing here hands out a
 * reference to stored objects: callers get deep copies.
 *
 * MoEngage processes these calls asynchronously and deletes after a 24 h
 * buffer; the simulator applies them at once (docs/sim.md).
 */
#include "sim/sim.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <strings.h>

#include <moelink/json.h>
#include <moelink/mem.h>

#define STATE_USERS_MAX 100000
#define STATE_DEVICES_MAX 100000
#define STATE_EVENTS_KEEP 1000

struct state_ws {
	json_object *users;	/* customer_id -> user */
	json_object *by_moe;	/* moengage id -> customer_id */
	json_object *devices;	/* device_id -> device */
	json_object *ev[STATE_EVENTS_KEEP];	/* ring of recent events */
	size_t ev_head, ev_n;
	long ev_total;
};

struct ml_sim_state {
	pthread_mutex_t mu;
	size_t nws;
	struct state_ws *ws;
};

static void
state_ws_clear(struct state_ws *w)
{
	size_t i;

	json_object_put(w->users);
	json_object_put(w->by_moe);
	json_object_put(w->devices);
	for (i = 0; i < STATE_EVENTS_KEEP; i++)
		json_object_put(w->ev[i]);
	memset(w, 0, sizeof(*w));
}

/* Make sure the maps exist. Locked. */
static int
state_ws_ready(struct state_ws *w)
{
	if (w->users == NULL)
		w->users = json_object_new_object();
	if (w->by_moe == NULL)
		w->by_moe = json_object_new_object();
	if (w->devices == NULL)
		w->devices = json_object_new_object();
	if (w->users == NULL || w->by_moe == NULL || w->devices == NULL)
		return ML_ENOMEM;
	return ML_OK;
}

int
ml_sim_state_new(size_t nws, struct ml_sim_state **out)
{
	struct ml_sim_state *st;

	*out = NULL;
	st = ml_calloc(1, sizeof(*st));
	if (st == NULL)
		return ML_ENOMEM;
	st->ws = ml_calloc(nws ? nws : 1, sizeof(*st->ws));
	if (st->ws == NULL) {
		ml_free(st);
		return ML_ENOMEM;
	}
	st->nws = nws;
	pthread_mutex_init(&st->mu, NULL);
	*out = st;
	return ML_OK;
}

void
ml_sim_state_free(struct ml_sim_state *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->nws; i++)
		state_ws_clear(&st->ws[i]);
	pthread_mutex_destroy(&st->mu);
	ml_free(st->ws);
	ml_free(st);
}

void
ml_sim_state_reset(struct ml_sim_state *st)
{
	size_t i;

	pthread_mutex_lock(&st->mu);
	for (i = 0; i < st->nws; i++)
		state_ws_clear(&st->ws[i]);
	pthread_mutex_unlock(&st->mu);
}

static json_object *
state_copy(json_object *v)
{
	json_object *c = NULL;

	if (v == NULL)
		return NULL;
	if (json_object_deep_copy(v, &c, NULL))
		return NULL;
	return c;
}

/* obj[key], or a new empty object stored there. NULL on ML_ENOMEM. */
static json_object *
state_member_obj(json_object *obj, const char *key)
{
	json_object *v;

	if (json_object_object_get_ex(obj, key, &v) &&
	    json_object_is_type(v, json_type_object))
		return v;
	v = json_object_new_object();
	if (ml_sim_json_add(obj, key, v))
		return NULL;
	return v;
}

/* Deep-copy every member of src into dst (replacing). */
static int
state_merge_into(json_object *dst, json_object *src)
{
	json_object_object_foreach(src, k, v) {
		if (ml_sim_json_add(dst, k, state_copy(v)))
			return ML_ENOMEM;
	}
	return ML_OK;
}

static json_object *
state_user(struct state_ws *w, const char *cid)
{
	json_object *u;

	if (cid == NULL || w->users == NULL)
		return NULL;
	return json_object_object_get_ex(w->users, cid, &u) ? u : NULL;
}

/* The customer_id behind an identifier, or NULL. */
static const char *
state_resolve(struct state_ws *w, const char *id_type, const char *value)
{
	json_object *v;

	if (w->users == NULL || value == NULL)
		return NULL;
	if (strcmp(id_type, "moengage_id") == 0 || strcmp(id_type, "id") == 0) {
		if (json_object_object_get_ex(w->by_moe, value, &v))
			return json_object_get_string(v);
		return NULL;
	}
	return state_user(w, value) != NULL ? value : NULL;
}

/* Does a device or event object belong to customer cid? */
static int
state_owned(json_object *o, const char *cid)
{
	const char *owner = ml_json_str(o, "customer_id");

	return owner != NULL && cid != NULL && strcmp(owner, cid) == 0;
}

/*
 * Lock, make the maps, and resolve an identifier to its customer_id. The
 * caller unlocks on every path. ML_ENOTFOUND if there is no such user.
 */
static int
state_begin(struct ml_sim_state *st, struct state_ws *w, const char *id_type,
    const char *id_value, const char **cid)
{
	int rc;

	pthread_mutex_lock(&st->mu);
	rc = state_ws_ready(w);
	if (rc)
		return rc;
	*cid = state_resolve(w, id_type, id_value);
	return *cid != NULL ? ML_OK : ML_ENOTFOUND;
}

static json_object *
state_user_new(struct state_ws *w, const char *cid)
{
	unsigned char raw[12];
	char moe[25];
	json_object *u;

	if (json_object_object_length(w->users) >= STATE_USERS_MAX)
		return NULL;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(moe, sizeof(moe), raw, sizeof(raw));
	u = json_object_new_object();
	if (u == NULL)
		return NULL;
	if (ml_json_add_str(u, "customer_id", cid) ||
	    ml_json_add_str(u, "id", moe) ||
	    ml_sim_json_add(u, "attributes", json_object_new_object()) ||
	    ml_sim_json_add(w->by_moe, moe, json_object_new_string(cid))) {
		json_object_put(u);
		return NULL;
	}
	if (ml_sim_json_add(w->users, cid, u)) {
		json_object_object_del(w->by_moe, moe);
		return NULL;
	}
	return u;
}

/* cid must not point into the stored user (callers pass a copy). */
static void
state_user_del(struct state_ws *w, const char *cid)
{
	const char *moe;
	json_object *u = state_user(w, cid);

	if (u == NULL)
		return;
	moe = ml_json_str(u, "id");
	if (moe != NULL)
		json_object_object_del(w->by_moe, moe);
	json_object_object_del(w->users, cid);
}

/* Append the values of add (array or one value) to attrs[name]. */
static int
state_array_add(json_object *attrs, const char *name, json_object *add)
{
	json_object *arr;
	size_t i, n;

	if (!json_object_object_get_ex(attrs, name, &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		arr = json_object_new_array();
		if (ml_sim_json_add(attrs, name, arr))
			return ML_ENOMEM;
	}
	if (!json_object_is_type(add, json_type_array))
		return ml_sim_json_push(arr, state_copy(add));
	n = json_object_array_length(add);
	for (i = 0; i < n; i++)
		if (ml_sim_json_push(arr, state_copy(
		    json_object_array_get_idx(add, i))))
			return ML_ENOMEM;
	return ML_OK;
}

/* Remove from attrs[name] every element equal to a value of rm. */
static void
state_array_remove(json_object *attrs, const char *name, json_object *rm)
{
	json_object *arr;
	size_t i, j, n;
	int hit;

	if (!json_object_object_get_ex(attrs, name, &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return;
	for (i = json_object_array_length(arr); i > 0; i--) {
		json_object *el = json_object_array_get_idx(arr, i - 1);

		hit = 0;
		if (json_object_is_type(rm, json_type_array)) {
			n = json_object_array_length(rm);
			for (j = 0; j < n && !hit; j++)
				hit = json_object_equal(el,
				    json_object_array_get_idx(rm, j));
		} else {
			hit = json_object_equal(el, rm);
		}
		if (hit)
			json_object_array_del_idx(arr, i - 1, 1);
	}
}

static int
state_rule_match(const char *type, const char *pat, int cs, const char *name)
{
	size_t pl = strlen(pat), nl = strlen(name);

	if (strcmp(type, "equals") == 0)
		return cs ? strcmp(name, pat) == 0 :
		    strcasecmp(name, pat) == 0;
	if (strcmp(type, "prefix") == 0)
		return nl >= pl && (cs ? strncmp(name, pat, pl) == 0 :
		    strncasecmp(name, pat, pl) == 0);
	if (strcmp(type, "suffix") == 0)
		return nl >= pl && (cs ? strcmp(name + nl - pl, pat) == 0 :
		    strcasecmp(name + nl - pl, pat) == 0);
	if (strcmp(type, "contains") == 0) {
		size_t i;

		for (i = 0; i + pl <= nl; i++)
			if (cs ? strncmp(name + i, pat, pl) == 0 :
			    strncasecmp(name + i, pat, pl) == 0)
				return 1;
	}
	return 0;
}

/* Apply unset_attributes rules: drop every matching attribute. */
static int
state_unset(json_object *attrs, json_object *rules)
{
	json_object *gone;
	size_t i, n = json_object_array_length(rules);
	int rc = ML_OK;

	gone = json_object_new_array();
	if (gone == NULL)
		return ML_ENOMEM;
	for (i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(rules, i);
		const char *type = ml_json_str(r, "type");
		const char *pat = ml_json_str(r, "attr");
		int cs = ml_json_bool(r, "case_sensitive", 1);

		if (type == NULL || pat == NULL)
			continue;
		json_object_object_foreach(attrs, k, v) {
			(void)v;
			if (state_rule_match(type, pat, cs, k)) {
				rc = ml_sim_json_push(gone,
				    json_object_new_string(k));
				if (rc)
					goto out;
			}
		}
	}
	n = json_object_array_length(gone);
	for (i = 0; i < n; i++)
		json_object_object_del(attrs, json_object_get_string(
		    json_object_array_get_idx(gone, i)));
out:
	json_object_put(gone);
	return rc;
}

static int
state_apply_attrs(json_object *attrs, json_object *in)
{
	json_object *add = NULL, *rm = NULL;
	int rc;

	json_object_object_foreach(in, k, v) {
		if (strcmp(k, "addValueToArrayField") == 0) {
			add = v;
			continue;
		}
		if (strcmp(k, "removeValueFromArrayField") == 0) {
			rm = v;
			continue;
		}
		/* Documented as blocked attribute names. */
		if (k[0] == '\0' || strcmp(k, "id") == 0 ||
		    strcmp(k, "_id") == 0)
			continue;
		rc = ml_sim_json_add(attrs, k, state_copy(v));
		if (rc)
			return rc;
	}
	if (add != NULL && json_object_is_type(add, json_type_object)) {
		json_object_object_foreach(add, ak, av) {
			rc = state_array_add(attrs, ak, av);
			if (rc)
				return rc;
		}
	}
	if (rm != NULL && json_object_is_type(rm, json_type_object)) {
		json_object_object_foreach(rm, rk, rv)
			state_array_remove(attrs, rk, rv);
	}
	return ML_OK;
}

int
ml_sim_state_track_user(struct ml_sim_state *st, size_t ws, json_object *in)
{
	struct state_ws *w = &st->ws[ws];
	const char *cid = ml_json_str(in, "customer_id");
	json_object *u, *attrs, *v;
	int rc;

	pthread_mutex_lock(&st->mu);
	rc = state_ws_ready(w);
	if (rc)
		goto out;
	u = state_user(w, cid);
	if (u == NULL) {
		if (ml_json_bool(in, "update_existing_only", 0))
			goto out;
		u = state_user_new(w, cid);
		if (u == NULL) {
			rc = ML_ETOOBIG;
			goto out;
		}
	}
	attrs = state_member_obj(u, "attributes");
	if (attrs == NULL) {
		rc = ML_ENOMEM;
		goto out;
	}
	v = ml_json_get(in, "attributes", json_type_object);
	if (v != NULL) {
		rc = state_apply_attrs(attrs, v);
		if (rc)
			goto out;
	}
	v = ml_json_get(in, "platforms", json_type_array);
	if (v != NULL) {
		rc = ml_sim_json_add(u, "platforms", state_copy(v));
		if (rc)
			goto out;
	}
	v = ml_json_get(in, "unset_attributes", json_type_array);
	if (v != NULL)
		rc = state_unset(attrs, v);
out:
	pthread_mutex_unlock(&st->mu);
	return rc;
}

int
ml_sim_state_track_event(struct ml_sim_state *st, size_t ws, json_object *in)
{
	struct state_ws *w = &st->ws[ws];
	const char *cid = ml_json_str(in, "customer_id");
	json_object *actions, *e = NULL;
	size_t i, n, slot;
	int rc;

	pthread_mutex_lock(&st->mu);
	rc = state_ws_ready(w);
	if (rc)
		goto out;
	/* An event for an unknown customer_id creates the user. */
	if (cid != NULL && state_user(w, cid) == NULL &&
	    state_user_new(w, cid) == NULL) {
		rc = ML_ETOOBIG;
		goto out;
	}
	actions = ml_json_get(in, "actions", json_type_array);
	n = actions != NULL ? json_object_array_length(actions) : 0;
	for (i = 0; i < n; i++) {
		e = state_copy(json_object_array_get_idx(actions, i));
		if (e == NULL || !json_object_is_type(e, json_type_object) ||
		    (cid != NULL && ml_json_add_str(e, "customer_id", cid))) {
			rc = ML_ENOMEM;
			goto out;
		}
		if (ml_json_str(in, "device_id") != NULL &&
		    ml_json_add_str(e, "device_id", ml_json_str(in,
		    "device_id"))) {
			rc = ML_ENOMEM;
			goto out;
		}
		slot = (w->ev_head + w->ev_n) % STATE_EVENTS_KEEP;
		if (w->ev_n == STATE_EVENTS_KEEP)
			w->ev_head = (w->ev_head + 1) % STATE_EVENTS_KEEP;
		else
			w->ev_n++;
		json_object_put(w->ev[slot]);
		w->ev[slot] = e;
		e = NULL;
		w->ev_total++;
	}
out:
	json_object_put(e);
	pthread_mutex_unlock(&st->mu);
	return rc;
}

int
ml_sim_state_track_device(struct ml_sim_state *st, size_t ws, json_object *in)
{
	struct state_ws *w = &st->ws[ws];
	const char *cid = ml_json_str(in, "customer_id");
	const char *did = ml_json_str(in, "device_id");
	json_object *d, *attrs, *v;
	int rc;

	pthread_mutex_lock(&st->mu);
	rc = state_ws_ready(w);
	if (rc)
		goto out;
	/* "Devices can be created for existing users only." */
	if (did == NULL || state_user(w, cid) == NULL) {
		rc = ML_ENOTFOUND;
		goto out;
	}
	if (!json_object_object_get_ex(w->devices, did, &d)) {
		if (json_object_object_length(w->devices) >=
		    STATE_DEVICES_MAX) {
			rc = ML_ETOOBIG;
			goto out;
		}
		d = json_object_new_object();
		if (ml_sim_json_add(w->devices, did, d) ||
		    ml_json_add_str(d, "device_id", did) ||
		    ml_sim_json_add(d, "blocked",
		    json_object_new_boolean(0))) {
			rc = ML_ENOMEM;
			goto out;
		}
	}
	rc = ml_json_add_str(d, "customer_id", cid);
	if (rc)
		goto out;
	attrs = state_member_obj(d, "attributes");
	v = ml_json_get(in, "attributes", json_type_object);
	if (attrs == NULL)
		rc = ML_ENOMEM;
	else if (v != NULL)
		rc = state_merge_into(attrs, v);
out:
	pthread_mutex_unlock(&st->mu);
	return rc;
}

/* Does device d match one of the device_identifiers objects? */
static int
state_device_match(json_object *d, json_object *ids)
{
	json_object *attrs = ml_json_get(d, "attributes", json_type_object);
	const char *did = ml_json_str(d, "device_id");
	size_t i, n = json_object_array_length(ids);

	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(ids, i);

		json_object_object_foreach(o, k, v) {
			const char *want = json_object_get_string(v);
			const char *have = NULL;

			if (strcmp(k, "device_unique_id") == 0 ||
			    strcmp(k, "unique_id") == 0)
				have = did;
			else if (attrs != NULL)
				have = ml_json_str(attrs, k);
			if (have != NULL && want != NULL &&
			    strcmp(have, want) == 0)
				return 1;
		}
	}
	return 0;
}

int
ml_sim_state_opt_out(struct ml_sim_state *st, size_t ws, const char *id_type,
    const char *id_value, int block, json_object *ids)
{
	struct state_ws *w = &st->ws[ws];
	const char *cid = NULL;
	int rc;

	rc = state_begin(st, w, id_type, id_value, &cid);
	if (rc)
		goto out;
	json_object_object_foreach(w->devices, k, d) {
		(void)k;
		if (!state_owned(d, cid))
			continue;
		if (ids != NULL && !state_device_match(d, ids))
			continue;
		rc = ml_sim_json_add(d, "blocked",
		    json_object_new_boolean(block));
		if (rc)
			goto out;
	}
out:
	pthread_mutex_unlock(&st->mu);
	return rc;
}

int
ml_sim_state_merge(struct ml_sim_state *st, size_t ws, const char *merged,
    const char *retained)
{
	struct state_ws *w = &st->ws[ws];
	json_object *mu, *ru, *mattrs, *rattrs;
	size_t i;
	int rc;

	pthread_mutex_lock(&st->mu);
	rc = state_ws_ready(w);
	if (rc)
		goto out;
	mu = state_user(w, merged);
	ru = state_user(w, retained);
	if (mu == NULL || ru == NULL || mu == ru) {
		rc = ML_ENOTFOUND;
		goto out;
	}
	/* The merged user's attributes move over and win on conflict. */
	mattrs = ml_json_get(mu, "attributes", json_type_object);
	rattrs = state_member_obj(ru, "attributes");
	if (rattrs == NULL) {
		rc = ML_ENOMEM;
		goto out;
	}
	if (mattrs != NULL) {
		rc = state_merge_into(rattrs, mattrs);
		if (rc)
			goto out;
	}
	json_object_object_foreach(w->devices, dk, d) {
		(void)dk;
		if (state_owned(d, merged)) {
			rc = ml_json_add_str(d, "customer_id", retained);
			if (rc)
				goto out;
		}
	}
	for (i = 0; i < w->ev_n; i++) {
		json_object *e = w->ev[(w->ev_head + i) % STATE_EVENTS_KEEP];

		if (state_owned(e, merged)) {
			rc = ml_json_add_str(e, "customer_id", retained);
			if (rc)
				goto out;
		}
	}
	state_user_del(w, merged);
out:
	pthread_mutex_unlock(&st->mu);
	return rc;
}

int
ml_sim_state_delete(struct ml_sim_state *st, size_t ws, const char *id_type,
    const char *id_value)
{
	struct state_ws *w = &st->ws[ws];
	json_object *gone = NULL;
	const char *cid = NULL;
	char *key = NULL;
	size_t i, n;
	int rc;

	rc = state_begin(st, w, id_type, id_value, &cid);
	if (rc)
		goto out;
	/* cid may live in by_moe, which the delete changes. */
	key = ml_strdup(cid);
	gone = json_object_new_array();
	if (key == NULL || gone == NULL) {
		rc = ML_ENOMEM;
		goto out;
	}
	json_object_object_foreach(w->devices, dk, d) {
		if (state_owned(d, key)) {
			rc = ml_sim_json_push(gone, json_object_new_string(dk));
			if (rc)
				goto out;
		}
	}
	n = json_object_array_length(gone);
	for (i = 0; i < n; i++)
		json_object_object_del(w->devices, json_object_get_string(
		    json_object_array_get_idx(gone, i)));
	state_user_del(w, key);
out:
	json_object_put(gone);
	ml_free(key);
	pthread_mutex_unlock(&st->mu);
	return rc;
}

int
ml_sim_state_export(struct ml_sim_state *st, size_t ws, const char *id_type,
    const char *id_value, json_object *fields, json_object **out)
{
	struct state_ws *w = &st->ws[ws];
	json_object *u, *attrs, *ua = NULL, *res = NULL, *v;
	const char *cid;
	size_t i, n;
	int rc = ML_ENOMEM;

	*out = NULL;
	pthread_mutex_lock(&st->mu);
	cid = state_resolve(w, id_type, id_value);
	u = state_user(w, cid);
	if (u == NULL) {
		rc = ML_ENOTFOUND;
		goto out;
	}
	attrs = ml_json_get(u, "attributes", json_type_object);
	ua = json_object_new_object();
	if (ua == NULL)
		goto out;
	n = fields != NULL ? json_object_array_length(fields) : 0;
	if (n == 0) {
		if (ml_json_add_str(ua, "customer_id", cid) ||
		    (attrs != NULL && state_merge_into(ua, attrs)))
			goto out;
	}
	for (i = 0; i < n; i++) {
		const char *f = json_object_get_string(
		    json_object_array_get_idx(fields, i));

		if (f == NULL)
			continue;
		if (strcmp(f, "customer_id") == 0) {
			if (ml_json_add_str(ua, f, cid))
				goto out;
		} else if (attrs != NULL &&
		    json_object_object_get_ex(attrs, f, &v)) {
			if (ml_sim_json_add(ua, f, state_copy(v)))
				goto out;
		}
	}
	if (ml_json_add_str(ua, "id", ml_json_str(u, "id")))
		goto out;
	res = json_object_new_object();
	rc = ml_sim_json_add(res, "user_attributes", ua);
	ua = NULL;
	if (rc)
		goto out;
	*out = res;
	res = NULL;
out:
	pthread_mutex_unlock(&st->mu);
	json_object_put(ua);
	json_object_put(res);
	return rc;
}

int
ml_sim_state_user(struct ml_sim_state *st, size_t ws, const char *cid,
    json_object **out)
{
	struct state_ws *w = &st->ws[ws];
	json_object *u, *res = NULL, *devs = NULL, *evs = NULL;
	size_t i;
	int rc = ML_ENOMEM;

	*out = NULL;
	pthread_mutex_lock(&st->mu);
	u = state_user(w, cid);
	if (u == NULL) {
		rc = ML_ENOTFOUND;
		goto out;
	}
	res = state_copy(u);
	devs = json_object_new_array();
	evs = json_object_new_array();
	if (res == NULL || devs == NULL || evs == NULL)
		goto out;
	json_object_object_foreach(w->devices, dk, d) {
		(void)dk;
		if (state_owned(d, cid) &&
		    ml_sim_json_push(devs, state_copy(d)))
			goto out;
	}
	for (i = 0; i < w->ev_n; i++) {
		json_object *e = w->ev[(w->ev_head + i) % STATE_EVENTS_KEEP];

		if (state_owned(e, cid) &&
		    ml_sim_json_push(evs, state_copy(e)))
			goto out;
	}
	rc = ml_sim_json_add(res, "devices", devs);
	devs = NULL;
	if (rc == ML_OK)
		rc = ml_sim_json_add(res, "events", evs);
	evs = NULL;
	if (rc)
		goto out;
	*out = res;
	res = NULL;
out:
	pthread_mutex_unlock(&st->mu);
	json_object_put(res);
	json_object_put(devs);
	json_object_put(evs);
	return rc;
}

int
ml_sim_state_events(struct ml_sim_state *st, size_t ws, long limit,
    json_object **out)
{
	struct state_ws *w = &st->ws[ws];
	json_object *arr;
	size_t i, first;
	int rc = ML_OK;

	*out = NULL;
	arr = json_object_new_array();
	if (arr == NULL)
		return ML_ENOMEM;
	pthread_mutex_lock(&st->mu);
	first = limit > 0 && (size_t)limit < w->ev_n ? w->ev_n - (size_t)limit :
	    0;
	for (i = first; i < w->ev_n; i++) {
		rc = ml_sim_json_push(arr, state_copy(
		    w->ev[(w->ev_head + i) % STATE_EVENTS_KEEP]));
		if (rc)
			break;
	}
	pthread_mutex_unlock(&st->mu);
	if (rc) {
		json_object_put(arr);
		return rc;
	}
	*out = arr;
	return ML_OK;
}

void
ml_sim_state_counts(struct ml_sim_state *st, size_t ws, long *users,
    long *events, long *devices)
{
	struct state_ws *w = &st->ws[ws];

	pthread_mutex_lock(&st->mu);
	*users = w->users ? json_object_object_length(w->users) : 0;
	*devices = w->devices ? json_object_object_length(w->devices) : 0;
	*events = w->ev_total;
	pthread_mutex_unlock(&st->mu);
}
