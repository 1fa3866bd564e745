/* SPDX-License-Identifier: MIT */
/*
 * paging.c: the paging iterator (paging.h). One loop serves the five
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
	const char *size;	/* the page-size parameter (NULL: fixed) */
	const char *items;	/* where a page's items are */
	long max_size;		/* documented largest page */
	long first;		/* first value of start (not for cursor) */
};

static const struct paging_style paging_styles[] = {
	[ML_PAGE_OFFSET_LIMIT] = { "offset", "limit", "data", 10, 0 },
	[ML_PAGE_CURSOR] = { "cursor", "limit", "data", 20, 0 },
	[ML_PAGE_PAGE_ENTRIES] = { "page", "entries", "data", 15, 1 },
	[ML_PAGE_SIZE_BATCH] = { "batch_num", "size", "items", 100, 1 },
	/* File Imports: offset counts pages of a fixed 50 (data.yaml). */
	[ML_PAGE_OFFSET_FILES] = { "offset", NULL, "data", 50, 1 },
};

/* Members whose value identifies an item, in order of preference. */
static const char *const paging_id_keys[] = {
	"external_template_id", "event_id", "id", "_id", "catalog_id",
	"experience_key", "import_id", NULL,
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

/* ---- parameters ----------------------------------------------------------- */

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

/* File Imports: more_files, documented as true/false and as "true"/"false". */
static int
paging_more_files(json_object *page)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(page, "more_files", &v) || v == NULL)
		return 0;
	if (json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v);
	return json_object_is_type(v, json_type_string) &&
	    strcmp(json_object_get_string(v), "true") == 0;
}

/* ---- the iterator --------------------------------------------------------- */

struct ml_paging_iter {
	const struct ml_action *a;
	const struct paging_style *st;
	struct ml_call_input in;	/* the next page's input */
	json_object *body, *query;	/* owned copies */
	json_object *where;		/* body or query: the paging params */
	char cursor[PAGING_CURSOR_MAX];
	long size, pos;
	int max_pages;
	int more;			/* another page is wanted */
	struct paging_seen seen;
	struct ml_paging_stats stats;
	/* Gathering (no item callback). */
	json_object *first;		/* the first page */
	json_object *items;		/* array or object */
	int keyed;
};

void
ml_paging_free(struct ml_paging_iter *p)
{
	if (p == NULL)
		return;
	json_object_put(p->body);
	json_object_put(p->query);
	json_object_put(p->first);
	json_object_put(p->items);
	paging_seen_cleanup(&p->seen);
	ml_free(p);
}

int
ml_paging_new(const struct ml_action *a, const struct ml_call_input *in,
    const struct ml_paging_opts *opts, struct ml_paging_iter **out,
    struct ml_err *err)
{
	struct ml_paging_iter *p;
	const char *c;
	int rc;

	*out = NULL;
	if (a == NULL || (int)a->paging <= ML_PAGE_NONE ||
	    a->paging > ML_PAGE_OFFSET_FILES)
		return ml_err_set(err, ML_EINVAL, "not_paginated",
		    "action %s is not paged", a != NULL ? a->name : "(null)");
	p = ml_calloc(1, sizeof(*p));
	if (p == NULL)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	p->a = a;
	p->st = &paging_styles[a->paging];
	p->max_pages = opts != NULL && opts->max_pages > 0 ?
	    opts->max_pages : ML_PAGING_MAX_PAGES;
	if (in != NULL)
		p->in = *in;
	rc = paging_copy(in != NULL ? in->body : NULL, &p->body, err);
	if (rc == ML_OK)
		rc = paging_copy(in != NULL ? in->query : NULL, &p->query, err);
	if (rc)
		goto out;
	p->where = strcmp(a->method, "GET") == 0 ? p->query : p->body;
	/* A GET sends the caller's body (normally none) as it is. */
	if (p->where == p->body)
		p->in.body = p->body;
	p->in.query = p->query;
	p->size = p->st->size != NULL ?
	    paging_get_long(p->where, p->st->size, 0) : p->st->max_size;
	if (p->size <= 0)
		p->size = opts != NULL && opts->page_size > 0 ?
		    opts->page_size : p->st->max_size;
	if (p->st->size != NULL)
		rc = paging_set_int(p->where, p->st->size, p->size, err);
	if (rc)
		goto out;
	p->pos = paging_get_long(p->where, p->st->start, p->st->first);
	if (a->paging == ML_PAGE_CURSOR) {
		c = ml_json_str(p->where, p->st->start);
		if (c != NULL)
			ml_strlcpy(p->cursor, c, sizeof(p->cursor));
	}
	p->more = 1;
	*out = p;
	p = NULL;
out:
	ml_paging_free(p);
	return rc;
}

int
ml_paging_next(struct ml_paging_iter *p, const struct ml_call_input **in)
{
	json_object *cur;

	*in = NULL;
	if (!p->more)
		return 0;
	if (p->a->paging != ML_PAGE_CURSOR) {
		if (paging_set_int(p->where, p->st->start, p->pos, NULL))
			return ML_ENOMEM;
	} else if (p->cursor[0] != '\0') {
		cur = json_object_new_string(p->cursor);
		if (cur == NULL || json_object_object_add(p->where,
		    p->st->start, cur) != 0) {
			json_object_put(cur);
			return ML_ENOMEM;
		}
	}
	*in = &p->in;
	return 1;
}

/* Gathering sink: the item into p->items (a new reference). */
static int
paging_gather(struct ml_paging_iter *p, const char *key, json_object *item,
    struct ml_err *err)
{
	int rc;

	if (p->items == NULL) {
		p->keyed = key != NULL;
		p->items = p->keyed ? json_object_new_object() :
		    json_object_new_array();
		if (p->items == NULL)
			return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	}
	if (p->keyed != (key != NULL))
		return ml_err_set(err, ML_EJSON, "malformed_json",
		    "pages of %s mix keyed and listed items", p->a->name);
	if (p->keyed)
		rc = json_object_object_add(p->items, key,
		    json_object_get(item));
	else
		rc = json_object_array_add(p->items, json_object_get(item));
	if (rc != 0) {
		json_object_put(item);
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	}
	return ML_OK;
}

static int
paging_emit(struct ml_paging_iter *p, const char *key, json_object *item,
    ml_paging_item_fn fn, void *ud, struct ml_err *err)
{
	char id[PAGING_ID_MAX];
	int rc, dup = 0;

	if (paging_item_id(key, item, id, sizeof(id))) {
		rc = paging_seen_add(&p->seen, id, &dup);
		if (rc)
			return ml_err_set(err, rc, NULL, "out of memory");
		if (dup) {
			p->stats.duplicates++;
			return ML_OK;
		}
	}
	p->stats.items++;
	if (fn == NULL)
		return paging_gather(p, key, item, err);
	return fn(ud, key, item, err);
}

/* Hand out a page's items; *count gets how many the page held. */
static int
paging_page_items(struct ml_paging_iter *p, json_object *page, size_t *count,
    ml_paging_item_fn fn, void *ud, struct ml_err *err)
{
	json_object *items = NULL;
	size_t i, n;
	int rc;

	*count = 0;
	if (!json_object_object_get_ex(page, p->st->items, &items) ||
	    items == NULL)
		return ML_OK;
	if (json_object_is_type(items, json_type_array)) {
		n = json_object_array_length(items);
		*count = n;
		for (i = 0; i < n; i++) {
			rc = paging_emit(p, NULL,
			    json_object_array_get_idx(items, i), fn, ud, err);
			if (rc)
				return rc;
		}
		return ML_OK;
	}
	if (!json_object_is_type(items, json_type_object))
		return ML_OK;
	*count = (size_t)json_object_object_length(items);
	json_object_object_foreach(items, k, v) {
		rc = paging_emit(p, k, v, fn, ud, err);
		if (rc)
			return rc;
	}
	return ML_OK;
}

int
ml_paging_feed(struct ml_paging_iter *p, json_object *page,
    ml_paging_item_fn item, void *item_ud, struct ml_err *err)
{
	size_t count;
	int rc;

	p->more = 0;
	p->stats.pages++;
	if (page == NULL || !json_object_is_type(page, json_type_object)) {
		json_object_put(page);
		return ml_err_set(err, ML_EJSON, "malformed_json",
		    "a page of %s is not a JSON object", p->a->name);
	}
	rc = paging_page_items(p, page, &count, item, item_ud, err);
	if (rc)
		goto out;
	switch (p->a->paging) {
	case ML_PAGE_OFFSET_LIMIT:
		p->more = count > 0 && (long)count >= p->size &&
		    !paging_last_by_total(page);
		p->pos += p->size;
		break;
	case ML_PAGE_CURSOR:
		p->more = count > 0 && paging_next_cursor(page, p->cursor,
		    sizeof(p->cursor));
		break;
	case ML_PAGE_OFFSET_FILES:
		p->more = count > 0 && paging_more_files(page);
		p->pos++;
		break;
	default:
		p->more = count > 0 && (long)count >= p->size;
		p->pos++;
		break;
	}
	if (p->more && p->stats.pages >= p->max_pages) {
		p->more = 0;
		rc = ml_err_set(err, ML_ETOOBIG, "too_many_pages",
		    "%s has more than %d pages; narrow the request or raise "
		    "the page cap", p->a->name, p->max_pages);
	}
out:
	if (rc == ML_OK && item == NULL && p->first == NULL)
		p->first = page;	/* kept for the gathered body */
	else
		json_object_put(page);
	return rc;
}

void
ml_paging_get_stats(const struct ml_paging_iter *p, struct ml_paging_stats *stats)
{
	*stats = p->stats;
}

int
ml_paging_result(struct ml_paging_iter *p, json_object **out, struct ml_err *err)
{
	json_object *pg, *f;

	*out = NULL;
	if (p->first == NULL)
		return ml_err_set(err, ML_EINVAL, "not_paginated",
		    "no page of %s was gathered", p->a->name);
	if (p->items == NULL) {
		p->items = json_object_new_array();
		if (p->items == NULL)
			return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	}
	if (json_object_object_add(p->first, p->st->items, p->items) != 0)
		return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
	p->items = NULL;
	pg = ml_json_get(p->first, "pagination", json_type_object);
	if (pg != NULL) {
		f = json_object_new_boolean(0);
		if (f == NULL || json_object_object_add(pg, "has_more", f) != 0) {
			json_object_put(f);
			return ml_err_set(err, ML_ENOMEM, NULL, "out of memory");
		}
		json_object_object_del(pg, "next_cursor");
	}
	*out = p->first;
	p->first = NULL;
	return ML_OK;
}

/* ---- blocking sources ------------------------------------------------------ */

/* Drive p with fetch until done; item NULL gathers. */
static int
paging_drive(struct ml_paging_iter *p, ml_paging_fetch_fn fetch, void *fetch_ud,
    ml_paging_item_fn item, void *item_ud, struct ml_err *err)
{
	const struct ml_call_input *in;
	json_object *page;
	int rc;

	while ((rc = ml_paging_next(p, &in)) == 1) {
		page = NULL;
		rc = fetch(fetch_ud, in, &page, err);
		if (rc) {
			json_object_put(page);
			return rc;
		}
		rc = ml_paging_feed(p, page, item, item_ud, err);
		if (rc)
			return rc;
	}
	if (rc == ML_ENOMEM)
		return ml_err_set(err, rc, NULL, "out of memory");
	return ML_OK;
}

int
ml_paging_run(const struct ml_action *a, const struct ml_call_input *in,
    const struct ml_paging_opts *opts, ml_paging_fetch_fn fetch,
    void *fetch_ud, ml_paging_item_fn item, void *item_ud,
    struct ml_paging_stats *stats, struct ml_err *err)
{
	struct ml_paging_iter *p = NULL;
	int rc;

	if (stats != NULL)
		memset(stats, 0, sizeof(*stats));
	if (fetch == NULL || item == NULL)
		return ml_err_set(err, ML_EINVAL, NULL, "no page source or "
		    "item sink");
	rc = ml_paging_new(a, in, opts, &p, err);
	if (rc == ML_OK)
		rc = paging_drive(p, fetch, fetch_ud, item, item_ud, err);
	if (p != NULL && stats != NULL)
		ml_paging_get_stats(p, stats);
	ml_paging_free(p);
	return rc;
}

int
ml_paging_collect(const struct ml_action *a,
    const struct ml_call_input *in, const struct ml_paging_opts *opts,
    ml_paging_fetch_fn fetch, void *fetch_ud, json_object **out,
    struct ml_paging_stats *stats, struct ml_err *err)
{
	static const struct ml_call_input none;
	struct ml_paging_iter *p = NULL;
	int rc;

	*out = NULL;
	if (stats != NULL)
		memset(stats, 0, sizeof(*stats));
	if (a != NULL && a->paging == ML_PAGE_NONE) {
		if (stats != NULL)
			stats->pages = 1;
		return fetch(fetch_ud, in != NULL ? in : &none, out, err);
	}
	rc = ml_paging_new(a, in, opts, &p, err);
	if (rc == ML_OK)
		rc = paging_drive(p, fetch, fetch_ud, NULL, NULL, err);
	if (rc == ML_OK)
		rc = ml_paging_result(p, out, err);
	if (p != NULL && stats != NULL)
		ml_paging_get_stats(p, stats);
	ml_paging_free(p);
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
