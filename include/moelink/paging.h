/* SPDX-License-Identifier: MIT */
/*
 * paging.h: the one iterator behind every paged action (`moelink call
 * --all`, `"paginate": true` over REST, MCP). The action row names the
 * style (catalog.h enum ml_paging):
 *
 *   offset_limit  body offset += limit (limit <= 10); items are the members
 *                 of "data" (campaign stats keys them by campaign id); done
 *                 on a short or empty page or current_page >= total_pages
 *   cursor        limit (<= 20) and cursor (query for GET, body for POST);
 *                 items in "data"; done when pagination.has_more is false,
 *                 next_cursor is empty or repeats, or a page is empty
 *   page_entries  body page = 1, 2, ... with entries (<= 15); items in
 *                 "data"; done on a short or empty page
 *   size_batch    query batch_num = 1, 2, ... with size (<= 100); items in
 *                 "items"; done on a short or empty page
 *   offset_files  body offset = 1, 2, ... of a fixed 50 (no size
 *                 parameter); items in "data"; done when more_files is
 *                 false (a boolean or the string "false") or a page is empty
 *
 * The caller's own start (offset, page, batch_num, cursor) and page size
 * are kept. Every item is handed out exactly once: an item seen before
 * (same id, external_template_id + version, event_id, import_id or member
 * name; a page that shifted under us) is skipped. A hard cap on pages stops an
 * endless source with ML_ETOOBIG (kind "too_many_pages").
 *
 * The page source is a callback, so the iterator is tested without a
 * network; ml_paging_call() plugs in the MoEngage client.
 */
#ifndef MOELINK_PAGING_H
#define MOELINK_PAGING_H

#include <json-c/json.h>
#include <stddef.h>

#include <moelink/account.h>
#include <moelink/catalog.h>
#include <moelink/client.h>
#include <moelink/err.h>
#include <moelink/request.h>

#define ML_PAGING_MAX_PAGES 1000

struct ml_paging_opts {
	long page_size;		/* 0 = the style's documented maximum */
	int max_pages;		/* 0 = ML_PAGING_MAX_PAGES */
};

struct ml_paging_stats {
	int pages;		/* pages fetched */
	size_t items;		/* items handed out */
	size_t duplicates;	/* items skipped as seen before */
};

/*
 * Fetch one page: call the action with in (borrowed) and put the parsed
 * JSON answer in *page (owned by the iterator afterwards). Return ML_OK or
 * an error with err filled; the iterator stops and returns it.
 */
typedef int (*ml_paging_fetch_fn)(void *ud, const struct ml_call_input *in,
    json_object **page, struct ml_err *err);

/*
 * One item. key is the member name for keyed pages (campaign stats), else
 * NULL. item is borrowed for the call (json_object_get() to keep it).
 * A non-zero return stops the iteration and is returned.
 */
typedef int (*ml_paging_item_fn)(void *ud, const char *key, json_object *item,
    struct ml_err *err);

/*
 * The step-by-step form, for callers that cannot block between pages (the
 * server sends each page while the HTTP connection is suspended):
 *
 *	ml_paging_new(a, in, opts, &p, err);
 *	while ((rc = ml_paging_next(p, &page_in)) == 1) {
 *		... call the action with *page_in, parse the answer ...
 *		rc = ml_paging_feed(p, page, item, ud, err);	(page consumed)
 *		if (rc) break;
 *	}
 *	ml_paging_result(p, &body, err);	(when item was NULL)
 *	ml_paging_free(p);
 *
 * With item NULL the iterator gathers the items itself for
 * ml_paging_result(). a must be paged (ML_EINVAL "not_paginated").
 */
struct ml_paging_iter;

int ml_paging_new(const struct ml_action *a, const struct ml_call_input *in,
    const struct ml_paging_opts *opts, struct ml_paging_iter **out,
    struct ml_err *err);
/*
 * 1 and *in (valid until the next feed) if another page is wanted, 0 when
 * done, ML_ENOMEM if the next parameters cannot be set. *in borrows the
 * caller's path and headers (keep them alive while iterating).
 */
int ml_paging_next(struct ml_paging_iter *p, const struct ml_call_input **in);
/*
 * Take one page (consumed, even on error): hand out its new items and
 * decide whether there is another. ML_ETOOBIG (kind "too_many_pages") when
 * the page cap is reached and MoEngage still says there is more; a page
 * that is not a JSON object is ML_EJSON.
 */
int ml_paging_feed(struct ml_paging_iter *p, json_object *page,
    ml_paging_item_fn item, void *item_ud, struct ml_err *err);
/* The gathered body (see ml_paging_collect); once, after the last page. */
int ml_paging_result(struct ml_paging_iter *p, json_object **out,
    struct ml_err *err);
void ml_paging_get_stats(const struct ml_paging_iter *p,
    struct ml_paging_stats *stats);
/* NULL is a no-op. */
void ml_paging_free(struct ml_paging_iter *p);

/*
 * Run the whole iteration with a blocking page source (stats and opts may
 * be NULL).
 */
int ml_paging_run(const struct ml_action *a, const struct ml_call_input *in,
    const struct ml_paging_opts *opts, ml_paging_fetch_fn fetch,
    void *fetch_ud, ml_paging_item_fn item, void *item_ud,
    struct ml_paging_stats *stats, struct ml_err *err);

/*
 * Run and gather: *out gets MoEngage's body shape with every item of every
 * page under the items member ("data" or "items"; an object for keyed
 * pages, an array otherwise), the first page's other members, and, for a
 * cursor page, pagination saying there is no more (has_more false, no
 * next_cursor). For an action without paging, one fetch and its body as is.
 */
int ml_paging_collect(const struct ml_action *a,
    const struct ml_call_input *in, const struct ml_paging_opts *opts,
    ml_paging_fetch_fn fetch, void *fetch_ud, json_object **out,
    struct ml_paging_stats *stats, struct ml_err *err);

/*
 * ml_paging_collect() over the MoEngage client (blocking, ml_client_call
 * per page). A page that is not a JSON object fails with ML_EJSON.
 */
int ml_paging_call(struct ml_client *c, const struct ml_action *a,
    const struct ml_account *acct, const struct ml_call_input *in,
    const struct ml_paging_opts *opts, json_object **out,
    struct ml_paging_stats *stats, struct ml_err *err);

#endif
