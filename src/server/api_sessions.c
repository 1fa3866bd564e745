/* SPDX-License-Identifier: MIT */
/*
 * api_sessions.c: POST /connect_sessions and GET /connect_sessions/{id}.
 *
 * Contract (StackOne's field names): origin_owner_id and origin_owner_name
 * are required; origin_username, label, metadata (object), provider (only
 * "moengage") and expires_in (seconds, default 1800, 60 .. 30 days) are
 * optional. The answer carries the token and auth_link_url exactly once;
 * the store keeps only the token's hash, and a successful link spends it.
 */
#include "server/api.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include <moelink/buf.h>
#include <moelink/json.h>
#include <moelink/mem.h>

#include "core/log.h"
#include "server/server.h"

static int
sessions_json(struct ml_http_req *r, const struct ml_store_session *cs,
    const char *token, json_object **out)
{
	struct ml_buf url;
	json_object *o;
	int rc;

	*out = NULL;
	ml_buf_init(&url, 1024);
	o = json_object_new_object();
	if (o == NULL)
		return ML_ENOMEM;
	rc = ml_json_add_str(o, "id", cs->id);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "project_id", cs->project_id);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "provider", "moengage");
	if (rc == ML_OK && token != NULL) {
		rc = ml_json_add_str(o, "token", token);
		if (rc == ML_OK)
			rc = ml_buf_appendf(&url, "%s/hub?token=",
			    r->srv->public_url);
		if (rc == ML_OK)
			rc = ml_buf_append_urlenc(&url, token);
		if (rc == ML_OK)
			rc = ml_json_add_str(o, "auth_link_url", url.data);
	}
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "origin_owner_id", cs->origin_owner_id);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "origin_owner_name",
		    cs->origin_owner_name);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "origin_username", cs->origin_username);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "label", cs->label);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "status",
		    ml_store_session_status_name(cs->status));
	if (rc == ML_OK && cs->account_id[0] != '\0')
		rc = ml_json_add_str(o, "account_id", cs->account_id);
	if (rc == ML_OK)
		rc = ml_api_add_time(o, "created_at", cs->created_at);
	if (rc == ML_OK)
		rc = ml_api_add_time(o, "expires_at", cs->expires_at);
	ml_buf_cleanup_zero(&url);
	if (rc) {
		json_object_put(o);
		return rc;
	}
	*out = o;
	return ML_OK;
}

int
ml_api_sessions_parse(json_object *body, struct ml_store_session *cs,
    int64_t *ttl, struct ml_err *err)
{
	char provider[32];
	json_object *v = NULL;
	int rc;

	*ttl = ML_API_SESSION_TTL_DEFAULT;
	rc = ml_api_text(body, "origin_owner_id", 1, cs->origin_owner_id,
	    sizeof(cs->origin_owner_id), err);
	if (rc == ML_OK)
		rc = ml_api_text(body, "origin_owner_name", 1,
		    cs->origin_owner_name, sizeof(cs->origin_owner_name), err);
	if (rc == ML_OK)
		rc = ml_api_text(body, "origin_username", 0,
		    cs->origin_username, sizeof(cs->origin_username), err);
	if (rc == ML_OK)
		rc = ml_api_text(body, "label", 0, cs->label, sizeof(cs->label),
		    err);
	if (rc == ML_OK)
		rc = ml_api_text(body, "provider", 0, provider,
		    sizeof(provider), err);
	if (rc == ML_OK && provider[0] != '\0' &&
	    strcmp(provider, "moengage") != 0) {
		ml_err_field(err, "provider");
		rc = ml_err_set(err, ML_EINVAL, "invalid_field",
		    "provider must be \"moengage\" (the only provider here)");
	}
	if (rc == ML_OK)
		rc = ml_api_metadata(body, &cs->metadata, err);
	if (rc)
		return rc;
	if (json_object_object_get_ex(body, "expires_in", &v) && v != NULL) {
		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int64(v) < 60 ||
		    json_object_get_int64(v) > ML_API_SESSION_TTL_MAX) {
			ml_err_field(err, "expires_in");
			return ml_err_set(err, ML_EINVAL, "invalid_field",
			    "expires_in must be a whole number of seconds "
			    "from 60 to %ld (30 days)", ML_API_SESSION_TTL_MAX);
		}
		*ttl = json_object_get_int64(v);
	}
	return ML_OK;
}

int
ml_api_sessions_create_from(struct ml_http_req *r, json_object *body)
{
	struct ml_store_session cs;
	char token[ML_STORE_TOKEN_MAX] = "";
	json_object *out = NULL;
	int64_t ttl;
	int rc;

	ml_store_session_init(&cs);
	ml_strlcpy(cs.project_id, r->project_id, sizeof(cs.project_id));
	rc = ml_api_sessions_parse(body, &cs, &ttl, &r->err);
	if (rc)
		goto out;
	cs.expires_at = ml_store_now() + ttl;
	rc = ml_store_session_create(r->srv->store, &cs, token, sizeof(token),
	    &r->err);
	if (rc)
		goto out;
	rc = sessions_json(r, &cs, token, &out);
	if (rc == ML_OK)
		rc = ml_http_reply_json(r, 201, out);
	if (rc == ML_OK)
		ml_http_log(r, ML_LOG_INFO, "msg=\"connect session created\" "
		    "session=%s project=%s", cs.id, cs.project_id);
out:
	json_object_put(out);
	sodium_memzero(token, sizeof(token));
	ml_store_session_cleanup(&cs);
	return rc;
}

int
ml_api_sessions_create(struct ml_http_req *r)
{
	json_object *body = NULL;
	int rc;

	rc = ml_http_body_json(r, &body);
	if (rc == ML_OK)
		rc = ml_api_sessions_create_from(r, body);
	json_object_put(body);
	return rc;
}

int
ml_api_sessions_get(struct ml_http_req *r)
{
	struct ml_store_session cs;
	json_object *out = NULL;
	int rc;

	ml_store_session_init(&cs);
	rc = ml_store_session_get(r->srv->store, r->project_id, r->params[0],
	    &cs, &r->err);
	if (rc == ML_ENOTFOUND)
		rc = ml_err_set(&r->err, ML_ENOTFOUND, "session_not_found",
		    "no connect session %s in this project", r->params[0]);
	if (rc == ML_OK)
		rc = sessions_json(r, &cs, NULL, &out);
	if (rc == ML_OK)
		rc = ml_http_reply_json(r, 200, out);
	json_object_put(out);
	ml_store_session_cleanup(&cs);
	return rc;
}
