/* SPDX-License-Identifier: MIT */
/*
 * dashboard.c: the operator's dashboard: the page, sign-in (project API
 * key, admin password, or a one-time sign-in link), sign-out, "who am I"
 * and the Hub embedding setting. The Accounts page itself calls the REST
 * API (/accounts, /connect_sessions) with its session cookie.
 *
 * Contract: a sign-in creates a dashboard session in the store and sends
 * its token only as an HttpOnly, SameSite=Strict cookie (Secure when the
 * public URL is https); the page learns its CSRF token from
 * /dashboard/api/me. Sign-in takes only JSON bodies, so another site cannot
 * sign a browser in with a form. A one-time link is consumed on first use.
 * The admin password's Argon2id check (about 140 ms of CPU) runs on the
 * server's worker pool while the connection is suspended, never on one of
 * the few MHD threads that serve every other request.
 */
#include "server/assets.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include <moelink/json.h>
#include <moelink/mem.h>

#include "server/api.h"
#include "server/auth.h"
#include "core/log.h"
#include "server/server.h"
#include "vault/vault.h"

static int
dashboard_cookie(struct ml_http_req *r, const char *token, long max_age)
{
	char c[256];
	int secure = strncmp(r->srv->public_url, "https://", 8) == 0;

	snprintf(c, sizeof(c), "%s=%s; Path=/; HttpOnly; SameSite=Strict; "
	    "Max-Age=%ld%s", ML_AUTH_DASH_COOKIE, token, max_age,
	    secure ? "; Secure" : "");
	return ml_http_add_header(r, "Set-Cookie", c);
}

/* Start a regular session for (subject, project) and set the cookie. */
static int
dashboard_start(struct ml_http_req *r, const char *subject,
    const char *project_id)
{
	struct ml_store_dash d;
	char token[ML_STORE_TOKEN_MAX] = "";
	int rc;

	ml_store_dash_init(&d);
	ml_strlcpy(d.subject, subject, sizeof(d.subject));
	ml_strlcpy(d.project_id, project_id, sizeof(d.project_id));
	d.one_time = 0;
	d.expires_at = ml_store_now() + r->srv->opts.session_ttl;
	rc = ml_store_dash_create(r->srv->store, &d, token, sizeof(token),
	    &r->err);
	if (rc == ML_OK)
		rc = dashboard_cookie(r, token, r->srv->opts.session_ttl);
	if (rc == ML_OK)
		ml_http_log(r, ML_LOG_INFO, "msg=\"dashboard sign-in\" "
		    "subject=%s project=%s", subject,
		    project_id[0] ? project_id : "*");
	sodium_memzero(token, sizeof(token));
	ml_store_dash_cleanup(&d);
	return rc;
}

int
ml_dashboard_page(struct ml_http_req *r)
{
	return ml_assets_page(r, "dashboard.html", "'none'", NULL, NULL, 0,
	    200);
}

int
ml_dashboard_signin_link(struct ml_http_req *r)
{
	struct ml_store_dash d;
	const char *token = ml_http_query(r, "token");
	const char *where = "/dashboard";
	int rc;

	ml_store_dash_init(&d);
	rc = token != NULL ? ml_store_dash_consume(r->srv->store, token, &d,
	    &r->err) : ML_ENOTFOUND;
	if (rc == ML_OK)
		rc = dashboard_start(r, d.subject, d.project_id);
	if (rc == ML_ENOTFOUND || rc == ML_EINVAL)
		where = "/dashboard#signin=invalid";
	else if (rc == ML_EEXPIRED)
		where = "/dashboard#signin=expired";
	else if (rc == ML_ECONFLICT)
		where = "/dashboard#signin=used";
	else if (rc)
		goto out;
	rc = ml_http_add_header(r, "Location", where);
	if (rc == ML_OK)
		rc = ml_http_reply(r, 303, "text/plain; charset=utf-8",
		    "See /dashboard\n", 15);
out:
	ml_store_dash_cleanup(&d);
	return rc;
}

/* A password sign-in waiting for its check on the worker pool. */
struct dashboard_pw {
	struct ml_http_job job;
	char *hash;
	char *password;
	int rc;			/* the check's result */
};

static void
dashboard_pw_free(void *p)
{
	struct dashboard_pw *pw = p;

	if (pw == NULL)
		return;
	ml_free(pw->hash);
	ml_free_secret(pw->password);
	ml_free(pw);
}

/* Worker thread: the Argon2id verification. */
static void
dashboard_pw_check(void *p)
{
	struct dashboard_pw *pw = p;

	pw->rc = ml_vault_password_verify(pw->hash, pw->password, NULL);
}

/* Start checking password (r->state keeps it); the handler runs again. */
static int
dashboard_password(struct ml_http_req *r, const char *password)
{
	struct dashboard_pw *pw;
	int rc;

	pw = ml_calloc(1, sizeof(*pw));
	if (pw == NULL)
		return ML_ENOMEM;
	r->state = pw;
	r->state_free = dashboard_pw_free;
	rc = ml_store_setting_get(r->srv->store, NULL,
	    ML_SETTING_ADMIN_PASSWORD, &pw->hash, &r->err);
	if (rc == ML_ENOTFOUND)
		return ml_err_set(&r->err, ML_EAUTH, "no_admin_password",
		    "no admin password is set: run 'moelink admin password', "
		    "or sign in with a project API key");
	if (rc)
		return rc;
	pw->password = ml_strdup(password);
	if (pw->password == NULL)
		return ML_ENOMEM;
	return ml_http_job_start(r, &pw->job, dashboard_pw_check, pw);
}

/* The handler's second run: the check is done. */
static int
dashboard_password_done(struct ml_http_req *r, struct dashboard_pw *pw)
{
	int rc = pw->job.rc;

	if (rc)
		return rc;	/* never ran: r->err says why */
	if (pw->rc)
		rc = ml_err_set(&r->err, ML_EAUTH, "invalid_credentials",
		    "wrong password");
	else
		rc = dashboard_start(r, "admin", "");
	if (rc == ML_OK)
		rc = ml_http_reply(r, 200, "application/json",
		    "{\"ok\":true}", 11);
	return rc;
}

int
ml_dashboard_signin(struct ml_http_req *r)
{
	struct ml_store_apikey info;
	json_object *body = NULL;
	const char *key, *password;
	int rc;

	if (r->state != NULL)
		return dashboard_password_done(r, r->state);
	ml_store_apikey_init(&info);
	if (ml_http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE) == NULL) {
		rc = ml_err_set(&r->err, ML_EINVAL, "unsupported_media_type",
		    "send the sign-in as application/json");
		goto out;
	}
	rc = ml_http_body_json(r, &body);
	if (rc)
		goto out;
	key = ml_json_str(body, "api_key");
	password = ml_json_str(body, "password");
	if (key != NULL && key[0] != '\0') {
		rc = ml_store_apikey_lookup(r->srv->store, key, &info,
		    &r->err);
		if (rc == ML_ENOTFOUND)
			rc = ml_err_set(&r->err, ML_EAUTH,
			    "invalid_credentials", "that API key is not "
			    "valid (unknown or revoked)");
		if (rc == ML_OK)
			rc = dashboard_start(r, "api_key", info.project_id);
	} else if (password != NULL && password[0] != '\0') {
		rc = dashboard_password(r, password);
		if (rc == ML_OK)
			goto out;	/* suspended: answered on the next run */
	} else {
		rc = ml_err_set(&r->err, ML_EINVAL, "missing_field",
		    "enter a project API key or the admin password");
	}
	if (rc == ML_OK)
		rc = ml_http_reply(r, 200, "application/json",
		    "{\"ok\":true}", 11);
out:
	if (body != NULL) {
		json_object *v;
		if ((v = ml_json_get(body, "password", json_type_string)))
			sodium_memzero((void *)(uintptr_t)
			    json_object_get_string(v),
			    (size_t)json_object_get_string_len(v));
	}
	json_object_put(body);
	ml_store_apikey_cleanup(&info);
	return rc;
}

int
ml_dashboard_signout(struct ml_http_req *r)
{
	const char *token = ml_http_cookie(r, ML_AUTH_DASH_COOKIE);
	int rc;

	if (token == NULL || !ml_auth_csrf_ok(r->srv, "dash", token,
	    ml_http_header(r, ML_AUTH_CSRF_HEADER)))
		return ml_err_set(&r->err, ML_EAUTH, "csrf_failed",
		    "missing or wrong %s header", ML_AUTH_CSRF_HEADER);
	rc = ml_store_dash_delete(r->srv->store, token, &r->err);
	if (rc && rc != ML_ENOTFOUND)
		return rc;
	rc = dashboard_cookie(r, "", 0);
	if (rc == ML_OK)
		rc = ml_http_reply(r, 200, "application/json",
		    "{\"ok\":true}", 11);
	return rc;
}

static int
dashboard_projects(struct ml_http_req *r, json_object *o)
{
	struct ml_store_project *list = NULL;
	json_object *arr, *p;
	size_t i, n = 0;
	int rc;

	rc = ml_store_project_list(r->srv->store, &list, &n, &r->err);
	if (rc)
		return rc;
	arr = json_object_new_array();
	if (arr == NULL || json_object_object_add(o, "projects", arr)) {
		json_object_put(arr);
		rc = ML_ENOMEM;
		goto out;
	}
	for (i = 0; i < n && rc == ML_OK; i++) {
		p = json_object_new_object();
		if (p == NULL || json_object_array_add(arr, p)) {
			json_object_put(p);
			rc = ML_ENOMEM;
			break;
		}
		rc = ml_json_add_str(p, "id", list[i].id);
		if (rc == ML_OK)
			rc = ml_json_add_str(p, "name", list[i].name);
	}
out:
	ml_store_project_list_free(list, n);
	return rc;
}

int
ml_dashboard_me(struct ml_http_req *r)
{
	struct ml_store_dash d;
	struct ml_store_project p;
	const char *token = ml_http_cookie(r, ML_AUTH_DASH_COOKIE);
	char csrf[ML_AUTH_CSRF_LEN], project[ML_STORE_ID_MAX] = "";
	json_object *o = NULL;
	int rc;

	ml_store_dash_init(&d);
	ml_store_project_init(&p);
	rc = token != NULL ? ml_store_dash_find(r->srv->store, token, &d,
	    &r->err) : ML_ENOTFOUND;
	if (rc == ML_ENOTFOUND || rc == ML_EEXPIRED || rc == ML_ECONFLICT ||
	    rc == ML_EINVAL || (rc == ML_OK && d.one_time)) {
		rc = ml_err_set(&r->err, ML_EAUTH, "signed_out",
		    "sign in to the dashboard");
		goto out;
	}
	if (rc)
		goto out;
	if (d.project_id[0] != '\0')
		ml_strlcpy(project, d.project_id, sizeof(project));
	else
		rc = ml_auth_admin_project(r, project, sizeof(project));
	if (rc == ML_OK)
		rc = ml_store_project_get(r->srv->store, project, &p, &r->err);
	if (rc)
		goto out;
	ml_auth_csrf(r->srv, "dash", token, csrf, sizeof(csrf));
	o = json_object_new_object();
	if (o == NULL) {
		rc = ML_ENOMEM;
		goto out;
	}
	rc = ml_json_add_str(o, "subject", d.subject);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "csrf_token", csrf);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "project_id", p.id);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "project_name", p.name);
	if (rc == ML_OK)
		rc = ml_json_add_str(o, "public_url", r->srv->public_url);
	if (rc == ML_OK && d.project_id[0] == '\0')
		rc = dashboard_projects(r, o);
	if (rc == ML_OK)
		rc = ml_http_reply_json(r, 200, o);
out:
	json_object_put(o);
	ml_store_project_cleanup(&p);
	ml_store_dash_cleanup(&d);
	return rc;
}

int
ml_dashboard_settings_get(struct ml_http_req *r)
{
	char origins[1024];
	json_object *o;
	int rc;

	ml_hub_origins(r->srv, r->project_id, origins, sizeof(origins));
	o = json_object_new_object();
	if (o == NULL)
		return ML_ENOMEM;
	rc = ml_json_add_str(o, "hub_frame_origins", origins);
	if (rc == ML_OK)
		rc = ml_http_reply_json(r, 200, o);
	json_object_put(o);
	return rc;
}

int
ml_dashboard_settings_put(struct ml_http_req *r)
{
	json_object *body = NULL;
	char origins[1024];
	int rc;

	rc = ml_http_body_json(r, &body);
	if (rc == ML_OK)
		rc = ml_api_text(body, "hub_frame_origins", 0, origins,
		    sizeof(origins), &r->err);
	if (rc == ML_OK)
		rc = ml_hub_origins_check(origins, &r->err);
	if (rc == ML_EINVAL)
		ml_err_field(&r->err, "hub_frame_origins");
	if (rc == ML_OK)
		rc = ml_store_setting_set(r->srv->store, r->project_id,
		    ML_SETTING_FRAME_ORIGINS, origins, &r->err);
	json_object_put(body);
	if (rc)
		return rc;
	return ml_dashboard_settings_get(r);
}
