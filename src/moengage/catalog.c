/* SPDX-License-Identifier: MIT */
/*
 * catalog.c: the action table put together from the per-family row files,
 * lookup by name, and matching a concrete request (method, host kind, path)
 * back to its row for the proxy.
 *
 * The flat pointer array is filled once (pthread_once) from the const
 * per-family arrays and never changes afterwards, so every function here is
 * safe from any thread. Adding a family: add catalog_<family>.c and one line
 * to catalog_families[].
 */
#include <moelink/catalog.h>

#include <pthread.h>
#include <string.h>

#include "moengage/catalog_int.h"

static const struct ml_action *const catalog_families[] = {
	ml__catalog_data,
	ml__catalog_segmentation,
	ml__catalog_push,
	ml__catalog_campaign_report,
	ml__catalog_business_events,
	ml__catalog_templates,
	ml__catalog_content_blocks,
	ml__catalog_catalog,
	ml__catalog_subscription,
	ml__catalog_personalize,
	ml__catalog_recommendations,
	ml__catalog_inform,
	ml__catalog_cards,
};

static const struct ml_action *catalog_rows[ML__CATALOG_MAX + 1];
static size_t catalog_count;
static pthread_once_t catalog_once = PTHREAD_ONCE_INIT;

/*
 * Paths of each family on the api host, for proxy calls to operations the
 * catalog has no row for yet. Longest prefix wins; "/v1/" is Data's.
 */
static const struct {
	const char *prefix;
	enum ml_family family;
} catalog_prefixes[] = {
	{ "/v1/catalog", ML_FAM_CATALOG },
	{ "/v1/cards", ML_FAM_CARDS },
	{ "/v1/recommendations", ML_FAM_RECOMMENDATIONS },
	{ "/v1.0/alerts", ML_FAM_INFORM },
	{ "/v1.0/custom-templates", ML_FAM_TEMPLATES },
	{ "/v1.0/email-templates", ML_FAM_TEMPLATES },
	{ "/v1/external/campaigns/content-blocks", ML_FAM_CONTENT_BLOCKS },
	{ "/core-services/v1/campaign-stats", ML_FAM_CAMPAIGN_REPORT },
	{ "/campaign_reports/", ML_FAM_CAMPAIGN_REPORT },
	{ "/v1.0/business_event", ML_FAM_BUSINESS_EVENTS },
	{ "/v5/business-events", ML_FAM_BUSINESS_EVENTS },
	{ "/v2/custom-segments", ML_FAM_SEGMENTATION },
	{ "/v3/custom-segments", ML_FAM_SEGMENTATION },
	{ "/v1/integrations/cohortsync", ML_FAM_SEGMENTATION },
	{ "/v1/category-subscription", ML_FAM_SUBSCRIPTION },
	{ "/v1.0/opt-in-management", ML_FAM_SUBSCRIPTION },
	{ "/emails/v1.0/bulk-resubscribe", ML_FAM_SUBSCRIPTION },
	{ "/v1/", ML_FAM_DATA },
};

static const char *const envelope_names[ML_ENV_COUNT] = {
	[ML_ENV_DATA] = "data",
	[ML_ENV_TITLE] = "title",
	[ML_ENV_ERROR_DETAILS] = "error_details",
	[ML_ENV_V5] = "v5",
	[ML_ENV_RESPONSE_TYPE] = "response_type",
	[ML_ENV_CATALOG] = "catalog",
	[ML_ENV_CODE_MESSAGE] = "code_message",
	[ML_ENV_INFORM] = "inform",
	[ML_ENV_PUSH] = "push",
	[ML_ENV_FILEIMPORT] = "fileimport",
};

static void
catalog_build(void)
{
	const struct ml_action *r;
	size_t f;

	for (f = 0; f < sizeof(catalog_families) / sizeof(catalog_families[0]);
	    f++) {
		for (r = catalog_families[f]; r->name != NULL; r++) {
			/* A full table is a build-time mistake; rows past it
			 * are left out rather than overflowing. */
			if (catalog_count >= ML__CATALOG_MAX)
				return;
			catalog_rows[catalog_count++] = r;
		}
	}
}

const struct ml_action *const *
ml_catalog_all(size_t *count)
{
	pthread_once(&catalog_once, catalog_build);
	if (count != NULL)
		*count = catalog_count;
	return catalog_rows;
}

const struct ml_action *
ml_catalog_find(const char *name)
{
	const struct ml_action *const *rows;
	size_t i, n;

	if (name == NULL)
		return NULL;
	rows = ml_catalog_all(&n);
	for (i = 0; i < n; i++)
		if (strcmp(rows[i]->name, name) == 0)
			return rows[i];
	return NULL;
}

/*
 * Match path against a template segment by segment; "{x}" matches one
 * non-empty segment. Returns -1 for no match, else the number of literal
 * segments (more literals = more specific: "/v1/customer/merge" beats
 * "/v1/customer/{workspace_id}").
 */
static int
catalog_path_score(const char *tmpl, const char *path, size_t plen)
{
	const char *t = tmpl, *p = path, *pend = path + plen;
	int literals = 0;

	while (*t != '\0' && p < pend) {
		const char *te, *pe;
		size_t tl, pl;

		if (*t != '/' || *p != '/')
			return -1;
		t++;
		p++;
		te = strchr(t, '/');
		pe = memchr(p, '/', (size_t)(pend - p));
		tl = te != NULL ? (size_t)(te - t) : strlen(t);
		pl = pe != NULL ? (size_t)(pe - p) : (size_t)(pend - p);
		if (tl >= 2 && t[0] == '{' && t[tl - 1] == '}') {
			if (pl == 0)
				return -1;
		} else {
			if (tl != pl || memcmp(t, p, tl) != 0)
				return -1;
			literals++;
		}
		t += tl;
		p += pl;
	}
	return (*t == '\0' && p == pend) ? literals : -1;
}

static const struct ml_action *
catalog_best(const char *method, enum ml_host_kind host, const char *path)
{
	const struct ml_action *const *rows, *best = NULL;
	size_t i, n, plen;
	int score, best_score = -1;

	if (path == NULL)
		return NULL;
	plen = strcspn(path, "?#");
	rows = ml_catalog_all(&n);
	for (i = 0; i < n; i++) {
		if (rows[i]->host != host)
			continue;
		if (method != NULL && strcmp(rows[i]->method, method) != 0)
			continue;
		score = catalog_path_score(rows[i]->path, path, plen);
		if (score > best_score) {
			best_score = score;
			best = rows[i];
		}
	}
	return best;
}

const struct ml_action *
ml_catalog_match(const char *method, enum ml_host_kind host, const char *path)
{
	if (method == NULL)
		return NULL;
	return catalog_best(method, host, path);
}

int
ml_catalog_family_of(enum ml_host_kind host, const char *path)
{
	const struct ml_action *a;
	size_t i, len, best_len = 0;
	int fam = -1;

	a = catalog_best(NULL, host, path);
	if (a != NULL)
		return (int)a->family;
	switch (host) {
	case ML_HOST_PUSHAPI:
		return ML_FAM_PUSH;
	case ML_HOST_SDK:
		return ML_FAM_PERSONALIZE;
	case ML_HOST_SANDBOX_API:
		return ML_FAM_INFORM;
	case ML_HOST_FILEIMPORTS:
		return ML_FAM_DATA;
	case ML_HOST_API:
		break;
	default:
		return -1;
	}
	if (path == NULL)
		return -1;
	for (i = 0; i < sizeof(catalog_prefixes) / sizeof(catalog_prefixes[0]);
	    i++) {
		len = strlen(catalog_prefixes[i].prefix);
		if (len > best_len &&
		    strncmp(path, catalog_prefixes[i].prefix, len) == 0) {
			best_len = len;
			fam = (int)catalog_prefixes[i].family;
		}
	}
	return fam;
}

const char *
ml_envelope_name(enum ml_envelope env)
{
	if ((int)env < 0 || env >= ML_ENV_COUNT)
		return "unknown";
	return envelope_names[env];
}

const char *
ml_paging_name(enum ml_paging p)
{
	switch (p) {
	case ML_PAGE_NONE:
		return "none";
	case ML_PAGE_OFFSET_LIMIT:
		return "offset_limit";
	case ML_PAGE_CURSOR:
		return "cursor";
	case ML_PAGE_PAGE_ENTRIES:
		return "page_entries";
	case ML_PAGE_SIZE_BATCH:
		return "size_batch";
	case ML_PAGE_OFFSET_FILES:
		return "offset_files";
	}
	return "unknown";
}

const char *
ml_ws_place_name(enum ml_ws_place place)
{
	switch (place) {
	case ML_WS_NONE:
		return "none";
	case ML_WS_PATH:
		return "path";
	case ML_WS_QUERY_APP_ID:
		return "query";
	}
	return "unknown";
}

const char *
ml_auth_name(enum ml_auth auth)
{
	switch (auth) {
	case ML_AUTH_BASIC:
		return "basic";
	case ML_AUTH_PUSH_SIGNATURE:
		return "push_signature";
	case ML_AUTH_NONE:
		return "none";
	case ML_AUTH_REPORT_SIGNATURE:
		return "report_signature";
	}
	return "unknown";
}
