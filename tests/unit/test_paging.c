/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the paging iterator, driven by a fake page source (no
 * network) that serves a known set of items in each of MoEngage's five
 * paging styles. Each test checks that every item comes out exactly once,
 * which pages were asked for, and where the iteration stops.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <moelink/catalog.h>
#include <moelink/json.h>
#include <moelink/paging.h>

/* The fake source: n items, served in the style of the action. */
struct fake {
	const struct ml_action *a;
	long n;			/* items held */
	int endless;		/* always a full page of new items */
	int repeat_edge;	/* each later page repeats the previous last */
	int stuck_cursor;	/* next_cursor never changes */
	int more_as_string;	/* more_files as "true"/"false" (data.yaml) */
	int fail_at;		/* fetch number that fails (1-based), 0 never */
	int calls;
	long starts[64];	/* start parameter of each request */
	long sizes[64];
	char cursors[64][32];
};

static json_object *
where_of(const struct ml_action *a, const struct ml_call_input *in)
{
	return strcmp(a->method, "GET") == 0 ? in->query : in->body;
}

static long
num(json_object *o, const char *key)
{
	json_object *v;

	v = ml_json_get(o, key, json_type_int);
	assert_non_null(v);
	return (long)json_object_get_int64(v);
}

static json_object *
item(enum ml_paging p, long i)
{
	char id[32];
	json_object *o = json_object_new_object();

	snprintf(id, sizeof(id), "it%ld", i);
	if (p == ML_PAGE_PAGE_ENTRIES) {
		ml_json_add_str(o, "external_template_id", id);
		ml_json_add_int(o, "version", 1);
	} else if (p == ML_PAGE_OFFSET_FILES) {
		ml_json_add_str(o, "import_id", id);
	} else {
		ml_json_add_str(o, "id", id);
	}
	return o;
}

static int
fake_fetch(void *ud, const struct ml_call_input *in, json_object **page,
    struct ml_err *err)
{
	struct fake *f = ud;
	json_object *w = where_of(f->a, in), *out, *items, *pg;
	long first = 0, size, i, end;
	const char *cur;
	char key[32], next[32];
	int slot = f->calls < 64 ? f->calls : 63;

	f->calls++;
	if (f->fail_at > 0 && f->calls == f->fail_at)
		return ml_err_set(err, ML_EHTTP, "moengage_error", "boom");
	switch (f->a->paging) {
	case ML_PAGE_OFFSET_LIMIT:
		size = num(w, "limit");
		first = num(w, "offset");
		break;
	case ML_PAGE_CURSOR:
		size = num(w, "limit");
		cur = ml_json_str(w, "cursor");
		ml_strlcpy(f->cursors[slot], cur != NULL ? cur : "",
		    sizeof(f->cursors[slot]));
		first = cur != NULL ? strtol(cur + 1, NULL, 10) : 0;
		break;
	case ML_PAGE_OFFSET_FILES:
		/* No page-size parameter: MoEngage's pages hold 50. */
		assert_null(ml_json_get(w, "limit", json_type_int));
		size = 50;
		first = (num(w, "offset") - 1) * size;
		f->starts[slot] = num(w, "offset");
		break;
	case ML_PAGE_PAGE_ENTRIES:
		size = num(w, "entries");
		first = (num(w, "page") - 1) * size;
		f->starts[slot] = num(w, "page");
		break;
	default:
		size = num(w, "size");
		first = (num(w, "batch_num") - 1) * size;
		f->starts[slot] = num(w, "batch_num");
		break;
	}
	if (f->a->paging == ML_PAGE_OFFSET_LIMIT)
		f->starts[slot] = first;
	f->sizes[slot] = size;
	if (f->repeat_edge && first > 0)
		first--;
	end = f->endless ? first + size : (first + size < f->n ? first + size :
	    f->n);
	out = json_object_new_object();
	if (f->a->paging == ML_PAGE_OFFSET_LIMIT) {
		/* Campaign stats: data keyed by campaign id. */
		items = json_object_new_object();
		for (i = first; i < end; i++) {
			snprintf(key, sizeof(key), "cmp%ld", i);
			json_object_object_add(items, key,
			    json_object_new_array());
		}
		ml_json_add_int(out, "current_page", first / size + 1);
		ml_json_add_int(out, "total_pages", (f->n + size - 1) / size);
		ml_json_add_int(out, "total_campaigns", f->n);
	} else {
		items = json_object_new_array();
		for (i = first; i < end; i++)
			json_object_array_add(items, item(f->a->paging, i));
	}
	json_object_object_add(out, f->a->paging == ML_PAGE_SIZE_BATCH ?
	    "items" : "data", items);
	if (f->a->paging == ML_PAGE_CURSOR) {
		pg = json_object_new_object();
		json_object_object_add(pg, "has_more",
		    json_object_new_boolean(f->endless || end < f->n));
		snprintf(next, sizeof(next), "c%ld", f->stuck_cursor ? 1L : end);
		ml_json_add_str(pg, "next_cursor", next);
		json_object_object_add(out, "pagination", pg);
	}
	if (f->a->paging == ML_PAGE_OFFSET_FILES) {
		ml_json_add_int(out, "total_count", f->n);
		ml_json_add_int(out, "offset", first / size + 1);
		json_object_object_add(out, "more_files", f->more_as_string ?
		    json_object_new_string(end < f->n ? "true" : "false") :
		    json_object_new_boolean(end < f->n));
	}
	ml_json_add_str(out, "response_id", "resp_1");
	*page = out;
	return ML_OK;
}

/* Item sink: counts each id; fails the test on a repeat. */
struct sink {
	char ids[1200][24];
	size_t n;
};

static int
sink_item(void *ud, const char *key, json_object *it, struct ml_err *err)
{
	struct sink *s = ud;
	const char *id;
	size_t i;

	(void)err;
	id = key != NULL ? key : ml_json_str(it, "id");
	if (id == NULL)
		id = ml_json_str(it, "external_template_id");
	if (id == NULL)
		id = ml_json_str(it, "import_id");
	assert_non_null(id);
	for (i = 0; i < s->n; i++)
		if (strcmp(s->ids[i], id) == 0)
			fail_msg("item %s handed out twice", id);
	assert_true(s->n < 1200);
	ml_strlcpy(s->ids[s->n++], id, sizeof(s->ids[0]));
	return ML_OK;
}

/* One walk over the fake source: the source, the sink, what the run said. */
struct walk {
	struct fake f;
	struct sink s;
	struct ml_paging_stats st;
	struct ml_err err;
};

/* The current test's walk (static: the sink is large for the stack). */
static struct walk w;

/* A fresh source of n items, its other knobs off, for the next walk. */
static struct fake *
source(long n)
{
	memset(&w, 0, sizeof(w));
	w.f.n = n;
	return &w.f;
}

/* Walks action over the source; what ml_paging_run returned. */
static int
walk(const char *action, const char *body, const char *query,
    const struct ml_paging_opts *o)
{
	struct ml_call_input in;
	int rc;

	w.f.a = ml_catalog_find(action);
	assert_non_null(w.f.a);
	memset(&in, 0, sizeof(in));
	in.body = tu_json(body);
	in.query = tu_json(query);
	memset(&w.s, 0, sizeof(w.s));
	ml_err_clear(&w.err);
	rc = ml_paging_run(w.f.a, &in, o, fake_fetch, &w.f, sink_item, &w.s,
	    &w.st, &w.err);
	json_object_put(in.body);
	json_object_put(in.query);
	return rc;
}

/* Every item it0..it(n-1) (or cmp0..) was handed out once. */
static void
assert_all(const struct sink *s, long n, const char *prefix)
{
	char want[24];
	long i;

	assert_int_equal(s->n, (size_t)n);
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "%s%ld", prefix, i);
		assert_string_equal(s->ids[i], want);
	}
}

/* A walk that succeeds, handing out prefix0..prefix(n-1) once each over
 * the given number of pages. */
static void
expect_walk(const char *action, const char *body, const char *query,
    const struct ml_paging_opts *o, long n, const char *prefix, int pages)
{
	assert_int_equal(walk(action, body, query, o), ML_OK);
	assert_all(&w.s, n, prefix);
	assert_int_equal(w.st.pages, pages);
}

/* A walk that succeeds from where the caller's input says, handing out n
 * items, the first named first. */
static void
expect_resumed_walk(const char *action, const char *body, long n,
    const char *first)
{
	assert_int_equal(walk(action, body, NULL, NULL), ML_OK);
	assert_int_equal(w.s.n, n);
	assert_string_equal(w.s.ids[0], first);
}

/* Collects action's pages from the source into one body. */
static json_object *
collect(const char *action, const char *body)
{
	struct ml_call_input in;
	json_object *out;

	w.f.a = ml_catalog_find(action);
	memset(&in, 0, sizeof(in));
	in.body = tu_json(body);
	assert_int_equal(ml_paging_collect(w.f.a, &in, NULL, fake_fetch, &w.f,
	    &out, &w.st, &w.err), ML_OK);
	json_object_put(in.body);
	return out;
}

#define STATS_BODY \
	"{\"request_id\":\"r\",\"start_date\":\"2024-12-01\",\"end_date\":" \
	"\"2024-12-02\",\"attribution_type\":\"VIEW_THROUGH\",\"metric_type\":" \
	"\"TOTAL\"}"

static void
paging_offset_limit_every_campaign_once(void **state)
{
	(void)state;
	source(23);
	expect_walk("moengage_get_campaign_stats", STATS_BODY, NULL, NULL, 23,
	    "cmp", 3);
	assert_int_equal(w.f.starts[0], 0);
	assert_int_equal(w.f.starts[1], 10);
	assert_int_equal(w.f.starts[2], 20);
	assert_int_equal(w.f.sizes[0], 10);
	/* An exact multiple stops on total_pages, without an empty page. */
	source(20);
	assert_int_equal(walk("moengage_get_campaign_stats", STATS_BODY, NULL,
	    NULL), ML_OK);
	assert_all(&w.s, 20, "cmp");
	assert_int_equal(w.f.calls, 2);
}

static void
paging_cursor_follows_next_cursor_until_has_more_false(void **state)
{
	(void)state;
	source(45);
	expect_walk("moengage_list_business_events", NULL, NULL, NULL, 45, "it",
	    3);
	assert_string_equal(w.f.cursors[0], "");
	assert_string_equal(w.f.cursors[1], "c20");
	assert_string_equal(w.f.cursors[2], "c40");
	assert_int_equal(w.f.sizes[0], 20);
	/* POST search: the cursor travels in the body; a caller's limit and
	 * starting cursor are kept. */
	source(30);
	expect_resumed_walk("moengage_search_business_events_v5",
	    "{\"limit\":7,\"cursor\":\"c10\"}", 20, "it10");
	assert_int_equal(w.f.sizes[0], 7);
	assert_int_equal(w.st.pages, 3);
}

static void
paging_cursor_that_repeats_stops(void **state)
{
	(void)state;
	source(100)->stuck_cursor = 1;
	/* Page 1 (c1 next), page 2 from c1 answers c1 again: stop, having
	 * handed out it0..it20 once each. */
	expect_walk("moengage_list_business_events", NULL, NULL, NULL, 21, "it",
	    2);
	assert_int_equal(w.st.duplicates, 19);
}

static void
paging_page_entries_stops_on_short_or_empty_page(void **state)
{
	(void)state;
	source(31);
	expect_walk("moengage_search_push_templates", "{}", NULL, NULL, 31,
	    "it", 3);
	assert_int_equal(w.f.starts[0], 1);
	assert_int_equal(w.f.starts[2], 3);
	assert_int_equal(w.f.sizes[0], 15);
	/* Exactly two full pages: the third, empty, ends it. */
	source(30);
	expect_walk("moengage_search_sms_templates", "{}", NULL, NULL, 30, "it",
	    3);
	/* The caller's page size and start are kept. */
	source(12);
	expect_resumed_walk("moengage_search_email_templates",
	    "{\"entries\":5,\"page\":2}", 7, "it5");
	assert_int_equal(w.f.starts[0], 2);
}

/* File Imports (data.yaml): offset 1, 2, ... of 50, until more_files is
 * false (a boolean on one route, a string on the other). */
static void
paging_offset_files_follows_more_files(void **state)
{
	(void)state;
	source(120);
	expect_walk("moengage_get_file_imports", "{}", NULL, NULL, 120, "it",
	    3);
	assert_int_equal(w.f.starts[0], 1);
	assert_int_equal(w.f.starts[1], 2);
	assert_int_equal(w.f.starts[2], 3);
	/* Exactly two full pages: more_files false on the second ends it,
	 * with no empty third request. */
	source(100)->more_as_string = 1;
	expect_walk("moengage_get_file_import_history",
	    "{\"import_id\":\"imp1\"}", NULL, NULL, 100, "it", 2);
	/* The caller's start (a string, as documented) is kept. */
	source(160);
	expect_resumed_walk("moengage_get_file_imports", "{\"offset\":\"2\"}",
	    110, "it50");
	assert_int_equal(w.f.starts[0], 2);
	/* An import repeated at a shifted page edge comes out once. */
	source(120)->repeat_edge = 1;
	assert_int_equal(walk("moengage_get_file_imports", "{}", NULL, NULL),
	    ML_OK);
	assert_all(&w.s, 120, "it");
	assert_int_equal(w.st.duplicates, 1);
}

static void
paging_size_batch_counts_batches_from_one(void **state)
{
	struct ml_paging_opts o;

	(void)state;
	source(250);
	expect_walk("moengage_list_recommendations", NULL,
	    "{\"status\":\"Active\"}", NULL, 250, "it", 3);
	assert_int_equal(w.f.starts[0], 1);
	assert_int_equal(w.f.starts[1], 2);
	assert_int_equal(w.f.sizes[0], 100);
	/* opts.page_size when the caller gives none; a query string size
	 * wins over it. */
	source(25);
	memset(&o, 0, sizeof(o));
	o.page_size = 10;
	assert_int_equal(walk("moengage_list_recommendations", NULL, NULL, &o),
	    ML_OK);
	assert_int_equal(w.st.pages, 3);
	source(25);
	assert_int_equal(walk("moengage_list_recommendations", NULL,
	    "{\"size\":\"20\"}", &o), ML_OK);
	assert_int_equal(w.st.pages, 2);
	assert_int_equal(w.f.sizes[0], 20);
}

static void
paging_shifted_pages_do_not_repeat_items(void **state)
{
	(void)state;
	source(45)->repeat_edge = 1;	/* each page starts one item early */
	assert_int_equal(walk("moengage_search_inapp_templates", "{}", NULL,
	    NULL), ML_OK);
	assert_all(&w.s, 45, "it");
	assert_int_equal(w.st.duplicates, 1);
	assert_int_equal(w.st.items, 45);
}

static void
paging_hard_cap_stops_an_endless_source(void **state)
{
	struct ml_paging_opts o;

	(void)state;
	source(0)->endless = 1;
	memset(&o, 0, sizeof(o));
	o.max_pages = 5;
	assert_int_equal(walk("moengage_list_business_events", NULL, NULL, &o),
	    ML_ETOOBIG);
	assert_string_equal(w.err.kind, "too_many_pages");
	assert_int_equal(w.f.calls, 5);
	/* The default cap, one item a page. */
	source(0)->endless = 1;
	o.max_pages = 0;
	o.page_size = 1;
	assert_int_equal(walk("moengage_list_recommendations", NULL, NULL, &o),
	    ML_ETOOBIG);
	assert_int_equal(w.f.calls, ML_PAGING_MAX_PAGES);
}

static void
paging_fetch_error_stops_and_is_returned(void **state)
{
	(void)state;
	source(100)->fail_at = 2;
	assert_int_equal(walk("moengage_search_push_templates", "{}", NULL,
	    NULL), ML_EHTTP);
	assert_string_equal(w.err.msg, "boom");
	assert_int_equal(w.f.calls, 2);
	assert_int_equal(w.s.n, 15);
}

static void
paging_unpaged_action_is_refused_by_run(void **state)
{
	(void)state;
	source(0);
	assert_int_equal(walk("moengage_get_segment", NULL, NULL, NULL),
	    ML_EINVAL);
	assert_string_equal(w.err.kind, "not_paginated");
	assert_int_equal(w.f.calls, 0);
}

static void
paging_collect_gathers_one_body(void **state)
{
	json_object *out, *data, *pg;

	(void)state;
	/* Keyed: campaign stats' data objects merge. */
	source(23);
	out = collect("moengage_get_campaign_stats", STATS_BODY);
	data = ml_json_get(out, "data", json_type_object);
	assert_non_null(data);
	assert_int_equal(json_object_object_length(data), 23);
	assert_non_null(ml_json_get(data, "cmp22", json_type_array));
	assert_string_equal(ml_json_str(out, "response_id"), "resp_1");
	json_object_put(out);
	/* Cursor: one array, and the answer says there is no more. */
	source(45);
	out = collect("moengage_list_business_events", NULL);
	assert_int_equal(json_object_array_length(ml_json_get(out, "data",
	    json_type_array)), 45);
	pg = ml_json_get(out, "pagination", json_type_object);
	assert_int_equal(ml_json_bool(pg, "has_more", 1), 0);
	assert_null(ml_json_get(pg, "next_cursor", json_type_string));
	json_object_put(out);
	/* No items at all: an empty list, one page. */
	source(0);
	out = collect("moengage_list_recommendations", NULL);
	assert_int_equal(json_object_array_length(ml_json_get(out, "items",
	    json_type_array)), 0);
	assert_int_equal(w.st.pages, 1);
	json_object_put(out);
}

static int
once_fetch(void *ud, const struct ml_call_input *in, json_object **page,
    struct ml_err *err)
{
	int *calls = ud;

	(void)in;
	(void)err;
	(*calls)++;
	*page = json_object_new_object();
	ml_json_add_str(*page, "id", "seg1");
	return ML_OK;
}

static void
paging_collect_unpaged_action_is_one_call(void **state)
{
	struct ml_paging_stats st;
	struct ml_err err;
	json_object *out;
	int calls = 0;

	(void)state;
	assert_int_equal(ml_paging_collect(ml_catalog_find(
	    "moengage_get_segment"), NULL, NULL, once_fetch, &calls, &out, &st,
	    &err), ML_OK);
	assert_int_equal(calls, 1);
	assert_int_equal(st.pages, 1);
	assert_string_equal(ml_json_str(out, "id"), "seg1");
	json_object_put(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paging_offset_limit_every_campaign_once),
		cmocka_unit_test(
		    paging_cursor_follows_next_cursor_until_has_more_false),
		cmocka_unit_test(paging_cursor_that_repeats_stops),
		cmocka_unit_test(
		    paging_page_entries_stops_on_short_or_empty_page),
		cmocka_unit_test(paging_size_batch_counts_batches_from_one),
		cmocka_unit_test(paging_offset_files_follows_more_files),
		cmocka_unit_test(paging_shifted_pages_do_not_repeat_items),
		cmocka_unit_test(paging_hard_cap_stops_an_endless_source),
		cmocka_unit_test(paging_fetch_error_stops_and_is_returned),
		cmocka_unit_test(paging_unpaged_action_is_refused_by_run),
		cmocka_unit_test(paging_collect_gathers_one_body),
		cmocka_unit_test(paging_collect_unpaged_action_is_one_call),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
