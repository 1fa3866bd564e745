/* SPDX-License-Identifier: MIT */
/*
 * sim_reqlog.c: the journal of recent requests (GET /_sim/requests) and the
 * per-workspace answer counters (GET /_sim/stats).
 *
 * The journal is a ring of the last `keep` requests, each a prebuilt JSON
 * object. Credentials never reach it: the Authorization value is replaced by
 * "<scheme> [redacted]", headers whose names say secret/token/signature/
 * password/cookie are replaced, and every API key of every workspace is
 * scrubbed wherever it appears (headers, query, body), which also covers keys
 * sent in bodies such as Test Connection's app_secret. Bodies are cut at
 * 4 KB on a UTF-8 boundary and invalid bytes shown as '?', so the journal is
 * always valid JSON. Entries are built outside the lock; the lock only
 * guards the ring and the counters.
 */
#include "sim/sim.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <moelink/json.h>
#include <moelink/mem.h>

#define REQLOG_BODY_MAX 4096
#define REQLOG_TEXT_MAX (64 * 1024)
#define REDACTED "[redacted]"

struct ml_sim_reqlog {
	pthread_mutex_t mu;
	json_object **ring;
	size_t keep, head, n;
	long seq;
	size_t nws;
	struct ml_sim_counts *counts;	/* nws rows, then the totals row */
};

int
ml_sim_reqlog_new(size_t nws, size_t keep, struct ml_sim_reqlog **out)
{
	struct ml_sim_reqlog *l;

	*out = NULL;
	l = ml_calloc(1, sizeof(*l));
	if (l == NULL)
		return ML_ENOMEM;
	l->ring = ml_calloc(keep ? keep : 1, sizeof(*l->ring));
	l->counts = ml_calloc(nws + 1, sizeof(*l->counts));
	if (l->ring == NULL || l->counts == NULL) {
		ml_free(l->ring);
		ml_free(l->counts);
		ml_free(l);
		return ML_ENOMEM;
	}
	l->keep = keep ? keep : 1;
	l->nws = nws;
	pthread_mutex_init(&l->mu, NULL);
	*out = l;
	return ML_OK;
}

static void
reqlog_clear(struct ml_sim_reqlog *l)
{
	size_t i;

	for (i = 0; i < l->keep; i++) {
		json_object_put(l->ring[i]);
		l->ring[i] = NULL;
	}
	l->head = l->n = 0;
	memset(l->counts, 0, (l->nws + 1) * sizeof(*l->counts));
}

void
ml_sim_reqlog_free(struct ml_sim_reqlog *l)
{
	if (l == NULL)
		return;
	reqlog_clear(l);
	pthread_mutex_destroy(&l->mu);
	ml_free(l->ring);
	ml_free(l->counts);
	ml_free(l);
}

void
ml_sim_reqlog_reset(struct ml_sim_reqlog *l)
{
	pthread_mutex_lock(&l->mu);
	reqlog_clear(l);
	pthread_mutex_unlock(&l->mu);
}

/* Length of the valid UTF-8 sequence at s (max n bytes), 0 if invalid. */
static size_t
reqlog_utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		cp = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		cp = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return len;
}

/*
 * Append text[0..len) to b with every workspace key replaced and invalid
 * UTF-8 shown as '?'. Keys shorter than 4 bytes are not scrubbed (they
 * would blank ordinary text).
 */
static int
reqlog_scrub(const struct ml_sim_wsset *set, struct ml_buf *b,
    const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, w, k, kl, ul;
	int rc;

	while (i < len) {
		for (w = 0; w < set->n; w++) {
			for (k = 0; k < ML_KEY_SLOT_COUNT; k++) {
				const char *key = set->ws[w].keys.key[k];

				if (key == NULL)
					continue;
				kl = strlen(key);
				if (kl >= 4 && kl <= len - i &&
				    memcmp(text + i, key, kl) == 0)
					goto hit;
			}
		}
		ul = reqlog_utf8_len(s + i, len - i);
		if (ul == 0) {
			rc = ml_buf_append(b, "?", 1);
			ul = 1;
		} else {
			rc = ml_buf_append(b, text + i, ul);
		}
		if (rc)
			return rc;
		i += ul;
		continue;
hit:
		rc = ml_buf_append_str(b, REDACTED);
		if (rc)
			return rc;
		i += kl;
	}
	/* Make sure an empty result is still a C string. */
	return ml_buf_append(b, "", 0);
}

static int
reqlog_add_scrubbed(const struct ml_sim_wsset *set, json_object *o,
    const char *key, const char *text, size_t len)
{
	struct ml_buf b;
	int rc;

	ml_buf_init(&b, REQLOG_TEXT_MAX);
	rc = reqlog_scrub(set, &b, text, len);
	if (rc == ML_ETOOBIG)
		rc = ML_OK;	/* keep what fitted */
	if (rc == ML_OK)
		rc = ml_json_add_str(o, key, b.data != NULL ? b.data : "");
	ml_buf_cleanup(&b);
	return rc;
}

static int
reqlog_secret_header(const char *name)
{
	static const char *const words[] = {
		"secret", "token", "signature", "password", "cookie", NULL
	};
	size_t i, j, nl = strlen(name), wl;

	for (i = 0; words[i] != NULL; i++) {
		wl = strlen(words[i]);
		for (j = 0; j + wl <= nl; j++)
			if (strncasecmp(name + j, words[i], wl) == 0)
				return 1;
	}
	return 0;
}

struct reqlog_walk {
	const struct ml_sim_wsset *set;
	json_object *obj;
	struct ml_buf *query;
	int first;
	int rc;
};

static enum MHD_Result
reqlog_header(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct reqlog_walk *w = cls;
	char red[64];
	size_t n;

	(void)kind;
	if (value == NULL)
		value = "";
	if (strcasecmp(key, MHD_HTTP_HEADER_AUTHORIZATION) == 0) {
		n = strcspn(value, " \t");
		if (n > 20)
			n = 20;
		snprintf(red, sizeof(red), "%.*s%s" REDACTED, (int)n, value,
		    n > 0 ? " " : "");
		w->rc = ml_json_add_str(w->obj, key, red);
	} else if (reqlog_secret_header(key)) {
		w->rc = ml_json_add_str(w->obj, key, REDACTED);
	} else {
		w->rc = reqlog_add_scrubbed(w->set, w->obj, key, value,
		    strlen(value));
	}
	return w->rc ? MHD_NO : MHD_YES;
}

static enum MHD_Result
reqlog_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct reqlog_walk *w = cls;

	(void)kind;
	w->rc = ml_buf_append_str(w->query, w->first ? "?" : "&");
	w->first = 0;
	if (w->rc == ML_OK)
		w->rc = ml_buf_append_urlenc(w->query, key);
	if (w->rc == ML_OK && value != NULL) {
		w->rc = ml_buf_append(w->query, "=", 1);
		if (w->rc == ML_OK)
			w->rc = ml_buf_append_urlenc(w->query, value);
	}
	return w->rc ? MHD_NO : MHD_YES;
}

static void
reqlog_count(struct ml_sim_counts *c, int status)
{
	c->requests++;
	if (status >= 200 && status < 300)
		c->s2xx++;
	else if (status >= 400 && status < 500)
		c->s4xx++;
	else if (status >= 500)
		c->s5xx++;
	if (status == 429)
		c->s429++;
}

/* The journal entry for ctx; NULL on ML_ENOMEM. */
static json_object *
reqlog_entry(const struct ml_sim_wsset *set, struct ml_sim_ctx *ctx)
{
	struct reqlog_walk walk;
	struct ml_buf path;
	json_object *e, *hdrs;
	char ts[32];
	struct tm tm;
	time_t now = time(NULL);
	size_t cut;
	int rc;

	e = json_object_new_object();
	hdrs = json_object_new_object();
	ml_buf_init(&path, REQLOG_TEXT_MAX);
	if (e == NULL || hdrs == NULL)
		goto fail;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (ml_json_add_str(e, "time", ts) ||
	    ml_json_add_str(e, "request_id", ctx->request_id) ||
	    ml_json_add_str(e, "method", ctx->method) ||
	    reqlog_add_scrubbed(set, e, "host", ctx->host, strlen(ctx->host)))
		goto fail;
	/* The path, then the query rebuilt from MHD's parsed arguments. */
	walk.set = set;
	walk.obj = hdrs;
	walk.query = &path;
	walk.first = 1;
	walk.rc = ml_buf_append_str(&path, ctx->path);
	if (walk.rc)
		goto fail;
	MHD_get_connection_values(ctx->conn, MHD_GET_ARGUMENT_KIND, reqlog_arg,
	    &walk);
	if ((walk.rc != ML_OK && walk.rc != ML_ETOOBIG) ||
	    reqlog_add_scrubbed(set, e, "path", path.data, path.len))
		goto fail;
	walk.rc = ML_OK;
	MHD_get_connection_values(ctx->conn, MHD_HEADER_KIND, reqlog_header,
	    &walk);
	if (walk.rc)
		goto fail;
	rc = ml_sim_json_add(e, "headers", hdrs);
	hdrs = NULL;
	if (rc)
		goto fail;
	cut = ctx->body_len > REQLOG_BODY_MAX ? REQLOG_BODY_MAX : ctx->body_len;
	/* Do not split a UTF-8 sequence at the cut. */
	while (cut > 0 && cut < ctx->body_len &&
	    ((unsigned char)ctx->body[cut] & 0xC0) == 0x80)
		cut--;
	if (reqlog_add_scrubbed(set, e, "body", ctx->body, cut) ||
	    ml_json_add_int(e, "body_bytes", (int64_t)ctx->body_total) ||
	    ml_sim_json_add(e, "body_truncated",
	    json_object_new_boolean(cut < ctx->body_total)) ||
	    ml_json_add_int(e, "status", ctx->resp.drop ? 0 :
	    ctx->resp.status) ||
	    ml_sim_json_add(e, "dropped",
	    json_object_new_boolean(ctx->resp.drop)) ||
	    (ctx->fam != NULL ? ml_json_add_str(e, "family", ctx->fam->name) :
	    ml_sim_json_add_opt(e, "family", NULL)) ||
	    (ctx->route != NULL ? ml_json_add_str(e, "route",
	    ctx->route->name) : ml_sim_json_add_opt(e, "route", NULL)) ||
	    (ctx->claimed_idx >= 0 ? ml_json_add_str(e, "workspace_id",
	    set->ws[ctx->claimed_idx].id) :
	    ml_sim_json_add_opt(e, "workspace_id", NULL)))
		goto fail;
	ml_buf_cleanup(&path);
	return e;
fail:
	ml_buf_cleanup(&path);
	json_object_put(hdrs);
	json_object_put(e);
	return NULL;
}

int
ml_sim_reqlog_add(struct ml_sim_reqlog *l, struct ml_sim_ctx *ctx)
{
	json_object *e;
	size_t slot;
	int status = ctx->resp.drop ? 0 : ctx->resp.status;

	e = reqlog_entry(&ctx->sim->ws, ctx);
	pthread_mutex_lock(&l->mu);
	reqlog_count(&l->counts[l->nws], status);
	if (ctx->claimed_idx >= 0 && (size_t)ctx->claimed_idx < l->nws)
		reqlog_count(&l->counts[ctx->claimed_idx], status);
	l->seq++;
	if (e != NULL) {
		/* Losing only the sequence number is acceptable. */
		(void)ml_json_add_int(e, "seq", l->seq);
		slot = (l->head + l->n) % l->keep;
		if (l->n == l->keep)
			l->head = (l->head + 1) % l->keep;
		else
			l->n++;
		json_object_put(l->ring[slot]);
		l->ring[slot] = e;
	}
	pthread_mutex_unlock(&l->mu);
	return e != NULL ? ML_OK : ML_ENOMEM;
}

int
ml_sim_reqlog_list(struct ml_sim_reqlog *l, long limit, json_object **out)
{
	json_object *arr, *res = NULL;
	size_t i, first;
	int rc = ML_OK;

	*out = NULL;
	arr = json_object_new_array();
	if (arr == NULL)
		return ML_ENOMEM;
	pthread_mutex_lock(&l->mu);
	first = limit > 0 && (size_t)limit < l->n ? l->n - (size_t)limit : 0;
	/*
	 * Deep copies: json-c reference counts and serialisation caches are
	 * not thread-safe, so no stored entry leaves the lock.
	 */
	for (i = first; i < l->n && rc == ML_OK; i++) {
		json_object *c = NULL;

		if (json_object_deep_copy(l->ring[(l->head + i) % l->keep],
		    &c, NULL))
			rc = ML_ENOMEM;
		else
			rc = ml_sim_json_push(arr, c);
	}
	pthread_mutex_unlock(&l->mu);
	if (rc == ML_OK) {
		res = json_object_new_object();
		rc = ml_sim_json_add(res, "requests", arr);
		arr = NULL;
	}
	json_object_put(arr);
	if (rc) {
		json_object_put(res);
		return rc;
	}
	*out = res;
	return ML_OK;
}

void
ml_sim_reqlog_counts(struct ml_sim_reqlog *l, long ws_idx,
    struct ml_sim_counts *out)
{
	pthread_mutex_lock(&l->mu);
	if (ws_idx >= 0 && (size_t)ws_idx < l->nws)
		*out = l->counts[ws_idx];
	else
		*out = l->counts[l->nws];
	pthread_mutex_unlock(&l->mu);
}
