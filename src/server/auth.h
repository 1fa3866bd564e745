/* SPDX-License-Identifier: MIT */
/*
 * auth.h: who is calling. REST callers present a project API key
 * (Authorization: Bearer KEY, or Basic with KEY as the username, as
 * StackOne does); the dashboard's own scripts present the HttpOnly,
 * SameSite=Strict session cookie plus an X-CSRF-Token header on every
 * state-changing request. CSRF tokens are keyed BLAKE2b MACs of the
 * dashboard session token or the connect-session id under the server
 * secret, so nothing extra is stored and a page can only hold the token of
 * a session it was given.
 */
#ifndef ML_SERVER_AUTH_H
#define ML_SERVER_AUTH_H

#include <stddef.h>

#include "server/http.h"

#define ML_AUTH_DASH_COOKIE "moelink_dash"
#define ML_AUTH_CSRF_HEADER "X-CSRF-Token"
#define ML_AUTH_PROJECT_HEADER "X-Moelink-Project"
#define ML_AUTH_CSRF_LEN 44		/* base64url of 32 bytes + NUL */

/*
 * Authenticate r as a project caller; fills r->project_id and
 * r->via_dashboard. ML_EAUTH (r->err set, WWW-Authenticate added) for a
 * missing or unknown key, a stale cookie or a missing/wrong CSRF token.
 */
int ml_auth_project(struct ml_http_req *r);

/*
 * The CSRF token for (purpose, subject): "dash" + dashboard session token,
 * or "hub" + connect-session id. out needs ML_AUTH_CSRF_LEN bytes.
 */
void ml_auth_csrf(struct ml_server *srv, const char *purpose,
    const char *subject, char *out, size_t cap);
/* 1 if presented (may be NULL) is the right token, compared in constant time. */
int ml_auth_csrf_ok(struct ml_server *srv, const char *purpose,
    const char *subject, const char *presented);

/* The project an admin dashboard session works on (header, else oldest). */
int ml_auth_admin_project(struct ml_http_req *r, char *out, size_t cap);

#endif
