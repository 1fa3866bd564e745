/* SPDX-License-Identifier: MIT */
/*
 * api_segment.c: the Segment-compatible tracking API (/v1/batch, /v1/track,
 * /v1/identify, /v1/alias, /v1/page, /v1/screen, /v1/group) and the write
 * keys that authenticate it.
 *
 * Auth: HTTP Basic with the write key as the username and an empty password,
 * as Segment's libraries send it (a "writeKey" member in the body is
 * accepted too). A write key names one linked account; it is shown once
 * when created and stored only as a SHA-256 hash.
 *
 * Contract: messages are mapped (segment_map.c) and validated as MoEngage
 * would; the valid ones are committed to the outbox in one transaction
 * before the answer. The answer is Segment's 200 {"success":true} plus what
 * was accepted and which messages were refused and why; 400 when none was
 * acceptable, 401 for a missing or unknown write key.
 */
#include "server/deliver.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>

#include <moelink/json.h>
#include <moelink/mem.h>
#include <moelink/validate.h>

#include "server/api.h"
#include "server/http.h"
#include "server/segment_map.h"
#include "server/server.h"

#define SEG_BATCH_MAX 5000
#define SEG_DEPTH 64

/* The write key from Basic auth (user part) or the body's writeKey. */
static int
seg_write_key(struct ml_http_req *r, json_object *body, char *key,
    size_t cap)
{
	const char *h = ml_http_header(r, "Authorization");
	const char *wk;
	char raw[ML_STORE_TOKEN_MAX * 2];
	size_t len = 0;
	char *colon;

	key[0] = '\0';
	if (h != NULL && strncasecmp(h, "Basic ", 6) == 0) {
		h += 6;
		while (*h == ' ')
			h++;
		if (sodium_base642bin((unsigned char *)raw, sizeof(raw) - 1, h,
		    strlen(h), NULL, &len, NULL,
		    sodium_base64_VARIANT_ORIGINAL) != 0)
			return ML_EAUTH;
		raw[len] = '\0';
		colon = strchr(raw, ':');
		if (colon != NULL)
			*colon = '\0';
		ml_strlcpy(key, raw, cap);
		sodium_memzero(raw, sizeof(raw));
	} else if ((wk = ml_json_str(body, "writeKey")) != NULL)
		ml_strlcpy(key, wk, cap);
	return key[0] != '\0' ? ML_OK : ML_EAUTH;
}

/* The endpoint's message type: "/v1/track" -> "track"; NULL for batch. */
static const char *
seg_implied(const char *path)
{
	const char *t = strrchr(path, '/');

	t = t != NULL ? t + 1 : path;
	return strcmp(t, "batch") == 0 ? NULL : t;
}

struct seg_work {
	struct ml_segment_map_out *outs;	/* one per message */
	size_t nmsg;
	struct ml_outbox_new *rows;
	size_t nrows;
};

static void
seg_work_cleanup(struct seg_work *w)
{
	size_t i;

	for (i = 0; w->outs != NULL && i < w->nmsg; i++)
		ml_segment_map_out_cleanup(&w->outs[i]);
	ml_free(w->outs);
	ml_free(w->rows);
	memset(w, 0, sizeof(*w));
}

/* Validate a mapped item and describe it as an outbox row. */
static int
seg_row(struct ml_segment_map_item *it, const struct ml_batch *cap,
    struct ml_outbox_new *row, struct ml_err *e)
{
	struct ml_batch_units u = { 1, 0 };
	size_t len;
	int rc;

	if (strcmp(it->kind, "merge") != 0) {
		rc = ml_validate_data_element(it->payload, e);
		if (rc == ML_OK)
			rc = ml_batch_element_units(it->payload, &u, e);
		if (rc)
			return rc;
	}
	row->payload = json_object_to_json_string_length(it->payload,
	    JSON_C_TO_STRING_PLAIN, &len);
	if (row->payload == NULL)
		return ml_err_set(e, ML_ENOMEM, NULL, "out of memory");
	rc = ml_batch_fits_alone(cap, len, NULL, e);
	if (rc)
		return rc;
	row->payload_len = len;
	row->kind = it->kind;
	row->customer_id = it->customer_id;
	row->units = u.users > 0 ? u.users : u.events;
	return ML_OK;
}

/* Map every message; rows for the good ones, a rejection for the rest. */
static int
seg_map_all(json_object *msgs, const char *implied, const struct ml_batch *cap,
    struct seg_work *w, json_object *rejected)
{
	struct ml_outbox_new row;
	struct ml_err e;
	size_t i, j, start;
	int64_t now_s = ml_deliver_now_ms() / 1000;
	int rc;

	w->nmsg = json_object_array_length(msgs);
	w->outs = ml_calloc(w->nmsg ? w->nmsg : 1, sizeof(*w->outs));
	w->rows = ml_calloc(w->nmsg * ML_SEGMENT_MAP_MAX_ITEMS + 1,
	    sizeof(*w->rows));
	if (w->outs == NULL || w->rows == NULL)
		return ML_ENOMEM;
	for (i = 0; i < w->nmsg; i++) {
		ml_err_clear(&e);
		rc = ml_segment_map_message(json_object_array_get_idx(msgs, i),
		    implied, now_s, &w->outs[i], &e);
		start = w->nrows;
		for (j = 0; rc == ML_OK && j < w->outs[i].n; j++) {
			rc = seg_row(&w->outs[i].items[j], cap, &row, &e);
			if (rc == ML_OK)
				w->rows[w->nrows++] = row;
		}
		if (rc == ML_ENOMEM)
			return rc;
		if (rc) {
			w->nrows = start;	/* a message goes whole or not */
			if (ml_api_events_reject(rejected, i, &e,
			    "invalid_message"))
				return ML_ENOMEM;
		}
	}
	return ML_OK;
}

int
ml_api_segment_post(struct ml_http_req *r)
{
	struct ml_deliver *d;
	struct seg_work w;
	struct ml_write_key wk;
	struct ml_batch cap;
	json_object *body = NULL, *msgs, *single = NULL, *resp = NULL;
	json_object *rejected = NULL;
	const char *implied = seg_implied(r->path);
	char key[ML_STORE_TOKEN_MAX];
	struct ml_err e;
	int rc;

	d = ml_api_events_deliver(r);
	if (d == NULL)
		return ML_OK;
	memset(&w, 0, sizeof(w));
	ml_batch_init(&cap, NULL);
	ml_err_clear(&e);
	rc = ml_json_parse(r->body.data, r->body.len, 0, SEG_DEPTH, &body, &e);
	if (rc == ML_OK && !json_object_is_type(body, json_type_object))
		rc = ml_err_set(&e, ML_EINVAL, "invalid_request",
		    "the body must be a JSON object");
	if (rc) {
		rc = ml_http_reply_err(r, 400, &e);
		goto out;
	}
	if (seg_write_key(r, body, key, sizeof(key)) != ML_OK ||
	    ml_store_outbox_write_key_lookup(ml_deliver_outbox(d), key, &wk,
	    &e) != ML_OK) {
		sodium_memzero(key, sizeof(key));
		ml_http_add_header(r, "WWW-Authenticate",
		    "Basic realm=\"moelink\"");
		rc = ml_http_reply_error(r, 401, "unauthorized",
		    "send a moelink write key as the Basic auth username");
		goto out;
	}
	sodium_memzero(key, sizeof(key));
	cap.lim.max_bytes = ml_deliver_options(d)->batch_bytes;
	if (implied == NULL) {
		msgs = ml_json_get(body, "batch", json_type_array);
		if (msgs == NULL || json_object_array_length(msgs) >
		    SEG_BATCH_MAX) {
			rc = ml_http_reply_error(r, 400, "invalid_request",
			    "/v1/batch needs a \"batch\" array of at most %d "
			    "messages", SEG_BATCH_MAX);
			goto out;
		}
	} else {
		single = json_object_new_array();
		if (single == NULL || json_object_array_add(single,
		    json_object_get(body))) {
			rc = ML_ENOMEM;
			goto out;
		}
		msgs = single;
	}
	rejected = json_object_new_array();
	resp = json_object_new_object();
	if (rejected == NULL || resp == NULL) {
		rc = ML_ENOMEM;
		goto out;
	}
	rc = seg_map_all(msgs, implied, &cap, &w, rejected);
	if (rc)
		goto out;
	if (w.nrows == 0 && w.nmsg > 0) {
		json_object_object_add(resp, "success",
		    json_object_new_boolean(0));
		ml_json_add_str(resp, "code", "invalid_message");
		ml_json_add_str(resp, "message", "no message could be mapped "
		    "to MoEngage; see rejected");
		json_object_object_add(resp, "rejected",
		    json_object_get(rejected));
		rc = ml_http_reply_json(r, 400, resp);
		goto out;
	}
	if (w.nrows > 0) {
		rc = ml_store_outbox_enqueue(ml_deliver_outbox(d),
		    wk.project_id, wk.account_id, w.rows, w.nrows,
		    ml_deliver_now_ms(), &e);
		if (rc) {
			rc = ml_http_reply_err(r, ml_http_status_of(rc), &e);
			goto out;
		}
		ml_deliver_notify(d, wk.project_id, wk.account_id);
	}
	json_object_object_add(resp, "success", json_object_new_boolean(1));
	ml_json_add_int(resp, "accepted", (int64_t)(w.nmsg -
	    json_object_array_length(rejected)));
	json_object_object_add(resp, "rejected", json_object_get(rejected));
	rc = ml_http_reply_json(r, 200, resp);
out:
	seg_work_cleanup(&w);
	ml_batch_cleanup(&cap);
	json_object_put(rejected);
	json_object_put(resp);
	json_object_put(single);
	json_object_put(body);
	return rc;
}

/* ---- write keys --------------------------------------------------------- */

static json_object *
seg_key_json(const struct ml_write_key *k)
{
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	ml_json_add_str(o, "id", k->id);
	ml_json_add_str(o, "account_id", k->account_id);
	ml_json_add_str(o, "prefix", k->prefix);
	ml_api_add_time(o, "created_at", k->created_at);
	ml_api_add_time(o, "revoked_at", k->revoked_at);
	return o;
}

int
ml_api_segment_key_create(struct ml_http_req *r)
{
	struct ml_deliver *d = ml_api_events_deliver(r);
	struct ml_write_key k;
	json_object *o;
	char key[ML_STORE_TOKEN_MAX];
	struct ml_err e;
	int rc;

	if (d == NULL)
		return ML_OK;
	ml_err_clear(&e);
	rc = ml_store_outbox_write_key_create(ml_deliver_outbox(d),
	    r->project_id, r->params[0], key, sizeof(key), &k, &e);
	if (rc)
		return ml_http_reply_err(r, ml_http_status_of(rc), &e);
	o = seg_key_json(&k);
	if (o == NULL || ml_json_add_str(o, "write_key", key) != ML_OK) {
		sodium_memzero(key, sizeof(key));
		json_object_put(o);
		return ML_ENOMEM;
	}
	sodium_memzero(key, sizeof(key));
	rc = ml_http_reply_json(r, 201, o);
	json_object_put(o);
	return rc;
}

int
ml_api_segment_key_list(struct ml_http_req *r)
{
	struct ml_deliver *d = ml_api_events_deliver(r);
	struct ml_write_key *list = NULL;
	json_object *resp, *arr;
	struct ml_err e;
	size_t i, n = 0;
	int rc;

	if (d == NULL)
		return ML_OK;
	ml_err_clear(&e);
	rc = ml_store_outbox_write_key_list(ml_deliver_outbox(d),
	    r->project_id, r->params[0], &list, &n, &e);
	if (rc)
		return ml_http_reply_err(r, ml_http_status_of(rc), &e);
	resp = json_object_new_object();
	arr = json_object_new_array();
	if (resp == NULL || arr == NULL) {
		json_object_put(resp);
		json_object_put(arr);
		ml_free(list);
		return ML_ENOMEM;
	}
	json_object_object_add(resp, "data", arr);
	for (i = 0; i < n; i++)
		json_object_array_add(arr, seg_key_json(&list[i]));
	rc = ml_http_reply_json(r, 200, resp);
	json_object_put(resp);
	ml_free(list);
	return rc;
}

int
ml_api_segment_key_revoke(struct ml_http_req *r)
{
	struct ml_deliver *d = ml_api_events_deliver(r);
	struct ml_err e;
	int rc;

	if (d == NULL)
		return ML_OK;
	ml_err_clear(&e);
	rc = ml_store_outbox_write_key_revoke(ml_deliver_outbox(d),
	    r->project_id, r->params[1], ml_store_now(), &e);
	if (rc)
		return ml_http_reply_err(r, ml_http_status_of(rc), &e);
	return ml_http_reply(r, 204, NULL, NULL, 0);
}
