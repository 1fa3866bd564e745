/* SPDX-License-Identifier: MIT */
/*
 * hub.c: the Hub, where an end user links a MoEngage workspace with a
 * connect-session token: the page (GET /hub?token=...), its session lookup
 * (GET /hub/api/session) and Connect (POST /hub/api/link).
 *
 * Contract: the session token travels in the X-Hub-Session-Token header
 * (the page reads it from its own URL); Connect also needs the page's CSRF
 * token (a MAC of the session id under the server secret, put into the
 * page by the server) and a JSON body, so a cross-site form post or a
 * script on another origin cannot link an account. The page may be framed
 * only by the origins the project allows (CSP frame-ancestors), and those
 * are the only origins the page posts its "moelink:linked" message to.
 * Answers never echo a key; a refused link stores nothing.
 */
#include "server/assets.h"

#include <ctype.h>
#include <string.h>

#include <moelink/json.h>
#include <moelink/mem.h>

#include "server/api.h"
#include "server/auth.h"
#include "server/link.h"
#include "core/log.h"
#include "server/server.h"

#define HUB_TOKEN_HEADER "X-Hub-Session-Token"

/* One origin: http(s)://host[:port], host of [A-Za-z0-9.-]. */
static int
hub_origin_ok(const char *s, size_t n)
{
	size_t i = 0, digits = 0;

	if (n > 7 && strncmp(s, "http://", 7) == 0)
		i = 7;
	else if (n > 8 && strncmp(s, "https://", 8) == 0)
		i = 8;
	else
		return 0;
	if (i >= n || s[i] == '.' || s[i] == '-' || s[i] == ':')
		return 0;
	for (; i < n && s[i] != ':'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '-')
			return 0;
	if (i == n)
		return 1;
	for (i++; i < n; i++, digits++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return digits >= 1 && digits <= 5;
}

int
ml_hub_origins_check(const char *list, struct ml_err *err)
{
	const char *p = list;
	size_t n;

	while (*p != '\0') {
		n = strcspn(p, " ");
		if (n > 0 && !hub_origin_ok(p, n))
			return ml_err_set(err, ML_EINVAL, "invalid_origin",
			    "'%.*s' is not an origin like https://app.example."
			    "com (scheme, host, optional port; no path)",
			    (int)(n > 100 ? 100 : n), p);
		p += n;
		while (*p == ' ')
			p++;
	}
	return ML_OK;
}

void
ml_hub_origins(struct ml_server *srv, const char *project_id, char *out,
    size_t cap)
{
	char *setting = NULL;
	const char *p;
	size_t n, len = 0;

	if (cap == 0)
		return;
	out[0] = '\0';
	if (project_id != NULL && project_id[0] != '\0' &&
	    ml_store_setting_get(srv->store, project_id,
	    ML_SETTING_FRAME_ORIGINS, &setting, NULL) != ML_OK)
		setting = NULL;
	p = setting != NULL ? setting : srv->opts.frame_origins;
	while (*p != '\0') {
		n = strcspn(p, " ");
		if (n > 0 && hub_origin_ok(p, n) && len + n + 2 < cap) {
			if (len > 0)
				out[len++] = ' ';
			memcpy(out + len, p, n);
			len += n;
			out[len] = '\0';
		}
		p += n;
		while (*p == ' ')
			p++;
	}
	ml_free(setting);
}

/* Find the session for a presented token; maps states to errors. */
static int
hub_find(struct ml_http_req *r, const char *token,
    struct ml_store_session *cs)
{
	int rc;

	if (token == NULL || token[0] == '\0')
		return ml_err_set(&r->err, ML_EAUTH, "missing_token",
		    "this page needs a link with a token: ask for a new "
		    "link");
	rc = ml_store_session_find(r->srv->store, token, cs, &r->err);
	if (rc == ML_ENOTFOUND || rc == ML_EINVAL)
		return ml_err_set(&r->err, ML_ENOTFOUND, "invalid_token",
		    "this link is not valid: check that you copied all of it, "
		    "or ask for a new link");
	if (rc)
		return rc;
	if (cs->status == ML_SESSION_EXPIRED)
		return ml_err_set(&r->err, ML_EEXPIRED, "session_expired",
		    "this link has expired: ask for a new link");
	if (cs->status == ML_SESSION_SPENT)
		return ml_err_set(&r->err, ML_ECONFLICT, "session_spent",
		    "this link was already used to connect an account: ask "
		    "for a new link");
	return ML_OK;
}

int
ml_hub_page(struct ml_http_req *r)
{
	static const char *const keys[] = { "csrf", "origins", "state" };
	struct ml_store_session cs;
	char csrf[ML_AUTH_CSRF_LEN] = "", origins[1024] = "";
	char frame[1100];
	const char *vals[3], *state = "open";
	unsigned status = 200;
	int rc;

	ml_store_session_init(&cs);
	rc = hub_find(r, ml_http_query(r, "token"), &cs);
	if (rc == ML_OK) {
		ml_auth_csrf(r->srv, "hub", cs.id, csrf, sizeof(csrf));
	} else if (rc == ML_ENOTFOUND || rc == ML_EAUTH ||
	    rc == ML_EEXPIRED || rc == ML_ECONFLICT) {
		state = r->err.kind;
		status = ml_http_status_of(rc);
		if (rc == ML_EAUTH)
			status = 400;
	} else {
		goto out;
	}
	if (cs.project_id[0] != '\0')
		ml_hub_origins(r->srv, cs.project_id, origins, sizeof(origins));
	snprintf(frame, sizeof(frame), "'self'%s%s", origins[0] ? " " : "",
	    origins);
	vals[0] = csrf;
	vals[1] = origins;
	vals[2] = state;
	rc = ml_assets_page(r, "hub.html", frame, keys, vals, 3, status);
out:
	ml_store_session_cleanup(&cs);
	return rc;
}

int
ml_hub_session(struct ml_http_req *r)
{
	struct ml_store_session cs;
	json_object *o = NULL;
	int rc;

	ml_store_session_init(&cs);
	rc = hub_find(r, ml_http_header(r, HUB_TOKEN_HEADER), &cs);
	if (rc)
		goto out;
	o = json_object_new_object();
	if (o == NULL) {
		rc = ML_ENOMEM;
		goto out;
	}
	rc = ml_json_add_str(o, "status",
	    ml_store_session_status_name(cs.status));
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "origin_owner_name",
		    cs.origin_owner_name);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "label", cs.label);
	if (rc == ML_OK)
		rc = ml_api_add_time(o, "expires_at", cs.expires_at);
	if (rc == ML_OK)
		rc = ml_http_reply_json(r, 200, o);
out:
	json_object_put(o);
	ml_store_session_cleanup(&cs);
	return rc;
}

/* Check the session, CSRF and body, and set up the link job. */
static int
hub_link_prepare(struct ml_http_req *r, struct ml_link_job *job)
{
	struct ml_store_session cs;
	json_object *body = NULL;
	const char *ct;
	int rc;

	ml_store_session_init(&cs);
	ct = ml_http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0) {
		rc = ml_err_set(&r->err, ML_EAUTH, "csrf_failed", "Connect "
		    "takes a JSON body from the Hub page; reload the page");
		goto out;
	}
	rc = hub_find(r, ml_http_header(r, HUB_TOKEN_HEADER), &cs);
	if (rc)
		goto out;
	if (!ml_auth_csrf_ok(r->srv, "hub", cs.id,
	    ml_http_header(r, ML_AUTH_CSRF_HEADER))) {
		rc = ml_err_set(&r->err, ML_EAUTH, "csrf_failed",
		    "missing or wrong security token: reload the page and "
		    "try again");
		goto out;
	}
	rc = ml_http_body_json(r, &body);
	if (rc == ML_OK)
		rc = ml_link_creds_parse(body, NULL, NULL, &job->creds,
		    &r->err);
	if (rc)
		goto out;
	ml_strlcpy(job->project_id, cs.project_id, sizeof(job->project_id));
	ml_strlcpy(job->session_id, cs.id, sizeof(job->session_id));
	ml_strlcpy(job->owner_id, cs.origin_owner_id, sizeof(job->owner_id));
	ml_strlcpy(job->owner_name, cs.origin_owner_name,
	    sizeof(job->owner_name));
	ml_strlcpy(job->username, cs.origin_username, sizeof(job->username));
	ml_strlcpy(job->label, cs.label, sizeof(job->label));
	if (cs.metadata != NULL) {
		job->metadata = ml_strdup(cs.metadata);
		if (job->metadata == NULL)
			rc = ML_ENOMEM;
	}
	job->hub = 1;
out:
	ml_link_wipe_json(body);
	json_object_put(body);
	ml_store_session_cleanup(&cs);
	return rc;
}

int
ml_hub_link(struct ml_http_req *r)
{
	struct ml_link_job *job = r->state;
	int rc;

	if (job == NULL) {
		job = ml_link_job_new();
		if (job == NULL)
			return ML_ENOMEM;
		r->state = job;
		r->state_free = ml_link_job_free;
		rc = hub_link_prepare(r, job);
		if (rc == ML_EAUTH && strcmp(r->err.kind, "csrf_failed") == 0)
			return ml_http_reply_err(r, 403, &r->err);
		if (rc)
			return rc;
	}
	return ml_link_job_run(r, job);
}
