/* SPDX-License-Identifier: MIT */
/*
 * validate_cards.c: Cards input rules (cards.yaml): every call names the
 * user by uid or unique_id; fetch takes page and limit (>= 1) in the
 * query and optional platform, category and last-sync filters; delete
 * needs campaign_ids. Stateless and thread-safe; nothing allocates.
 */
#include "moengage/validate_fam_int.h"

#include <string.h>
#include <strings.h>

#include <moelink/json.h>

#include "moengage/validate_int.h"

static const char *const cards_fetch_query[] = { "page", "limit", NULL };
static const char *const cards_no_query[] = { NULL };
static const char *const cards_platforms[] = { "ANDROID", "IOS", "WEB",
	NULL };

/* uid or unique_id (the file's note), and platforms from the enum. */
static int
cards_user(json_object *body, int nocase, struct ml_err *err)
{
	json_object *list = NULL, *v;
	const char *uid = NULL, *unique = NULL, *s;
	char path[ML__VPATH_MAX];
	size_t i, k, n;
	int rc;

	rc = ml__vstring(body, "uid", 0, "", &uid, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "unique_id", 0, "", &unique, err);
	if (rc)
		return rc;
	if (uid == NULL && unique == NULL)
		return ml__vfail(err, "", "uid", "give uid or unique_id to "
		    "name the user");
	rc = ml__varray(body, "platforms", 0, 0, 0, "", &list, err);
	n = list != NULL ? json_object_array_length(list) : 0;
	for (i = 0; rc == ML_OK && i < n; i++) {
		ml__vpath(path, sizeof(path), "", "platforms", (long)i);
		v = json_object_array_get_idx(list, i);
		s = json_object_is_type(v, json_type_string) ?
		    json_object_get_string(v) : NULL;
		for (k = 0; s != NULL && cards_platforms[k] != NULL; k++)
			if ((nocase ? strcasecmp(s, cards_platforms[k]) :
			    strcmp(s, cards_platforms[k])) == 0)
				break;
		if (s == NULL || cards_platforms[k] == NULL)
			rc = ml__vfail(err, "", path, "must be ANDROID, IOS or "
			    "WEB");
	}
	return rc;
}

int
ml_validate_fetch_cards(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	rc = ml__vbody(body, query, cards_fetch_query, err);
	if (rc == ML_OK)
		rc = ml__vint(query, "page", 1, INT32_MAX, 0, 1, "query.", 1,
		    NULL, err);
	if (rc == ML_OK)
		rc = ml__vint(query, "limit", 1, INT32_MAX, 0, 1, "query.", 0,
		    NULL, err);
	if (rc == ML_OK)
		rc = cards_user(body, 0, err);
	if (rc == ML_OK)
		rc = ml__vstring(body, "card_category", 0, "", NULL, err);
	if (rc == ML_OK)
		rc = ml__vstrings(body, "prev_sync_card_ids", 0, 0, 0, "", err);
	if (rc == ML_OK)
		rc = ml__vint(body, "last_updated_time", 0, INT64_MAX, 0, 0, "",
		    0, NULL, err);
	return rc;
}

int
ml_validate_delete_cards(json_object *body, json_object *query,
    struct ml_err *err)
{
	int rc;

	rc = ml__vbody(body, query, cards_no_query, err);
	if (rc == ML_OK)
		rc = ml__vstrings(body, "campaign_ids", 1, 0, 1, "", err);
	if (rc == ML_OK)
		rc = cards_user(body, 1, err);
	return rc;
}
