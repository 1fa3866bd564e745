/* SPDX-License-Identifier: MIT */
/*
 * assets.h: the embedded web files as HTTP answers, and the pages' handlers
 * (hub.c, dashboard.c).
 */
#ifndef ML_SERVER_ASSETS_H
#define ML_SERVER_ASSETS_H

#include <stddef.h>

#include "server/http.h"
#include "server/web.h"

const struct ml_web_asset *ml_assets_find(const char *name);
/* GET /assets/{name} (no .html pages) and GET /hub.js. */
int ml_assets_serve(struct ml_http_req *r);
int ml_assets_hub_js(struct ml_http_req *r);
/*
 * Answer with HTML page `name`, replacing {{keys[i]}} by vals[i] (values
 * must not hold quotes, angle brackets, '&' or control characters) and
 * sending the page CSP with frame-ancestors as given ("'self' https://x",
 * "'none'").
 */
int ml_assets_page(struct ml_http_req *r, const char *name,
    const char *frame_ancestors, const char *const *keys,
    const char *const *vals, size_t n, unsigned status);

/* hub.c */
int ml_hub_page(struct ml_http_req *r);
int ml_hub_session(struct ml_http_req *r);
int ml_hub_link(struct ml_http_req *r);
/*
 * The origins allowed to embed the Hub for a project: the project's
 * setting, else the server default; only well-formed origins
 * ("https://host[:port]") are kept, space-separated, into out.
 */
void ml_hub_origins(struct ml_server *srv, const char *project_id, char *out,
    size_t cap);
/* Check an origin list; ML_EINVAL names the first bad one. */
int ml_hub_origins_check(const char *list, struct ml_err *err);

/* dashboard.c */
int ml_dashboard_page(struct ml_http_req *r);
int ml_dashboard_signin_link(struct ml_http_req *r);
int ml_dashboard_signin(struct ml_http_req *r);
int ml_dashboard_signout(struct ml_http_req *r);
int ml_dashboard_me(struct ml_http_req *r);
int ml_dashboard_settings_get(struct ml_http_req *r);
int ml_dashboard_settings_put(struct ml_http_req *r);

#endif
