/* SPDX-License-Identifier: MIT */
/*
 * api.c: helpers shared by the REST handlers (input fields, timestamps,
 * the account JSON) and GET /healthz.
 *
 * Contract: the account JSON is built from the stored record only; the
 * sealed blob is never read here, and the only key material shown is the
 * vault's hints (last 4 characters of each key of 8 or more); the row's
 * hints also carry the account's db_name (not a secret). Strings go
 * out JSON-escaped by json-c; pages render them with textContent.
 */
#include "server/api.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <moelink/account.h>
#include <moelink/dc.h>
#include <moelink/json.h>
#include <moelink/mem.h>

#include "server/server.h"

int
ml_api_text(json_object *obj, const char *name, int required, char *out,
    size_t cap, struct ml_err *err)
{
	json_object *v = NULL;
	const unsigned char *p;
	const char *s;

	out[0] = '\0';
	if (!json_object_object_get_ex(obj, name, &v) || v == NULL) {
		if (!required)
			return ML_OK;
		ml_err_field(err, name);
		return ml_err_set(err, ML_EINVAL, "missing_field",
		    "%s is required", name);
	}
	if (!json_object_is_type(v, json_type_string)) {
		ml_err_field(err, name);
		return ml_err_set(err, ML_EINVAL, "invalid_field",
		    "%s must be a string", name);
	}
	s = json_object_get_string(v);
	if ((size_t)json_object_get_string_len(v) >= cap) {
		ml_err_field(err, name);
		return ml_err_set(err, ML_EINVAL, "invalid_field",
		    "%s is longer than %zu bytes", name, cap - 1);
	}
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			ml_err_field(err, name);
			return ml_err_set(err, ML_EINVAL, "invalid_field",
			    "%s may not contain control characters", name);
		}
	}
	if ((size_t)json_object_get_string_len(v) != strlen(s)) {
		ml_err_field(err, name);
		return ml_err_set(err, ML_EINVAL, "invalid_field",
		    "%s may not contain NUL characters", name);
	}
	if (required && s[0] == '\0') {
		ml_err_field(err, name);
		return ml_err_set(err, ML_EINVAL, "missing_field",
		    "%s may not be empty", name);
	}
	ml_strlcpy(out, s, cap);
	return ML_OK;
}

int
ml_api_metadata(json_object *obj, char **out, struct ml_err *err)
{
	json_object *v = NULL;
	const char *text;

	*out = NULL;
	if (!json_object_object_get_ex(obj, "metadata", &v) || v == NULL)
		return ML_OK;
	if (!json_object_is_type(v, json_type_object)) {
		ml_err_field(err, "metadata");
		return ml_err_set(err, ML_EINVAL, "invalid_field",
		    "metadata must be a JSON object");
	}
	text = ml_json_text(v);
	if (text == NULL)
		return ML_ENOMEM;
	if (strlen(text) > ML_STORE_JSON_MAX) {
		ml_err_field(err, "metadata");
		return ml_err_set(err, ML_EINVAL, "invalid_field",
		    "metadata is over %d bytes", ML_STORE_JSON_MAX);
	}
	*out = ml_strdup(text);
	return *out != NULL ? ML_OK : ML_ENOMEM;
}

int
ml_api_add_time(json_object *o, const char *key, int64_t t)
{
	char ts[32];
	struct tm tm;
	time_t tt = (time_t)t;

	if (t == 0)
		return json_object_object_add(o, key, NULL) ? ML_ENOMEM : ML_OK;
	gmtime_r(&tt, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return ml_json_add_str(o, key, ts);
}

/* Parse stored JSON text (ours) into a member, or the fallback type. */
static int
api_add_json(json_object *o, const char *key, const char *text,
    json_type fallback)
{
	json_object *v = NULL;

	if (text == NULL || ml_json_parse(text, strlen(text), 0, 0, &v,
	    NULL) != ML_OK || !json_object_is_type(v, fallback)) {
		json_object_put(v);
		v = fallback == json_type_array ? json_object_new_array() :
		    json_object_new_object();
		if (v == NULL)
			return ML_ENOMEM;
	}
	if (json_object_object_add(o, key, v)) {
		json_object_put(v);
		return ML_ENOMEM;
	}
	return ML_OK;
}

/*
 * credential_hints and db_name, both from the row's key_hints: db_name is
 * no secret and rides there so listing accounts never opens a sealed blob.
 */
static int
api_add_hints(json_object *o, const char *hints)
{
	char db[ML_DB_NAME_MAX];
	json_object *h = NULL;
	const char *s;
	int rc;

	db[0] = '\0';
	rc = api_add_json(o, "credential_hints", hints, json_type_object);
	if (rc == ML_OK && json_object_object_get_ex(o, "credential_hints",
	    &h) && (s = ml_json_str(h, "db_name")) != NULL) {
		ml_strlcpy(db, s, sizeof(db));
		json_object_object_del(h, "db_name");
	}
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "db_name", db);
	return rc;
}

int
ml_api_account_json(const struct ml_store_account *a, json_object **out)
{
	const struct ml_dc_info *dc = NULL;
	json_object *o;
	int rc;

	*out = NULL;
	o = json_object_new_object();
	if (o == NULL)
		return ML_ENOMEM;
	ml_dc_lookup(a->data_center, &dc, NULL);
	rc = ml_json_add_str(o, "id", a->id);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "provider", a->provider[0] != '\0' ?
		    a->provider : "moengage");
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "provider_name", "MoEngage");
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "status",
		    ml_store_account_status_name(a->status));
	if (rc == ML_OK)
		rc = api_add_json(o, "status_reasons", a->status_reasons,
		    json_type_array);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "origin_owner_id", a->origin_owner_id);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "origin_owner_name",
		    a->origin_owner_name);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "origin_username", a->origin_username);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "label", a->label);
	if (rc == ML_OK)
		rc = api_add_json(o, "metadata", a->metadata,
		    json_type_object);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "workspace_id", a->workspace_id);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "data_center", a->data_center);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "region", dc != NULL &&
		    dc->region != NULL ? dc->region : "");
	if (rc == ML_OK)
		rc = api_add_hints(o, a->key_hints);
	if (rc == ML_OK)
		rc = ml_api_add_time(o, "created_at", a->created_at);
	if (rc == ML_OK)
		rc = ml_api_add_time(o, "updated_at", a->updated_at);
	if (rc == ML_OK)
		rc = ml_api_add_time(o, "last_verified_at",
		    a->last_verified_at);
	if (rc) {
		json_object_put(o);
		return rc;
	}
	*out = o;
	return ML_OK;
}

int
ml_api_account_load(struct ml_http_req *r, struct ml_store_account *a)
{
	int rc;

	rc = ml_store_account_get(r->srv->store, r->project_id, r->params[0],
	    a, &r->err);
	if (rc == ML_ENOTFOUND)
		return ml_err_set(&r->err, ML_ENOTFOUND, "account_not_found",
		    "no account %s in this project", r->params[0]);
	return rc;
}

/*
 * The store check of /healthz (schema version, then a read of projects),
 * run at most once per second: a load balancer polling it, or a benchmark,
 * must not turn it into two SQLite reads per call. Callers within the
 * second get the last result; one thread checks while the others wait.
 */
static int
api_health_check(struct ml_http_req *r, int *version)
{
	struct ml_server *srv = r->srv;
	int64_t now = ml_http_now_ns(), n = 0;
	int rc;

	pthread_mutex_lock(&srv->health_mu);
	if (srv->health_at_ns == 0 ||
	    now - srv->health_at_ns >= 1000000000) {
		rc = ml_store_schema_version(srv->store, &srv->health_version,
		    &r->err);
		if (rc == ML_OK)
			rc = ml_store_project_count(srv->store, &n, &r->err);
		srv->health_rc = rc;
		srv->health_at_ns = now;
	}
	rc = srv->health_rc;
	*version = srv->health_version;
	pthread_mutex_unlock(&srv->health_mu);
	return rc;
}

int
ml_api_healthz(struct ml_http_req *r)
{
	static const char down[] =
	    "{\"status\":\"error\",\"store\":\"unavailable\"}";
	char body[96];
	int n, version = 0;

	/* Fixed keys and a number: written directly, no JSON tree. */
	if (api_health_check(r, &version) != ML_OK)
		return ml_http_reply(r, 503, "application/json", down,
		    sizeof(down) - 1);
	n = snprintf(body, sizeof(body), "{\"status\":\"ok\",\"store\":\"ok\","
	    "\"schema_version\":%d}", version);
	return ml_http_reply(r, 200, "application/json", body, (size_t)n);
}
