/* SPDX-License-Identifier: MIT */
/*
 * api_events.c: POST /events (MoEngage-shaped elements into the outbox),
 * GET /events/stats, GET /deadletters, POST /deadletters/replay.
 *
 * Contract: POST /events answers 202 only after the accepted elements are
 * committed to the outbox, so a crash after the answer loses nothing. Each
 * element is validated as MoEngage would (ml_validate_data_element) and
 * must fit in one Bulk Import request; a batch with bad elements is refused
 * whole (400, listing each bad element by index and why) unless the caller
 * asked for partial acceptance (?partial=true or "partial": true), then the
 * good ones are queued and the bad ones listed. The account is named by
 * x-account-id and must belong to the caller's project.
 */
#include "server/deliver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <moelink/json.h>
#include <moelink/mem.h>
#include <moelink/validate.h>

#include "server/api.h"
#include "server/http.h"
#include "server/server.h"

#define EV_DEADLETTER_PAGE 100
#define EV_DEADLETTER_PAGE_MAX 1000
#define EV_REJECT_LIST_MAX 1000
#define EV_STATS_PAGE_MAX 1000
#define EV_BODY_DEPTH 64

struct ml_deliver *
ml_api_events_deliver(struct ml_http_req *r)
{
	if (r->srv->deliver == NULL) {
		ml_http_reply_error(r, 503, "delivery_unavailable",
		    "the delivery pipeline is not running");
		return NULL;
	}
	return r->srv->deliver;
}

/* The account named by x-account-id (or ?account_id= when allowed). */
static const char *
ev_account(struct ml_http_req *r, int required)
{
	const char *id = ml_http_header(r, "x-account-id");

	if (id == NULL || id[0] == '\0')
		id = ml_http_query(r, "account_id");
	if ((id == NULL || id[0] == '\0') && required) {
		ml_http_reply_error(r, 400, "missing_account",
		    "name the linked account in the x-account-id header");
		return NULL;
	}
	if (id != NULL && (id[0] == '\0' || strlen(id) >= ML_STORE_ID_MAX)) {
		ml_http_reply_error(r, 404, "not_found", "no such account");
		return NULL;
	}
	return id;
}

static int
ev_flag(const char *v)
{
	return v != NULL && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

int
ml_api_events_reject(json_object *list, size_t index, const struct ml_err *e,
    const char *dflt_code)
{
	json_object *o;

	if (json_object_array_length(list) >= EV_REJECT_LIST_MAX)
		return ML_OK;
	o = json_object_new_object();
	if (o == NULL || json_object_array_add(list, o) != 0) {
		json_object_put(o);
		return ML_ENOMEM;
	}
	if (ml_json_add_int(o, "index", (int64_t)index) ||
	    ml_json_add_str(o, "code", e->kind[0] ? e->kind : dflt_code) ||
	    (e->field[0] && ml_json_add_str(o, "field", e->field)) ||
	    ml_json_add_str(o, "message", e->msg))
		return ML_ENOMEM;
	return ML_OK;
}

/*
 * Where the elements come from. A body that is a JSON array (the usual
 * form) is cut into one text span per element and each span is parsed on
 * its own (strictly, by ml_json_parse): the element is stored as the text
 * the caller sent, so nothing is serialized again, and its json-c objects
 * are freed before the next element is parsed, so a 10,000-element body
 * never exists as one tree. The cut only follows brackets outside strings;
 * since every span must then parse as one JSON value and the separators
 * are checked, a body that is not a JSON array is refused whatever the cut.
 * {"elements": [...]} (Bulk shaped, rare) is parsed whole and each element
 * serialized.
 */
struct ev_src {
	const char *text;	/* the body */
	size_t len;
	size_t pos;		/* array form: where the next element starts */
	int done;		/* array form: the closing ']' was seen */
	json_object *doc;	/* object form: the parsed body */
	json_object *els;	/* object form: its elements */
	size_t idx;
};

static size_t
ev_ws(const char *t, size_t len, size_t i)
{
	while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' ||
	    t[i] == '\r'))
		i++;
	return i;
}

static int
ev_malformed(struct ml_err *e, size_t at, const char *why)
{
	return ml_err_set(e, ML_EJSON, "malformed_json",
	    "invalid JSON at byte %zu: %s", at, why);
}

/* Array form: the closing ']' at i, then only whitespace. */
static int
ev_close(struct ev_src *s, size_t i, struct ml_err *e)
{
	s->done = 1;
	s->pos = ev_ws(s->text, s->len, i + 1);
	if (s->pos != s->len)
		return ev_malformed(e, s->pos, "unexpected data after the "
		    "array");
	return ML_OK;
}

static int
ev_src_open(struct ev_src *s, const char *text, size_t len, int *partial,
    struct ml_err *e)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->text = text;
	s->len = len;
	s->pos = ev_ws(text, len, 0);
	if (s->pos < len && text[s->pos] == '[') {
		s->pos = ev_ws(text, len, s->pos + 1);
		if (s->pos < len && text[s->pos] == ']')
			return ev_close(s, s->pos, e);
		return ML_OK;
	}
	rc = ml_json_parse(text, len, 0, EV_BODY_DEPTH, &s->doc, e);
	if (rc)
		return rc;
	if (json_object_is_type(s->doc, json_type_object))
		s->els = ml_json_get(s->doc, "elements", json_type_array);
	if (s->els == NULL)
		return ml_err_set(e, ML_EINVAL, "invalid_request",
		    "the body must be a JSON array of customer, event and "
		    "device elements (or {\"elements\": [...]})");
	if (ml_json_bool(s->doc, "partial", 0))
		*partial = 1;
	return ML_OK;
}

static void
ev_src_close(struct ev_src *s)
{
	json_object_put(s->doc);
	s->doc = NULL;
}

/*
 * Array form: the next element's span [*start, *end), whitespace trimmed,
 * and pos moved past its ',' (or the closing ']'). Strings are skipped
 * with their escapes, so only structural brackets count.
 */
static int
ev_span(struct ev_src *s, size_t *start, size_t *end, struct ml_err *e)
{
	const char *t = s->text;
	size_t i, depth = 0;
	int in_str = 0;

	*start = i = s->pos;
	for (; i < s->len; i++) {
		if (in_str) {
			if (t[i] == '\\')
				i++;
			else if (t[i] == '"')
				in_str = 0;
		} else if (t[i] == '"')
			in_str = 1;
		else if (t[i] == '{' || t[i] == '[')
			depth++;
		else if ((t[i] == '}' || t[i] == ']') && depth > 0)
			depth--;
		else if (depth == 0 && (t[i] == ',' || t[i] == ']'))
			break;
	}
	if (i >= s->len)
		return ev_malformed(e, s->len, "the array is not closed");
	*end = i;
	while (*end > *start && (t[*end - 1] == ' ' || t[*end - 1] == '\t' ||
	    t[*end - 1] == '\n' || t[*end - 1] == '\r'))
		(*end)--;
	if (*end == *start)
		return ev_malformed(e, i, "a value is missing");
	if (t[i] == ']')
		return ev_close(s, i, e);
	s->pos = ev_ws(t, s->len, i + 1);
	return ML_OK;
}

/*
 * The next element: *el a new reference (json_object_put it), *text its
 * JSON text (in the body, or owned by *el). Returns 1, 0 after the last,
 * or a negative ML_E* (the body is not JSON).
 */
static int
ev_src_next(struct ev_src *s, json_object **el, const char **text,
    size_t *len, struct ml_err *e)
{
	size_t start = 0, end = 0;
	char why[ML_ERR_MSG_LEN];
	int rc;

	*el = NULL;
	if (s->els != NULL) {
		if (s->idx >= json_object_array_length(s->els))
			return 0;
		*el = json_object_get(json_object_array_get_idx(s->els,
		    s->idx++));
		*text = json_object_to_json_string_length(*el,
		    JSON_C_TO_STRING_PLAIN, len);
		return *text != NULL ? 1 : ml_err_set(e, ML_ENOMEM, NULL,
		    "out of memory");
	}
	if (s->done)
		return 0;
	rc = ev_span(s, &start, &end, e);
	if (rc)
		return rc;
	rc = ml_json_parse(s->text + start, end - start, 0, EV_BODY_DEPTH - 1,
	    el, e);
	if (rc == ML_EJSON) {
		ml_strlcpy(why, e->msg, sizeof(why));
		return ml_err_set(e, ML_EJSON, "malformed_json", "the element "
		    "at byte %zu: %s", start, why);
	}
	if (rc)
		return rc;
	*text = s->text + start;
	*len = end - start;
	return 1;
}

/* Rows grow by doubling; customer ids are copied into one arena. */
struct ev_rows {
	struct ml_outbox_new *v;
	size_t *cid_at;		/* offset of v[i].customer_id in cids */
	size_t n, cap;
	struct ml_buf cids;
};

static const char *
ev_kind(const char *type)
{
	static const char *const kinds[] = { "customer", "event", "device" };
	size_t i;

	for (i = 0; type != NULL && i < sizeof(kinds) / sizeof(kinds[0]);
	    i++)
		if (strcmp(type, kinds[i]) == 0)
			return kinds[i];
	return NULL;
}

/*
 * Validate one element and, if good, append it as an outbox row whose
 * payload is text (which must outlive the rows).
 */
static int
ev_element(json_object *el, const char *text, size_t len,
    const struct ml_batch *cap, struct ev_rows *rows, struct ml_err *e)
{
	struct ml_outbox_new *row;
	struct ml_batch_units u;
	const char *cid, *kind;
	size_t ncap;
	void *p;
	int rc;

	ml_err_clear(e);
	rc = ml_validate_data_element(el, e);
	if (rc == ML_OK)
		rc = ml_batch_element_units(el, &u, e);
	if (rc == ML_OK)
		rc = ml_batch_fits_alone(cap, len, NULL, e);
	if (rc)
		return rc;
	cid = ml_json_str(el, "customer_id");
	if (cid != NULL && strlen(cid) >= ML_OUTBOX_CID_MAX) {
		ml_err_field(e, "customer_id");
		return ml_err_set(e, ML_EINVAL, "validation_failed",
		    "customer_id is longer than %d bytes",
		    ML_OUTBOX_CID_MAX - 1);
	}
	kind = ev_kind(ml_json_str(el, "type"));
	if (kind == NULL) {
		ml_err_field(e, "type");
		return ml_err_set(e, ML_EINVAL, "validation_failed",
		    "type must be customer, event or device");
	}
	if (rows->n == rows->cap) {
		ncap = rows->cap ? rows->cap * 2 : 64;
		p = ml_reallocarray(rows->v, ncap, sizeof(*rows->v));
		if (p == NULL)
			return ML_ENOMEM;
		rows->v = p;
		p = ml_reallocarray(rows->cid_at, ncap, sizeof(*rows->cid_at));
		if (p == NULL)
			return ML_ENOMEM;
		rows->cid_at = p;
		rows->cap = ncap;
	}
	row = &rows->v[rows->n];
	rows->cid_at[rows->n] = rows->cids.len;
	if (ml_buf_append(&rows->cids, cid != NULL ? cid : "",
	    cid != NULL ? strlen(cid) + 1 : 1) != ML_OK)
		return ML_ENOMEM;
	row->kind = kind;
	row->customer_id = NULL;	/* set by ev_commit */
	row->payload = text;
	row->payload_len = len;
	row->units = u.users > 0 ? u.users : u.events;
	rows->n++;
	return ML_OK;
}

/* Commit rows, wake the worker and answer 202. */
static int
ev_commit(struct ml_http_req *r, struct ml_deliver *d, const char *account,
    struct ev_rows *rows, json_object *resp)
{
	struct ml_err e;
	size_t i;
	int rc;

	ml_err_clear(&e);
	if (rows->n > 0) {
		/* The arena no longer moves: point the rows into it. */
		for (i = 0; i < rows->n; i++)
			rows->v[i].customer_id = rows->cids.data +
			    rows->cid_at[i];
		rc = ml_store_outbox_enqueue(ml_deliver_outbox(d),
		    r->project_id, account, rows->v, rows->n,
		    ml_deliver_now_ms(), &e);
		if (rc)
			return ml_http_reply_err(r, ml_http_status_of(rc), &e);
		ml_deliver_notify(d, r->project_id, account);
	}
	return ml_http_reply_json(r, 202, resp);
}

/* 400: some elements are invalid and the caller did not ask for partial. */
static int
ev_refuse(struct ml_http_req *r, json_object *resp, json_object *rejected,
    size_t bad, size_t n)
{
	json_object *err = json_object_new_object();
	char msg[200];

	if (err == NULL || json_object_object_add(resp, "error", err)) {
		json_object_put(err);
		return ML_ENOMEM;
	}
	snprintf(msg, sizeof(msg), "%zu of %zu elements are invalid; nothing "
	    "was queued (add ?partial=true to queue the valid ones)", bad, n);
	if (ml_json_add_str(err, "code", "validation_failed") ||
	    ml_json_add_str(err, "request_id", r->request_id) ||
	    ml_json_add_str(err, "message", msg) ||
	    json_object_object_add(resp, "rejected",
	    json_object_get(rejected)))
		return ML_ENOMEM;
	return ml_http_reply_json(r, 400, resp);
}

int
ml_api_events_post(struct ml_http_req *r)
{
	struct ml_deliver *d = ml_api_events_deliver(r);
	struct ev_rows rows;
	struct ev_src src;
	struct ml_batch cap;
	json_object *el = NULL, *resp = NULL, *rejected = NULL;
	const char *account, *text = NULL;
	struct ml_err e;
	size_t n = 0, tlen = 0, max;
	int partial, rc;

	if (d == NULL)
		return ML_OK;
	account = ev_account(r, 1);
	if (account == NULL)
		return ML_OK;
	memset(&src, 0, sizeof(src));
	memset(&rows, 0, sizeof(rows));
	/* Each id is shorter than its element's text: the body bounds them. */
	ml_buf_init(&rows.cids, r->body.len + 16);
	ml_batch_init(&cap, NULL);
	cap.lim.max_bytes = ml_deliver_options(d)->batch_bytes;
	max = (size_t)ml_deliver_options(d)->accept_max;
	partial = ev_flag(ml_http_query(r, "partial"));
	resp = json_object_new_object();
	rejected = json_object_new_array();
	if (resp == NULL || rejected == NULL) {
		rc = ML_ENOMEM;
		goto out;
	}
	ml_err_clear(&e);
	rc = ev_src_open(&src, r->body.data, r->body.len, &partial, &e);
	while (rc == ML_OK && n <= max &&
	    (rc = ev_src_next(&src, &el, &text, &tlen, &e)) == 1) {
		rc = n < max ? ev_element(el, text, tlen, &cap, &rows, &e) :
		    ML_OK;
		json_object_put(el);
		el = NULL;
		if (rc != ML_OK && rc != ML_ENOMEM)
			rc = ml_api_events_reject(rejected, n, &e,
			    "validation_failed");
		n++;
	}
	if (rc < 0) {
		rc = rc == ML_ENOMEM ? rc : ml_http_reply_err(r, 400, &e);
		goto out;
	}
	if (n == 0 || n > max) {
		rc = ml_http_reply_error(r, n == 0 ? 400 : 413,
		    n == 0 ? "invalid_request" : "payload_too_large",
		    "send 1..%zu elements per request (got %s%zu)", max,
		    n > max ? "more than " : "", n > max ? max : n);
		goto out;
	}
	if (rows.n < n && !partial) {
		rc = ev_refuse(r, resp, rejected, n - rows.n, n);
		goto out;
	}
	if (ml_json_add_int(resp, "accepted", (int64_t)rows.n) ||
	    ml_json_add_int(resp, "rejected_count", (int64_t)(n - rows.n)) ||
	    json_object_object_add(resp, "rejected",
	    json_object_get(rejected)) ||
	    ml_json_add_str(resp, "account_id", account)) {
		rc = ML_ENOMEM;
		goto out;
	}
	rc = ev_commit(r, d, account, &rows, resp);
out:
	ev_src_close(&src);
	ml_batch_cleanup(&cap);
	ml_buf_cleanup(&rows.cids);
	ml_free(rows.v);
	ml_free(rows.cid_at);
	json_object_put(rejected);
	json_object_put(resp);
	return rc;
}

/* ---- stats -------------------------------------------------------------- */

static long
ev_query_long(struct ml_http_req *r, const char *name, long def, long min,
    long max)
{
	const char *v = ml_http_query(r, name);
	char *end;
	long x;

	if (v == NULL || v[0] == '\0')
		return def;
	x = strtol(v, &end, 10);
	if (*end != '\0' || x < min)
		return min;
	return x > max ? max : x;
}


static int
ev_stats_json(const struct ml_outbox_stats *s, json_object **out)
{
	json_object *o = json_object_new_object(), *chart;
	int i, rc;

	*out = o;
	if (o == NULL)
		return ML_ENOMEM;
	chart = json_object_new_array();
	if (chart == NULL || json_object_object_add(o, "account_id",
	    json_object_new_string(s->account_id)))
		return ML_ENOMEM;
	for (i = 0; i < ML_OUTBOX_CHART_MINUTES; i++)
		json_object_array_add(chart,
		    json_object_new_int64(s->per_minute[i]));
	if ((rc = ml_json_add_int(o, "queued", s->queued)) ||
	    (rc = ml_json_add_int(o, "delivered", s->delivered)) ||
	    (rc = ml_json_add_int(o, "retried", s->retried)) ||
	    (rc = ml_json_add_int(o, "dead_lettered", s->dead_lettered)) ||
	    (rc = ml_json_add_int(o, "dead_letters", s->dead_letters)) ||
	    (rc = ml_json_add_int(o, "requests", s->requests)) ||
	    (rc = ml_api_add_time(o, "last_delivered_at",
	    s->last_delivered_at)) ||
	    (rc = ml_api_add_time(o, "last_error_at", s->last_error_at)))
		return rc;
	if (s->last_error[0] != '\0')
		rc = ml_json_add_str(o, "last_error", s->last_error);
	else
		json_object_object_add(o, "last_error", NULL);
	json_object_object_add(o, "delivered_per_minute", chart);
	return rc;
}

int
ml_api_events_stats(struct ml_http_req *r)
{
	struct ml_deliver *d = ml_api_events_deliver(r);
	struct ml_outbox_stats *list = NULL;
	json_object *resp = NULL, *arr, *o;
	const char *account, *after;
	struct ml_err e;
	size_t i, n = 0;
	long limit;
	int rc;

	if (d == NULL)
		return ML_OK;
	account = ml_http_header(r, "x-account-id");
	if (account == NULL)
		account = ml_http_query(r, "account_id");
	/* No limit: every account, as before paging existed. */
	limit = ev_query_long(r, "limit", 0, 1, EV_STATS_PAGE_MAX);
	after = ml_http_query(r, "after");
	if (after != NULL && after[0] == '\0')
		after = NULL;
	ml_err_clear(&e);
	rc = ml_store_outbox_stats(ml_deliver_outbox(d), r->project_id,
	    account, after, (size_t)limit, ml_store_now(), &list, &n, &e);
	if (rc)
		return ml_http_reply_err(r, ml_http_status_of(rc), &e);
	if (account != NULL && n == 0) {
		rc = ml_http_reply_error(r, 404, "not_found",
		    "no such account");
		goto out;
	}
	resp = json_object_new_object();
	arr = json_object_new_array();
	if (resp == NULL || arr == NULL ||
	    json_object_object_add(resp, "data", arr)) {
		json_object_put(arr);
		rc = ML_ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		rc = ev_stats_json(&list[i], &o);
		if (o != NULL)
			json_object_array_add(arr, o);
		if (rc)
			goto out;
	}
	if (limit > 0 && n == (size_t)limit)
		rc = ml_json_add_str(resp, "next_after",
		    list[n - 1].account_id);
	else
		rc = json_object_object_add(resp, "next_after", NULL) ?
		    ML_ENOMEM : ML_OK;
	if (rc)
		goto out;
	rc = ml_http_reply_json(r, 200, resp);
out:
	json_object_put(resp);
	ml_free(list);
	return rc;
}

/* ---- dead letters ------------------------------------------------------- */

/* Stored JSON text as a member (a string if it does not parse). */
static void
ev_add_json(json_object *o, const char *key, const char *text)
{
	json_object *v = NULL;

	if (text == NULL) {
		json_object_object_add(o, key, NULL);
		return;
	}
	if (ml_json_parse(text, strlen(text), 0, 0, &v, NULL) != ML_OK)
		v = json_object_new_string(text);
	json_object_object_add(o, key, v);
}

static json_object *
ev_deadletter_json(const struct ml_deadletter *dl)
{
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	ml_json_add_int(o, "id", dl->id);
	ml_json_add_str(o, "account_id", dl->account_id);
	ml_json_add_str(o, "kind", dl->kind);
	ml_json_add_str(o, "customer_id", dl->customer_id);
	ev_add_json(o, "payload", dl->payload);
	ml_json_add_str(o, "reason", dl->reason);
	ev_add_json(o, "moengage", dl->detail);
	ml_json_add_int(o, "attempts", dl->attempts);
	ml_api_add_time(o, "enqueued_at", dl->enqueued_at);
	ml_api_add_time(o, "created_at", dl->created_at);
	return o;
}

int
ml_api_events_deadletters(struct ml_http_req *r)
{
	struct ml_deliver *d = ml_api_events_deliver(r);
	struct ml_deadletter *list = NULL;
	json_object *resp = NULL, *arr = NULL, *o;
	const char *account;
	struct ml_err e;
	int64_t total = 0;
	size_t i, n = 0;
	long limit, after;
	int rc;

	if (d == NULL)
		return ML_OK;
	account = ev_account(r, 0);
	if (account == NULL && r->answered)
		return ML_OK;
	limit = ev_query_long(r, "limit", EV_DEADLETTER_PAGE, 1,
	    EV_DEADLETTER_PAGE_MAX);
	after = ev_query_long(r, "after", 0, 0, 0x7fffffffL);
	ml_err_clear(&e);
	rc = ml_store_outbox_deadletters(ml_deliver_outbox(d), r->project_id,
	    account, after, (size_t)limit, &list, &n, &total, &e);
	if (rc)
		return ml_http_reply_err(r, ml_http_status_of(rc), &e);
	resp = json_object_new_object();
	arr = json_object_new_array();
	if (resp == NULL || arr == NULL) {
		json_object_put(arr);
		rc = ML_ENOMEM;
		goto out;
	}
	json_object_object_add(resp, "data", arr);
	for (i = 0; i < n; i++) {
		o = ev_deadletter_json(&list[i]);
		if (o == NULL) {
			rc = ML_ENOMEM;
			goto out;
		}
		json_object_array_add(arr, o);
	}
	ml_json_add_int(resp, "total", total);
	if (n == (size_t)limit && n > 0)
		ml_json_add_int(resp, "next_after", list[n - 1].id);
	else
		json_object_object_add(resp, "next_after", NULL);
	rc = ml_http_reply_json(r, 200, resp);
out:
	json_object_put(resp);
	ml_store_outbox_deadletters_free(list, n);
	return rc;
}

/*
 * Apply "fixes": [{"id": N, "payload": {...}}] before a replay; each fixed
 * element is validated like POST /events.
 */
static int
ev_apply_fixes(struct ml_http_req *r, struct ml_deliver *d, json_object *fixes,
    struct ml_err *e)
{
	json_object *f, *payload;
	const char *kind;
	int64_t id;
	size_t i;
	int rc;

	for (i = 0; fixes != NULL && i < json_object_array_length(fixes); i++) {
		f = json_object_array_get_idx(fixes, i);
		id = ml_json_int(f, "id", 0);
		payload = ml_json_get(f, "payload", json_type_object);
		if (id <= 0 || payload == NULL) {
			ml_err_field(e, "fixes");
			return ml_err_set(e, ML_EINVAL, "invalid_request",
			    "fixes[%zu] needs an id and a payload object", i);
		}
		kind = ml_json_str(payload, "type");
		if (kind != NULL) {
			rc = ml_validate_data_element(payload, e);
			if (rc)
				return rc;
		}
		rc = ml_store_outbox_deadletter_fix(ml_deliver_outbox(d),
		    r->project_id, id, ml_json_text(payload), e);
		if (rc)
			return rc;
	}
	return ML_OK;
}

int
ml_api_events_replay(struct ml_http_req *r)
{
	struct ml_deliver *d = ml_api_events_deliver(r);
	struct ml_outbox_account *accts = NULL;
	json_object *body = NULL, *ids, *resp = NULL;
	int64_t *idv = NULL, moved = 0;
	const char *account;
	struct ml_err e;
	size_t i, nids = 0, nacc = 0;
	int rc;

	if (d == NULL)
		return ML_OK;
	ml_err_clear(&e);
	if (r->body.len > 0) {
		rc = ml_http_body_json(r, &body);
		if (rc)
			return ml_http_reply_err(r, 400, &r->err);
	}
	account = ml_json_str(body, "account_id");
	if (account == NULL)
		account = ml_http_header(r, "x-account-id");
	ids = ml_json_get(body, "ids", json_type_array);
	if (ids != NULL) {
		nids = json_object_array_length(ids);
		idv = ml_calloc(nids ? nids : 1, sizeof(*idv));
		if (idv == NULL) {
			rc = ML_ENOMEM;
			goto out;
		}
		for (i = 0; i < nids; i++)
			idv[i] = json_object_get_int64(
			    json_object_array_get_idx(ids, i));
		if (nids == 0) {
			rc = ml_http_reply_error(r, 400, "invalid_request",
			    "ids is empty: name dead letters, or leave ids out "
			    "to replay all");
			goto out;
		}
	}
	rc = ev_apply_fixes(r, d, ml_json_get(body, "fixes", json_type_array),
	    &e);
	if (rc) {
		rc = ml_http_reply_err(r, ml_http_status_of(rc), &e);
		goto out;
	}
	rc = ml_store_outbox_replay(ml_deliver_outbox(d), r->project_id,
	    account, idv, nids, ml_deliver_now_ms(), &moved, &accts,
	    &nacc, &e);
	if (rc) {
		rc = ml_http_reply_err(r, ml_http_status_of(rc), &e);
		goto out;
	}
	for (i = 0; i < nacc; i++)
		ml_deliver_notify(d, accts[i].project_id, accts[i].account_id);
	resp = json_object_new_object();
	if (resp == NULL) {
		rc = ML_ENOMEM;
		goto out;
	}
	ml_json_add_int(resp, "replayed", moved);
	rc = ml_http_reply_json(r, 200, resp);
out:
	json_object_put(resp);
	json_object_put(body);
	ml_free(idv);
	ml_free(accts);
	return rc;
}
