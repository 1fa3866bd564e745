/* SPDX-License-Identifier: MIT */
/*
 * paging.c: the paging iterator (paging.h). One loop serves the four
 * styles; a small table says, per style, which parameter moves, which sets
 * the page size, where the items are and the documented maximum page.
 * Parameters go in the query for GET actions and in the body otherwise.
 *
 * Items are deduplicated through a set of their identities (a page that
 * shifted under us between two requests repeats an item at its edge), so
 * each is handed out once. The iterator owns every page it fetched and
 * releases it before the next; nothing is kept but the identities.
 * Reentrant: all state is on the stack or in the caller's objects.
 */
#include <moelink/paging.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <moelink/json.h>
#include <moelink/mem.h>

struct paging_style {
	const char *start;	/* the parameter that moves */
	const char *size;	/* the page-size parameter */
	const char *items;	/* where a page's items are */
	long max_size;		/* documented largest page */
	long first;		/* first value of start (not for cursor) */
};

static const struct paging_style paging_styles[] = {
	[ML_PAGE_OFFSET_LIMIT] = { "offset", "limit", "data", 10, 0 },
	[ML_PAGE_CURSOR] = { "cursor", "limit", "data", 20, 0 },
	[ML_PAGE_PAGE_ENTRIES] = { "page", "entries", "data", 15, 1 },
	[ML_PAGE_SIZE_BATCH] = { "batch_num", "size", "items", 100, 1 },
};

/* Members whose value identifies an item, in order of preference. */
static const char *const paging_id_keys[] = {
	"external_template_id", "event_id", "id", "_id", "catalog_id",
	"experience_key", NULL,
};

#define PAGING_ID_MAX 256
#define PAGING_CURSOR_MAX 2048

/* ---- the set of identities seen ---------------------------------------- */

struct paging_seen {
	char **slot;
	size_t cap;		/* power of two, or 0 */
	size_t n;
};

static uint64_t
paging_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

static void
paging_seen_cleanup(struct paging_seen *set)
{
	size_t i;

	for (i = 0; i < set->cap; i++)
		ml_free(set->slot[i]);
	ml_free(set->slot);
	memset(set, 0, sizeof(*set));
}

/* Put s (owned by the set on success) into slot array of size cap. */
static void
paging_seen_place(char **slot, size_t cap, char *s)
{
	size_t i = (size_t)paging_hash(s) & (cap - 1);

	while (slot[i] != NULL)
		i = (i + 1) & (cap - 1);
	slot[i] = s;
}

static int
paging_seen_grow(struct paging_seen *set)
{
	size_t ncap = set->cap == 0 ? 64 : set->cap * 2, i;
	char **nslot;

	nslot = ml_calloc(ncap, sizeof(*nslot));
	if (nslot == NULL)
		return ML_ENOMEM;
	for (i = 0; i < set->cap; i++)
		if (set->slot[i] != NULL)
			paging_seen_place(nslot, ncap, set->slot[i]);
	ml_free(set->slot);
	set->slot = nslot;
	set->cap = ncap;
	return ML_OK;
}

/* Add id; *dup = 1 if it was already there. */
static int
paging_seen_add(struct paging_seen *set, const char *id, int *dup)
{
	size_t i;
	char *copy;
	int rc;

	*dup = 0;
	if (set->cap > 0) {
		i = (size_t)paging_hash(id) & (set->cap - 1);
		for (; set->slot[i] != NULL; i = (i + 1) & (set->cap - 1)) {
			if (strcmp(set->slot[i], id) == 0) {
				*dup = 1;
				return ML_OK;
			}
		}
	}
	if ((set->n + 1) * 2 > set->cap) {
		rc = paging_seen_grow(set);
		if (rc)
			return rc;
	}
	copy = ml_strdup(id);
	if (copy == NULL)
		return ML_ENOMEM;
	paging_seen_place(set->slot, set->cap, copy);
	set->n++;
	return ML_OK;
}

/*
 * The identity of an item into out; 0 if it has none (such items are
 * never taken for duplicates).
 */
static int
paging_item_id(const char *key, json_object *item, char *out, size_t cap)
{
	json_object *v, *ver;
	size_t i;

	if (key != NULL) {
		snprintf(out, cap, "k\x1f%s", key);
		return 1;
	}
	if (!json_object_is_type(item, json_type_object))
		return 0;
	for (i = 0; paging_id_keys[i] != NULL; i++) {
		if (!json_object_object_get_ex(item, paging_id_keys[i], &v) ||
		    (!json_object_is_type(v, json_type_string) &&
		    !json_object_is_type(v, json_type_int)))
			continue;
		ver = NULL;
		json_object_object_get_ex(item, "version", &ver);
		snprintf(out, cap, "%s\x1f%s\x1f%s", paging_id_keys[i],
		    json_object_get_string(v), ver != NULL ?
		    json_object_get_string(ver) : "");
		return 1;
	}
	return 0;
}

/* ---- one page ------------------------------------------------------------ */

struct paging_ctx {
	const struct paging_style *st;
	ml_paging_item_fn item;
	void *item_ud;
	struct paging_seen seen;
	struct ml_paging_stats *stats;
};

static int
paging_emit(struct paging_ctx *cx, const char *key, json_object *item,
    struct ml_err *err)
{
	char id[PAGING_ID_MAX];
	int rc, dup = 0;

	if (paging_item_id(key, item, id, sizeof(id))) {
		rc = paging_seen_add(&cx->seen, id, &dup);
		if (rc)
			return ml_err_set(err, rc, NULL, "out of memory");
		if (dup) {
			cx->stats->duplicates++;
			return ML_OK;
		}
	}
	cx->stats->items++;
	return cx->item(cx->item_ud, key, item, err);
}

/* Hand out a page's items; *count gets how many the page held. */
static int
paging_page_items(struct paging_ctx *cx, json_object *page, size_t *count,
    struct ml_err *err)
{
	json_object *items = NULL;
	size_t i, n;
	int rc;

	*count = 0;
	if (!json_object_object_get_ex(page, cx->st->items, &items) ||
	    items == NULL)
		return ML_OK;
	if (json_object_is_type(items, json_type_array)) {
		n = json_object_array_length(items);
		*count = n;
		for (i = 0; i < n; i++) {
			rc = paging_emit(cx, NULL,
			    json_object_array_get_idx(items, i), err);
			if (rc)
				return rc;
		}
		return ML_OK;
	}
	if (!json_object_is_type(items, json_type_object))
		return ML_OK;
	*count = (size_t)json_object_object_length(items);
	json_object_object_foreach(items, k, v) {
		rc = paging_emit(cx, k, v, err);
		if (rc)
			return rc;
	}
	return ML_OK;
}

/* ---- the loop ------------------------------------------------------------ */

/* A copy of src (an object) or a new empty object. */
static int
paging_copy(json_object *src, json_object **out, struct ml_err *err)
{
	*out = NULL;
	if (src != NULL && !json_object_is_type(src, json_type_object))
		return ml_err_set(err, ML_EINVAL, "validation_failed",
		    "paged calls take a JSON object body and query");
	if (src != NULL) {
		if (json_object_deep_copy(src, out, NULL) != 0)
			*out = NULL;
	} else {
		*out = json_object_new_object();
	}
	if (*out == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	return ML_OK;
}

static int
paging_set_int(json_object *o, const char *key, long v, struct ml_err *err)
{
	json_object *n = json_object_new_int64(v);

	if (n == NULL || json_object_object_add(o, key, n) != 0) {
		json_object_put(n);
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	}
	return ML_OK;
}

/* An integer member given as a number or (in a query) a decimal string. */
static long
paging_get_long(json_object *o, const char *key, long def)
{
	json_object *v = NULL;
	long n;
	char *end;
	const char *s;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return def;
	if (json_object_is_type(v, json_type_int))
		return (long)json_object_get_int64(v);
	if (!json_object_is_type(v, json_type_string))
		return def;
	s = json_object_get_string(v);
	n = strtol(s, &end, 10);
	return (s[0] != '\0' && *end == '\0') ? n : def;
}

/* Cursor style: is there another page, and which? */
static int
paging_next_cursor(json_object *page, char *cursor, size_t cap)
{
	json_object *pg;
	const char *next;

	pg = ml_json_get(page, "pagination", json_type_object);
	if (pg == NULL || !ml_json_bool(pg, "has_more", 0))
		return 0;
	next = ml_json_str(pg, "next_cursor");
	if (next == NULL || next[0] == '\0' || strlen(next) >= cap ||
	    strcmp(next, cursor) == 0)
		return 0;
	ml_strlcpy(cursor, next, cap);
	return 1;
}

/* Offset style: does the answer say this was the last page? */
static int
paging_last_by_total(json_object *page)
{
	int64_t cur = ml_json_int(page, "current_page", -1);
	int64_t total = ml_json_int(page, "total_pages", -1);

	return cur >= 0 && total >= 0 && cur >= total;
}

int
ml_paging_run(const struct ml_action *a, const struct ml_call_input *in,
    const struct ml_paging_opts *opts, ml_paging_fetch_fn fetch,
    void *fetch_ud, ml_paging_item_fn item, void *item_ud,
    struct ml_paging_stats *stats, struct ml_err *err)
{
	static const struct ml_call_input none;
	struct ml_paging_stats local_stats;
	struct paging_ctx cx;
	struct ml_call_input page_in;
	json_object *body = NULL, *query = NULL, *where, *page = NULL, *cur;
	char cursor[PAGING_CURSOR_MAX] = "";
	long size, pos;
	size_t count;
	int rc, max_pages, more = 0;

	memset(&cx, 0, sizeof(cx));
	if (stats == NULL)
		stats = &local_stats;
	memset(stats, 0, sizeof(*stats));
	if (in == NULL)
		in = &none;
	if (a == NULL || fetch == NULL || item == NULL ||
	    (int)a->paging <= ML_PAGE_NONE || a->paging > ML_PAGE_SIZE_BATCH)
		return ml_err_set(err, ML_EINVAL, "not_paginated",
		    "action %s is not paged", a != NULL ? a->name : "(null)");
	cx.st = &paging_styles[a->paging];
	cx.item = item;
	cx.item_ud = item_ud;
	cx.stats = stats;
	max_pages = opts != NULL && opts->max_pages > 0 ? opts->max_pages :
	    ML_PAGING_MAX_PAGES;
	rc = paging_copy(in->body, &body, err);
	if (rc == ML_OK)
		rc = paging_copy(in->query, &query, err);
	if (rc)
		goto out;
	where = strcmp(a->method, "GET") == 0 ? query : body;
	size = paging_get_long(where, cx.st->size, 0);
	if (size <= 0)
		size = opts != NULL && opts->page_size > 0 ? opts->page_size :
		    cx.st->max_size;
	rc = paging_set_int(where, cx.st->size, size, err);
	if (rc)
		goto out;
	pos = paging_get_long(where, cx.st->start, cx.st->first);
	if (a->paging == ML_PAGE_CURSOR) {
		const char *c = ml_json_str(where, cx.st->start);
		if (c != NULL)
			ml_strlcpy(cursor, c, sizeof(cursor));
	}
	page_in = *in;
	page_in.body = strcmp(a->method, "GET") == 0 ? in->body : body;
	page_in.query = query;
	do {
		if (stats->pages >= max_pages) {
			rc = ml_err_set(err, ML_ETOOBIG, "too_many_pages",
			    "%s has more than %d pages; narrow the request or "
			    "raise the page cap", a->name, max_pages);
			goto out;
		}
		if (a->paging != ML_PAGE_CURSOR)
			rc = paging_set_int(where, cx.st->start, pos, err);
		else if (cursor[0] != '\0') {
			cur = json_object_new_string(cursor);
			rc = cur != NULL && json_object_object_add(where,
			    cx.st->start, cur) == 0 ? ML_OK :
			    ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
			if (rc)
				json_object_put(cur);
		}
		if (rc)
			goto out;
		page = NULL;
		rc = fetch(fetch_ud, &page_in, &page, err);
		if (rc)
			goto out;
		stats->pages++;
		if (page == NULL || !json_object_is_type(page, json_type_object)) {
			rc = ml_err_set(err, ML_EJSON, "malformed_json",
			    "a page of %s is not a JSON object", a->name);
			goto out;
		}
		rc = paging_page_items(&cx, page, &count, err);
		if (rc)
			goto out;
		switch (a->paging) {
		case ML_PAGE_OFFSET_LIMIT:
			more = count > 0 && (long)count >= size &&
			    !paging_last_by_total(page);
			pos += size;
			break;
		case ML_PAGE_CURSOR:
			more = count > 0 && paging_next_cursor(page, cursor,
			    sizeof(cursor));
			break;
		default:
			more = count > 0 && (long)count >= size;
			pos++;
			break;
		}
		json_object_put(page);
		page = NULL;
	} while (more);
	rc = ML_OK;
out:
	json_object_put(page);
	json_object_put(body);
	json_object_put(query);
	paging_seen_cleanup(&cx.seen);
	return rc;
}

/* ---- gathering ----------------------------------------------------------- */

struct paging_collect {
	ml_paging_fetch_fn fetch;
	void *fetch_ud;
	json_object *first;	/* the first page (a reference) */
	json_object *items;	/* array or object, built as pages arrive */
	int keyed;
};

static int
paging_collect_fetch(void *ud, const struct ml_call_input *in,
    json_object **page, struct ml_err *err)
{
	struct paging_collect *pc = ud;
	int rc;

	rc = pc->fetch(pc->fetch_ud, in, page, err);
	if (rc == ML_OK && pc->first == NULL && *page != NULL)
		pc->first = json_object_get(*page);
	return rc;
}

static int
paging_collect_item(void *ud, const char *key, json_object *item,
    struct ml_err *err)
{
	struct paging_collect *pc = ud;
	int rc;

	if (pc->items == NULL) {
		pc->keyed = key != NULL;
		pc->items = pc->keyed ? json_object_new_object() :
		    json_object_new_array();
		if (pc->items == NULL)
			return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	}
	if (pc->keyed && key != NULL)
		rc = json_object_object_add(pc->items, key,
		    json_object_get(item));
	else if (!pc->keyed && key == NULL)
		rc = json_object_array_add(pc->items, json_object_get(item));
	else
		return ml_err_set(err, ML_EJSON, "malformed_json",
		    "pages mix keyed and listed items");
	if (rc != 0) {
		json_object_put(item);
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	}
	return ML_OK;
}

/* The gathered body: the first page with the items and paging updated. */
static int
paging_collect_body(const struct ml_action *a, struct paging_collect *pc,
    json_object **out, struct ml_err *err)
{
	const struct paging_style *st = &paging_styles[a->paging];
	json_object *pg, *f;

	if (pc->items == NULL) {
		pc->items = json_object_new_array();
		if (pc->items == NULL)
			return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	}
	if (json_object_object_add(pc->first, st->items, pc->items) != 0)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	pc->items = NULL;
	pg = ml_json_get(pc->first, "pagination", json_type_object);
	if (pg != NULL) {
		f = json_object_new_boolean(0);
		if (f == NULL || json_object_object_add(pg, "has_more", f) != 0) {
			json_object_put(f);
			return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
		}
		json_object_object_del(pg, "next_cursor");
	}
	*out = pc->first;
	pc->first = NULL;
	return ML_OK;
}

int
ml_paging_collect(const struct ml_action *a,
    const struct ml_call_input *in, const struct ml_paging_opts *opts,
    ml_paging_fetch_fn fetch, void *fetch_ud, json_object **out,
    struct ml_paging_stats *stats, struct ml_err *err)
{
	static const struct ml_call_input none;
	struct paging_collect pc;
	int rc;

	*out = NULL;
	if (a != NULL && a->paging == ML_PAGE_NONE) {
		if (stats != NULL) {
			memset(stats, 0, sizeof(*stats));
			stats->pages = 1;
		}
		return fetch(fetch_ud, in != NULL ? in : &none, out, err);
	}
	memset(&pc, 0, sizeof(pc));
	pc.fetch = fetch;
	pc.fetch_ud = fetch_ud;
	rc = ml_paging_run(a, in, opts, paging_collect_fetch, &pc,
	    paging_collect_item, &pc, stats, err);
	if (rc == ML_OK)
		rc = paging_collect_body(a, &pc, out, err);
	json_object_put(pc.first);
	json_object_put(pc.items);
	return rc;
}

/* ---- over the MoEngage client -------------------------------------------- */

struct paging_client {
	struct ml_client *c;
	const struct ml_action *a;
	const struct ml_account *acct;
};

static int
paging_client_fetch(void *ud, const struct ml_call_input *in,
    json_object **page, struct ml_err *err)
{
	struct paging_client *pcl = ud;
	struct ml_response resp;
	int rc;

	*page = NULL;
	ml_response_init(&resp);
	rc = ml_client_call(pcl->c, pcl->a, pcl->acct, in, &resp, err);
	if (rc == ML_OK && (resp.body == NULL || resp.body_len == 0))
		rc = ml_err_set(err, ML_EJSON, "malformed_json",
		    "MoEngage answered a page of %s with an empty body",
		    pcl->a->name);
	else if (rc == ML_OK)
		rc = ml_json_parse(resp.body, resp.body_len, 0, 0, page, err);
	ml_response_cleanup(&resp);
	return rc;
}

int
ml_paging_call(struct ml_client *c, const struct ml_action *a,
    const struct ml_account *acct, const struct ml_call_input *in,
    const struct ml_paging_opts *opts, json_object **out,
    struct ml_paging_stats *stats, struct ml_err *err)
{
	struct paging_client pcl;

	pcl.c = c;
	pcl.a = a;
	pcl.acct = acct;
	return ml_paging_collect(a, in, opts, paging_client_fetch, &pcl, out,
	    stats, err);
}
