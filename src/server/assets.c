/* SPDX-License-Identifier: MIT */
/*
 * assets.c: serving the embedded web files (web.h): static assets with an
 * ETag (304 on a match), and HTML pages with a few {{name}} placeholders
 * filled in and a strict Content-Security-Policy (no inline script, only
 * our own origin, frame-ancestors as the caller says).
 *
 * Contract: placeholder values are put into HTML attributes, so callers
 * pass only values of a safe alphabet (tokens, validated origins); this
 * file refuses any value with a character that could leave the attribute.
 */
#include "server/assets.h"

#include <stdio.h>
#include <string.h>

#include <moelink/buf.h>

#include "server/web.h"

const struct ml_web_asset *
ml_assets_find(const char *name)
{
	const struct ml_web_asset *a;

	for (a = ml_web_assets; a->name != NULL; a++)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

static int
assets_send(struct ml_http_req *r, const struct ml_web_asset *a)
{
	const char *inm = ml_http_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
	int rc;

	rc = ml_http_add_header(r, "Cache-Control", "no-cache");
	if (rc == ML_OK)
		rc = ml_http_add_header(r, "ETag", a->etag);
	if (rc)
		return rc;
	if (inm != NULL && strstr(inm, a->etag) != NULL)
		return ml_http_reply(r, 304, NULL, "", 0);
	return ml_http_reply(r, 200, a->content_type, a->data, a->len);
}

int
ml_assets_serve(struct ml_http_req *r)
{
	const struct ml_web_asset *a = ml_assets_find(r->params[0]);

	if (a == NULL || strstr(a->name, ".html") != NULL)
		return ml_http_reply_error(r, 404, "not_found",
		    "no such file");
	return assets_send(r, a);
}

int
ml_assets_hub_js(struct ml_http_req *r)
{
	const struct ml_web_asset *a = ml_assets_find("hub.js");

	if (a == NULL)
		return ml_err_set(&r->err, ML_EINTERNAL, NULL,
		    "hub.js is missing from this build");
	return assets_send(r, a);
}

static int
assets_value_ok(const char *v)
{
	for (; *v != '\0'; v++)
		if (*v == '"' || *v == '<' || *v == '>' || *v == '&' ||
		    *v == '\'' || (unsigned char)*v < 0x20)
			return 0;
	return 1;
}

int
ml_assets_page(struct ml_http_req *r, const char *name,
    const char *frame_ancestors, const char *const *keys,
    const char *const *vals, size_t n, unsigned status)
{
	const struct ml_web_asset *a = ml_assets_find(name);
	const char *p, *open, *close;
	struct ml_buf out, csp;
	size_t i, klen;
	int rc = ML_OK;

	ml_buf_init(&out, 1024 * 1024);
	ml_buf_init(&csp, 4096);
	if (a == NULL) {
		rc = ml_err_set(&r->err, ML_EINTERNAL, NULL,
		    "%s is missing from this build", name);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!assets_value_ok(vals[i])) {
			rc = ml_err_set(&r->err, ML_EINTERNAL, NULL,
			    "unsafe value for {{%s}}", keys[i]);
			goto out;
		}
	}
	p = (const char *)a->data;
	while (rc == ML_OK && (open = strstr(p, "{{")) != NULL) {
		close = strstr(open, "}}");
		if (close == NULL)
			break;
		rc = ml_buf_append(&out, p, (size_t)(open - p));
		klen = (size_t)(close - open - 2);
		for (i = 0; rc == ML_OK && i < n; i++)
			if (strlen(keys[i]) == klen &&
			    strncmp(open + 2, keys[i], klen) == 0)
				break;
		if (rc == ML_OK)
			rc = i < n ? ml_buf_append_str(&out, vals[i]) :
			    ml_buf_append(&out, open, (size_t)(close + 2 - open));
		p = close + 2;
	}
	if (rc == ML_OK)
		rc = ml_buf_append_str(&out, p);
	if (rc == ML_OK)
		rc = ml_buf_appendf(&csp, "default-src 'self'; script-src "
		    "'self'; style-src 'self'; img-src 'self' data:; "
		    "connect-src 'self'; frame-src 'self'; form-action 'self'; "
		    "base-uri 'none'; object-src 'none'; frame-ancestors %s",
		    frame_ancestors);
	if (rc == ML_OK)
		rc = ml_http_add_header(r, "Content-Security-Policy", csp.data);
	if (rc == ML_OK && strcmp(frame_ancestors, "'none'") == 0)
		rc = ml_http_add_header(r, "X-Frame-Options", "DENY");
	if (rc == ML_OK)
		rc = ml_http_reply(r, status, a->content_type, out.data,
		    out.len);
out:
	ml_buf_cleanup(&out);
	ml_buf_cleanup(&csp);
	return rc;
}
